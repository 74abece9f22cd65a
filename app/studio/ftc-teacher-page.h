/* ftc-teacher-page.h: the teacher view: Zero-shot-CoT prompt templates with a live preview of the exact
 * text sent for a chosen question; the teach job's controls, progress, token and cost meter against the
 * budget; the latest rationales as they arrive (teacher/TASK.jsonl is followed as it grows). The teach job
 * is core/teach/ftc-teach-job's, built from the experiment by ftc_teach_job_new_from_options as `ftcot teach`
 * builds it (scripted, replay and endpoint teachers). */
#pragma once

#include <gtk/gtk.h>

#include "core/teach/ftc-teach-job.h"

G_BEGIN_DECLS

#define FTC_TYPE_TEACHER_PAGE (ftc_teacher_page_get_type ())
G_DECLARE_FINAL_TYPE (FtcTeacherPage, ftc_teacher_page, FTC, TEACHER_PAGE, GtkWidget)

GtkWidget *ftc_teacher_page_new (void);
void ftc_teacher_page_set_directory (FtcTeacherPage *self, const char *dir);
gboolean ftc_teacher_page_get_loading (FtcTeacherPage *self);
const char *ftc_teacher_page_get_error (FtcTeacherPage *self);

void ftc_teacher_page_set_templates (FtcTeacherPage *self, const char *reasoning_trigger,
                                     const char *answer_trigger, const char *system_text);
/* Chooses the question (0-based) the preview shows. */
void ftc_teacher_page_set_question (FtcTeacherPage *self, guint question);
guint ftc_teacher_page_get_n_questions (FtcTeacherPage *self);
/* The preview text as shown. */
char *ftc_teacher_page_dup_preview (FtcTeacherPage *self);
/* The step-1 and step-2 prompts of Zero-shot-CoT for a question, exactly as a completions endpoint gets
 * them; rationale NULL writes a placeholder. */
char *ftc_teacher_reasoning_prompt (const char *question, const char *reasoning_trigger);
char *ftc_teacher_answer_prompt (const char *question, const char *reasoning_trigger, const char *rationale,
                                 const char *answer_trigger);
/* Counts: completions recorded, prompt and completion tokens. */
void ftc_teacher_page_get_usage (FtcTeacherPage *self, guint *completions, gint64 *prompt_tokens,
                                 gint64 *completion_tokens);
/* The cost meter as shown: "$0.0123", or a dash when no price is known. */
const char *ftc_teacher_page_get_cost_text (FtcTeacherPage *self);
GListModel *ftc_teacher_page_get_latest (FtcTeacherPage *self);   /* FtcRationaleItem, newest first */
/* The teach job (actions teacher.start, .pause, .resume, .cancel): Start teaches every task of the
 * experiment, in order, one job after the other; running while one is being prepared or teaches; the
 * job is kept while paused, NULL otherwise. */
gboolean ftc_teacher_page_get_job_running (FtcTeacherPage *self);
FtcTeachJob *ftc_teacher_page_get_job (FtcTeacherPage *self);
/* What the job last said ("Paused: ...", an error), or NULL before any. */
const char *ftc_teacher_page_get_job_status (FtcTeacherPage *self);
/* With a reason (shown), Start and Resume are off: another job (the pipeline) writes the same records.
 * NULL turns them back on. "job-running" is notified as ftc_teacher_page_get_job_running changes. */
void ftc_teacher_page_set_blocked (FtcTeacherPage *self, const char *reason);
/* The task the job teaches (0-based index in experiment.json's tasks); n_tasks: how many there are. */
guint ftc_teacher_page_get_job_task (FtcTeacherPage *self, guint *n_tasks);
/* Writes the templates into experiment.json's "teacher" object as reasoning_trigger, answer_trigger and
 * system_prompt (other keys are kept). */
gboolean ftc_teacher_page_save_templates (FtcTeacherPage *self, GError **error);

G_END_DECLS
