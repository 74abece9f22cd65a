/* The evaluation view on the small experiment: table and charts from report/summary.json, the per-sample
 * grid from eval/TASK.METHOD.jsonl, a click opening a sample, exports. */
#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "app/studio/ftc-chart-view.h"
#include "app/studio/ftc-eval-page.h"
#include "app/studio/ftc-eval-row.h"
#include "app/studio/ftc-sample-grid.h"
#include "core/results/ftc-report.h"
#include "tests/ftc-test-studio.h"
#include "tests/ftc-test-util.h"

static JsonObject *
load_summary (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "report", "summary.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_file (parser, path, NULL));
  return json_object_ref (json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "tasks"));
}

static FtcEvalPage *
open_page (const char *dir, GtkWidget **window)
{
  GtkWidget *page = ftc_eval_page_new ();

  *window = ftc_test_studio_show (page, 1100, 760);
  ftc_eval_page_set_directory (FTC_EVAL_PAGE (page), dir);
  ftc_test_studio_wait_loaded (page);
  g_assert_null (ftc_eval_page_get_error (FTC_EVAL_PAGE (page)));
  return FTC_EVAL_PAGE (page);
}

static gboolean
grid_drawn (gpointer grid)
{
  return gtk_widget_get_mapped (grid) && gtk_widget_get_width (grid) > 0;
}

static void
test_table_and_charts (void)
{
  g_autofree char *dir = ftc_test_studio_copy_experiment ();
  g_autoptr (JsonObject) tasks = load_summary (dir);
  GtkWidget *window;
  FtcEvalPage *page = open_page (dir, &window);
  GListModel *rows = ftc_eval_page_get_table_model (page);
  FtcChartView *chart = FTC_CHART_VIEW (ftc_eval_page_get_chart_view (page));
  const char *const *keys = ftc_eval_page_get_tasks (page);
  guint expected_rows = 0;
  g_autoptr (GList) names = json_object_get_members (tasks);

  for (GList *l = names; l != NULL; l = l->next)
    expected_rows += json_object_get_size (json_object_get_object_member (tasks, l->data));
  g_assert_cmpuint (g_strv_length ((char **) keys), ==, g_list_length (names));
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, expected_rows);
  /* every row carries the summary's number */
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr (FtcEvalRow) row = g_list_model_get_item (rows, i);
      JsonObject *m = json_object_get_object_member (json_object_get_object_member (tasks, ftc_eval_row_get_task (row)),
                                                     ftc_eval_row_get_method (row));
      g_assert_cmpfloat_with_epsilon (ftc_eval_row_get_accuracy (row), json_object_get_double_member (m, "accuracy"), 1e-9);
    }

  /* bars, drawn by the report's chart code: one group per task, one series per method */
  {
    FtcChart *chart_obj = ftc_chart_view_get_chart (chart);
    g_assert_cmpint (ftc_eval_page_get_chart (page), ==, FTC_EVAL_CHART_BARS);
    g_assert_cmpint (ftc_chart_get_kind (chart_obj), ==, FTC_CHART_BARS);
    g_assert_cmpint (ftc_chart_get_n_series (chart_obj), ==,
                     json_object_get_size (json_object_get_object_member (tasks, "coin_flip")));
  }

  /* one task: the table narrows to it, and each bar is as tall as its accuracy */
  ftc_eval_page_set_task (page, "coin_flip");
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==,
                    json_object_get_size (json_object_get_object_member (tasks, "coin_flip")));
  {
    FtcChart *chart_obj = ftc_chart_view_get_chart (chart);
    cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 800, 500);
    cairo_t *cr = cairo_create (surface);
    FtcChartGeometry geo;

    ftc_chart_render (chart_obj, cr, 800, 500, FTC_CHART_THEME_LIGHT, &geo);
    for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
      {
        g_autoptr (FtcEvalRow) row = g_list_model_get_item (rows, i);
        double rect[4];
        if (ftc_eval_row_get_accuracy (row) <= 0)
          continue;
        g_assert_true (ftc_chart_bar_rect (chart_obj, &geo, 0, (int) i, rect));
        /* y range 0..100: height over plot height is the accuracy, within a pixel */
        g_assert_cmpfloat_with_epsilon (rect[3] / geo.plot_h * 100, ftc_eval_row_get_accuracy (row), 100.0 / geo.plot_h);
      }
    cairo_destroy (cr);
    cairo_surface_destroy (surface);
  }

  /* switch charts: accuracy against D with the teacher and vanilla fine-tuning as reference lines */
  {
    guint draws = ftc_chart_view_get_draw_count (chart);
    FtcChart *chart_obj;
    cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 800, 500);
    cairo_t *cr = cairo_create (surface);
    FtcChartGeometry geo;

    ftc_eval_page_set_chart (page, FTC_EVAL_CHART_DIVERSITY);
    chart_obj = ftc_chart_view_get_chart (chart);
    g_assert_cmpint (ftc_chart_get_kind (chart_obj), ==, FTC_CHART_LINES);
    g_assert_cmpint (ftc_chart_get_n_series (chart_obj), ==, 3);
    ftc_chart_render (chart_obj, cr, 800, 500, FTC_CHART_THEME_LIGHT, &geo);
    g_assert_false (geo.empty);
    /* D = 1 (ft_cot) and 2 (ft_cot_d2) */
    g_assert_cmpfloat (geo.x_min, <=, 1);
    g_assert_cmpfloat (geo.x_max, >=, 2);
    cairo_destroy (cr);
    cairo_surface_destroy (surface);
    /* the switch redraws */
    ftc_test_studio_spin (200);
    g_assert_cmpuint (ftc_chart_view_get_draw_count (chart), >, draws);
  }
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_grid_and_sample (void)
{
  g_autofree char *dir = ftc_test_studio_copy_experiment ();
  g_autofree char *teacher_path = g_build_filename (dir, "eval", "last_letter_concatenation.teacher.jsonl", NULL);
  g_autoptr (GPtrArray) teacher = ftc_test_studio_read_jsonl (teacher_path);
  GtkWidget *window, *sample_window;
  FtcEvalPage *page = open_page (dir, &window);
  FtcSampleGrid *grid = FTC_SAMPLE_GRID (ftc_eval_page_get_grid (page));
  JsonObject *first = teacher->pdata[0];
  double x, y;
  g_autofree char *expected_title = NULL;
  GtkWidget *label;
  gboolean found_question = FALSE;

  ftc_eval_page_set_task (page, "last_letter_concatenation");
  g_assert_cmpuint (ftc_sample_grid_get_n_samples (grid), ==, teacher->len);
  ftc_test_studio_wait (grid_drawn, grid, 5000);

  /* a click where the first sample is drawn opens it */
  g_assert_true (ftc_sample_grid_sample_position (grid, 0, &x, &y));
  g_assert_cmpint (ftc_sample_grid_sample_at (grid, x, y), ==, 0);
  g_assert_cmpint (ftc_sample_grid_sample_at (grid, 1, 1), ==, -1);
  sample_window = ftc_eval_page_open_sample (page, 0);
  g_assert_nonnull (sample_window);
  expected_title = g_strdup_printf ("Sample %s", json_object_get_string_member (first, "sample_id"));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (sample_window)), ==, expected_title);
  g_assert_cmpint (ftc_sample_grid_get_selected (grid), ==, 0);
  for (label = ftc_test_studio_find (sample_window, GTK_TYPE_LABEL); label != NULL;
       label = gtk_widget_get_next_sibling (label))
    if (GTK_IS_LABEL (label) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (label)),
                                            json_object_get_string_member (first, "question")) == 0)
      found_question = TRUE;
  g_assert_true (found_question);
  g_assert_null (ftc_eval_page_open_sample (page, 9999));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_exports (void)
{
  g_autofree char *dir = ftc_test_studio_copy_experiment ();
  g_autofree char *out = ftc_test_tmpdir ();
  g_autofree char *png = g_build_filename (out, "chart.png", NULL);
  g_autofree char *svg = g_build_filename (out, "chart.svg", NULL);
  g_autofree char *csv = g_build_filename (out, "summary.csv", NULL);
  g_autofree char *bad = g_build_filename (out, "chart.bmp", NULL);
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GError) error = NULL;
  GtkWidget *window;
  FtcEvalPage *page = open_page (dir, &window);
  GListModel *rows = ftc_eval_page_get_table_model (page);
  gsize len;

  g_assert_true (ftc_eval_page_export (page, png, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (png, &contents, &len, NULL));
  g_assert_cmpuint (len, >, 10000);
  g_assert_cmpint (memcmp (contents, "\211PNG", 4), ==, 0);
  g_clear_pointer (&contents, g_free);
  g_assert_true (ftc_eval_page_export (page, svg, &error));
  g_assert_true (g_file_get_contents (svg, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "<svg"));
  g_clear_pointer (&contents, g_free);

  g_assert_true (ftc_eval_page_export (page, csv, &error));
  g_assert_true (g_file_get_contents (csv, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "task,method,accuracy,n");
  g_assert_cmpuint (g_strv_length (lines), ==, g_list_model_get_n_items (rows) + 2);   /* header, rows, "" */
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr (FtcEvalRow) row = g_list_model_get_item (rows, i);
      g_auto (GStrv) f = g_strsplit (lines[i + 1], ",", -1);
      g_assert_cmpstr (f[0], ==, ftc_eval_row_get_task (row));
      g_assert_cmpstr (f[1], ==, ftc_eval_row_get_method (row));
      g_assert_cmpfloat_with_epsilon (g_ascii_strtod (f[2], NULL), ftc_eval_row_get_accuracy (row), 0.005);
    }
  g_assert_false (ftc_eval_page_export (page, bad, &error));
  g_assert_nonnull (error);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_missing_and_bad_report (void)
{
  g_autofree char *empty = ftc_test_tmpdir ();
  g_autofree char *dir = ftc_test_studio_copy_experiment ();
  g_autofree char *summary = g_build_filename (dir, "report", "summary.json", NULL);
  GtkWidget *page = ftc_eval_page_new ();
  GtkWidget *window = ftc_test_studio_show (page, 900, 600);

  /* nothing evaluated yet: no error, nothing shown */
  ftc_eval_page_set_directory (FTC_EVAL_PAGE (page), empty);
  ftc_test_studio_wait_loaded (page);
  g_assert_null (ftc_eval_page_get_error (FTC_EVAL_PAGE (page)));
  g_assert_cmpuint (g_list_model_get_n_items (ftc_eval_page_get_table_model (FTC_EVAL_PAGE (page))), ==, 0);

  /* an accuracy that is not a number: the error names the file and the field */
  g_assert_true (g_file_set_contents (summary, "{\"tasks\": {\"gsm8k\": {\"ft_cot\": {\"accuracy\": \"high\"}}}}", -1, NULL));
  ftc_eval_page_set_directory (FTC_EVAL_PAGE (page), dir);
  ftc_test_studio_wait_loaded (page);
  g_assert_nonnull (ftc_eval_page_get_error (FTC_EVAL_PAGE (page)));
  g_assert_nonnull (strstr (ftc_eval_page_get_error (FTC_EVAL_PAGE (page)), "tasks.gsm8k.ft_cot"));
  g_assert_nonnull (strstr (ftc_eval_page_get_error (FTC_EVAL_PAGE (page)), "summary.json"));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A report with benchmarks: the benchmark table shows pass@1 per benchmark and method, as ftcot report. */
static void
test_benchmark_table (void)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *report_dir = g_build_filename (dir, "report", NULL);
  g_autofree char *path = g_build_filename (report_dir, "summary.json", NULL);
  g_autoptr (FtcReport) report = ftc_report_new ("distil");
  g_autoptr (GError) error = NULL;
  FtcResult *teacher = ftc_result_new ("aime_2024", "teacher");
  FtcResult *student = ftc_result_new ("aime_2024", "ft_cot");
  FtcSampledMetrics m = { 16, { 0.4125, 0.30, 0.52, 30 }, { 0.7, 0.55, 0.85, 30 }, { 0.5, 0.33, 0.67, 30 } };
  GtkWidget *window, *grid, *cell;
  FtcEvalPage *page;

  ftc_result_set_accuracy (teacher, 12, 30);
  ftc_result_set_sampled (teacher, &m, 16, 0.6);
  ftc_result_set_accuracy (student, 3, 30);
  ftc_report_add_result (report, teacher);
  ftc_report_add_result (report, student);
  ftc_report_set_trained_on (report, "aime_2024", "math_train");
  g_assert_cmpint (g_mkdir_with_parents (report_dir, 0755), ==, 0);
  g_assert_true (ftc_report_save_json (report, path, &error));

  page = open_page (dir, &window);
  grid = ftc_eval_page_get_benchmark_grid (page);
  g_assert_true (gtk_widget_get_visible (grid));
  /* header, then the benchmark's row: its title, what it was trained on, the teacher's avg@16, the student */
  cell = gtk_grid_get_child_at (GTK_GRID (grid), 2, 0);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (cell)), ==, "Teacher (avg@16)");
  cell = gtk_grid_get_child_at (GTK_GRID (grid), 0, 1);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (cell)), ==, "AIME 2024");
  cell = gtk_grid_get_child_at (GTK_GRID (grid), 1, 1);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (cell)), ==, "MATH (train)");
  cell = gtk_grid_get_child_at (GTK_GRID (grid), 2, 1);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (cell)), ==, "70.0 [55.0, 85.0]");
  cell = gtk_grid_get_child_at (GTK_GRID (grid), 3, 1);
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (cell)), "10.0 ["));
  gtk_window_destroy (GTK_WINDOW (window));

  /* the small experiment has neither benchmarks nor sampled results: no table */
  {
    g_autofree char *small = ftc_test_studio_copy_experiment ();
    page = open_page (small, &window);
    g_assert_false (gtk_widget_get_visible (ftc_eval_page_get_benchmark_grid (page)));
    gtk_window_destroy (GTK_WINDOW (window));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ftc_test_studio_init ();
  g_test_add_func ("/studio/eval/table-and-charts", test_table_and_charts);
  g_test_add_func ("/studio/eval/grid-and-sample", test_grid_and_sample);
  g_test_add_func ("/studio/eval/exports", test_exports);
  g_test_add_func ("/studio/eval/missing-and-bad-report", test_missing_and_bad_report);
  g_test_add_func ("/studio/eval/benchmark-table", test_benchmark_table);
  return g_test_run ();
}
