/* ftc-test-server.h: a small HTTP/1.1 server for tests, on 127.0.0.1 and a free port, serving from its own
 * thread so that blocking clients (libcurl) can run in the test thread. Faults are injected per response:
 * delays, truncated bodies, reset connections. Built on GIO; never touches the network. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  const char *method;        /* "GET", "POST", ... */
  const char *path;          /* request target, query included */
  GHashTable *headers;       /* lower-case name -> value */
  GBytes *body;              /* never NULL */
} FtcTestRequest;

typedef struct {
  int status;                /* 200 by default */
  char *content_type;        /* "application/json" by default; g_free'd by the server (to change it,
                                g_free the default and store a g_strdup'd string) */
  GBytes *body;              /* owned by the server after the handler returns; NULL = empty */
  GPtrArray *headers;        /* extra "Name: value" strings, owned by the server */
  gssize truncate_at;        /* >= 0: announce the full Content-Length but send only this many bytes,
                                then close the connection; -1 (default) sends everything */
  guint delay_ms;            /* wait this long before answering */
  gboolean reset;            /* close the connection without answering */
} FtcTestResponse;

/* Called on the server thread for every request; fill resp (it arrives with the defaults set). */
typedef void (*FtcTestHandler) (const FtcTestRequest *req, FtcTestResponse *resp, gpointer user_data);

typedef struct _FtcTestServer FtcTestServer;

FtcTestServer *ftc_test_server_new (FtcTestHandler handler, gpointer user_data, GError **error);
/* "http://127.0.0.1:PORT" */
const char *ftc_test_server_url (FtcTestServer *server);
/* Requests answered (or reset) so far. */
guint ftc_test_server_request_count (FtcTestServer *server);
void ftc_test_server_free (FtcTestServer *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcTestServer, ftc_test_server_free)

/* Convenience: a handler that serves files below root by path ("/a/b.json" -> root/a/b.json), with
 * HTTP Range support (206) and 404 for anything missing. user_data is the root (a char*). */
void ftc_test_server_serve_files (const FtcTestRequest *req, FtcTestResponse *resp, gpointer user_data);

G_END_DECLS
