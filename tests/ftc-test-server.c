/* ftc-test-server.c: the HTTP/1.1 test server of ftc-test-server.h.
 *
 * A GThreadedSocketService listens on 127.0.0.1 (a free port). Its accept source lives in a GMainContext
 * owned by the server's own thread; each connection is then answered on a worker thread of the service,
 * so a delayed answer never holds up another request. Every answer closes the connection
 * ("Connection: close"), which keeps the state per connection trivial and makes truncation and reset
 * faults unambiguous for the client. One GCancellable covers all I/O so that freeing the server unblocks
 * every worker at once. */
#include "tests/ftc-test-server.h"

#include <string.h>

#include <gio/gio.h>

#define MAX_HEADER_LINE (64 * 1024)
#define MAX_HEADERS 200
#define MAX_BODY (512 * 1024 * 1024)

struct _FtcTestServer {
  FtcTestHandler handler;
  gpointer user_data;
  GMutex handler_lock;          /* handlers run one at a time, so they need no locking of their own */

  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  GCancellable *cancellable;

  GMutex lock;                  /* guards what follows */
  GCond cond;
  gboolean started;
  GError *start_error;
  guint16 port;
  guint active;                 /* connections being answered */
  guint requests;

  char *url;
};

static const char *
reason_phrase (int status)
{
  switch (status)
    {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 416: return "Range Not Satisfiable";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
    }
}

/* One line without its "\r\n" (or "\n"); NULL at end of stream or on error. */
static char *
read_line (GDataInputStream *in, GCancellable *cancellable)
{
  gsize len = 0;
  char *line = g_data_input_stream_read_line (in, &len, cancellable, NULL);

  if (line == NULL)
    return NULL;
  if (len > MAX_HEADER_LINE)
    {
      g_free (line);
      return NULL;
    }
  if (len > 0 && line[len - 1] == '\r')
    line[len - 1] = '\0';
  return line;
}

static gboolean
write_all (GOutputStream *out, const void *data, gsize len, GCancellable *cancellable)
{
  return len == 0 || g_output_stream_write_all (out, data, len, NULL, cancellable, NULL);
}

static void
send_simple (GOutputStream *out, int status, GCancellable *cancellable)
{
  g_autofree char *head = g_strdup_printf ("HTTP/1.1 %d %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                                           status, reason_phrase (status));
  write_all (out, head, strlen (head), cancellable);
}

/* Reads a chunked request body ("Transfer-Encoding: chunked"). */
static GBytes *
read_chunked (GDataInputStream *in, GCancellable *cancellable)
{
  g_autoptr (GByteArray) body = g_byte_array_new ();

  for (;;)
    {
      g_autofree char *size_line = read_line (in, cancellable);
      char *end = NULL;
      guint64 size;

      if (size_line == NULL)
        return NULL;
      size = g_ascii_strtoull (size_line, &end, 16);
      if (end == size_line || body->len + size > MAX_BODY)
        return NULL;
      if (size == 0)
        {
          /* trailers up to the empty line */
          for (;;)
            {
              g_autofree char *trailer = read_line (in, cancellable);
              if (trailer == NULL)
                return NULL;
              if (*trailer == '\0')
                break;
            }
          return g_byte_array_free_to_bytes (g_steal_pointer (&body));
        }
      gsize old = body->len;
      gsize got = 0;
      g_byte_array_set_size (body, old + size);
      if (!g_input_stream_read_all (G_INPUT_STREAM (in), body->data + old, size, &got, cancellable, NULL)
          || got != size)
        return NULL;
      g_autofree char *crlf = read_line (in, cancellable);
      if (crlf == NULL || *crlf != '\0')
        return NULL;
    }
}

static void
sleep_cancellable (guint ms, GCancellable *cancellable)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (!g_cancellable_is_cancelled (cancellable))
    {
      gint64 left = end - g_get_monotonic_time ();
      if (left <= 0)
        break;
      g_usleep (MIN (left, 10000));
    }
}

static void
count_request (FtcTestServer *server)
{
  g_mutex_lock (&server->lock);
  server->requests++;
  g_mutex_unlock (&server->lock);
}

static void
answer_connection (FtcTestServer *server, GSocketConnection *connection)
{
  GCancellable *cancellable = server->cancellable;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autoptr (GDataInputStream) in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  g_autoptr (GHashTable) headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *request_line = NULL;
  g_auto (GStrv) parts = NULL;
  g_autoptr (GBytes) request_body = NULL;
  const char *value;
  FtcTestRequest req = { 0 };
  FtcTestResponse resp = { 0 };
  char *default_type;
  gboolean head;
  gsize body_len = 0;
  const guint8 *body_data = NULL;

  g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_LF);
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (in), FALSE);

  request_line = read_line (in, cancellable);
  if (request_line == NULL)
    return;
  parts = g_strsplit (request_line, " ", 3);
  if (g_strv_length (parts) != 3 || !g_str_has_prefix (parts[2], "HTTP/1."))
    {
      send_simple (out, 400, cancellable);
      return;
    }

  for (guint n = 0;; n++)
    {
      g_autofree char *line = read_line (in, cancellable);
      char *colon;

      if (line == NULL || n > MAX_HEADERS)
        {
          if (line != NULL)
            send_simple (out, 400, cancellable);
          return;
        }
      if (*line == '\0')
        break;
      colon = strchr (line, ':');
      if (colon == NULL || colon == line)
        {
          send_simple (out, 400, cancellable);
          return;
        }
      *colon = '\0';
      g_autofree char *name = g_ascii_strdown (g_strstrip (line), -1);
      g_autofree char *val = g_strdup (g_strstrip (colon + 1));
      const char *old = g_hash_table_lookup (headers, name);
      if (old != NULL)
        {
          /* repeated headers combine as a list, as HTTP allows */
          char *joined = g_strdup_printf ("%s, %s", old, val);
          g_hash_table_replace (headers, g_steal_pointer (&name), joined);
        }
      else
        g_hash_table_insert (headers, g_steal_pointer (&name), g_steal_pointer (&val));
    }

  /* libcurl asks before sending large bodies */
  value = g_hash_table_lookup (headers, "expect");
  if (value != NULL && g_ascii_strcasecmp (value, "100-continue") == 0)
    {
      static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
      if (!write_all (out, cont, sizeof cont - 1, cancellable))
        return;
    }

  value = g_hash_table_lookup (headers, "transfer-encoding");
  if (value != NULL && g_ascii_strcasecmp (value, "chunked") == 0)
    {
      request_body = read_chunked (in, cancellable);
      if (request_body == NULL)
        {
          send_simple (out, 400, cancellable);
          return;
        }
    }
  else if ((value = g_hash_table_lookup (headers, "content-length")) != NULL)
    {
      guint64 len = 0;
      gsize got = 0;

      if (!g_ascii_string_to_unsigned (value, 10, 0, MAX_BODY, &len, NULL))
        {
          send_simple (out, len > MAX_BODY ? 413 : 400, cancellable);
          return;
        }
      g_autofree guint8 *buf = g_malloc (MAX (len, 1));
      if (!g_input_stream_read_all (G_INPUT_STREAM (in), buf, len, &got, cancellable, NULL) || got != len)
        return;   /* the client went away mid-body */
      request_body = g_bytes_new_take (g_steal_pointer (&buf), len);
    }
  else
    request_body = g_bytes_new (NULL, 0);

  req.method = parts[0];
  req.path = parts[1];
  req.headers = headers;
  req.body = request_body;

  resp.status = 200;
  resp.content_type = default_type = g_strdup ("application/json");
  resp.headers = g_ptr_array_new_with_free_func (g_free);
  resp.truncate_at = -1;

  g_mutex_lock (&server->handler_lock);
  server->handler (&req, &resp, server->user_data);
  g_mutex_unlock (&server->handler_lock);

  if (resp.delay_ms > 0)
    sleep_cancellable (resp.delay_ms, cancellable);

  head = strcmp (req.method, "HEAD") == 0;
  if (resp.body != NULL)
    body_data = g_bytes_get_data (resp.body, &body_len);

  if (resp.reset)
    {
      /* no answer at all: the client sees the connection close */
      count_request (server);
    }
  else
    {
      g_autoptr (GString) head_text = g_string_new (NULL);
      gsize to_send = head ? 0 : body_len;

      g_string_append_printf (head_text, "HTTP/1.1 %d %s\r\n", resp.status, reason_phrase (resp.status));
      if (resp.content_type != NULL && resp.status != 204 && resp.status != 304)
        g_string_append_printf (head_text, "Content-Type: %s\r\n", resp.content_type);
      if (resp.status != 204 && resp.status != 304)
        g_string_append_printf (head_text, "Content-Length: %" G_GSIZE_FORMAT "\r\n", body_len);
      for (guint i = 0; resp.headers != NULL && i < resp.headers->len; i++)
        g_string_append_printf (head_text, "%s\r\n", (const char *) g_ptr_array_index (resp.headers, i));
      g_string_append (head_text, "Connection: close\r\n\r\n");

      if (resp.truncate_at >= 0 && (gsize) resp.truncate_at < to_send)
        to_send = resp.truncate_at;
      count_request (server);
      if (write_all (out, head_text->str, head_text->len, cancellable))
        write_all (out, body_data, to_send, cancellable);
      g_output_stream_flush (out, cancellable, NULL);
    }

  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  if (resp.content_type != default_type)
    g_free (resp.content_type);   /* the handler replaced (and freed) the default */
  else
    g_free (default_type);
  g_clear_pointer (&resp.body, g_bytes_unref);
  g_clear_pointer (&resp.headers, g_ptr_array_unref);
}

static gboolean
on_run (GThreadedSocketService *service, GSocketConnection *connection, GObject *source, gpointer user_data)
{
  FtcTestServer *server = user_data;

  g_mutex_lock (&server->lock);
  server->active++;
  g_mutex_unlock (&server->lock);

  answer_connection (server, connection);

  g_mutex_lock (&server->lock);
  server->active--;
  g_cond_broadcast (&server->cond);
  g_mutex_unlock (&server->lock);
  return TRUE;
}

static gpointer
server_thread (gpointer data)
{
  FtcTestServer *server = data;
  g_autoptr (GSocketService) service = NULL;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) effective = NULL;
  GError *error = NULL;

  /* the service attaches its accept source to the thread-default context when it starts listening */
  g_main_context_push_thread_default (server->context);
  service = g_threaded_socket_service_new (32);
  g_signal_connect (service, "run", G_CALLBACK (on_run), server);
  if (g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                     G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error))
    g_socket_service_start (service);

  g_mutex_lock (&server->lock);
  if (error != NULL)
    server->start_error = error;
  else
    server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  server->started = TRUE;
  g_cond_broadcast (&server->cond);
  g_mutex_unlock (&server->lock);

  if (error == NULL)
    g_main_loop_run (server->loop);

  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
  /* let the cancelled accept finish so that it drops its references */
  while (g_main_context_iteration (server->context, FALSE))
    ;
  g_clear_object (&service);
  while (g_main_context_iteration (server->context, FALSE))
    ;
  g_main_context_pop_thread_default (server->context);
  return NULL;
}

FtcTestServer *
ftc_test_server_new (FtcTestHandler handler, gpointer user_data, GError **error)
{
  FtcTestServer *server = g_new0 (FtcTestServer, 1);

  g_return_val_if_fail (handler != NULL, NULL);

  server->handler = handler;
  server->user_data = user_data;
  g_mutex_init (&server->handler_lock);
  g_mutex_init (&server->lock);
  g_cond_init (&server->cond);
  server->context = g_main_context_new ();
  server->loop = g_main_loop_new (server->context, FALSE);
  server->cancellable = g_cancellable_new ();
  server->thread = g_thread_new ("ftc-test-server", server_thread, server);

  g_mutex_lock (&server->lock);
  while (!server->started)
    g_cond_wait (&server->cond, &server->lock);
  g_mutex_unlock (&server->lock);

  if (server->start_error != NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&server->start_error), "test server: ");
      ftc_test_server_free (server);
      return NULL;
    }
  server->url = g_strdup_printf ("http://127.0.0.1:%u", server->port);
  return server;
}

const char *
ftc_test_server_url (FtcTestServer *server)
{
  return server->url;
}

guint
ftc_test_server_request_count (FtcTestServer *server)
{
  guint n;

  g_mutex_lock (&server->lock);
  n = server->requests;
  g_mutex_unlock (&server->lock);
  return n;
}

void
ftc_test_server_free (FtcTestServer *server)
{
  if (server == NULL)
    return;
  g_main_loop_quit (server->loop);
  g_thread_join (server->thread);

  /* unblock workers still reading a request or waiting out a delay, then wait for them */
  g_cancellable_cancel (server->cancellable);
  g_mutex_lock (&server->lock);
  while (server->active > 0)
    g_cond_wait (&server->cond, &server->lock);
  g_mutex_unlock (&server->lock);

  g_clear_error (&server->start_error);
  g_object_unref (server->cancellable);
  g_main_loop_unref (server->loop);
  g_main_context_unref (server->context);
  g_mutex_clear (&server->handler_lock);
  g_mutex_clear (&server->lock);
  g_cond_clear (&server->cond);
  g_free (server->url);
  g_free (server);
}

/* "bytes=a-b", "bytes=a-", "bytes=-n" against a body of size len; FALSE if unsatisfiable or not one range. */
static gboolean
parse_range (const char *value, guint64 len, guint64 *first, guint64 *last)
{
  const char *spec;
  const char *dash;
  guint64 a = 0, b = 0;

  if (!g_str_has_prefix (value, "bytes="))
    return FALSE;
  spec = value + strlen ("bytes=");
  if (strchr (spec, ',') != NULL)
    return FALSE;   /* multipart ranges are not supported */
  dash = strchr (spec, '-');
  if (dash == NULL)
    return FALSE;
  g_autofree char *left = g_strndup (spec, dash - spec);
  const char *right = dash + 1;
  g_strstrip (left);

  if (*left == '\0')
    {
      /* suffix range: the last n bytes */
      if (!g_ascii_string_to_unsigned (right, 10, 1, G_MAXUINT64, &b, NULL) || len == 0)
        return FALSE;
      *first = b >= len ? 0 : len - b;
      *last = len - 1;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (left, 10, 0, G_MAXUINT64, &a, NULL) || a >= len)
    return FALSE;
  if (*right == '\0')
    b = len - 1;
  else if (!g_ascii_string_to_unsigned (right, 10, 0, G_MAXUINT64, &b, NULL) || b < a)
    return FALSE;
  *first = a;
  *last = MIN (b, len - 1);
  return TRUE;
}

void
ftc_test_server_serve_files (const FtcTestRequest *req, FtcTestResponse *resp, gpointer user_data)
{
  const char *root = user_data;
  g_autofree char *rel = NULL;
  g_autofree char *path = NULL;
  g_autofree char *unescaped = NULL;
  g_autoptr (GMappedFile) mapped = NULL;
  g_auto (GStrv) components = NULL;
  const char *range;
  const char *query;
  guint64 len, first, last;

  g_free (resp->content_type);
  resp->content_type = g_strdup ("application/octet-stream");

  if (strcmp (req->method, "GET") != 0 && strcmp (req->method, "HEAD") != 0)
    {
      resp->status = 405;
      return;
    }
  query = strchr (req->path, '?');
  rel = query != NULL ? g_strndup (req->path, query - req->path) : g_strdup (req->path);
  unescaped = g_uri_unescape_string (rel, NULL);
  if (unescaped == NULL || unescaped[0] != '/')
    {
      resp->status = 400;
      return;
    }
  /* never leave root */
  components = g_strsplit (unescaped + 1, "/", -1);
  for (guint i = 0; components[i] != NULL; i++)
    if (strcmp (components[i], "..") == 0 || strcmp (components[i], ".") == 0)
      {
        resp->status = 403;
        return;
      }
  path = g_build_filename (root, unescaped + 1, NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR)
      || (mapped = g_mapped_file_new (path, FALSE, NULL)) == NULL)
    {
      resp->status = 404;
      resp->body = g_bytes_new_static ("not found\n", strlen ("not found\n"));
      g_free (resp->content_type);
      resp->content_type = g_strdup ("text/plain");
      return;
    }

  len = g_mapped_file_get_length (mapped);
  g_ptr_array_add (resp->headers, g_strdup ("Accept-Ranges: bytes"));
  range = g_hash_table_lookup (req->headers, "range");
  if (range == NULL)
    {
      resp->body = g_mapped_file_get_bytes (mapped);
      return;
    }
  if (!parse_range (range, len, &first, &last))
    {
      resp->status = 416;
      g_ptr_array_add (resp->headers, g_strdup_printf ("Content-Range: bytes */%" G_GUINT64_FORMAT, len));
      return;
    }
  g_autoptr (GBytes) all = g_mapped_file_get_bytes (mapped);
  resp->status = 206;
  resp->body = g_bytes_new_from_bytes (all, first, last - first + 1);
  g_ptr_array_add (resp->headers, g_strdup_printf ("Content-Range: bytes %" G_GUINT64_FORMAT "-%"
                                                   G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT, first, last, len));
}
