/* ftc-chart.h: the charts of ftcot, drawn with cairo from plain data.
 *
 * One chart object holds data and labels; ftc_chart_render draws it into any cairo_t at any size, so the
 * GUI draws into a GtkDrawingArea exactly what the reports write as PNG, SVG or PDF (ftc_chart_save picks
 * the format from the file name's extension).
 *
 *   bars    grouped bar chart: one group per category (a task), one bar per series (a method), optional
 *           error bars (confidence intervals) and value labels.
 *   lines   line chart over numeric x: training curves (loss against step, the learning rate on a second
 *           y axis), accuracy against D, accuracy against training-set size (log x); horizontal reference
 *           lines (e.g. the teacher's accuracy) with legend entries.
 *
 * Colours come from the Okabe-Ito palette (safe for the common colour-vision deficiencies), in light and
 * dark themes. NaN values are gaps: a bar is left out (its group keeps its slot), a line breaks. A chart
 * with nothing finite to show draws its frame, title and a centred "No data". Text uses cairo's toy font
 * API with the "sans-serif" family. */
#pragma once

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  FTC_CHART_BARS,
  FTC_CHART_LINES,
} FtcChartKind;

typedef enum {
  FTC_CHART_THEME_LIGHT,
  FTC_CHART_THEME_DARK,
} FtcChartTheme;

typedef enum {
  FTC_CHART_Y1,       /* the left axis */
  FTC_CHART_Y2,       /* the right axis (e.g. the learning rate) */
} FtcChartAxis;

/* Series colours: an index into the palette (0..6), or one of these neutral greys for baselines. */
#define FTC_CHART_COLOR_AUTO (-1)
#define FTC_CHART_COLOR_NEUTRAL (-2)        /* mid grey: e.g. the teacher */
#define FTC_CHART_COLOR_NEUTRAL_LIGHT (-3)  /* light grey: e.g. the random baseline */
#define FTC_CHART_PALETTE_SIZE 7

typedef struct FtcChart FtcChart;

/* Where render put things, for hit-testing in the GUI and for tests. Pixel coordinates of the cairo_t. */
typedef struct {
  double plot_x, plot_y, plot_w, plot_h;   /* the data area */
  double x_min, x_max;                     /* lines: the x range (data units, before any log) */
  double y_min, y_max;                     /* the left axis range */
  double y2_min, y2_max;                   /* the right axis range (lines with Y2 series) */
  gboolean log_x;
  gboolean empty;                          /* "No data" was drawn */
} FtcChartGeometry;

FtcChart *ftc_chart_new (FtcChartKind kind, const char *title);
void ftc_chart_free (FtcChart *chart);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcChart, ftc_chart_free)

FtcChartKind ftc_chart_get_kind (FtcChart *chart);
void ftc_chart_set_title (FtcChart *chart, const char *title);
void ftc_chart_set_x_label (FtcChart *chart, const char *label);
void ftc_chart_set_y_label (FtcChart *chart, const char *label);
void ftc_chart_set_y2_label (FtcChart *chart, const char *label);
/* Fixed left-axis range (NaN for automatic, the default). */
void ftc_chart_set_y_range (FtcChart *chart, double min, double max);
/* Lines: logarithmic x (points with x <= 0 are left out). */
void ftc_chart_set_log_x (FtcChart *chart, gboolean log_x);
/* Lines: put the x ticks at the distinct x values of the data (D = 1, 2, 4, 8) when there are at most 12. */
void ftc_chart_set_x_ticks_at_data (FtcChart *chart, gboolean at_data);
/* Bars: printf format of value labels with one floating-point conversion ("%.1f", "%.0f%%"); NULL: no
 * labels. Default "%.1f". */
void ftc_chart_set_value_format (FtcChart *chart, const char *format);
/* Draw no background (the widget's shows through); default FALSE. */
void ftc_chart_set_transparent (FtcChart *chart, gboolean transparent);

/* Bars: the categories along x (task names). Replaces earlier groups; series keep values per position. */
void ftc_chart_set_groups (FtcChart *chart, const char *const *groups, int n_groups);
/* Bars: a series with one value per group (NaN: no bar); lo and hi (may be NULL) are the error bar ends.
 * Returns the series index. */
int ftc_chart_add_bar_series (FtcChart *chart, const char *name, const double *values, const double *lo,
                              const double *hi);

/* Lines: a series of n points (x[i], y[i]); returns its index. More points come with
 * ftc_chart_series_append (live training curves). */
int ftc_chart_add_line_series (FtcChart *chart, const char *name, const double *x, const double *y, int n,
                               FtcChartAxis axis);
void ftc_chart_series_append (FtcChart *chart, int series, double x, double y);
/* Lines: a horizontal reference line at y on the left axis with a legend entry (dashed). */
int ftc_chart_add_reference_line (FtcChart *chart, const char *name, double y);

int ftc_chart_get_n_series (FtcChart *chart);
/* Removes every series (groups and labels stay): a view rebuilds its chart from its model this way. */
void ftc_chart_clear_series (FtcChart *chart);
void ftc_chart_series_set_color (FtcChart *chart, int series, int color);
void ftc_chart_series_set_dashed (FtcChart *chart, int series, gboolean dashed);
void ftc_chart_series_set_markers (FtcChart *chart, int series, gboolean markers);

/* Draws the chart into the rectangle (0, 0, width, height) of cr; geometry (may be NULL) gets the layout. */
void ftc_chart_render (FtcChart *chart, cairo_t *cr, double width, double height, FtcChartTheme theme,
                       FtcChartGeometry *geometry);
/* Writes PNG, SVG or PDF by the extension of path (case-insensitive), atomically. Sizes are pixels (PNG) or
 * points (SVG, PDF). */
gboolean ftc_chart_save (FtcChart *chart, const char *path, int width, int height, FtcChartTheme theme,
                         GError **error);

/* Bars: the rectangle (x, y, w, h) of a bar after render with geometry; FALSE when the bar is not drawn. */
gboolean ftc_chart_bar_rect (FtcChart *chart, const FtcChartGeometry *geometry, int group, int series,
                             double rect[4]);
/* What is under the pixel (x, y) after render with geometry (tooltips, clicks): bars: the bar containing
 * it (*index_out is the group); lines: the nearest data point within radius pixels (*index_out is the
 * point's position in its series). FALSE when nothing is there. */
gboolean ftc_chart_hit_test (FtcChart *chart, const FtcChartGeometry *geometry, double x, double y,
                             double radius, int *series_out, int *index_out);
/* The value of a point or bar, for a tooltip: bars: x is NaN. */
gboolean ftc_chart_get_point (FtcChart *chart, int series, int index, double *x, double *y);
const char *ftc_chart_series_get_name (FtcChart *chart, int series);

/* Data to pixel coordinates with a geometry from render. */
double ftc_chart_x_to_px (const FtcChartGeometry *geometry, double x);
double ftc_chart_y_to_px (const FtcChartGeometry *geometry, double y);

/* Nice tick values covering [min, max] with about target ticks (1, 2, 2.5 or 5 times a power of ten);
 * *step_out gets the spacing. Returns the count written (at most max). */
int ftc_chart_nice_ticks (double min, double max, int target, double *ticks, int max_ticks, double *step_out);

G_END_DECLS
