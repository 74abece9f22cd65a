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
  g_autofree char *prompt_style = NULL;
  g_auto (FtcTeachOptions) options = { 0 };
  FtcTeacherSettings *t = &options.teacher;
  /* the flags start from the one defaults table (core/teach/ftc-teacher-settings.h) */
  int limit = 0, synthetic_n = 0, attempts;
  double temperature = -1, error_rate = 0.1;
  gint64 seed;
  gboolean dry_run = FALSE, quiet = FALSE, networked = FALSE, replay = FALSE;
  g_autofree char *help_samples = NULL, *help_in_flight = NULL, *help_max_tokens = NULL;
  g_autofree char *help_answer_tokens = NULL, *help_trigger = NULL, *help_timeout = NULL, *help_attempts = NULL;
  g_autofree char *help_seed = NULL, *help_error_rate = NULL;

  ftc_teach_options_init (&options);
  attempts = t->retries + 1;
  seed = (gint64) options.seed;
  help_samples = g_strdup_printf ("Rationales per question, D (default %d)", t->samples);
  help_in_flight = g_strdup_printf ("Concurrent requests (default %d)", t->in_flight);
  help_max_tokens = g_strdup_printf ("Rationale length limit (default %d)", t->max_tokens);
  help_answer_tokens = g_strdup_printf ("Answer length limit (default %d)", t->answer_max_tokens);
  help_trigger = g_strdup_printf ("Step 1 after \"A: \" (default: %s)", t->reasoning_trigger);
  help_timeout = g_strdup_printf ("Seconds per request (default %g)", t->timeout_s);
  help_attempts = g_strdup_printf ("Tries per request before giving up (default %d)", attempts);
  help_seed = g_strdup_printf ("Synthetic tasks and the scripted teacher: seed (default %" G_GINT64_FORMAT ")", seed);
  help_error_rate = g_strdup_printf ("Scripted teacher: share of rationales with a wrong step (default %g)", error_rate);
  GOptionEntry entries[] = {
    { "task", 0, 0, G_OPTION_ARG_STRING, &task_key, "Task key, key:params or task file (required)", "KEY" },
    { "split", 0, 0, G_OPTION_ARG_STRING, &split, "Questions to teach: train (default), test or all", "SPLIT" },
    { "teacher", 0, 0, G_OPTION_ARG_STRING, &teacher_spec,
      "An OpenAI-compatible URL, replay:FILE or scripted (default for synthetic tasks)", "URL" },
    { "model", 0, 0, G_OPTION_ARG_STRING, &model, "Teacher model name (URL teachers: required)", "NAME" },
    { "api", 0, 0, G_OPTION_ARG_STRING, &api_name, "chat, completions or auto (default: from the model name)", "API" },
    { "samples", 0, 0, G_OPTION_ARG_INT, &t->samples, help_samples, "D" },
    { "temperature", 0, 0, G_OPTION_ARG_DOUBLE, &temperature,
      "Sampling temperature T of step 1 (default 0 for D = 1, else 0.7)", "T" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out_dir, "Output (experiment) folder (required)", "DIR" },
    { "max-requests-in-flight", 0, 0, G_OPTION_ARG_INT, &t->in_flight, help_in_flight, "N" },
    { "budget", 0, 0, G_OPTION_ARG_DOUBLE, &t->budget_usd, "Stop before spending more than this", "USD" },
    { "budget-tokens", 0, 0, G_OPTION_ARG_INT64, &t->budget_tokens, "Stop before using more tokens than this", "N" },
    { "rpm", 0, 0, G_OPTION_ARG_DOUBLE, &t->rpm, "Requests per minute at most", "N" },
    { "tpm", 0, 0, G_OPTION_ARG_DOUBLE, &t->tpm, "Tokens per minute at most", "N" },
    { "max-tokens", 0, 0, G_OPTION_ARG_INT, &t->max_tokens, help_max_tokens, "N" },
    { "answer-max-tokens", 0, 0, G_OPTION_ARG_INT, &t->answer_max_tokens, help_answer_tokens, "N" },
    { "reasoning-trigger", 0, 0, G_OPTION_ARG_STRING, &reasoning_trigger, help_trigger, "TEXT" },
    { "answer-trigger", 0, 0, G_OPTION_ARG_STRING, &answer_trigger, "Step 2 (default: the task's own)", "TEXT" },
    { "system-prompt", 0, 0, G_OPTION_ARG_STRING, &system_prompt, "Chat endpoints: a system message", "TEXT" },
    { "prompt-style", 0, 0, G_OPTION_ARG_STRING, &prompt_style,
      "zero_shot_cot (default: the paper's two steps) or boxed (one request to a reasoning model: \"Please reason "
      "step by step, and put your final answer within \\boxed{}.\")", "STYLE" },
    { "max-completion-tokens", 0, 0, G_OPTION_ARG_INT, &t->max_completion_tokens,
      "boxed: the answer's limit with the thinking, sent as max_completion_tokens", "N" },
    { "stream", 0, 0, G_OPTION_ARG_NONE, &t->stream,
      "Stream the answers; --timeout is then the longest silence allowed, not the whole answer's time", NULL },
    { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &t->timeout_s, help_timeout, "S" },
    { "attempts", 0, 0, G_OPTION_ARG_INT, &attempts, help_attempts, "N" },
    { "n-mode", 0, 0, G_OPTION_ARG_STRING, &n_mode, "Samples per request: auto (default), always or never", "MODE" },
    { "api-key-env", 0, 0, G_OPTION_ARG_STRING, &key_env, "Variable holding the key (default OPENAI_API_KEY)", "VAR" },
    { "api-key-file", 0, 0, G_OPTION_ARG_FILENAME, &key_file, "File holding the key (mode 600)", "PATH" },
    { "price-file", 0, 0, G_OPTION_ARG_FILENAME, &price_file, "Prices per model (JSON)", "PATH" },
    { "price-prompt", 0, 0, G_OPTION_ARG_DOUBLE, &t->price_prompt_per_mtok,
      "The model's price per million prompt tokens", "USD" },
    { "price-completion", 0, 0, G_OPTION_ARG_DOUBLE, &t->price_completion_per_mtok,
      "The model's price per million completion tokens", "USD" },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, "Only the first N questions of the split", "N" },
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir, "Folder holding the datasets", "DIR" },
    { "synthetic-n", 0, 0, G_OPTION_ARG_INT, &synthetic_n, "Synthetic tasks: samples to generate", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, help_seed, "N" },
    { "error-rate", 0, 0, G_OPTION_ARG_DOUBLE, &error_rate, help_error_rate, "P" },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, "Print the cost estimate and stop", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "No estimate or summary lines", NULL },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTeachJob) job = NULL;
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
  if (limit < 0 || synthetic_n < 0 || attempts < 1)
    return ftc_cli_usage_error ("teach", "--limit and --synthetic-n cannot be negative, --attempts must be positive");

  options.task = task_key;
  options.task_options.data_dir = data_dir;
  options.task_options.n = synthetic_n;
  options.task_options.seed = seed;
  options.split = split;
  options.limit = limit;
  options.out_dir = out_dir;
  options.seed = seed;
  if (teacher_spec != NULL && !ftc_teacher_settings_set_spec (t, teacher_spec, &error))
    return ftc_cli_usage_error ("teach", error->message);
  if (t->kind == FTC_TEACHER_OPENAI)
    {
      if (model == NULL)
        return ftc_cli_usage_error ("teach", "--model is required with a URL teacher");
      if (key_env == NULL && key_file == NULL && !ftc_openai_url_takes_default_key (teacher_spec) &&
          g_getenv ("OPENAI_API_KEY") != NULL && !quiet)
        g_printerr ("ftcot teach: note: OPENAI_API_KEY is not sent to this host; give --api-key-env "
                    "OPENAI_API_KEY (or the variable holding this server's key) to send it\n");
    }
  t->model = g_strdup (model);
  if (api_name != NULL && strcmp (api_name, "auto") != 0)
    {
      if (strcmp (api_name, "chat") != 0 && strcmp (api_name, "completions") != 0)
        return ftc_cli_usage_error ("teach", "--api must be chat, completions or auto");
      t->api = g_strdup (api_name);
    }
  t->temperature = temperature >= 0 ? temperature : ftc_teacher_settings_default_temperature (t->samples);
  t->retries = attempts - 1;
  if (reasoning_trigger != NULL)
    {
      g_free (t->reasoning_trigger);
      t->reasoning_trigger = g_strdup (reasoning_trigger);
    }
  t->answer_trigger = g_strdup (answer_trigger);
  t->system_prompt = g_strdup (system_prompt);
  t->key_env = g_strdup (key_env);
  t->key_file = g_strdup (key_file);
  t->price_file = g_strdup (price_file);
  if (n_mode != NULL)
    {
      g_free (t->n_mode);
      t->n_mode = g_strdup (n_mode);
    }
  if (prompt_style != NULL)
    {
      g_free (t->prompt_style);
      t->prompt_style = g_strdup (prompt_style);
    }
  if (t->kind == FTC_TEACHER_SCRIPTED)
    {
      t->options = json_object_new ();
      json_object_set_double_member (t->options, "error_rate", error_rate);
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
