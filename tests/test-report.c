/* test-report: the results model, summary.json written and re-read with the same numbers, CSV, the
 * terminal table, charts from results and training curves from metrics.jsonl. */
#include <math.h>
#include <string.h>

#include "core/ftc-error.h"
#include "core/results/ftc-report.h"
#include "tests/ftc-test-util.h"

static const char *const tasks[] = { "synthetic_coin_flip", "synthetic_last_letters", "my_task" };
static const char *const methods[] = { "ft_cot_d4", "teacher", "vanilla", "random", "ft_cot", "zero_shot",
                                       "ft_cot_d2" };

/* A report of random results: every task has every method; trained methods have epochs; ft_cot methods
 * have sampled metrics computed from random questions. */
static FtcReport *
random_report (guint32 seed)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  FtcReport *report = ftc_report_new ("random \"report\"");

  ftc_report_set_title (report, "my_task", "My task, imported");
  for (gsize t = 0; t < G_N_ELEMENTS (tasks); t++)
    for (gsize m = 0; m < G_N_ELEMENTS (methods); m++)
      {
        FtcResult *r = ftc_result_new (tasks[t], methods[m]);
        int n = g_rand_int_range (rand, 20, 400);
        ftc_result_set_accuracy (r, g_rand_int_range (rand, 1, n), n);
        if (strcmp (methods[m], "vanilla") == 0 || g_str_has_prefix (methods[m], "ft_cot"))
          {
            r->last_epoch = 20;
            r->best_epoch = g_rand_int_range (rand, 1, 21);
            r->best_epoch_accuracy = MIN (100.0, r->accuracy.value + g_rand_double_range (rand, 0, 5));
            r->train_size = g_rand_int_range (rand, 50, 1000);
          }
        if (g_str_has_prefix (methods[m], "ft_cot"))
          {
            enum { Q = 30, N = 6 };
            gboolean correct[Q][N];
            FtcSampledQuestion qs[Q];
            FtcSampledMetrics sm;

            r->diversity = strcmp (methods[m], "ft_cot") == 0 ? 1 : methods[m][8] - '0';
            for (int q = 0; q < Q; q++)
              {
                for (int i = 0; i < N; i++)
                  correct[q][i] = g_rand_boolean (rand);
                qs[q] = (FtcSampledQuestion) { N, correct[q], NULL };
              }
            ftc_sampled_metrics_compute (qs, Q, 4, &sm);
            ftc_result_set_sampled (r, &sm, N, 0.7);
          }
        ftc_report_add_result (report, r);
      }
  for (int size = 100; size <= 1600; size *= 2)
    {
      FtcPercent p = { g_rand_double_range (rand, 10, 90), NAN, NAN };
      p.lo = p.value - 3;
      p.hi = p.value + 3;
      ftc_report_add_scaling_point (report, "synthetic_coin_flip", "ft_cot", size, p);
    }
  return report;
}

static void
assert_close (double a, double b)
{
  if (isnan (a) || isnan (b))
    g_assert_true (isnan (a) && isnan (b));
  else
    g_assert_cmpfloat (fabs (a - b), <=, 1e-6);
}

static void
assert_percent (FtcPercent a, FtcPercent b)
{
  assert_close (a.value, b.value);
  assert_close (a.lo, b.lo);
  assert_close (a.hi, b.hi);
}

static void
test_model (void)
{
  g_autoptr (FtcReport) report = ftc_report_new (NULL);
  FtcResult *r = ftc_result_new ("synthetic_coin_flip", "ft_cot");
  FtcResult *again = ftc_result_new ("synthetic_coin_flip", "ft_cot");
  g_auto (GStrv) order = NULL;
  g_autofree char *d4 = ftc_method_display_name ("ft_cot_d4");

  ftc_result_set_accuracy (r, 8, 10);
  g_assert_cmpfloat_with_epsilon (r->accuracy.value, 80.0, 1e-12);
  /* the Wilson interval of 8/10, in percent */
  g_assert_cmpfloat_with_epsilon (r->accuracy.lo, 49.016247153664183, 1e-9);
  g_assert_cmpfloat_with_epsilon (r->accuracy.hi, 94.33178485456247, 1e-9);
  g_assert_true (isnan (r->best_epoch_accuracy));
  ftc_report_add_result (report, r);
  /* the same task and method replaces */
  ftc_result_set_accuracy (again, 9, 10);
  ftc_report_add_result (report, again);
  g_assert_cmpuint (report->results->len, ==, 1);
  g_assert_cmpfloat (ftc_report_lookup (report, "synthetic_coin_flip", "ft_cot")->accuracy.value, ==, 90.0);
  g_assert_null (ftc_report_lookup (report, "synthetic_coin_flip", "vanilla"));
  /* titles: set, registry, key */
  g_assert_cmpstr (ftc_report_get_title (report, "synthetic_coin_flip"), ==, "Coin Flip (synthetic)");
  g_assert_cmpstr (ftc_report_get_title (report, "unknown_task"), ==, "unknown_task");
  ftc_report_set_title (report, "unknown_task", "Mine");
  g_assert_cmpstr (ftc_report_get_title (report, "unknown_task"), ==, "Mine");
  g_assert_cmpstr (d4, ==, "Fine-tune-CoT D=4");

  {
    g_autoptr (FtcReport) all = random_report (3);
    order = ftc_report_methods (all);
    g_assert_cmpuint (g_strv_length (order), ==, 7);
    g_assert_cmpstr (order[0], ==, "teacher");
    g_assert_cmpstr (order[1], ==, "random");
    g_assert_cmpstr (order[2], ==, "zero_shot");
    g_assert_cmpstr (order[3], ==, "vanilla");
    g_assert_cmpstr (order[4], ==, "ft_cot");
    g_assert_cmpstr (order[5], ==, "ft_cot_d2");
    g_assert_cmpstr (order[6], ==, "ft_cot_d4");
  }
}

static void
test_json_roundtrip (void)
{
  g_autoptr (FtcReport) report = random_report (17);
  g_autoptr (FtcReport) back = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "summary.json", NULL);
  g_autofree char *text = NULL;
  JsonObject *root, *coin, *ft;

  g_assert_true (ftc_report_save_json (report, path, &error));
  g_assert_no_error (error);
  back = ftc_report_load_json (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->name, ==, report->name);
  g_assert_cmpuint (back->results->len, ==, report->results->len);
  g_assert_cmpuint (back->tasks->len, ==, 3);
  for (guint i = 0; i < report->results->len; i++)
    {
      const FtcResult *a = g_ptr_array_index (report->results, i);
      const FtcResult *b = ftc_report_lookup (back, a->task, a->method);
      g_assert_nonnull (b);
      assert_percent (a->accuracy, b->accuracy);
      g_assert_cmpint (a->n, ==, b->n);
      g_assert_cmpint (a->correct, ==, b->correct);
      g_assert_cmpint (a->last_epoch, ==, b->last_epoch);
      g_assert_cmpint (a->best_epoch, ==, b->best_epoch);
      assert_close (a->best_epoch_accuracy, b->best_epoch_accuracy);
      g_assert_cmpint (a->train_size, ==, b->train_size);
      g_assert_cmpint (a->diversity, ==, b->diversity);
      g_assert_cmpint (a->sampled_k, ==, b->sampled_k);
      g_assert_cmpint (a->sampled_n, ==, b->sampled_n);
      if (a->sampled_k > 0)
        assert_close (a->sampled_temperature, b->sampled_temperature);
      assert_percent (a->pass_at_k, b->pass_at_k);
      assert_percent (a->avg_at_k, b->avg_at_k);
      assert_percent (a->maj_at_k, b->maj_at_k);
    }
  g_assert_cmpuint (back->scaling->len, ==, report->scaling->len);
  for (guint i = 0; i < report->scaling->len; i++)
    {
      const FtcScalingPoint *a = g_ptr_array_index (report->scaling, i);
      const FtcScalingPoint *b = g_ptr_array_index (back->scaling, i);
      g_assert_cmpint (a->train_size, ==, b->train_size);
      assert_percent (a->accuracy, b->accuracy);
    }
  g_assert_cmpstr (ftc_report_get_title (back, "my_task"), ==, "My task, imported");
  g_assert_cmpfloat (back->decoding_temperature, ==, 0.0);   /* greedy */

  /* the stable interface, read as a script would */
  g_assert_true (json_parser_load_from_file (parser, path, NULL));
  root = json_node_get_object (json_parser_get_root (parser));
  coin = json_object_get_object_member (json_object_get_object_member (root, "tasks"), "synthetic_coin_flip");
  ft = json_object_get_object_member (coin, "ft_cot");
  assert_close (json_object_get_double_member (ft, "accuracy"),
                ftc_report_lookup (report, "synthetic_coin_flip", "ft_cot")->accuracy.value);
  g_assert_cmpfloat (json_object_get_double_member (ft, "accuracy"), >, 0.0);
  g_assert_cmpfloat (json_object_get_double_member (ft, "accuracy"), <=, 100.0);
  g_assert_true (json_object_has_member (ft, "best_epoch_accuracy"));
  g_assert_true (json_object_has_member (json_object_get_object_member (ft, "sampled"), "pass_at_k"));
  /* no NaN written for unknowns: the teacher has no epochs */
  g_assert_false (json_object_has_member (json_object_get_object_member (coin, "teacher"), "best_epoch_accuracy"));
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_null (strstr (text, "nan"));
  g_assert_null (strstr (text, "NaN"));
}

static void
test_json_errors (void)
{
  struct { const char *text; const char *fragment; } cases[] = {
    { "[]", "top level must be an object" },
    { "{}", "tasks is missing" },
    { "{\"tasks\": {\"t\": {\"ft_cot\": {\"n\": 3}}}}", "tasks.t.ft_cot.accuracy is missing" },
    { "{\"tasks\": {\"t\": {\"ft_cot\": {\"accuracy\": \"high\"}}}}", "tasks.t.ft_cot.accuracy must be a number" },
    { "{\"tasks\": {\"t\": {\"ft_cot\": {\"accuracy\": 5, \"ci95\": [1]}}}}", "tasks.t.ft_cot.ci95 must be [low, high]" },
    { "{\"tasks\": {\"t\": {\"ft_cot\": {\"accuracy\": 5, \"n\": 2.5}}}}", "tasks.t.ft_cot.n must be a non-negative integer" },
    { "{\"tasks\": {\"t\": []}}", "tasks.t must be an object" },
    { "{\"tasks\": {}, \"decoding\": {\"greedy\": \"no\"}}", "decoding.greedy must be true or false" },
    { "{\"tasks\": {}, \"decoding\": {\"greedy\": false}}", "decoding.temperature must be a number above 0" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_autoptr (GError) error = NULL;
      g_autoptr (FtcReport) report = NULL;

      g_assert_true (json_parser_load_from_data (parser, cases[i].text, -1, NULL));
      report = ftc_report_from_json (json_parser_get_root (parser), "summary.json", &error);
      g_assert_null (report);
      g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
      if (strstr (error->message, cases[i].fragment) == NULL)
        g_error ("'%s' lacks '%s'", error->message, cases[i].fragment);
    }
  {
    /* null accuracy (not measured) reads back as NaN */
    g_autoptr (JsonParser) parser = json_parser_new ();
    g_autoptr (FtcReport) report = NULL;
    g_assert_true (json_parser_load_from_data (parser, "{\"tasks\": {\"t\": {\"x_new\": {\"accuracy\": null}}}}", -1, NULL));
    report = ftc_report_from_json (json_parser_get_root (parser), NULL, NULL);
    g_assert_nonnull (report);
    g_assert_true (isnan (ftc_report_lookup (report, "t", "x_new")->accuracy.value));
  }
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (FtcReport) report = ftc_report_load_json ("no-such-dir/summary.json", &error);
    g_assert_null (report);
    g_assert_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND);
    g_assert_nonnull (strstr (error->message, "no-such-dir/summary.json"));
  }
}

/* A report whose students sampled their answers says so in summary.json, in what reads back and in the
 * terminal table; a greedy one says greedy. */
static void
test_decoding (void)
{
  g_autoptr (FtcReport) report = random_report (5);
  g_autoptr (FtcReport) back = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *greedy_table = ftc_report_format_table (report);
  g_autofree char *table = NULL;
  JsonObject *d;

  g_assert_nonnull (strstr (greedy_table, "greedy decoding"));
  report->decoding_temperature = 0.8;
  report->decoding_seed = 12;
  node = ftc_report_to_json (report);
  d = json_object_get_object_member (json_node_get_object (node), "decoding");
  g_assert_false (json_object_get_boolean_member (d, "greedy"));
  assert_close (json_object_get_double_member (d, "temperature"), 0.8);
  g_assert_cmpint (json_object_get_int_member (d, "seed"), ==, 12);
  back = ftc_report_from_json (node, NULL, &error);
  g_assert_no_error (error);
  assert_close (back->decoding_temperature, 0.8);
  g_assert_cmpuint (back->decoding_seed, ==, 12);
  table = ftc_report_format_table (back);
  g_assert_nonnull (strstr (table, "students sampled at temperature 0.8 (seed 12)"));
  g_assert_null (strstr (table, "greedy"));
}

/* The summary.json example in docs/reports.md reads. */
static void
test_docs_example (void)
{
  const char *root = g_getenv ("FTCOT_SOURCE_ROOT");
  g_autofree char *path = g_build_filename (root != NULL ? root : ".", "docs", "reports.md", NULL);
  g_autofree char *text = NULL, *block = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcReport) report = NULL;
  const char *start, *end;
  const FtcResult *r;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  start = strstr (text, "```json\n");
  g_assert_nonnull (start);
  start += strlen ("```json\n");
  end = strstr (start, "```");
  block = g_strndup (start, end - start);
  g_assert_true (json_parser_load_from_data (parser, block, -1, &error));
  report = ftc_report_from_json (json_parser_get_root (parser), "docs/reports.md", &error);
  g_assert_no_error (error);
  r = ftc_report_lookup (report, "synthetic_coin_flip", "ft_cot_d4");
  g_assert_nonnull (r);
  g_assert_cmpint (r->sampled_k, ==, 4);
  g_assert_cmpfloat (r->maj_at_k.value, ==, 91.5);
  g_assert_cmpuint (report->scaling->len, ==, 1);
}

static void
test_csv (void)
{
  g_autoptr (FtcReport) report = random_report (5);
  g_autofree char *csv = ftc_report_to_csv (report);
  g_auto (GStrv) lines = g_strsplit (csv, "\n", -1);
  const FtcResult *r = ftc_report_lookup (report, "my_task", "vanilla");
  g_autofree char *expected = g_strdup_printf ("my_task,\"My task, imported\",vanilla,");
  gboolean found = FALSE;

  /* header, 21 rows, and the empty string after the last newline */
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 21 + 1);
  g_assert_true (g_str_has_prefix (lines[0], "task,title,method,accuracy,ci95_low,ci95_high,n,correct"));
  for (guint i = 1; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], expected))
      {
        g_auto (GStrv) fields = g_strsplit (lines[i] + strlen (expected), ",", -1);
        found = TRUE;
        assert_close (g_ascii_strtod (fields[0], NULL), r->accuracy.value);
        g_assert_cmpint (atoi (fields[3]), ==, r->n);
        g_assert_cmpint (atoi (fields[4]), ==, r->correct);
      }
  g_assert_true (found);
}

static void
test_table (void)
{
  g_autoptr (FtcReport) report = ftc_report_new ("t");
  g_autofree char *empty = ftc_report_format_table (report);
  g_autofree char *table = NULL;
  FtcResult *r;

  g_assert_cmpstr (empty, ==, "No results yet.\n");
  r = ftc_result_new ("synthetic_coin_flip", "teacher");
  ftc_result_set_accuracy (r, 987, 1000);
  ftc_report_add_result (report, r);
  r = ftc_result_new ("synthetic_coin_flip", "ft_cot");
  ftc_result_set_accuracy (r, 905, 1000);
  r->best_epoch = 7;
  r->best_epoch_accuracy = 93.25;
  ftc_report_add_result (report, r);
  r = ftc_result_new ("synthetic_arithmetic", "vanilla");
  ftc_result_set_accuracy (r, 1, 3);
  ftc_report_add_result (report, r);
  table = ftc_report_format_table (report);
  g_test_message ("%s", table);
  g_assert_nonnull (strstr (table, "Coin Flip (synthetic)"));
  g_assert_nonnull (strstr (table, "teacher"));
  g_assert_nonnull (strstr (table, " 98.7"));
  g_assert_nonnull (strstr (table, " 90.5"));
  g_assert_nonnull (strstr (table, " 33.3"));
  /* the coin flip row has no vanilla result */
  g_assert_nonnull (strstr (table, "Best epoch"));
  g_assert_nonnull (strstr (table, "93.2@7"));
  /* the columns line up: every row of the first table is as long as its header */
  {
    g_auto (GStrv) lines = g_strsplit (table, "\n", -1);
    glong header = g_utf8_strlen (lines[1], -1);
    g_assert_cmpint (g_utf8_strlen (lines[2], -1), ==, header);
    g_assert_cmpint (g_utf8_strlen (lines[3], -1), ==, header);
  }
}

static void
test_charts (void)
{
  g_autoptr (FtcReport) report = random_report (9);
  g_autoptr (FtcChart) bars = ftc_report_chart_accuracy (report);
  g_autoptr (FtcChart) diversity = ftc_report_chart_diversity (report);
  g_autoptr (FtcChart) sizes = ftc_report_chart_data_size (report);
  g_autoptr (FtcReport) one = ftc_report_new (NULL);
  g_autoptr (FtcChart) none = NULL;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 640, 400);
  cairo_t *cr = cairo_create (surface);
  FtcChartGeometry g;
  g_auto (GStrv) order = ftc_report_methods (report);

  /* bars: one series per method in canonical order, heights from the results */
  g_assert_cmpint (ftc_chart_get_n_series (bars), ==, 7);
  ftc_chart_render (bars, cr, 640, 400, FTC_CHART_THEME_LIGHT, &g);
  for (guint t = 0; t < report->tasks->len; t++)
    for (int m = 0; order[m] != NULL; m++)
      {
        double rect[4];
        const FtcResult *r = ftc_report_lookup (report, g_ptr_array_index (report->tasks, t), order[m]);
        g_assert_true (ftc_chart_bar_rect (bars, &g, t, m, rect));
        assert_close (rect[3], r->accuracy.value / 100.0 * g.plot_h);
      }
  /* accuracy against D: one line per task (D = 1, 2, 4) */
  g_assert_nonnull (diversity);
  g_assert_cmpint (ftc_chart_get_n_series (diversity), ==, 3);
  g_assert_nonnull (sizes);
  g_assert_cmpint (ftc_chart_get_n_series (sizes), ==, 1);
  /* no ft_cot variants: no diversity chart; no scaling: no size chart */
  ftc_report_add_result (one, ftc_result_new ("synthetic_coin_flip", "ft_cot"));
  none = ftc_report_chart_diversity (one);
  g_assert_null (none);
  g_assert_null (ftc_report_chart_data_size (one));
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

static const char metrics_text[] =
  "{\"task\": \"synthetic_coin_flip\", \"method\": \"ft_cot\", \"step\": 1, \"epoch\": 1, \"loss\": 2.5, \"lr\": 0.0003}\n"
  "{\"task\": \"synthetic_coin_flip\", \"method\": \"ft_cot\", \"step\": 2, \"epoch\": 1, \"loss\": 2.1, \"lr\": 0.0003, \"extra\": [1]}\n"
  "{\"task\": \"synthetic_coin_flip\", \"method\": \"vanilla\", \"step\": 1, \"epoch\": 1, \"loss\": 1.5, \"lr\": 0.0003}\n"
  "{\"task\": \"synthetic_coin_flip\", \"method\": \"ft_cot\", \"step\": 2, \"epoch\": 1, \"val_loss\": 2.3, \"test_accuracy\": 55.0}\n"
  "\n"
  "{\"task\": \"synthetic_coin_flip\", \"method\": \"ft_cot\", \"step\": 3, \"epoch\": 2, \"loss\": 1.9, \"lr\": 0.0003}\n"
  "{\"task\": \"synthetic_coin_flip\", \"method\": \"ft_cot\", \"st";   /* cut short by a kill */

static void
test_curves (void)
{
  g_autofree char *path = ftc_test_write_tmp ("metrics.jsonl", metrics_text, -1);
  g_autofree char *bad = ftc_test_write_tmp ("metrics.jsonl", "{\"task\": \"a\", \"method\": \"b\", \"step\": 1}\n"
                                             "not json\n{\"task\": \"a\", \"method\": \"b\", \"step\": 2}\n", -1);
  g_autofree char *no_task = ftc_test_write_tmp ("metrics.jsonl", "{\"step\": 1, \"loss\": 2}\n{}\n", -1);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) curves = ftc_curves_load (path, &error);
  g_autoptr (GPtrArray) none = NULL;
  const FtcCurve *c;
  g_autoptr (FtcChart) chart = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (curves->len, ==, 2);
  c = g_ptr_array_index (curves, 0);
  g_assert_cmpstr (c->method, ==, "ft_cot");
  g_assert_cmpuint (c->step->len, ==, 3);
  g_assert_cmpfloat (g_array_index (c->loss, double, 2), ==, 1.9);
  g_assert_cmpuint (c->lr->len, ==, 3);
  g_assert_cmpfloat (g_array_index (c->acc, double, 0), ==, 55.0);
  /* training loss and learning rate; the line's val_loss (which ftcot never writes) is not read */
  chart = ftc_curve_chart (c, "curves");
  g_assert_cmpint (ftc_chart_get_n_series (chart), ==, 2);
  g_assert_cmpfloat (g_array_index (c->acc_epoch, double, 0), ==, 1);
  {
    /* accuracy per epoch: only ft_cot has accuracies */
    g_autoptr (FtcChart) epochs = ftc_curves_chart_accuracy (curves, "synthetic_coin_flip", "epochs");
    double x, y;
    g_assert_nonnull (epochs);
    g_assert_cmpint (ftc_chart_get_n_series (epochs), ==, 1);
    g_assert_true (ftc_chart_get_point (epochs, 0, 0, &x, &y));
    g_assert_cmpfloat (x, ==, 1);
    g_assert_cmpfloat (y, ==, 55.0);
    g_assert_null (ftc_curves_chart_accuracy (curves, "other_task", "epochs"));
  }

  none = ftc_curves_load (bad, &error);
  g_assert_null (none);
  g_assert_error (error, FTC_ERROR, FTC_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "metrics.jsonl:2:"));
  g_clear_error (&error);
  none = ftc_curves_load (no_task, &error);
  g_assert_null (none);
  g_assert_nonnull (strstr (error->message, "metrics.jsonl:1: a metrics line needs task, method and step"));
}

static void
test_write (void)
{
  g_autoptr (FtcReport) report = random_report (23);
  g_autoptr (FtcReport) back = NULL;
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *report_dir = g_build_filename (dir, "report", NULL);
  g_autofree char *metrics = g_build_filename (dir, "metrics.jsonl", NULL);
  g_autofree char *summary = g_build_filename (report_dir, "summary.json", NULL);
  g_autoptr (GPtrArray) written = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  const char *expected[] = { "summary.json", "summary.csv", "accuracy.png", "accuracy.svg", "diversity.png",
                             "diversity.svg", "data-size.png", "data-size.svg", "curves-synthetic_coin_flip.ft_cot.png",
                             "curves-synthetic_coin_flip.ft_cot.svg", "curves-synthetic_coin_flip.vanilla.png",
                             "epochs-synthetic_coin_flip.png", "epochs-synthetic_coin_flip.svg",
                             /* the report has sampled results: their pass@1 as bars */
                             "benchmarks.png", "benchmarks.svg" };

  g_assert_true (g_file_set_contents (metrics, metrics_text, -1, NULL));
  g_assert_true (ftc_report_write (report, report_dir, metrics, 640, 400, FTC_CHART_THEME_LIGHT, written, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (written->len, ==, 16);
  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *path = g_build_filename (report_dir, expected[i], NULL);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
      if (g_str_has_suffix (path, ".png"))
        {
          cairo_surface_t *png = cairo_image_surface_create_from_png (path);
          g_assert_cmpint (cairo_surface_status (png), ==, CAIRO_STATUS_SUCCESS);
          g_assert_cmpint (cairo_image_surface_get_width (png), ==, 640);
          g_assert_cmpint (cairo_image_surface_get_height (png), ==, 400);
          cairo_surface_destroy (png);
        }
    }
  /* the summary reads back with the same numbers */
  back = ftc_report_load_json (summary, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < report->results->len; i++)
    {
      const FtcResult *a = g_ptr_array_index (report->results, i);
      assert_percent (a->accuracy, ftc_report_lookup (back, a->task, a->method)->accuracy);
    }
  /* without metrics: no curves, no error */
  g_ptr_array_set_size (written, 0);
  g_assert_true (ftc_report_write (back, report_dir, NULL, 640, 400, FTC_CHART_THEME_DARK, written, &error));
  g_assert_cmpuint (written->len, ==, 10);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/report/model", test_model);
  g_test_add_func ("/report/json-roundtrip", test_json_roundtrip);
  g_test_add_func ("/report/json-errors", test_json_errors);
  g_test_add_func ("/report/docs-example", test_docs_example);
  g_test_add_func ("/report/decoding", test_decoding);
  g_test_add_func ("/report/csv", test_csv);
  g_test_add_func ("/report/table", test_table);
  g_test_add_func ("/report/charts", test_charts);
  g_test_add_func ("/report/curves", test_curves);
  g_test_add_func ("/report/write", test_write);
  return g_test_run ();
}
