#include "core/teach/ftc-teach-options.h"

#include <string.h>

#include "core/ftc-error.h"
#include "core/teach/ftc-price.h"
#include "core/teach/ftc-teacher-openai.h"
#include "core/teach/ftc-teacher-replay.h"
#include "core/teach/ftc-teacher-scripted.h"

void
ftc_teach_options_init (FtcTeachOptions *options)
{
  memset (options, 0, sizeof *options);
  options->samples = 1;
  options->temperature = -1;
  options->max_tokens = 128;
  options->answer_max_tokens = 32;
  options->max_in_flight = 8;
  options->timeout_s = 120;
  options->attempts = 6;
  options->n_mode = FTC_OPENAI_N_AUTO;
  options->error_rate = 0.1;
  options->seed = 1;
}

static gboolean
invalid (GError **error, const char *message)
{
  g_set_error_literal (error, FTC_ERROR, FTC_ERROR_INVALID, message);
  return FALSE;
}

static gboolean
check (const FtcTeachOptions *o, GError **error)
{
  if (o->task == NULL)
    return invalid (error, "a task is required");
  if (o->out_dir == NULL)
    return invalid (error, "an output folder is required");
  if (o->samples < 1 || o->samples > 128)
    return invalid (error, "samples per question must be 1..128");
  if (o->max_in_flight < 1 || o->max_in_flight > 1024)
    return invalid (error, "requests in flight must be 1..1024");
  if (o->max_tokens < 1 || o->answer_max_tokens < 1)
    return invalid (error, "token limits must be at least 1");
  if (o->attempts < 1 || !(o->timeout_s > 0))
    return invalid (error, "attempts and the timeout must be positive");
  if (o->budget_usd < 0 || o->budget_tokens < 0 || o->rpm < 0 || o->tpm < 0)
    return invalid (error, "budgets and rate limits cannot be negative");
  if (o->price_prompt_per_mtok < 0 || o->price_completion_per_mtok < 0)
    return invalid (error, "prices cannot be negative");
  if (!(o->error_rate >= 0 && o->error_rate <= 1))
    return invalid (error, "the error rate must lie within 0..1");
  return TRUE;
}

static GArray *
split_positions (FtcTask *task, const char *split, guint limit, GError **error)
{
  GArray *positions;

  if (g_strcmp0 (split, "train") == 0)
    positions = g_array_copy (task->train);
  else if (g_strcmp0 (split, "test") == 0)
    positions = g_array_copy (task->test);
  else if (g_strcmp0 (split, "all") == 0)
    {
      positions = g_array_new (FALSE, FALSE, sizeof (int));
      for (guint i = 0; i < task->samples->len; i++)
        {
          int v = i;
          g_array_append_val (positions, v);
        }
    }
  else
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "the split must be train, test or all, not '%s'", split);
      return NULL;
    }
  if (limit > 0 && positions->len > limit)
    g_array_set_size (positions, limit);
  if (positions->len == 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "the %s split of task %s is empty%s%s", split, task->key,
                   task->note != NULL ? ": " : "", task->note != NULL ? task->note : "");
      g_array_unref (positions);
      return NULL;
    }
  return positions;
}

FtcTeacher *
ftc_teach_openai_teacher_new (FtcTeacherOpenaiConfig *config, const FtcTeachCosts *costs, const char *out_dir,
                              const char *task_key, const char *split, FtcCompletionStore **store_out,
                              FtcPriceTable **prices_out, GError **error)
{
  g_autofree char *cache = ftc_teach_job_path (out_dir, task_key, split, ".requests.jsonl");
  g_autoptr (FtcPriceTable) prices = ftc_price_table_new ();
  g_autoptr (FtcCompletionStore) store = NULL;
  FtcTeacher *teacher;

  if (costs->price_file != NULL && !ftc_price_table_load (prices, costs->price_file, error))
    {
      ftc_teacher_openai_config_clear (config);
      return NULL;
    }
  if (config->model != NULL && (costs->price_prompt_per_mtok > 0 || costs->price_completion_per_mtok > 0))
    {
      FtcPrice price = { costs->price_prompt_per_mtok, costs->price_completion_per_mtok };
      ftc_price_table_set (prices, config->model, &price);
    }
  store = ftc_completion_store_open (cache, error);
  if (store == NULL)
    {
      ftc_teacher_openai_config_clear (config);
      return NULL;
    }
  config->store = store;
  config->prices = prices;
  config->budget_usd = costs->budget_usd;
  config->budget_tokens = costs->budget_tokens;
  teacher = ftc_teacher_openai_new (config, error);
  ftc_teacher_openai_config_clear (config);
  if (teacher != NULL)
    {
      *store_out = g_steal_pointer (&store);
      *prices_out = g_steal_pointer (&prices);
    }
  return teacher;
}

void
ftc_teach_job_keep_openai (FtcTeachJob *job, FtcCompletionStore *store, FtcPriceTable *prices)
{
  ftc_teach_job_set_request_store (job, store);
  /* the teacher borrows the price table: it lives as long as the job */
  if (prices != NULL)
    g_object_set_data_full (G_OBJECT (job), "ftc-price-table", prices, (GDestroyNotify) ftc_price_table_free);
}

static FtcTeacher *
openai_teacher (const FtcTeachOptions *o, const FtcTask *task, const char *split, FtcCompletionStore **store_out,
                FtcPriceTable **prices_out, GError **error)
{
  FtcTeacherOpenaiConfig config;
  FtcTeachCosts costs = {
    .price_file = o->price_file,
    .price_prompt_per_mtok = o->price_prompt_per_mtok,
    .price_completion_per_mtok = o->price_completion_per_mtok,
    .budget_usd = o->budget_usd,
    .budget_tokens = o->budget_tokens,
  };
  char *key = NULL;

  if (o->model == NULL || *o->model == '\0')
    {
      invalid (error, "a URL teacher needs a model name");
      return NULL;
    }
  /* an OpenAI key goes to OpenAI and to this machine only, unless a key is named explicitly */
  if ((o->api_key_env != NULL || o->api_key_file != NULL || ftc_openai_url_takes_default_key (o->teacher)) &&
      !ftc_openai_load_api_key (o->api_key_env, o->api_key_file, &key, error))
    return NULL;
  ftc_teacher_openai_config_init (&config);
  config.client.base_url = g_strdup (o->teacher);
  config.client.api_key = key;
  config.client.max_in_flight = o->max_in_flight;
  config.client.rpm = o->rpm;
  config.client.tpm = o->tpm;
  config.client.timeout_s = o->timeout_s;
  config.client.max_attempts = o->attempts;
  config.client.n_mode = o->n_mode;
  config.model = g_strdup (o->model);
  if (o->api == NULL || g_strcmp0 (o->api, "auto") == 0)
    config.api = ftc_teacher_openai_guess_api (o->model);
  else if (!ftc_openai_api_from_string (o->api, &config.api))
    {
      ftc_teacher_openai_config_clear (&config);
      invalid (error, "the API must be chat, completions or auto");
      return NULL;
    }
  return ftc_teach_openai_teacher_new (&config, &costs, o->out_dir, task->key, split, store_out, prices_out, error);
}

FtcTeachJob *
ftc_teach_job_new_from_options (const FtcTeachOptions *o, GError **error)
{
  g_autoptr (FtcTask) task = NULL;
  g_autoptr (FtcTeacher) teacher = NULL;
  g_autoptr (FtcCompletionStore) store = NULL;
  g_autoptr (FtcPriceTable) prices = NULL;
  g_autoptr (GArray) positions = NULL;
  const char *split = o->split != NULL ? o->split : "train";
  const char *spec = o->teacher != NULL ? o->teacher : "scripted";
  FtcTeachPlan plan;
  FtcTeachJob *job;

  if (!check (o, error))
    return NULL;
  task = ftc_task_open (o->task, &o->task_options, error);
  if (task == NULL)
    return NULL;
  if (task->answer_trigger == NULL)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "task %s has no answer trigger", task->key);
      return NULL;
    }
  positions = split_positions (task, split, o->limit, error);
  if (positions == NULL)
    return NULL;

  if (g_str_has_prefix (spec, "http://") || g_str_has_prefix (spec, "https://"))
    teacher = openai_teacher (o, task, split, &store, &prices, error);
  else if (g_str_has_prefix (spec, "replay:"))
    teacher = ftc_teacher_replay_new (spec + strlen ("replay:"), o->model, error);
  else if (strcmp (spec, "scripted") == 0)
    teacher = ftc_teacher_scripted_new (o->error_rate, o->seed, error);
  else
    invalid (error, "the teacher must be an http(s) URL, replay:FILE or scripted");
  if (teacher == NULL)
    return NULL;

  ftc_teach_plan_init (&plan);
  plan.positions = g_steal_pointer (&positions);
  plan.samples = o->samples;
  plan.temperature = o->temperature >= 0 ? o->temperature : o->samples > 1 ? 0.7 : 0.0;
  plan.max_tokens = o->max_tokens;
  plan.answer_max_tokens = o->answer_max_tokens;
  plan.seed = o->seed;
  plan.reasoning_trigger = o->reasoning_trigger;
  plan.answer_trigger = o->answer_trigger;
  plan.system_prompt = o->system_prompt;
  job = ftc_teach_job_new (g_steal_pointer (&teacher), g_steal_pointer (&task), split, &plan, o->out_dir, error);
  if (job == NULL)
    return NULL;   /* the job took teacher, task and positions and freed them */
  ftc_teach_job_keep_openai (job, g_steal_pointer (&store), g_steal_pointer (&prices));
  return job;
}
