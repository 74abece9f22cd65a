/* test-cmd-report: `ftcot report DIR` on an experiment directory: the table, --json with the same numbers
 * as summary.json, the files it writes, and its errors. The ftcot binary's path is the last argument. */
#include <math.h>
#include <string.h>

#include "core/results/ftc-report.h"
#include "tests/ftc-test-util.h"

static const char *ftcot;

static int
run (const char *const *args, char **out, char **err)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  int status = 0;

  g_ptr_array_add (argv, (char *) ftcot);
  g_ptr_array_add (argv, "report");
  for (const char *const *a = args; *a != NULL; a++)
    g_ptr_array_add (argv, (char *) *a);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err,
                               &status, &error));
  g_assert_no_error (error);
  if (g_spawn_check_wait_status (status, &error))
    return 0;
  return g_error_matches (error, G_SPAWN_EXIT_ERROR, error->code) ? error->code : -1;
}

static char *
make_experiment (void)
{
  char *dir = ftc_test_tmpdir ();
  g_autofree char *report_dir = g_build_filename (dir, "report", NULL);
  g_autofree char *summary = g_build_filename (report_dir, "summary.json", NULL);
  g_autofree char *metrics = g_build_filename (dir, "metrics.jsonl", NULL);
  g_autoptr (FtcReport) report = ftc_report_new ("cli");
  g_autoptr (GError) error = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (31);
  const char *methods[] = { "teacher", "random", "vanilla", "ft_cot", "ft_cot_d2" };
  GString *lines = g_string_new (NULL);

  for (gsize m = 0; m < G_N_ELEMENTS (methods); m++)
    {
      FtcResult *r = ftc_result_new ("synthetic_coin_flip", methods[m]);
      ftc_result_set_accuracy (r, g_rand_int_range (rand, 0, 200), 200);
      ftc_report_add_result (report, r);
    }
  for (int step = 1; step <= 30; step++)
    g_string_append_printf (lines, "{\"task\": \"synthetic_coin_flip\", \"method\": \"ft_cot\", \"step\": %d, "
                            "\"loss\": %.4f, \"lr\": 0.0003}\n", step, 2.0 / step + g_rand_double (rand) * 0.1);
  g_assert_cmpint (g_mkdir_with_parents (report_dir, 0755), ==, 0);
  g_assert_true (ftc_report_save_json (report, summary, &error));
  g_assert_true (g_file_set_contents (metrics, lines->str, -1, NULL));
  g_string_free (lines, TRUE);
  return dir;
}

static void
test_table_and_files (void)
{
  g_autofree char *dir = make_experiment ();
  g_autofree char *out = NULL, *err = NULL;
  const char *args[] = { "--width", "640", "--height", "400", dir, NULL };
  const char *files[] = { "summary.csv", "accuracy.png", "accuracy.svg", "diversity.png",
                          "curves-synthetic_coin_flip.ft_cot.png", "curves-synthetic_coin_flip.ft_cot.svg" };

  g_assert_cmpint (run (args, &out, &err), ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_assert_nonnull (strstr (out, "Coin Flip (synthetic)"));
  g_assert_nonnull (strstr (out, "ft_cot_d2"));
  g_assert_nonnull (strstr (out, "Wrote:"));
  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (dir, "report", files[i], NULL);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    }
}

static void
test_json (void)
{
  g_autofree char *dir = make_experiment ();
  g_autofree char *summary = g_build_filename (dir, "report", "summary.json", NULL);
  g_autofree char *out = NULL, *err = NULL;
  const char *args[] = { "--json", dir, NULL };
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (FtcReport) printed = NULL, stored = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (run (args, &out, &err), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  printed = ftc_report_from_json (json_parser_get_root (parser), "stdout", &error);
  g_assert_no_error (error);
  stored = ftc_report_load_json (summary, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (printed->results->len, ==, 5);
  for (guint i = 0; i < stored->results->len; i++)
    {
      const FtcResult *a = g_ptr_array_index (stored->results, i);
      const FtcResult *b = ftc_report_lookup (printed, a->task, a->method);
      g_assert_nonnull (b);
      g_assert_cmpfloat (fabs (a->accuracy.value - b->accuracy.value), <=, 1e-9);
      g_assert_cmpint (a->correct, ==, b->correct);
    }
}

static void
test_errors (void)
{
  g_autofree char *empty = ftc_test_tmpdir ();
  g_autofree char *broken = make_experiment ();
  g_autofree char *summary = g_build_filename (broken, "report", "summary.json", NULL);
  g_autofree char *out = NULL, *err = NULL;
  const char *no_results[] = { empty, NULL };
  const char *bad_summary[] = { broken, NULL };
  const char *no_dir[] = { "no-such-experiment", NULL };
  const char *nothing[] = { NULL };

  g_assert_cmpint (run (no_results, &out, &err), ==, 1);
  g_assert_true (g_str_has_prefix (err, "ftcot report: "));
  g_assert_nonnull (strstr (err, "summary.json: no results yet"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_true (g_file_set_contents (summary, "{\"tasks\": {\"t\": {\"ft_cot\": {\"n\": 1}}}}", -1, NULL));
  g_assert_cmpint (run (bad_summary, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "summary.json: tasks.t.ft_cot.accuracy is missing"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run (no_dir, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "no-such-experiment: not an experiment directory"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run (nothing, &out, &err), ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    g_error ("usage: test-cmd-report [--tap] PATH-TO-FTCOT");
  ftcot = argv[argc - 1];
  g_test_add_func ("/cmd-report/table-and-files", test_table_and_files);
  g_test_add_func ("/cmd-report/json", test_json);
  g_test_add_func ("/cmd-report/errors", test_errors);
  return g_test_run ();
}
