/* test-cli-tasks: the `ftcot tasks` command as a user runs it (exit codes, JSON output, messages). */
#include "core/tasks/ftc-task-import.h"
#include "tests/ftc-test-server.h"
#include "tests/ftc-test-util.h"

#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

static char *data_dir;

/* Runs ftcot with args; returns the exit status, stdout and stderr. */
static int
run (char **out, char **err, const char *first, ...)
{
  g_autoptr (GSubprocessLauncher) launcher = ftc_test_cli_launcher ();
  va_list args;
  int status;

  g_subprocess_launcher_setenv (launcher, "FTCOT_DATA_DIR", data_dir, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "FTCOT_DATASET_MIRROR");
  va_start (args, first);
  status = ftc_test_cli_run_va (launcher, NULL, out, err, first, args);
  va_end (args);
  return status;
}

static JsonObject *
parse_object (JsonParser *parser, const char *text)
{
  g_autoptr (GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

static void
test_list (void)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonArray *tasks;

  g_assert_cmpint (run (&out, &err, "tasks", "--json", NULL), ==, 0);
  tasks = json_object_get_array_member (parse_object (parser, out), "tasks");
  /* the twelve datasets, the seven reasoning benchmarks, the four synthetic families */
  g_assert_cmpuint (json_array_get_length (tasks), ==, 23);
  {
    JsonObject *gsm = json_array_get_object_element (tasks, 3);
    g_assert_cmpstr (json_object_get_string_member (gsm, "key"), ==, "gsm8k");
    g_assert_cmpint (json_object_get_int_member (gsm, "train"), ==, 7473);
    g_assert_cmpint (json_object_get_int_member (gsm, "test"), ==, 1319);
  }
  g_free (out);
  g_free (err);
  g_assert_cmpint (run (&out, &err, "tasks", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "last_letter_concatenation"));
  g_assert_nonnull (strstr (out, "356/152"));
}

static void
test_errors (void)
{
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (run (&out, &err, "tasks", "show", "gsm8kk", NULL), ==, 1);
  g_assert_cmpstr (err, ==, "ftcot tasks: unknown task 'gsm8kk'; did you mean 'gsm8k'?\n");
  g_free (out), g_free (err);
  g_assert_cmpint (run (&out, &err, "tasks", "show", "svamp", "--split", "dev", NULL), ==, 2);
  g_free (out), g_free (err);
  g_assert_cmpint (run (&out, &err, "tasks", "generate", "synthetic_coin_flip", "--n", "5", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--seed"));
  g_free (out), g_free (err);
  g_assert_cmpint (run (&out, &err, "tasks", "generate", "synthetic_shuffled_objects", "--n", "5", "--seed", "1",
                        "--objects", "4", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "3, 5 or 7"));
  g_free (out), g_free (err);
  g_assert_cmpint (run (&out, &err, "tasks", "frobnicate", NULL), ==, 2);
  g_free (out), g_free (err);
  /* a dataset that is not installed */
  g_assert_cmpint (run (&out, &err, "tasks", "show", "strategy_qa", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "ftcot tasks fetch strategy_qa"));
}

static void
test_generate_import (void)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "arith.jsonl", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTask) task = NULL;
  JsonObject *summary;

  g_assert_cmpint (run (&out, &err, "tasks", "generate", "synthetic_arithmetic", "--n", "50", "--seed", "11",
                        "--steps", "4", "--out", path, "--json", NULL), ==, 0);
  summary = parse_object (parser, out);
  g_assert_cmpint (json_object_get_int_member (summary, "train"), ==, 35);
  g_assert_cmpint (json_object_get_int_member (summary, "steps"), ==, 4);
  task = ftc_task_import_file (path, FTC_IMPORT_AUTO, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (task->samples->len, ==, 50);
  g_free (out), g_free (err);

  g_assert_cmpint (run (&out, &err, "tasks", "import", path, "--json", NULL), ==, 0);
  summary = parse_object (parser, out);
  g_assert_cmpint (json_object_get_int_member (summary, "n"), ==, 50);
  g_assert_cmpstr (json_object_get_string_member (summary, "split"), ==, "file");
  g_free (out), g_free (err);

  /* generated to standard output: JSONL */
  g_assert_cmpint (run (&out, &err, "tasks", "generate", "synthetic_last_letters", "--n", "3", "--seed", "1", NULL), ==, 0);
  {
    g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, 4);
  }

  {
    g_autofree char *bad = ftc_test_write_tmp ("bad.jsonl", "{\"question\": \"q\", \"answer\": 1}\n", -1);
    g_free (out), g_free (err);
    g_assert_cmpint (run (&out, &err, "tasks", "import", bad, NULL), ==, 1);
    g_assert_nonnull (strstr (err, "bad.jsonl:1: missing field 'answer_type'"));
  }
}

/* fetch from a local mirror, then show the installed dataset */
static void
test_fetch_show (void)
{
  g_autofree char *root = ftc_test_shared_path ("datasets", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTestServer) server = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *obj;
  JsonArray *samples;

  if (root == NULL)
    return;
  server = ftc_test_server_new (ftc_test_server_serve_files, root, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run (&out, &err, "tasks", "fetch", "addsub", "--mirror", ftc_test_server_url (server), "--json",
                        NULL), ==, 0);
  obj = parse_object (parser, out);
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (
                   json_object_get_array_member (obj, "datasets"), 0), "ok"));
  g_free (out), g_free (err);

  g_assert_cmpint (run (&out, &err, "tasks", "show", "addsub", "--split", "test", "--limit", "3", "--json", NULL), ==, 0);
  obj = parse_object (parser, out);
  samples = json_object_get_array_member (obj, "samples");
  g_assert_cmpuint (json_array_get_length (samples), ==, 3);
  g_assert_cmpint (json_object_get_int_member (obj, "test"), ==, 119);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (samples, i), "split"), ==, "test");
  g_free (out), g_free (err);

  /* a broken mirror: exit 1, a message naming the file */
  {
    g_autofree char *bad = g_strconcat (ftc_test_server_url (server), "/missing", NULL);
    g_assert_cmpint (run (&out, &err, "tasks", "fetch", "svamp", "--mirror", bad, NULL), ==, 1);
    g_assert_nonnull (strstr (err, "HTTP 404"));
  }
  g_free (out), g_free (err);
  g_assert_cmpint (run (&out, &err, "tasks", "--json", NULL), ==, 0);
  {
    JsonArray *tasks = json_object_get_array_member (parse_object (parser, out), "tasks");
    /* addsub is installed now, svamp (404) is not */
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (tasks, 1), "key"), ==, "addsub");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (tasks, 1), "available"), ==, "yes");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (tasks, 5), "key"), ==, "svamp");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (tasks, 5), "available"), ==, "no");
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  data_dir = ftc_test_tmpdir ();
  g_test_add_func ("/cli-tasks/list", test_list);
  g_test_add_func ("/cli-tasks/errors", test_errors);
  g_test_add_func ("/cli-tasks/generate-import", test_generate_import);
  g_test_add_func ("/cli-tasks/fetch-show", test_fetch_show);
  return g_test_run ();
}
