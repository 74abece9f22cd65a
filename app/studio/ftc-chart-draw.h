/* ftc-chart-draw.h: draws a chart of FtcChartSeries with cairo, the same way on screen (FtcChartView)
 * and in exported PNG/SVG files, in a light or a dark style. */
#pragma once

#include <cairo.h>
#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  FTC_CHART_LINES,   /* x/y curves: training loss against step, accuracy against D */
  FTC_CHART_BARS,    /* grouped bars: one group per category label, one bar per series */
} FtcChartKind;

typedef struct {
  FtcChartKind kind;
  const char *title;
  const char *x_label;
  const char *y_label;
  double y_min, y_max;   /* NAN: from the data */
  gboolean x_log2;       /* x on a log2 scale with ticks at powers of two (accuracy against D) */
  gboolean dark;
} FtcChartOptions;

void ftc_chart_options_init (FtcChartOptions *opt, FtcChartKind kind);

/* series: a GListModel of FtcChartSeries. Draws in (0, 0, width, height) of cr. */
void ftc_chart_draw (cairo_t *cr, double width, double height, const FtcChartOptions *opt, GListModel *series);

/* Writes the chart to a PNG or SVG file (by the name's extension) at the given size in pixels/points. */
gboolean ftc_chart_export (const char *path, int width, int height, const FtcChartOptions *opt,
                           GListModel *series, GError **error);

/* The palette colour i (wraps), as RGB in [0, 1]. */
void ftc_chart_palette (int i, double rgb[3]);

G_END_DECLS
