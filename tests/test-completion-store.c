/* The completion store: read back, torn last lines, malformed lines, no duplicates, locking. */
#include <string.h>

#include <glib/gstdio.h>

#include "core/teach/ftc-completion-store.h"
#include "core/ftc-error.h"
#include "tests/ftc-test-util.h"

static JsonObject *
entry_new (const char *text, int i)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "text", text);
  json_object_set_int_member (o, "i", i);
  return o;
}

static char *
key_for (int i)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "endpoint");
  json_builder_add_string_value (b, "completions");
  json_builder_set_member_name (b, "sample_index");
  json_builder_add_int_value (b, i);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return ftc_completion_key (root);
}

static void
test_key (void)
{
  g_autofree char *k3 = key_for (3);
  g_autofree char *k3b = key_for (3);
  g_autofree char *k4 = key_for (4);

  /* SHA-256 of {"endpoint":"completions","sample_index":3}, computed with Python's hashlib */
  g_assert_cmpstr (k3, ==, "d7fad2b331f6380d8011db517b21db9eb8c9c60eff6670340e59a8bd84764709");
  g_assert_cmpstr (k3, ==, k3b);
  g_assert_cmpstr (k3, !=, k4);
}

static char *
fill_store (int n)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  char *path = g_build_filename (dir, "sub", "answers.jsonl", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcCompletionStore) store = ftc_completion_store_open (path, &error);

  g_assert_no_error (error);
  for (int i = 0; i < n; i++)
    {
      g_autofree char *key = key_for (i);
      g_autoptr (JsonObject) e = entry_new ("answer \"quoted\"\nwith a newline", i);
      gboolean was_new = FALSE;
      g_assert_true (ftc_completion_store_append (store, key, e, &was_new, &error));
      g_assert_no_error (error);
      g_assert_true (was_new);
    }
  g_assert_cmpuint (ftc_completion_store_size (store), ==, n);
  return path;
}

static void
test_roundtrip (void)
{
  g_autofree char *path = fill_store (25);
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcCompletionStore) store = ftc_completion_store_open (path, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (ftc_completion_store_size (store), ==, 25);
  g_assert_cmpuint (ftc_completion_store_repaired_bytes (store), ==, 0);
  for (int i = 0; i < 25; i++)
    {
      g_autofree char *key = key_for (i);
      JsonObject *o = ftc_completion_store_lookup (store, key);
      g_assert_nonnull (o);
      g_assert_cmpint (json_object_get_int_member (o, "i"), ==, i);
      g_assert_cmpstr (json_object_get_string_member (o, "text"), ==, "answer \"quoted\"\nwith a newline");
      g_assert_cmpstr (json_object_get_string_member (o, "key"), ==, key);
      g_assert_true (ftc_completion_store_get (store, i) == o);
    }
  {
    g_autofree char *missing = key_for (25);
    g_assert_null (ftc_completion_store_lookup (store, missing));
  }
}

static void
test_no_duplicates (void)
{
  g_autofree char *path = fill_store (3);
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *key = key_for (1);
  g_autoptr (JsonObject) e = entry_new ("another answer", 1);
  gboolean was_new = TRUE;
  guint lines = 0;

  {
    g_autoptr (FtcCompletionStore) store = ftc_completion_store_open (path, &error);
    g_assert_no_error (error);
    g_assert_true (ftc_completion_store_append (store, key, e, &was_new, &error));
    g_assert_false (was_new);
    g_assert_cmpuint (ftc_completion_store_size (store), ==, 3);
  }
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  for (const char *p = contents; *p; p++)
    lines += *p == '\n';
  g_assert_cmpuint (lines, ==, 3);
  g_assert_null (strstr (contents, "another answer"));
}

static void
append_raw (const char *path, const char *bytes, gsize len)
{
  FILE *f = g_fopen (path, "ab");
  g_assert_nonnull (f);
  g_assert_cmpuint (fwrite (bytes, 1, len, f), ==, len);
  fclose (f);
}

static gsize
file_size (const char *path)
{
  GStatBuf st;
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_size;
}

static void
test_torn_line (void)
{
  g_autofree char *path = fill_store (5);
  gsize whole = file_size (path);
  const char *torn = "{\"key\":\"abcdef\",\"text\":\"half an ans";
  g_autoptr (GError) error = NULL;

  append_raw (path, torn, strlen (torn));
  {
    g_autoptr (FtcCompletionStore) store = ftc_completion_store_open (path, &error);
    g_autofree char *key = key_for (5);
    g_autoptr (JsonObject) e = entry_new ("after the crash", 5);

    g_assert_no_error (error);
    g_assert_cmpuint (ftc_completion_store_size (store), ==, 5);
    g_assert_cmpuint (ftc_completion_store_repaired_bytes (store), ==, strlen (torn));
    g_assert_cmpuint (file_size (path), ==, whole);
    g_assert_null (ftc_completion_store_lookup (store, "abcdef"));
    g_assert_true (ftc_completion_store_append (store, key, e, NULL, &error));
    g_assert_no_error (error);
  }
  {
    g_autoptr (FtcCompletionStore) store = ftc_completion_store_open (path, &error);
    g_autofree char *key = key_for (5);
    g_assert_no_error (error);
    g_assert_cmpuint (ftc_completion_store_size (store), ==, 6);
    g_assert_cmpuint (ftc_completion_store_repaired_bytes (store), ==, 0);
    g_assert_cmpstr (json_object_get_string_member (ftc_completion_store_lookup (store, key), "text"), ==,
                     "after the crash");
  }
}

static void
test_whole_line_without_newline (void)
{
  g_autofree char *path = fill_store (2);
  const char *line = "{\"key\":\"k-last\",\"text\":\"complete\"}";
  g_autoptr (GError) error = NULL;
  gsize before = file_size (path);

  append_raw (path, line, strlen (line));
  {
    g_autoptr (FtcCompletionStore) store = ftc_completion_store_open (path, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (ftc_completion_store_size (store), ==, 3);
    g_assert_nonnull (ftc_completion_store_lookup (store, "k-last"));
  }
  /* the newline was added, so the next append starts a line of its own */
  g_assert_cmpuint (file_size (path), ==, before + strlen (line) + 1);
}

static void
test_zero_tail (void)
{
  g_autofree char *path = fill_store (4);
  gsize whole = file_size (path);
  char zeros[100] = { 0 };
  g_autoptr (GError) error = NULL;

  zeros[50] = '\n';
  append_raw (path, zeros, sizeof zeros);
  {
    g_autoptr (FtcCompletionStore) store = ftc_completion_store_open (path, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (ftc_completion_store_size (store), ==, 4);
  }
  g_assert_cmpuint (file_size (path), ==, whole);
}

static void
test_malformed_line (void)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "bad.jsonl", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *where = NULL;
  const char *text = "{\"key\":\"a\",\"text\":\"x\"}\n{\"key\":\"b\",\"text\":\"y\"}\n{\"key\": oops}\n"
                     "{\"key\":\"d\",\"text\":\"z\"}\n";

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  g_assert_null (ftc_completion_store_open (path, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_PARSE);
  where = g_strdup_printf ("%s:3:", path);
  g_assert_nonnull (strstr (error->message, where));
  /* a broken middle line is never cut away: the file is untouched */
  g_assert_cmpuint (file_size (path), ==, strlen (text));

  g_clear_error (&error);
  g_assert_true (g_file_set_contents (path, "{\"key\":\"a\"}\n{\"text\":\"no key\"}\n", -1, NULL));
  g_assert_null (ftc_completion_store_open (path, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
  g_free (where);
  where = g_strdup_printf ("%s:2:", path);
  g_assert_nonnull (strstr (error->message, where));
}

static void
test_locked (void)
{
  g_autofree char *path = fill_store (1);
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcCompletionStore) first = ftc_completion_store_open (path, &error);
  g_autoptr (FtcCompletionStore) second = NULL;

  g_assert_no_error (error);
  second = ftc_completion_store_open (path, &error);
  g_assert_null (second);
  g_assert_error (error, FTC_ERROR, FTC_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "in use"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/completion-store/key", test_key);
  g_test_add_func ("/completion-store/roundtrip", test_roundtrip);
  g_test_add_func ("/completion-store/no-duplicates", test_no_duplicates);
  g_test_add_func ("/completion-store/torn-line", test_torn_line);
  g_test_add_func ("/completion-store/whole-line-without-newline", test_whole_line_without_newline);
  g_test_add_func ("/completion-store/zero-tail", test_zero_tail);
  g_test_add_func ("/completion-store/malformed-line", test_malformed_line);
  g_test_add_func ("/completion-store/locked", test_locked);
  return g_test_run ();
}
