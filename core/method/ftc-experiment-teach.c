#include "core/method/ftc-experiment-teach.h"

#include "core/ftc-error.h"
#include "core/tasks/ftc-benchmark.h"
#include "core/tasks/ftc-task-open.h"
#include "core/teach/ftc-teach-options.h"

GArray *
ftc_experiment_teach_steps (const FtcExperiment *exp)
{
  GArray *steps = g_array_new (FALSE, FALSE, sizeof (FtcExperimentTeachStep));
  int max_d = ftc_experiment_max_diversity (exp);
  gboolean teacher_baseline = ftc_experiment_has_method (exp, "teacher");

  /* the teacher's own accuracy: its greedy answer, as Zero-shot-CoT is evaluated, or k sampled ones */
  guint k = (guint) MAX (exp->evaluation.teacher_k, 1);
  double t = k > 1 ? exp->evaluation.sampled_temperature : 0.0;

  for (guint i = 0; i < exp->tasks->len; i++)
    {
      const FtcExperimentTask *et = g_ptr_array_index (exp->tasks, i);
      const FtcBenchmarkInfo *published = et->data_path == NULL ? ftc_benchmark_lookup (et->key) : NULL;

      if (max_d > 0)
        {
          /* teacher.samples of them (validation keeps it at least the largest D): every method's data is the
           * first D of one set of records */
          FtcExperimentTeachStep step = { i, "train", (guint) exp->teacher.samples, exp->teacher.temperature, NULL };
          g_array_append_val (steps, step);
        }
      if (teacher_baseline && !(published != NULL && published->test == 0))
        {
          FtcExperimentTeachStep step = { i, "test", k, t, NULL };
          g_array_append_val (steps, step);
        }
      for (guint b = 0; teacher_baseline && et->benchmarks != NULL && et->benchmarks[b] != NULL; b++)
        {
          FtcExperimentTeachStep step = { i, "test", k, t, et->benchmarks[b] };
          g_array_append_val (steps, step);
        }
    }
  return steps;
}

static gboolean
experiment_trains (const FtcExperiment *exp)
{
  for (guint i = 0; i < exp->methods->len; i++)
    if (ftc_method_trains (&g_array_index (exp->methods, FtcMethod, i)))
      return TRUE;
  return FALSE;
}

FtcTask *
ftc_experiment_open_benchmark (const FtcExperiment *exp, const char *key, GError **error)
{
  FtcTaskOpenOptions options = { 0 };

  options.split = FTC_SPLIT_DEFAULT;
  options.seed = exp->seeds.split;
  return ftc_task_open (key, &options, error);
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
  options.split = g_strcmp0 (et->split, "template") == 0 ? FTC_SPLIT_TEMPLATE
                  : g_strcmp0 (et->split, "validation") == 0 ? FTC_SPLIT_VALIDATION : FTC_SPLIT_DEFAULT;
  options.n = et->n;
  options.size = et->size;
  options.seed = exp->seeds.split;
  task = ftc_task_open (spec, &options, error);
  if (task == NULL)
    return NULL;
  if (g_strcmp0 (et->split, "random") == 0)
    ftc_task_split_seeded (task, et->train_fraction, exp->seeds.split);
  /* an evaluation set (math500, aime_2024) is taught nothing: it is another task's benchmark */
  if (task->train->len == 0 && (ftc_experiment_max_diversity (exp) > 0 || experiment_trains (exp)))
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
  task = step->benchmark != NULL ? ftc_experiment_open_benchmark (exp, step->benchmark, error)
                                 : ftc_experiment_open_task (exp, et, error);
  if (task == NULL)
    return NULL;
  positions = g_array_copy (g_strcmp0 (step->split, "test") == 0 ? task->test : task->train);
  return ftc_teach_job_new_from_settings (&exp->teacher, exp->base_dir, exp->seeds.teacher, task, step->split,
                                          positions, step->samples, step->temperature, dir, dir_locked, error);
}
