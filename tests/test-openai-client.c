/* The OpenAI-compatible client against a local fake server: answers, faults and retries, limits, n,
 * cancellation, and an API key that never leaks into an error message. */
#include <string.h>

#include <glib/gstdio.h>

#include "core/ftc-error.h"
#include "core/teach/ftc-openai-client.h"
#include "tests/ftc-fake-openai.h"
#include "tests/ftc-test-server.h"
#include "tests/ftc-test-util.h"

#define KEY "sk-test-Zq8RrT0pLm4Xv7Nc2Wd9Yh6Ke1Ua3Sb5"

typedef struct {
  GPtrArray *texts;         /* char*, by delivery */
  GArray *indices;          /* guint choice indices, by delivery */
  guint answers;
  guint failures;
  GError *error;
  guint attempts;
  gint64 prompt_tokens;
  gboolean stop_on_answer;
} Outcome;

static void
outcome_init (Outcome *o)
{
  memset (o, 0, sizeof *o);
  o->texts = g_ptr_array_new_with_free_func (g_free);
  o->indices = g_array_new (FALSE, FALSE, sizeof (guint));
}

static void
outcome_clear (Outcome *o)
{
  g_ptr_array_unref (o->texts);
  g_array_unref (o->indices);
  g_clear_error (&o->error);
}

static void
on_done (FtcOpenaiClient *client, const FtcOpenaiRequest *req, const FtcOpenaiResponse *resp, const GError *error,
         gpointer user_data)
{
  Outcome *o = user_data;

  if (resp == NULL)
    {
      o->failures++;
      g_clear_error (&o->error);
      o->error = g_error_copy (error);
      return;
    }
  o->answers++;
  o->attempts = MAX (o->attempts, resp->attempts);
  o->prompt_tokens += resp->prompt_tokens;
  for (guint i = 0; i < resp->choices->len; i++)
    {
      FtcOpenaiChoice *c = resp->choices->pdata[i];
      g_ptr_array_add (o->texts, g_strdup (c->text));
      g_array_append_val (o->indices, c->index);
    }
  if (o->stop_on_answer)
    ftc_openai_client_stop (client, g_error_new (FTC_ERROR, FTC_ERROR_BUDGET, "stopped by the test"));
}

static FtcFakeOpenai *
fake_with_replay (void)
{
  g_autofree char *path = ftc_test_shared_path ("teacher", "text-davinci-002", "multiarith.jsonl", NULL);
  g_autoptr (GError) error = NULL;
  FtcFakeOpenai *fake = ftc_fake_openai_new (&error);

  g_assert_no_error (error);
  if (path != NULL)
    {
      g_assert_true (ftc_fake_openai_load_replay (fake, path, &error));
      g_assert_no_error (error);
    }
  return fake;
}

static FtcOpenaiClient *
client_for (FtcFakeOpenai *fake, void (*tweak) (FtcOpenaiConfig *))
{
  FtcOpenaiConfig config;
  g_autoptr (GError) error = NULL;
  FtcOpenaiClient *client;

  ftc_openai_config_init (&config);
  config.base_url = g_strdup (ftc_fake_openai_url (fake));
  config.api_key = g_strdup (KEY);
  config.backoff_initial_s = 0.05;
  config.backoff_max_s = 0.2;
  config.timeout_s = 5;
  if (tweak != NULL)
    tweak (&config);
  client = ftc_openai_client_new (&config, &error);
  g_assert_no_error (error);
  ftc_openai_config_clear (&config);
  return client;
}

/* The first recorded MultiArith question, as the fake server knows it. */
#define Q1 "Q: For Halloween Megan received 11 pieces of candy from neighbors and 5 pieces from her older " \
           "sister. If she only ate 8 pieces a day, how long would the candy last her?\nA: Let's think step by step."

static FtcOpenaiRequest *
step1_request (FtcOpenaiApi api, guint n)
{
  FtcOpenaiRequest *req = ftc_openai_request_new (api, "text-davinci-002");

  if (api == FTC_OPENAI_COMPLETIONS)
    req->prompt = g_strdup (Q1);
  else
    {
      JsonObject *m = json_object_new ();
      req->messages = json_array_new ();
      json_object_set_string_member (m, "role", "user");
      json_object_set_string_member (m, "content", Q1);
      json_array_add_object_element (req->messages, m);
    }
  req->n = n;
  req->temperature = n > 1 ? 0.7 : 0;
  req->label = g_strdup ("multiarith-0 #0 step 1");
  return req;
}

static void
run_one (FtcOpenaiClient *client, FtcOpenaiRequest *req, Outcome *o, GError **error)
{
  ftc_openai_client_submit (client, req, on_done, o);
  ftc_openai_client_run (client, NULL, error);
}

static void
test_answer (void)
{
  g_autoptr (FtcFakeOpenai) fake = NULL;
  g_autoptr (FtcOpenaiClient) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *auth = NULL;
  g_autofree char *chat_url = NULL;
  Outcome o;

  if (ftc_test_shared_dir () == NULL)
    return;
  fake = fake_with_replay ();
  client = client_for (fake, NULL);
  outcome_init (&o);
  run_one (client, step1_request (FTC_OPENAI_COMPLETIONS, 1), &o, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (o.answers, ==, 1);
  g_assert_cmpuint (o.texts->len, ==, 1);
  g_assert_true (g_str_has_prefix (o.texts->pdata[0], " \n\nMegan received 11 pieces of candy"));
  g_assert_cmpint (o.prompt_tokens, ==, (strlen (Q1) + 3) / 4);
  g_assert_cmpuint (ftc_fake_openai_requests (fake), ==, 1);
  auth = ftc_fake_openai_last_authorization (fake);
  g_assert_cmpstr (auth, ==, "Bearer " KEY);

  /* the chat API gets the same answer through messages */
  run_one (client, step1_request (FTC_OPENAI_CHAT, 1), &o, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (o.answers, ==, 2);
  g_assert_cmpstr (o.texts->pdata[1], ==, o.texts->pdata[0]);
  chat_url = g_strconcat (ftc_fake_openai_url (fake), "/v1/chat/completions", NULL);
  g_assert_cmpstr (ftc_openai_client_url (client, FTC_OPENAI_CHAT), ==, chat_url);
  outcome_clear (&o);
}

typedef struct {
  FtcFakeFault fault;
  const char *name;
} FaultCase;

static void
short_timeout (FtcOpenaiConfig *c)
{
  c->timeout_s = 0.4;
}

static void
test_fault (gconstpointer data)
{
  const FaultCase *fc = data;
  g_autoptr (FtcFakeOpenai) fake = fake_with_replay ();
  g_autoptr (FtcOpenaiClient) client = client_for (fake, short_timeout);
  g_autoptr (GError) error = NULL;
  gint64 start;
  double elapsed;
  FtcOpenaiStats stats;
  Outcome o;

  outcome_init (&o);
  /* an HTTP date has whole seconds: "now + 2 s" written as a date is still at least 1 s away */
  ftc_fake_openai_set_retry_after (fake, fc->fault == FTC_FAKE_429_DATE ? 2 : 1);
  ftc_fake_openai_set_slow_ms (fake, 1500);
  ftc_fake_openai_push_fault (fake, fc->fault, 2);
  start = g_get_monotonic_time ();
  run_one (client, step1_request (FTC_OPENAI_COMPLETIONS, 1), &o, &error);
  elapsed = (g_get_monotonic_time () - start) / 1e6;
  g_assert_no_error (error);
  /* two faults, then the answer */
  g_assert_cmpuint (o.answers, ==, 1);
  g_assert_cmpuint (o.failures, ==, 0);
  g_assert_cmpuint (o.attempts, ==, 3);
  g_assert_cmpuint (ftc_fake_openai_requests (fake), ==, 3);
  g_assert_cmpuint (ftc_fake_openai_answered (fake), ==, 1);
  ftc_openai_client_get_stats (client, &stats);
  g_assert_cmpuint (stats.retries, ==, 2);
  g_assert_cmpuint (stats.http_requests, ==, 3);
  if (fc->fault == FTC_FAKE_429)
    /* Retry-After: 1 honoured twice (+ up to 10% jitter) */
    g_assert_cmpfloat (elapsed, >=, 1.95);
  else if (fc->fault == FTC_FAKE_429_DATE)
    g_assert_cmpfloat (elapsed, >=, 1.9);
  else if (fc->fault == FTC_FAKE_SLOW)
    g_assert_cmpfloat (elapsed, >=, 0.8);   /* two timeouts of 0.4 s */
  else
    g_assert_cmpfloat (elapsed, <, 1.5);    /* back-off of 0.05 and 0.1 s (jittered) */
  outcome_clear (&o);
}

static void
few_attempts (FtcOpenaiConfig *c)
{
  c->max_attempts = 3;
  c->timeout_s = 0.4;
}

static void
test_gives_up (void)
{
  g_autoptr (FtcFakeOpenai) fake = fake_with_replay ();
  g_autoptr (FtcOpenaiClient) client = client_for (fake, few_attempts);
  g_autoptr (GError) error = NULL;
  Outcome o;

  outcome_init (&o);
  ftc_fake_openai_push_fault (fake, FTC_FAKE_503, 3);
  run_one (client, step1_request (FTC_OPENAI_COMPLETIONS, 1), &o, &error);
  g_assert_no_error (error);   /* the caller decides what a failed request means */
  g_assert_cmpuint (o.failures, ==, 1);
  g_assert_cmpuint (o.answers, ==, 0);
  g_assert_error (o.error, FTC_ERROR, FTC_ERROR_NETWORK);
  g_assert_nonnull (strstr (o.error->message, "multiarith-0 #0 step 1"));
  g_assert_nonnull (strstr (o.error->message, "/v1/completions"));
  g_assert_nonnull (strstr (o.error->message, "HTTP 503"));
  g_assert_nonnull (strstr (o.error->message, "3 attempts"));
  g_assert_cmpuint (ftc_fake_openai_requests (fake), ==, 3);

  /* a malformed answer every time: the message says what was wrong with it */
  ftc_fake_openai_push_fault (fake, FTC_FAKE_MISSING_FIELDS, 3);
  run_one (client, step1_request (FTC_OPENAI_COMPLETIONS, 1), &o, &error);
  g_assert_cmpuint (o.failures, ==, 2);
  g_assert_nonnull (strstr (o.error->message, "choices[0] has no \"text\" string"));
  g_assert_nonnull (strstr (o.error->message, "multiarith-0 #0 step 1"));

  ftc_fake_openai_push_fault (fake, FTC_FAKE_INVALID_JSON, 3);
  run_one (client, step1_request (FTC_OPENAI_COMPLETIONS, 1), &o, &error);
  g_assert_cmpuint (o.failures, ==, 3);
  g_assert_error (o.error, FTC_ERROR, FTC_ERROR_PARSE);
  g_assert_nonnull (strstr (o.error->message, "not valid JSON"));

  ftc_fake_openai_push_fault (fake, FTC_FAKE_TRUNCATED, 3);
  run_one (client, step1_request (FTC_OPENAI_COMPLETIONS, 1), &o, &error);
  g_assert_cmpuint (o.failures, ==, 4);
  g_assert_nonnull (strstr (o.error->message, "cut short"));

  /* a 400 is not retried */
  ftc_fake_openai_push_fault (fake, FTC_FAKE_400, 1);
  {
    guint before = ftc_fake_openai_requests (fake);
    run_one (client, step1_request (FTC_OPENAI_COMPLETIONS, 1), &o, &error);
    g_assert_cmpuint (o.failures, ==, 5);
    g_assert_cmpuint (ftc_fake_openai_requests (fake), ==, before + 1);
    g_assert_nonnull (strstr (o.error->message, "HTTP 400: Bad request"));
  }
  /* a redirect is neither followed (the key would go along) nor retried, and the message says so */
  ftc_fake_openai_push_fault (fake, FTC_FAKE_REDIRECT, 1);
  {
    guint before = ftc_fake_openai_requests (fake);
    run_one (client, step1_request (FTC_OPENAI_COMPLETIONS, 1), &o, &error);
    g_assert_cmpuint (o.failures, ==, 6);
    g_assert_cmpuint (ftc_fake_openai_requests (fake), ==, before + 1);
    g_assert_nonnull (strstr (o.error->message, "HTTP 307: the server redirects to http://collector.invalid/v1/completions"));
    g_assert_nonnull (strstr (o.error->message, "does not follow redirects"));
  }
  outcome_clear (&o);
}

static void
test_key_not_in_errors (void)
{
  g_autoptr (FtcFakeOpenai) fake = fake_with_replay ();
  g_autoptr (FtcOpenaiClient) client = client_for (fake, NULL);
  g_autoptr (GError) error = NULL;
  Outcome o;

  outcome_init (&o);
  ftc_fake_openai_push_fault (fake, FTC_FAKE_401, 1);
  run_one (client, step1_request (FTC_OPENAI_COMPLETIONS, 1), &o, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (o.failures, ==, 1);
  g_assert_cmpuint (ftc_fake_openai_requests (fake), ==, 1);   /* never retried */
  g_assert_nonnull (strstr (o.error->message, "HTTP 401"));
  g_assert_nonnull (strstr (o.error->message, "Incorrect API key provided"));
  g_assert_nonnull (strstr (o.error->message, "[redacted]"));
  g_assert_null (strstr (o.error->message, KEY));
  /* not even a part of it */
  for (gsize i = 0; i + 8 <= strlen (KEY); i++)
    {
      g_autofree char *part = g_strndup (KEY + i, 8);
      g_assert_null (strstr (o.error->message, part));
    }
  outcome_clear (&o);
}

static void
test_redact (void)
{
  g_autofree char *a = ftc_openai_redact ("bad key sk-abcdefghijklmnop here", "sk-abcdefghijklmnop");
  g_autofree char *b = ftc_openai_redact ("key ends ...ghijklmnop", "sk-abcdefghijklmnop");
  g_autofree char *c = ftc_openai_redact ("nothing secret: sk-abc", "sk-abcdefghijklmnop");

  g_autofree char *u1 = ftc_openai_url_for_display ("https://user:pa55@example.org:8443/v1");
  g_autofree char *u2 = ftc_openai_url_for_display ("http://127.0.0.1:8000/v1/x@y");

  g_assert_cmpstr (u1, ==, "https://example.org:8443/v1");
  g_assert_true (ftc_openai_url_takes_default_key ("https://api.openai.com/v1"));
  g_assert_true (ftc_openai_url_takes_default_key ("http://127.0.0.1:8000"));
  g_assert_true (ftc_openai_url_takes_default_key ("http://LOCALHOST:11434/v1"));
  g_assert_true (ftc_openai_url_takes_default_key ("http://[::1]:8080/v1"));
  g_assert_false (ftc_openai_url_takes_default_key ("https://openrouter.ai/api/v1"));
  g_assert_false (ftc_openai_url_takes_default_key ("https://api.openai.com.example.org/v1"));
  g_assert_false (ftc_openai_url_takes_default_key ("https://x@evil.example/v1"));
  g_assert_cmpstr (u2, ==, "http://127.0.0.1:8000/v1/x@y");
  g_assert_cmpstr (a, ==, "bad key [redacted] here");
  g_assert_cmpstr (b, ==, "key ends ...[redacted]");
  g_assert_cmpstr (c, ==, "nothing secret: sk-abc");
}

static void
test_retry_after_parse (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) later = g_date_time_add_seconds (now, 30);
  g_autofree char *date = g_date_time_format (later, "%a, %d %b %Y %H:%M:%S GMT");
  double d;

  g_assert_cmpfloat_with_epsilon (ftc_openai_parse_retry_after ("120"), 120.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (ftc_openai_parse_retry_after (" 1.5 \r\n"), 1.5, 1e-9);
  d = ftc_openai_parse_retry_after (date);
  g_assert_cmpfloat (d, >=, 28.0);
  g_assert_cmpfloat (d, <=, 31.0);
  g_assert_cmpfloat (ftc_openai_parse_retry_after ("Wed, 21 Oct 2015 07:28:00 GMT"), ==, 0.0);   /* past */
  g_assert_cmpfloat (ftc_openai_parse_retry_after ("soon"), <, 0);
  g_assert_cmpfloat (ftc_openai_parse_retry_after ("-3"), <, 0);
}

static void
test_key_file (void)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "key", NULL);
  g_autoptr (GError) error = NULL;
  char *key = NULL;

  g_assert_true (g_file_set_contents (path, KEY "\n", -1, NULL));
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  g_assert_false (ftc_openai_load_api_key (NULL, path, &key, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "chmod 600"));
  g_assert_null (strstr (error->message, KEY));
  g_assert_null (key);
  g_clear_error (&error);

  g_assert_cmpint (g_chmod (path, 0600), ==, 0);
  g_assert_true (ftc_openai_load_api_key (NULL, path, &key, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (key, ==, KEY);
  g_clear_pointer (&key, g_free);

  g_setenv ("FTC_TEST_KEY_VAR", "  sk-from-env  ", TRUE);
  g_assert_true (ftc_openai_load_api_key ("FTC_TEST_KEY_VAR", NULL, &key, &error));
  g_assert_cmpstr (key, ==, "sk-from-env");
  g_clear_pointer (&key, g_free);
  g_unsetenv ("FTC_TEST_KEY_VAR");
  g_assert_true (ftc_openai_load_api_key ("FTC_TEST_KEY_VAR", NULL, &key, &error));
  g_assert_null (key);
}

static void
check_samples (Outcome *o, guint n)
{
  g_assert_cmpuint (o->texts->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      gboolean seen = FALSE;
      for (guint j = 0; j < o->indices->len; j++)
        seen |= g_array_index (o->indices, guint, j) == i;
      g_assert_true (seen);
    }
}

static void
test_n (void)
{
  g_autoptr (FtcFakeOpenai) fake = fake_with_replay ();
  g_autoptr (GError) error = NULL;
  Outcome o;

  {
    g_autoptr (FtcOpenaiClient) client = client_for (fake, NULL);
    outcome_init (&o);
    run_one (client, step1_request (FTC_OPENAI_COMPLETIONS, 4), &o, &error);
    g_assert_no_error (error);
    check_samples (&o, 4);
    g_assert_cmpuint (ftc_fake_openai_requests (fake), ==, 1);
    g_assert_true (ftc_openai_client_n_supported (client));
    /* distinct samples: the fake marks samples after the first */
    g_assert_cmpstr (o.texts->pdata[0], !=, o.texts->pdata[1]);
    outcome_clear (&o);
  }
  {
    /* a server that ignores n: one answer, then the three missing samples one by one */
    g_autoptr (FtcOpenaiClient) client = client_for (fake, NULL);
    guint before = ftc_fake_openai_requests (fake);
    ftc_fake_openai_set_n_supported (fake, FALSE);
    outcome_init (&o);
    run_one (client, step1_request (FTC_OPENAI_CHAT, 4), &o, &error);
    g_assert_no_error (error);
    check_samples (&o, 4);
    g_assert_cmpuint (ftc_fake_openai_requests (fake) - before, ==, 4);
    g_assert_false (ftc_openai_client_n_supported (client));
    /* learned: the next n-request is split before it is sent */
    before = ftc_fake_openai_requests (fake);
    g_ptr_array_set_size (o.texts, 0);
    g_array_set_size (o.indices, 0);
    run_one (client, step1_request (FTC_OPENAI_CHAT, 3), &o, &error);
    check_samples (&o, 3);
    g_assert_cmpuint (ftc_fake_openai_requests (fake) - before, ==, 3);
    outcome_clear (&o);
  }
}

static void
slow_handler (const FtcTestRequest *req, FtcTestResponse *resp, gpointer user_data)
{
  guint *delay = user_data;
  static const char body[] = "{\"choices\":[{\"index\":0,\"text\":\" ok\",\"finish_reason\":\"stop\"}],"
                             "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}";
  resp->delay_ms = *delay;
  resp->body = g_bytes_new_static (body, sizeof body - 1);
}

static double
timed_batch (guint max_in_flight, double rpm, guint delay_ms, guint count)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTestServer) server = ftc_test_server_new (slow_handler, &delay_ms, &error);
  g_autoptr (FtcOpenaiClient) client = NULL;
  FtcOpenaiConfig config;
  gint64 start;
  Outcome o;

  g_assert_no_error (error);
  ftc_openai_config_init (&config);
  config.base_url = g_strdup (ftc_test_server_url (server));
  config.max_in_flight = max_in_flight;
  config.rpm = rpm;
  client = ftc_openai_client_new (&config, &error);
  ftc_openai_config_clear (&config);
  outcome_init (&o);
  for (guint i = 0; i < count; i++)
    ftc_openai_client_submit (client, step1_request (FTC_OPENAI_COMPLETIONS, 1), on_done, &o);
  start = g_get_monotonic_time ();
  g_assert_true (ftc_openai_client_run (client, NULL, &error));
  g_assert_cmpuint (o.answers, ==, count);
  g_assert_cmpuint (ftc_test_server_request_count (server), ==, count);
  outcome_clear (&o);
  return (g_get_monotonic_time () - start) / 1e6;
}

static void
test_in_flight (void)
{
  /* 6 answers of 250 ms: in parallel about 0.3 s, one at a time at least 1.5 s */
  double parallel = timed_batch (6, 0, 250, 6);
  double serial = timed_batch (1, 0, 250, 6);

  g_assert_cmpfloat (parallel, <, 1.3);   /* 0.25 s plus set-up; generous for a loaded machine */
  g_assert_cmpfloat (serial, >=, 1.5);
}

static void
test_rpm (void)
{
  /* 1200 requests a minute: one every 50 ms, so 8 requests take at least 350 ms */
  double t = timed_batch (8, 1200, 0, 8);
  g_assert_cmpfloat (t, >=, 0.35);
  g_assert_cmpfloat (t, <, 2.0);
}

static void
heavy_handler (const FtcTestRequest *req, FtcTestResponse *resp, gpointer user_data)
{
  /* every answer used its whole max_tokens: the bucket gets nothing back */
  static const char body[] = "{\"choices\":[{\"index\":0,\"text\":\" ok\",\"finish_reason\":\"length\"}],"
                             "\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":1000}}";
  resp->body = g_bytes_new_static (body, sizeof body - 1);
}

static void
test_tpm (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTestServer) server = ftc_test_server_new (heavy_handler, NULL, &error);
  g_autoptr (FtcOpenaiClient) client = NULL;
  FtcOpenaiConfig config;
  gint64 start;
  double t;
  Outcome o;

  ftc_openai_config_init (&config);
  config.base_url = g_strdup (ftc_test_server_url (server));
  config.tpm = 60000;   /* 1000 tokens a second, a bucket of 10 s worth */
  client = ftc_openai_client_new (&config, &error);
  ftc_openai_config_clear (&config);
  outcome_init (&o);
  for (guint i = 0; i < 12; i++)
    {
      FtcOpenaiRequest *req = step1_request (FTC_OPENAI_COMPLETIONS, 1);
      req->max_tokens = 1000;
      ftc_openai_client_submit (client, req, on_done, &o);
    }
  start = g_get_monotonic_time ();
  g_assert_true (ftc_openai_client_run (client, NULL, &error));
  t = (g_get_monotonic_time () - start) / 1e6;
  g_assert_cmpuint (o.answers, ==, 12);
  /* about 1050 tokens each (estimated prompt + max_tokens): 12 of them are 12600 tokens, 2600 more than
   * the bucket holds, so about 2.5 s at 1000 tokens a second (the small refunds of estimated against
   * reported tokens take a little off); without the limit it takes milliseconds */
  g_assert_cmpfloat (t, >=, 2.0);
  g_assert_cmpfloat (t, <, 8.0);
  outcome_clear (&o);
}

static gboolean
cancel_later (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static gpointer
cancel_thread (gpointer data)
{
  g_usleep (200000);
  cancel_later (data);
  return NULL;
}

static void
test_cancel (void)
{
  guint delay = 5000;
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTestServer) server = ftc_test_server_new (slow_handler, &delay, &error);
  g_autoptr (FtcOpenaiClient) client = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  FtcOpenaiConfig config;
  GThread *thread;
  gint64 start;
  Outcome o;

  ftc_openai_config_init (&config);
  config.base_url = g_strdup (ftc_test_server_url (server));
  client = ftc_openai_client_new (&config, &error);
  ftc_openai_config_clear (&config);
  outcome_init (&o);
  for (guint i = 0; i < 3; i++)
    ftc_openai_client_submit (client, step1_request (FTC_OPENAI_COMPLETIONS, 1), on_done, &o);
  start = g_get_monotonic_time ();
  thread = g_thread_new ("cancel", cancel_thread, cancellable);
  g_assert_false (ftc_openai_client_run (client, cancellable, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_CANCELLED);
  /* at once, not after the 5 s answer */
  g_assert_cmpfloat ((g_get_monotonic_time () - start) / 1e6, <, 2.5);
  g_assert_cmpuint (o.answers, ==, 0);
  g_thread_join (thread);
  outcome_clear (&o);
}

static void
test_stop_drains (void)
{
  g_autoptr (FtcFakeOpenai) fake = fake_with_replay ();
  g_autoptr (FtcOpenaiClient) client = client_for (fake, NULL);
  g_autoptr (GError) error = NULL;
  Outcome o;

  outcome_init (&o);
  o.stop_on_answer = TRUE;
  for (guint i = 0; i < 40; i++)
    ftc_openai_client_submit (client, step1_request (FTC_OPENAI_COMPLETIONS, 1), on_done, &o);
  g_assert_false (ftc_openai_client_run (client, NULL, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_BUDGET);
  /* the requests already in flight (at most 8) were answered, nothing new was sent */
  g_assert_cmpuint (o.answers, >=, 1);
  g_assert_cmpuint (o.answers, <=, 8);
  g_assert_cmpuint (ftc_fake_openai_requests (fake), ==, o.answers);
  outcome_clear (&o);
}

int
main (int argc, char **argv)
{
  static const FaultCase faults[] = {
    { FTC_FAKE_429, "429" },
    { FTC_FAKE_429_DATE, "429-date" },
    { FTC_FAKE_500, "500" },
    { FTC_FAKE_503, "503" },
    { FTC_FAKE_SLOW, "slow" },
    { FTC_FAKE_TRUNCATED, "truncated" },
    { FTC_FAKE_INVALID_JSON, "invalid-json" },
    { FTC_FAKE_RESET, "reset" },
    { FTC_FAKE_MISSING_FIELDS, "missing-fields" },
  };

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/openai-client/answer", test_answer);
  for (gsize i = 0; i < G_N_ELEMENTS (faults); i++)
    {
      g_autofree char *name = g_strdup_printf ("/openai-client/fault/%s", faults[i].name);
      g_test_add_data_func (name, &faults[i], test_fault);
    }
  g_test_add_func ("/openai-client/gives-up", test_gives_up);
  g_test_add_func ("/openai-client/key-not-in-errors", test_key_not_in_errors);
  g_test_add_func ("/openai-client/redact", test_redact);
  g_test_add_func ("/openai-client/retry-after", test_retry_after_parse);
  g_test_add_func ("/openai-client/key-file", test_key_file);
  g_test_add_func ("/openai-client/n", test_n);
  g_test_add_func ("/openai-client/in-flight", test_in_flight);
  g_test_add_func ("/openai-client/rpm", test_rpm);
  g_test_add_func ("/openai-client/tpm", test_tpm);
  g_test_add_func ("/openai-client/cancel", test_cancel);
  g_test_add_func ("/openai-client/stop-drains", test_stop_drains);
  return g_test_run ();
}
