/* ftc-series.h: one series of a chart (a training curve, a reference line), the item type of the
 * GListModel an FtcChartView draws. Points may be added while the chart shows (live curves). */
#pragma once

#include <glib-object.h>

#include "core/results/ftc-chart.h"

G_BEGIN_DECLS

typedef struct {
  double x;
  double y;
} FtcSeriesPoint;

typedef enum {
  FTC_SERIES_LINE,       /* a curve (markers when it has few points) */
  FTC_SERIES_REFERENCE,  /* a dashed horizontal line at the first point's y (teacher, random) */
} FtcSeriesStyle;

#define FTC_TYPE_SERIES (ftc_series_get_type ())
G_DECLARE_FINAL_TYPE (FtcSeries, ftc_series, FTC, SERIES, GObject)

/* color: a palette index (0..FTC_CHART_PALETTE_SIZE-1) or FTC_CHART_COLOR_AUTO / _NEUTRAL / _NEUTRAL_LIGHT. */
FtcSeries *ftc_series_new (const char *title, int color);

const char *ftc_series_get_title (FtcSeries *self);
int ftc_series_get_color (FtcSeries *self);
FtcSeriesStyle ftc_series_get_style (FtcSeries *self);
void ftc_series_set_style (FtcSeries *self, FtcSeriesStyle style);
FtcChartAxis ftc_series_get_axis (FtcSeries *self);
void ftc_series_set_axis (FtcSeries *self, FtcChartAxis axis);

/* Points in insertion order; "changed" is emitted after each change. */
const FtcSeriesPoint *ftc_series_get_points (FtcSeries *self, guint *n_points);
void ftc_series_add_point (FtcSeries *self, double x, double y);
void ftc_series_add_points (FtcSeries *self, const FtcSeriesPoint *points, guint n_points);
void ftc_series_clear (FtcSeries *self);

G_END_DECLS
