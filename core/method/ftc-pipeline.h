/* ftc-pipeline.h: one experiment run from teacher rationales to an evaluated student and its report.
 *
 * Stages, per task, each resumable and skipped when its output is complete:
 *   teach     the teacher answers the training questions (D samples each) and, for the "teacher"
 *             baseline, the test questions: teacher/TASK.SPLIT.jsonl (paid work is never redone: an
 *             openai teacher keeps every answer in TASK.SPLIT.requests.jsonl as `ftcot teach` does)
 *   curate    answers extracted, correct rationales kept, review.jsonl applied
 *   finetune  finetune/TASK.METHOD.jsonl for vanilla and each ft_cot_dN
 *   train     checkpoints/TASK.METHOD/ after every epoch, metrics.jsonl; a killed run resumes from the
 *             last checkpoint with the same losses
 *   evaluate  greedy (or, evaluation.greedy false, sampled) answers on the test split, eval/TASK.METHOD.jsonl (records appended as they come)
 *   report    report/summary.json, summary.csv and charts
 *
 * The CLI runs it on the calling thread (ftc_pipeline_run); the GUI with ftc_pipeline_run_async, and
 * then progress reaches the properties and signals in the calling main context, coalesced. */
#pragma once

#include <gio/gio.h>

#include "core/method/ftc-experiment.h"
#include "core/results/ftc-report.h"

G_BEGIN_DECLS

#define FTC_TYPE_PIPELINE (ftc_pipeline_get_type ())
G_DECLARE_FINAL_TYPE (FtcPipeline, ftc_pipeline, FTC, PIPELINE, GObject)

/* Opens the experiment directory dir. With exp (taken), dir gets exp as its experiment.json, unless it
 * already holds a different one (FTC_ERROR_MISMATCH: a finished stage would no longer match its
 * configuration); without, dir/experiment.json is loaded. */
FtcPipeline *ftc_pipeline_new (const char *dir, FtcExperiment *exp, GError **error);

const FtcExperiment *ftc_pipeline_get_experiment (FtcPipeline *pipeline);
const char *ftc_pipeline_get_dir (FtcPipeline *pipeline);
/* What runs now: "teach", "curate", "finetune", "train", "evaluate", "report", "done". */
const char *ftc_pipeline_get_stage (FtcPipeline *pipeline);
const char *ftc_pipeline_get_task (FtcPipeline *pipeline);
const char *ftc_pipeline_get_method (FtcPipeline *pipeline);
/* Progress of the stage, 0..1. */
double ftc_pipeline_get_fraction (FtcPipeline *pipeline);
/* The device the students run on ("cpu", "opencl:0"), once chosen. */
const char *ftc_pipeline_get_device (FtcPipeline *pipeline);

/* Signals (emitted in the main context of run_async, or on the calling thread of run):
 *   "log" (const char *line)           a line for a person: stage starts, counts, accuracies
 *   "metrics" (const char *json_line)  each line appended to metrics.jsonl (training steps, evaluations) */

gboolean ftc_pipeline_run (FtcPipeline *pipeline, GCancellable *cancellable, GError **error);
void ftc_pipeline_run_async (FtcPipeline *pipeline, GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data);
gboolean ftc_pipeline_run_finish (FtcPipeline *pipeline, GAsyncResult *result, GError **error);

/* The report of the last run (NULL before one finished). */
const FtcReport *ftc_pipeline_get_report (FtcPipeline *pipeline);

G_END_DECLS
