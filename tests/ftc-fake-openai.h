/* ftc-fake-openai.h: a local OpenAI-compatible server for tests, on tests/ftc-test-server.h.
 *
 * Answers POST /v1/completions and /v1/chat/completions from recorded Zero-shot-CoT completions (the
 * JSONL files of the shared teacher folder): a step-1 prompt "Q: {question}\nA: Let's think step by
 * step." gets the recorded rationale, a step-2 prompt (step 1 + rationale + " \n" + trigger) the recorded
 * answer; prompts it does not know get a made-up but deterministic rationale or answer. Faults can be
 * queued for the next requests or drawn at random, and every request is counted by its prompt. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  FTC_FAKE_OK,
  FTC_FAKE_429,             /* 429 with "Retry-After: <seconds>" */
  FTC_FAKE_429_DATE,        /* 429 with Retry-After as an HTTP date */
  FTC_FAKE_500,
  FTC_FAKE_503,
  FTC_FAKE_SLOW,            /* a correct answer after slow_ms */
  FTC_FAKE_TRUNCATED,       /* Content-Length of the whole answer, half of it sent */
  FTC_FAKE_INVALID_JSON,    /* 200 with a body that is not JSON */
  FTC_FAKE_RESET,           /* the connection closed without an answer */
  FTC_FAKE_MISSING_FIELDS,  /* 200 with a choice that has no text */
  FTC_FAKE_401,             /* 401 whose message quotes the bearer token, as some servers do */
  FTC_FAKE_400,             /* 400 Bad Request */
  FTC_FAKE_REDIRECT,        /* 307 to another host, as a misconfigured proxy or load balancer answers */
} FtcFakeFault;

/* How the server answers a boxed prompt ("{question}\n" FTC_BOXED_INSTRUCTION), as a reasoning model: */
typedef enum {
  FTC_FAKE_THINK_REASONING_CONTENT, /* message.reasoning_content (DeepSeek-R1's API, vLLM), the default */
  FTC_FAKE_THINK_REASONING,         /* message.reasoning (OpenRouter, Ollama) */
  FTC_FAKE_THINK_TAGS,              /* "<think>...</think>" inline in the content (a server without a parser) */
} FtcFakeThinking;

typedef struct _FtcFakeOpenai FtcFakeOpenai;

FtcFakeOpenai *ftc_fake_openai_new (GError **error);
void ftc_fake_openai_free (FtcFakeOpenai *fake);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcFakeOpenai, ftc_fake_openai_free)

/* Adds the records of a shared teacher JSONL file. */
gboolean ftc_fake_openai_load_replay (FtcFakeOpenai *fake, const char *path, GError **error);
/* "http://127.0.0.1:PORT" */
const char *ftc_fake_openai_url (FtcFakeOpenai *fake);

/* The next count requests get fault (queued after faults already queued). */
void ftc_fake_openai_push_fault (FtcFakeOpenai *fake, FtcFakeFault fault, guint count);
/* Each request not served from the queue gets a retryable fault (429, 500, 503, truncated, invalid JSON,
 * reset, missing fields) with this probability, drawn from seed. */
void ftc_fake_openai_set_fault_rate (FtcFakeOpenai *fake, double rate, guint64 seed);
void ftc_fake_openai_set_retry_after (FtcFakeOpenai *fake, double seconds);   /* default 1 */
void ftc_fake_openai_set_slow_ms (FtcFakeOpenai *fake, guint ms);             /* default 3000 */
/* Whether "n" gives n choices (default TRUE); FALSE answers one choice like servers that ignore it. */
void ftc_fake_openai_set_n_supported (FtcFakeOpenai *fake, gboolean supported);
/* Every answer waits this long (default 0), to make runs last long enough to interrupt. */
void ftc_fake_openai_set_delay_ms (FtcFakeOpenai *fake, guint ms);
/* Leaves out "usage" from answers. */
void ftc_fake_openai_set_usage (FtcFakeOpenai *fake, gboolean send_usage);

/* Reasoning answers: a thinking trace of some hundred words, then "... The final answer is
 * $\boxed{ANSWER}$." with the answer set for the question (else a number from its hash); sample i with
 * i % 4 == 3 answers 999 instead. usage.completion_tokens_details.reasoning_tokens counts the thinking
 * (not with THINK_TAGS). max_completion_tokens below the thinking's length cuts it: no content, finish
 * reason "length". Requests with "stream": true get server-sent events. */
void ftc_fake_openai_set_thinking (FtcFakeOpenai *fake, FtcFakeThinking mode);
void ftc_fake_openai_set_boxed_answer (FtcFakeOpenai *fake, const char *question, const char *answer);
/* Requests that asked for a stream, and the max_completion_tokens of the latest request (0: none). */
guint ftc_fake_openai_streamed (FtcFakeOpenai *fake);
gint64 ftc_fake_openai_last_max_completion_tokens (FtcFakeOpenai *fake);

/* HTTP requests received, and those answered 200 with a valid completion. */
guint ftc_fake_openai_requests (FtcFakeOpenai *fake);
guint ftc_fake_openai_answered (FtcFakeOpenai *fake);
/* Valid answers given to requests with this prompt (completions: the prompt; chat: the first user
 * message followed, for step 2, by "\x1f" and the last user message). */
guint ftc_fake_openai_prompt_answers (FtcFakeOpenai *fake, const char *prompt);
/* Every prompt answered so far with its count: prompt -> GUINT_TO_POINTER (count); caller unrefs. */
GHashTable *ftc_fake_openai_answer_counts (FtcFakeOpenai *fake);
/* The Authorization header of the latest request, or NULL. */
char *ftc_fake_openai_last_authorization (FtcFakeOpenai *fake);
/* Step-2 prompts that did not follow the Zero-shot-CoT form for a known question. */
guint ftc_fake_openai_malformed_step2 (FtcFakeOpenai *fake);

G_END_DECLS
