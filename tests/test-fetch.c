/* test-fetch: dataset downloads against a local HTTP server serving the shared datasets: complete,
 * resumed, truncated, corrupted and failed transfers, and imports from a local folder. */
#include "core/tasks/ftc-dataset.h"
#include "core/tasks/ftc-dataset-fetch.h"
#include "core/ftc-error.h"
#include "tests/ftc-test-server.h"
#include "tests/ftc-test-util.h"

#include <string.h>

#include <glib/gstdio.h>

typedef struct {
  const char *root;
  int truncate_requests;   /* the next this many answers stop at truncate_at */
  gssize truncate_at;
  gboolean corrupt;        /* flip one byte in every body */
  gboolean reset;
  GPtrArray *ranges;       /* Range header of every request ("" when none) */
} Mirror;

static void
mirror_handler (const FtcTestRequest *req, FtcTestResponse *resp, gpointer user_data)
{
  Mirror *m = user_data;
  const char *range = g_hash_table_lookup (req->headers, "range");

  g_ptr_array_add (m->ranges, g_strdup (range != NULL ? range : ""));
  ftc_test_server_serve_files (req, resp, (gpointer) m->root);
  if (m->truncate_requests > 0)
    {
      m->truncate_requests--;
      resp->truncate_at = m->truncate_at;
    }
  if (m->reset)
    resp->reset = TRUE;
  if (m->corrupt && resp->body != NULL && g_bytes_get_size (resp->body) > 0)
    {
      gsize n;
      guint8 *data = g_bytes_unref_to_data (resp->body, &n);
      data[n / 2] ^= 0x20;
      resp->body = g_bytes_new_take (data, n);
    }
}

typedef struct {
  Mirror mirror;
  FtcTestServer *server;
  char *data_dir;
  FtcFetchOptions options;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->mirror.root = ftc_test_shared_path ("datasets", NULL);
  if (f->mirror.root == NULL)
    return;
  f->mirror.ranges = g_ptr_array_new_with_free_func (g_free);
  f->server = ftc_test_server_new (mirror_handler, &f->mirror, &error);
  g_assert_no_error (error);
  f->data_dir = ftc_test_tmpdir ();
  f->options.mirror = ftc_test_server_url (f->server);
  f->options.data_dir = f->data_dir;
  f->options.timeout_s = 20;
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->server, ftc_test_server_free);
  g_clear_pointer (&f->mirror.ranges, g_ptr_array_unref);
  g_free ((char *) f->mirror.root);
  g_free (f->data_dir);
}

static char *
installed (Fixture *f, const char *key, const char *name)
{
  return g_build_filename (f->data_dir, key, name, NULL);
}

static const FtcDatasetSource *
source_of (const char *key, const char *name)
{
  guint n;
  const FtcDatasetSource *s = ftc_dataset_sources (&n);

  for (guint i = 0; i < n; i++)
    if (strcmp (s[i].key, key) == 0 && strcmp (s[i].name, name) == 0)
      return &s[i];
  g_assert_not_reached ();
}

static void
assert_not_installed (Fixture *f, const char *key, const char *name)
{
  g_autofree char *dest = installed (f, key, name);

  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
}

/* The pinned table agrees with the shared copies of the origin files. */
static void
test_sources_table (void)
{
  guint n, n_files;
  const FtcDatasetSource *s = ftc_dataset_sources (&n);
  const FtcDatasetFile *files = ftc_dataset_files (&n_files);

  /* the paper datasets' 14 files come first; the benchmarks' (test-benchmarks.c) follow */
  g_assert_cmpuint (n, >=, 14);
  for (guint i = 0; i < 14; i++)
    {
      g_autofree char *path = ftc_test_shared_path ("datasets", s[i].key, s[i].name, NULL);
      g_autoptr (GError) error = NULL;
      gboolean listed = FALSE;

      if (path == NULL)
        return;
      g_assert_true (g_str_has_prefix (s[i].url, "https://raw.githubusercontent.com/"));
      g_assert_true (ftc_dataset_verify_file (&s[i], path, &error));
      g_assert_no_error (error);
      for (guint j = 0; j < n_files; j++)
        listed |= strcmp (files[j].key, s[i].key) == 0 && strcmp (files[j].name, s[i].name) == 0;
      g_assert_true (listed);
    }
}

static void
test_download (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dest = NULL;
  g_autofree char *part = NULL;
  g_autofree char *dataset_dir = NULL;
  g_autoptr (FtcTask) task = NULL;
  guint requests;

  if (f->server == NULL)
    return;
  g_assert_true (ftc_dataset_fetch ("svamp", &f->options, &error));
  g_assert_no_error (error);
  dest = installed (f, "svamp", "SVAMP.json");
  part = g_strconcat (dest, ".part", NULL);
  g_assert_true (ftc_dataset_verify_file (source_of ("svamp", "SVAMP.json"), dest, NULL));
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  g_assert_cmpstr (g_ptr_array_index (f->mirror.ranges, 0), ==, "");

  /* what was installed loads */
  dataset_dir = g_build_filename (f->data_dir, "svamp", NULL);
  task = ftc_dataset_load ("svamp", dataset_dir, FTC_SPLIT_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (task->samples->len, ==, 1000);

  /* installed and intact: nothing is downloaded again */
  requests = ftc_test_server_request_count (f->server);
  g_assert_true (ftc_dataset_fetch ("svamp", &f->options, &error));
  g_assert_cmpuint (ftc_test_server_request_count (f->server), ==, requests);

  /* two files for commonsense_qa */
  g_assert_true (ftc_dataset_fetch ("commonsense_qa", &f->options, &error));
  g_assert_no_error (error);
  {
    g_autofree char *d = g_build_filename (f->data_dir, "commonsense_qa", NULL);
    g_assert_true (ftc_dataset_available ("commonsense_qa", d, NULL));
  }
}

static void
test_resume (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dest = installed (f, "svamp", "SVAMP.json");
  g_autofree char *part = g_strconcat (dest, ".part", NULL);
  g_autofree char *dir = g_path_get_dirname (dest);
  g_autofree char *src = NULL;
  g_autofree char *contents = NULL;
  gsize len;

  if (f->server == NULL)
    return;
  src = ftc_test_shared_path ("datasets", "svamp", "SVAMP.json", NULL);
  g_assert_true (g_file_get_contents (src, &contents, &len, NULL));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (part, contents, 100000, NULL));

  g_assert_true (ftc_dataset_fetch ("svamp", &f->options, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (f->mirror.ranges->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->mirror.ranges, 0), ==, "bytes=100000-");
  g_assert_true (ftc_dataset_verify_file (source_of ("svamp", "SVAMP.json"), dest, NULL));
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
}

static void
test_truncated (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dest = installed (f, "svamp", "SVAMP.json");
  g_autofree char *part = g_strconcat (dest, ".part", NULL);
  GStatBuf st;

  if (f->server == NULL)
    return;
  f->mirror.truncate_requests = 1000;
  f->mirror.truncate_at = 50000;
  f->options.retries = 1;
  g_assert_false (ftc_dataset_fetch ("svamp", &f->options, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_NETWORK);
  g_test_message ("truncated: %s", error->message);
  g_assert_nonnull (strstr (error->message, "truncated download"));
  g_assert_nonnull (strstr (error->message, "of 339970 bytes"));
  assert_not_installed (f, "svamp", "SVAMP.json");
  /* the retry resumed where the first attempt stopped */
  g_assert_cmpuint (f->mirror.ranges->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (f->mirror.ranges, 1), ==, "bytes=50000-");
  /* the partial download stays for the next attempt */
  g_assert_cmpint (g_stat (part, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 100000);

  /* the next fetch resumes and completes */
  g_clear_error (&error);
  f->mirror.truncate_requests = 0;
  g_assert_true (ftc_dataset_fetch ("svamp", &f->options, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (g_ptr_array_index (f->mirror.ranges, 2), ==, "bytes=100000-");
  g_assert_true (ftc_dataset_verify_file (source_of ("svamp", "SVAMP.json"), dest, NULL));

  /* one truncation with a retry left: one call succeeds */
  g_unlink (dest);
  f->mirror.truncate_requests = 1;
  g_assert_true (ftc_dataset_fetch ("svamp", &f->options, &error));
  g_assert_no_error (error);
  g_assert_true (ftc_dataset_verify_file (source_of ("svamp", "SVAMP.json"), dest, NULL));
}

static void
test_corrupt (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dest = installed (f, "coin_flip", "coin_flip.json");
  g_autofree char *part = g_strconcat (dest, ".part", NULL);

  if (f->server == NULL)
    return;
  f->mirror.corrupt = TRUE;
  g_assert_false (ftc_dataset_fetch ("coin_flip", &f->options, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_MISMATCH);
  g_test_message ("corrupt: %s", error->message);
  g_assert_nonnull (strstr (error->message, "corrupt download, removed"));
  g_assert_nonnull (strstr (error->message, "68cf201737a1463ef6bed5419622805a8934d92bff6a28a9dfbf83be3135ba5a"));
  assert_not_installed (f, "coin_flip", "coin_flip.json");
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));

  /* a corrupt file already in place is replaced by a verified one */
  g_clear_error (&error);
  f->mirror.corrupt = FALSE;
  g_assert_true (g_file_set_contents (dest, "{\"examples\": []}", -1, NULL));
  g_assert_true (ftc_dataset_fetch ("coin_flip", &f->options, &error));
  g_assert_no_error (error);
  g_assert_true (ftc_dataset_verify_file (source_of ("coin_flip", "coin_flip.json"), dest, NULL));
}

static void
test_http_errors (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *bad_mirror = NULL;

  if (f->server == NULL)
    return;
  bad_mirror = g_strconcat (ftc_test_server_url (f->server), "/nowhere/", NULL);
  f->options.mirror = bad_mirror;
  f->options.retries = 3;
  g_assert_false (ftc_dataset_fetch ("addsub", &f->options, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "HTTP 404"));
  g_assert_nonnull (strstr (error->message, "/nowhere/addsub/AddSub.json"));
  /* a 404 is not retried */
  g_assert_cmpuint (ftc_test_server_request_count (f->server), ==, 1);
  assert_not_installed (f, "addsub", "AddSub.json");
  assert_not_installed (f, "addsub", "AddSub.json.part");

  /* connections closed without an answer: retried, then a clear error */
  g_clear_error (&error);
  f->options.mirror = ftc_test_server_url (f->server);
  f->options.retries = 1;
  f->mirror.reset = TRUE;
  g_assert_false (ftc_dataset_fetch ("addsub", &f->options, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_NETWORK);
  g_test_message ("reset: %s", error->message);
  g_assert_nonnull (strstr (error->message, "addsub/AddSub.json"));
  g_assert_cmpuint (ftc_test_server_request_count (f->server), ==, 3);
  assert_not_installed (f, "addsub", "AddSub.json");

  g_clear_error (&error);
  g_assert_false (ftc_dataset_fetch ("svampp", &f->options, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "unknown dataset 'svampp'; did you mean 'svamp'?");
}

static void
test_mirror_env (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dest = installed (f, "addsub", "AddSub.json");

  if (f->server == NULL)
    return;
  g_setenv ("FTCOT_DATASET_MIRROR", ftc_test_server_url (f->server), TRUE);
  f->options.mirror = NULL;
  g_assert_true (ftc_dataset_fetch ("addsub", &f->options, &error));
  g_unsetenv ("FTCOT_DATASET_MIRROR");
  g_assert_no_error (error);
  g_assert_cmpuint (ftc_test_server_request_count (f->server), ==, 1);
  g_assert_true (g_file_test (dest, G_FILE_TEST_IS_REGULAR));
}

static void
test_import_dir (void)
{
  g_autofree char *from = ftc_test_shared_path ("datasets", NULL);
  g_autofree char *data_dir = ftc_test_tmpdir ();
  g_autofree char *bad = ftc_test_tmpdir ();
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *src = NULL;
  g_autofree char *bad_file = NULL;
  g_autofree char *dest = NULL;
  gsize len;

  if (from == NULL)
    return;
  /* from a folder with <key>/ subfolders */
  g_assert_true (ftc_dataset_import_dir ("gsm8k", from, data_dir, &error));
  g_assert_no_error (error);
  dest = g_build_filename (data_dir, "gsm8k", "train.jsonl", NULL);
  g_assert_true (ftc_dataset_verify_file (source_of ("gsm8k", "train.jsonl"), dest, NULL));

  /* a corrupted local copy is refused and nothing is installed */
  src = g_build_filename (from, "svamp", "SVAMP.json", NULL);
  g_assert_true (g_file_get_contents (src, &contents, &len, NULL));
  contents[len / 3] ^= 1;
  bad_file = g_build_filename (bad, "SVAMP.json", NULL);
  g_assert_true (g_file_set_contents (bad_file, contents, len, NULL));
  g_assert_false (ftc_dataset_import_dir ("svamp", bad, data_dir, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_MISMATCH);
  g_assert_nonnull (strstr (error->message, "is corrupt"));
  g_free (dest);
  dest = g_build_filename (data_dir, "svamp", "SVAMP.json", NULL);
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  /* a required file missing */
  g_assert_false (ftc_dataset_import_dir ("addsub", bad, data_dir, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "AddSub.json not found"));
  g_clear_error (&error);

  /* aqua: the optional train.json is absent, the test file imports */
  g_assert_true (ftc_dataset_import_dir ("aqua", from, data_dir, &error));
  g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/fetch/sources-table", test_sources_table);
  g_test_add ("/fetch/download", Fixture, NULL, fixture_setup, test_download, fixture_teardown);
  g_test_add ("/fetch/resume", Fixture, NULL, fixture_setup, test_resume, fixture_teardown);
  g_test_add ("/fetch/truncated", Fixture, NULL, fixture_setup, test_truncated, fixture_teardown);
  g_test_add ("/fetch/corrupt", Fixture, NULL, fixture_setup, test_corrupt, fixture_teardown);
  g_test_add ("/fetch/http-errors", Fixture, NULL, fixture_setup, test_http_errors, fixture_teardown);
  g_test_add ("/fetch/mirror-env", Fixture, NULL, fixture_setup, test_mirror_env, fixture_teardown);
  g_test_add_func ("/fetch/import-dir", test_import_dir);
  return g_test_run ();
}
