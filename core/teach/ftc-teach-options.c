#include "core/teach/ftc-teach-options.h"

#include <string.h>

#include "core/ftc-error.h"

void
ftc_teach_options_init (FtcTeachOptions *options)
{
  memset (options, 0, sizeof *options);
  ftc_teacher_settings_init (&options->teacher);
  options->seed = 1;
}

void
ftc_teach_options_clear (FtcTeachOptions *options)
{
  ftc_teacher_settings_clear (&options->teacher);
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
  return positions;
}

void
ftc_teach_job_keep_openai (FtcTeachJob *job, FtcCompletionStore *store, FtcPriceTable *prices)
{
  ftc_teach_job_set_request_store (job, store);
  /* the teacher borrows the price table: it lives as long as the job */
  if (prices != NULL)
    g_object_set_data_full (G_OBJECT (job), "ftc-price-table", prices, (GDestroyNotify) ftc_price_table_free);
}

FtcTeachJob *
ftc_teach_job_new_from_settings (const FtcTeacherSettings *settings, const char *base_dir, guint64 seed,
                                 FtcTask *task_in, const char *split, GArray *positions_in, guint samples,
                                 double temperature, const char *out_dir, gboolean dir_locked, GError **error)
{
  g_autoptr (FtcTask) task = task_in;
  g_autoptr (GArray) positions = positions_in;
  g_autoptr (FtcCompletionStore) store = NULL;
  g_autoptr (FtcPriceTable) prices = NULL;
  g_autoptr (FtcDirLock) lock = NULL;
  FtcTeacher *teacher;
  FtcTeachPlan plan;
  FtcTeachJob *job;

  if (task->answer_trigger == NULL && settings->answer_trigger == NULL)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "task %s has no answer trigger", task->key);
      return NULL;
    }
  if (positions->len == 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "the %s split of task %s is empty%s%s", split, task->key,
                   task->note != NULL ? ": " : "", task->note != NULL ? task->note : "");
      return NULL;
    }
  /* before any file of the folder is opened */
  if (!dir_locked && (lock = ftc_dir_lock_acquire (out_dir, "experiment folder", error)) == NULL)
    return NULL;
  teacher = ftc_teacher_settings_build (settings, base_dir, seed, out_dir, task->key, split, &store, &prices, error);
  if (teacher == NULL)
    return NULL;
  ftc_teach_plan_init (&plan);
  plan.positions = g_steal_pointer (&positions);
  plan.samples = samples;
  plan.temperature = temperature;
  plan.max_tokens = settings->max_tokens;
  plan.answer_max_tokens = settings->answer_max_tokens;
  plan.seed = seed;
  plan.reasoning_trigger = settings->reasoning_trigger;
  plan.answer_trigger = settings->answer_trigger;
  plan.system_prompt = settings->system_prompt;
  ftc_prompt_style_from_string (settings->prompt_style, &plan.prompt_style);
  plan.max_completion_tokens = settings->max_completion_tokens;
  plan.stream = settings->stream;
  job = ftc_teach_job_new (teacher, g_steal_pointer (&task), split, &plan, out_dir, error);
  if (job == NULL)
    return NULL;   /* the job took teacher, task and positions and freed them */
  ftc_teach_job_keep_openai (job, g_steal_pointer (&store), g_steal_pointer (&prices));
  ftc_teach_job_hold_lock (job, g_steal_pointer (&lock));
  return job;
}

FtcTeachJob *
ftc_teach_job_new_from_options (const FtcTeachOptions *o, GError **error)
{
  g_autoptr (FtcTask) task = NULL;
  GArray *positions;
  const char *split = o->split != NULL ? o->split : "train";

  if (o->task == NULL)
    {
      g_set_error_literal (error, FTC_ERROR, FTC_ERROR_INVALID, "a task is required");
      return NULL;
    }
  if (o->out_dir == NULL)
    {
      g_set_error_literal (error, FTC_ERROR, FTC_ERROR_INVALID, "an output folder is required");
      return NULL;
    }
  task = ftc_task_open (o->task, &o->task_options, error);
  if (task == NULL)
    return NULL;
  positions = split_positions (task, split, o->limit, error);
  if (positions == NULL)
    return NULL;
  return ftc_teach_job_new_from_settings (&o->teacher, NULL, o->seed, g_steal_pointer (&task), split, positions,
                                          (guint) o->teacher.samples, o->teacher.temperature, o->out_dir, FALSE,
                                          error);
}
