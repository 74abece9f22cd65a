/* ftcot run and ftcot demo: an experiment from teacher rationales to an evaluated student and its report,
 * with progress on the terminal; Ctrl-C stops cleanly and the next run continues where this one stopped. */
#include <stdio.h>
#include <string.h>

#include <glib.h>
#ifdef G_OS_UNIX
#include <glib-unix.h>
#include <signal.h>
#endif

#include "app/ftc-cli.h"
#include "core/method/ftc-demo.h"
#include "core/ftc-error.h"
#include "core/method/ftc-pipeline.h"

typedef struct {
  FtcPipeline *pipeline;
  GMainLoop *loop;
  GCancellable *cancellable;
  GError *error;
  gboolean tty;
  gboolean quiet;
  gboolean bar_drawn;
  int signals;
} Run;

static void
clear_bar (Run *run)
{
  if (run->bar_drawn)
    {
      printf ("\r\033[K");
      run->bar_drawn = FALSE;
    }
}

static void
on_log (FtcPipeline *pipeline, const char *line, Run *run)
{
  if (run->quiet)
    return;
  clear_bar (run);
  printf ("%s\n", line);
  fflush (stdout);
}

static void
on_progress (GObject *object, GParamSpec *pspec, Run *run)
{
  FtcPipeline *p = run->pipeline;
  int width = 24, filled = (int) (ftc_pipeline_get_fraction (p) * width);
  char bar[32];
  const char *method = ftc_pipeline_get_method (p);

  if (!run->tty || run->quiet)
    return;
  for (int i = 0; i < width; i++)
    bar[i] = i < filled ? '#' : '.';
  bar[width] = '\0';
  printf ("\r[%s] %s %s%s%s\033[K", bar, ftc_pipeline_get_stage (p), ftc_pipeline_get_task (p) ? ftc_pipeline_get_task (p) : "",
          method != NULL ? " " : "", method != NULL ? method : "");
  fflush (stdout);
  run->bar_drawn = TRUE;
}

static void
on_finished (GObject *source, GAsyncResult *result, gpointer data)
{
  Run *run = data;

  ftc_pipeline_run_finish (FTC_PIPELINE (source), result, &run->error);
  g_main_loop_quit (run->loop);
}

#ifdef G_OS_UNIX
static gboolean
on_signal (gpointer data)
{
  Run *run = data;

  /* the first Ctrl-C stops at the next safe point; a second one leaves at once (nothing saved is lost:
   * every record and checkpoint is written atomically or appended whole) */
  if (++run->signals > 1)
    _exit (FTC_EXIT_CANCELLED);
  clear_bar (run);
  g_printerr ("Stopping... (Ctrl-C again to quit at once)\n");
  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_CONTINUE;
}
#endif

static int
run_pipeline (const char *name, FtcPipeline *pipeline, gboolean json, gboolean quiet)
{
  Run run = { pipeline, g_main_loop_new (NULL, FALSE), g_cancellable_new (), NULL,
              ftc_cli_stdout_is_tty () && !json, quiet || json, FALSE, 0 };
  const FtcReport *report;
  int status = FTC_EXIT_OK;
#ifdef G_OS_UNIX
  guint sigint = g_unix_signal_add (SIGINT, on_signal, &run);
  guint sigterm = g_unix_signal_add (SIGTERM, on_signal, &run);
#endif

  g_signal_connect (pipeline, "log", G_CALLBACK (on_log), &run);
  g_signal_connect (pipeline, "notify::fraction", G_CALLBACK (on_progress), &run);
  g_signal_connect (pipeline, "notify::stage", G_CALLBACK (on_progress), &run);
  ftc_pipeline_run_async (pipeline, run.cancellable, on_finished, &run);
  g_main_loop_run (run.loop);
  clear_bar (&run);
#ifdef G_OS_UNIX
  g_source_remove (sigint);
  g_source_remove (sigterm);
#endif

  if (run.error != NULL)
    {
      if (g_error_matches (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          || g_error_matches (run.error, FTC_ERROR, FTC_ERROR_CANCELLED))
        {
          g_printerr ("ftcot %s: stopped; run `ftcot run %s` to continue\n", name, ftc_pipeline_get_dir (pipeline));
          status = FTC_EXIT_CANCELLED;
        }
      else
        status = ftc_cli_error (name, run.error);
      g_error_free (run.error);
    }
  else if ((report = ftc_pipeline_get_report (pipeline)) != NULL)
    {
      if (json)
        {
          g_autoptr (JsonNode) node = ftc_report_to_json (report);
          ftc_cli_print_json (node);
        }
      else
        {
          g_autofree char *table = ftc_report_format_table (report);
          printf ("\n%s\nReport: %s/report/\n", table, ftc_pipeline_get_dir (pipeline));
        }
    }
  g_main_loop_unref (run.loop);
  g_object_unref (run.cancellable);
  return status;
}

int
ftc_cmd_run (int argc, char **argv)
{
  g_autofree char *out = NULL;
  gboolean json = FALSE, quiet = FALSE;
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcPipeline) pipeline = NULL;
  g_autofree char *dir = NULL;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Experiment directory (default: beside the file)", "DIR" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print report/summary.json's content at the end", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print only the final table", NULL },
    { NULL }
  };

  if (!ftc_cli_parse ("run", "EXPERIMENT.json|DIR",
                      "Runs an experiment, or continues it: teach, curate, fine-tune, train, evaluate, report.",
                      entries, &argc, &argv))
    return FTC_EXIT_USAGE;
  if (argc != 2)
    return ftc_cli_usage_error ("run", "expected one experiment file or directory");

  if (g_file_test (argv[1], G_FILE_TEST_IS_DIR))
    {
      dir = g_strdup (out != NULL ? out : argv[1]);
      pipeline = ftc_pipeline_new (dir, NULL, &error);
    }
  else
    {
      g_autoptr (FtcExperiment) exp = ftc_experiment_load (argv[1], &error);
      if (exp == NULL)
        return ftc_cli_error ("run", error);
      if (out != NULL)
        dir = g_strdup (out);
      else
        {
          /* my-exp.json runs in my-exp/; a file named experiment.json is already in its directory */
          g_autofree char *base = g_path_get_basename (argv[1]);
          g_autofree char *parent = g_path_get_dirname (argv[1]);
          if (strcmp (base, "experiment.json") == 0)
            dir = g_strdup (parent);
          else
            {
              char *dot = strrchr (base, '.');
              if (dot != NULL)
                *dot = '\0';
              dir = g_build_filename (parent, base, NULL);
            }
        }
      pipeline = ftc_pipeline_new (dir, g_steal_pointer (&exp), &error);
    }
  if (pipeline == NULL)
    return ftc_cli_error ("run", error);
  return run_pipeline ("run", pipeline, json, quiet);
}

int
ftc_cmd_demo (int argc, char **argv)
{
  g_autofree char *out = NULL;
  gboolean quick = FALSE, json = FALSE, quiet = FALSE;
  g_autofree char *device = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcPipeline) pipeline = NULL;
  FtcExperiment *exp;
  GOptionEntry entries[] = {
    { "quick", 0, 0, G_OPTION_ARG_NONE, &quick, "A smaller demo: one task, no diverse students (about 2 minutes on 2 CPU cores)", NULL },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Experiment directory (default: ftcot-demo or ftcot-demo-quick)",
      "DIR" },
    { "device", 0, 0, G_OPTION_ARG_STRING, &device, "cpu, opencl:N (default: the first OpenCL GPU, else cpu)", "D" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print report/summary.json's content at the end", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print only the final table", NULL },
    { NULL }
  };

  if (!ftc_cli_parse ("demo", NULL,
                      "Fine-tune-CoT offline: a built-in teacher writes step-by-step rationales for synthetic tasks, "
                      "tiny students learn from them, and every method is compared with the teacher and the "
                      "baselines.", entries, &argc, &argv))
    return FTC_EXIT_USAGE;
  if (argc != 1)
    return ftc_cli_usage_error ("demo", "unexpected argument '%s'", argv[1]);
  exp = ftc_demo_experiment (quick);
  if (device != NULL)
    {
      g_free (exp->device);
      exp->device = g_strdup (device);
    }
  if (out == NULL)
    out = g_strdup (quick ? "ftcot-demo-quick" : "ftcot-demo");
  pipeline = ftc_pipeline_new (out, exp, &error);
  if (pipeline == NULL)
    return ftc_cli_error ("demo", error);
  return run_pipeline ("demo", pipeline, json, quiet);
}
