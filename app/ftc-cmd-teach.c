/* ftcot teach: a teacher answers a task's questions step by step (Zero-shot-CoT), D samples each, into an
 * output folder; interrupted runs continue where they stopped and never send a finished request again. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#ifdef G_OS_UNIX
#include <glib-unix.h>
#include <signal.h>
#endif

#include "app/ftc-cli.h"
#include "core/ftc-error.h"
#include "core/teach/ftc-teach-options.h"

typedef struct {
  FtcTeachJob *job;
  GMainLoop *loop;
  GCancellable *cancellable;
  GError *error;
  gboolean finished;
  gboolean tty;
  gint64 last_draw;
  gint64 started;
  int signals;
} TeachRun;

static char *
format_cost (double usd)
{
  if (usd < 0)
    return g_strdup ("price unknown");
  return g_strdup_printf ("$%.4f", usd);
}

static void
draw (TeachRun *run, gboolean final)
{
  guint done = ftc_teach_job_get_done (run->job);
  guint total = MAX (ftc_teach_job_get_total (run->job), 1);
  int width = 30, filled = (int) ((double) done / total * width);
  g_autofree char *cost = format_cost (ftc_teach_job_get_cost (run->job));
  double elapsed = (g_get_monotonic_time () - run->started) / 1e6;
  GString *bar = g_string_new (NULL);

  for (int i = 0; i < width; i++)
    g_string_append_c (bar, i < filled ? '#' : '.');
  printf ("\r[%s] %u/%u records  %u in flight  %" G_GUINT64_FORMAT " tokens  %s  %.0fs\033[K", bar->str, done,
          ftc_teach_job_get_total (run->job), ftc_teach_job_get_in_flight (run->job),
          ftc_teach_job_get_tokens (run->job), cost, elapsed);
  if (final)
    printf ("\n");
  fflush (stdout);
  g_string_free (bar, TRUE);
}

static void
on_progress (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  TeachRun *run = user_data;
  gint64 now = g_get_monotonic_time ();

  /* a terminal redraw ten times a second is plenty */
  if (run->tty && now - run->last_draw > 100000)
    {
      run->last_draw = now;
      draw (run, FALSE);
    }
}

static void
on_finished (GObject *source, GAsyncResult *result, gpointer user_data)
{
  TeachRun *run = user_data;

  ftc_teach_job_run_finish (FTC_TEACH_JOB (source), result, &run->error);
  run->finished = TRUE;
  g_main_loop_quit (run->loop);
}

#ifdef G_OS_UNIX
static gboolean
on_signal (gpointer user_data)
{
  TeachRun *run = user_data;

  /* everything received is on disk already: stopping is only a matter of not waiting any longer */
  run->signals++;
  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_CONTINUE;
}
#endif

int
ftc_cmd_teach (int argc, char **argv)
{
  g_autofree char *task_key = NULL, *split = NULL, *teacher_spec = NULL, *model = NULL, *out_dir = NULL;
  g_autofree char *api_name = NULL, *key_env = NULL, *key_file = NULL, *price_file = NULL, *data_dir = NULL;
  g_autofree char *n_mode = NULL, *reasoning_trigger = NULL, *answer_trigger = NULL, *system_prompt = NULL;
  int samples = 1, max_in_flight = 8, max_tokens = 128, answer_max_tokens = 32, attempts = 6, limit = 0;
  int synthetic_n = 0;
  double temperature = -1, budget = 0, rpm = 0, tpm = 0, timeout = 120, error_rate = 0.1;
  double price_prompt = 0, price_completion = 0;
  gint64 budget_tokens = 0;
  gint64 seed = 1;
  gboolean dry_run = FALSE, quiet = FALSE, networked = FALSE, replay = FALSE;
  GOptionEntry entries[] = {
    { "task", 0, 0, G_OPTION_ARG_STRING, &task_key, "Task key, key:params or task file (required)", "KEY" },
    { "split", 0, 0, G_OPTION_ARG_STRING, &split, "Questions to teach: train (default), test or all", "SPLIT" },
    { "teacher", 0, 0, G_OPTION_ARG_STRING, &teacher_spec,
      "An OpenAI-compatible URL, replay:FILE or scripted (default for synthetic tasks)", "URL" },
    { "model", 0, 0, G_OPTION_ARG_STRING, &model, "Teacher model name (URL teachers: required)", "NAME" },
    { "api", 0, 0, G_OPTION_ARG_STRING, &api_name, "chat, completions or auto (default: from the model name)", "API" },
    { "samples", 0, 0, G_OPTION_ARG_INT, &samples, "Rationales per question, D (default 1)", "D" },
    { "temperature", 0, 0, G_OPTION_ARG_DOUBLE, &temperature,
      "Sampling temperature T of step 1 (default 0 for D = 1, else 0.7)", "T" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out_dir, "Output (experiment) folder (required)", "DIR" },
    { "max-requests-in-flight", 0, 0, G_OPTION_ARG_INT, &max_in_flight, "Concurrent requests (default 8)", "N" },
    { "budget", 0, 0, G_OPTION_ARG_DOUBLE, &budget, "Stop before spending more than this", "USD" },
    { "budget-tokens", 0, 0, G_OPTION_ARG_INT64, &budget_tokens, "Stop before using more tokens than this", "N" },
    { "rpm", 0, 0, G_OPTION_ARG_DOUBLE, &rpm, "Requests per minute at most", "N" },
    { "tpm", 0, 0, G_OPTION_ARG_DOUBLE, &tpm, "Tokens per minute at most", "N" },
    { "max-tokens", 0, 0, G_OPTION_ARG_INT, &max_tokens, "Rationale length limit (default 128)", "N" },
    { "answer-max-tokens", 0, 0, G_OPTION_ARG_INT, &answer_max_tokens, "Answer length limit (default 32)", "N" },
    { "reasoning-trigger", 0, 0, G_OPTION_ARG_STRING, &reasoning_trigger,
      "Step 1 after \"A: \" (default: Let's think step by step.)", "TEXT" },
    { "answer-trigger", 0, 0, G_OPTION_ARG_STRING, &answer_trigger, "Step 2 (default: the task's own)", "TEXT" },
    { "system-prompt", 0, 0, G_OPTION_ARG_STRING, &system_prompt, "Chat endpoints: a system message", "TEXT" },
    { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &timeout, "Seconds per request (default 120)", "S" },
    { "attempts", 0, 0, G_OPTION_ARG_INT, &attempts, "Tries per request before giving up (default 6)", "N" },
    { "n-mode", 0, 0, G_OPTION_ARG_STRING, &n_mode, "Samples per request: auto (default), always or never", "MODE" },
    { "api-key-env", 0, 0, G_OPTION_ARG_STRING, &key_env, "Variable holding the key (default OPENAI_API_KEY)", "VAR" },
    { "api-key-file", 0, 0, G_OPTION_ARG_FILENAME, &key_file, "File holding the key (mode 600)", "PATH" },
    { "price-file", 0, 0, G_OPTION_ARG_FILENAME, &price_file, "Prices per model (JSON)", "PATH" },
    { "price-prompt", 0, 0, G_OPTION_ARG_DOUBLE, &price_prompt, "The model's price per million prompt tokens", "USD" },
    { "price-completion", 0, 0, G_OPTION_ARG_DOUBLE, &price_completion,
      "The model's price per million completion tokens", "USD" },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, "Only the first N questions of the split", "N" },
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir, "Folder holding the datasets", "DIR" },
    { "synthetic-n", 0, 0, G_OPTION_ARG_INT, &synthetic_n, "Synthetic tasks: samples to generate", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Synthetic tasks and the scripted teacher: seed (default 1)", "N" },
    { "error-rate", 0, 0, G_OPTION_ARG_DOUBLE, &error_rate,
      "Scripted teacher: share of rationales with a wrong step (default 0.1)", "P" },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, "Print the cost estimate and stop", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "No estimate or summary lines", NULL },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTeachJob) job = NULL;
  FtcTeachOptions options;
  FtcTeachEstimate est;
  FtcTeachUsage usage;
  TeachRun run = { 0 };
  guint sigint = 0, sigterm = 0;
  int status;

  if (!ftc_cli_parse ("teach", NULL, "Have a teacher answer a task's questions step by step", entries, &argc, &argv))
    return FTC_EXIT_USAGE;
  if (task_key == NULL)
    return ftc_cli_usage_error ("teach", "--task is required");
  if (out_dir == NULL)
    return ftc_cli_usage_error ("teach", "--out is required");
  if (samples < 1 || max_in_flight < 1 || limit < 0 || synthetic_n < 0 || attempts < 1)
    return ftc_cli_usage_error ("teach", "--samples, --max-requests-in-flight and --attempts must be positive");

  ftc_teach_options_init (&options);
  options.task = task_key;
  options.task_options.data_dir = data_dir;
  options.task_options.n = synthetic_n;
  options.task_options.seed = seed;
  options.split = split;
  options.limit = limit;
  options.teacher = teacher_spec;
  options.model = model;
  options.api = api_name;
  options.samples = samples;
  options.temperature = temperature;
  options.max_tokens = max_tokens;
  options.answer_max_tokens = answer_max_tokens;
  options.reasoning_trigger = reasoning_trigger;
  options.answer_trigger = answer_trigger;
  options.system_prompt = system_prompt;
  options.out_dir = out_dir;
  options.max_in_flight = max_in_flight;
  options.rpm = rpm;
  options.tpm = tpm;
  options.budget_usd = budget;
  options.budget_tokens = budget_tokens;
  options.price_prompt_per_mtok = price_prompt;
  options.price_completion_per_mtok = price_completion;
  options.timeout_s = timeout;
  options.attempts = attempts;
  options.api_key_env = key_env;
  options.api_key_file = key_file;
  options.price_file = price_file;
  options.error_rate = error_rate;
  options.seed = seed;
  if (n_mode != NULL && g_strcmp0 (n_mode, "auto") != 0)
    {
      if (g_strcmp0 (n_mode, "always") == 0)
        options.n_mode = FTC_OPENAI_N_ALWAYS;
      else if (g_strcmp0 (n_mode, "never") == 0)
        options.n_mode = FTC_OPENAI_N_NEVER;
      else
        return ftc_cli_usage_error ("teach", "--n-mode must be auto, always or never");
    }
  if (teacher_spec != NULL && (g_str_has_prefix (teacher_spec, "http://") || g_str_has_prefix (teacher_spec, "https://")))
    {
      if (model == NULL)
        return ftc_cli_usage_error ("teach", "--model is required with a URL teacher");
      if (key_env == NULL && key_file == NULL && !ftc_openai_url_takes_default_key (teacher_spec) &&
          g_getenv ("OPENAI_API_KEY") != NULL && !quiet)
        g_printerr ("ftcot teach: note: OPENAI_API_KEY is not sent to this host; give --api-key-env "
                    "OPENAI_API_KEY (or the variable holding this server's key) to send it\n");
    }
  job = ftc_teach_job_new_from_options (&options, &error);
  if (job == NULL)
    return ftc_cli_error ("teach", error);
  networked = g_strcmp0 (ftc_teach_job_get_teacher_kind (job), "openai") == 0;
  replay = g_strcmp0 (ftc_teach_job_get_teacher_kind (job), "replay") == 0;

  ftc_teach_job_estimate (job, &est);
  if ((!quiet || dry_run) && !networked)
    {
      printf ("%u of %u records to make (the %s teacher sends no request)\n",
              ftc_teach_job_get_total (job) - ftc_teach_job_get_done (job), ftc_teach_job_get_total (job),
              replay ? "replay" : "scripted");
      fflush (stdout);
    }
  else if (!quiet || dry_run)
    {
      g_autofree char *cost = format_cost (est.cost_usd);
      printf ("%u of %u records to make; estimate: %" G_GUINT64_FORMAT " requests, ~%" G_GUINT64_FORMAT
              " prompt tokens, at most %" G_GUINT64_FORMAT " completion tokens, at most %s\n",
              ftc_teach_job_get_total (job) - ftc_teach_job_get_done (job), ftc_teach_job_get_total (job),
              est.requests, est.prompt_tokens, est.completion_tokens, cost);
      fflush (stdout);
    }
  if (dry_run)
    return FTC_EXIT_OK;

  run.job = job;
  run.loop = g_main_loop_new (NULL, FALSE);
  run.cancellable = g_cancellable_new ();
  run.tty = ftc_cli_stdout_is_tty () && !quiet;
  run.started = g_get_monotonic_time ();
#ifdef G_OS_UNIX
  sigint = g_unix_signal_add (SIGINT, on_signal, &run);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, &run);
#endif
  g_signal_connect (job, "notify::done", G_CALLBACK (on_progress), &run);
  g_signal_connect (job, "notify::in-flight", G_CALLBACK (on_progress), &run);
  ftc_teach_job_run_async (job, run.cancellable, on_finished, &run);
  if (!run.finished)
    g_main_loop_run (run.loop);
  if (sigint != 0)
    g_source_remove (sigint);
  if (sigterm != 0)
    g_source_remove (sigterm);
  if (run.tty)
    draw (&run, TRUE);

  ftc_teach_job_get_usage (job, &usage);
  if (!quiet && !networked)
    {
      printf ("%u/%u records in %s\n", ftc_teach_job_get_done (job), ftc_teach_job_get_total (job),
              ftc_teach_job_get_records_path (job));
      if (usage.missing > 0)
        printf ("%u wanted completions have no recorded answer\n", usage.missing);
      fflush (stdout);
    }
  else if (!quiet)
    {
      g_autofree char *cost = format_cost (usage.cost_usd);
      printf ("%u/%u records in %s; %" G_GUINT64_FORMAT " requests, %" G_GUINT64_FORMAT " answers from the "
              "cache, %" G_GUINT64_FORMAT " tokens, %s\n", ftc_teach_job_get_done (job),
              ftc_teach_job_get_total (job), ftc_teach_job_get_records_path (job), usage.requests, usage.cached,
              usage.prompt_tokens + usage.completion_tokens, cost);
      fflush (stdout);
    }
  status = FTC_EXIT_OK;
  if (run.error != NULL)
    {
      if (g_error_matches (run.error, FTC_ERROR, FTC_ERROR_CANCELLED))
        {
          g_printerr ("ftcot teach: interrupted; everything received is saved, run the same command to continue\n");
          status = FTC_EXIT_CANCELLED;
        }
      else
        status = ftc_cli_error ("teach", run.error);
    }
  g_clear_error (&run.error);
  g_main_loop_unref (run.loop);
  g_object_unref (run.cancellable);
  return status;
}
