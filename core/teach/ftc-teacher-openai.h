/* ftc-teacher-openai.h: the teacher behind any OpenAI-compatible endpoint (ftc-openai-client.h).
 *
 * Step 1 asks the D rationales of a question in one request with n = D where the server supports it
 * (else D requests), step 2 one greedy request per rationale. Every answer goes to the completion store as
 * it arrives, keyed by a SHA-256 of {url, api, model, prompt or messages, parameters, sample index}; a
 * request whose key is stored is never sent again. With a price for the model, a budget stops the run
 * before a request could take the spending past it (FTC_ERROR_BUDGET): the requests already in flight
 * finish and are saved. A token budget works the same way on prompt plus completion tokens. */
#pragma once

#include "core/teach/ftc-completion-store.h"
#include "core/teach/ftc-openai-client.h"
#include "core/teach/ftc-price.h"
#include "core/teach/ftc-teacher.h"

G_BEGIN_DECLS

typedef struct {
  FtcOpenaiConfig client;     /* URL, key, concurrency, limits, retries */
  char *model;
  FtcOpenaiApi api;
  FtcCompletionStore *store;  /* answers cache (borrowed, may be NULL) */
  FtcPriceTable *prices;      /* borrowed; NULL: the built-in table */
  double budget_usd;          /* <= 0: no cap */
  gint64 budget_tokens;       /* prompt + completion tokens; <= 0: no cap */
} FtcTeacherOpenaiConfig;

void ftc_teacher_openai_config_init (FtcTeacherOpenaiConfig *config);
void ftc_teacher_openai_config_clear (FtcTeacherOpenaiConfig *config);

/* The API models are usually served on: completions for GPT-3-style names (davinci, babbage,
 * "-instruct"), chat for everything else. */
FtcOpenaiApi ftc_teacher_openai_guess_api (const char *model);

/* The config is copied (store and prices stay borrowed). Fails on a bad URL, or a budget without a
 * price for the model. */
FtcTeacher *ftc_teacher_openai_new (const FtcTeacherOpenaiConfig *config, GError **error);

G_END_DECLS
