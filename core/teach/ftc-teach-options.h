/* ftc-teach-options.h: a teaching job from what a user chose: the options of `ftcot teach` here, an
 * experiment's teach stage (core/method/ftc-experiment-teach.h) through ftc_teach_job_new_from_settings, so
 * that the command line, `ftcot run` and the studio build the same job the same way. */
#pragma once

#include "core/teach/ftc-openai-client.h"
#include "core/teach/ftc-price.h"
#include "core/tasks/ftc-task-open.h"
#include "core/teach/ftc-teach-job.h"
#include "core/teach/ftc-teacher-openai.h"
#include "core/teach/ftc-teacher-settings.h"

G_BEGIN_DECLS

typedef struct {
  const char *task;             /* key, key:params or task file (ftc_task_open) */
  FtcTaskOpenOptions task_options;
  const char *split;            /* "train" (NULL), "test" or "all" */
  guint limit;                  /* only the first questions of the split; 0: all */
  const char *out_dir;          /* required */
  FtcTeacherSettings teacher;   /* the teacher and how it is asked: the defaults of ftc_teacher_settings_init */
  guint64 seed;                 /* the scripted teacher and request seeds */
} FtcTeachOptions;

/* The defaults; ftc_teach_options_clear frees what options->teacher holds. */
void ftc_teach_options_init (FtcTeachOptions *options);
void ftc_teach_options_clear (FtcTeachOptions *options);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (FtcTeachOptions, ftc_teach_options_clear)

/* Opens the task, picks the split, builds the teacher (with its answer cache under out_dir) and the job.
 * Errors name the option at fault (FTC_ERROR_INVALID) or come from the task, key file or price file. */
FtcTeachJob *ftc_teach_job_new_from_options (const FtcTeachOptions *options, GError **error);

/* The one construction of a teaching job: the teacher of settings (ftc_teacher_settings_build; base_dir
 * resolves its relative paths, seed drives it) teaching positions of task (both taken) D = samples times
 * at temperature, into out_dir. `ftcot teach`, `ftcot run` and the studio's Teacher view all come here.
 * Unless the caller holds out_dir's lock (dir_locked: `ftcot run`'s pipeline), the job takes it for as
 * long as it lives, so that a teaching run and an experiment run never write one folder together
 * (FTC_ERROR_BUSY). */
FtcTeachJob *ftc_teach_job_new_from_settings (const FtcTeacherSettings *settings, const char *base_dir,
                                              guint64 seed, FtcTask *task, const char *split, GArray *positions,
                                              guint samples, double temperature, const char *out_dir,
                                              gboolean dir_locked, GError **error);

/* Makes job own store and prices (either may be NULL) for as long as it lives. */
void ftc_teach_job_keep_openai (FtcTeachJob *job, FtcCompletionStore *store, FtcPriceTable *prices);

G_END_DECLS
