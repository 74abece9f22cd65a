/* ftc-chart-view.h: a chart widget fed by a GListModel of FtcChartSeries; redraws when the model or any
 * series changes, so live curves just add points. Drawing is ftc-chart-draw's, shared with exports. */
#pragma once

#include <gtk/gtk.h>

#include "app/studio/ftc-chart-draw.h"

G_BEGIN_DECLS

#define FTC_TYPE_CHART_VIEW (ftc_chart_view_get_type ())
G_DECLARE_FINAL_TYPE (FtcChartView, ftc_chart_view, FTC, CHART_VIEW, GtkWidget)

GtkWidget *ftc_chart_view_new (void);

void ftc_chart_view_set_model (FtcChartView *self, GListModel *model);
GListModel *ftc_chart_view_get_model (FtcChartView *self);
void ftc_chart_view_set_kind (FtcChartView *self, FtcChartKind kind);
FtcChartKind ftc_chart_view_get_kind (FtcChartView *self);
void ftc_chart_view_set_title (FtcChartView *self, const char *title);
void ftc_chart_view_set_axis_labels (FtcChartView *self, const char *x_label, const char *y_label);
void ftc_chart_view_set_y_range (FtcChartView *self, double y_min, double y_max);   /* NAN: automatic */
void ftc_chart_view_set_x_log2 (FtcChartView *self, gboolean x_log2);
/* How many times the chart was drawn (tests check that a change redraws). */
guint ftc_chart_view_get_draw_count (FtcChartView *self);
/* The options the chart draws with now (dark follows the widget's style). */
void ftc_chart_view_get_options (FtcChartView *self, FtcChartOptions *opt);
/* Writes the chart as PNG or SVG (by extension). */
gboolean ftc_chart_view_export (FtcChartView *self, const char *path, int width, int height, GError **error);

G_END_DECLS
