/* test-chart: every chart type renders to PNG and SVG with the right size and real content; bars of known
 * heights cover the expected pixel rows; empty data and NaN values draw without crashing. */
#include <math.h>
#include <string.h>

#include "core/results/ftc-chart.h"
#include "core/ftc-error.h"
#include "tests/ftc-test-util.h"

#define W 640
#define H 400

typedef struct { double r, g, b; } Rgb;

static Rgb
pixel (cairo_surface_t *surface, int x, int y)
{
  unsigned char *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  guint32 p = *(guint32 *) (data + y * stride + x * 4);
  Rgb c = { ((p >> 16) & 0xff) / 255.0, ((p >> 8) & 0xff) / 255.0, (p & 0xff) / 255.0 };
  return c;
}

static double
distance (Rgb a, Rgb b)
{
  return fabs (a.r - b.r) + fabs (a.g - b.g) + fabs (a.b - b.b);
}

static guint
count_colours (cairo_surface_t *surface)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_direct_hash, g_direct_equal);
  unsigned char *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);

  cairo_surface_flush (surface);
  for (int y = 0; y < cairo_image_surface_get_height (surface); y++)
    for (int x = 0; x < cairo_image_surface_get_width (surface); x++)
      g_hash_table_add (seen, GUINT_TO_POINTER (*(guint32 *) (data + y * stride + x * 4) & 0xffffff));
  return g_hash_table_size (seen);
}

static cairo_surface_t *
render (FtcChart *chart, FtcChartTheme theme, FtcChartGeometry *geometry)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, W, H);
  cairo_t *cr = cairo_create (surface);

  ftc_chart_render (chart, cr, W, H, theme, geometry);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}

/* Saves as PNG and SVG; the PNG reads back at W x H with more than min_colours colours. */
static void
check_files (FtcChart *chart, const char *stem, guint min_colours)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *png = g_strdup_printf ("%s/%s.png", dir, stem);
  g_autofree char *svg = g_strdup_printf ("%s/%s.SVG", dir, stem);
  g_autofree char *pdf = g_strdup_printf ("%s/%s.pdf", dir, stem);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  cairo_surface_t *image;

  g_assert_true (ftc_chart_save (chart, png, W, H, FTC_CHART_THEME_LIGHT, &error));
  g_assert_no_error (error);
  image = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (image), ==, W);
  g_assert_cmpint (cairo_image_surface_get_height (image), ==, H);
  g_assert_cmpuint (count_colours (image), >, min_colours);
  cairo_surface_destroy (image);

  g_assert_true (ftc_chart_save (chart, svg, W, H, FTC_CHART_THEME_DARK, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (svg, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "<svg"));
  g_assert_nonnull (strstr (text, "width=\"640pt\""));
  g_assert_nonnull (strstr (text, "</svg>"));
  g_clear_pointer (&text, g_free);

  g_assert_true (ftc_chart_save (chart, pdf, W, H, FTC_CHART_THEME_LIGHT, &error));
  g_assert_true (g_file_get_contents (pdf, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "%PDF"));
}

static void
test_ticks (void)
{
  double t[32], step;
  int n;

  n = ftc_chart_nice_ticks (0, 100, 5, t, 32, &step);
  g_assert_cmpint (n, ==, 6);
  g_assert_cmpfloat (step, ==, 20);
  g_assert_cmpfloat (t[5], ==, 100);
  n = ftc_chart_nice_ticks (-3, 7, 5, t, 32, &step);
  g_assert_cmpfloat (step, ==, 2);
  g_assert_cmpfloat (t[0], ==, -2);
  g_assert_cmpfloat (t[n - 1], ==, 6);
  n = ftc_chart_nice_ticks (0, 3e-4, 5, t, 32, &step);
  /* 3e-4 / 5 = 6e-5 rounds up to the nice step 1e-4: 0, 1e-4, 2e-4, 3e-4 */
  g_assert_cmpfloat_with_epsilon (step, 1e-4, 1e-15);
  g_assert_cmpint (n, ==, 4);
  g_assert_cmpfloat_with_epsilon (t[3], 3e-4, 1e-15);
  n = ftc_chart_nice_ticks (0.13, 0.87, 4, t, 32, &step);
  g_assert_cmpfloat_with_epsilon (step, 0.2, 1e-12);
  g_assert_cmpfloat_with_epsilon (t[0], 0.2, 1e-12);
  g_assert_cmpint (ftc_chart_nice_ticks (NAN, 1, 5, t, 32, &step), ==, 0);
  g_assert_cmpint (ftc_chart_nice_ticks (5, 5, 5, t, 32, &step), ==, 1);
}

static void
test_bars (void)
{
  const char *groups[] = { "Coin Flip", "Last Letters", "Arithmetic" };
  /* random heights, fixed seed: the pixel checks below recompute each bar's rows independently */
  g_autoptr (GRand) rand = g_rand_new_with_seed (11);
  g_autoptr (FtcChart) chart = ftc_chart_new (FTC_CHART_BARS, "Accuracy per task");
  double values[4][3], lo[4][3], hi[4][3];
  FtcChartGeometry g;
  cairo_surface_t *surface;

  ftc_chart_set_groups (chart, groups, 3);
  ftc_chart_set_y_label (chart, "Accuracy (%)");
  ftc_chart_set_y_range (chart, 0, 100);
  for (int s = 0; s < 4; s++)
    {
      g_autofree char *name = g_strdup_printf ("method %d", s);
      for (int i = 0; i < 3; i++)
        {
          values[s][i] = g_rand_double_range (rand, 8, 95);
          lo[s][i] = values[s][i] - 4;
          hi[s][i] = values[s][i] + 4;
        }
      ftc_chart_add_bar_series (chart, name, values[s], lo[s], hi[s]);
    }
  ftc_chart_series_set_color (chart, 0, FTC_CHART_COLOR_NEUTRAL);
  surface = render (chart, FTC_CHART_THEME_LIGHT, &g);
  g_assert_false (g.empty);
  g_assert_cmpfloat (g.y_min, ==, 0);
  g_assert_cmpfloat (g.y_max, ==, 100);
  /* the plot fills most of the image: labels did not eat it */
  g_assert_cmpfloat (g.plot_w, >, W * 0.75);
  g_assert_cmpfloat (g.plot_h, >, H * 0.6);

  for (int s = 0; s < 4; s++)
    for (int i = 0; i < 3; i++)
      {
        double r[4], bottom = g.plot_y + g.plot_h;
        double expected_top = bottom - values[s][i] / 100.0 * g.plot_h;
        int column, rows = 0;
        Rgb colour;

        g_assert_true (ftc_chart_bar_rect (chart, &g, i, s, r));
        g_assert_cmpfloat (fabs (r[1] - expected_top), <, 0.01);
        g_assert_cmpfloat (r[2], >, 10);
        /* a column inside the bar but away from the error bar in its middle */
        column = (int) (r[0] + 2.5);
        colour = pixel (surface, column, (int) bottom - 3);
        for (int y = (int) g.plot_y; y < (int) bottom; y++)
          if (distance (pixel (surface, column, y), colour) < 0.02)
            rows++;
        /* the bar's colour covers exactly the rows from its top to the axis (1 px of anti-aliasing) */
        g_assert_cmpfloat (fabs (rows - (bottom - expected_top)), <=, 1.5);
        g_assert_cmpfloat (distance (pixel (surface, column, (int) expected_top + 2), colour), <, 0.02);
        g_assert_cmpfloat (distance (pixel (surface, column, (int) expected_top - 2), colour), >, 0.1);
        /* different series are different colours */
        if (s > 0)
          {
            double r0[4];
            g_assert_true (ftc_chart_bar_rect (chart, &g, i, s - 1, r0));
            g_assert_cmpfloat (distance (pixel (surface, (int) (r0[0] + 2.5), (int) bottom - 3), colour), >, 0.2);
          }
      }
  g_assert_cmpuint (count_colours (surface), >, 20);
  cairo_surface_destroy (surface);

  /* hit testing: the middle of a bar finds it; the empty band above the plot finds nothing */
  {
    double r[4], x, y;
    int series, index;
    g_assert_true (ftc_chart_bar_rect (chart, &g, 2, 1, r));
    g_assert_true (ftc_chart_hit_test (chart, &g, r[0] + r[2] / 2, r[1] + r[3] / 2, 4, &series, &index));
    g_assert_cmpint (series, ==, 1);
    g_assert_cmpint (index, ==, 2);
    g_assert_true (ftc_chart_get_point (chart, series, index, &x, &y));
    g_assert_true (isnan (x));
    g_assert_cmpfloat (y, ==, values[1][2]);
    g_assert_cmpstr (ftc_chart_series_get_name (chart, series), ==, "method 1");
    g_assert_false (ftc_chart_hit_test (chart, &g, r[0] + r[2] / 2, g.plot_y - 20, 4, &series, &index));
    g_assert_false (ftc_chart_get_point (chart, 9, 0, &x, &y));
  }
  check_files (chart, "bars", 20);
}

static void
test_bars_nan (void)
{
  const char *groups[] = { "a", "b" };
  const double v1[] = { NAN, 50 };
  const double v2[] = { 30, NAN };
  const double nan2[] = { NAN, NAN };
  g_autoptr (FtcChart) chart = ftc_chart_new (FTC_CHART_BARS, "gaps");
  g_autoptr (FtcChart) all_nan = ftc_chart_new (FTC_CHART_BARS, "all missing");
  FtcChartGeometry g;
  double r[4];
  cairo_surface_t *surface;

  ftc_chart_set_groups (chart, groups, 2);
  ftc_chart_add_bar_series (chart, "x", v1, NULL, NULL);
  ftc_chart_add_bar_series (chart, "y", v2, v1, NULL);
  surface = render (chart, FTC_CHART_THEME_DARK, &g);
  g_assert_false (g.empty);
  g_assert_false (ftc_chart_bar_rect (chart, &g, 0, 0, r));
  g_assert_true (ftc_chart_bar_rect (chart, &g, 1, 0, r));
  g_assert_false (ftc_chart_bar_rect (chart, &g, 1, 1, r));
  g_assert_false (ftc_chart_bar_rect (chart, &g, 5, 0, r));
  /* automatic range starts at zero and covers 50 */
  g_assert_cmpfloat (g.y_min, ==, 0);
  g_assert_cmpfloat (g.y_max, >=, 50);
  /* groups added after the series: the new group has no bars, and nothing reads past the values */
  {
    const char *more[] = { "a", "b", "c" };
    ftc_chart_set_groups (chart, more, 3);
    cairo_surface_destroy (render (chart, FTC_CHART_THEME_LIGHT, &g));
    g_assert_false (ftc_chart_bar_rect (chart, &g, 2, 0, r));
    g_assert_true (ftc_chart_bar_rect (chart, &g, 1, 0, r));
    ftc_chart_set_value_format (chart, "%.0f%%");
    /* a format that would read a string is refused */
    g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, "*valid_value_format*");
    ftc_chart_set_value_format (chart, "%s");
    g_test_assert_expected_messages ();
    ftc_chart_set_value_format (chart, NULL);
    cairo_surface_destroy (render (chart, FTC_CHART_THEME_LIGHT, &g));
  }
  /* the dark theme's background */
  g_assert_cmpfloat (pixel (surface, 1, 1).r, <, 0.2);
  cairo_surface_destroy (surface);

  ftc_chart_set_groups (all_nan, groups, 2);
  ftc_chart_add_bar_series (all_nan, "x", nan2, nan2, nan2);
  surface = render (all_nan, FTC_CHART_THEME_LIGHT, &g);
  g_assert_true (g.empty);
  cairo_surface_destroy (surface);
  check_files (all_nan, "bars-nan", 4);
}

static void
test_empty (void)
{
  g_autoptr (FtcChart) bars = ftc_chart_new (FTC_CHART_BARS, "no groups");
  g_autoptr (FtcChart) lines = ftc_chart_new (FTC_CHART_LINES, NULL);
  FtcChartGeometry g;
  cairo_surface_t *surface;
  guint colours;

  surface = render (bars, FTC_CHART_THEME_LIGHT, &g);
  g_assert_true (g.empty);
  /* not blank: frame, title and "No data" text */
  colours = count_colours (surface);
  g_assert_cmpuint (colours, >, 4);
  cairo_surface_destroy (surface);
  check_files (bars, "empty-bars", 4);

  ftc_chart_add_line_series (lines, "nothing", NULL, NULL, 0, FTC_CHART_Y1);
  surface = render (lines, FTC_CHART_THEME_LIGHT, &g);
  g_assert_true (g.empty);
  g_assert_cmpuint (count_colours (surface), >, 4);
  cairo_surface_destroy (surface);
  check_files (lines, "empty-lines", 4);

  /* a tiny size must not crash either */
  {
    cairo_surface_t *small = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 20, 10);
    cairo_t *cr = cairo_create (small);
    ftc_chart_render (bars, cr, 20, 10, FTC_CHART_THEME_LIGHT, NULL);
    g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
    cairo_destroy (cr);
    cairo_surface_destroy (small);
  }
}

static gboolean
near_colour (cairo_surface_t *surface, double x, double y, Rgb want, int radius)
{
  for (int dy = -radius; dy <= radius; dy++)
    for (int dx = -radius; dx <= radius; dx++)
      {
        int px = (int) round (x) + dx, py = (int) round (y) + dy;
        if (px >= 0 && py >= 0 && px < W && py < H && distance (pixel (surface, px, py), want) < 0.12)
          return TRUE;
      }
  return FALSE;
}

static void
test_training_curves (void)
{
  g_autoptr (FtcChart) chart = ftc_chart_new (FTC_CHART_LINES, "Training curves");
  g_autoptr (GRand) rand = g_rand_new_with_seed (5);
  /* Okabe-Ito blue and orange: the first two palette colours */
  const Rgb blue = { 0x00 / 255.0, 0x72 / 255.0, 0xB2 / 255.0 };
  const Rgb orange = { 0xE6 / 255.0, 0x9F / 255.0, 0x00 / 255.0 };
  double xs[200], ys[200];
  FtcChartGeometry g;
  cairo_surface_t *surface;
  int train, val, lr;

  ftc_chart_set_x_label (chart, "Step");
  ftc_chart_set_y_label (chart, "Loss");
  ftc_chart_set_y2_label (chart, "Learning rate");
  for (int i = 0; i < 200; i++)
    {
      xs[i] = i + 1;
      ys[i] = 3.0 * exp (-i / 50.0) + 0.2 + 0.05 * g_rand_double (rand);
    }
  train = ftc_chart_add_line_series (chart, "train", xs, ys, 200, FTC_CHART_Y1);
  val = ftc_chart_add_line_series (chart, "validation", NULL, NULL, 0, FTC_CHART_Y1);
  for (int e = 1; e <= 10; e++)
    ftc_chart_series_append (chart, val, e * 20, 3.0 * exp (-e * 20 / 50.0) + 0.4);
  lr = ftc_chart_add_line_series (chart, "learning rate", NULL, NULL, 0, FTC_CHART_Y2);
  for (int i = 1; i <= 200; i++)
    ftc_chart_series_append (chart, lr, i, 3e-4 * MIN (1.0, i / 20.0));
  ftc_chart_series_set_dashed (chart, lr, TRUE);
  g_assert_cmpint (ftc_chart_get_n_series (chart), ==, 3);
  g_assert_cmpint (train, ==, 0);

  surface = render (chart, FTC_CHART_THEME_LIGHT, &g);
  g_assert_false (g.empty);
  g_assert_cmpfloat (g.x_min, ==, 1);
  g_assert_cmpfloat (g.x_max, ==, 200);
  g_assert_cmpfloat (g.y_min, <=, 0.2);
  g_assert_cmpfloat (g.y_max, >=, 3.2);
  g_assert_cmpfloat (g.y2_min, ==, 0);
  g_assert_cmpfloat (g.y2_max, >=, 3e-4);
  /* the curves pass through their points */
  for (int i = 0; i < 200; i += 37)
    g_assert_true (near_colour (surface, ftc_chart_x_to_px (&g, xs[i]), ftc_chart_y_to_px (&g, ys[i]), blue, 1));
  for (int e = 1; e <= 10; e += 3)
    g_assert_true (near_colour (surface, ftc_chart_x_to_px (&g, e * 20),
                                ftc_chart_y_to_px (&g, 3.0 * exp (-e * 20 / 50.0) + 0.4), orange, 1));
  /* hit testing finds the nearest point of the nearest series */
  {
    int series, index;
    double x, y;
    g_assert_true (ftc_chart_hit_test (chart, &g, ftc_chart_x_to_px (&g, 100) + 1,
                                       ftc_chart_y_to_px (&g, 3.0 * exp (-100 / 50.0) + 0.4) - 1, 6, &series, &index));
    g_assert_cmpint (series, ==, val);
    g_assert_cmpint (index, ==, 4);
    g_assert_true (ftc_chart_get_point (chart, series, index, &x, &y));
    g_assert_cmpfloat (x, ==, 100);
  }
  /* and not where there is no data: the top-left corner of the plot */
  g_assert_false (near_colour (surface, g.plot_x + g.plot_w * 0.9, g.plot_y + 3, blue, 2));
  cairo_surface_destroy (surface);
  check_files (chart, "curves", 20);

  /* cleared, the chart has nothing to draw; rebuilt, it draws again */
  ftc_chart_clear_series (chart);
  g_assert_cmpint (ftc_chart_get_n_series (chart), ==, 0);
  cairo_surface_destroy (render (chart, FTC_CHART_THEME_LIGHT, &g));
  g_assert_true (g.empty);
  ftc_chart_add_line_series (chart, "train", xs, ys, 200, FTC_CHART_Y1);
  surface = render (chart, FTC_CHART_THEME_LIGHT, &g);
  g_assert_false (g.empty);
  g_assert_true (near_colour (surface, ftc_chart_x_to_px (&g, xs[50]), ftc_chart_y_to_px (&g, ys[50]), blue, 1));
  cairo_surface_destroy (surface);
}

static void
test_accuracy_against_d (void)
{
  g_autoptr (FtcChart) chart = ftc_chart_new (FTC_CHART_LINES, "Accuracy against D");
  const double d[] = { 1, 2, 4, 8 };
  const double acc[] = { 61.5, NAN, 77.2, 84.0 };   /* D = 2 missing: a gap */
  const Rgb blue = { 0x00 / 255.0, 0x72 / 255.0, 0xB2 / 255.0 };
  FtcChartGeometry g;
  cairo_surface_t *surface;
  double mid_x, mid_y;

  ftc_chart_set_log_x (chart, TRUE);
  ftc_chart_set_x_ticks_at_data (chart, TRUE);
  ftc_chart_set_y_range (chart, 0, 100);
  ftc_chart_add_line_series (chart, "coin flip", d, acc, 4, FTC_CHART_Y1);
  ftc_chart_add_reference_line (chart, "teacher", 98.0);
  surface = render (chart, FTC_CHART_THEME_LIGHT, &g);
  g_assert_true (g.log_x);
  /* log x: D = 2 sits a third of the way from 1 to 8 */
  g_assert_cmpfloat_with_epsilon ((ftc_chart_x_to_px (&g, 2) - g.plot_x) / g.plot_w, 1.0 / 3, 1e-9);
  g_assert_true (near_colour (surface, ftc_chart_x_to_px (&g, 4), ftc_chart_y_to_px (&g, 77.2), blue, 1));
  /* the gap: halfway between D = 1 and D = 4 along where a line would run, no series colour */
  mid_x = (ftc_chart_x_to_px (&g, 1) + ftc_chart_x_to_px (&g, 4)) / 2;
  mid_y = (ftc_chart_y_to_px (&g, 61.5) + ftc_chart_y_to_px (&g, 77.2)) / 2;
  g_assert_false (near_colour (surface, mid_x, mid_y, blue, 2));
  cairo_surface_destroy (surface);
  check_files (chart, "against-d", 10);
}

static void
test_data_size (void)
{
  g_autoptr (FtcChart) chart = ftc_chart_new (FTC_CHART_LINES, "Accuracy against training-set size");
  const double n[] = { -5, 0, 100, 1000, 10000 };   /* non-positive x is left out on a log axis */
  const double acc[] = { 1, 2, 20, 45, 70 };
  FtcChartGeometry g;
  cairo_surface_t *surface;

  ftc_chart_set_log_x (chart, TRUE);
  ftc_chart_add_line_series (chart, "ft_cot", n, acc, 5, FTC_CHART_Y1);
  surface = render (chart, FTC_CHART_THEME_DARK, &g);
  g_assert_cmpfloat (g.x_min, ==, 100);
  g_assert_cmpfloat (g.x_max, ==, 10000);
  g_assert_cmpfloat_with_epsilon ((ftc_chart_x_to_px (&g, 1000) - g.plot_x) / g.plot_w, 0.5, 1e-9);
  cairo_surface_destroy (surface);
  check_files (chart, "size", 10);
}

static void
test_bad_path (void)
{
  g_autoptr (FtcChart) chart = ftc_chart_new (FTC_CHART_BARS, "x");
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *gif = g_build_filename (dir, "chart.gif", NULL);
  g_autofree char *missing = g_build_filename (dir, "no", "such", "chart.png", NULL);

  g_assert_false (ftc_chart_save (chart, gif, W, H, FTC_CHART_THEME_LIGHT, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ftc_chart_save (chart, missing, W, H, FTC_CHART_THEME_LIGHT, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "chart.png"));
  g_clear_error (&error);
  g_assert_false (ftc_chart_save (chart, gif, 0, H, FTC_CHART_THEME_LIGHT, &error));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/chart/ticks", test_ticks);
  g_test_add_func ("/chart/bars", test_bars);
  g_test_add_func ("/chart/bars-nan", test_bars_nan);
  g_test_add_func ("/chart/empty", test_empty);
  g_test_add_func ("/chart/training-curves", test_training_curves);
  g_test_add_func ("/chart/accuracy-against-d", test_accuracy_against_d);
  g_test_add_func ("/chart/data-size", test_data_size);
  g_test_add_func ("/chart/bad-path", test_bad_path);
  return g_test_run ();
}
