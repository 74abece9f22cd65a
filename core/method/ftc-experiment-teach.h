/* ftc-experiment-teach.h: the teaching an experiment asks for, built in one place for `ftcot run` (the
 * pipeline's teach stage) and the studio's Teacher view, so both teach the same questions, the same number
 * of times, with the same teacher (core/teach/ftc-teacher-settings.h) and the same budgets.
 *
 * Per task, in the experiment's order: its training questions, teacher.samples rationales each at
 * teacher.temperature (none when no method learns from rationales; ft_cot_dN takes the first N of them);
 * then, when the teacher baseline is among the methods, its test questions (none for a task without any,
 * such as math_train) and each of its benchmarks' test questions: one greedy answer each, or
 * evaluation.teacher_k answers at evaluation.sampled_temperature. */
#pragma once

#include "core/method/ftc-experiment.h"
#include "core/tasks/ftc-task.h"
#include "core/teach/ftc-teach-job.h"

G_BEGIN_DECLS

typedef struct {
  guint task_index;       /* in exp->tasks */
  const char *split;      /* "train" or "test" (static strings) */
  guint samples;          /* D per question */
  double temperature;
  const char *benchmark;  /* a test step of one of the task's benchmarks (borrowed from exp); NULL: the task's own */
} FtcExperimentTeachStep;

/* The steps above, in order (FtcExperimentTeachStep). */
GArray *ftc_experiment_teach_steps (const FtcExperiment *exp);

/* The task of et as every stage of the experiment sees it: its data, split and seeds, cut to train_size
 * and test_size. */
FtcTask *ftc_experiment_open_task (const FtcExperiment *exp, const FtcExperimentTask *et, GError **error);

/* A benchmark of the experiment as every stage sees it: its published test split, whole. */
FtcTask *ftc_experiment_open_benchmark (const FtcExperiment *exp, const char *key, GError **error);

/* The teaching job of step: records in dir/teacher/TASK.SPLIT.jsonl (TASK the benchmark for its steps). The
 * job holds dir's lock while it lives unless the caller holds it already (dir_locked). */
FtcTeachJob *ftc_experiment_teach_job_new (const FtcExperiment *exp, const char *dir,
                                           const FtcExperimentTeachStep *step, gboolean dir_locked,
                                           GError **error);

G_END_DECLS
