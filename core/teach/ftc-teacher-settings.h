/* ftc-teacher-settings.h: what a teacher is and how it is asked, and the one function that builds it.
 *
 * experiment.json's "teacher" object, the options of `ftcot teach` and the studio's Teacher view all fill
 * this struct, so the three build the same teacher the same way: the defaults live in
 * ftc_teacher_settings_init and nowhere else, and ftc_teacher_settings_build is the only place a teacher
 * object is made from settings (docs/experiment.md, "teacher", documents every field). */
#pragma once

#include <json-glib/json-glib.h>

#include "core/teach/ftc-completion-store.h"
#include "core/teach/ftc-openai-client.h"
#include "core/teach/ftc-price.h"
#include "core/teach/ftc-teacher.h"

G_BEGIN_DECLS

typedef enum {
  FTC_TEACHER_SCRIPTED,   /* the built-in teacher for synthetic tasks (offline) */
  FTC_TEACHER_REPLAY,     /* recorded completions from files */
  FTC_TEACHER_OPENAI,     /* any OpenAI-compatible endpoint */
} FtcTeacherKind;

typedef struct {
  FtcTeacherKind kind;
  char *endpoint;         /* openai: base URL, e.g. "http://127.0.0.1:8080/v1"; NULL: the client's */
  char *api;              /* openai: "chat" or "completions"; NULL: from the model name */
  char *model;            /* openai: model name (required); replay: teacher name recorded */
  char *key_env;          /* environment variable holding the API key; NULL: OPENAI_API_KEY, sent only
                           * where ftc_openai_url_takes_default_key() */
  char *key_file;         /* or a file holding it; the key itself is never stored here */
  char *replay_path;      /* replay: a recorded completion file (.jsonl or the reference JSON), or a
                           * directory of TASK.jsonl files */
  char *reasoning_trigger;/* Zero-shot-CoT step 1: "Let's think step by step." */
  char *answer_trigger;   /* step 2; NULL: the task's own trigger */
  char *system_prompt;    /* chat: system message; NULL: none */
  char *prompt_style;     /* "zero_shot_cot" (the paper's two steps) or "boxed" (one request, a reasoning
                           * model's thinking and its \boxed{} answer; core/teach/ftc-teacher.h) */
  int max_completion_tokens; /* boxed: the one request's limit, thinking included, sent as
                              * "max_completion_tokens" (0: none; boxed needs one) */
  gboolean stream;        /* openai: stream answers; timeout_s is then the longest silence allowed */
  int samples;            /* D: rationales sampled per training question (1) */
  double temperature;     /* 0 (greedy) when samples == 1, 0.7 when diverse (the paper) */
  int max_tokens;         /* step 1 (rationale) token limit (128, Zero-shot-CoT's) */
  int answer_max_tokens;  /* step 2 (answer) token limit (32) */
  double budget_usd;      /* stop before spending more (0: no limit) */
  gint64 budget_tokens;   /* stop before using more tokens in total (0: no limit) */
  double price_prompt_per_mtok;      /* cost meter: USD per million prompt tokens (0: the price table's) */
  double price_completion_per_mtok;  /* and per million completion tokens */
  char *price_file;       /* a price file adding to the built-in table (core/teach/ftc-price.h), or NULL */
  double rpm;             /* requests per minute (0: unlimited) */
  double tpm;             /* tokens per minute (0: unlimited) */
  int in_flight;          /* concurrent requests (8) */
  double timeout_s;       /* per request (120); streamed: the longest silence */
  int retries;            /* on 429/5xx/timeouts, with backoff (5: six attempts) */
  char *n_mode;           /* openai: D samples in one request: "auto" (when the server supports n), "always",
                           * "never" */
  JsonObject *options;    /* kind-specific settings, checked by ftc_teacher_settings_check (may be NULL):
                           * scripted: "error_rate" (0..1, 0.1), "style" ("varied" or "terse") */
} FtcTeacherSettings;

/* The fastest a server is taken to write: a non-streamed answer of max_completion_tokens needs timeout_s of at
 * least max_completion_tokens / this many seconds. */
#define FTC_TEACHER_FAST_TOKENS_PER_S 100

/* The defaults: the scripted teacher, one greedy rationale per question, Zero-shot-CoT's token limits,
 * the OpenAI client's concurrency, timeout and retries. */
void ftc_teacher_settings_init (FtcTeacherSettings *settings);
void ftc_teacher_settings_clear (FtcTeacherSettings *settings);
void ftc_teacher_settings_copy (FtcTeacherSettings *dst, const FtcTeacherSettings *src);

/* The paper's temperature for D samples: 0 (greedy) for one, 0.7 for diverse reasoning. */
double ftc_teacher_settings_default_temperature (int samples);

const char *ftc_teacher_kind_to_string (FtcTeacherKind kind);
/* NULL-terminated, in FtcTeacherKind order */
extern const char *const ftc_teacher_kind_names[];

/* The teacher named the way `ftcot teach --teacher` names it: an http(s) URL (openai, its endpoint),
 * "replay:FILE" or "scripted". Sets kind and endpoint or replay_path; FTC_ERROR_INVALID for anything else. */
gboolean ftc_teacher_settings_set_spec (FtcTeacherSettings *settings, const char *spec, GError **error);

/* Checks ranges and the kind-specific options (unknown option keys, wrong types). what names the source
 * in messages ("teacher", "experiment.json: teacher"). Does not look at files. */
gboolean ftc_teacher_settings_check (const FtcTeacherSettings *settings, const char *what, GError **error);

/* The teacher these settings describe. Relative paths (replay_path, key_file, price_file) resolve against
 * base_dir (NULL: the current directory); seed drives the scripted teacher. An openai teacher comes with
 * its per-request answer store <out_dir>/teacher/<task_key>.<split>.requests.jsonl, so an answer received
 * once is never requested again, and its price table: both returned in *store and *prices (NULL for the
 * other kinds), which the teacher borrows; hand them to the job with ftc_teach_job_keep_openai. */
FtcTeacher *ftc_teacher_settings_build (const FtcTeacherSettings *settings, const char *base_dir, guint64 seed,
                                        const char *out_dir, const char *task_key, const char *split,
                                        FtcCompletionStore **store, FtcPriceTable **prices, GError **error);

G_END_DECLS
