#include "core/teach/ftc-openai-client.h"

#include <curl/curl.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "core/ftc-error.h"
#include "core/ftc-json-in.h"
#include "core/ftc-json-out.h"
#include "core/ftc-read.h"

/* one answer's body at most (core/ftc-read.h) */
#define MAX_RESPONSE_BYTES ftc_input_limit (FTC_INPUT_HTTP_BODY)

const char *
ftc_openai_api_to_string (FtcOpenaiApi api)
{
  return api == FTC_OPENAI_CHAT ? "chat" : "completions";
}

gboolean
ftc_openai_api_from_string (const char *s, FtcOpenaiApi *out)
{
  if (g_strcmp0 (s, "chat") == 0)
    *out = FTC_OPENAI_CHAT;
  else if (g_strcmp0 (s, "completions") == 0)
    *out = FTC_OPENAI_COMPLETIONS;
  else
    return FALSE;
  return TRUE;
}

void
ftc_openai_config_init (FtcOpenaiConfig *config)
{
  memset (config, 0, sizeof *config);
  config->max_in_flight = 8;
  config->max_attempts = 6;
  config->backoff_initial_s = 1.0;
  config->backoff_max_s = 60.0;
  config->retry_after_max_s = 600.0;
  config->timeout_s = 120.0;
  config->connect_timeout_s = 15.0;
  config->n_mode = FTC_OPENAI_N_AUTO;
  config->seed = 0x5eed;
}

static void
wipe_free (char *secret)
{
  if (secret != NULL)
    {
      volatile char *p = secret;
      while (*p)
        *p++ = 0;
      g_free (secret);
    }
}

void
ftc_openai_config_clear (FtcOpenaiConfig *config)
{
  g_clear_pointer (&config->base_url, g_free);
  wipe_free (config->api_key);
  config->api_key = NULL;
}

/* ---- requests ---- */

FtcOpenaiRequest *
ftc_openai_request_new (FtcOpenaiApi api, const char *model)
{
  FtcOpenaiRequest *req = g_new0 (FtcOpenaiRequest, 1);

  req->api = api;
  req->model = g_strdup (model);
  req->max_tokens = 128;
  req->n = 1;
  return req;
}

void
ftc_openai_request_free (FtcOpenaiRequest *req)
{
  if (req == NULL)
    return;
  g_free (req->model);
  g_free (req->prompt);
  g_clear_pointer (&req->messages, json_array_unref);
  g_strfreev (req->stop);
  g_clear_pointer (&req->extra, json_object_unref);
  g_free (req->label);
  g_free (req);
}

guint
ftc_openai_estimate_tokens (const char *text)
{
  /* English BPE text averages about four bytes a token; round up so estimates err on the safe side */
  return text == NULL ? 0 : (guint) ((strlen (text) + 3) / 4);
}

guint
ftc_openai_request_prompt_tokens (const FtcOpenaiRequest *req)
{
  guint tokens = 0;

  if (req->estimated_prompt_tokens > 0)
    return req->estimated_prompt_tokens;
  if (req->api == FTC_OPENAI_COMPLETIONS)
    return ftc_openai_estimate_tokens (req->prompt);
  for (guint i = 0; req->messages != NULL && i < json_array_get_length (req->messages); i++)
    {
      JsonObject *m = json_array_get_object_element (req->messages, i);
      const char *content = m != NULL ? json_object_get_string_member_with_default (m, "content", "") : "";
      tokens += ftc_openai_estimate_tokens (content) + 4;   /* role and separators */
    }
  return tokens + 3;
}

char *
ftc_openai_request_body (const FtcOpenaiRequest *req, guint n)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, req->model != NULL ? req->model : "");
  if (req->api == FTC_OPENAI_COMPLETIONS)
    {
      json_builder_set_member_name (b, "prompt");
      json_builder_add_string_value (b, req->prompt != NULL ? req->prompt : "");
    }
  else
    {
      json_builder_set_member_name (b, "messages");
      if (req->messages != NULL)
        json_builder_add_value (b, json_node_init_array (json_node_alloc (), req->messages));
      else
        {
          json_builder_begin_array (b);
          json_builder_end_array (b);
        }
    }
  if (req->max_completion_tokens > 0)
    {
      json_builder_set_member_name (b, "max_completion_tokens");
      json_builder_add_int_value (b, req->max_completion_tokens);
    }
  else if (req->max_tokens > 0)
    {
      json_builder_set_member_name (b, "max_tokens");
      json_builder_add_int_value (b, req->max_tokens);
    }
  if (req->stream)
    {
      /* the usage comes in a last chunk only when asked for */
      json_builder_set_member_name (b, "stream");
      json_builder_add_boolean_value (b, TRUE);
      json_builder_set_member_name (b, "stream_options");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "include_usage");
      json_builder_add_boolean_value (b, TRUE);
      json_builder_end_object (b);
    }
  json_builder_set_member_name (b, "temperature");
  json_builder_add_double_value (b, req->temperature);
  if (n > 1)
    {
      json_builder_set_member_name (b, "n");
      json_builder_add_int_value (b, n);
    }
  if (req->stop != NULL && req->stop[0] != NULL)
    {
      json_builder_set_member_name (b, "stop");
      json_builder_begin_array (b);
      for (char **s = req->stop; *s != NULL; s++)
        json_builder_add_string_value (b, *s);
      json_builder_end_array (b);
    }
  if (req->extra != NULL)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      json_object_iter_init (&iter, req->extra);
      while (json_object_iter_next (&iter, &name, &value))
        {
          json_builder_set_member_name (b, name);
          json_builder_add_value (b, json_node_copy (value));
        }
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return ftc_json_to_compact (root);
}

void
ftc_openai_response_free (FtcOpenaiResponse *resp)
{
  if (resp == NULL)
    return;
  g_clear_pointer (&resp->choices, g_ptr_array_unref);
  g_free (resp->model);
  g_free (resp->id);
  g_free (resp);
}

static void
choice_free (gpointer p)
{
  FtcOpenaiChoice *c = p;

  g_free (c->text);
  g_free (c->reasoning);
  g_free (c->finish_reason);
  g_free (c);
}

/* ---- helpers ---- */

char *
ftc_openai_url_for_display (const char *url)
{
  const char *scheme_end = url != NULL ? strstr (url, "://") : NULL;
  const char *host, *at, *slash;

  if (scheme_end == NULL)
    return g_strdup (url);
  host = scheme_end + 3;
  slash = strchr (host, '/');
  at = strchr (host, '@');
  if (at == NULL || (slash != NULL && at > slash))
    return g_strdup (url);
  return g_strdup_printf ("%.*s%s", (int) (host - url), url, at + 1);
}

gboolean
ftc_openai_url_takes_default_key (const char *url)
{
  g_autofree char *shown = ftc_openai_url_for_display (url);
  const char *host = shown != NULL ? strstr (shown, "://") : NULL;
  g_autofree char *name = NULL;
  gsize len;

  if (host == NULL)
    return FALSE;
  host += 3;
  if (host[0] == '[')
    len = strcspn (host, "]") + 1;
  else
    len = strcspn (host, ":/?#");
  name = g_ascii_strdown (host, len);
  return strcmp (name, "api.openai.com") == 0 || strcmp (name, "localhost") == 0 ||
         strcmp (name, "127.0.0.1") == 0 || strcmp (name, "[::1]") == 0;
}

double
ftc_openai_parse_retry_after (const char *value)
{
  g_autofree char *v = NULL;
  char *end = NULL;
  double seconds;
  time_t when;

  if (value == NULL)
    return -1;
  v = g_strstrip (g_strdup (value));
  if (*v == '\0')
    return -1;
  seconds = g_ascii_strtod (v, &end);
  if (end != v && *end == '\0')
    return seconds >= 0 && isfinite (seconds) ? seconds : -1;
  /* an HTTP date: "Wed, 21 Oct 2015 07:28:00 GMT" */
  when = curl_getdate (v, NULL);
  if (when == (time_t) -1)
    return -1;
  return MAX (0.0, difftime (when, time (NULL)));
}

char *
ftc_openai_redact (const char *message, const char *secret)
{
  gsize ml, sl;
  g_autofree gboolean *hide = NULL;
  GString *out;
  gsize min_run;

  if (message == NULL)
    return NULL;
  if (secret == NULL || *secret == '\0')
    return g_strdup (message);
  ml = strlen (message);
  sl = strlen (secret);
  /* any 8 characters of the key would let someone narrow it down; a shorter key must match whole */
  min_run = MIN (sl, (gsize) 8);
  hide = g_new0 (gboolean, ml + 1);
  for (gsize i = 0; i < ml; i++)
    for (gsize j = 0; j < sl; j++)
      {
        gsize k = 0;
        while (i + k < ml && j + k < sl && message[i + k] == secret[j + k])
          k++;
        if (k >= min_run)
          for (gsize t = i; t < i + k; t++)
            hide[t] = TRUE;
      }
  out = g_string_sized_new (ml);
  for (gsize i = 0; i < ml; i++)
    {
      if (hide[i])
        {
          g_string_append (out, "[redacted]");
          while (i + 1 < ml && hide[i + 1])
            i++;
        }
      else
        g_string_append_c (out, message[i]);
    }
  return g_string_free (out, FALSE);
}

gboolean
ftc_openai_load_api_key (const char *env_name, const char *key_file, char **key_out, GError **error)
{
  *key_out = NULL;
  if (key_file != NULL)
    {
      GStatBuf st;
      g_autofree char *contents = NULL;
      g_autoptr (GError) local = NULL;

      if (g_stat (key_file, &st) != 0)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND, "API key file %s: %s", key_file,
                       g_strerror (errno));
          return FALSE;
        }
#ifndef G_OS_WIN32
      if (!S_ISREG (st.st_mode))
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "API key file %s is not a regular file", key_file);
          return FALSE;
        }
      if ((st.st_mode & 077) != 0)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID,
                       "API key file %s is accessible by others (mode %04o); make it private with "
                       "'chmod 600 %s'", key_file, (unsigned) (st.st_mode & 07777), key_file);
          return FALSE;
        }
#endif
      if (!ftc_file_read (key_file, FTC_INPUT_KEY, &contents, NULL, &local))
        {
          g_set_error (error, FTC_ERROR, local->code, "API key file %s", local->message);
          return FALSE;
        }
      g_strstrip (contents);
      if (*contents == '\0' || strchr (contents, '\n') != NULL)
        {
          wipe_free (g_steal_pointer (&contents));
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID,
                       "API key file %s must hold the key alone on one line", key_file);
          return FALSE;
        }
      *key_out = g_steal_pointer (&contents);
      return TRUE;
    }
  else
    {
      const char *value = g_getenv (env_name != NULL ? env_name : "OPENAI_API_KEY");
      g_autofree char *key = NULL;

      if (value == NULL)
        return TRUE;
      key = g_strstrip (g_strdup (value));
      if (*key == '\0')
        return TRUE;
      *key_out = g_steal_pointer (&key);
      return TRUE;
    }
}

/* ---- the client ---- */

typedef struct {
  FtcOpenaiRequest *req;
  FtcOpenaiCallback callback;
  gpointer user_data;
  guint refs;               /* transfers not finished yet */
} Call;

typedef struct {
  FtcOpenaiClient *client;
  Call *call;
  guint offset;             /* first sample index this transfer asks for */
  guint n;                  /* samples asked for */
  guint attempt;            /* attempts made so far */
  double not_before;        /* monotonic seconds */
  double first_sent;        /* < 0: not sent yet */
  double token_cost;        /* charged to the tokens-per-minute bucket */
  CURL *easy;
  char *body;
  GByteArray *response;
  gboolean too_large;       /* the body passed MAX_RESPONSE_BYTES and was cut off */
  long status;
  double retry_after;       /* seconds, < 0 none */
  GError *last_error;       /* of the latest failed attempt */
  char errbuf[CURL_ERROR_SIZE];
} Transfer;

struct _FtcOpenaiClient {
  FtcOpenaiConfig config;
  char *url[2];             /* indexed by FtcOpenaiApi */
  CURLM *multi;
  struct curl_slist *headers;
  GQueue ready;             /* Transfer* to start */
  GQueue delayed;           /* Transfer* waiting for not_before, sorted by it */
  GPtrArray *active;        /* Transfer* in flight */
  GPtrArray *idle_handles;  /* CURL* to reuse */
  GRand *rand;
  double next_start;        /* requests-per-minute spacing */
  double tpm_tokens;
  double tpm_stamp;
  double paused_until;      /* after a 429: nobody starts before */
  gboolean n_unsupported;
  GError *stop_error;
  gboolean stopping;
  FtcOpenaiStats stats;
};

static gsize curl_init_once;

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

static char *
join_url (const char *base, const char *suffix)
{
  g_autofree char *b = g_strdup (base);
  gsize len = strlen (b);

  while (len > 0 && b[len - 1] == '/')
    b[--len] = '\0';
  if (g_str_has_suffix (b, "/chat/completions"))
    b[len - strlen ("/chat/completions")] = '\0';
  else if (g_str_has_suffix (b, "/completions"))
    b[len - strlen ("/completions")] = '\0';
  if (g_str_has_suffix (b, "/v1") || strstr (b, "/v1/") != NULL || g_str_has_suffix (b, "/api/v1"))
    return g_strconcat (b, suffix, NULL);
  return g_strconcat (b, "/v1", suffix, NULL);
}

FtcOpenaiClient *
ftc_openai_client_new (const FtcOpenaiConfig *config, GError **error)
{
  g_autoptr (FtcOpenaiClient) client = NULL;

  if (config->base_url == NULL || (!g_str_has_prefix (config->base_url, "http://") &&
                                   !g_str_has_prefix (config->base_url, "https://")))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "teacher URL %s: must start with http:// or https://",
                   config->base_url != NULL ? config->base_url : "(none)");
      return NULL;
    }
  if (config->api_key != NULL && (strchr (config->api_key, '\n') != NULL || strchr (config->api_key, '\r')))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "the API key contains a line break");
      return NULL;
    }
  if (g_once_init_enter (&curl_init_once))
    {
      curl_global_init (CURL_GLOBAL_DEFAULT);
      g_once_init_leave (&curl_init_once, 1);
    }

  client = g_new0 (FtcOpenaiClient, 1);
  client->config = *config;
  client->config.base_url = g_strdup (config->base_url);
  client->config.api_key = g_strdup (config->api_key);
  if (client->config.max_in_flight == 0)
    client->config.max_in_flight = 1;
  if (client->config.max_attempts == 0)
    client->config.max_attempts = 1;
  client->url[FTC_OPENAI_COMPLETIONS] = join_url (config->base_url, "/completions");
  client->url[FTC_OPENAI_CHAT] = join_url (config->base_url, "/chat/completions");
  client->multi = curl_multi_init ();
  client->active = g_ptr_array_new ();
  client->idle_handles = g_ptr_array_new ();
  client->rand = g_rand_new_with_seed ((guint32) (config->seed ^ (config->seed >> 32)));
  client->n_unsupported = config->n_mode == FTC_OPENAI_N_NEVER;
  client->tpm_tokens = config->tpm > 0 ? config->tpm / 6 : 0;
  client->tpm_stamp = now_s ();

  client->headers = curl_slist_append (client->headers, "Content-Type: application/json");
  client->headers = curl_slist_append (client->headers, "Accept: application/json");
  client->headers = curl_slist_append (client->headers, "Expect:");
  if (client->config.api_key != NULL && *client->config.api_key != '\0')
    {
      g_autofree char *auth = g_strconcat ("Authorization: Bearer ", client->config.api_key, NULL);
      client->headers = curl_slist_append (client->headers, auth);
      memset (auth, 0, strlen (auth));
    }
  curl_multi_setopt (client->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long) client->config.max_in_flight);
  return g_steal_pointer (&client);
}

static void
call_unref (Call *call)
{
  if (--call->refs == 0)
    {
      ftc_openai_request_free (call->req);
      g_free (call);
    }
}

static void
transfer_free (Transfer *t)
{
  FtcOpenaiClient *client = t->client;

  if (t->easy != NULL)
    {
      curl_multi_remove_handle (client->multi, t->easy);
      g_ptr_array_add (client->idle_handles, t->easy);
    }
  g_free (t->body);
  if (t->response != NULL)
    g_byte_array_unref (t->response);
  g_clear_error (&t->last_error);
  call_unref (t->call);
  g_free (t);
}

void
ftc_openai_client_free (FtcOpenaiClient *client)
{
  Transfer *t;

  if (client == NULL)
    return;
  while (client->active->len > 0)
    {
      t = g_ptr_array_steal_index_fast (client->active, client->active->len - 1);
      transfer_free (t);
    }
  while ((t = g_queue_pop_head (&client->ready)) != NULL)
    transfer_free (t);
  while ((t = g_queue_pop_head (&client->delayed)) != NULL)
    transfer_free (t);
  for (guint i = 0; i < client->idle_handles->len; i++)
    curl_easy_cleanup (client->idle_handles->pdata[i]);
  g_ptr_array_unref (client->idle_handles);
  g_ptr_array_unref (client->active);
  if (client->multi != NULL)
    curl_multi_cleanup (client->multi);
  if (client->headers != NULL)
    {
      for (struct curl_slist *h = client->headers; h != NULL; h = h->next)
        memset (h->data, 0, strlen (h->data));
      curl_slist_free_all (client->headers);
    }
  g_free (client->url[0]);
  g_free (client->url[1]);
  g_rand_free (client->rand);
  g_clear_error (&client->stop_error);
  ftc_openai_config_clear (&client->config);
  g_free (client);
}

const char *
ftc_openai_client_url (FtcOpenaiClient *client, FtcOpenaiApi api)
{
  return client->url[api == FTC_OPENAI_CHAT ? 1 : 0];
}

gboolean
ftc_openai_client_n_supported (FtcOpenaiClient *client)
{
  return !client->n_unsupported;
}

void
ftc_openai_client_get_stats (FtcOpenaiClient *client, FtcOpenaiStats *stats)
{
  *stats = client->stats;
  stats->in_flight = client->active->len;
  stats->queued = client->ready.length + client->delayed.length;
}

static Transfer *
transfer_new (FtcOpenaiClient *client, Call *call, guint offset, guint n)
{
  Transfer *t = g_new0 (Transfer, 1);

  t->client = client;
  t->call = call;
  call->refs++;
  t->offset = offset;
  t->n = n;
  t->first_sent = -1;
  t->retry_after = -1;
  return t;
}

static void
enqueue_ready (FtcOpenaiClient *client, Transfer *t, gboolean front)
{
  if (front)
    g_queue_push_head (&client->ready, t);
  else
    g_queue_push_tail (&client->ready, t);
}

static gint
compare_not_before (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const Transfer *ta = a, *tb = b;
  return ta->not_before < tb->not_before ? -1 : ta->not_before > tb->not_before ? 1 : 0;
}

void
ftc_openai_client_submit (FtcOpenaiClient *client, FtcOpenaiRequest *req, FtcOpenaiCallback callback,
                          gpointer user_data)
{
  Call *call = g_new0 (Call, 1);

  if (req->n == 0)
    req->n = 1;
  call->req = req;
  call->callback = callback;
  call->user_data = user_data;
  call->refs = 1;   /* held until the transfers are queued */
  if (req->n > 1 && client->n_unsupported)
    for (guint i = 0; i < req->n; i++)
      enqueue_ready (client, transfer_new (client, call, i, 1), FALSE);
  else
    enqueue_ready (client, transfer_new (client, call, 0, req->n), req->priority > 0);
  call_unref (call);
}

void
ftc_openai_client_stop (FtcOpenaiClient *client, GError *error)
{
  if (client->stop_error == NULL)
    client->stop_error = error;
  else
    g_error_free (error);
  client->stopping = TRUE;
}

/* ---- one transfer ---- */

static size_t
on_body (char *data, size_t size, size_t nmemb, void *user_data)
{
  Transfer *t = user_data;
  size_t len = size * nmemb;

  if (t->response->len + len > MAX_RESPONSE_BYTES)
    {
      t->too_large = TRUE;
      return 0;
    }
  g_byte_array_append (t->response, (const guint8 *) data, len);
  return len;
}

static size_t
on_header (char *data, size_t size, size_t nmemb, void *user_data)
{
  Transfer *t = user_data;
  size_t len = size * nmemb;

  if (len >= 5 && g_ascii_strncasecmp (data, "HTTP/", 5) == 0)
    t->retry_after = -1;   /* a new response (after 100 Continue or a redirect) */
  else if (len > 12 && g_ascii_strncasecmp (data, "retry-after:", 12) == 0)
    {
      g_autofree char *v = g_strndup (data + 12, len - 12);
      double s = ftc_openai_parse_retry_after (v);
      if (s >= 0)
        t->retry_after = s;
    }
  else if (len > 15 && g_ascii_strncasecmp (data, "retry-after-ms:", 15) == 0)
    {
      g_autofree char *v = g_strndup (data + 15, len - 15);
      double ms = ftc_openai_parse_retry_after (v);
      if (ms >= 0 && t->retry_after < 0)
        t->retry_after = ms / 1000.0;
    }
  return len;
}

static void
transfer_start (FtcOpenaiClient *client, Transfer *t)
{
  const FtcOpenaiRequest *req = t->call->req;
  CURL *easy;

  if (client->idle_handles->len > 0)
    {
      easy = g_ptr_array_steal_index_fast (client->idle_handles, client->idle_handles->len - 1);
      curl_easy_reset (easy);
    }
  else
    easy = curl_easy_init ();
  t->easy = easy;
  g_free (t->body);
  t->body = ftc_openai_request_body (req, t->n);
  if (t->response == NULL)
    t->response = g_byte_array_new ();
  g_byte_array_set_size (t->response, 0);
  t->too_large = FALSE;
  t->status = 0;
  t->retry_after = -1;
  t->errbuf[0] = '\0';
  t->attempt++;
  if (t->first_sent < 0)
    t->first_sent = now_s ();

  curl_easy_setopt (easy, CURLOPT_URL, ftc_openai_client_url (client, req->api));
  curl_easy_setopt (easy, CURLOPT_POST, 1L);
  curl_easy_setopt (easy, CURLOPT_POSTFIELDS, t->body);
  curl_easy_setopt (easy, CURLOPT_POSTFIELDSIZE, (long) strlen (t->body));
  curl_easy_setopt (easy, CURLOPT_HTTPHEADER, client->headers);
  curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt (easy, CURLOPT_WRITEDATA, t);
  curl_easy_setopt (easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt (easy, CURLOPT_HEADERDATA, t);
  curl_easy_setopt (easy, CURLOPT_PRIVATE, t);
  curl_easy_setopt (easy, CURLOPT_ERRORBUFFER, t->errbuf);
  curl_easy_setopt (easy, CURLOPT_NOSIGNAL, 1L);
  if (req->stream)
    {
      /* a long answer streams for many minutes: what must not last is silence */
      curl_easy_setopt (easy, CURLOPT_TIMEOUT_MS, 0L);
      curl_easy_setopt (easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
      curl_easy_setopt (easy, CURLOPT_LOW_SPEED_TIME, (long) MAX (1.0, ceil (client->config.timeout_s)));
    }
  else
    curl_easy_setopt (easy, CURLOPT_TIMEOUT_MS, (long) (client->config.timeout_s * 1000));
  curl_easy_setopt (easy, CURLOPT_CONNECTTIMEOUT_MS, (long) (client->config.connect_timeout_s * 1000));
  curl_easy_setopt (easy, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt (easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt (easy, CURLOPT_USERAGENT, "ftcot");
  curl_easy_setopt (easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_multi_add_handle (client->multi, easy);
  g_ptr_array_add (client->active, t);
  client->stats.http_requests++;
}

/* The server's own words about an error: {"error": {"message": ...}}, {"error": "..."}, or the text. */
static char *
server_message (const GByteArray *body)
{
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;

  if (body == NULL || body->len == 0)
    return g_strdup ("(empty body)");
  root = ftc_json_parse ((const char *) body->data, body->len, "response", NULL);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *o = json_node_get_object (root);
      JsonNode *e = json_object_get_member (o, "error");
      if (e != NULL && JSON_NODE_HOLDS_OBJECT (e))
        {
          const char *m = json_object_get_string_member_with_default (json_node_get_object (e), "message", NULL);
          if (m != NULL)
            return g_strndup (m, 300);
        }
      if (e != NULL && JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING)
        return g_strndup (json_node_get_string (e), 300);
    }
  text = g_strndup ((const char *) body->data, MIN (body->len, 300));
  if (!g_utf8_validate (text, -1, NULL))
    return g_strdup ("(binary body)");
  return g_strdelimit (g_steal_pointer (&text), "\r\n", ' ');
}

static void
transfer_set_error (Transfer *t, int code, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

/* Every message names the request and the URL, and never holds the key. */
static void
transfer_set_error (Transfer *t, int code, const char *fmt, ...)
{
  FtcOpenaiClient *client = t->client;
  const FtcOpenaiRequest *req = t->call->req;
  va_list args;
  g_autofree char *what = NULL;
  g_autofree char *message = NULL;
  g_autofree char *shown = NULL;

  va_start (args, fmt);
  what = g_strdup_vprintf (fmt, args);
  va_end (args);
  shown = ftc_openai_url_for_display (ftc_openai_client_url (client, req->api));
  message = g_strdup_printf ("request %s to %s: %s", req->label != NULL ? req->label : "(unnamed)", shown, what);
  g_clear_error (&t->last_error);
  t->last_error = g_error_new_literal (FTC_ERROR, code, "");
  g_free (t->last_error->message);
  t->last_error->message = ftc_openai_redact (message, client->config.api_key);
}

static gboolean
answer_fail (GError **error, int code, const char *format, ...) G_GNUC_PRINTF (3, 4);

static gboolean
answer_fail (GError **error, int code, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, FTC_ERROR, code, message);
  return FALSE;
}

/* A reasoning model's thinking in a chat message or delta: reasoning_content (DeepSeek, vLLM) or
 * reasoning (OpenRouter, Ollama). */
static const char *
reasoning_of (JsonObject *message)
{
  static const char *const names[] = { "reasoning_content", "reasoning" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      JsonNode *n = json_object_get_member (message, names[i]);
      if (n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
        return json_node_get_string (n);
    }
  return NULL;
}

/* Token usage from an answer's "usage" object (NULL: none, estimated from the text): counts a cost and a
 * budget are computed from, never negative, never beyond a C int. */
static gboolean
set_usage (FtcOpenaiResponse *resp, const FtcOpenaiRequest *req, JsonObject *usage, GError **error)
{
  gint64 prompt_tokens = -1, completion_tokens = -1, reasoning_tokens = -1;
  JsonObject *details = NULL;

  resp->reasoning_tokens = -1;
  if (!ftc_json_get_int (usage, "prompt_tokens", "usage.prompt_tokens", 0, G_MAXINT32, &prompt_tokens, error)
      || !ftc_json_get_int (usage, "completion_tokens", "usage.completion_tokens", 0, G_MAXINT32,
                            &completion_tokens, error)
      || !ftc_json_get_object (usage, "completion_tokens_details", "usage.completion_tokens_details", &details,
                               error)
      || !ftc_json_get_int (details, "reasoning_tokens", "usage.completion_tokens_details.reasoning_tokens", 0,
                            G_MAXINT32, &reasoning_tokens, error))
    return FALSE;
  if (prompt_tokens >= 0)
    {
      resp->prompt_tokens = prompt_tokens;
      resp->completion_tokens = MAX (completion_tokens, 0);
      resp->reasoning_tokens = reasoning_tokens;
      return TRUE;
    }
  resp->usage_estimated = TRUE;
  resp->prompt_tokens = ftc_openai_request_prompt_tokens (req);
  for (guint i = 0; i < resp->choices->len; i++)
    {
      const FtcOpenaiChoice *c = resp->choices->pdata[i];
      resp->completion_tokens += ftc_openai_estimate_tokens (c->text) + ftc_openai_estimate_tokens (c->reasoning);
    }
  return TRUE;
}

FtcOpenaiResponse *
ftc_openai_response_parse (const char *body, gsize len, const FtcOpenaiRequest *req, guint n, guint offset,
                           GError **error)
{
  g_autoptr (GPtrArray) choices = g_ptr_array_new_with_free_func (choice_free);
  g_autoptr (JsonNode) parsed = NULL;
  g_autoptr (GError) local = NULL;
  FtcOpenaiResponse *resp;
  JsonObject *root, *usage = NULL;
  JsonArray *arr;
  JsonNode *node;
  gboolean chat = req->api == FTC_OPENAI_CHAT;

  if (len == 0)
    return answer_fail (error, FTC_ERROR_PARSE, "empty response body"), NULL;
  /* the one bounded JSON reader: a hostile server cannot nest it deep or send numbers that wrap */
  parsed = ftc_json_parse (body, len, "response", &local);
  if (parsed == NULL)
    return answer_fail (error, FTC_ERROR_PARSE, "response is not valid JSON (%s)", local->message), NULL;
  if (!JSON_NODE_HOLDS_OBJECT (parsed))
    return answer_fail (error, FTC_ERROR_PARSE, "response is not a JSON object"), NULL;
  root = json_node_get_object (parsed);
  node = json_object_get_member (root, "choices");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      if (json_object_has_member (root, "error"))
        {
          GByteArray whole = { (guint8 *) body, (guint) MIN (len, G_MAXUINT) };
          g_autofree char *m = server_message (&whole);
          return answer_fail (error, FTC_ERROR_INVALID, "the server answered an error: %s", m), NULL;
        }
      return answer_fail (error, FTC_ERROR_INVALID, "response has no \"choices\" array"), NULL;
    }
  arr = json_node_get_array (node);
  if (json_array_get_length (arr) == 0)
    return answer_fail (error, FTC_ERROR_INVALID, "response has an empty \"choices\" array"), NULL;
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      JsonNode *cn = json_array_get_element (arr, i);
      JsonObject *c;
      const char *text = NULL, *finish_reason = NULL, *reasoning = NULL;
      FtcOpenaiChoice *choice;
      gint64 index = i;
      g_autofree char *field = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (cn))
        return answer_fail (error, FTC_ERROR_INVALID, "choices[%u] is not an object", i), NULL;
      c = json_node_get_object (cn);
      if (chat)
        {
          JsonNode *m = json_object_get_member (c, "message");
          if (m == NULL || !JSON_NODE_HOLDS_OBJECT (m))
            return answer_fail (error, FTC_ERROR_INVALID, "choices[%u] has no \"message\" object", i), NULL;
          node = json_object_get_member (json_node_get_object (m), "content");
          reasoning = reasoning_of (json_node_get_object (m));
        }
      else
        node = json_object_get_member (c, "text");
      if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        text = json_node_get_string (node);
      /* a reasoning model that ran out of tokens while thinking sends content null */
      else if (!(reasoning != NULL && (node == NULL || JSON_NODE_HOLDS_NULL (node))))
        return answer_fail (error, FTC_ERROR_INVALID, "choices[%u] has no %s string", i,
                            chat ? "\"message.content\"" : "\"text\""), NULL;
      field = g_strdup_printf ("choices[%u].index", i);
      if (!ftc_json_get_int (c, "index", field, G_MININT64, G_MAXINT64, &index, &local))
        return answer_fail (error, FTC_ERROR_INVALID, "%s", local->message), NULL;
      if (index < 0 || index >= (gint64) n)
        return answer_fail (error, FTC_ERROR_INVALID, "choices[%u] has index %" G_GINT64_FORMAT " outside 0..%u", i,
                            index, n - 1), NULL;
      for (guint k = 0; k < choices->len; k++)
        if (((FtcOpenaiChoice *) choices->pdata[k])->index == offset + (guint) index)
          return answer_fail (error, FTC_ERROR_INVALID, "choices[%u] repeats index %" G_GINT64_FORMAT, i,
                              index), NULL;
      node = json_object_get_member (c, "finish_reason");
      if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        finish_reason = json_node_get_string (node);
      choice = g_new0 (FtcOpenaiChoice, 1);
      choice->index = offset + (guint) index;
      choice->text = g_strdup (text != NULL ? text : "");
      choice->reasoning = g_strdup (reasoning);
      choice->finish_reason = g_strdup (finish_reason != NULL ? finish_reason : "unknown");
      g_ptr_array_add (choices, choice);
    }
  if (!ftc_json_get_object (root, "usage", NULL, &usage, &local))
    return answer_fail (error, FTC_ERROR_INVALID, "%s", local->message), NULL;
  /* deliver in sample order */
  for (guint i = 1; i < choices->len; i++)
    for (guint k = i; k > 0 && ((FtcOpenaiChoice *) choices->pdata[k - 1])->index >
                                 ((FtcOpenaiChoice *) choices->pdata[k])->index; k--)
      {
        gpointer tmp = choices->pdata[k];
        choices->pdata[k] = choices->pdata[k - 1];
        choices->pdata[k - 1] = tmp;
      }

  resp = g_new0 (FtcOpenaiResponse, 1);
  resp->choices = g_steal_pointer (&choices);
  if (!set_usage (resp, req, usage, &local))
    {
      ftc_openai_response_free (resp);
      return answer_fail (error, FTC_ERROR_INVALID, "%s", local->message), NULL;
    }
  node = json_object_get_member (root, "model");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    resp->model = g_strdup (json_node_get_string (node));
  node = json_object_get_member (root, "id");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    resp->id = g_strdup (json_node_get_string (node));
  return resp;
}

/* Parses a 200 answer. NULL (with t->last_error) when it is not a valid completion. */
static FtcOpenaiResponse *
parse_answer (Transfer *t)
{
  g_autoptr (GError) local = NULL;
  FtcOpenaiResponse *resp = ftc_openai_response_parse ((const char *) t->response->data, t->response->len,
                                                       t->call->req, t->n, t->offset, &local);

  if (resp == NULL)
    {
      transfer_set_error (t, local->code, "%s", local->message);
      return NULL;
    }
  resp->attempts = t->attempt;
  resp->elapsed_s = now_s () - t->first_sent;
  return resp;
}

/* ---- streamed answers: server-sent events ---- */

typedef struct {
  GString *text;
  GString *reasoning;
  char *finish_reason;
  gboolean has_reasoning;
} StreamChoice;

static void
stream_choice_free (gpointer p)
{
  StreamChoice *c = p;
  g_string_free (c->text, TRUE);
  g_string_free (c->reasoning, TRUE);
  g_free (c->finish_reason);
  g_free (c);
}

/* The answer of a streamed request: "data: {chunk}" lines, each chunk's choices[].delta (chat:
 * content, reasoning_content or reasoning; completions: text) appended per choice index, finish_reason and
 * usage from the chunks that carry them, up to "data: [DONE]". */
static FtcOpenaiResponse *
parse_stream (Transfer *t)
{
  const FtcOpenaiRequest *req = t->call->req;
  gboolean chat = req->api == FTC_OPENAI_CHAT;
  g_autoptr (GHashTable) by_index = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, stream_choice_free);
  g_autofree char *body = g_strndup ((const char *) t->response->data, t->response->len);
  g_autoptr (JsonNode) usage = NULL;
  g_autofree char *model = NULL, *id = NULL;
  gboolean done = FALSE;
  guint line_no = 0;
  FtcOpenaiResponse *resp;

  for (char *line = body; line != NULL && *line != '\0' && !done;)
    {
      char *nl = strchr (line, '\n');
      g_autoptr (JsonNode) event = NULL;
      JsonObject *chunk;
      JsonNode *choices;
      char *data;

      line_no++;
      if (nl != NULL)
        *nl = '\0';
      g_strchomp (line);
      data = line;
      line = nl != NULL ? nl + 1 : NULL;
      /* comments (": keep-alive"), "event:" lines and blank lines between events */
      if (!g_str_has_prefix (data, "data:"))
        continue;
      data = g_strstrip (data + 5);
      if (strcmp (data, "[DONE]") == 0)
        {
          done = TRUE;
          break;
        }
      /* each event through the one bounded JSON reader */
      event = ftc_json_parse (data, strlen (data), "the stream", NULL);
      if (event == NULL || !JSON_NODE_HOLDS_OBJECT (event))
        {
          transfer_set_error (t, FTC_ERROR_PARSE, "event %u of the stream is not a JSON object", line_no);
          return NULL;
        }
      chunk = json_node_get_object (event);
      if (json_object_has_member (chunk, "error"))
        {
          g_autoptr (GByteArray) one = g_byte_array_new ();
          g_autofree char *m = NULL;
          g_byte_array_append (one, (const guint8 *) data, strlen (data));
          m = server_message (one);
          transfer_set_error (t, FTC_ERROR_INVALID, "the server answered an error in the stream: %s", m);
          return NULL;
        }
      if (model == NULL)
        model = g_strdup (json_object_get_string_member_with_default (chunk, "model", NULL));
      if (id == NULL)
        id = g_strdup (json_object_get_string_member_with_default (chunk, "id", NULL));
      if (json_object_has_member (chunk, "usage") && JSON_NODE_HOLDS_OBJECT (json_object_get_member (chunk, "usage")))
        {
          g_clear_pointer (&usage, json_node_unref);
          usage = json_node_copy (json_object_get_member (chunk, "usage"));
        }
      choices = json_object_get_member (chunk, "choices");
      for (guint i = 0; choices != NULL && JSON_NODE_HOLDS_ARRAY (choices)
                        && i < json_array_get_length (json_node_get_array (choices)); i++)
        {
          JsonNode *cn = json_array_get_element (json_node_get_array (choices), i);
          JsonObject *c = JSON_NODE_HOLDS_OBJECT (cn) ? json_node_get_object (cn) : NULL;
          JsonObject *delta = c;
          gint64 index;
          StreamChoice *sc;
          JsonNode *fr;

          if (c == NULL)
            continue;
          index = 0;
          if (!ftc_json_get_int (c, "index", "choices[].index", G_MININT64, G_MAXINT64, &index, NULL)
              || index < 0 || index >= (gint64) t->n)
            {
              transfer_set_error (t, FTC_ERROR_INVALID, "a streamed choice has index %" G_GINT64_FORMAT
                                  " outside 0..%u", index, t->n - 1);
              return NULL;
            }
          sc = g_hash_table_lookup (by_index, GINT_TO_POINTER ((int) index));
          if (sc == NULL)
            {
              sc = g_new0 (StreamChoice, 1);
              sc->text = g_string_new (NULL);
              sc->reasoning = g_string_new (NULL);
              g_hash_table_insert (by_index, GINT_TO_POINTER ((int) index), sc);
            }
          if (chat)
            {
              JsonNode *d = json_object_get_member (c, "delta");
              delta = d != NULL && JSON_NODE_HOLDS_OBJECT (d) ? json_node_get_object (d) : NULL;
            }
          if (delta != NULL)
            {
              const char *piece = json_object_get_string_member_with_default (delta, chat ? "content" : "text", NULL);
              const char *thought = chat ? reasoning_of (delta) : NULL;
              if (piece != NULL)
                g_string_append (sc->text, piece);
              if (thought != NULL)
                {
                  g_string_append (sc->reasoning, thought);
                  sc->has_reasoning = TRUE;
                }
            }
          fr = json_object_get_member (c, "finish_reason");
          if (fr != NULL && JSON_NODE_HOLDS_VALUE (fr) && json_node_get_value_type (fr) == G_TYPE_STRING)
            {
              g_free (sc->finish_reason);
              sc->finish_reason = g_strdup (json_node_get_string (fr));
            }
        }
    }
  if (!done)
    {
      /* the connection closed before the end of the stream: an answer cut short */
      transfer_set_error (t, FTC_ERROR_NETWORK, "the stream ended without [DONE] (%u bytes received)",
                          t->response->len);
      return NULL;
    }
  if (g_hash_table_size (by_index) == 0)
    {
      transfer_set_error (t, FTC_ERROR_INVALID, "the stream held no choices");
      return NULL;
    }
  resp = g_new0 (FtcOpenaiResponse, 1);
  resp->choices = g_ptr_array_new_with_free_func (choice_free);
  for (guint i = 0; i < t->n; i++)
    {
      StreamChoice *sc = g_hash_table_lookup (by_index, GINT_TO_POINTER ((int) i));
      FtcOpenaiChoice *choice;
      if (sc == NULL)
        continue;
      choice = g_new0 (FtcOpenaiChoice, 1);
      choice->index = t->offset + i;
      choice->text = g_strdup (sc->text->str);
      choice->reasoning = sc->has_reasoning ? g_strdup (sc->reasoning->str) : NULL;
      choice->finish_reason = g_strdup (sc->finish_reason != NULL ? sc->finish_reason : "unknown");
      g_ptr_array_add (resp->choices, choice);
    }
  {
    g_autoptr (GError) local = NULL;
    if (!set_usage (resp, req, usage != NULL ? json_node_get_object (usage) : NULL, &local))
      {
        transfer_set_error (t, FTC_ERROR_INVALID, "%s", local->message);
        ftc_openai_response_free (resp);
        return NULL;
      }
  }
  resp->model = g_steal_pointer (&model);
  resp->id = g_steal_pointer (&id);
  resp->attempts = t->attempt;
  resp->elapsed_s = now_s () - t->first_sent;
  return resp;
}

static double
backoff_delay (FtcOpenaiClient *client, Transfer *t)
{
  double d = client->config.backoff_initial_s * pow (2.0, (double) t->attempt - 1);

  d = MIN (d, client->config.backoff_max_s);
  /* equal jitter: spreads retries of many requests that failed together */
  return d / 2 + g_rand_double (client->rand) * d / 2;
}

static gboolean
curl_code_retryable (CURLcode code)
{
  switch (code)
    {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CIPHER:
      return FALSE;
    default:
      return TRUE;
    }
}

static void
deliver (FtcOpenaiClient *client, Transfer *t, const FtcOpenaiResponse *resp, const GError *error)
{
  Call *call = t->call;

  call->callback (client, call->req, resp, error, call->user_data);
}

static void
finish_transfer (FtcOpenaiClient *client, Transfer *t, CURLcode code)
{
  gboolean retryable = FALSE;
  double delay;
  FtcOpenaiResponse *resp = NULL;
  guint start_attempt = t->attempt;

  g_autofree char *redirect_url = NULL;
  char *redirect = NULL;

  g_ptr_array_remove_fast (client->active, t);
  curl_easy_getinfo (t->easy, CURLINFO_RESPONSE_CODE, &t->status);
  if (curl_easy_getinfo (t->easy, CURLINFO_REDIRECT_URL, &redirect) == CURLE_OK && redirect != NULL)
    redirect_url = ftc_openai_url_for_display (redirect);
  curl_multi_remove_handle (client->multi, t->easy);
  g_ptr_array_add (client->idle_handles, t->easy);
  t->easy = NULL;

  if (code != CURLE_OK)
    {
      retryable = curl_code_retryable (code);
      if (code == CURLE_OPERATION_TIMEDOUT && t->call->req->stream)
        transfer_set_error (t, FTC_ERROR_NETWORK, "the stream was silent for %.1f s", client->config.timeout_s);
      else if (code == CURLE_OPERATION_TIMEDOUT)
        transfer_set_error (t, FTC_ERROR_NETWORK, "timed out after %.1f s", client->config.timeout_s);
      else if (code == CURLE_WRITE_ERROR && t->too_large)
        transfer_set_error (t, FTC_ERROR_NETWORK, "the response body is larger than %" G_GUINT64_FORMAT
                            " MiB, the limit for %s", MAX_RESPONSE_BYTES >> 20, ftc_input_name (FTC_INPUT_HTTP_BODY));
      else if (code == CURLE_PARTIAL_FILE)
        transfer_set_error (t, FTC_ERROR_NETWORK, "the response body was cut short (%u bytes received)",
                            t->response->len);
      else
        transfer_set_error (t, FTC_ERROR_NETWORK, "%s",
                            t->errbuf[0] != '\0' ? t->errbuf : curl_easy_strerror (code));
    }
  else if (t->status == 200)
    {
      /* a server may answer a streamed request in one piece */
      gboolean events = t->call->req->stream && t->response->len > 0 && t->response->data[0] != '{';
      resp = events ? parse_stream (t) : parse_answer (t);
      retryable = resp == NULL;   /* a garbled answer is usually a proxy or server hiccup */
    }
  else
    {
      g_autofree char *m = server_message (t->response);
      long s = t->status;

      retryable = s == 408 || s == 409 || s == 425 || s == 429 || s >= 500;
      if (s == 400 && t->n > 1 && client->config.n_mode == FTC_OPENAI_N_AUTO)
        {
          /* some servers refuse n > 1: ask for the samples one by one */
          client->n_unsupported = TRUE;
          for (guint i = t->n; i-- > 0;)
            enqueue_ready (client, transfer_new (client, t->call, t->offset + i, 1), TRUE);
          transfer_free (t);
          return;
        }
      if (s >= 300 && s < 400)
        {
          /* a redirect is not followed: it could carry the API key to another host */
          transfer_set_error (t, FTC_ERROR_FAILED, "HTTP %ld: the server redirects%s%s, and ftcot does not follow "
                              "redirects (they could carry the API key elsewhere); give the address it redirects to "
                              "as the endpoint", s, redirect_url != NULL ? " to " : "",
                              redirect_url != NULL ? redirect_url : "");
        }
      else
        transfer_set_error (t, s == 401 || s == 403 ? FTC_ERROR_FAILED : FTC_ERROR_NETWORK, "HTTP %ld: %s", s, m);
    }

  if (resp != NULL)
    {
      client->stats.answers++;
      client->stats.prompt_tokens += resp->prompt_tokens;
      client->stats.completion_tokens += resp->completion_tokens;
      if (client->config.tpm > 0)
        {
          /* the bucket was charged an estimate: settle with the real count */
          client->tpm_tokens += t->token_cost - (resp->prompt_tokens + resp->completion_tokens);
        }
      if (resp->choices->len < t->n)
        {
          /* the server ignored n: the missing samples go one by one */
          if (client->config.n_mode == FTC_OPENAI_N_AUTO && resp->choices->len == 1)
            client->n_unsupported = TRUE;
          for (guint i = t->n; i-- > 0;)
            {
              gboolean got = FALSE;
              for (guint k = 0; k < resp->choices->len && !got; k++)
                got = ((FtcOpenaiChoice *) resp->choices->pdata[k])->index == t->offset + i;
              if (!got)
                enqueue_ready (client, transfer_new (client, t->call, t->offset + i, 1), TRUE);
            }
        }
      deliver (client, t, resp, NULL);
      ftc_openai_response_free (resp);
      transfer_free (t);
      return;
    }

  if (retryable && t->attempt < client->config.max_attempts && !client->stopping)
    {
      if (t->retry_after >= 0)
        {
          if (t->retry_after > client->config.retry_after_max_s)
            goto give_up;
          /* the server said when: wait that long (plus a little jitter), and hold everyone else too */
          delay = t->retry_after * (1.0 + 0.1 * g_rand_double (client->rand));
          if (t->status == 429)
            client->paused_until = MAX (client->paused_until, now_s () + t->retry_after);
        }
      else
        delay = backoff_delay (client, t);
      client->stats.retries++;
      g_debug ("%s; retrying in %.2f s (attempt %u of %u)", t->last_error->message, delay,
               start_attempt + 1, client->config.max_attempts);
      t->not_before = now_s () + delay;
      g_queue_insert_sorted (&client->delayed, t, compare_not_before, NULL);
      return;
    }

give_up:
  client->stats.failures++;
  {
    g_autoptr (GError) e = g_error_copy (t->last_error);
    if (retryable && t->attempt > 1)
      {
        g_autofree char *m = g_strdup_printf ("%s (gave up after %u attempts)", e->message, t->attempt);
        g_free (e->message);
        e->message = g_steal_pointer (&m);
      }
    else if (retryable && t->retry_after > client->config.retry_after_max_s)
      {
        g_autofree char *m = g_strdup_printf ("%s (the server asks to wait %.0f s)", e->message, t->retry_after);
        g_free (e->message);
        e->message = g_steal_pointer (&m);
      }
    deliver (client, t, NULL, e);
  }
  transfer_free (t);
}

static guint
transfer_token_cost (Transfer *t)
{
  const FtcOpenaiRequest *req = t->call->req;
  return ftc_openai_request_prompt_tokens (req) + (guint) MAX (MAX (req->max_tokens, req->max_completion_tokens), 16) * t->n;
}

/* Starts what the limits allow; returns the seconds until something more could start (or 1.0). */
static double
start_transfers (FtcOpenaiClient *client)
{
  double now = now_s ();
  double wait = 1.0;
  Transfer *t;

  while ((t = g_queue_peek_head (&client->delayed)) != NULL && t->not_before <= now)
    enqueue_ready (client, g_queue_pop_head (&client->delayed), TRUE);
  if ((t = g_queue_peek_head (&client->delayed)) != NULL)
    wait = MIN (wait, t->not_before - now);

  if (client->config.tpm > 0)
    {
      double cap = MAX (client->config.tpm / 6, 1.0);
      client->tpm_tokens = MIN (cap, client->tpm_tokens + (now - client->tpm_stamp) * client->config.tpm / 60);
      client->tpm_stamp = now;
    }

  while (!client->stopping && client->active->len < client->config.max_in_flight &&
         (t = g_queue_peek_head (&client->ready)) != NULL)
    {
      if (t->n > 1 && client->n_unsupported)
        {
          /* learned meanwhile that n is ignored: split before sending */
          g_queue_pop_head (&client->ready);
          for (guint i = t->n; i-- > 0;)
            enqueue_ready (client, transfer_new (client, t->call, t->offset + i, 1), TRUE);
          transfer_free (t);
          continue;
        }
      if (client->paused_until > now)
        return MIN (wait, client->paused_until - now);
      if (client->config.rpm > 0 && client->next_start > now)
        return MIN (wait, client->next_start - now);
      if (client->config.tpm > 0)
        {
          double cost = transfer_token_cost (t);
          double cap = MAX (client->config.tpm / 6, 1.0);
          /* a request larger than the bucket goes when the bucket is full */
          if (client->tpm_tokens < MIN (cost, cap))
            return MIN (wait, (MIN (cost, cap) - client->tpm_tokens) * 60 / client->config.tpm);
          client->tpm_tokens -= cost;
          t->token_cost = cost;
        }
      g_queue_pop_head (&client->ready);
      if (client->config.rpm > 0)
        client->next_start = MAX (now, client->next_start) + 60.0 / client->config.rpm;
      transfer_start (client, t);
    }
  return MAX (wait, 0.0);
}

static void
on_cancelled (GCancellable *cancellable, gpointer user_data)
{
  FtcOpenaiClient *client = user_data;
  curl_multi_wakeup (client->multi);
}

static void
drop_queue (FtcOpenaiClient *client)
{
  Transfer *t;

  while ((t = g_queue_pop_head (&client->ready)) != NULL)
    transfer_free (t);
  while ((t = g_queue_pop_head (&client->delayed)) != NULL)
    transfer_free (t);
}

gboolean
ftc_openai_client_run (FtcOpenaiClient *client, GCancellable *cancellable, GError **error)
{
  gulong handler = 0;
  gboolean ok = TRUE;

  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), client, NULL);

  for (;;)
    {
      int running = 0, queued = 0, timeout_ms, finished;
      long curl_timeout = -1;
      double wait;
      CURLMsg *msg;

      if (g_cancellable_is_cancelled (cancellable))
        {
          while (client->active->len > 0)
            transfer_free (g_ptr_array_steal_index_fast (client->active, client->active->len - 1));
          drop_queue (client);
          g_set_error (error, FTC_ERROR, FTC_ERROR_CANCELLED, "cancelled");
          ok = FALSE;
          break;
        }
      if (client->stopping)
        drop_queue (client);
      if (client->active->len == 0 && client->ready.length == 0 && client->delayed.length == 0)
        break;

      wait = start_transfers (client);
      curl_multi_perform (client->multi, &running);
      finished = 0;
      while ((msg = curl_multi_info_read (client->multi, &queued)) != NULL)
        if (msg->msg == CURLMSG_DONE)
          {
            Transfer *t = NULL;
            CURLcode code = msg->data.result;
            curl_easy_getinfo (msg->easy_handle, CURLINFO_PRIVATE, (char **) &t);
            finish_transfer (client, t, code);
            finished++;
          }
      /* answers may have queued retries or new work: start it and recompute the wait first */
      if (finished > 0)
        continue;
      curl_multi_timeout (client->multi, &curl_timeout);
      timeout_ms = (int) ceil (wait * 1000);
      if (curl_timeout >= 0)
        timeout_ms = MIN (timeout_ms, (int) curl_timeout);
      timeout_ms = CLAMP (timeout_ms, 0, 1000);
      curl_multi_poll (client->multi, NULL, 0, timeout_ms, NULL);
    }

  if (handler != 0)
    g_cancellable_disconnect (cancellable, handler);
  if (ok && client->stop_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&client->stop_error));
      ok = FALSE;
    }
  client->stopping = FALSE;
  g_clear_error (&client->stop_error);
  return ok;
}
