/* ftc-chart-view.h: a chart widget drawn by core/results/ftc-chart (the code that draws the report's PNG and SVG
 * files). It shows either a chart made elsewhere (ftc_chart_view_set_chart: the report's own accuracy
 * and diversity charts) or one it builds from a GListModel of FtcSeries, redrawn whenever the model or a
 * series changes, so live curves just add points. */
#pragma once

#include <gtk/gtk.h>

#include "core/results/ftc-chart.h"

G_BEGIN_DECLS

#define FTC_TYPE_CHART_VIEW (ftc_chart_view_get_type ())
G_DECLARE_FINAL_TYPE (FtcChartView, ftc_chart_view, FTC, CHART_VIEW, GtkWidget)

GtkWidget *ftc_chart_view_new (void);

/* Shows chart (taken over; NULL shows nothing but the title) instead of the model. */
void ftc_chart_view_set_chart (FtcChartView *self, FtcChart *chart);
/* Builds the chart from a GListModel of FtcSeries (lines), with the settings below. */
void ftc_chart_view_set_model (FtcChartView *self, GListModel *model);
GListModel *ftc_chart_view_get_model (FtcChartView *self);
void ftc_chart_view_set_title (FtcChartView *self, const char *title);
const char *ftc_chart_view_get_title (FtcChartView *self);
void ftc_chart_view_set_axis_labels (FtcChartView *self, const char *x_label, const char *y_label,
                                     const char *y2_label);
void ftc_chart_view_set_y_range (FtcChartView *self, double y_min, double y_max);   /* NAN: automatic */
void ftc_chart_view_set_log_x (FtcChartView *self, gboolean log_x);

/* The chart drawn now (the one set, or one built from the model); owned by the view. */
FtcChart *ftc_chart_view_get_chart (FtcChartView *self);
/* Light or dark, following the widget's style. */
FtcChartTheme ftc_chart_view_get_theme (FtcChartView *self);
/* How many times the chart was drawn (tests check that a change redraws). */
guint ftc_chart_view_get_draw_count (FtcChartView *self);
/* Writes the chart as PNG, SVG or PDF (by extension), in the light theme. */
gboolean ftc_chart_view_export (FtcChartView *self, const char *path, int width, int height, GError **error);

G_END_DECLS
