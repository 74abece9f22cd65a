/* `ftcot teach` as a child process against the fake server: killed with SIGKILL midway and run again, it
 * sends no finished request a second time and ends with every record exactly once; SIGINT stops it cleanly
 * with exit status 130. */
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <json-glib/json-glib.h>

#include "core/ftc-dir-lock.h"
#include "core/ftc-error.h"
#include "tests/ftc-fake-openai.h"
#include "tests/ftc-test-util.h"

#define KEY "sk-test-cli-Hq2Lw9Zp4Rt7Yx1Vb8Nm"
#define IN_FLIGHT 4

static char *
ftcot_path (void)
{
  char *path = g_test_build_filename (G_TEST_BUILT, "..", "app", "ftcot", NULL);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE));
  return path;
}

static GPid
spawn_teach (FtcFakeOpenai *fake, const char *out)
{
  g_autofree char *ftcot = ftcot_path ();
  g_autofree char *data = ftc_test_shared_path ("datasets", NULL);
  const char *argv[] = {
    ftcot, "teach", "--task", "multiarith", "--split", "train", "--teacher", ftc_fake_openai_url (fake),
    "--model", "text-davinci-002", "--api", "completions", "--out", out, "--quiet",
    "--max-requests-in-flight", G_STRINGIFY (IN_FLIGHT), NULL
  };
  g_auto (GStrv) env = g_get_environ ();
  g_autoptr (GError) error = NULL;
  GPid pid;

  env = g_environ_setenv (env, "FTCOT_DATA_DIR", data, TRUE);
  env = g_environ_setenv (env, "OPENAI_API_KEY", KEY, TRUE);
  g_assert_true (g_spawn_async (NULL, (char **) argv, env, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  return pid;
}

static int
wait_exit (GPid pid)
{
  int status = 0;
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  return status;
}

static guint
count_lines (const char *path)
{
  g_autofree char *contents = NULL;
  guint n = 0;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  for (const char *p = contents; *p; p++)
    n += *p == '\n';
  return n;
}

/* Waits until path has at least lines lines (or 30 s). */
static void
wait_for_lines (const char *path, guint lines)
{
  for (int i = 0; i < 3000 && count_lines (path) < lines; i++)
    g_usleep (10000);
  g_assert_cmpuint (count_lines (path), >=, lines);
}

static GPtrArray *
read_records (const char *path, gboolean complete_lines_only)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  char *last;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  if (complete_lines_only && (last = strrchr (contents, '\n')) != NULL)
    last[1] = '\0';
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      if (*lines[i] == '\0')
        continue;
      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, NULL));
      g_ptr_array_add (records, json_object_ref (json_node_get_object (json_parser_get_root (parser))));
    }
  return records;
}

static void
test_kill_resume (void)
{
  g_autofree char *out = ftc_test_tmpdir ();
  g_autofree char *records_path = g_build_filename (out, "teacher", "multiarith.train.jsonl", NULL);
  g_autofree char *summary_path = NULL;
  g_autoptr (FtcFakeOpenai) fake = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) before = NULL;
  g_autoptr (GPtrArray) after = NULL;
  g_autoptr (GHashTable) counts = NULL;
  g_autoptr (GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *path = NULL;
  GHashTableIter iter;
  gpointer k, v;
  guint resent = 0;
  GPid pid;
  int status;

  if (ftc_test_shared_dir () == NULL)
    return;
  path = ftc_test_shared_path ("teacher", "text-davinci-002", "multiarith.jsonl", NULL);
  fake = ftc_fake_openai_new (&error);
  g_assert_no_error (error);
  g_assert_true (ftc_fake_openai_load_replay (fake, path, &error));
  ftc_fake_openai_set_delay_ms (fake, 15);

  pid = spawn_teach (fake, out);
  wait_for_lines (records_path, 40);
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  status = wait_exit (pid);
  g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);

  /* what was saved when it died (the complete lines; a torn last one is the resumed run's to repair) */
  before = read_records (records_path, TRUE);
  g_assert_cmpuint (before->len, >=, 40);
  g_assert_cmpuint (before->len, <, 420);
  g_test_message ("killed after %u records, %u requests", before->len, ftc_fake_openai_requests (fake));

  pid = spawn_teach (fake, out);
  status = wait_exit (pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);

  {
    /* the key from the environment went to the server on this machine, as a bearer token */
    g_autofree char *auth = ftc_fake_openai_last_authorization (fake);
    g_assert_cmpstr (auth, ==, "Bearer " KEY);
  }
  after = read_records (records_path, FALSE);
  g_assert_cmpuint (after->len, ==, 420);
  for (guint i = 0; i < after->len; i++)
    {
      JsonObject *r = after->pdata[i];
      g_autofree char *id = g_strdup_printf ("%s#%" G_GINT64_FORMAT, json_object_get_string_member (r, "sample_id"),
                                            json_object_get_int_member (r, "completion_index"));
      g_assert_false (g_hash_table_contains (ids, id));
      g_hash_table_add (ids, g_steal_pointer (&id));
    }
  /* records saved before the kill were taken as they were */
  for (guint i = 0; i < before->len; i++)
    g_assert_cmpstr (json_object_get_string_member (before->pdata[i], "key"), ==,
                     json_object_get_string_member (after->pdata[i], "key"));

  counts = ftc_fake_openai_answer_counts (fake);
  for (guint i = 0; i < before->len; i++)
    {
      JsonObject *r = before->pdata[i];
      g_assert_cmpuint (ftc_fake_openai_prompt_answers (fake, json_object_get_string_member (r, "reasoning_prompt")),
                        ==, 1);
      g_assert_cmpuint (ftc_fake_openai_prompt_answers (fake, json_object_get_string_member (r, "answer_prompt")),
                        ==, 1);
    }
  /* only what was in flight when it died may have been answered twice */
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &k, &v))
    resent += GPOINTER_TO_UINT (v) - 1;
  g_test_message ("answered twice across the kill: %u", resent);
  g_assert_cmpuint (resent, <=, IN_FLIGHT);
  g_assert_cmpuint (ftc_fake_openai_malformed_step2 (fake), ==, 0);

  /* a third run has nothing to do and sends nothing */
  {
    guint requests = ftc_fake_openai_requests (fake);
    pid = spawn_teach (fake, out);
    status = wait_exit (pid);
    g_assert_cmpint (WEXITSTATUS (status), ==, 0);
    g_assert_cmpuint (ftc_fake_openai_requests (fake), ==, requests);
  }
  summary_path = g_build_filename (out, "teacher", "multiarith.train.summary.json", NULL);
  {
    g_autofree char *summary = NULL;
    g_assert_true (g_file_get_contents (summary_path, &summary, NULL, NULL));
    g_assert_nonnull (strstr (summary, "\"status\": \"done\""));
    g_assert_null (strstr (summary, KEY));
  }
}

static void
test_sigint (void)
{
  g_autofree char *out = ftc_test_tmpdir ();
  g_autofree char *records_path = g_build_filename (out, "teacher", "multiarith.train.jsonl", NULL);
  g_autofree char *summary_path = g_build_filename (out, "teacher", "multiarith.train.summary.json", NULL);
  g_autofree char *summary = NULL;
  g_autofree char *path = NULL;
  g_autoptr (FtcFakeOpenai) fake = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) records = NULL;
  gint64 start;
  GPid pid;
  int status;

  if (ftc_test_shared_dir () == NULL)
    return;
  path = ftc_test_shared_path ("teacher", "text-davinci-002", "multiarith.jsonl", NULL);
  fake = ftc_fake_openai_new (&error);
  g_assert_true (ftc_fake_openai_load_replay (fake, path, &error));
  ftc_fake_openai_set_delay_ms (fake, 300);

  pid = spawn_teach (fake, out);
  wait_for_lines (records_path, 4);
  start = g_get_monotonic_time ();
  g_assert_cmpint (kill (pid, SIGINT), ==, 0);
  status = wait_exit (pid);
  /* at once, without waiting for the 300 ms answers in flight */
  g_assert_cmpfloat ((g_get_monotonic_time () - start) / 1e6, <, 3.0);   /* the rest would take a minute */
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 130);
  g_assert_true (g_file_get_contents (summary_path, &summary, NULL, NULL));
  g_assert_nonnull (strstr (summary, "\"status\": \"cancelled\""));
  records = read_records (records_path, FALSE);
  g_assert_cmpuint (records->len, >=, 4);
  g_assert_cmpuint (records->len, <, 420);
}

/* --budget-tokens and --price-prompt/--price-completion: the run stops at the token budget with its
 * error and exit status, its summary says "budget", and the cost is the tokens at the prices given. */
static void
test_budget_prices (void)
{
  g_autofree char *out = ftc_test_tmpdir ();
  g_autofree char *summary_path = g_build_filename (out, "teacher", "multiarith.train.summary.json", NULL);
  g_autofree char *ftcot = ftcot_path ();
  g_autofree char *data = NULL, *path = NULL, *stdout_text = NULL, *stderr_text = NULL;
  g_autoptr (FtcFakeOpenai) fake = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_auto (GStrv) env = g_get_environ ();
  JsonObject *usage;
  gint64 prompt, completion;
  double cost;
  int status = 0;

  if (ftc_test_shared_dir () == NULL)
    return;
  data = ftc_test_shared_path ("datasets", NULL);
  path = ftc_test_shared_path ("teacher", "text-davinci-002", "multiarith.jsonl", NULL);
  fake = ftc_fake_openai_new (&error);
  g_assert_true (ftc_fake_openai_load_replay (fake, path, &error));
  g_assert_no_error (error);
  env = g_environ_setenv (env, "FTCOT_DATA_DIR", data, TRUE);
  env = g_environ_setenv (env, "OPENAI_API_KEY", KEY, TRUE);
  {
    const char *argv[] = {
      ftcot, "teach", "--task", "multiarith", "--split", "train", "--limit", "12", "--teacher",
      ftc_fake_openai_url (fake), "--model", "my-local-model", "--api", "completions", "--out", out, "--quiet",
      "--max-requests-in-flight", "1", "--budget-tokens", "1500", "--price-prompt", "2.5",
      "--price-completion", "10", NULL
    };
    g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, &stdout_text,
                                 &stderr_text, &status, &error));
    g_assert_no_error (error);
  }
  g_test_message ("%s", stderr_text);
  g_assert_false (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  g_assert_nonnull (strstr (stderr_text, "budget of 1500 tokens reached"));

  g_assert_true (json_parser_load_from_file (parser, summary_path, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)), "status"),
                   ==, "budget");
  usage = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "usage");
  prompt = json_object_get_int_member (usage, "prompt_tokens");
  completion = json_object_get_int_member (usage, "completion_tokens");
  cost = json_object_get_double_member (usage, "cost_usd");
  g_test_message ("%" G_GINT64_FORMAT " + %" G_GINT64_FORMAT " tokens, $%.6f", prompt, completion, cost);
  g_assert_cmpint (prompt + completion, >, 0);
  g_assert_cmpint (prompt + completion, <=, 1500);
  g_assert_cmpfloat_with_epsilon (cost, (prompt * 2.5 + completion * 10.0) / 1e6, 1e-12);
}

/* A folder an experiment run holds (its lock, here taken by this process) is not taught into by another
 * ftcot: refused before a file is opened, and taught once the run is over. */
static void
test_locked_folder (void)
{
  g_autofree char *out = ftc_test_tmpdir ();
  g_autofree char *records = g_build_filename (out, "teacher", "synthetic_coin_flip.train.jsonl", NULL);
  g_autoptr (GSubprocessLauncher) launcher = ftc_test_cli_launcher ();
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL, *err = NULL;
  FtcDirLock *lock = ftc_dir_lock_acquire (out, "experiment", &error);
  int status;

  g_assert_no_error (error);
  status = ftc_test_cli_run (launcher, NULL, &text, &err, "teach", "--task", "synthetic_coin_flip:n=20", "--out",
                             out, "--quiet", NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "being run by another ftcot"));
  g_assert_false (g_file_test (records, G_FILE_TEST_EXISTS));
  ftc_dir_lock_release (lock);
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&err, g_free);
  status = ftc_test_cli_run (launcher, NULL, &text, &err, "teach", "--task", "synthetic_coin_flip:n=20", "--out",
                             out, "--quiet", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpuint (count_lines (records), ==, 14);
  /* and the job let the folder go when it was done */
  lock = ftc_dir_lock_acquire (out, "experiment", &error);
  g_assert_no_error (error);
  ftc_dir_lock_release (lock);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/teach-cli/kill-resume", test_kill_resume);
  g_test_add_func ("/teach-cli/sigint", test_sigint);
  g_test_add_func ("/teach-cli/budget-prices", test_budget_prices);
  g_test_add_func ("/teach-cli/locked-folder", test_locked_folder);
  return g_test_run ();
}
