#include "core/results/ftc-chart.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <glib/gstdio.h>

#include "core/ftc-error.h"

typedef struct {
  char *name;
  GArray *x;            /* double; bars: unused */
  GArray *y;            /* double; bars: one per group */
  GArray *lo, *hi;      /* double; bars: error bar ends (NaN: none) */
  FtcChartAxis axis;
  int color;            /* palette index or FTC_CHART_COLOR_* */
  gboolean dashed;
  int markers;          /* -1: automatic (few points) */
  gboolean reference;   /* a horizontal reference line at y[0] */
} Series;

struct FtcChart {
  FtcChartKind kind;
  char *title, *x_label, *y_label, *y2_label;
  double y_min, y_max;
  gboolean log_x, x_ticks_at_data, transparent;
  char *value_format;
  GPtrArray *groups;    /* char* */
  GPtrArray *series;    /* Series* */
};

/* ---- colours ---------------------------------------------------------------------------------- */

typedef struct { double r, g, b; } Rgb;

/* Okabe & Ito (2008), without black: blue, orange, bluish green, vermillion, sky blue, reddish purple,
 * yellow; distinguishable with the common colour-vision deficiencies */
static const Rgb palette[FTC_CHART_PALETTE_SIZE] = {
  { 0x00 / 255.0, 0x72 / 255.0, 0xB2 / 255.0 },
  { 0xE6 / 255.0, 0x9F / 255.0, 0x00 / 255.0 },
  { 0x00 / 255.0, 0x9E / 255.0, 0x73 / 255.0 },
  { 0xD5 / 255.0, 0x5E / 255.0, 0x00 / 255.0 },
  { 0x56 / 255.0, 0xB4 / 255.0, 0xE9 / 255.0 },
  { 0xCC / 255.0, 0x79 / 255.0, 0xA7 / 255.0 },
  { 0xF0 / 255.0, 0xE4 / 255.0, 0x42 / 255.0 },
};

typedef struct {
  Rgb background, text, muted, grid, axis, neutral, neutral_light;
} Theme;

static const Theme themes[] = {
  [FTC_CHART_THEME_LIGHT] = {
    { 1.0, 1.0, 1.0 }, { 0.13, 0.13, 0.13 }, { 0.40, 0.40, 0.40 }, { 0.90, 0.90, 0.90 },
    { 0.55, 0.55, 0.55 }, { 0.45, 0.45, 0.45 }, { 0.75, 0.75, 0.75 } },
  [FTC_CHART_THEME_DARK] = {
    { 0.14, 0.14, 0.14 }, { 0.93, 0.93, 0.93 }, { 0.68, 0.68, 0.68 }, { 0.25, 0.25, 0.25 },
    { 0.55, 0.55, 0.55 }, { 0.70, 0.70, 0.70 }, { 0.42, 0.42, 0.42 } },
};

static Rgb
series_rgb (const Theme *theme, const Series *s, int index)
{
  if (s->color == FTC_CHART_COLOR_NEUTRAL)
    return theme->neutral;
  if (s->color == FTC_CHART_COLOR_NEUTRAL_LIGHT)
    return theme->neutral_light;
  if (s->color >= 0)
    return palette[s->color % FTC_CHART_PALETTE_SIZE];
  return palette[index % FTC_CHART_PALETTE_SIZE];
}

static void
set_rgb (cairo_t *cr, Rgb c, double alpha)
{
  cairo_set_source_rgba (cr, c.r, c.g, c.b, alpha);
}

/* ---- the object ------------------------------------------------------------------------------- */

static void
series_free (Series *s)
{
  g_free (s->name);
  g_array_unref (s->x);
  g_array_unref (s->y);
  g_array_unref (s->lo);
  g_array_unref (s->hi);
  g_free (s);
}

static Series *
series_new (const char *name)
{
  Series *s = g_new0 (Series, 1);

  s->name = g_strdup (name != NULL ? name : "");
  s->x = g_array_new (FALSE, FALSE, sizeof (double));
  s->y = g_array_new (FALSE, FALSE, sizeof (double));
  s->lo = g_array_new (FALSE, FALSE, sizeof (double));
  s->hi = g_array_new (FALSE, FALSE, sizeof (double));
  s->color = FTC_CHART_COLOR_AUTO;
  s->markers = -1;
  return s;
}

FtcChart *
ftc_chart_new (FtcChartKind kind, const char *title)
{
  FtcChart *chart = g_new0 (FtcChart, 1);

  chart->kind = kind;
  chart->title = g_strdup (title);
  chart->y_min = chart->y_max = NAN;
  chart->value_format = g_strdup ("%.1f");
  chart->groups = g_ptr_array_new_with_free_func (g_free);
  chart->series = g_ptr_array_new_with_free_func ((GDestroyNotify) series_free);
  return chart;
}

void
ftc_chart_free (FtcChart *chart)
{
  if (chart == NULL)
    return;
  g_free (chart->title);
  g_free (chart->x_label);
  g_free (chart->y_label);
  g_free (chart->y2_label);
  g_free (chart->value_format);
  g_ptr_array_unref (chart->groups);
  g_ptr_array_unref (chart->series);
  g_free (chart);
}

FtcChartKind
ftc_chart_get_kind (FtcChart *chart)
{
  return chart->kind;
}

static void
replace (char **slot, const char *value)
{
  g_free (*slot);
  *slot = g_strdup (value);
}

void ftc_chart_set_title (FtcChart *chart, const char *title) { replace (&chart->title, title); }
void ftc_chart_set_x_label (FtcChart *chart, const char *label) { replace (&chart->x_label, label); }
void ftc_chart_set_y_label (FtcChart *chart, const char *label) { replace (&chart->y_label, label); }
void ftc_chart_set_y2_label (FtcChart *chart, const char *label) { replace (&chart->y2_label, label); }
/* exactly one conversion, of a double: "%.1f", "%g%%" */
static gboolean
valid_value_format (const char *format)
{
  int conversions = 0;

  for (const char *p = format; *p != '\0'; p++)
    {
      if (*p != '%')
        continue;
      if (p[1] == '%')
        {
          p++;
          continue;
        }
      p++;
      while (*p != '\0' && strchr ("0123456789.-+ #", *p) != NULL)
        p++;
      if (*p == '\0' || strchr ("fFgGeE", *p) == NULL)
        return FALSE;
      conversions++;
    }
  return conversions == 1;
}

void
ftc_chart_set_value_format (FtcChart *chart, const char *format)
{
  g_return_if_fail (format == NULL || valid_value_format (format));
  replace (&chart->value_format, format);
}
void ftc_chart_set_log_x (FtcChart *chart, gboolean log_x) { chart->log_x = log_x; }
void ftc_chart_set_x_ticks_at_data (FtcChart *chart, gboolean at_data) { chart->x_ticks_at_data = at_data; }
void ftc_chart_set_transparent (FtcChart *chart, gboolean transparent) { chart->transparent = transparent; }

void
ftc_chart_set_y_range (FtcChart *chart, double min, double max)
{
  chart->y_min = min;
  chart->y_max = max;
}

void
ftc_chart_set_groups (FtcChart *chart, const char *const *groups, int n_groups)
{
  g_ptr_array_set_size (chart->groups, 0);
  for (int i = 0; i < n_groups; i++)
    g_ptr_array_add (chart->groups, g_strdup (groups[i] != NULL ? groups[i] : ""));
}

int
ftc_chart_add_bar_series (FtcChart *chart, const char *name, const double *values, const double *lo,
                          const double *hi)
{
  Series *s = series_new (name);
  const double nan = NAN;

  for (guint i = 0; i < chart->groups->len; i++)
    {
      double v = values != NULL ? values[i] : nan;
      double l = lo != NULL ? lo[i] : nan;
      double h = hi != NULL ? hi[i] : nan;
      g_array_append_val (s->y, v);
      g_array_append_val (s->lo, l);
      g_array_append_val (s->hi, h);
    }
  g_ptr_array_add (chart->series, s);
  return chart->series->len - 1;
}

int
ftc_chart_add_line_series (FtcChart *chart, const char *name, const double *x, const double *y, int n,
                           FtcChartAxis axis)
{
  Series *s = series_new (name);

  s->axis = axis;
  if (n > 0 && x != NULL && y != NULL)
    {
      g_array_append_vals (s->x, x, n);
      g_array_append_vals (s->y, y, n);
    }
  g_ptr_array_add (chart->series, s);
  return chart->series->len - 1;
}

void
ftc_chart_series_append (FtcChart *chart, int series, double x, double y)
{
  Series *s;

  g_return_if_fail (series >= 0 && (guint) series < chart->series->len);
  s = g_ptr_array_index (chart->series, series);
  g_array_append_val (s->x, x);
  g_array_append_val (s->y, y);
}

int
ftc_chart_add_reference_line (FtcChart *chart, const char *name, double y)
{
  Series *s = series_new (name);

  s->reference = TRUE;
  s->dashed = TRUE;
  s->color = FTC_CHART_COLOR_NEUTRAL;
  g_array_append_val (s->y, y);
  g_ptr_array_add (chart->series, s);
  return chart->series->len - 1;
}

int
ftc_chart_get_n_series (FtcChart *chart)
{
  return chart->series->len;
}

void
ftc_chart_clear_series (FtcChart *chart)
{
  g_ptr_array_set_size (chart->series, 0);
}

static Series *
get_series (FtcChart *chart, int series)
{
  g_return_val_if_fail (series >= 0 && (guint) series < chart->series->len, NULL);
  return g_ptr_array_index (chart->series, series);
}

void
ftc_chart_series_set_color (FtcChart *chart, int series, int color)
{
  Series *s = get_series (chart, series);
  if (s != NULL)
    s->color = color;
}

void
ftc_chart_series_set_dashed (FtcChart *chart, int series, gboolean dashed)
{
  Series *s = get_series (chart, series);
  if (s != NULL)
    s->dashed = dashed;
}

void
ftc_chart_series_set_markers (FtcChart *chart, int series, gboolean markers)
{
  Series *s = get_series (chart, series);
  if (s != NULL)
    s->markers = markers ? 1 : 0;
}

/* ---- ticks ------------------------------------------------------------------------------------ */

static double
nice_step (double range, int target)
{
  double raw = range / MAX (target, 1);
  double magnitude = pow (10.0, floor (log10 (raw)));
  double f = raw / magnitude;

  if (f <= 1.0)
    f = 1.0;
  else if (f <= 2.0)
    f = 2.0;
  else if (f <= 2.5)
    f = 2.5;
  else if (f <= 5.0)
    f = 5.0;
  else
    f = 10.0;
  return f * magnitude;
}

int
ftc_chart_nice_ticks (double min, double max, int target, double *ticks, int max_ticks, double *step_out)
{
  double step, first;
  int n = 0;

  if (!isfinite (min) || !isfinite (max) || max_ticks <= 0)
    return 0;
  if (max <= min)
    {
      ticks[0] = min;
      if (step_out != NULL)
        *step_out = 1.0;
      return 1;
    }
  step = nice_step (max - min, target);
  first = ceil (min / step - 1e-9) * step;
  for (double v = first; v <= max + step * 1e-9 && n < max_ticks; v = first + n * step)
    ticks[n++] = fabs (v) < step * 1e-9 ? 0.0 : v;
  if (step_out != NULL)
    *step_out = step;
  return n;
}

/* [lo, hi] widened outwards to multiples of a nice step */
static void
nice_range (double *lo, double *hi, int target)
{
  double step;

  if (*hi <= *lo)
    {
      double pad = *lo == 0.0 ? 1.0 : fabs (*lo) * 0.1;
      *lo -= pad;
      *hi += pad;
    }
  step = nice_step (*hi - *lo, target);
  *lo = floor (*lo / step + 1e-9) * step;
  *hi = ceil (*hi / step - 1e-9) * step;
}

static void
format_tick (double v, double step, char *buf, gsize len)
{
  double a = fabs (v);

  if (v == 0.0)
    g_strlcpy (buf, "0", len);
  else if (a >= 1e6 || a < 1e-3 || step < 1e-3)
    {
      /* "3e-04" style: mantissa digits from the step */
      g_snprintf (buf, len, "%.2g", v);
    }
  else
    {
      int decimals = step >= 1.0 ? 0 : (int) ceil (-log10 (step) - 1e-9);
      if (fabs (step * pow (10, decimals) - round (step * pow (10, decimals))) > 1e-6)
        decimals++;   /* 2.5 steps */
      g_snprintf (buf, len, "%.*f", CLAMP (decimals, 0, 8), v);
    }
}

static void
format_compact (double v, char *buf, gsize len)
{
  if (fabs (v) >= 1e6 && fmod (v, 1e5) == 0)
    g_snprintf (buf, len, "%gM", v / 1e6);
  else if (fabs (v) >= 1e4 && fmod (v, 100) == 0)
    g_snprintf (buf, len, "%gk", v / 1e3);
  else
    g_snprintf (buf, len, "%g", v);
}

/* ---- text ------------------------------------------------------------------------------------- */

static void
font (cairo_t *cr, double size, gboolean bold)
{
  cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                          bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, size);
}

static double
text_width (cairo_t *cr, const char *text)
{
  cairo_text_extents_t e;

  cairo_text_extents (cr, text, &e);
  return e.x_advance;
}

/* Draws text with its anchor at (x, y): ax 0 left, 0.5 centre, 1 right; ay 0 top, 0.5 middle, 1 bottom. */
static void
draw_text (cairo_t *cr, const char *text, double x, double y, double ax, double ay)
{
  cairo_font_extents_t fe;
  double w = text_width (cr, text);

  cairo_font_extents (cr, &fe);
  cairo_move_to (cr, x - ax * w, y - ay * (fe.ascent + fe.descent) + fe.ascent);
  cairo_show_text (cr, text);
}

static double
line_height (cairo_t *cr)
{
  cairo_font_extents_t fe;

  cairo_font_extents (cr, &fe);
  return fe.ascent + fe.descent;
}

/* text shortened with an ellipsis to fit width (whole UTF-8 characters) */
static char *
ellipsize (cairo_t *cr, const char *text, double width)
{
  glong n = g_utf8_strlen (text, -1);

  if (text_width (cr, text) <= width)
    return g_strdup (text);
  for (glong keep = n - 1; keep > 0; keep--)
    {
      g_autofree char *head = g_utf8_substring (text, 0, keep);
      char *candidate = g_strconcat (head, "…", NULL);
      if (text_width (cr, candidate) <= width)
        return candidate;
      g_free (candidate);
    }
  return g_strdup ("");
}

/* Splits text at a space into two lines that each fit width; FALSE when no split fits. */
static gboolean
wrap_two (cairo_t *cr, const char *text, double width, char **first, char **second)
{
  gboolean found = FALSE;

  /* the split that makes the longer line shortest */
  double best = INFINITY;
  for (const char *p = strchr (text, ' '); p != NULL; p = strchr (p + 1, ' '))
    {
      g_autofree char *a = g_strndup (text, p - text);
      const char *b = p + 1;
      double w = MAX (text_width (cr, a), text_width (cr, b));
      if (w <= width && w < best)
        {
          best = w;
          g_free (*first);
          g_free (*second);
          *first = g_steal_pointer (&a);
          *second = g_strdup (b);
          found = TRUE;
        }
    }
  return found;
}

/* ---- layout ----------------------------------------------------------------------------------- */

typedef struct {
  cairo_t *cr;
  const Theme *theme;
  double s;                 /* scale: 1 at 640 x 400 */
  double width, height;
  FtcChartGeometry *g;
  double y_ticks[32], y2_ticks[32], x_ticks[64];
  int n_y_ticks, n_y2_ticks, n_x_ticks;
  double y_step, y2_step, x_step;
  gboolean has_y2;
  double y_label_x;         /* where the left axis label goes (left of the tick labels) */
  gboolean wrapped_groups;  /* bars: group labels too wide for their slot, on two lines */
  gboolean slanted_groups;  /* bars: too wide even so (many groups), drawn at an angle */
  double slant_length;      /* the longest slanted label */
} Ctx;

#define SLANT (G_PI / 6)

static gboolean
point_ok (const FtcChart *chart, double x, double y)
{
  return isfinite (x) && isfinite (y) && (!chart->log_x || x > 0.0);
}

static gboolean
has_data (const FtcChart *chart)
{
  for (guint i = 0; i < chart->series->len; i++)
    {
      const Series *s = g_ptr_array_index (chart->series, i);
      if (chart->kind == FTC_CHART_BARS)
        {
          for (guint j = 0; j < s->y->len && j < chart->groups->len; j++)
            if (isfinite (g_array_index (s->y, double, j)))
              return TRUE;
        }
      else if (s->reference)
        {
          if (isfinite (g_array_index (s->y, double, 0)))
            return TRUE;
        }
      else
        for (guint j = 0; j < s->y->len; j++)
          if (point_ok (chart, g_array_index (s->x, double, j), g_array_index (s->y, double, j)))
            return TRUE;
    }
  return FALSE;
}

static double
x_transform (const FtcChartGeometry *g, double x)
{
  return g->log_x ? log10 (x) : x;
}

double
ftc_chart_x_to_px (const FtcChartGeometry *g, double x)
{
  double a = x_transform (g, g->x_min), b = x_transform (g, g->x_max);
  return g->plot_x + (x_transform (g, x) - a) / (b - a) * g->plot_w;
}

double
ftc_chart_y_to_px (const FtcChartGeometry *g, double y)
{
  return g->plot_y + g->plot_h - (y - g->y_min) / (g->y_max - g->y_min) * g->plot_h;
}

static double
y2_to_px (const FtcChartGeometry *g, double y)
{
  return g->plot_y + g->plot_h - (y - g->y2_min) / (g->y2_max - g->y2_min) * g->plot_h;
}

static void
compute_ranges (FtcChart *chart, Ctx *c)
{
  FtcChartGeometry *g = c->g;
  double ylo = INFINITY, yhi = -INFINITY, y2lo = INFINITY, y2hi = -INFINITY;
  double xlo = INFINITY, xhi = -INFINITY;

  for (guint i = 0; i < chart->series->len; i++)
    {
      const Series *s = g_ptr_array_index (chart->series, i);
      if (chart->kind == FTC_CHART_BARS)
        for (guint j = 0; j < s->y->len; j++)
          {
            double v = g_array_index (s->y, double, j);
            double lo = g_array_index (s->lo, double, j), hi = g_array_index (s->hi, double, j);
            if (!isfinite (v))
              continue;
            ylo = MIN (ylo, MIN (v, isfinite (lo) ? lo : v));
            yhi = MAX (yhi, MAX (v, isfinite (hi) ? hi : v));
          }
      else if (s->reference)
        {
          double v = g_array_index (s->y, double, 0);
          if (isfinite (v))
            {
              ylo = MIN (ylo, v);
              yhi = MAX (yhi, v);
            }
        }
      else
        for (guint j = 0; j < s->y->len; j++)
          {
            double x = g_array_index (s->x, double, j), y = g_array_index (s->y, double, j);
            if (!point_ok (chart, x, y))
              continue;
            xlo = MIN (xlo, x);
            xhi = MAX (xhi, x);
            if (s->axis == FTC_CHART_Y2)
              {
                y2lo = MIN (y2lo, y);
                y2hi = MAX (y2hi, y);
                c->has_y2 = TRUE;
              }
            else
              {
                ylo = MIN (ylo, y);
                yhi = MAX (yhi, y);
              }
          }
    }

  /* left axis */
  if (isfinite (chart->y_min) && isfinite (chart->y_max) && chart->y_max > chart->y_min)
    {
      g->y_min = chart->y_min;
      g->y_max = chart->y_max;
    }
  else
    {
      if (!isfinite (ylo))
        ylo = 0.0, yhi = 1.0;
      if (chart->kind == FTC_CHART_BARS)
        {
          /* bars grow from zero; headroom for the value labels */
          ylo = MIN (ylo, 0.0);
          yhi = MAX (yhi, 0.0);
          yhi += (yhi - ylo) * 0.08;
        }
      nice_range (&ylo, &yhi, 5);
      g->y_min = ylo;
      g->y_max = yhi;
    }
  c->n_y_ticks = ftc_chart_nice_ticks (g->y_min, g->y_max, 5, c->y_ticks, 32, &c->y_step);

  if (c->has_y2)
    {
      if (y2lo > 0)
        y2lo = 0.0;   /* the learning rate reads best from zero (a constant one too) */
      y2hi += (y2hi - y2lo) * 0.05;   /* off the frame */
      nice_range (&y2lo, &y2hi, 5);
      g->y2_min = y2lo;
      g->y2_max = y2hi;
      c->n_y2_ticks = ftc_chart_nice_ticks (y2lo, y2hi, 5, c->y2_ticks, 32, &c->y2_step);
    }

  if (chart->kind == FTC_CHART_LINES)
    {
      g->log_x = chart->log_x;
      if (!isfinite (xlo))
        xlo = chart->log_x ? 1.0 : 0.0, xhi = chart->log_x ? 10.0 : 1.0;
      if (xhi <= xlo)
        {
          if (chart->log_x)
            xlo /= 2, xhi *= 2;
          else
            xlo -= 0.5, xhi += 0.5;
        }
      g->x_min = xlo;
      g->x_max = xhi;
    }
}

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static void
compute_x_ticks (FtcChart *chart, Ctx *c)
{
  FtcChartGeometry *g = c->g;

  c->n_x_ticks = 0;
  if (chart->x_ticks_at_data)
    {
      g_autoptr (GArray) xs = g_array_new (FALSE, FALSE, sizeof (double));
      for (guint i = 0; i < chart->series->len; i++)
        {
          const Series *s = g_ptr_array_index (chart->series, i);
          if (s->reference)
            continue;
          for (guint j = 0; j < s->x->len; j++)
            if (point_ok (chart, g_array_index (s->x, double, j), g_array_index (s->y, double, j)))
              g_array_append_val (xs, g_array_index (s->x, double, j));
        }
      g_array_sort (xs, compare_double);
      for (guint j = 0; j < xs->len && c->n_x_ticks <= 12; j++)
        if (c->n_x_ticks == 0 || g_array_index (xs, double, j) != c->x_ticks[c->n_x_ticks - 1])
          c->x_ticks[c->n_x_ticks++] = g_array_index (xs, double, j);
      if (c->n_x_ticks > 12)
        c->n_x_ticks = 0;
    }
  if (c->n_x_ticks == 0 && g->log_x)
    {
      int d0 = (int) floor (log10 (g->x_min)), d1 = (int) ceil (log10 (g->x_max));
      const double mult[] = { 1, 2, 5 };
      gboolean only_decades = d1 - d0 > 3;

      for (int d = d0; d <= d1; d++)
        for (int m = 0; m < (only_decades ? 1 : 3); m++)
          {
            double v = mult[m] * pow (10.0, d);
            if (v >= g->x_min * (1 - 1e-9) && v <= g->x_max * (1 + 1e-9) && c->n_x_ticks < 64)
              c->x_ticks[c->n_x_ticks++] = v;
          }
      if (c->n_x_ticks < 2)
        {
          c->n_x_ticks = 0;
          c->x_ticks[c->n_x_ticks++] = g->x_min;
          c->x_ticks[c->n_x_ticks++] = g->x_max;
        }
    }
  else if (c->n_x_ticks == 0)
    {
      gboolean integral = TRUE;
      for (guint i = 0; i < chart->series->len && integral; i++)
        {
          const Series *s = g_ptr_array_index (chart->series, i);
          for (guint j = 0; j < s->x->len && integral; j++)
            integral = g_array_index (s->x, double, j) == floor (g_array_index (s->x, double, j));
        }
      c->n_x_ticks = ftc_chart_nice_ticks (g->x_min, g->x_max, MAX (3, (int) (g->plot_w / (70 * c->s))),
                                           c->x_ticks, 64, &c->x_step);
      if (integral && c->x_step < 1.0)
        {
          /* steps, epochs, counts: whole-number ticks only */
          c->n_x_ticks = 0;
          c->x_step = 1.0;
          for (double v = ceil (g->x_min); v <= g->x_max && c->n_x_ticks < 64; v += 1.0)
            c->x_ticks[c->n_x_ticks++] = v;
        }
    }
}

typedef struct {
  const Series *series;
  int index;
  double width;
} LegendEntry;

static void
draw_swatch (FtcChart *chart, Ctx *c, const Series *s, int index, double x, double y, double size)
{
  cairo_t *cr = c->cr;
  Rgb rgb = series_rgb (c->theme, s, index);

  if (chart->kind == FTC_CHART_BARS)
    {
      set_rgb (cr, rgb, 1.0);
      cairo_rectangle (cr, x, y - size / 2, size, size);
      cairo_fill (cr);
      return;
    }
  set_rgb (cr, rgb, 1.0);
  cairo_set_line_width (cr, 2.0 * c->s);
  if (s->dashed)
    {
      double dash[] = { 4 * c->s, 3 * c->s };
      cairo_set_dash (cr, dash, 2, 0);
    }
  cairo_move_to (cr, x, y);
  cairo_line_to (cr, x + size * 1.6, y);
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
}

/* Lays out (and with draw, draws) the legend in rows centred in [x0, x0 + width] from y; returns its height. */
static double
legend (FtcChart *chart, Ctx *c, double x0, double y, double width, gboolean draw)
{
  cairo_t *cr = c->cr;
  double size = 10 * c->s, gap = 14 * c->s, swatch_w, row_h, total = 0;
  g_autoptr (GArray) entries = g_array_new (FALSE, FALSE, sizeof (LegendEntry));
  guint start = 0;

  if (chart->series->len == 0)
    return 0;
  font (cr, 10.5 * c->s, FALSE);
  swatch_w = chart->kind == FTC_CHART_BARS ? size : size * 1.6;
  row_h = MAX (line_height (cr), size) + 4 * c->s;
  for (guint i = 0; i < chart->series->len; i++)
    {
      LegendEntry e = { g_ptr_array_index (chart->series, i), i, 0 };
      if (e.series->name[0] == '\0')
        continue;
      e.width = swatch_w + 5 * c->s + MIN (text_width (cr, e.series->name), width * 0.5);
      g_array_append_val (entries, e);
    }
  if (entries->len == 0)
    return 0;
  while (start < entries->len)
    {
      double row_w = 0;
      guint end = start;
      while (end < entries->len)
        {
          double w = g_array_index (entries, LegendEntry, end).width + (end > start ? gap : 0);
          if (end > start && row_w + w > width)
            break;
          row_w += w;
          end++;
        }
      if (draw)
        {
          double x = x0 + (width - row_w) / 2, cy = y + total + row_h / 2;
          for (guint i = start; i < end; i++)
            {
              LegendEntry *e = &g_array_index (entries, LegendEntry, i);
              g_autofree char *label = NULL;
              draw_swatch (chart, c, e->series, e->index, x, cy, size);
              font (cr, 10.5 * c->s, FALSE);
              set_rgb (cr, c->theme->text, 1.0);
              label = ellipsize (cr, e->series->name, width * 0.5);
              draw_text (cr, label, x + swatch_w + 5 * c->s, cy, 0, 0.5);
              x += e->width + gap;
            }
        }
      total += row_h;
      start = end;
    }
  return total;
}

static void
draw_no_data (FtcChart *chart, Ctx *c)
{
  cairo_t *cr = c->cr;
  FtcChartGeometry *g = c->g;
  double dash[] = { 5 * c->s, 4 * c->s };

  set_rgb (cr, c->theme->axis, 1.0);
  cairo_set_line_width (cr, 1.0 * c->s);
  cairo_set_dash (cr, dash, 2, 0);
  cairo_rectangle (cr, g->plot_x + 0.5, g->plot_y + 0.5, g->plot_w - 1, g->plot_h - 1);
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
  font (cr, 14 * c->s, FALSE);
  set_rgb (cr, c->theme->muted, 1.0);
  draw_text (cr, "No data", g->plot_x + g->plot_w / 2, g->plot_y + g->plot_h / 2, 0.5, 0.5);
}

static void
draw_y_axis (FtcChart *chart, Ctx *c)
{
  cairo_t *cr = c->cr;
  FtcChartGeometry *g = c->g;
  char buf[64];

  cairo_set_line_width (cr, 1.0);
  for (int i = 0; i < c->n_y_ticks; i++)
    {
      double py = round (ftc_chart_y_to_px (g, c->y_ticks[i])) + 0.5;
      set_rgb (cr, c->theme->grid, 1.0);
      cairo_move_to (cr, g->plot_x, py);
      cairo_line_to (cr, g->plot_x + g->plot_w, py);
      cairo_stroke (cr);
      font (cr, 10 * c->s, FALSE);
      set_rgb (cr, c->theme->muted, 1.0);
      format_tick (c->y_ticks[i], c->y_step, buf, sizeof buf);
      draw_text (cr, buf, g->plot_x - 5 * c->s, py, 1.0, 0.5);
    }
  if (c->has_y2)
    for (int i = 0; i < c->n_y2_ticks; i++)
      {
        double py = round (y2_to_px (g, c->y2_ticks[i])) + 0.5;
        font (cr, 10 * c->s, FALSE);
        set_rgb (cr, c->theme->muted, 1.0);
        format_tick (c->y2_ticks[i], c->y2_step, buf, sizeof buf);
        draw_text (cr, buf, g->plot_x + g->plot_w + 5 * c->s, py, 0.0, 0.5);
      }
}

static void
draw_axis_lines (Ctx *c)
{
  cairo_t *cr = c->cr;
  FtcChartGeometry *g = c->g;
  double bottom = round (g->plot_y + g->plot_h) + 0.5, left = round (g->plot_x) + 0.5;

  set_rgb (cr, c->theme->axis, 1.0);
  cairo_set_line_width (cr, 1.0);
  cairo_move_to (cr, left, g->plot_y);
  cairo_line_to (cr, left, bottom);
  cairo_line_to (cr, g->plot_x + g->plot_w, bottom);
  if (c->has_y2)
    {
      double right = round (g->plot_x + g->plot_w) + 0.5;
      cairo_move_to (cr, right, g->plot_y);
      cairo_line_to (cr, right, bottom);
    }
  cairo_stroke (cr);
}

static void
bar_slot (FtcChart *chart, const FtcChartGeometry *g, int group, int series, double *x, double *w)
{
  int n_groups = MAX (1, (int) chart->groups->len), n_series = MAX (1, (int) chart->series->len);
  double group_w = g->plot_w / n_groups;
  double inner = group_w * 0.82;
  double slot = inner / n_series;

  *x = g->plot_x + group * group_w + (group_w - inner) / 2 + series * slot + slot * 0.06;
  *w = slot * 0.88;
}

gboolean
ftc_chart_bar_rect (FtcChart *chart, const FtcChartGeometry *g, int group, int series, double rect[4])
{
  const Series *s;
  double v, x, w, y0, y1, base;

  if (chart->kind != FTC_CHART_BARS || g->empty || group < 0 || (guint) group >= chart->groups->len
      || series < 0 || (guint) series >= chart->series->len)
    return FALSE;
  s = g_ptr_array_index (chart->series, series);
  /* groups set again after the series: positions past the series' values are missing */
  if ((guint) group >= s->y->len)
    return FALSE;
  v = g_array_index (s->y, double, group);
  if (!isfinite (v))
    return FALSE;
  bar_slot (chart, g, group, series, &x, &w);
  base = CLAMP (0.0, g->y_min, g->y_max);
  y0 = ftc_chart_y_to_px (g, base);
  y1 = ftc_chart_y_to_px (g, CLAMP (v, g->y_min, g->y_max));
  rect[0] = x;
  rect[1] = MIN (y0, y1);
  rect[2] = w;
  rect[3] = fabs (y0 - y1);
  return TRUE;
}

static void
draw_bars (FtcChart *chart, Ctx *c)
{
  cairo_t *cr = c->cr;
  FtcChartGeometry *g = c->g;
  double group_w = g->plot_w / MAX (1, (int) chart->groups->len);

  /* bars, then error bars, then labels, so labels sit on top of neighbours' error bars */
  for (guint si = 0; si < chart->series->len; si++)
    {
      const Series *s = g_ptr_array_index (chart->series, si);
      for (guint gi = 0; gi < chart->groups->len; gi++)
        {
          double r[4];
          if (!ftc_chart_bar_rect (chart, g, gi, si, r))
            continue;
          set_rgb (cr, series_rgb (c->theme, s, si), 1.0);
          cairo_rectangle (cr, r[0], r[1], r[2], MAX (r[3], 0.5));
          cairo_fill (cr);
        }
    }
  cairo_save (cr);
  cairo_rectangle (cr, g->plot_x, g->plot_y, g->plot_w, g->plot_h);
  cairo_clip (cr);
  for (guint si = 0; si < chart->series->len; si++)
    {
      const Series *s = g_ptr_array_index (chart->series, si);
      for (guint gi = 0; gi < chart->groups->len; gi++)
        {
          double r[4], lo, hi;
          double cx, cap;
          /* a series may hold fewer values than there are groups: no interval past its last */
          if (gi >= s->lo->len || gi >= s->hi->len || !ftc_chart_bar_rect (chart, g, gi, si, r))
            continue;
          lo = g_array_index (s->lo, double, gi);
          hi = g_array_index (s->hi, double, gi);
          if (!isfinite (lo) || !isfinite (hi))
            continue;
          cx = round (r[0] + r[2] / 2) + 0.5;
          cap = MIN (r[2] * 0.25, 5 * c->s);
          set_rgb (cr, c->theme->text, 0.75);
          cairo_set_line_width (cr, 1.0 * MAX (1.0, c->s));
          cairo_move_to (cr, cx, ftc_chart_y_to_px (g, lo));
          cairo_line_to (cr, cx, ftc_chart_y_to_px (g, hi));
          cairo_move_to (cr, cx - cap, round (ftc_chart_y_to_px (g, lo)) + 0.5);
          cairo_line_to (cr, cx + cap, round (ftc_chart_y_to_px (g, lo)) + 0.5);
          cairo_move_to (cr, cx - cap, round (ftc_chart_y_to_px (g, hi)) + 0.5);
          cairo_line_to (cr, cx + cap, round (ftc_chart_y_to_px (g, hi)) + 0.5);
          cairo_stroke (cr);
        }
    }
  cairo_restore (cr);

  if (chart->value_format != NULL)
    for (guint si = 0; si < chart->series->len; si++)
      {
        const Series *s = g_ptr_array_index (chart->series, si);
        for (guint gi = 0; gi < chart->groups->len; gi++)
          {
            double r[4], v, hi;
            double top, cx, tw, th;
            char buf[64];

            /* a bar exists only where the series has a value (ftc_chart_bar_rect checks) */
            if (!ftc_chart_bar_rect (chart, g, gi, si, r))
              continue;
            v = g_array_index (s->y, double, gi);
            hi = gi < s->hi->len ? g_array_index (s->hi, double, gi) : NAN;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
            g_snprintf (buf, sizeof buf, chart->value_format, v);
#pragma GCC diagnostic pop
            font (cr, 9 * c->s, FALSE);
            tw = text_width (cr, buf);
            th = line_height (cr);
            if (tw > r[2] + 4 * c->s)
              {
                /* narrow bars: whole numbers before turning the label */
                g_snprintf (buf, sizeof buf, "%.0f", v);
                tw = text_width (cr, buf);
              }
            cx = r[0] + r[2] / 2;
            /* above the bar, or above its error bar */
            top = v >= 0 ? r[1] : r[1] + r[3];
            if (isfinite (hi) && hi > v)
              top = MIN (top, ftc_chart_y_to_px (g, MIN (hi, g->y_max)));
            set_rgb (cr, c->theme->text, 1.0);
            if (tw <= r[2] + 4 * c->s && top >= g->plot_y - 1.0)
              draw_text (cr, buf, cx, top - 2 * c->s, 0.5, 1.0);
            else if (th <= r[2] + 2 * c->s && top - tw - 3 * c->s >= g->plot_y - th)
              {
                /* narrow bars: the label turned upright */
                cairo_save (cr);
                cairo_translate (cr, cx, top - 3 * c->s);
                cairo_rotate (cr, -G_PI / 2);
                draw_text (cr, buf, 0, 0, 0.0, 0.5);
                cairo_restore (cr);
              }
            else if (th <= r[2] + 2 * c->s && r[3] >= tw + 6 * c->s)
              {
                /* no room above (a bar at the top of the axis): inside the bar, in a contrasting colour */
                Rgb bar = series_rgb (c->theme, s, si);
                double luminance = 0.2126 * bar.r + 0.7152 * bar.g + 0.0722 * bar.b;
                cairo_save (cr);
                if (luminance > 0.55)
                  cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
                else
                  cairo_set_source_rgb (cr, 1, 1, 1);
                cairo_translate (cr, cx, r[1] + 3 * c->s);
                cairo_rotate (cr, -G_PI / 2);
                draw_text (cr, buf, 0, 0, 1.0, 0.5);
                cairo_restore (cr);
              }
          }
      }

  /* group labels: level when they fit, else slanted (many tasks) */
  font (cr, 11 * c->s, FALSE);
  for (guint gi = 0; gi < chart->groups->len; gi++)
    {
      g_autofree char *label = NULL;
      double cx = g->plot_x + (gi + 0.5) * group_w;
      set_rgb (cr, c->theme->text, 1.0);
      if (c->slanted_groups)
        {
          label = ellipsize (cr, g_ptr_array_index (chart->groups, gi), c->slant_length);
          cairo_save (cr);
          cairo_translate (cr, cx, g->plot_y + g->plot_h + 5 * c->s);
          cairo_rotate (cr, -SLANT);
          draw_text (cr, label, 0, 0, 1.0, 0.5);
          cairo_restore (cr);
        }
      else
        {
          const char *text = g_ptr_array_index (chart->groups, gi);
          g_autofree char *first = NULL, *second = NULL;
          double y = g->plot_y + g->plot_h + 5 * c->s;
          if (c->wrapped_groups && text_width (cr, text) > group_w - 6 * c->s
              && wrap_two (cr, text, group_w - 6 * c->s, &first, &second))
            {
              draw_text (cr, first, cx, y, 0.5, 0.0);
              draw_text (cr, second, cx, y + line_height (cr), 0.5, 0.0);
            }
          else
            {
              label = ellipsize (cr, text, group_w - 6 * c->s);
              draw_text (cr, label, cx, y, 0.5, 0.0);
            }
        }
    }
}

static void
draw_x_ticks (FtcChart *chart, Ctx *c)
{
  cairo_t *cr = c->cr;
  FtcChartGeometry *g = c->g;
  double last_right = -INFINITY;
  char buf[64];

  compute_x_ticks (chart, c);
  font (cr, 10 * c->s, FALSE);
  for (int i = 0; i < c->n_x_ticks; i++)
    {
      double px = round (ftc_chart_x_to_px (g, c->x_ticks[i])) + 0.5;
      double w;

      set_rgb (cr, c->theme->grid, 0.6);
      cairo_set_line_width (cr, 1.0);
      cairo_move_to (cr, px, g->plot_y);
      cairo_line_to (cr, px, g->plot_y + g->plot_h);
      cairo_stroke (cr);
      if (g->log_x || chart->x_ticks_at_data)
        format_compact (c->x_ticks[i], buf, sizeof buf);
      else
        format_tick (c->x_ticks[i], c->x_step, buf, sizeof buf);
      w = text_width (cr, buf);
      /* ticks whose labels would overlap the previous one keep their grid line only */
      if (px - w / 2 < last_right + 4 * c->s)
        continue;
      set_rgb (cr, c->theme->axis, 1.0);
      cairo_move_to (cr, px, g->plot_y + g->plot_h);
      cairo_line_to (cr, px, g->plot_y + g->plot_h + 3 * c->s);
      cairo_stroke (cr);
      set_rgb (cr, c->theme->muted, 1.0);
      draw_text (cr, buf, CLAMP (px, w / 2, c->width - w / 2), g->plot_y + g->plot_h + 5 * c->s, 0.5, 0.0);
      last_right = px + w / 2;
    }
}

static void
draw_marker (cairo_t *cr, double x, double y, double r)
{
  cairo_new_sub_path (cr);
  cairo_arc (cr, x, y, r, 0, 2 * G_PI);
  cairo_fill (cr);
}

static void
draw_lines (FtcChart *chart, Ctx *c)
{
  cairo_t *cr = c->cr;
  FtcChartGeometry *g = c->g;

  cairo_save (cr);
  /* a little outside the plot so markers on the edge stay whole */
  cairo_rectangle (cr, g->plot_x - 5 * c->s, g->plot_y - 5 * c->s, g->plot_w + 10 * c->s, g->plot_h + 10 * c->s);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  for (guint si = 0; si < chart->series->len; si++)
    {
      const Series *s = g_ptr_array_index (chart->series, si);
      Rgb rgb = series_rgb (c->theme, s, si);
      gboolean pen_down = FALSE, markers;
      int n_ok = 0;

      set_rgb (cr, rgb, 1.0);
      cairo_set_line_width (cr, (s->reference ? 1.5 : 2.0) * c->s);
      if (s->dashed)
        {
          double dash[] = { 6 * c->s, 4 * c->s };
          cairo_set_dash (cr, dash, 2, 0);
        }
      if (s->reference)
        {
          double v = g_array_index (s->y, double, 0);
          if (isfinite (v) && v >= g->y_min && v <= g->y_max)
            {
              double py = ftc_chart_y_to_px (g, v);
              cairo_move_to (cr, g->plot_x, py);
              cairo_line_to (cr, g->plot_x + g->plot_w, py);
              cairo_stroke (cr);
            }
          cairo_set_dash (cr, NULL, 0, 0);
          continue;
        }
      for (guint j = 0; j < s->y->len; j++)
        {
          double x = g_array_index (s->x, double, j), y = g_array_index (s->y, double, j);
          double px, py;
          if (!point_ok (chart, x, y))
            {
              pen_down = FALSE;   /* a gap */
              continue;
            }
          n_ok++;
          px = ftc_chart_x_to_px (g, x);
          py = s->axis == FTC_CHART_Y2 ? y2_to_px (g, y) : ftc_chart_y_to_px (g, y);
          if (pen_down)
            cairo_line_to (cr, px, py);
          else
            cairo_move_to (cr, px, py);
          pen_down = TRUE;
        }
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      markers = s->markers >= 0 ? s->markers : n_ok <= 25;
      if (markers || n_ok == 1)
        for (guint j = 0; j < s->y->len; j++)
          {
            double x = g_array_index (s->x, double, j), y = g_array_index (s->y, double, j);
            if (!point_ok (chart, x, y))
              continue;
            draw_marker (cr, ftc_chart_x_to_px (g, x),
                         s->axis == FTC_CHART_Y2 ? y2_to_px (g, y) : ftc_chart_y_to_px (g, y), 3.0 * c->s);
          }
    }
  cairo_restore (cr);
}

void
ftc_chart_render (FtcChart *chart, cairo_t *cr, double width, double height, FtcChartTheme theme,
                  FtcChartGeometry *geometry)
{
  FtcChartGeometry local = { 0 };
  Ctx c = { 0 };
  double pad, top, bottom, left, right, legend_h;
  gboolean empty = !has_data (chart);
  char buf[64];

  c.cr = cr;
  c.theme = &themes[theme == FTC_CHART_THEME_DARK ? FTC_CHART_THEME_DARK : FTC_CHART_THEME_LIGHT];
  c.width = width;
  c.height = height;
  c.s = CLAMP (MIN (width / 640.0, height / 400.0), 0.6, 3.0);
  c.g = geometry != NULL ? geometry : &local;
  memset (c.g, 0, sizeof *c.g);
  c.g->empty = empty;
  pad = 10 * c.s;

  cairo_save (cr);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_clip (cr);
  if (!chart->transparent)
    {
      set_rgb (cr, c.theme->background, 1.0);
      cairo_paint (cr);
    }

  /* title and legend on top */
  top = pad;
  if (chart->title != NULL && chart->title[0] != '\0')
    {
      g_autofree char *title = NULL;
      font (cr, 15 * c.s, TRUE);
      set_rgb (cr, c.theme->text, 1.0);
      title = ellipsize (cr, chart->title, width - 2 * pad);
      draw_text (cr, title, width / 2, top, 0.5, 0.0);
      top += line_height (cr) + 6 * c.s;
    }
  legend_h = empty ? 0 : legend (chart, &c, pad, top, width - 2 * pad, FALSE);
  if (legend_h > 0)
    {
      legend (chart, &c, pad, top, width - 2 * pad, TRUE);
      top += legend_h + 6 * c.s;
    }

  /* bars: a band above the plot for the labels of bars that reach the top of the axis */
  if (!empty && chart->kind == FTC_CHART_BARS && chart->value_format != NULL)
    {
      font (cr, 9 * c.s, FALSE);
      top += line_height (cr) + 2 * c.s;
    }
  compute_ranges (chart, &c);

  /* left: axis label and the widest tick label */
  left = pad;
  if (chart->y_label != NULL && chart->y_label[0] != '\0')
    {
      font (cr, 11 * c.s, FALSE);
      left += line_height (cr) + 6 * c.s;
    }
  font (cr, 10 * c.s, FALSE);
  {
    double widest = 0;
    for (int i = 0; i < c.n_y_ticks; i++)
      {
        format_tick (c.y_ticks[i], c.y_step, buf, sizeof buf);
        widest = MAX (widest, text_width (cr, buf));
      }
    left += (empty ? 0 : widest) + 8 * c.s;
    /* for now the distance from the label to the plot; made absolute once the plot's left is known */
    c.y_label_x = left - pad;
  }
  right = pad;
  if (c.has_y2)
    {
      double widest = 0;
      font (cr, 10 * c.s, FALSE);
      for (int i = 0; i < c.n_y2_ticks; i++)
        {
          format_tick (c.y2_ticks[i], c.y2_step, buf, sizeof buf);
          widest = MAX (widest, text_width (cr, buf));
        }
      right += widest + 8 * c.s;
      if (chart->y2_label != NULL && chart->y2_label[0] != '\0')
        {
          font (cr, 11 * c.s, FALSE);
          right += line_height (cr) + 6 * c.s;
        }
    }
  else if (chart->kind == FTC_CHART_LINES)
    right += 12 * c.s;   /* room for the last x tick label */
  bottom = pad;
  font (cr, chart->kind == FTC_CHART_BARS ? 11 * c.s : 10 * c.s, FALSE);
  bottom += line_height (cr) + 8 * c.s;
  if (chart->kind == FTC_CHART_BARS && !empty && chart->groups->len > 0)
    {
      /* slant the group labels when a level one would lose more than a few characters */
      double group_w = MAX (10.0, width - left - right) / chart->groups->len, widest = 0;
      for (guint gi = 0; gi < chart->groups->len; gi++)
        widest = MAX (widest, text_width (cr, g_ptr_array_index (chart->groups, gi)));
      gboolean all_wrap = TRUE;
      for (guint gi = 0; gi < chart->groups->len && widest > group_w - 6 * c.s; gi++)
        {
          const char *text = g_ptr_array_index (chart->groups, gi);
          g_autofree char *first = NULL, *second = NULL;
          if (text_width (cr, text) > group_w - 6 * c.s && !wrap_two (cr, text, group_w - 6 * c.s, &first, &second))
            all_wrap = FALSE;
        }
      if (widest > group_w - 6 * c.s && (all_wrap || chart->groups->len <= 4))
        {
          /* two lines (ellipsized where even that is not enough) read better than a slant */
          c.wrapped_groups = TRUE;
          bottom += line_height (cr);
        }
      else if (widest > group_w - 6 * c.s && chart->groups->len > 1)
        {
          c.slanted_groups = TRUE;
          c.slant_length = MIN (widest, height * 0.3 / sin (SLANT));
          bottom += c.slant_length * sin (SLANT);
          /* the first label reaches left of the plot */
          left = MAX (left, c.slant_length * cos (SLANT) - group_w / 2 + pad);
        }
    }
  if (chart->x_label != NULL && chart->x_label[0] != '\0')
    {
      font (cr, 11 * c.s, FALSE);
      bottom += line_height (cr) + 4 * c.s;
    }

  c.g->plot_x = left;
  c.y_label_x = MAX (pad, left - c.y_label_x);
  c.g->plot_y = top;
  c.g->plot_w = MAX (10.0, width - left - right);
  c.g->plot_h = MAX (10.0, height - top - bottom);

  if (empty)
    draw_no_data (chart, &c);
  else
    {
      draw_y_axis (chart, &c);
      if (chart->kind == FTC_CHART_LINES)
        {
          draw_x_ticks (chart, &c);
          draw_lines (chart, &c);
        }
      else
        draw_bars (chart, &c);
      draw_axis_lines (&c);
    }

  /* axis labels */
  font (cr, 11 * c.s, FALSE);
  set_rgb (cr, c.theme->text, 1.0);
  if (chart->x_label != NULL && chart->x_label[0] != '\0')
    {
      g_autofree char *label = ellipsize (cr, chart->x_label, c.g->plot_w);
      draw_text (cr, label, c.g->plot_x + c.g->plot_w / 2, height - pad, 0.5, 1.0);
    }
  if (chart->y_label != NULL && chart->y_label[0] != '\0')
    {
      g_autofree char *label = ellipsize (cr, chart->y_label, c.g->plot_h);
      cairo_save (cr);
      cairo_translate (cr, c.y_label_x, c.g->plot_y + c.g->plot_h / 2);
      cairo_rotate (cr, -G_PI / 2);
      draw_text (cr, label, 0, 0, 0.5, 0.0);
      cairo_restore (cr);
    }
  if (c.has_y2 && chart->y2_label != NULL && chart->y2_label[0] != '\0')
    {
      g_autofree char *label = ellipsize (cr, chart->y2_label, c.g->plot_h);
      cairo_save (cr);
      cairo_translate (cr, width - pad, c.g->plot_y + c.g->plot_h / 2);
      cairo_rotate (cr, G_PI / 2);
      draw_text (cr, label, 0, 0, 0.5, 0.0);
      cairo_restore (cr);
    }
  cairo_restore (cr);
}

/* ---- hit testing ------------------------------------------------------------------------------ */

gboolean
ftc_chart_hit_test (FtcChart *chart, const FtcChartGeometry *g, double x, double y, double radius,
                    int *series_out, int *index_out)
{
  double best = radius * radius;
  int best_series = -1, best_index = -1;

  if (g->empty)
    return FALSE;
  for (guint si = 0; si < chart->series->len; si++)
    {
      const Series *s = g_ptr_array_index (chart->series, si);
      if (chart->kind == FTC_CHART_BARS)
        {
          for (guint gi = 0; gi < chart->groups->len; gi++)
            {
              double r[4];
              /* a thin bar (a value near zero) is hit over a few pixels above the axis */
              if (ftc_chart_bar_rect (chart, g, gi, si, r) && x >= r[0] && x <= r[0] + r[2]
                  && y >= MIN (r[1], r[1] + r[3] - 4) && y <= r[1] + r[3])
                {
                  best_series = si;
                  best_index = gi;
                }
            }
          continue;
        }
      if (s->reference)
        continue;
      for (guint j = 0; j < s->y->len; j++)
        {
          double px, py, d;
          double vx = g_array_index (s->x, double, j), vy = g_array_index (s->y, double, j);
          if (!point_ok (chart, vx, vy))
            continue;
          px = ftc_chart_x_to_px (g, vx);
          py = s->axis == FTC_CHART_Y2 ? y2_to_px (g, vy) : ftc_chart_y_to_px (g, vy);
          d = (px - x) * (px - x) + (py - y) * (py - y);
          if (d <= best)
            {
              best = d;
              best_series = si;
              best_index = j;
            }
        }
    }
  if (best_series < 0)
    return FALSE;
  if (series_out != NULL)
    *series_out = best_series;
  if (index_out != NULL)
    *index_out = best_index;
  return TRUE;
}

gboolean
ftc_chart_get_point (FtcChart *chart, int series, int index, double *x, double *y)
{
  const Series *s;

  if (series < 0 || (guint) series >= chart->series->len)
    return FALSE;
  s = g_ptr_array_index (chart->series, series);
  if (index < 0 || (guint) index >= s->y->len)
    return FALSE;
  if (x != NULL)
    *x = chart->kind == FTC_CHART_BARS || s->reference ? NAN : g_array_index (s->x, double, index);
  if (y != NULL)
    *y = g_array_index (s->y, double, index);
  return TRUE;
}

const char *
ftc_chart_series_get_name (FtcChart *chart, int series)
{
  if (series < 0 || (guint) series >= chart->series->len)
    return NULL;
  return ((const Series *) g_ptr_array_index (chart->series, series))->name;
}

/* ---- files ------------------------------------------------------------------------------------ */

gboolean
ftc_chart_save (FtcChart *chart, const char *path, int width, int height, FtcChartTheme theme,
                GError **error)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);
  g_autofree char *tmp = g_strdup_printf ("%s.tmp-%d", path, (int) g_random_int_range (0, G_MAXINT));
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;
  enum { PNG, SVG, PDF } format;

  if (g_str_has_suffix (lower, ".png"))
    format = PNG;
  else if (g_str_has_suffix (lower, ".svg"))
    format = SVG;
  else if (g_str_has_suffix (lower, ".pdf"))
    format = PDF;
  else
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: unknown chart format (use .png, .svg or .pdf)", path);
      return FALSE;
    }
  if (width <= 0 || height <= 0 || width > 20000 || height > 20000)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: chart size %d x %d is out of range", path, width, height);
      return FALSE;
    }
  if (format == PNG)
    surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  else if (format == SVG)
    surface = cairo_svg_surface_create (tmp, width, height);
  else
    surface = cairo_pdf_surface_create (tmp, width, height);
  cr = cairo_create (surface);
  ftc_chart_render (chart, cr, width, height, theme, NULL);
  status = cairo_status (cr);
  cairo_destroy (cr);
  if (status == CAIRO_STATUS_SUCCESS && format == PNG)
    status = cairo_surface_write_to_png (surface, tmp);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_unlink (tmp);
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: cannot write the chart: %s", path,
                   cairo_status_to_string (status));
      return FALSE;
    }
  if (g_rename (tmp, path) != 0)
    {
      int saved = errno;
      g_unlink (tmp);
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: cannot write the chart: %s", path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}
