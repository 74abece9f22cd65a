/* test-test-server: the local HTTP server other tests rely on, driven by libcurl like the product. */
#include "tests/ftc-test-server.h"
#include "tests/ftc-test-util.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <gio/gio.h>

typedef struct {
  GByteArray *body;
  GPtrArray *headers;
  long status;
  CURLcode code;
  double seconds;
} Fetch;

static size_t
on_body (char *data, size_t size, size_t n, void *user_data)
{
  g_byte_array_append (user_data, (const guint8 *) data, size * n);
  return size * n;
}

static size_t
on_header (char *data, size_t size, size_t n, void *user_data)
{
  g_ptr_array_add (user_data, g_strstrip (g_strndup (data, size * n)));
  return size * n;
}

static void
fetch_clear (Fetch *f)
{
  g_clear_pointer (&f->body, g_byte_array_unref);
  g_clear_pointer (&f->headers, g_ptr_array_unref);
}

/* method NULL = GET; range NULL = whole body; post_body NULL = no body */
static Fetch
fetch (const char *url, const char *method, const char *range, const char *post_body, long timeout_ms)
{
  Fetch f = { g_byte_array_new (), g_ptr_array_new_with_free_func (g_free), 0, CURLE_OK, 0 };
  CURL *curl = curl_easy_init ();
  struct curl_slist *extra = curl_slist_append (NULL, "X-Test-Header: Mixed Case");
  gint64 start = g_get_monotonic_time ();

  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, f.body);
  curl_easy_setopt (curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt (curl, CURLOPT_HEADERDATA, f.headers);
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, extra);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 20000L);
  if (range != NULL)
    curl_easy_setopt (curl, CURLOPT_RANGE, range);
  if (post_body != NULL)
    {
      curl_easy_setopt (curl, CURLOPT_POSTFIELDS, post_body);
      curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE, (long) strlen (post_body));
    }
  if (method != NULL && strcmp (method, "HEAD") == 0)
    curl_easy_setopt (curl, CURLOPT_NOBODY, 1L);
  else if (method != NULL)
    curl_easy_setopt (curl, CURLOPT_CUSTOMREQUEST, method);
  f.code = curl_easy_perform (curl);
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &f.status);
  f.seconds = (g_get_monotonic_time () - start) / 1e6;
  curl_slist_free_all (extra);
  curl_easy_cleanup (curl);
  return f;
}

static gboolean
has_header (Fetch *f, const char *line)
{
  for (guint i = 0; i < f->headers->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (f->headers, i), line) == 0)
      return TRUE;
  return FALSE;
}

/* Echoes the request as JSON-ish text and applies faults asked for in the path. */
static void
echo_handler (const FtcTestRequest *req, FtcTestResponse *resp, gpointer user_data)
{
  gsize n = 0;
  const char *body = g_bytes_get_data (req->body, &n);
  const char *test_header = g_hash_table_lookup (req->headers, "x-test-header");
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "%s %s header=%s body=", req->method, req->path,
                          test_header != NULL ? test_header : "(none)");
  g_string_append_len (out, body != NULL ? body : "", n);

  if (g_str_has_prefix (req->path, "/delay"))
    resp->delay_ms = 400;
  else if (g_str_has_prefix (req->path, "/truncate"))
    resp->truncate_at = 5;
  else if (g_str_has_prefix (req->path, "/reset"))
    resp->reset = TRUE;
  else if (g_str_has_prefix (req->path, "/status"))
    {
      resp->status = 503;
      g_ptr_array_add (resp->headers, g_strdup ("Retry-After: 7"));
      g_free (resp->content_type);
      resp->content_type = g_strdup ("text/plain");
    }
  resp->body = g_string_free_to_bytes (out);
}

static void
test_echo (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTestServer) server = ftc_test_server_new (echo_handler, NULL, &error);
  g_autofree char *url = NULL;
  g_autofree char *big = NULL;
  g_autofree char *expect = NULL;
  Fetch f;

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (ftc_test_server_url (server), "http://127.0.0.1:"));
  g_assert_cmpuint (ftc_test_server_request_count (server), ==, 0);

  url = g_strconcat (ftc_test_server_url (server), "/hello?x=1", NULL);
  f = fetch (url, NULL, NULL, NULL, 0);
  g_assert_cmpint (f.code, ==, CURLE_OK);
  g_assert_cmpint (f.status, ==, 200);
  g_byte_array_append (f.body, (const guint8 *) "", 1);
  g_assert_cmpstr ((char *) f.body->data, ==, "GET /hello?x=1 header=Mixed Case body=");
  g_assert_true (has_header (&f, "Content-Type: application/json"));
  fetch_clear (&f);

  /* a POST body arrives whole, Content-Length framed */
  f = fetch (url, NULL, NULL, "{\"a\": [1, 2, 3]}", 0);
  g_assert_cmpint (f.code, ==, CURLE_OK);
  g_byte_array_append (f.body, (const guint8 *) "", 1);
  g_assert_cmpstr ((char *) f.body->data, ==, "POST /hello?x=1 header=Mixed Case body={\"a\": [1, 2, 3]}");
  fetch_clear (&f);

  /* a body large enough for libcurl to send "Expect: 100-continue" */
  big = g_strnfill (1500 * 1024, 'q');
  f = fetch (url, "PUT", NULL, big, 0);
  g_assert_cmpint (f.code, ==, CURLE_OK);
  g_assert_cmpint (f.status, ==, 200);
  expect = g_strconcat ("PUT /hello?x=1 header=Mixed Case body=", big, NULL);
  g_assert_cmpuint (f.body->len, ==, strlen (expect));
  g_assert_true (memcmp (f.body->data, expect, f.body->len) == 0);
  fetch_clear (&f);

  /* status, extra headers and a replaced content type */
  g_free (url);
  url = g_strconcat (ftc_test_server_url (server), "/status", NULL);
  f = fetch (url, NULL, NULL, NULL, 0);
  g_assert_cmpint (f.code, ==, CURLE_OK);
  g_assert_cmpint (f.status, ==, 503);
  g_assert_true (has_header (&f, "Retry-After: 7"));
  g_assert_true (has_header (&f, "Content-Type: text/plain"));
  fetch_clear (&f);

  g_assert_cmpuint (ftc_test_server_request_count (server), ==, 4);
}

static void
test_delay (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTestServer) server = ftc_test_server_new (echo_handler, NULL, &error);
  g_autofree char *url = NULL;
  Fetch f;

  g_assert_no_error (error);
  url = g_strconcat (ftc_test_server_url (server), "/delay", NULL);
  f = fetch (url, NULL, NULL, NULL, 0);
  g_assert_cmpint (f.code, ==, CURLE_OK);
  g_assert_cmpfloat (f.seconds, >=, 0.39);
  fetch_clear (&f);

  /* a client timeout shorter than the delay fails as a timeout */
  f = fetch (url, NULL, NULL, NULL, 100);
  g_assert_cmpint (f.code, ==, CURLE_OPERATION_TIMEDOUT);
  g_assert_cmpfloat (f.seconds, <, 0.39);
  fetch_clear (&f);
}

static void
test_truncate (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTestServer) server = ftc_test_server_new (echo_handler, NULL, &error);
  g_autofree char *url = NULL;
  Fetch f;

  g_assert_no_error (error);
  url = g_strconcat (ftc_test_server_url (server), "/truncate", NULL);
  f = fetch (url, NULL, NULL, NULL, 0);
  /* the full length was announced, only 5 bytes came */
  g_assert_cmpint (f.code, ==, CURLE_PARTIAL_FILE);
  g_assert_cmpuint (f.body->len, ==, 5);
  g_assert_true (memcmp (f.body->data, "GET /", 5) == 0);
  fetch_clear (&f);
  g_assert_cmpuint (ftc_test_server_request_count (server), ==, 1);
}

static void
test_reset (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTestServer) server = ftc_test_server_new (echo_handler, NULL, &error);
  g_autofree char *url = NULL;
  Fetch f;

  g_assert_no_error (error);
  url = g_strconcat (ftc_test_server_url (server), "/reset", NULL);
  f = fetch (url, NULL, NULL, NULL, 0);
  g_assert_true (f.code == CURLE_GOT_NOTHING || f.code == CURLE_RECV_ERROR);
  g_assert_cmpint (f.status, ==, 0);
  g_assert_cmpuint (f.body->len, ==, 0);
  fetch_clear (&f);
  g_assert_cmpuint (ftc_test_server_request_count (server), ==, 1);
}

static void
test_files (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *root = ftc_test_tmpdir ();
  g_autofree char *sub = g_build_filename (root, "sub", NULL);
  g_autofree char *file = g_build_filename (sub, "data.bin", NULL);
  g_autoptr (FtcTestServer) server = ftc_test_server_new (ftc_test_server_serve_files, root, &error);
  g_autofree char *url = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *escape = NULL;
  guint8 data[3000];
  GRand *rand = g_rand_new_with_seed (7);
  Fetch f;

  g_assert_no_error (error);
  for (guint i = 0; i < sizeof data; i++)
    data[i] = g_rand_int_range (rand, 0, 256);
  g_rand_free (rand);
  g_assert_cmpint (g_mkdir_with_parents (sub, 0700), ==, 0);
  g_file_set_contents (file, (const char *) data, sizeof data, &error);
  g_assert_no_error (error);

  url = g_strconcat (ftc_test_server_url (server), "/sub/data.bin", NULL);
  f = fetch (url, NULL, NULL, NULL, 0);
  g_assert_cmpint (f.code, ==, CURLE_OK);
  g_assert_cmpint (f.status, ==, 200);
  g_assert_cmpmem (f.body->data, f.body->len, data, sizeof data);
  fetch_clear (&f);

  f = fetch (url, NULL, "1000-", NULL, 0);
  g_assert_cmpint (f.code, ==, CURLE_OK);
  g_assert_cmpint (f.status, ==, 206);
  g_assert_true (has_header (&f, "Content-Range: bytes 1000-2999/3000"));
  g_assert_cmpmem (f.body->data, f.body->len, data + 1000, 2000);
  fetch_clear (&f);

  f = fetch (url, NULL, "10-19", NULL, 0);
  g_assert_cmpint (f.status, ==, 206);
  g_assert_cmpmem (f.body->data, f.body->len, data + 10, 10);
  fetch_clear (&f);

  f = fetch (url, NULL, "-7", NULL, 0);
  g_assert_cmpint (f.status, ==, 206);
  g_assert_cmpmem (f.body->data, f.body->len, data + 2993, 7);
  fetch_clear (&f);

  f = fetch (url, NULL, "5000-", NULL, 0);
  g_assert_cmpint (f.status, ==, 416);
  g_assert_true (has_header (&f, "Content-Range: bytes */3000"));
  fetch_clear (&f);

  f = fetch (url, "HEAD", NULL, NULL, 0);
  g_assert_cmpint (f.code, ==, CURLE_OK);
  g_assert_cmpint (f.status, ==, 200);
  g_assert_true (has_header (&f, "Content-Length: 3000"));
  g_assert_cmpuint (f.body->len, ==, 0);
  fetch_clear (&f);

  missing = g_strconcat (ftc_test_server_url (server), "/sub/nothing.bin", NULL);
  f = fetch (missing, NULL, NULL, NULL, 0);
  g_assert_cmpint (f.status, ==, 404);
  fetch_clear (&f);

  escape = g_strconcat (ftc_test_server_url (server), "/sub/%2e%2e/%2e%2e/etc/passwd", NULL);
  f = fetch (escape, NULL, NULL, NULL, 0);
  g_assert_cmpint (f.status, ==, 403);
  fetch_clear (&f);

  g_assert_cmpuint (ftc_test_server_request_count (server), ==, 8);
}

/* Requests answered concurrently: a delayed one does not hold up the others. */
static gpointer
slow_client (gpointer url)
{
  Fetch f = fetch (url, NULL, NULL, NULL, 0);
  gboolean ok = f.code == CURLE_OK && f.status == 200;

  fetch_clear (&f);
  return GINT_TO_POINTER (ok);
}

static void
test_concurrent (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTestServer) server = ftc_test_server_new (echo_handler, NULL, &error);
  g_autofree char *slow = NULL;
  g_autofree char *fast = NULL;
  GThread *thread;
  Fetch f;

  g_assert_no_error (error);
  slow = g_strconcat (ftc_test_server_url (server), "/delay", NULL);
  fast = g_strconcat (ftc_test_server_url (server), "/fast", NULL);
  thread = g_thread_new ("slow", slow_client, slow);
  g_usleep (50000);
  f = fetch (fast, NULL, NULL, NULL, 0);
  g_assert_cmpint (f.code, ==, CURLE_OK);
  g_assert_cmpfloat (f.seconds, <, 0.3);
  fetch_clear (&f);
  g_assert_true (GPOINTER_TO_INT (g_thread_join (thread)));
}

/* Freeing the server while a client is mid-request neither hangs nor crashes. */
static void
test_free_while_busy (void)
{
  g_autoptr (GError) error = NULL;
  FtcTestServer *server = ftc_test_server_new (echo_handler, NULL, &error);
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) conn = NULL;
  const char *url;
  guint port;
  gint64 start;

  g_assert_no_error (error);
  url = ftc_test_server_url (server);
  port = atoi (strrchr (url, ':') + 1);
  conn = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  /* half a request line: the worker is blocked reading */
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), "GET /x HT", 9, NULL, NULL,
                             &error);
  g_assert_no_error (error);
  g_usleep (50000);
  start = g_get_monotonic_time ();
  ftc_test_server_free (server);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  curl_global_init (CURL_GLOBAL_DEFAULT);
  g_test_add_func ("/test-server/echo", test_echo);
  g_test_add_func ("/test-server/delay", test_delay);
  g_test_add_func ("/test-server/truncate", test_truncate);
  g_test_add_func ("/test-server/reset", test_reset);
  g_test_add_func ("/test-server/files", test_files);
  g_test_add_func ("/test-server/concurrent", test_concurrent);
  g_test_add_func ("/test-server/free-while-busy", test_free_while_busy);
  return g_test_run ();
}
