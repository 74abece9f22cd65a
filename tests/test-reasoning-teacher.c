/* test-reasoning-teacher: a reasoning model as the teacher (prompt style "boxed"): the fake server answers
 * like one (thinking in reasoning_content, reasoning or <think> tags, streamed or not, cut at
 * max_completion_tokens); every trace is kept with its answer, the boxed answers are scored, reasoning
 * tokens counted; `ftcot teach` killed with SIGKILL resumes without asking twice; a token budget stops it
 * and a larger one continues; the settings refuse a timeout that cannot fit a long answer. */
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <json-glib/json-glib.h>

#include "core/ftc-error.h"
#include "core/teach/ftc-teach-options.h"
#include "tests/ftc-fake-openai.h"
#include "tests/ftc-test-util.h"

#define N_QUESTIONS 24
#define IN_FLIGHT 3

/* A math task of N_QUESTIONS as a user's JSONL import; the fake knows each gold answer. */
static char *
write_task (FtcFakeOpenai *fake)
{
  static const char *const golds[] = { "\\\\frac{1}{2}", "(1, 2]", "3\\\\sqrt{2}", "x^2+1", "42", "-7" };
  g_autoptr (GString) s = g_string_new (NULL);

  for (int i = 0; i < N_QUESTIONS; i++)
    {
      g_autofree char *question = g_strdup_printf ("Problem %d: compute the quantity asked for in case %d.", i, i);
      const char *gold = golds[i % G_N_ELEMENTS (golds)];
      g_autofree char *plain = g_strcompress (gold);

      g_string_append_printf (s, "{\"id\": \"p%d\", \"question\": \"%s\", \"answer\": \"%s\", \"answer_type\": "
                              "\"math\", \"split\": \"train\"}\n", i, question, gold);
      ftc_fake_openai_set_boxed_answer (fake, question, plain);
    }
  return ftc_test_write_tmp ("problems.jsonl", s->str, s->len);
}

static GPtrArray *
read_records (const char *path, gboolean complete_lines_only)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  char *last;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return records;
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

/* Every record exactly once, with its trace and its answer, scored: sample k % 4 == 3 says 999. */
static void
check_records (GPtrArray *records, guint expect, gboolean tags)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_assert_cmpuint (records->len, ==, expect);
  for (guint i = 0; i < records->len; i++)
    {
      JsonObject *r = records->pdata[i];
      gint64 k = json_object_get_int_member (r, "completion_index");
      g_autofree char *id = g_strdup_printf ("%s#%" G_GINT64_FORMAT, json_object_get_string_member (r, "sample_id"), k);
      const char *trace = json_object_get_string_member (r, "rationale");
      const char *answer = json_object_get_string_member (r, "completion");
      JsonObject *usage = json_object_get_object_member (r, "usage");

      g_assert_false (g_hash_table_contains (seen, id));
      g_hash_table_add (seen, g_steal_pointer (&id));
      /* the thinking as the rationale, the written answer apart from it */
      g_assert_true (g_str_has_prefix (trace, "Okay, let me work through this problem carefully."));
      g_assert_null (strstr (trace, "<think>"));
      g_assert_null (strstr (trace, "\\boxed"));
      g_assert_true (g_str_has_prefix (answer, "We worked it out above."));
      g_assert_nonnull (strstr (answer, "\\boxed{"));
      g_assert_null (strstr (answer, "think>"));
      g_assert_true (g_str_has_suffix (json_object_get_string_member (r, "reasoning_prompt"),
                                       "\nPlease reason step by step, and put your final answer within \\boxed{}."));
      g_assert_false (json_object_has_member (r, "answer_text"));
      g_assert_cmpstr (json_object_get_string_member (r, "finish_reason"), ==, "stop");
      g_assert_cmpint (json_object_get_boolean_member (r, "correct"), ==, k % 4 != 3);
      if (k % 4 == 3)
        g_assert_cmpstr (json_object_get_string_member (r, "prediction"), ==, "999");
      g_assert_cmpint (json_object_get_int_member (usage, "completion_tokens"), >, 100);
      if (tags)
        g_assert_false (json_object_has_member (usage, "reasoning_tokens"));
      else
        {
          g_assert_cmpint (json_object_get_int_member (usage, "reasoning_tokens"), >, 100);
          g_assert_cmpint (json_object_get_int_member (usage, "reasoning_tokens"), <,
                           json_object_get_int_member (usage, "completion_tokens"));
        }
    }
}

static void
settings_boxed (FtcTeacherSettings *t, FtcFakeOpenai *fake, guint samples)
{
  t->kind = FTC_TEACHER_OPENAI;
  t->endpoint = g_strdup (ftc_fake_openai_url (fake));
  t->model = g_strdup ("deepseek-reasoner");
  t->api = g_strdup ("chat");
  g_free (t->prompt_style);
  t->prompt_style = g_strdup ("boxed");
  t->max_completion_tokens = 4096;
  t->timeout_s = 60;
  t->samples = (int) samples;
  t->temperature = 0.6;
  t->in_flight = IN_FLIGHT;
}

/* Every way a server hands over the thinking, streamed or not. */
static void
test_modes (void)
{
  static const FtcFakeThinking modes[] = { FTC_FAKE_THINK_REASONING_CONTENT, FTC_FAKE_THINK_REASONING,
                                           FTC_FAKE_THINK_TAGS };

  for (gsize m = 0; m < G_N_ELEMENTS (modes); m++)
    for (int stream = 0; stream < 2; stream++)
      {
        g_autoptr (GError) error = NULL;
        g_autoptr (FtcFakeOpenai) fake = ftc_fake_openai_new (&error);
        g_autofree char *task = write_task (fake);
        g_autofree char *out = ftc_test_tmpdir ();
        g_autofree char *records_path = g_build_filename (out, "teacher", "problems.train.jsonl", NULL);
        g_auto (FtcTeachOptions) o = { 0 };
        g_autoptr (FtcTeachJob) job = NULL;
        g_autoptr (GPtrArray) records = NULL;
        FtcTeachUsage usage;

        ftc_fake_openai_set_thinking (fake, modes[m]);
        ftc_teach_options_init (&o);
        settings_boxed (&o.teacher, fake, 4);
        o.teacher.stream = stream;
        o.task = task;
        o.limit = 6;
        o.out_dir = out;
        job = ftc_teach_job_new_from_options (&o, &error);
        g_assert_no_error (error);
        g_assert_true (ftc_teach_job_run (job, NULL, &error));
        g_assert_no_error (error);
        records = read_records (records_path, FALSE);
        check_records (records, 6 * 4, modes[m] == FTC_FAKE_THINK_TAGS);
        /* n = 4 in one request per question, the limit sent as max_completion_tokens */
        g_assert_cmpuint (ftc_fake_openai_requests (fake), ==, 6);
        g_assert_cmpint (ftc_fake_openai_last_max_completion_tokens (fake), ==, 4096);
        g_assert_cmpuint (ftc_fake_openai_streamed (fake), ==, stream ? 6 : 0);
        ftc_teach_job_get_usage (job, &usage);
        if (modes[m] == FTC_FAKE_THINK_TAGS)
          g_assert_cmpuint (usage.reasoning_tokens, ==, 0);
        else
          g_assert_cmpuint (usage.reasoning_tokens, >, 24 * 100);
      }
}

/* A limit below the thinking: no answer, finish reason "length", scored wrong, kept as such. */
static void
test_cut_thinking (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcFakeOpenai) fake = ftc_fake_openai_new (&error);
  g_autofree char *task = write_task (fake);
  g_autofree char *out = ftc_test_tmpdir ();
  g_autofree char *records_path = g_build_filename (out, "teacher", "problems.train.jsonl", NULL);
  g_auto (FtcTeachOptions) o = { 0 };
  g_autoptr (FtcTeachJob) job = NULL;
  g_autoptr (GPtrArray) records = NULL;

  ftc_teach_options_init (&o);
  settings_boxed (&o.teacher, fake, 1);
  o.teacher.temperature = 0;
  o.teacher.max_completion_tokens = 40;
  o.task = task;
  o.limit = 2;
  o.out_dir = out;
  job = ftc_teach_job_new_from_options (&o, &error);
  g_assert_no_error (error);
  g_assert_true (ftc_teach_job_run (job, NULL, &error));
  records = read_records (records_path, FALSE);
  g_assert_cmpuint (records->len, ==, 2);
  for (guint i = 0; i < records->len; i++)
    {
      JsonObject *r = records->pdata[i];
      g_assert_cmpstr (json_object_get_string_member (r, "reasoning_finish_reason"), ==, "length");
      g_assert_cmpstr (json_object_get_string_member (r, "completion"), ==, "");
      g_assert_false (json_object_get_boolean_member (r, "correct"));
      g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (r, "usage"), "reasoning_tokens"),
                       ==, 40);
    }
}

/* A token budget stops before a request could pass it; a larger one continues, nothing asked twice. */
static void
test_budget (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcFakeOpenai) fake = ftc_fake_openai_new (&error);
  g_autofree char *task = write_task (fake);
  g_autofree char *out = ftc_test_tmpdir ();
  g_autofree char *records_path = g_build_filename (out, "teacher", "problems.train.jsonl", NULL);
  g_autoptr (GPtrArray) records = NULL;
  guint first_requests;

  for (int round = 0; round < 2; round++)
    {
      g_auto (FtcTeachOptions) o = { 0 };
      g_autoptr (FtcTeachJob) job = NULL;
      gboolean ok;

      ftc_teach_options_init (&o);
      settings_boxed (&o.teacher, fake, 2);
      o.teacher.in_flight = 1;
      /* each question reserves its prompt and 2 x 4096 completion tokens: three fit in 30000 */
      o.teacher.budget_tokens = round == 0 ? 30000 : 10000000;
      o.task = task;
      o.out_dir = out;
      job = ftc_teach_job_new_from_options (&o, &error);
      g_assert_no_error (error);
      ok = ftc_teach_job_run (job, NULL, &error);
      if (round == 0)
        {
          g_assert_false (ok);
          g_assert_error (error, FTC_ERROR, FTC_ERROR_BUDGET);
          g_assert_nonnull (strstr (error->message, "budget of 30000 tokens reached"));
          g_clear_error (&error);
          records = read_records (records_path, FALSE);
          g_assert_cmpuint (records->len, >, 0);
          g_assert_cmpuint (records->len, <, N_QUESTIONS * 2);
          g_clear_pointer (&records, g_ptr_array_unref);
          first_requests = ftc_fake_openai_requests (fake);
        }
      else
        {
          g_assert_true (ok);
          g_assert_no_error (error);
        }
    }
  records = read_records (records_path, FALSE);
  check_records (records, N_QUESTIONS * 2, FALSE);
  /* one request per question over both runs */
  g_assert_cmpuint (ftc_fake_openai_requests (fake), ==, N_QUESTIONS);
  g_assert_cmpuint (first_requests, <, N_QUESTIONS);
}

static void
test_settings (void)
{
  static const struct {
    const char *style;
    int max_completion, stream;
    double timeout;
    const char *message;   /* NULL: valid */
  } cases[] = {
    { "boxed", 0, FALSE, 120, "set max_completion_tokens" },
    { "boxed", 32768, FALSE, 120, "timeout_s 120 cannot fit 32768 completion tokens without streaming" },
    { "boxed", 32768, TRUE, 120, NULL },
    { "boxed", 32768, FALSE, 400, NULL },
    { "sideways", 100, FALSE, 120, "prompt_style must be zero_shot_cot or boxed" },
    { "zero_shot_cot", 0, FALSE, 120, NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      FtcTeacherSettings t;
      g_autoptr (GError) error = NULL;
      gboolean ok;

      ftc_teacher_settings_init (&t);
      t.kind = FTC_TEACHER_OPENAI;
      t.model = g_strdup ("deepseek-reasoner");
      g_free (t.prompt_style);
      t.prompt_style = g_strdup (cases[i].style);
      t.max_completion_tokens = cases[i].max_completion;
      t.stream = cases[i].stream;
      t.timeout_s = cases[i].timeout;
      ok = ftc_teacher_settings_check (&t, "teacher", &error);
      if (cases[i].message == NULL)
        g_assert_no_error (error);
      else if (ok || strstr (error->message, cases[i].message) == NULL)
        g_error ("case %" G_GSIZE_FORMAT ": %s", i, ok ? "accepted" : error->message);
      ftc_teacher_settings_clear (&t);
    }
  /* a boxed prompt goes to a model over an API */
  {
    FtcTeacherSettings t;
    g_autoptr (GError) error = NULL;
    ftc_teacher_settings_init (&t);
    g_free (t.prompt_style);
    t.prompt_style = g_strdup ("boxed");
    t.max_completion_tokens = 100;
    g_assert_false (ftc_teacher_settings_check (&t, "teacher", &error));
    g_assert_nonnull (strstr (error->message, "needs the openai teacher"));
    ftc_teacher_settings_clear (&t);
  }
}

/* ---- `ftcot teach` killed and resumed ---- */

static GPid
spawn_teach (FtcFakeOpenai *fake, const char *task, const char *out)
{
  g_autofree char *ftcot = g_test_build_filename (G_TEST_BUILT, "..", "app", "ftcot", NULL);
  const char *argv[] = {
    ftcot, "teach", "--task", task, "--split", "train", "--teacher", ftc_fake_openai_url (fake),
    "--model", "deepseek-reasoner", "--api", "chat", "--prompt-style", "boxed", "--max-completion-tokens", "32768",
    "--stream", "--samples", "4", "--temperature", "0.6", "--out", out, "--quiet",
    "--max-requests-in-flight", G_STRINGIFY (IN_FLIGHT), NULL
  };
  g_autoptr (GError) error = NULL;
  GPid pid;

  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, &error));
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

static void
test_cli_kill_resume (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcFakeOpenai) fake = ftc_fake_openai_new (&error);
  g_autofree char *task = write_task (fake);
  g_autofree char *out = ftc_test_tmpdir ();
  g_autofree char *records_path = g_build_filename (out, "teacher", "problems.train.jsonl", NULL);
  g_autofree char *summary_path = g_build_filename (out, "teacher", "problems.train.summary.json", NULL);
  g_autoptr (GPtrArray) before = NULL;
  g_autoptr (GPtrArray) after = NULL;
  g_autoptr (GHashTable) counts = NULL;
  g_autofree char *score = NULL, *err = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *scored;
  GHashTableIter iter;
  gpointer k, v;
  guint resent = 0;
  GPid pid;
  int status;

  ftc_fake_openai_set_delay_ms (fake, 40);
  pid = spawn_teach (fake, task, out);
  for (int i = 0; i < 3000; i++)
    {
      g_autoptr (GPtrArray) now = read_records (records_path, TRUE);
      if (now->len >= 24)
        break;
      g_usleep (10000);
    }
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  status = wait_exit (pid);
  g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);
  before = read_records (records_path, TRUE);
  g_assert_cmpuint (before->len, >=, 24);
  g_assert_cmpuint (before->len, <, N_QUESTIONS * 4);

  pid = spawn_teach (fake, task, out);
  status = wait_exit (pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  after = read_records (records_path, FALSE);
  check_records (after, N_QUESTIONS * 4, FALSE);
  for (guint i = 0; i < before->len; i++)
    g_assert_cmpstr (json_object_get_string_member (before->pdata[i], "key"), ==,
                     json_object_get_string_member (after->pdata[i], "key"));
  /* only what was in flight when it died may have been asked twice */
  counts = ftc_fake_openai_answer_counts (fake);
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &k, &v))
    resent += GPOINTER_TO_UINT (v) - 1;
  g_assert_cmpuint (resent, <=, IN_FLIGHT);
  g_assert_cmpuint (ftc_fake_openai_streamed (fake), ==, ftc_fake_openai_requests (fake));
  {
    g_autofree char *summary = NULL;
    g_assert_true (g_file_get_contents (summary_path, &summary, NULL, NULL));
    g_assert_nonnull (strstr (summary, "\"status\": \"done\""));
    g_assert_nonnull (strstr (summary, "\"reasoning_tokens\""));
  }

  /* the 4 samples per question scored as a sampled evaluation: 3 of 4 right everywhere */
  {
    const char *args[] = { "score", "--answer-type", "math", "--json", records_path, NULL };
    g_autoptr (GPtrArray) argv = g_ptr_array_new ();
    g_autofree char *ftcot = g_test_build_filename (G_TEST_BUILT, "..", "app", "ftcot", NULL);
    int wait_status = 0;
    g_ptr_array_add (argv, ftcot);
    for (gsize i = 0; args[i] != NULL; i++)
      g_ptr_array_add (argv, (char *) args[i]);
    g_ptr_array_add (argv, NULL);
    g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &score, &err,
                                 &wait_status, &error));
    g_assert_no_error (error);
  }
  g_assert_true (json_parser_load_from_data (parser, score, -1, &error));
  scored = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (scored, "k"), ==, 4);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (scored, "avg_at_k"), 75.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (scored, "pass_at_k"), 100.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (scored, "maj_at_k"), 100.0, 1e-9);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/reasoning-teacher/modes", test_modes);
  g_test_add_func ("/reasoning-teacher/cut-thinking", test_cut_thinking);
  g_test_add_func ("/reasoning-teacher/budget", test_budget);
  g_test_add_func ("/reasoning-teacher/settings", test_settings);
  g_test_add_func ("/reasoning-teacher/cli-kill-resume", test_cli_kill_resume);
  return g_test_run ();
}
