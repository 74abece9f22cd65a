/* ftc-teach-job.h: one teaching run (a teacher over a task's split) as an object the CLI and the GUI drive.
 *
 * The job writes completion records to <out>/teacher/<task>.<split>.jsonl (an ftc-completion-store: one
 * fsync'ed line per record, keyed by task, sample id and completion index) next to a manifest
 * <task>.<split>.json naming the teacher and its parameters, and a summary <task>.<split>.summary.json
 * written at the end. A job on a folder that has records already continues where they stop; a teacher
 * or parameters other than the manifest's are refused (FTC_ERROR_MISMATCH) instead of mixing records.
 *
 * ftc_teach_job_run_async() teaches on a worker thread; progress reaches the properties in the main
 * context that called it, coalesced (at most one pending update), so a GUI can bind them directly. */
#pragma once

#include <gio/gio.h>

#include "core/ftc-dir-lock.h"
#include "core/teach/ftc-completion-store.h"
#include "core/teach/ftc-teacher.h"

G_BEGIN_DECLS

#define FTC_TYPE_TEACH_JOB (ftc_teach_job_get_type ())
G_DECLARE_FINAL_TYPE (FtcTeachJob, ftc_teach_job, FTC, TEACH_JOB, GObject)

/* "<out>/teacher/<task>.<split>" + suffix (".jsonl", ".requests.jsonl", ".json", ".summary.json"). */
char *ftc_teach_job_path (const char *out_dir, const char *task_key, const char *split, const char *suffix);

/* Takes teacher and task; plan->task and plan->positions are taken over too (plan is copied). split names
 * the positions ("train", "test", "all"). Opens the record file and checks the manifest. */
FtcTeachJob *ftc_teach_job_new (FtcTeacher *teacher, FtcTask *task, const char *split, const FtcTeachPlan *plan,
                                const char *out_dir, GError **error);

/* Holds lock (taken) while the job lives, until a run of it ends other than paused (cancelled): the
 * experiment folder is the job's alone meanwhile. */
void ftc_teach_job_hold_lock (FtcTeachJob *job, FtcDirLock *lock);

/* Keeps the teacher's answer cache open as long as the job (may be NULL). */
void ftc_teach_job_set_request_store (FtcTeachJob *job, FtcCompletionStore *store);

guint ftc_teach_job_get_done (FtcTeachJob *job);       /* records saved for the plan */
guint ftc_teach_job_get_total (FtcTeachJob *job);      /* questions x samples */
guint ftc_teach_job_get_in_flight (FtcTeachJob *job);
guint64 ftc_teach_job_get_tokens (FtcTeachJob *job);   /* prompt + completion tokens this run */
double ftc_teach_job_get_cost (FtcTeachJob *job);      /* USD this run; < 0: no price known */
void ftc_teach_job_get_usage (FtcTeachJob *job, FtcTeachUsage *usage);
const char *ftc_teach_job_get_records_path (FtcTeachJob *job);
/* "openai", "replay" or "scripted" */
const char *ftc_teach_job_get_teacher_kind (FtcTeachJob *job);

/* What the rest of the plan would cost at most (asks the teacher; cheap, no network). */
void ftc_teach_job_estimate (FtcTeachJob *job, FtcTeachEstimate *out);

void ftc_teach_job_run_async (FtcTeachJob *job, GCancellable *cancellable, GAsyncReadyCallback callback,
                              gpointer user_data);
gboolean ftc_teach_job_run_finish (FtcTeachJob *job, GAsyncResult *result, GError **error);
/* The same on the calling thread (progress properties are then updated directly). */
gboolean ftc_teach_job_run (FtcTeachJob *job, GCancellable *cancellable, GError **error);

G_END_DECLS
