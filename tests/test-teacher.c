/* Teachers end to end: the OpenAI-compatible teacher over a whole dataset against the fake server with
 * faults, resume after a budget stop and a cancel without a request sent twice, the cache, chat and n,
 * the job object's progress, and the replay importer on the shared teacher files. */
#include <math.h>
#include <string.h>

#include "core/teach/ftc-completion-store.h"
#include "core/tasks/ftc-dataset.h"
#include "core/ftc-error.h"
#include "core/teach/ftc-teach-job.h"
#include "core/teach/ftc-teach-options.h"
#include "core/teach/ftc-teacher-openai.h"
#include "core/tasks/ftc-synthetic.h"
#include "core/teach/ftc-teacher-replay.h"
#include "core/teach/ftc-teacher-scripted.h"
#include "tests/ftc-fake-openai.h"
#include "tests/ftc-test-util.h"

static FtcTask *
load_dataset (const char *key)
{
  g_autofree char *dir = ftc_test_shared_path ("datasets", key, NULL);
  g_autoptr (GError) error = NULL;
  FtcTask *task;

  if (dir == NULL)
    return NULL;
  task = ftc_dataset_load (key, dir, FTC_SPLIT_DEFAULT, &error);
  g_assert_no_error (error);
  return task;
}

static FtcFakeOpenai *
fake_for (const char *key)
{
  g_autofree char *file = g_strconcat (key, ".jsonl", NULL);
  g_autofree char *path = ftc_test_shared_path ("teacher", "text-davinci-002", file, NULL);
  g_autoptr (GError) error = NULL;
  FtcFakeOpenai *fake = ftc_fake_openai_new (&error);

  g_assert_no_error (error);
  g_assert_true (ftc_fake_openai_load_replay (fake, path, &error));
  g_assert_no_error (error);
  ftc_fake_openai_set_retry_after (fake, 0);
  return fake;
}

static GArray *
positions_all (FtcTask *task, guint limit)
{
  GArray *a = g_array_new (FALSE, FALSE, sizeof (int));
  for (guint i = 0; i < task->samples->len && i < limit; i++)
    {
      int v = i;
      g_array_append_val (a, v);
    }
  return a;
}

static FtcTeacher *
openai_teacher (FtcFakeOpenai *fake, FtcCompletionStore *store, FtcOpenaiApi api, double budget,
                FtcPriceTable *prices)
{
  FtcTeacherOpenaiConfig config;
  g_autoptr (GError) error = NULL;
  FtcTeacher *teacher;

  ftc_teacher_openai_config_init (&config);
  config.client.base_url = g_strdup (ftc_fake_openai_url (fake));
  config.client.api_key = g_strdup ("sk-test-key-for-the-fake-server");
  config.client.backoff_initial_s = 0.01;
  config.client.backoff_max_s = 0.05;
  config.client.max_attempts = 10;
  config.client.timeout_s = 5;
  config.model = g_strdup ("text-davinci-002");
  config.api = api;
  config.store = store;
  config.budget_usd = budget;
  config.prices = prices;
  teacher = ftc_teacher_openai_new (&config, &error);
  g_assert_no_error (error);
  ftc_teacher_openai_config_clear (&config);
  return teacher;
}

/* Opens the request cache and a job on out_dir for the first limit samples of task (a copy is made). */
static FtcTeachJob *
make_job (const char *key, FtcFakeOpenai *fake, const char *out_dir, guint limit, guint samples, FtcOpenaiApi api,
          double budget, FtcPriceTable *prices, GError **error)
{
  FtcTask *task = load_dataset (key);
  g_autofree char *cache_path = ftc_teach_job_path (out_dir, key, "all", ".requests.jsonl");
  FtcCompletionStore *store = ftc_completion_store_open (cache_path, error);
  FtcTeachPlan plan;
  FtcTeachJob *job;

  g_assert_nonnull (store);
  ftc_teach_plan_init (&plan);
  plan.positions = positions_all (task, limit);
  plan.samples = samples;
  plan.temperature = samples > 1 ? 0.7 : 0;
  job = ftc_teach_job_new (openai_teacher (fake, store, api, budget, prices), task, "all", &plan, out_dir, error);
  if (job != NULL)
    ftc_teach_job_set_request_store (job, store);
  else
    ftc_completion_store_free (store);
  return job;
}

/* Every (sample, completion) of the file exactly once. */
static GPtrArray *
read_records (const char *path, guint expect)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      JsonObject *o;
      g_autofree char *id = NULL;

      if (*lines[i] == '\0')
        continue;
      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, NULL));
      o = json_node_get_object (json_parser_get_root (parser));
      id = g_strdup_printf ("%s#%" G_GINT64_FORMAT, json_object_get_string_member (o, "sample_id"),
                            json_object_get_int_member (o, "completion_index"));
      g_assert_false (g_hash_table_contains (seen, id));
      g_hash_table_add (seen, g_steal_pointer (&id));
      g_ptr_array_add (records, json_object_ref (o));
    }
  g_assert_cmpuint (records->len, ==, expect);
  return records;
}

static double
accuracy (GPtrArray *records)
{
  guint correct = 0;
  for (guint i = 0; i < records->len; i++)
    correct += json_object_get_boolean_member (records->pdata[i], "correct");
  return (double) correct / records->len;
}

/* The whole of MultiArith through the teacher, 10% of requests failing in every way the fake knows:
 * every record exactly once, each rationale the recorded one, and the teacher accuracy of the paper. */
static void
test_full_run (void)
{
  g_autofree char *out = ftc_test_tmpdir ();
  g_autoptr (FtcFakeOpenai) fake = NULL;
  g_autoptr (FtcTeachJob) job = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) records = NULL;
  g_autoptr (GHashTable) counts = NULL;
  FtcTeachUsage usage;
  GHashTableIter iter;
  gpointer k, v;

  if (ftc_test_shared_dir () == NULL)
    return;
  fake = fake_for ("multiarith");
  ftc_fake_openai_set_fault_rate (fake, 0.1, 7);
  job = make_job ("multiarith", fake, out, G_MAXUINT, 1, FTC_OPENAI_COMPLETIONS, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ftc_teach_job_get_total (job), ==, 600);
  g_assert_true (ftc_teach_job_run (job, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ftc_teach_job_get_done (job), ==, 600);
  records = read_records (ftc_teach_job_get_records_path (job), 600);
  /* every step-2 prompt had Kojima's form, and each prompt was answered once */
  g_assert_cmpuint (ftc_fake_openai_malformed_step2 (fake), ==, 0);
  counts = ftc_fake_openai_answer_counts (fake);
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &k, &v))
    g_assert_cmpuint (GPOINTER_TO_UINT (v), ==, 1);
  /* MultiArith repeats some questions: those were asked once and answered from the cache */
  g_assert_cmpuint (ftc_fake_openai_answered (fake), ==, g_hash_table_size (counts));
  g_assert_cmpuint (ftc_fake_openai_answered (fake), >=, 1100);
  g_assert_cmpuint (ftc_fake_openai_answered (fake), <=, 1200);
  g_assert_cmpuint (ftc_fake_openai_requests (fake), >, ftc_fake_openai_answered (fake));   /* faults retried */
  ftc_teach_job_get_usage (job, &usage);
  g_assert_cmpuint (usage.requests, ==, ftc_fake_openai_requests (fake));
  g_assert_cmpuint (usage.cached, ==, 1200 - ftc_fake_openai_answered (fake));
  /* text-davinci-002 on MultiArith: 78.67% (472 of 600) per the shared file; duplicate questions may swap
   * which copy gets which record, which cannot change the count by more than a couple */
  g_test_message ("teacher accuracy over the full run: %.4f", accuracy (records));
  g_assert_cmpfloat (fabs (accuracy (records) - 0.7867), <, 0.01);
  for (guint i = 0; i < records->len; i++)
    {
      JsonObject *r = records->pdata[i];
      g_assert_true (g_str_has_prefix (json_object_get_string_member (r, "reasoning_prompt"), "Q: "));
      g_assert_true (g_str_has_suffix (json_object_get_string_member (r, "answer_prompt"),
                                       " \nTherefore, the answer (arabic numerals) is"));
      g_assert_cmpstr (json_object_get_string_member (r, "model"), ==, "text-davinci-002");
    }

  g_clear_object (&job);
  /* again: everything is there, nothing is sent */
  {
    guint before = ftc_fake_openai_requests (fake);
    g_autoptr (FtcTeachJob) again = make_job ("multiarith", fake, out, G_MAXUINT, 1, FTC_OPENAI_COMPLETIONS, 0,
                                              NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (ftc_teach_job_get_done (again), ==, 600);
    g_assert_true (ftc_teach_job_run (again, NULL, &error));
    g_assert_cmpuint (ftc_fake_openai_requests (fake), ==, before);
  }
  /* a new output folder with the same answer cache: records rebuilt from the cache, no request */
  {
    g_autofree char *out2 = ftc_test_tmpdir ();
    g_autofree char *from = ftc_teach_job_path (out, "multiarith", "all", ".requests.jsonl");
    g_autofree char *to = ftc_teach_job_path (out2, "multiarith", "all", ".requests.jsonl");
    g_autofree char *contents = NULL;
    g_autofree char *dir = g_path_get_dirname (to);
    guint before = ftc_fake_openai_requests (fake);
    g_autoptr (FtcTeachJob) rebuilt = NULL;
    g_autoptr (GPtrArray) again = NULL;

    g_assert_true (g_file_get_contents (from, &contents, NULL, NULL));
    g_mkdir_with_parents (dir, 0755);
    g_assert_true (g_file_set_contents (to, contents, -1, NULL));
    rebuilt = make_job ("multiarith", fake, out2, G_MAXUINT, 1, FTC_OPENAI_COMPLETIONS, 0, NULL, &error);
    g_assert_true (ftc_teach_job_run (rebuilt, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (ftc_fake_openai_requests (fake), ==, before);
    ftc_teach_job_get_usage (rebuilt, &usage);
    g_assert_cmpuint (usage.cached, ==, 1200);
    again = read_records (ftc_teach_job_get_records_path (rebuilt), 600);
    g_assert_cmpfloat (accuracy (again), ==, accuracy (records));
  }
}

/* A budget stop, then a larger budget: the second run sends only what the first did not finish. */
static void
test_budget_resume (void)
{
  g_autofree char *out = ftc_test_tmpdir ();
  g_autoptr (FtcFakeOpenai) fake = NULL;
  g_autoptr (FtcPriceTable) prices = ftc_price_table_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) counts = NULL;
  FtcPrice price = { 1000.0, 1000.0 };   /* $0.001 a token: a question costs about $0.2 at most */
  FtcTeachUsage usage;
  guint done_first;
  GHashTableIter iter;
  gpointer k, v;

  if (ftc_test_shared_dir () == NULL)
    return;
  fake = fake_for ("single_eq");
  ftc_price_table_set (prices, "text-davinci-002", &price);
  {
    g_autoptr (FtcTeachJob) job = make_job ("single_eq", fake, out, 60, 1, FTC_OPENAI_COMPLETIONS, 2.0, prices,
                                            &error);
    g_assert_no_error (error);
    g_assert_false (ftc_teach_job_run (job, NULL, &error));
    g_assert_error (error, FTC_ERROR, FTC_ERROR_BUDGET);
    g_clear_error (&error);
    ftc_teach_job_get_usage (job, &usage);
    /* never over the cap */
    g_assert_cmpfloat (usage.cost_usd, <=, 2.0);
    g_assert_cmpfloat (usage.cost_usd, >, 0.5);
    done_first = ftc_teach_job_get_done (job);
    g_assert_cmpuint (done_first, >, 0);
    g_assert_cmpuint (done_first, <, 60);
  }
  {
    g_autoptr (FtcTeachJob) job = make_job ("single_eq", fake, out, 60, 1, FTC_OPENAI_COMPLETIONS, 100.0, prices,
                                            &error);
    FtcTeachEstimate est;

    g_assert_cmpuint (ftc_teach_job_get_done (job), ==, done_first);
    ftc_teach_job_estimate (job, &est);
    /* what is left: two requests per missing record at most (some rationales may be cached already) */
    g_assert_cmpuint (est.requests, <=, 2 * (60 - done_first));
    g_assert_cmpuint (est.requests, >=, 60 - done_first);
    g_assert_true (ftc_teach_job_run (job, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (ftc_teach_job_get_done (job), ==, 60);
    g_ptr_array_unref (read_records (ftc_teach_job_get_records_path (job), 60));
  }
  counts = ftc_fake_openai_answer_counts (fake);
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &k, &v))
    g_assert_cmpuint (GPOINTER_TO_UINT (v), ==, 1);
  g_assert_cmpuint (ftc_fake_openai_answered (fake), ==, 120);
}

static GThread *main_thread;

static void
on_done_notify (GObject *job, GParamSpec *pspec, gpointer user_data)
{
  guint *notifications = user_data;
  /* progress reaches the thread that started the job, never the worker's */
  g_assert_true (g_thread_self () == main_thread);
  (*notifications)++;
}

static void
on_job_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GError **error = user_data;
  ftc_teach_job_run_finish (FTC_TEACH_JOB (source), result, error);
  *(gboolean *) g_object_get_data (source, "finished") = TRUE;
}

static gboolean
cancel_when (gpointer data)
{
  FtcTeachJob *job = data;
  if (ftc_teach_job_get_done (job) >= 20)
    {
      g_cancellable_cancel (g_object_get_data (G_OBJECT (job), "cancellable"));
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* The async job on a worker thread: progress arrives in the main context; a cancel midway loses and
 * duplicates nothing, and the resumed run sends no finished request again. */
static void
test_async_cancel_resume (void)
{
  g_autofree char *out = ftc_test_tmpdir ();
  g_autoptr (FtcFakeOpenai) fake = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) after_cancel = NULL;
  g_autoptr (GHashTable) at_end = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  guint notifications = 0;
  gboolean finished = FALSE;
  guint done_first;
  GHashTableIter iter;
  gpointer k, v;

  if (ftc_test_shared_dir () == NULL)
    return;
  fake = fake_for ("coin_flip");
  {
    g_autoptr (FtcTeachJob) job = make_job ("coin_flip", fake, out, 120, 2, FTC_OPENAI_CHAT, 0, NULL, &error);
    g_assert_no_error (error);
    g_object_set_data (G_OBJECT (job), "finished", &finished);
    g_object_set_data (G_OBJECT (job), "cancellable", cancellable);
    main_thread = g_thread_self ();
    g_signal_connect (job, "notify::done", G_CALLBACK (on_done_notify), &notifications);
    ftc_teach_job_run_async (job, cancellable, on_job_done, &error);
    g_timeout_add (5, cancel_when, job);
    while (!finished)
      g_main_context_iteration (NULL, TRUE);
    g_assert_error (error, FTC_ERROR, FTC_ERROR_CANCELLED);
    g_clear_error (&error);
    done_first = ftc_teach_job_get_done (job);
    g_assert_cmpuint (done_first, >=, 20);
    g_assert_cmpuint (done_first, <, 240);
    g_assert_cmpuint (notifications, >, 0);
    g_ptr_array_unref (read_records (ftc_teach_job_get_records_path (job), done_first));
  }
  after_cancel = ftc_fake_openai_answer_counts (fake);
  {
    g_autoptr (FtcTeachJob) job = make_job ("coin_flip", fake, out, 120, 2, FTC_OPENAI_CHAT, 0, NULL, &error);
    g_assert_cmpuint (ftc_teach_job_get_done (job), ==, done_first);
    g_assert_true (ftc_teach_job_run (job, NULL, &error));
    g_assert_no_error (error);
    g_ptr_array_unref (read_records (ftc_teach_job_get_records_path (job), 240));
  }
  /* only requests in flight at the cancel (at most 8) may have been answered twice: their answers never
   * reached the cache. Every finished one was taken from the cache. */
  at_end = ftc_fake_openai_answer_counts (fake);
  {
    guint resent = 0;
    g_hash_table_iter_init (&iter, at_end);
    while (g_hash_table_iter_next (&iter, &k, &v))
      {
        g_assert_cmpuint (GPOINTER_TO_UINT (v), <=, 2);
        resent += GPOINTER_TO_UINT (v) - 1;
      }
    g_test_message ("requests answered twice across the cancel: %u", resent);
    g_assert_cmpuint (resent, <=, 8);
  }
  /* 120 step-1 prompts (n = 2 each) and 240 step-2 prompts */
  g_assert_cmpuint (g_hash_table_size (at_end), ==, 360);
  (void) after_cancel;
}

/* n: one step-1 request gives all D rationales; a server that ignores n gets D requests. */
static void
test_samples_n (void)
{
  g_autofree char *out = ftc_test_tmpdir ();
  g_autofree char *out2 = ftc_test_tmpdir ();
  g_autoptr (FtcFakeOpenai) fake = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) records = NULL;

  if (ftc_test_shared_dir () == NULL)
    return;
  fake = fake_for ("gsm8k");
  {
    g_autoptr (FtcTeachJob) job = make_job ("gsm8k", fake, out, 10, 4, FTC_OPENAI_COMPLETIONS, 0, NULL, &error);
    FtcTeachEstimate est;

    /* 10 step-1 requests (n = 4) and 40 step-2 requests; completions at their limits of 128 and 32 tokens;
     * text-davinci-002 is priced at $20 per million tokens */
    ftc_teach_job_estimate (job, &est);
    g_assert_cmpuint (est.requests, ==, 50);
    g_assert_cmpuint (est.completion_tokens, ==, 10 * 4 * 128 + 40 * 32);
    g_assert_cmpuint (est.prompt_tokens, >, 40 * 128);
    g_assert_cmpfloat_with_epsilon (est.cost_usd, (est.prompt_tokens + est.completion_tokens) * 20e-6, 1e-9);
    g_assert_true (ftc_teach_job_run (job, NULL, &error));
    g_assert_no_error (error);
    /* 10 step-1 requests with n = 4, then 40 step-2 requests */
    g_assert_cmpuint (ftc_fake_openai_requests (fake), ==, 50);
    records = read_records (ftc_teach_job_get_records_path (job), 40);
    /* the fake server marks samples 1..3 apart: each completion index got its own rationale */
    for (guint i = 0; i < records->len; i++)
      {
        JsonObject *r = records->pdata[i];
        gint64 ci = json_object_get_int_member (r, "completion_index");
        g_autofree char *mark = g_strdup_printf (" (sample %" G_GINT64_FORMAT ")", ci);
        g_assert_cmpint (g_str_has_suffix (json_object_get_string_member (r, "rationale"), mark), ==, ci > 0);
        g_assert_cmpfloat (json_object_get_double_member (json_object_get_object_member (r, "params"),
                                                          "temperature"), ==, 0.7);
      }
  }
  ftc_fake_openai_set_n_supported (fake, FALSE);
  {
    guint before = ftc_fake_openai_requests (fake);
    g_autoptr (FtcTeachJob) job = make_job ("gsm8k", fake, out2, 10, 4, FTC_OPENAI_COMPLETIONS, 0, NULL, &error);
    g_assert_true (ftc_teach_job_run (job, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (ftc_fake_openai_requests (fake) - before, ==, 80);
    g_ptr_array_unref (read_records (ftc_teach_job_get_records_path (job), 40));
  }
}

/* A failure the client gives up on stops the run with an error naming the request; what came before is
 * saved. */
static void
test_fatal_error (void)
{
  g_autofree char *out = ftc_test_tmpdir ();
  g_autoptr (FtcFakeOpenai) fake = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTeachJob) job = NULL;

  if (ftc_test_shared_dir () == NULL)
    return;
  fake = fake_for ("multiarith");
  job = make_job ("multiarith", fake, out, 30, 1, FTC_OPENAI_COMPLETIONS, 0, NULL, &error);
  ftc_fake_openai_push_fault (fake, FTC_FAKE_401, 1);
  g_assert_false (ftc_teach_job_run (job, NULL, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "HTTP 401"));
  g_assert_nonnull (strstr (error->message, "multiarith-"));
  g_assert_null (strstr (error->message, "sk-test-key-for-the-fake-server"));
  {
    /* the key is in no file of the output folder either */
    g_autofree char *dir = g_build_filename (out, "teacher", NULL);
    g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;
    while ((name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);
        g_autofree char *contents = NULL;
        g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
        g_assert_null (strstr (contents, "sk-test-key"));
      }
  }
}

/* A second job on the same folder with another teacher configuration is refused. */
static void
test_manifest_mismatch (void)
{
  g_autofree char *out = ftc_test_tmpdir ();
  g_autoptr (FtcFakeOpenai) fake = NULL;
  g_autoptr (GError) error = NULL;

  if (ftc_test_shared_dir () == NULL)
    return;
  fake = fake_for ("multiarith");
  {
    g_autoptr (FtcTeachJob) job = make_job ("multiarith", fake, out, 3, 1, FTC_OPENAI_COMPLETIONS, 0, NULL, &error);
    g_assert_true (ftc_teach_job_run (job, NULL, &error));
  }
  {
    g_autoptr (FtcTeachJob) job = make_job ("multiarith", fake, out, 3, 1, FTC_OPENAI_CHAT, 0, NULL, &error);
    g_assert_null (job);
    g_assert_error (error, FTC_ERROR, FTC_ERROR_MISMATCH);
    g_assert_nonnull (strstr (error->message, "teacher"));
  }
}

/* The replay importer maps (nearly) every record of each shared teacher file onto its dataset. */
static void
test_replay_coverage (void)
{
  static const char *const keys[] = {
    "aqua", "coin_flip", "commonsense_qa", "gsm8k", "last_letter_concatenation", "multiarith", "single_eq",
    "strategy_qa", "tracking_shuffled_objects",
  };

  if (ftc_test_shared_dir () == NULL)
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *file = g_strconcat (keys[i], ".jsonl", NULL);
      g_autofree char *path = ftc_test_shared_path ("teacher", "text-davinci-002", file, NULL);
      g_autoptr (FtcTask) task = load_dataset (keys[i]);
      g_autoptr (GError) error = NULL;
      g_autoptr (FtcTeacher) teacher = ftc_teacher_replay_new (path, "text-davinci-002", &error);
      g_autofree char *unmatched = NULL;
      FtcReplayMatch m;

      g_assert_no_error (error);
      ftc_teacher_replay_match (teacher, task, &m, &unmatched);
      g_test_message ("%s: %u of %u records matched (%u reordered choices, %u gold disagreements)%s%s",
                      keys[i], m.matched, m.records, m.reordered, m.gold_disagrees,
                      unmatched != NULL ? "; first unmatched: " : "", unmatched != NULL ? unmatched : "");
      g_assert_cmpuint (m.matched * 100, >=, m.records * 99);
      /* the dataset's gold agrees with the gold the log recorded */
      g_assert_cmpuint (m.gold_disagrees * 100, <=, m.matched);
    }
}

/* Replay as a teacher through a job: the train split of a task, each record once, and the teacher
 * accuracy the shared file states (within a point). */
static void
test_replay_job (void)
{
  g_autofree char *out = ftc_test_tmpdir ();
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTeachJob) job = NULL;
  g_autoptr (GPtrArray) records = NULL;
  FtcTask *task;
  FtcTeachPlan plan;

  if (ftc_test_shared_dir () == NULL)
    return;
  path = ftc_test_shared_path ("teacher", "text-davinci-002", "commonsense_qa.jsonl", NULL);
  task = load_dataset ("commonsense_qa");
  ftc_teach_plan_init (&plan);
  plan.positions = g_array_copy (task->test);   /* the log covers the dev set, which is the test split */
  job = ftc_teach_job_new (ftc_teacher_replay_new (path, "text-davinci-002", &error), task, "test", &plan, out,
                           &error);
  g_assert_no_error (error);
  g_assert_true (ftc_teach_job_run (job, NULL, &error));
  g_assert_no_error (error);
  records = read_records (ftc_teach_job_get_records_path (job), task->test->len);
  g_test_message ("commonsense_qa replay accuracy %.4f", accuracy (records));
  g_assert_cmpfloat (fabs (accuracy (records) - 0.6462), <, 0.01);
}

/* A recorded multiple-choice question that lists its choices in another order: matched, shown as the
 * teacher saw it, with the gold letter of that order; the sample (and so its split) is the dataset's. */
static void
test_replay_reordered (void)
{
  g_autoptr (FtcTask) task = ftc_task_new ("colors", "Colors", FTC_ANSWER_CHOICE);
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "rec.jsonl", NULL);
  g_autofree char *out = ftc_test_tmpdir ();
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTeacher) teacher = NULL;
  g_autoptr (GPtrArray) records = NULL;
  FtcReplayMatch m;
  const char *questions[] = {
    "What color is the sky? Answer Choices: (A) red (B) blue (C) green",
    "What color is grass? Answer Choices: (A) red (B) blue (C) green",
  };
  const char *golds[] = { "B", "C" };
  const char *recorded =
    "{\"question\": \"What  color is grass? Answer Choices: (A) green (B) red (C) blue\", \"rationale\": \" Grass "
    "is green, which is (A).\", \"answer_text\": \" A.\", \"gold\": \"A\"}\n"
    "{\"question\": \"what color is the sky? Answer Choices: (A) green. (B) red. (C) blue.\", \"rationale\": "
    "\" The sky is blue, so (C).\", \"answer_text\": \" C\"}\n";

  task->answer_trigger = g_strdup ("Therefore, among A through C, the answer is");
  task->n_choices = 3;
  for (guint i = 0; i < 2; i++)
    {
      FtcSample *s = ftc_sample_new ();
      int pos = i;
      s->id = g_strdup_printf ("colors-%u", i);
      s->index = i;
      s->question = g_strdup (questions[i]);
      s->answer = g_strdup (golds[i]);
      s->answer_type = FTC_ANSWER_CHOICE;
      g_ptr_array_add (task->samples, s);
      g_array_append_val (i == 0 ? task->train : task->test, pos);
    }
  g_assert_true (g_file_set_contents (path, recorded, -1, NULL));
  teacher = ftc_teacher_replay_new (path, "recorded", &error);
  g_assert_no_error (error);
  ftc_teacher_replay_match (teacher, task, &m, NULL);
  g_assert_cmpuint (m.matched, ==, 2);
  g_assert_cmpuint (m.reordered, ==, 2);
  g_assert_cmpuint (m.gold_disagrees, ==, 0);
  {
    FtcTeachPlan plan;
    g_autoptr (FtcTeachJob) job = NULL;
    FtcTask *copy = ftc_task_new ("colors", "Colors", FTC_ANSWER_CHOICE);

    copy->answer_trigger = g_strdup (task->answer_trigger);
    copy->n_choices = 3;
    for (guint i = 0; i < 2; i++)
      {
        FtcSample *s = ftc_sample_new ();
        FtcSample *o = task->samples->pdata[i];
        s->id = g_strdup (o->id);
        s->index = o->index;
        s->question = g_strdup (o->question);
        s->answer = g_strdup (o->answer);
        s->answer_type = o->answer_type;
        g_ptr_array_add (copy->samples, s);
      }
    ftc_teach_plan_init (&plan);
    plan.positions = g_array_new (FALSE, FALSE, sizeof (int));
    {
      int one = 1;   /* the test split: grass */
      g_array_append_val (plan.positions, one);
    }
    job = ftc_teach_job_new (g_steal_pointer (&teacher), copy, "test", &plan, out, &error);
    g_assert_no_error (error);
    g_assert_true (ftc_teach_job_run (job, NULL, &error));
    records = read_records (ftc_teach_job_get_records_path (job), 1);
  }
  {
    JsonObject *r = records->pdata[0];
    g_assert_cmpstr (json_object_get_string_member (r, "sample_id"), ==, "colors-1");
    g_assert_cmpstr (json_object_get_string_member (r, "question"), ==,
                     "What  color is grass? Answer Choices: (A) green (B) red (C) blue");
    g_assert_cmpstr (json_object_get_string_member (r, "gold"), ==, "A");
    g_assert_cmpstr (json_object_get_string_member (r, "prediction"), ==, "A");
    g_assert_true (json_object_get_boolean_member (r, "correct"));
  }
}

/* The reference code's completion JSON: several completions per sample, step 2 in "prompt"/"completion". */
static void
test_replay_reference_json (void)
{
  g_autofree char *out = ftc_test_tmpdir ();
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "D_multiarith.json", NULL);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTeachJob) job = NULL;
  g_autoptr (GPtrArray) records = NULL;
  FtcTask *task;
  FtcTeachPlan plan;
  const int picks[] = { 2, 7, 11 };

  if (ftc_test_shared_dir () == NULL)
    return;
  task = load_dataset ("multiarith");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "metadata");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "dataset_key");
  json_builder_add_string_value (b, "multiarith");
  json_builder_set_member_name (b, "base_model");
  json_builder_add_string_value (b, "text-davinci-002");
  json_builder_end_object (b);
  json_builder_set_member_name (b, "data");
  json_builder_begin_object (b);
  for (guint i = 0; i < G_N_ELEMENTS (picks); i++)
    {
      FtcSample *s = task->samples->pdata[picks[i]];
      g_autofree char *index = g_strdup_printf ("%d", s->index);
      json_builder_set_member_name (b, index);
      json_builder_begin_array (b);
      for (int k = 1; k >= 0; k--)   /* listed out of order: completion_index decides */
        {
          g_autofree char *rp = g_strdup_printf ("Q: %s\nA: Let's think step by step.", s->question);
          g_autofree char *rationale = g_strdup_printf (" Rationale %d of sample %d.", k, s->index);
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "sample_index");
          json_builder_add_int_value (b, s->index);
          json_builder_set_member_name (b, "completion_index");
          json_builder_add_int_value (b, k);
          json_builder_set_member_name (b, "question");
          json_builder_add_string_value (b, s->question);
          json_builder_set_member_name (b, "answer");
          json_builder_add_string_value (b, s->answer);
          json_builder_set_member_name (b, "reasoning_prompt");
          json_builder_add_string_value (b, rp);
          json_builder_set_member_name (b, "reasoning_completion");
          json_builder_add_string_value (b, rationale);
          json_builder_set_member_name (b, "reasoning_finish_reason");
          json_builder_add_string_value (b, "stop");
          json_builder_set_member_name (b, "prompt");
          json_builder_add_string_value (b, "(step 2 prompt)");
          json_builder_set_member_name (b, "completion");
          json_builder_add_string_value (b, k == 0 ? s->answer : "12345");
          json_builder_set_member_name (b, "finish_reason");
          json_builder_add_string_value (b, "length");
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);   /* the reference code writes it with indent=4 */
  g_assert_true (json_generator_to_file (gen, path, NULL));

  ftc_teach_plan_init (&plan);
  plan.samples = 2;
  plan.positions = g_array_new (FALSE, FALSE, sizeof (int));
  g_array_append_vals (plan.positions, picks, G_N_ELEMENTS (picks));
  job = ftc_teach_job_new (ftc_teacher_replay_new (path, "text-davinci-002", &error), task, "all", &plan, out, &error);
  g_assert_no_error (error);
  g_assert_true (ftc_teach_job_run (job, NULL, &error));
  g_assert_no_error (error);
  records = read_records (ftc_teach_job_get_records_path (job), 6);
  for (guint i = 0; i < records->len; i++)
    {
      JsonObject *r = records->pdata[i];
      gint64 k = json_object_get_int_member (r, "completion_index");
      gint64 index = json_object_get_int_member (r, "sample_index");
      g_autofree char *expect = g_strdup_printf (" Rationale %" G_GINT64_FORMAT " of sample %" G_GINT64_FORMAT ".", k,
                                                 index);
      g_assert_cmpstr (json_object_get_string_member (r, "rationale"), ==, expect);
      g_assert_cmpstr (json_object_get_string_member (r, "answer_prompt"), ==, "(step 2 prompt)");
      g_assert_cmpstr (json_object_get_string_member (r, "finish_reason"), ==, "length");
      g_assert_true (json_object_get_boolean_member (r, "correct") == (k == 0));
    }
}

static GPtrArray *
run_scripted_style (const char *key, guint n, double error_rate, guint samples, gboolean terse, const char *out)
{
  g_autoptr (GError) error = NULL;
  FtcTask *task = ftc_synthetic_generate (key, n, 11, 0, &error);
  g_autoptr (FtcTeachJob) job = NULL;
  FtcTeacher *teacher;
  FtcTeachPlan plan;

  g_assert_no_error (error);
  ftc_teach_plan_init (&plan);
  plan.positions = g_array_copy (task->train);
  plan.samples = samples;
  teacher = ftc_teacher_scripted_new (error_rate, 5, &error);
  g_assert_no_error (error);
  ftc_teacher_scripted_set_terse (teacher, terse);
  job = ftc_teach_job_new (teacher, task, "train", &plan, out, &error);
  g_assert_no_error (error);
  g_assert_true (ftc_teach_job_run (job, NULL, &error));
  g_assert_no_error (error);
  return read_records (ftc_teach_job_get_records_path (job), ftc_teach_job_get_total (job));
}

static GPtrArray *
run_scripted (const char *key, guint n, double error_rate, guint samples, const char *out)
{
  return run_scripted_style (key, n, error_rate, samples, FALSE, out);
}

/* The terse style: right answers without errors, rationales at most 3/5 as long as the varied style's,
 * the answer the rationale reaches stated in it, two samples of a question worded differently mostly. */
static void
test_scripted_terse (void)
{
  static const char *const keys[] = { "synthetic_coin_flip", "synthetic_last_letters", "synthetic_shuffled_objects",
                                      "synthetic_arithmetic" };

  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *out1 = ftc_test_tmpdir ();
      g_autofree char *out2 = ftc_test_tmpdir ();
      g_autoptr (GPtrArray) terse = run_scripted_style (keys[i], 300, 0.0, 2, TRUE, out1);
      g_autoptr (GPtrArray) varied = run_scripted_style (keys[i], 300, 0.0, 2, FALSE, out2);
      gsize terse_len = 0, varied_len = 0;
      guint differ = 0;

      g_assert_cmpfloat (accuracy (terse), ==, 1.0);
      g_assert_cmpuint (terse->len, ==, varied->len);
      for (guint r = 0; r < terse->len; r++)
        {
          const char *rationale = json_object_get_string_member (terse->pdata[r], "rationale");
          const char *gold = json_object_get_string_member (terse->pdata[r], "gold");

          terse_len += strlen (rationale);
          varied_len += strlen (json_object_get_string_member (varied->pdata[r], "rationale"));
          if (strcmp (keys[i], "synthetic_coin_flip") == 0)
            g_assert_nonnull (strstr (rationale, strcmp (gold, "yes") == 0 ? "heads up." : "tails up."));
          else
            g_assert_nonnull (strstr (rationale, gold));
          if (r % 2 == 1)
            differ += strcmp (rationale, json_object_get_string_member (terse->pdata[r - 1], "rationale")) != 0;
        }
      g_test_message ("%s: terse %zu characters, varied %zu", keys[i], terse_len, varied_len);
      g_assert_cmpuint (terse_len * 5, <=, varied_len * 3);
      g_assert_cmpuint (differ * 10, >=, terse->len / 2 * 8);
    }
}

/* The scripted teacher: right answers without errors, about error_rate wrong ones with them (each wrong
 * answer is the one its rationale reaches), varied wording across samples, the same text on every run. */
static void
test_scripted (void)
{
  static const char *const keys[] = {
    "synthetic_coin_flip", "synthetic_last_letters", "synthetic_shuffled_objects", "synthetic_arithmetic",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *out1 = ftc_test_tmpdir ();
      g_autofree char *out2 = ftc_test_tmpdir ();
      g_autofree char *out3 = ftc_test_tmpdir ();
      g_autoptr (GPtrArray) perfect = run_scripted (keys[i], 300, 0.0, 1, out1);
      g_autoptr (GPtrArray) noisy = run_scripted (keys[i], 600, 0.25, 2, out2);
      g_autoptr (GPtrArray) again = run_scripted (keys[i], 600, 0.25, 2, out3);
      guint varied = 0;
      double acc;

      g_assert_cmpfloat (accuracy (perfect), ==, 1.0);
      acc = accuracy (noisy);
      g_test_message ("%s: accuracy %.3f with error rate 0.25 over %u records", keys[i], acc, noisy->len);
      /* 840 records: the binomial standard deviation is 0.015, four of them are allowed */
      g_assert_cmpfloat (fabs (acc - 0.75), <, 0.06);
      for (guint r = 0; r < noisy->len; r++)
        {
          JsonObject *o = noisy->pdata[r];
          const char *rationale = json_object_get_string_member (o, "rationale");
          const char *prediction = json_object_get_string_member (o, "prediction");

          g_assert_cmpstr (rationale, ==, json_object_get_string_member (again->pdata[r], "rationale"));
          g_assert_true (g_str_has_suffix (json_object_get_string_member (o, "answer_prompt"),
                                           json_object_get_string_member (o, "answer_trigger")));
          /* the answer is the one the rationale arrives at */
          if (strcmp (keys[i], "synthetic_coin_flip") == 0)
            g_assert_nonnull (strstr (rationale, strcmp (prediction, "yes") == 0 ? "heads up." : "tails up."));
          else if (strcmp (keys[i], "synthetic_shuffled_objects") == 0)
            {
              g_autofree char *choice = g_strdup_printf ("(%s)", prediction);
              g_assert_nonnull (strstr (rationale, choice));
            }
          else
            g_assert_nonnull (strstr (rationale, prediction));
          if (r % 2 == 1)
            varied += strcmp (rationale, json_object_get_string_member (noisy->pdata[r - 1], "rationale")) != 0;
        }
      /* the two samples of a question are worded differently almost always */
      g_assert_cmpuint (varied * 10, >=, noisy->len / 2 * 9);
    }
}

/* Prompt templates: the plan's reasoning and answer triggers are what the teacher sends (and records), a
 * chat exchange starts with the system message, and a folder taught with other templates is refused. */
static void
test_templates (void)
{
  g_autofree char *out = ftc_test_tmpdir ();
  g_autoptr (GError) error = NULL;
  FtcTask *task = ftc_synthetic_generate ("synthetic_coin_flip", 40, 11, 0, &error);
  g_autoptr (FtcTeachJob) job = NULL;
  g_autoptr (FtcTeachJob) other = NULL;
  g_autoptr (GPtrArray) records = NULL;
  g_autoptr (JsonArray) messages = NULL;
  FtcTeachPlan plan;

  g_assert_no_error (error);
  ftc_teach_plan_init (&plan);
  plan.positions = g_array_copy (task->train);
  plan.reasoning_trigger = "Let's reason it out.";
  plan.answer_trigger = "So the final answer (yes or no) is";
  job = ftc_teach_job_new (ftc_teacher_scripted_new (0.0, 5, &error), task, "train", &plan, out, &error);
  g_assert_no_error (error);
  g_assert_true (ftc_teach_job_run (job, NULL, &error));
  g_assert_no_error (error);
  records = read_records (ftc_teach_job_get_records_path (job), ftc_teach_job_get_total (job));
  for (guint r = 0; r < records->len; r++)
    {
      JsonObject *o = records->pdata[r];
      g_assert_true (g_str_has_suffix (json_object_get_string_member (o, "reasoning_prompt"),
                                       "\nA: Let's reason it out."));
      g_assert_true (g_str_has_suffix (json_object_get_string_member (o, "answer_prompt"),
                                       " \nSo the final answer (yes or no) is"));
    }

  messages = ftc_cot_chat_messages_with ("You are a careful teacher.", "Q: q\nA: t", " r ", "T");
  g_assert_cmpuint (json_array_get_length (messages), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 0), "role"), ==, "system");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 0), "content"), ==,
                   "You are a careful teacher.");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 2), "content"), ==, "r");

  /* the same folder with the default triggers would mix two kinds of records */
  g_clear_object (&job);
  ftc_teach_plan_init (&plan);
  task = ftc_synthetic_generate ("synthetic_coin_flip", 40, 11, 0, &error);
  plan.positions = g_array_copy (task->train);
  other = ftc_teach_job_new (ftc_teacher_scripted_new (0.0, 5, NULL), task, "train", &plan, out, &error);
  g_assert_error (error, FTC_ERROR, FTC_ERROR_MISMATCH);
  g_assert_null (other);
}

/* The scripted teacher refuses a task without solution steps instead of inventing an answer. */
static void
test_scripted_needs_steps (void)
{
  g_autoptr (FtcTask) task = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTeacher) teacher = ftc_teacher_scripted_new (0.1, 1, &error);
  FtcTeachPlan plan;
  FtcTeachSink sink = { 0 };

  if (ftc_test_shared_dir () == NULL)
    return;
  task = load_dataset ("coin_flip");
  ftc_teach_plan_init (&plan);
  plan.task = task;
  plan.positions = g_array_copy (task->train);
  g_assert_false (ftc_teacher_run (teacher, &plan, &sink, NULL, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "synthetic"));
  g_array_unref (plan.positions);
}

/* Jobs from user options, as the CLI and the GUI build them: each mistake named. */
static void
test_options (void)
{
  g_autofree char *out = ftc_test_tmpdir ();
  g_autoptr (GError) error = NULL;
  FtcTeachOptions o;
  struct {
    const char *teacher, *model, *split, *message;
  } bad[] = {
    { "scripted", NULL, "validation", "train, test or all" },
    { "ftp://example.org", NULL, NULL, "http(s) URL, replay:FILE or scripted" },
    { "http://127.0.0.1:9", NULL, NULL, "model name" },
    { "replay:/nonexistent/file.jsonl", NULL, NULL, "file.jsonl" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (FtcTeachJob) job = NULL;
      ftc_teach_options_init (&o);
      o.task = "synthetic_coin_flip:n=20";
      o.out_dir = out;
      o.teacher.model = g_strdup (bad[i].model);
      o.split = bad[i].split;
      if (ftc_teacher_settings_set_spec (&o.teacher, bad[i].teacher, &error))
        job = ftc_teach_job_new_from_options (&o, &error);
      ftc_teach_options_clear (&o);
      g_assert_null (job);
      g_assert_nonnull (error);
      g_assert_nonnull (strstr (error->message, bad[i].message));
      g_clear_error (&error);
    }
  {
    g_autoptr (FtcTeachJob) job = NULL;
    ftc_teach_options_init (&o);
    o.task = "synthetic_coin_flip:n=20";
    o.out_dir = out;
    o.teacher.samples = 3;
    o.teacher.temperature = ftc_teacher_settings_default_temperature (3);
    o.limit = 5;
    job = ftc_teach_job_new_from_options (&o, &error);
    ftc_teach_options_clear (&o);
    g_assert_no_error (error);
    g_assert_cmpstr (ftc_teach_job_get_teacher_kind (job), ==, "scripted");
    g_assert_cmpuint (ftc_teach_job_get_total (job), ==, 15);
    g_assert_true (ftc_teach_job_run (job, NULL, &error));
    g_assert_cmpuint (ftc_teach_job_get_done (job), ==, 15);
  }
  {
    /* a URL teacher: the answer cache is opened under the output folder, the price file is read */
    g_autofree char *prices = ftc_test_write_tmp ("p.json", "{\"models\": {\"my-model\": {\"prompt\": 1, "
                                                  "\"completion\": 2}}}", -1);
    g_autofree char *cache = g_build_filename (out, "teacher", "synthetic_coin_flip.test.requests.jsonl", NULL);
    g_autoptr (FtcTeachJob) job = NULL;
    FtcTeachEstimate est;

    ftc_teach_options_init (&o);
    o.task = "synthetic_coin_flip:n=20";
    o.out_dir = out;
    o.split = "test";
    g_assert_true (ftc_teacher_settings_set_spec (&o.teacher, "http://127.0.0.1:9/v1", NULL));
    o.teacher.model = g_strdup ("my-model");
    o.teacher.price_file = g_strdup (prices);
    o.teacher.budget_usd = 5;
    job = ftc_teach_job_new_from_options (&o, &error);
    ftc_teach_options_clear (&o);
    g_assert_no_error (error);
    g_assert_cmpstr (ftc_teach_job_get_teacher_kind (job), ==, "openai");
    g_assert_true (g_file_test (cache, G_FILE_TEST_EXISTS));
    ftc_teach_job_estimate (job, &est);
    g_assert_cmpuint (est.requests, ==, 2 * ftc_teach_job_get_total (job));
    g_assert_cmpfloat_with_epsilon (est.cost_usd, (est.prompt_tokens * 1.0 + est.completion_tokens * 2.0) / 1e6,
                                    1e-12);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/teacher/full-run", test_full_run);
  g_test_add_func ("/teacher/budget-resume", test_budget_resume);
  g_test_add_func ("/teacher/async-cancel-resume", test_async_cancel_resume);
  g_test_add_func ("/teacher/samples-n", test_samples_n);
  g_test_add_func ("/teacher/fatal-error", test_fatal_error);
  g_test_add_func ("/teacher/manifest-mismatch", test_manifest_mismatch);
  g_test_add_func ("/teacher/replay-coverage", test_replay_coverage);
  g_test_add_func ("/teacher/replay-job", test_replay_job);
  g_test_add_func ("/teacher/replay-reordered", test_replay_reordered);
  g_test_add_func ("/teacher/replay-reference-json", test_replay_reference_json);
  g_test_add_func ("/teacher/scripted", test_scripted);
  g_test_add_func ("/teacher/templates", test_templates);
  g_test_add_func ("/teacher/scripted-terse", test_scripted_terse);
  g_test_add_func ("/teacher/options", test_options);
  g_test_add_func ("/teacher/scripted-needs-steps", test_scripted_needs_steps);
  return g_test_run ();
}
