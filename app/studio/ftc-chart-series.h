/* ftc-chart-series.h: one series of a chart (a training curve, one task's bars), the item type of the
 * GListModel an FtcChartView draws. Points may be added while the chart shows (live curves). */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct {
  double x;
  double y;
} FtcChartPoint;

typedef enum {
  FTC_CHART_SERIES_LINE,       /* a curve with markers when it has few points */
  FTC_CHART_SERIES_REFERENCE,  /* a dashed horizontal or straight reference line (teacher, random) */
} FtcChartSeriesStyle;

#define FTC_TYPE_CHART_SERIES (ftc_chart_series_get_type ())
G_DECLARE_FINAL_TYPE (FtcChartSeries, ftc_chart_series, FTC, CHART_SERIES, GObject)

FtcChartSeries *ftc_chart_series_new (const char *title, int color);

const char *ftc_chart_series_get_title (FtcChartSeries *self);
int ftc_chart_series_get_color (FtcChartSeries *self);   /* index into the chart palette */
FtcChartSeriesStyle ftc_chart_series_get_style (FtcChartSeries *self);
void ftc_chart_series_set_style (FtcChartSeries *self, FtcChartSeriesStyle style);

/* Points in insertion order; "changed" is emitted after each change. */
const FtcChartPoint *ftc_chart_series_get_points (FtcChartSeries *self, guint *n_points);
void ftc_chart_series_add_point (FtcChartSeries *self, double x, double y);
void ftc_chart_series_add_points (FtcChartSeries *self, const FtcChartPoint *points, guint n_points);
void ftc_chart_series_clear (FtcChartSeries *self);

/* Bar charts: the category label of each point (point i is category i); NULL-terminated, may be NULL. */
void ftc_chart_series_set_labels (FtcChartSeries *self, const char *const *labels);
const char *const *ftc_chart_series_get_labels (FtcChartSeries *self);

G_END_DECLS
