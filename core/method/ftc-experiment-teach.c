#include "core/method/ftc-experiment-teach.h"

#include "core/ftc-error.h"
#include "core/tasks/ftc-task-open.h"
#include "core/teach/ftc-teach-options.h"

GArray *
ftc_experiment_teach_steps (const FtcExperiment *exp)
{
  GArray *steps = g_array_new (FALSE, FALSE, sizeof (FtcExperimentTeachStep));
  int max_d = ftc_experiment_max_diversity (exp);
  gboolean teacher_baseline = ftc_experiment_has_method (exp, "teacher");

  for (guint i = 0; i < exp->tasks->len; i++)
    {
      if (max_d > 0)
        {
          /* teacher.samples of them (validation keeps it at least the largest D): every method's data is the
           * first D of one set of records */
          FtcExperimentTeachStep step = { i, "train", (guint) exp->teacher.samples, exp->teacher.temperature };
          g_array_append_val (steps, step);
        }
      if (teacher_baseline)
        {
          /* the teacher's own accuracy: its greedy answer, as Zero-shot-CoT is evaluated */
          FtcExperimentTeachStep step = { i, "test", 1, 0.0 };
          g_array_append_val (steps, step);
        }
    }
  return steps;
}

FtcTask *
ftc_experiment_open_task (const FtcExperiment *exp, const FtcExperimentTask *et, GError **error)
{
  FtcTaskOpenOptions options = { 0 };
  g_autofree char *data_path = ftc_experiment_resolve_path (exp, et->data_path);
  /* data_path: a directory of the dataset's raw files, or a file to import */
  gboolean is_dir = data_path != NULL && g_file_test (data_path, G_FILE_TEST_IS_DIR);
  const char *spec = data_path != NULL && !is_dir && ftc_task_spec_is_path (data_path) ? data_path : et->key;
  FtcTask *task;

  options.data_dir = is_dir ? data_path : NULL;
  options.split = g_strcmp0 (et->split, "template") == 0 ? FTC_SPLIT_TEMPLATE : FTC_SPLIT_DEFAULT;
  options.n = et->n;
  options.size = et->size;
  options.seed = exp->seeds.split;
  task = ftc_task_open (spec, &options, error);
  if (task == NULL)
    return NULL;
  if (g_strcmp0 (et->split, "random") == 0)
    ftc_task_split_seeded (task, et->train_fraction, exp->seeds.split);
  if (task->train->len == 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "task %s: the training split is empty%s%s", et->key,
                   task->note != NULL ? ": " : "", task->note != NULL ? task->note : "");
      ftc_task_free (task);
      return NULL;
    }
  /* train_size and test_size take the first questions of each split: the splits are already shuffled
   * (reference split files, or seeded) */
  if (et->train_size > 0 && (guint) et->train_size < task->train->len)
    g_array_set_size (task->train, et->train_size);
  if (et->test_size > 0 && (guint) et->test_size < task->test->len)
    g_array_set_size (task->test, et->test_size);
  return task;
}

FtcTeachJob *
ftc_experiment_teach_job_new (const FtcExperiment *exp, const char *dir, const FtcExperimentTeachStep *step,
                              gboolean dir_locked, GError **error)
{
  const FtcExperimentTask *et;
  FtcTask *task;
  GArray *positions;

  if (step->task_index >= exp->tasks->len)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "the experiment has %u tasks, not %u", exp->tasks->len,
                   step->task_index + 1);
      return NULL;
    }
  et = g_ptr_array_index (exp->tasks, step->task_index);
  task = ftc_experiment_open_task (exp, et, error);
  if (task == NULL)
    return NULL;
  positions = g_array_copy (g_strcmp0 (step->split, "test") == 0 ? task->test : task->train);
  return ftc_teach_job_new_from_settings (&exp->teacher, exp->base_dir, exp->seeds.teacher, task, step->split,
                                          positions, step->samples, step->temperature, dir, dir_locked, error);
}
