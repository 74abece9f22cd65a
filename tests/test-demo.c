/* test-demo: `ftcot demo --quick` run as a user would, on the CPU, in a temporary directory: it finishes,
 * prints the per-task table, writes the report with its charts, report/summary.json holds every task and
 * method of the demo, and the demo shows the paper's finding: Fine-tune-CoT beats vanilla fine-tuning by
 * at least 20 points on each of its tasks (docs/demo.md has the numbers and why these tasks). The quick
 * demo trains the full demo's arithmetic students (vanilla and ft_cot, the same data, vocabulary and
 * seeds), so this checks the full demo's finding on that task. The ftcot binary's path is the last
 * argument. */
#include <string.h>

#include <json-glib/json-glib.h>

#include "core/method/ftc-demo.h"
#include "core/method/ftc-experiment.h"
#include "tests/ftc-test-util.h"

static char *ftcot;

static void
test_demo_quick (void)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *out_dir = g_build_filename (dir, "demo", NULL);
  g_autofree char *summary_path = g_build_filename (out_dir, "report", "summary.json", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (FtcExperiment) exp = ftc_demo_experiment (TRUE);
  const char *argv[] = { ftcot, "demo", "--quick", "--device", "cpu", "--out", out_dir, NULL };
  JsonObject *tasks;
  int status = 0;
  guint clear_wins = 0;
  gint64 start = g_get_monotonic_time ();

  g_auto (GStrv) envp = g_get_environ ();
  g_autoptr (GString) finding = g_string_new (NULL);

  /* threads that spin at barriers crawl on a shared, loaded machine (docs/demo.md) */
  envp = g_environ_setenv (envp, "OMP_WAIT_POLICY", "PASSIVE", FALSE);
  g_assert_true (g_spawn_sync (dir, (char **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                               &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("ftcot demo --quick failed: %s\n%s", error->message, err);
  g_test_message ("ftcot demo --quick: %.0f s", (g_get_monotonic_time () - start) / 1e6);
  g_test_message ("%s", out);

  /* the table names every task and method */
  for (guint t = 0; t < exp->tasks->len; t++)
    g_assert_nonnull (strstr (out, ((FtcExperimentTask *) exp->tasks->pdata[t])->key));
  g_assert_nonnull (strstr (out, "vanilla"));
  g_assert_nonnull (strstr (out, "ft_cot"));

  /* the charts */
  for (const char *const *name = (const char *const[]) { "accuracy.png", "accuracy.svg", NULL }; *name; name++)
    {
      g_autofree char *path = g_build_filename (out_dir, "report", *name, NULL);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    }

  g_assert_true (json_parser_load_from_file (parser, summary_path, &error));
  g_assert_no_error (error);
  tasks = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "tasks");
  g_assert_nonnull (tasks);
  g_assert_cmpuint (json_object_get_size (tasks), ==, exp->tasks->len);
  for (guint t = 0; t < exp->tasks->len; t++)
    {
      const char *key = ((FtcExperimentTask *) exp->tasks->pdata[t])->key;
      JsonObject *methods;
      double vanilla = -1, ft_cot = -1;

      g_assert_true (json_object_has_member (tasks, key));
      methods = json_object_get_object_member (tasks, key);
      for (guint m = 0; m < exp->methods->len; m++)
        {
          g_autofree char *name = ftc_method_to_string (&g_array_index (exp->methods, FtcMethod, m));
          JsonObject *r;
          double acc;

          if (!json_object_has_member (methods, name))
            g_error ("summary.json: task %s has no method %s", key, name);
          r = json_object_get_object_member (methods, name);
          acc = json_object_get_double_member (r, "accuracy");
          g_assert_cmpfloat (acc, >=, 0);
          g_assert_cmpfloat (acc, <=, 100);
          if (g_str_equal (name, "vanilla"))
            vanilla = acc;
          else if (g_str_equal (name, "ft_cot"))
            ft_cot = acc;
        }
      g_test_message ("%s: vanilla %.1f%%, ft_cot %.1f%%", key, vanilla, ft_cot);
      g_string_append_printf (finding, " %s: vanilla %.1f%%, ft_cot %.1f%%;", key, vanilla, ft_cot);
      if (ft_cot >= vanilla + 20)
        clear_wins++;
    }
  if (clear_wins < exp->tasks->len)
    g_error ("the demo does not show the paper's finding: Fine-tune-CoT beats vanilla by 20 points on %u of "
             "its %u tasks;%s", clear_wins, exp->tasks->len, finding->str);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    {
      g_printerr ("usage: %s [--tap] FTCOT\n", argv[0]);
      return 2;
    }
  /* the demo runs in a temporary directory: a relative path must not depend on it */
  ftcot = g_canonicalize_filename (argv[argc - 1], NULL);
  g_test_add_func ("/demo/quick", test_demo_quick);
  return g_test_run ();
}
