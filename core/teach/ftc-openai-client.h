/* ftc-openai-client.h: a client for OpenAI-compatible endpoints (OpenAI, vLLM, llama.cpp server, Ollama,
 * LM Studio, OpenRouter, ...): `/v1/completions` and `/v1/chat/completions`.
 *
 * Requests are queued with ftc_openai_client_submit() and performed by ftc_openai_client_run() on libcurl's
 * multi interface, up to max_in_flight at a time, within requests-per-minute and tokens-per-minute limits.
 * 429, 5xx, network errors, timeouts and malformed answers are retried with exponential back-off and jitter,
 * honouring Retry-After. Callbacks run in the thread that calls ftc_openai_client_run(), one per HTTP answer,
 * and may submit more requests. The API key is sent as a bearer token and never appears in an error message. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum {
  FTC_OPENAI_COMPLETIONS,   /* POST {base}/v1/completions, "prompt" */
  FTC_OPENAI_CHAT,          /* POST {base}/v1/chat/completions, "messages" */
} FtcOpenaiApi;

const char *ftc_openai_api_to_string (FtcOpenaiApi api);   /* "completions", "chat" */
gboolean ftc_openai_api_from_string (const char *s, FtcOpenaiApi *out);

typedef enum {
  FTC_OPENAI_N_AUTO,        /* send n; if the server answers fewer choices, fall back to one request each */
  FTC_OPENAI_N_ALWAYS,      /* the server supports n */
  FTC_OPENAI_N_NEVER,       /* always one request per sample */
} FtcOpenaiNMode;

typedef struct {
  char *base_url;           /* "https://api.openai.com/v1", "http://127.0.0.1:8000" (/v1 added when missing) */
  char *api_key;            /* NULL for servers without authentication; kept in memory only */
  guint max_in_flight;      /* requests in flight at once (default 8) */
  double rpm;               /* requests per minute, 0 = unlimited */
  double tpm;               /* tokens per minute (prompt estimate + max_tokens), 0 = unlimited */
  guint max_attempts;       /* per request, first try included (default 6) */
  double backoff_initial_s; /* first back-off (default 1 s), doubled per attempt, with jitter */
  double backoff_max_s;     /* back-off ceiling (default 60 s) */
  double retry_after_max_s; /* longest Retry-After honoured before giving up (default 600 s) */
  double timeout_s;         /* whole request (default 120 s) */
  double connect_timeout_s; /* default 15 s */
  FtcOpenaiNMode n_mode;
  guint64 seed;             /* jitter */
} FtcOpenaiConfig;

void ftc_openai_config_init (FtcOpenaiConfig *config);    /* the defaults above, strings NULL */
void ftc_openai_config_clear (FtcOpenaiConfig *config);   /* frees strings (the key is wiped first) */

typedef struct {
  FtcOpenaiApi api;
  char *model;
  char *prompt;             /* COMPLETIONS */
  JsonArray *messages;      /* CHAT: [{"role": ..., "content": ...}] */
  double temperature;
  int max_tokens;           /* <= 0: not sent */
  int max_completion_tokens;/* > 0: sent as "max_completion_tokens" (thinking included) instead of max_tokens */
  gboolean stream;          /* answers as server-sent events: the client's timeout_s is then the longest silence
                             * allowed, not the whole answer's time */
  guint n;                  /* samples wanted (>= 1) */
  char **stop;              /* NULL-terminated or NULL */
  JsonObject *extra;        /* more body members (top_p, seed, ...), or NULL */
  char *label;              /* names the request in errors: "gsm8k-7473 #2 step 1" */
  int priority;             /* > 0: goes before requests already queued */
  guint estimated_prompt_tokens; /* 0: estimated from the text length */
} FtcOpenaiRequest;

FtcOpenaiRequest *ftc_openai_request_new (FtcOpenaiApi api, const char *model);
void ftc_openai_request_free (FtcOpenaiRequest *req);
/* The JSON body for n samples (the key is not part of it). */
char *ftc_openai_request_body (const FtcOpenaiRequest *req, guint n);
/* Prompt tokens estimated from text length (about 4 bytes a token) when no tokenizer is at hand. */
guint ftc_openai_estimate_tokens (const char *text);
guint ftc_openai_request_prompt_tokens (const FtcOpenaiRequest *req);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcOpenaiRequest, ftc_openai_request_free)

typedef struct {
  guint index;              /* sample index within the request, 0 .. n-1 */
  char *text;               /* completion text or message content */
  char *reasoning;          /* a reasoning model's thinking: message.reasoning_content (DeepSeek, vLLM) or
                             * message.reasoning (OpenRouter, Ollama); NULL when the server sent none */
  char *finish_reason;      /* "stop", "length", ...; "unknown" when the server sent null */
} FtcOpenaiChoice;

typedef struct {
  GPtrArray *choices;       /* FtcOpenaiChoice*, a subset of the request's 0..n-1 in index order */
  gint64 prompt_tokens;     /* from "usage", or estimated (usage_estimated) */
  gint64 completion_tokens;  /* thinking included */
  gint64 reasoning_tokens;   /* usage.completion_tokens_details.reasoning_tokens; -1 when not sent */
  gboolean usage_estimated;
  char *model;              /* as the server named it, or NULL */
  char *id;                 /* response id, or NULL */
  guint attempts;           /* HTTP attempts this answer took */
  double elapsed_s;         /* from first send to this answer */
} FtcOpenaiResponse;

void ftc_openai_response_free (FtcOpenaiResponse *resp);
/* The body of a 200 answer to req, which asked for n samples starting at sample offset, read through
 * core/ftc-json-in.h: choices with their text and finish reason, usage (non-negative, within a C int; estimated
 * when the server sent none). NULL with FTC_ERROR_PARSE or FTC_ERROR_INVALID saying what is wrong. */
FtcOpenaiResponse *ftc_openai_response_parse (const char *body, gsize len, const FtcOpenaiRequest *req, guint n,
                                              guint offset, GError **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcOpenaiResponse, ftc_openai_response_free)

typedef struct _FtcOpenaiClient FtcOpenaiClient;

/* Called once per answer (resp != NULL, error == NULL) or once per request that failed for good
 * (resp == NULL): a request whose n samples were split over several HTTP requests may answer several
 * times, each time with the choices it got. resp and error are owned by the client. */
typedef void (*FtcOpenaiCallback) (FtcOpenaiClient *client, const FtcOpenaiRequest *req,
                                   const FtcOpenaiResponse *resp, const GError *error, gpointer user_data);

typedef struct {
  guint64 http_requests;    /* HTTP requests sent, retries included */
  guint64 retries;
  guint64 answers;          /* successful answers delivered */
  guint64 failures;         /* requests given up */
  guint64 prompt_tokens;
  guint64 completion_tokens;
  guint in_flight;
  guint queued;
} FtcOpenaiStats;

/* The config is copied (key included). */
FtcOpenaiClient *ftc_openai_client_new (const FtcOpenaiConfig *config, GError **error);
void ftc_openai_client_free (FtcOpenaiClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcOpenaiClient, ftc_openai_client_free)

/* The URL a request for api goes to. */
const char *ftc_openai_client_url (FtcOpenaiClient *client, FtcOpenaiApi api);
/* Queues req (the client takes ownership). */
void ftc_openai_client_submit (FtcOpenaiClient *client, FtcOpenaiRequest *req,
                               FtcOpenaiCallback callback, gpointer user_data);
/* Performs queued requests until none is left. Returns FALSE with FTC_ERROR_CANCELLED when cancellable
 * fires (in-flight transfers are abandoned at once), or with the error given to ftc_openai_client_stop(). */
gboolean ftc_openai_client_run (FtcOpenaiClient *client, GCancellable *cancellable, GError **error);
/* From a callback: start nothing more, let the requests in flight finish (their answers are delivered),
 * drop the queue, and make ftc_openai_client_run() fail with error (taken). */
void ftc_openai_client_stop (FtcOpenaiClient *client, GError *error);
void ftc_openai_client_get_stats (FtcOpenaiClient *client, FtcOpenaiStats *stats);
/* Whether the server was found to ignore n (learned during the run, or from config). */
gboolean ftc_openai_client_n_supported (FtcOpenaiClient *client);

/* url without "user:password@" (what may be shown and recorded). */
char *ftc_openai_url_for_display (const char *url);
/* A Retry-After value ("120" or an HTTP date) as seconds from now; -1 if unparsable. */
double ftc_openai_parse_retry_after (const char *value);
/* message with every stretch of 8 or more characters of secret replaced by "[redacted]". */
char *ftc_openai_redact (const char *message, const char *secret);

/* Whether OPENAI_API_KEY may go to url without being asked for: api.openai.com, and servers on this
 * machine (localhost, 127.0.0.1, ::1). Any other host gets a key only when named explicitly, so that an
 * OpenAI key is never handed to a third-party server by accident. */
gboolean ftc_openai_url_takes_default_key (const char *url);
/* The API key: from key_file if given (refused when group or others may read it, like ssh), else from
 * the environment variable env_name (NULL: OPENAI_API_KEY). *key_out is NULL when neither has one. */
gboolean ftc_openai_load_api_key (const char *env_name, const char *key_file, char **key_out, GError **error);

G_END_DECLS
