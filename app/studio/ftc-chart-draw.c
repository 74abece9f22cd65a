#include "app/studio/ftc-chart-draw.h"

#include <math.h>
#include <string.h>

#include <cairo-svg.h>
#include <glib/gi18n.h>

#include "app/studio/ftc-chart-series.h"
#include "core/ftc-error.h"

/* Okabe-Ito: distinguishable with every common colour-vision deficiency. */
static const double palette[][3] = {
  { 0.000, 0.447, 0.698 },  /* blue */
  { 0.902, 0.624, 0.000 },  /* orange */
  { 0.000, 0.620, 0.451 },  /* green */
  { 0.800, 0.475, 0.655 },  /* purple */
  { 0.337, 0.706, 0.914 },  /* sky */
  { 0.835, 0.369, 0.000 },  /* vermillion */
  { 0.941, 0.894, 0.259 },  /* yellow */
  { 0.500, 0.500, 0.500 },  /* grey */
};

void
ftc_chart_palette (int i, double rgb[3])
{
  int n = (int) G_N_ELEMENTS (palette);

  i = ((i % n) + n) % n;
  memcpy (rgb, palette[i], sizeof palette[i]);
}

void
ftc_chart_options_init (FtcChartOptions *opt, FtcChartKind kind)
{
  memset (opt, 0, sizeof *opt);
  opt->kind = kind;
  opt->y_min = NAN;
  opt->y_max = NAN;
}

/* A "nice" tick step (1, 2 or 5 times a power of ten) giving about n ticks over span. */
static double
nice_step (double span, int n)
{
  double raw = span / MAX (n, 1), mag, f;

  if (!(raw > 0) || !isfinite (raw))
    return 1;
  mag = pow (10, floor (log10 (raw)));
  f = raw / mag;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

static void
format_tick (char *buf, gsize len, double v, double step)
{
  if (fabs (v) < step * 1e-6)
    v = 0;
  if (step >= 1 && fabs (v) < 1e15)
    g_snprintf (buf, len, "%.0f", v);
  else
    {
      int decimals = (int) CLAMP (ceil (-log10 (step)), 0, 6);
      g_snprintf (buf, len, "%.*f", decimals, v);
    }
}

typedef struct {
  double fg[3], grid[3], bg[3];
} Colors;

static void
set_rgb (cairo_t *cr, const double c[3], double alpha)
{
  cairo_set_source_rgba (cr, c[0], c[1], c[2], alpha);
}

static void
text_at (cairo_t *cr, const char *text, double x, double y, double align_x, double align_y)
{
  cairo_text_extents_t ext;

  cairo_text_extents (cr, text, &ext);
  cairo_move_to (cr, x - ext.x_advance * align_x - ext.x_bearing * 0,
                 y - ext.y_bearing - ext.height * align_y);
  cairo_show_text (cr, text);
}

static void
draw_empty (cairo_t *cr, double w, double h, const Colors *c)
{
  set_rgb (cr, c->fg, 0.55);
  text_at (cr, _("No data yet"), w / 2, h / 2, 0.5, 0.5);
}

static gboolean
has_points (FtcChartSeries *s)
{
  guint np;

  ftc_chart_series_get_points (s, &np);
  return np > 0;
}

static void
draw_legend (cairo_t *cr, GListModel *series, double right, double top, const Colors *c)
{
  guint n = g_list_model_get_n_items (series), shown = 0;
  double max_w = 0, y = top;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FtcChartSeries) s = g_list_model_get_item (series, i);
      cairo_text_extents_t ext;
      if (!has_points (s))
        continue;
      cairo_text_extents (cr, ftc_chart_series_get_title (s), &ext);
      max_w = MAX (max_w, ext.x_advance);
      shown++;
    }
  if (shown == 0)
    return;
  set_rgb (cr, c->bg, 0.85);
  cairo_rectangle (cr, right - max_w - 34, top - 4, max_w + 30, shown * 16 + 6);
  cairo_fill (cr);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FtcChartSeries) s = g_list_model_get_item (series, i);
      double rgb[3];

      if (!has_points (s))
        continue;

      ftc_chart_palette (ftc_chart_series_get_color (s), rgb);
      set_rgb (cr, rgb, 1);
      if (ftc_chart_series_get_style (s) == FTC_CHART_SERIES_REFERENCE)
        {
          double dash[] = { 4, 3 };
          cairo_set_dash (cr, dash, 2, 0);
        }
      cairo_set_line_width (cr, 2.5);
      cairo_move_to (cr, right - max_w - 28, y + 6);
      cairo_line_to (cr, right - max_w - 12, y + 6);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      set_rgb (cr, c->fg, 0.9);
      text_at (cr, ftc_chart_series_get_title (s), right - max_w - 6, y + 6, 0, 0.5);
      y += 16;
    }
}

/* A one-line legend centred above the plot: bars would hide under a boxed one. */
static void
draw_legend_row (cairo_t *cr, GListModel *series, double width, double y, const Colors *c)
{
  guint n = g_list_model_get_n_items (series);
  double total = 0, x;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FtcChartSeries) s = g_list_model_get_item (series, i);
      cairo_text_extents_t ext;
      cairo_text_extents (cr, ftc_chart_series_get_title (s), &ext);
      total += 16 + ext.x_advance + 18;
    }
  x = MAX (8, (width - total) / 2);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FtcChartSeries) s = g_list_model_get_item (series, i);
      cairo_text_extents_t ext;
      double rgb[3];

      ftc_chart_palette (ftc_chart_series_get_color (s), rgb);
      set_rgb (cr, rgb, 1);
      cairo_rectangle (cr, x, y - 5, 11, 11);
      cairo_fill (cr);
      set_rgb (cr, c->fg, 0.9);
      text_at (cr, ftc_chart_series_get_title (s), x + 16, y, 0, 0.5);
      cairo_text_extents (cr, ftc_chart_series_get_title (s), &ext);
      x += 16 + ext.x_advance + 18;
    }
}

static void
draw_lines (cairo_t *cr, double w, double h, const FtcChartOptions *opt, GListModel *series, const Colors *c,
            double top)
{
  guint n = g_list_model_get_n_items (series);
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  double left = 58, right = w - 16, bottom = h - 44;
  double ystep, xstep;
  guint total = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FtcChartSeries) s = g_list_model_get_item (series, i);
      guint np;
      const FtcChartPoint *p = ftc_chart_series_get_points (s, &np);

      for (guint k = 0; k < np; k++)
        {
          double x = opt->x_log2 ? log2 (MAX (p[k].x, 1e-9)) : p[k].x;
          if (!isfinite (x) || !isfinite (p[k].y))
            continue;
          x0 = MIN (x0, x); x1 = MAX (x1, x);
          y0 = MIN (y0, p[k].y); y1 = MAX (y1, p[k].y);
          total++;
        }
    }
  if (total == 0)
    {
      draw_empty (cr, w, h, c);
      return;
    }
  if (!isnan (opt->y_min)) y0 = opt->y_min;
  if (!isnan (opt->y_max)) y1 = opt->y_max;
  if (y1 - y0 < 1e-9) { y0 -= 0.5; y1 += 0.5; }
  if (x1 - x0 < 1e-9) { x0 -= 0.5; x1 += 0.5; }
  ystep = nice_step (y1 - y0, 5);
  if (isnan (opt->y_min)) y0 = floor (y0 / ystep) * ystep;
  if (isnan (opt->y_max)) y1 = ceil (y1 / ystep) * ystep;
  xstep = opt->x_log2 ? 1 : nice_step (x1 - x0, 6);

#define PX(x) (left + ((x) - x0) / (x1 - x0) * (right - left))
#define PY(y) (bottom - ((y) - y0) / (y1 - y0) * (bottom - top))

  /* grid and y ticks */
  cairo_set_line_width (cr, 1);
  for (double v = y0; v <= y1 + ystep * 1e-6; v += ystep)
    {
      char buf[32];
      set_rgb (cr, c->grid, 1);
      cairo_move_to (cr, left, round (PY (v)) + 0.5);
      cairo_line_to (cr, right, round (PY (v)) + 0.5);
      cairo_stroke (cr);
      format_tick (buf, sizeof buf, v, ystep);
      set_rgb (cr, c->fg, 0.75);
      text_at (cr, buf, left - 6, PY (v), 1, 0.5);
    }
  for (double v = ceil (x0 / xstep) * xstep; v <= x1 + xstep * 1e-6; v += xstep)
    {
      char buf[32];
      if (opt->x_log2)
        g_snprintf (buf, sizeof buf, "%.0f", exp2 (v));
      else
        format_tick (buf, sizeof buf, v, xstep);
      set_rgb (cr, c->fg, 0.75);
      text_at (cr, buf, PX (v), bottom + 6, 0.5, 0);
      set_rgb (cr, c->grid, 1);
      cairo_move_to (cr, round (PX (v)) + 0.5, bottom);
      cairo_line_to (cr, round (PX (v)) + 0.5, bottom + 4);
      cairo_stroke (cr);
    }
  set_rgb (cr, c->fg, 0.6);
  cairo_move_to (cr, left, bottom + 0.5);
  cairo_line_to (cr, right, bottom + 0.5);
  cairo_stroke (cr);

  cairo_save (cr);
  cairo_rectangle (cr, left, top - 2, right - left, bottom - top + 4);
  cairo_clip (cr);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FtcChartSeries) s = g_list_model_get_item (series, i);
      guint np;
      const FtcChartPoint *p = ftc_chart_series_get_points (s, &np);
      double rgb[3];
      gboolean started = FALSE;

      ftc_chart_palette (ftc_chart_series_get_color (s), rgb);
      set_rgb (cr, rgb, 1);
      cairo_set_line_width (cr, 2);
      cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
      if (ftc_chart_series_get_style (s) == FTC_CHART_SERIES_REFERENCE)
        {
          double dash[] = { 6, 4 };
          cairo_set_dash (cr, dash, 2, 0);
        }
      for (guint k = 0; k < np; k++)
        {
          double x = opt->x_log2 ? log2 (MAX (p[k].x, 1e-9)) : p[k].x;
          if (!isfinite (x) || !isfinite (p[k].y))
            continue;
          if (started)
            cairo_line_to (cr, PX (x), PY (p[k].y));
          else
            cairo_move_to (cr, PX (x), PY (p[k].y));
          started = TRUE;
        }
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      if (np <= 40 && ftc_chart_series_get_style (s) == FTC_CHART_SERIES_LINE)
        for (guint k = 0; k < np; k++)
          {
            double x = opt->x_log2 ? log2 (MAX (p[k].x, 1e-9)) : p[k].x;
            if (!isfinite (x) || !isfinite (p[k].y))
              continue;
            cairo_arc (cr, PX (x), PY (p[k].y), 3.5, 0, 2 * G_PI);
            cairo_fill (cr);
          }
    }
  cairo_restore (cr);
#undef PX
#undef PY

  if (opt->x_label != NULL)
    {
      set_rgb (cr, c->fg, 0.8);
      text_at (cr, opt->x_label, (left + right) / 2, h - 18, 0.5, 0);
    }
  if (opt->y_label != NULL)
    {
      cairo_save (cr);
      cairo_translate (cr, 14, (top + bottom) / 2);
      cairo_rotate (cr, -G_PI / 2);
      set_rgb (cr, c->fg, 0.8);
      text_at (cr, opt->y_label, 0, 0, 0.5, 0.5);
      cairo_restore (cr);
    }
  draw_legend (cr, series, right - 4, top + 4, c);
}

static void
draw_bars (cairo_t *cr, double w, double h, const FtcChartOptions *opt, GListModel *series, const Colors *c,
           double top)
{
  guint n = g_list_model_get_n_items (series), n_cat = 0;
  double y0 = 0, y1 = -INFINITY, ystep;
  double left = 58, right = w - 16, bottom = h - 58;
  const char *const *labels = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FtcChartSeries) s = g_list_model_get_item (series, i);
      guint np;
      const FtcChartPoint *p = ftc_chart_series_get_points (s, &np);

      n_cat = MAX (n_cat, np);
      if (labels == NULL)
        labels = ftc_chart_series_get_labels (s);
      for (guint k = 0; k < np; k++)
        if (isfinite (p[k].y))
          y1 = MAX (y1, p[k].y);
    }
  if (n_cat == 0 || !isfinite (y1))
    {
      draw_empty (cr, w, h, c);
      return;
    }
  if (n > 1)
    {
      draw_legend_row (cr, series, w, top + 4, c);
      top += 22;
    }
  if (!isnan (opt->y_min)) y0 = opt->y_min;
  if (!isnan (opt->y_max)) y1 = opt->y_max;
  if (y1 - y0 < 1e-9) y1 = y0 + 1;
  ystep = nice_step (y1 - y0, 5);
  if (isnan (opt->y_max)) y1 = ceil (y1 / ystep) * ystep;

#define PY(y) (bottom - ((y) - y0) / (y1 - y0) * (bottom - top))
  cairo_set_line_width (cr, 1);
  for (double v = y0; v <= y1 + ystep * 1e-6; v += ystep)
    {
      char buf[32];
      set_rgb (cr, c->grid, 1);
      cairo_move_to (cr, left, round (PY (v)) + 0.5);
      cairo_line_to (cr, right, round (PY (v)) + 0.5);
      cairo_stroke (cr);
      format_tick (buf, sizeof buf, v, ystep);
      set_rgb (cr, c->fg, 0.75);
      text_at (cr, buf, left - 6, PY (v), 1, 0.5);
    }

  {
    double group_w = (right - left) / n_cat;
    double bar_w = MIN (48, group_w * 0.8 / MAX (n, 1));

    for (guint k = 0; k < n_cat; k++)
      {
        double gx = left + k * group_w + (group_w - bar_w * n) / 2;

        for (guint i = 0; i < n; i++)
          {
            g_autoptr (FtcChartSeries) s = g_list_model_get_item (series, i);
            guint np;
            const FtcChartPoint *p = ftc_chart_series_get_points (s, &np);
            double rgb[3], yv, bx = gx + i * bar_w;
            char buf[32];

            if (k >= np || !isfinite (p[k].y))
              continue;
            yv = CLAMP (p[k].y, y0, y1);
            ftc_chart_palette (ftc_chart_series_get_color (s), rgb);
            set_rgb (cr, rgb, 1);
            cairo_rectangle (cr, bx + 1, PY (yv), bar_w - 2, bottom - PY (yv));
            cairo_fill (cr);
            if (bar_w >= 22)
              {
                g_snprintf (buf, sizeof buf, "%.1f", p[k].y);
                cairo_save (cr);
                cairo_set_font_size (cr, 10);
                set_rgb (cr, c->fg, 0.85);
                text_at (cr, buf, bx + bar_w / 2, PY (yv) - 12, 0.5, 0);
                cairo_restore (cr);
              }
          }
        if (labels != NULL && k < g_strv_length ((char **) labels))
          {
            set_rgb (cr, c->fg, 0.8);
            cairo_save (cr);
            /* long labels of many groups would collide: tilt them */
            if (group_w < 90)
              {
                cairo_translate (cr, left + (k + 0.5) * group_w, bottom + 6);
                cairo_rotate (cr, -G_PI / 8);
                text_at (cr, labels[k], 0, 0, 0.9, 0);
              }
            else
              text_at (cr, labels[k], left + (k + 0.5) * group_w, bottom + 6, 0.5, 0);
            cairo_restore (cr);
          }
      }
  }
  set_rgb (cr, c->fg, 0.6);
  cairo_move_to (cr, left, bottom + 0.5);
  cairo_line_to (cr, right, bottom + 0.5);
  cairo_stroke (cr);
#undef PY
  if (opt->y_label != NULL)
    {
      cairo_save (cr);
      cairo_translate (cr, 14, (top + bottom) / 2);
      cairo_rotate (cr, -G_PI / 2);
      set_rgb (cr, c->fg, 0.8);
      text_at (cr, opt->y_label, 0, 0, 0.5, 0.5);
      cairo_restore (cr);
    }
}

void
ftc_chart_draw (cairo_t *cr, double width, double height, const FtcChartOptions *opt, GListModel *series)
{
  Colors c;
  double top = 16;

  if (opt->dark)
    c = (Colors) { { 0.93, 0.93, 0.93 }, { 0.30, 0.30, 0.32 }, { 0.14, 0.14, 0.15 } };
  else
    c = (Colors) { { 0.12, 0.12, 0.14 }, { 0.88, 0.88, 0.90 }, { 1.00, 1.00, 1.00 } };

  cairo_save (cr);
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 11.5);
  if (opt->title != NULL && *opt->title != '\0')
    {
      cairo_save (cr);
      cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
      cairo_set_font_size (cr, 13);
      set_rgb (cr, c.fg, 1);
      text_at (cr, opt->title, width / 2, 8, 0.5, 0);
      cairo_restore (cr);
      top = 36;
    }
  if (width > 120 && height > 100)
    {
      if (opt->kind == FTC_CHART_BARS)
        draw_bars (cr, width, height, opt, series, &c, top);
      else
        draw_lines (cr, width, height, opt, series, &c, top);
    }
  cairo_restore (cr);
}

gboolean
ftc_chart_export (const char *path, int width, int height, const FtcChartOptions *opt, GListModel *series,
                  GError **error)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;
  gboolean svg = g_str_has_suffix (path, ".svg") || g_str_has_suffix (path, ".SVG");

  if (svg)
    surface = cairo_svg_surface_create (path, width, height);
  else
    surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, opt->dark ? 0.14 : 1, opt->dark ? 0.14 : 1, opt->dark ? 0.15 : 1);
  cairo_paint (cr);
  ftc_chart_draw (cr, width, height, opt, series);
  cairo_destroy (cr);
  if (!svg)
    status = cairo_surface_write_to_png (surface, path);
  else
    {
      cairo_surface_finish (surface);
      status = cairo_surface_status (surface);
    }
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: %s", path, cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}
