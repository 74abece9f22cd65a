/* ftc-teach-options.h: a teaching job from what a user chose (the options of `ftcot teach`, the fields of
 * the GUI's teacher page), so that the command line and the GUI build the same job the same way. */
#pragma once

#include "core/teach/ftc-openai-client.h"
#include "core/teach/ftc-price.h"
#include "core/tasks/ftc-task-open.h"
#include "core/teach/ftc-teach-job.h"
#include "core/teach/ftc-teacher-openai.h"

G_BEGIN_DECLS

typedef struct {
  const char *task;             /* key, key:params or task file (ftc_task_open) */
  FtcTaskOpenOptions task_options;
  const char *split;            /* "train" (NULL), "test" or "all" */
  guint limit;                  /* only the first questions of the split; 0: all */
  const char *teacher;          /* http(s) URL, "replay:FILE" or "scripted" (NULL) */
  const char *model;            /* URL teachers: required; replay: the name recorded */
  const char *api;              /* "chat", "completions", "auto" (NULL: from the model name) */
  guint samples;                /* D (default 1) */
  double temperature;           /* < 0 (default): 0 for D = 1, else 0.7 */
  int max_tokens;               /* 128 */
  int answer_max_tokens;        /* 32 */
  const char *out_dir;          /* required */
  guint max_in_flight;          /* 8 */
  double rpm, tpm;              /* 0: no limit */
  double budget_usd;            /* 0: none */
  gint64 budget_tokens;         /* prompt + completion tokens; 0: none */
  double price_prompt_per_mtok, price_completion_per_mtok;   /* > 0: the model's price, over the table */
  double timeout_s;             /* 120 */
  guint attempts;               /* 6 */
  FtcOpenaiNMode n_mode;
  const char *api_key_env;      /* NULL: OPENAI_API_KEY, sent only where ftc_openai_url_takes_default_key() */
  const char *api_key_file;
  const char *price_file;
  const char *reasoning_trigger; /* step 1 after "A: " (NULL: "Let's think step by step.") */
  const char *answer_trigger;   /* step 2 (NULL: the task's) */
  const char *system_prompt;    /* chat endpoints (NULL: none) */
  double error_rate;            /* scripted teacher, 0.1 */
  guint64 seed;                 /* scripted teacher, 1 */
} FtcTeachOptions;

void ftc_teach_options_init (FtcTeachOptions *options);

/* Opens the task, picks the split, builds the teacher (with its answer cache under out_dir) and the job.
 * Errors name the option at fault (FTC_ERROR_INVALID) or come from the task, key file or price file. */
FtcTeachJob *ftc_teach_job_new_from_options (const FtcTeachOptions *options, GError **error);

/* What an OpenAI teacher counts and keeps besides its client settings, set up alike by `ftcot teach` and
 * `ftcot run`. */
typedef struct {
  const char *price_file;           /* a price file added to the built-in table (NULL: none) */
  double price_prompt_per_mtok;     /* either above 0: the model's price, over the table's and the file's */
  double price_completion_per_mtok;
  double budget_usd;                /* 0: none */
  gint64 budget_tokens;             /* 0: none */
} FtcTeachCosts;

/* The teacher of config (client, model and api filled in by the caller; store, prices and budgets are set
 * here from costs) with its per-request answer store <out_dir>/teacher/<task>.<split>.requests.jsonl, so
 * an answer received once is never requested again, even when its record was not yet written. The teacher
 * borrows *store and *prices: hand them to the job with ftc_teach_job_keep_openai. config is cleared. */
FtcTeacher *ftc_teach_openai_teacher_new (FtcTeacherOpenaiConfig *config, const FtcTeachCosts *costs,
                                          const char *out_dir, const char *task_key, const char *split,
                                          FtcCompletionStore **store, FtcPriceTable **prices, GError **error);
/* Makes job own store and prices (either may be NULL) for as long as it lives. */
void ftc_teach_job_keep_openai (FtcTeachJob *job, FtcCompletionStore *store, FtcPriceTable *prices);

G_END_DECLS
