/* Teacher client speed, against the local fake OpenAI server (tests/ftc-fake-openai.h) on 127.0.0.1:
 *
 *   1. client overhead per request: CPU time of the thread that runs the client (libcurl multi, JSON
 *      bodies, validation, retries bookkeeping) divided by the requests, the server's threads excluded;
 *      next to it the same requests sent one by one with libcurl's easy interface (the peer);
 *   2. a thousand cached requests: a teaching job whose answers are all in the completion store.
 *
 * Usage: bench-teacher-client [REQUESTS]   (default 2000) */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib/gstdio.h>

#include "core/teach/ftc-completion-store.h"
#include "core/teach/ftc-openai-client.h"
#include "core/tasks/ftc-synthetic.h"
#include "core/teach/ftc-teach-job.h"
#include "core/teach/ftc-teacher-openai.h"
#include "tests/ftc-fake-openai.h"

static double
thread_cpu_s (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
wall_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

static guint answers;

static void
on_answer (FtcOpenaiClient *client, const FtcOpenaiRequest *req, const FtcOpenaiResponse *resp, const GError *error,
           gpointer user_data)
{
  if (resp != NULL)
    answers += resp->choices->len;
  else
    g_printerr ("failed: %s\n", error->message);
}

static FtcOpenaiRequest *
request (guint i)
{
  FtcOpenaiRequest *req = ftc_openai_request_new (FTC_OPENAI_COMPLETIONS, "bench-model");
  req->prompt = g_strdup_printf ("Q: Sam has %u apples and buys %u more. How many apples does Sam have?\n"
                                 "A: Let's think step by step.", i, i % 17);
  req->label = g_strdup_printf ("bench-%u", i);
  return req;
}

static void
client_overhead (FtcFakeOpenai *fake, guint n, guint in_flight)
{
  FtcOpenaiConfig config;
  g_autoptr (FtcOpenaiClient) client = NULL;
  g_autoptr (GError) error = NULL;
  double cpu0, wall0, cpu, wall;

  ftc_openai_config_init (&config);
  config.base_url = g_strdup (ftc_fake_openai_url (fake));
  config.api_key = g_strdup ("sk-bench");
  config.max_in_flight = in_flight;
  client = ftc_openai_client_new (&config, &error);
  ftc_openai_config_clear (&config);
  answers = 0;
  cpu0 = thread_cpu_s ();
  wall0 = wall_s ();
  for (guint i = 0; i < n; i++)
    ftc_openai_client_submit (client, request (i), on_answer, NULL);
  if (!ftc_openai_client_run (client, NULL, &error))
    g_error ("%s", error->message);
  cpu = thread_cpu_s () - cpu0;
  wall = wall_s () - wall0;
  g_assert (answers == n);
  printf ("ftcot client, %3u in flight: %5u requests in %.3f s wall (%.3f ms each), client thread CPU %.1f us "
          "per request\n", in_flight, n, wall, wall / n * 1e3, cpu / n * 1e6);
}

static size_t
discard (char *data, size_t size, size_t nmemb, void *user_data)
{
  g_byte_array_append (user_data, (const guint8 *) data, size * nmemb);
  return size * nmemb;
}

/* The peer: the same requests with libcurl's easy interface, one after the other, body built by hand. */
static void
easy_peer (FtcFakeOpenai *fake, guint n)
{
  g_autofree char *url = g_strconcat (ftc_fake_openai_url (fake), "/v1/completions", NULL);
  struct curl_slist *headers = curl_slist_append (NULL, "Content-Type: application/json");
  CURL *easy = curl_easy_init ();
  double cpu0 = thread_cpu_s (), wall0 = wall_s (), cpu, wall;

  headers = curl_slist_append (headers, "Authorization: Bearer sk-bench");
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FtcOpenaiRequest) req = request (i);
      g_autofree char *body = ftc_openai_request_body (req, 1);
      g_autoptr (GByteArray) out = g_byte_array_new ();
      long status = 0;

      curl_easy_setopt (easy, CURLOPT_URL, url);
      curl_easy_setopt (easy, CURLOPT_POSTFIELDS, body);
      curl_easy_setopt (easy, CURLOPT_HTTPHEADER, headers);
      curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, discard);
      curl_easy_setopt (easy, CURLOPT_WRITEDATA, out);
      if (curl_easy_perform (easy) != CURLE_OK)
        g_error ("easy request failed");
      curl_easy_getinfo (easy, CURLINFO_RESPONSE_CODE, &status);
      g_assert (status == 200);
    }
  cpu = thread_cpu_s () - cpu0;
  wall = wall_s () - wall0;
  printf ("peer: libcurl easy, sequential: %5u requests in %.3f s wall (%.3f ms each), thread CPU %.1f us per "
          "request (no JSON parsing)\n", n, wall, wall / n * 1e3, cpu / n * 1e6);
  curl_easy_cleanup (easy);
  curl_slist_free_all (headers);
}

static FtcTeachJob *
arithmetic_job (FtcFakeOpenai *fake, const char *out, FtcCompletionStore *store)
{
  g_autoptr (GError) error = NULL;
  FtcTask *task = ftc_synthetic_generate ("synthetic_arithmetic", 715, 3, 0, &error);
  FtcTeacherOpenaiConfig config;
  FtcTeacher *teacher;
  FtcTeachPlan plan;
  FtcTeachJob *job;

  g_assert_no_error (error);
  ftc_teacher_openai_config_init (&config);
  config.client.base_url = g_strdup (ftc_fake_openai_url (fake));
  config.model = g_strdup ("bench-model");
  config.store = store;
  teacher = ftc_teacher_openai_new (&config, &error);
  g_assert_no_error (error);
  ftc_teacher_openai_config_clear (&config);
  ftc_teach_plan_init (&plan);
  plan.positions = g_array_copy (task->train);
  g_array_set_size (plan.positions, 500);   /* 500 questions: 500 step-1 and 500 step-2 requests */
  job = ftc_teach_job_new (teacher, task, "train", &plan, out, &error);
  g_assert_no_error (error);
  return job;
}

static void
cached_requests (FtcFakeOpenai *fake)
{
  g_autofree char *dir = g_dir_make_tmp ("ftcot-bench-XXXXXX", NULL);
  g_autofree char *out1 = g_build_filename (dir, "first", NULL);
  g_autofree char *out2 = g_build_filename (dir, "second", NULL);
  g_autofree char *cache = g_build_filename (dir, "requests.jsonl", NULL);
  g_autoptr (GError) error = NULL;
  guint before;
  double t0, first, second;

  {
    g_autoptr (FtcCompletionStore) store = ftc_completion_store_open (cache, &error);
    g_autoptr (FtcTeachJob) job = arithmetic_job (fake, out1, store);
    t0 = wall_s ();
    g_assert (ftc_teach_job_run (job, NULL, &error));
    first = wall_s () - t0;
  }
  before = ftc_fake_openai_requests (fake);
  {
    g_autoptr (FtcCompletionStore) store = NULL;
    g_autoptr (FtcTeachJob) job = NULL;
    FtcTeachUsage usage;

    t0 = wall_s ();
    store = ftc_completion_store_open (cache, &error);   /* reading the cache back is part of the cost */
    job = arithmetic_job (fake, out2, store);
    g_assert (ftc_teach_job_run (job, NULL, &error));
    second = wall_s () - t0;
    ftc_teach_job_get_usage (job, &usage);
    g_assert (usage.cached == 1000);
    g_assert (ftc_fake_openai_requests (fake) == before);
    printf ("teaching job, 1000 requests: %.3f s from the server (answers fsync'ed as they come), %.3f s with all "
            "1000 answered from the completion store (%.0f us each, records written)\n", first, second,
            second / 1000 * 1e6);
  }
  {
    /* leave nothing behind */
    const char *names[] = { "first", "second" };
    for (int i = 0; i < 2; i++)
      {
        g_autofree char *tdir = g_build_filename (dir, names[i], "teacher", NULL);
        g_autoptr (GDir) d = g_dir_open (tdir, 0, NULL);
        const char *name;
        while (d != NULL && (name = g_dir_read_name (d)) != NULL)
          {
            g_autofree char *p = g_build_filename (tdir, name, NULL);
            g_remove (p);
          }
        g_rmdir (tdir);
        g_free (tdir);
        tdir = g_build_filename (dir, names[i], NULL);
        g_rmdir (tdir);
      }
    g_remove (cache);
    g_rmdir (dir);
  }
}

int
main (int argc, char **argv)
{
  guint n = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 2000;
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcFakeOpenai) fake = ftc_fake_openai_new (&error);

  if (fake == NULL)
    g_error ("%s", error->message);
  client_overhead (fake, n / 4, 1);
  easy_peer (fake, n / 4);
  client_overhead (fake, n, 8);
  client_overhead (fake, n, 32);
  cached_requests (fake);
  return 0;
}
