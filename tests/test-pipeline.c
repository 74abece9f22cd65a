/* test-pipeline.c: whole tiny experiments through ftc_pipeline_run and the `ftcot run` binary: every output
 * file, the report re-read from its JSON, a second run that redoes nothing, a directory that holds another
 * experiment, a teacher that answers nothing correctly, an unknown key, kill -9 during teach, train and
 * evaluate then resume, and the replay teacher over the shared teacher data. */
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <errno.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/ftc-dir-lock.h"
#include "core/results/ftc-metrics-log.h"
#include "core/ftc-error.h"
#include "core/method/ftc-pipeline.h"
#include "core/tasks/ftc-record.h"
#include "core/results/ftc-report.h"
#include "core/tasks/ftc-task-open.h"
#include "tests/ftc-fake-openai.h"
#include "tests/ftc-test-util.h"

#define TASK "synthetic_coin_flip"

static const char tiny_experiment[] =
  "{\n"
  "  \"name\": \"tiny\",\n"
  "  \"tasks\": [{\"key\": \"" TASK "\", \"n\": 60, \"train_size\": 24, \"test_size\": 8}],\n"
  "  \"teacher\": {\"kind\": \"scripted\", \"samples\": 2, \"temperature\": 0.7},\n"
  "  \"student\": {\"preset\": \"tiny\"},\n"
  "  \"methods\": [\"teacher\", \"random\", \"vanilla\", \"ft_cot\", \"ft_cot_d2\"],\n"
  "  \"training\": {\"batch_size\": 8, \"epochs\": 2, \"learning_rate\": 0.001},\n"
  "  \"evaluation\": {\"max_new_tokens\": 48, \"batch_size\": 8},\n"
  "  \"seeds\": 1,\n"
  "  \"device\": \"cpu\"\n"
  "}\n";

static FtcExperiment *
parse (const char *json)
{
  g_autoptr (GError) error = NULL;
  FtcExperiment *exp = ftc_experiment_load_from_data (json, -1, "experiment.json", NULL, &error);

  g_assert_no_error (error);
  return exp;
}

static guint
count_lines (const char *path, const char *containing)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  guint n = 0;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0' && (containing == NULL || strstr (lines[i], containing) != NULL))
      n++;
  return n;
}

static char *
report_json (const FtcReport *report)
{
  g_autoptr (JsonNode) node = ftc_report_to_json (report);
  return json_to_string (node, TRUE);
}

/* Every (sample_id, completion_index) of a records file once; returns the number of records. */
static guint
assert_unique_records (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) records = ftc_record_read_file (path, &error);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_assert_no_error (error);
  for (guint i = 0; i < records->len; i++)
    {
      FtcRecord *r = records->pdata[i];
      char *key = g_strdup_printf ("%s#%" G_GINT64_FORMAT, r->sample_id, r->completion_index);
      if (g_hash_table_contains (seen, key))
        g_error ("%s: %s twice", path, key);
      g_hash_table_add (seen, key);
    }
  return records->len;
}

static const char *const trained_methods[] = { "vanilla", "ft_cot", "ft_cot_d2" };

static void
check_outputs (const char *dir, const FtcReport *report)
{
  g_autofree char *config = ftc_experiment_dir_config (dir);
  g_autofree char *teach_train = g_build_filename (dir, "teacher", TASK ".train.jsonl", NULL);
  g_autofree char *teach_test = g_build_filename (dir, "teacher", TASK ".test.jsonl", NULL);
  g_autofree char *metrics = ftc_experiment_dir_metrics (dir);
  g_autofree char *report_dir = ftc_experiment_dir_report (dir);
  g_autofree char *summary = g_build_filename (report_dir, "summary.json", NULL);
  g_autofree char *csv = g_build_filename (report_dir, "summary.csv", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcReport) back = NULL;
  g_autofree char *a = NULL, *b = NULL;
  g_autoptr (GDir) listing = NULL;
  const char *name;
  guint charts = 0;

  g_assert_true (g_file_test (config, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (assert_unique_records (teach_train), ==, 24 * 2);
  g_assert_cmpuint (assert_unique_records (teach_test), ==, 8);
  g_assert_cmpuint (count_lines (metrics, "\"loss\""), >, 0);
  g_assert_true (g_file_test (csv, G_FILE_TEST_IS_REGULAR));
  listing = g_dir_open (report_dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (listing)) != NULL)
    charts += g_str_has_suffix (name, ".png") || g_str_has_suffix (name, ".svg");
  g_assert_cmpuint (charts, >=, 4);

  for (guint i = 0; i < G_N_ELEMENTS (trained_methods); i++)
    {
      const char *m = trained_methods[i];
      g_autofree char *ft = ftc_experiment_dir_finetune (dir, TASK, m);
      g_autofree char *ckpt = ftc_experiment_dir_checkpoints (dir, TASK, m);
      g_autofree char *ckpt_config = g_build_filename (ckpt, "config.json", NULL);
      g_autofree char *eval = ftc_experiment_dir_eval (dir, TASK, m);
      g_autoptr (GPtrArray) records = NULL;
      const FtcResult *r = ftc_report_lookup (report, TASK, m);
      int correct = 0;

      g_assert_cmpuint (count_lines (ft, NULL), >, 0);
      g_assert_true (g_file_test (ckpt_config, G_FILE_TEST_IS_REGULAR));
      g_assert_cmpuint (assert_unique_records (eval), ==, 8);
      records = ftc_record_read_file (eval, &error);
      g_assert_no_error (error);
      for (guint k = 0; k < records->len; k++)
        correct += ((FtcRecord *) records->pdata[k])->correct;
      g_assert_nonnull (r);
      g_assert_cmpint (r->n, ==, 8);
      g_assert_cmpint (r->correct, ==, correct);
      g_assert_cmpfloat_with_epsilon (r->accuracy.value, 100.0 * correct / 8, 1e-9);
    }
  {
    g_autofree char *ft = ftc_experiment_dir_finetune (dir, TASK, "vanilla");
    g_assert_cmpuint (count_lines (ft, NULL), ==, 24);
  }

  back = ftc_report_load_json (summary, &error);
  g_assert_no_error (error);
  a = report_json (report);
  b = report_json (back);
  g_assert_cmpstr (a, ==, b);
}

static void
test_whole (void)
{
  g_autofree char *dir = g_build_filename (ftc_test_tmpdir (), "exp", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcPipeline) p = ftc_pipeline_new (dir, parse (tiny_experiment), &error);
  g_autoptr (FtcPipeline) again = NULL;
  g_autoptr (FtcPipeline) other = NULL;
  g_autoptr (FtcExperiment) changed = NULL;
  g_autofree char *metrics = ftc_experiment_dir_metrics (dir);
  g_autofree char *teach_train = g_build_filename (dir, "teacher", TASK ".train.jsonl", NULL);
  g_autofree char *first = NULL, *second = NULL;
  guint loss_lines, teach_lines, eval_lines;
  g_autofree char *eval = ftc_experiment_dir_eval (dir, TASK, "ft_cot");

  g_assert_no_error (error);
  g_assert_true (ftc_pipeline_run (p, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (ftc_pipeline_get_stage (p), ==, "done");
  check_outputs (dir, ftc_pipeline_get_report (p));
  first = report_json (ftc_pipeline_get_report (p));
  loss_lines = count_lines (metrics, "\"loss\"");
  teach_lines = count_lines (teach_train, NULL);
  eval_lines = count_lines (eval, NULL);
  {
    /* 2 epochs of ceil(samples / 8) steps per trained method */
    guint steps = 0;
    for (guint i = 0; i < G_N_ELEMENTS (trained_methods); i++)
      {
        g_autofree char *ft = ftc_experiment_dir_finetune (dir, TASK, trained_methods[i]);
        steps += 2 * ((count_lines (ft, NULL) + 7) / 8);
      }
    g_assert_cmpuint (loss_lines, ==, steps);
  }

  /* the same directory again: nothing is redone, even for a checkpoint left under .old by a run killed
   * between the two renames of its save */
  {
    g_autofree char *ckpt = ftc_experiment_dir_checkpoints (dir, TASK, "ft_cot");
    g_autofree char *old = g_strconcat (ckpt, ".old", NULL);
    g_assert_cmpint (g_rename (ckpt, old), ==, 0);
  }
  again = ftc_pipeline_new (dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ftc_pipeline_run (again, NULL, &error));
  g_assert_no_error (error);
  second = report_json (ftc_pipeline_get_report (again));
  g_assert_cmpstr (first, ==, second);
  g_assert_cmpuint (count_lines (metrics, "\"loss\""), ==, loss_lines);
  g_assert_cmpuint (count_lines (teach_train, NULL), ==, teach_lines);
  g_assert_cmpuint (count_lines (eval, NULL), ==, eval_lines);
  check_outputs (dir, ftc_pipeline_get_report (again));

  /* another experiment in the same directory */
  changed = parse (tiny_experiment);
  changed->training.epochs = 3;
  other = ftc_pipeline_new (dir, g_steal_pointer (&changed), &error);
  g_assert_null (other);
  g_assert_error (error, FTC_ERROR, FTC_ERROR_MISMATCH);
}

static void
test_teacher_all_wrong (void)
{
  g_autofree char *dir = g_build_filename (ftc_test_tmpdir (), "exp", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcExperiment) exp = parse (tiny_experiment);
  g_autoptr (FtcPipeline) p = NULL;
  g_autofree char *metrics = ftc_experiment_dir_metrics (dir);
  g_autofree char *ckpt = ftc_experiment_dir_checkpoints (dir, TASK, "ft_cot");

  exp->teacher.options = json_object_new ();
  json_object_set_double_member (exp->teacher.options, "error_rate", 1.0);
  p = ftc_pipeline_new (dir, g_steal_pointer (&exp), &error);
  g_assert_no_error (error);
  g_assert_false (ftc_pipeline_run (p, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "answered none of the 24 training questions correctly"));
  g_assert_cmpuint (count_lines (metrics, "\"loss\""), ==, 0);
  g_assert_false (g_file_test (ckpt, G_FILE_TEST_EXISTS));
}

/* metrics.jsonl after a run killed at step 5 and resumed from its checkpoint at step 3: steps 4 and 5
 * twice, and a final accuracy line written by each run; the curves keep the last line of each step */
static void
test_curves_resumed (void)
{
  static const char text[] =
    "{\"task\":\"t\",\"method\":\"ft_cot\",\"step\":1,\"epoch\":1,\"loss\":4.0,\"lr\":0.001}\n"
    "{\"task\":\"t\",\"method\":\"ft_cot\",\"step\":2,\"epoch\":1,\"loss\":3.0,\"lr\":0.001}\n"
    "{\"task\":\"t\",\"method\":\"ft_cot\",\"step\":3,\"epoch\":1,\"loss\":2.5,\"lr\":0.001}\n"
    "{\"task\":\"t\",\"method\":\"ft_cot\",\"step\":3,\"epoch\":1,\"test_accuracy\":10.0}\n"
    "{\"task\":\"t\",\"method\":\"ft_cot\",\"step\":4,\"epoch\":2,\"loss\":9.0,\"lr\":0.001}\n"
    "{\"task\":\"t\",\"method\":\"ft_cot\",\"step\":5,\"epoch\":2,\"loss\":9.5,\"lr\":0.001}\n"
    "{\"task\":\"t\",\"method\":\"ft_cot\",\"step\":4,\"epoch\":2,\"loss\":2.0,\"lr\":0.001}\n"
    "{\"task\":\"t\",\"method\":\"ft_cot\",\"step\":5,\"epoch\":2,\"loss\":1.5,\"lr\":0.001}\n"
    "{\"task\":\"t\",\"method\":\"ft_cot\",\"step\":6,\"epoch\":2,\"loss\":1.0,\"lr\":0.001}\n"
    "{\"task\":\"t\",\"method\":\"ft_cot\",\"step\":6,\"epoch\":2,\"test_accuracy\":30.0}\n"
    "{\"task\":\"t\",\"method\":\"ft_cot\",\"step\":6,\"epoch\":2,\"test_accuracy\":40.0}\n";
  static const double steps[] = { 1, 2, 3, 4, 5, 6 }, losses[] = { 4.0, 3.0, 2.5, 2.0, 1.5, 1.0 };
  g_autofree char *path = ftc_test_write_tmp ("metrics.jsonl", text, -1);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) curves = ftc_curves_load (path, &error);
  const FtcCurve *c;

  g_assert_no_error (error);
  g_assert_cmpuint (curves->len, ==, 1);
  c = curves->pdata[0];
  g_assert_cmpuint (c->step->len, ==, 6);
  g_assert_cmpmem (c->step->data, 6 * sizeof (double), steps, sizeof steps);
  g_assert_cmpmem (c->loss->data, 6 * sizeof (double), losses, sizeof losses);
  g_assert_cmpuint (c->lr->len, ==, 6);
  g_assert_cmpuint (c->acc->len, ==, 2);
  g_assert_cmpuint (c->acc_epoch->len, ==, 2);
  g_assert_cmpfloat (g_array_index (c->acc, double, 0), ==, 10.0);
  g_assert_cmpfloat (g_array_index (c->acc, double, 1), ==, 40.0);
  g_assert_cmpfloat (g_array_index (c->acc_epoch, double, 1), ==, 2.0);
}

/* ---- the binary --------------------------------------------------------------------------------- */

static const char *
cli (void)
{
  const char *path = g_getenv ("FTCOT_CLI");

  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("FTCOT_CLI is not set");
      return NULL;
    }
  return path;
}

static void
test_unknown_key (void)
{
  const char *ftcot = cli ();
  g_autofree char *path = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;
  int status = 0;

  if (ftcot == NULL)
    return;
  path = ftc_test_write_tmp ("exp.json", "{\"tasks\": [\"" TASK "\"], \"training\": {\"learnig_rate\": 0.01}}", -1);
  {
    const char *argv[] = { ftcot, "run", path, NULL };
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                                 &error));
  }
  g_assert_no_error (error);
  g_test_message ("stderr: %s", err);
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (err, "ftcot run: "));
  g_assert_nonnull (strstr (err, "training.learnig_rate"));
  g_assert_nonnull (strstr (err, "did you mean 'learning_rate'"));
}

/* kill -9 during teach, train and evaluate, then resume: an OpenAI-compatible teacher on 127.0.0.1 that
 * takes its time, so that each stage lasts long enough to be interrupted */
static char *
slow_experiment (const char *url)
{
  return g_strdup_printf (
    "{\n"
    "  \"name\": \"resume\",\n"
    "  \"tasks\": [{\"key\": \"" TASK "\", \"n\": 60, \"train_size\": 24, \"test_size\": 8}],\n"
    "  \"teacher\": {\"kind\": \"openai\", \"endpoint\": \"%s/v1\", \"api\": \"completions\",\n"
    "              \"model\": \"text-davinci-002\", \"key_env\": \"FTCOT_TEST_KEY\", \"in_flight\": 2,\n"
    "              \"samples\": 2, \"temperature\": 0.7},\n"
    "  \"curation\": {\"rule\": \"all\"},\n"
    "  \"student\": {\"preset\": \"tiny\"},\n"
    "  \"methods\": [\"teacher\", \"ft_cot_d2\"],\n"
    "  \"training\": {\"batch_size\": 8, \"epochs\": 3, \"learning_rate\": 0.001},\n"
    "  \"evaluation\": {\"max_new_tokens\": 48, \"batch_size\": 2},\n"
    "  \"seeds\": 1,\n"
    "  \"device\": \"cpu\"\n"
    "}\n", url);
}

static GPid
spawn_run (const char *ftcot, const char *dir)
{
  const char *argv[] = { ftcot, "run", dir, "-q", NULL };
  g_auto (GStrv) env = g_get_environ ();
  g_autoptr (GError) error = NULL;
  GPid pid = 0;

  env = g_environ_setenv (env, "FTCOT_TEST_KEY", "sk-test", TRUE);
  g_assert_true (g_spawn_async (NULL, (char **) argv, env, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                                NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  return pid;
}

static int
wait_child (GPid pid)
{
  int status = 0;

  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  return status;
}

typedef gboolean (*Condition) (const char *dir);

/* Runs the child until cond holds, kills it with SIGKILL there; FALSE if the child ended first. */
static gboolean
run_and_kill (const char *ftcot, const char *dir, Condition cond, const char *what)
{
  GPid pid = spawn_run (ftcot, dir);
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      int status;
      if (waitpid (pid, &status, WNOHANG) == pid)
        {
          g_spawn_close_pid (pid);
          g_test_message ("%s: the run ended before it could be killed (status %d)", what, status);
          return FALSE;
        }
      if (cond (dir))
        {
          int st;
          kill (pid, SIGKILL);
          st = wait_child (pid);
          g_assert_true (WIFSIGNALED (st) && WTERMSIG (st) == SIGKILL);
          g_test_message ("%s: killed", what);
          return TRUE;
        }
      g_usleep (2000);
    }
  kill (pid, SIGKILL);
  wait_child (pid);
  g_error ("%s: the condition never held", what);
  return FALSE;
}

static gboolean
in_teach (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "teacher", TASK ".train.jsonl", NULL);
  guint n = count_lines (path, NULL);

  return n >= 6 && n < 40;
}

static gboolean
in_train (const char *dir)
{
  g_autofree char *metrics = ftc_experiment_dir_metrics (dir);
  g_autofree char *ckpt = ftc_experiment_dir_checkpoints (dir, TASK, "ft_cot_d2");
  g_autofree char *ckpt_config = g_build_filename (ckpt, "config.json", NULL);

  /* after the first epoch's checkpoint, in the middle of the second epoch (6 steps per epoch) */
  return g_file_test (ckpt_config, G_FILE_TEST_EXISTS) && count_lines (metrics, "\"loss\"") >= 8;
}

static gboolean
in_evaluate (const char *dir)
{
  g_autofree char *eval = ftc_experiment_dir_eval (dir, TASK, "ft_cot_d2");
  guint n = count_lines (eval, NULL);

  return n >= 2 && n < 8;
}

static void
finish_run (const char *ftcot, const char *dir)
{
  int status = wait_child (spawn_run (ftcot, dir));

  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
}

static void
test_kill_resume (void)
{
  const char *ftcot = cli ();
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcFakeOpenai) fake = NULL;
  g_autofree char *root = ftc_test_tmpdir ();
  g_autofree char *straight = g_build_filename (root, "straight", NULL);
  g_autofree char *killed = g_build_filename (root, "killed", NULL);
  g_autofree char *json = NULL;
  g_autofree char *a = NULL, *b = NULL;
  const char *dirs[] = { straight, killed };

  if (ftcot == NULL)
    return;
  fake = ftc_fake_openai_new (&error);
  g_assert_no_error (error);
  ftc_fake_openai_set_delay_ms (fake, 40);
  json = slow_experiment (ftc_fake_openai_url (fake));
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *config = ftc_experiment_dir_config (dirs[i]);
      g_assert_cmpint (g_mkdir_with_parents (dirs[i], 0755), ==, 0);
      g_assert_true (g_file_set_contents (config, json, -1, NULL));
    }

  finish_run (ftcot, straight);
  g_assert_true (run_and_kill (ftcot, killed, in_teach, "teach"));
  g_assert_true (run_and_kill (ftcot, killed, in_train, "train"));
  g_assert_true (run_and_kill (ftcot, killed, in_evaluate, "evaluate"));
  finish_run (ftcot, killed);

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *teach_train = g_build_filename (dirs[i], "teacher", TASK ".train.jsonl", NULL);
      g_autofree char *teach_test = g_build_filename (dirs[i], "teacher", TASK ".test.jsonl", NULL);
      g_autofree char *eval = ftc_experiment_dir_eval (dirs[i], TASK, "ft_cot_d2");
      g_assert_cmpuint (assert_unique_records (teach_train), ==, 48);
      g_assert_cmpuint (assert_unique_records (teach_test), ==, 8);
      g_assert_cmpuint (assert_unique_records (eval), ==, 8);
    }
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *summary = g_build_filename (dirs[i], "report", "summary.json", NULL);
      g_autoptr (FtcReport) report = ftc_report_load_json (summary, &error);
      g_assert_no_error (error);
      if (i == 0)
        a = report_json (report);
      else
        b = report_json (report);
    }
  g_assert_cmpstr (a, ==, b);
  /* the same training curve: the last loss line of each step equal in both */
  {
    g_autofree char *ma = ftc_experiment_dir_metrics (straight);
    g_autofree char *mb = ftc_experiment_dir_metrics (killed);
    g_autoptr (GPtrArray) ca = ftc_curves_load (ma, &error);
    g_autoptr (GPtrArray) cb = ftc_curves_load (mb, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (ca->len, ==, cb->len);
    for (guint i = 0; i < ca->len; i++)
      {
        const FtcCurve *x = ca->pdata[i], *y = cb->pdata[i];
        g_assert_cmpuint (x->step->len, ==, 18);
        g_assert_cmpmem (x->step->data, x->step->len * sizeof (double), y->step->data, y->step->len * sizeof (double));
        for (guint k = 0; k < x->loss->len; k++)
          if (g_array_index (x->loss, double, k) != g_array_index (y->loss, double, k))
            g_error ("%s %s step %g: loss %.9g uninterrupted, %.9g resumed", x->task, x->method,
                     g_array_index (x->step, double, k), g_array_index (x->loss, double, k),
                     g_array_index (y->loss, double, k));
      }
  }
}

/* A full disk while the first checkpoint is written: RLIMIT_FSIZE in the `ftcot run` child makes the write
 * of model.safetensors fail (EFBIG) while the small files before it fit. The run stops with a message that
 * names the checkpoint and the cause; nothing half-written is taken for a checkpoint, and the next run
 * finishes. */
static void
limit_file_size (gpointer data)
{
  struct rlimit limit;

  getrlimit (RLIMIT_FSIZE, &limit);
  limit.rlim_cur = 512 * 1024;
  setrlimit (RLIMIT_FSIZE, &limit);
  signal (SIGXFSZ, SIG_IGN);
}

static void
test_disk_full (void)
{
  const char *ftcot = cli ();
  g_autofree char *dir = NULL, *config = NULL, *err = NULL, *ckpt = NULL, *ckpt_config = NULL, *summary = NULL;
  g_autoptr (GError) error = NULL;
  int status = 0;

  if (ftcot == NULL)
    return;
  dir = g_build_filename (ftc_test_tmpdir (), "full", NULL);
  config = ftc_experiment_dir_config (dir);
  ckpt = ftc_experiment_dir_checkpoints (dir, TASK, "vanilla");
  ckpt_config = g_build_filename (ckpt, "config.json", NULL);
  summary = g_build_filename (dir, "report", "summary.json", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (config, tiny_experiment, -1, NULL));
  {
    const char *argv[] = { ftcot, "run", dir, "-q", NULL };
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, limit_file_size, NULL,
                                 NULL, &err, &status, &error));
  }
  g_assert_no_error (error);
  g_test_message ("stderr: %s", err);
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (err, "ftcot run: "));
  g_assert_nonnull (strstr (err, "saving checkpoint "));
  g_assert_nonnull (strstr (err, ckpt));
  g_assert_nonnull (strstr (err, g_strerror (EFBIG)));
  g_assert_false (g_file_test (ckpt_config, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (summary, G_FILE_TEST_EXISTS));
  {
    /* no temporary folder left behind */
    g_autofree char *parent = g_path_get_dirname (ckpt);
    g_autoptr (GDir) listing = g_dir_open (parent, 0, NULL);
    const char *name;
    while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
      g_assert_null (strstr (name, ".tmp"));
  }
  finish_run (ftcot, dir);
  g_assert_true (g_file_test (ckpt_config, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (summary, G_FILE_TEST_EXISTS));
}

/* ---- the replay teacher over the shared teacher data -------------------------------------------- */

static void
test_replay (void)
{
  g_autofree char *replay = ftc_test_shared_path ("teacher", "text-davinci-002", NULL);
  g_autofree char *datasets = NULL;
  g_autofree char *dir = NULL;
  g_autoptr (GString) json = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcPipeline) p = NULL;
  g_autoptr (FtcExperiment) exp = NULL;
  g_autoptr (GPtrArray) imports = g_ptr_array_new_with_free_func (g_free);
  static const char *const tasks[] = { "aqua", "coin_flip", "commonsense_qa", "gsm8k", "last_letter_concatenation",
                                       "multiarith", "single_eq", "strategy_qa", "tracking_shuffled_objects" };

  if (replay == NULL)
    return;
  if (!g_file_test (replay, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("no shared teacher data");
      return;
    }
  datasets = ftc_test_shared_path ("datasets", NULL);
  g_setenv ("FTCOT_DATA_DIR", datasets, TRUE);
  for (guint i = 0; i < 2; i++)
    {
      const char *key = i == 0 ? "gsm8k" : "commonsense_qa";
      g_autoptr (FtcTask) task = ftc_task_open (key, NULL, &error);
      g_autoptr (GString) lines = g_string_new (NULL);
      g_autofree char *file = g_strconcat (key, ".jsonl", NULL);

      g_assert_no_error (error);
      for (guint k = 0; k < 30 && k < task->test->len; k++)
        {
          FtcSample *s = task->samples->pdata[g_array_index (task->test, int, k)];
          g_autoptr (JsonObject) o = json_object_new ();
          g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
          g_autofree char *line = NULL;
          json_object_set_string_member (o, "question", s->question);
          json_object_set_string_member (o, "answer", s->answer);
          json_object_set_string_member (o, "answer_type", i == 0 ? "number" : "choice");
          json_object_set_string_member (o, "split", k < 20 ? "train" : "test");
          json_node_set_object (node, o);
          line = json_to_string (node, FALSE);
          g_string_append_printf (lines, "%s\n", line);
        }
      g_ptr_array_add (imports, ftc_test_write_tmp (file, lines->str, -1));
    }
  json = g_string_new ("{\"name\": \"replay\", \"tasks\": [");
  for (guint i = 0; i < G_N_ELEMENTS (tasks); i++)
    {
      g_string_append_printf (json, "%s{\"key\": \"%s\", \"split\": \"random\", \"train_size\": 8, \"test_size\": 4",
                              i > 0 ? ", " : "", tasks[i]);
      /* the recorded completions cover the evaluation files (Kojima et al.'s runs): where the dataset has a
       * training file too, the task is an import of evaluation questions split in two, so that every
       * question has a record */
      if (g_str_equal (tasks[i], "gsm8k") || g_str_equal (tasks[i], "commonsense_qa"))
        g_string_append_printf (json, ", \"data_path\": \"%s\"", (const char *) g_ptr_array_index (imports, g_str_equal (tasks[i], "gsm8k") ? 0 : 1));
      g_string_append (json, "}");
    }
  g_string_append_printf (json, "], \"teacher\": {\"kind\": \"replay\", \"replay_path\": \"%s\"},"
                                " \"methods\": [\"teacher\", \"random\", \"vanilla\", \"ft_cot\"],"
                                " \"training\": {\"epochs\": 1, \"batch_size\": 8},"
                                " \"evaluation\": {\"max_new_tokens\": 32, \"batch_size\": 4},"
                                " \"device\": \"cpu\"}", replay);
  exp = ftc_experiment_load_from_data (json->str, -1, "replay.json", NULL, &error);
  g_assert_no_error (error);
  dir = g_build_filename (ftc_test_tmpdir (), "replay", NULL);
  p = ftc_pipeline_new (dir, g_steal_pointer (&exp), &error);
  g_assert_no_error (error);
  if (!ftc_pipeline_run (p, NULL, &error))
    g_error ("replay run: %s", error->message);
  for (guint i = 0; i < G_N_ELEMENTS (tasks); i++)
    {
      const char *methods[] = { "teacher", "random", "vanilla", "ft_cot" };
      for (guint m = 0; m < G_N_ELEMENTS (methods); m++)
        {
          const FtcResult *r = ftc_report_lookup (ftc_pipeline_get_report (p), tasks[i], methods[m]);
          g_assert_nonnull (r);
          g_assert_cmpint (r->n, ==, 4);
          g_assert_true (isfinite (r->accuracy.value));
        }
      for (guint m = 2; m < G_N_ELEMENTS (methods); m++)
        {
          g_autofree char *eval = ftc_experiment_dir_eval (dir, tasks[i], methods[m]);
          g_assert_cmpuint (assert_unique_records (eval), ==, 4);
        }
    }
}

/* A replay teacher without records for the training questions (commonsense_qa's recorded completions
 * are of its dev file, its training questions come from the train file): a clear error, no training */
static void
test_replay_missing (void)
{
  g_autofree char *replay = ftc_test_shared_path ("teacher", "text-davinci-002", NULL);
  g_autofree char *datasets = NULL, *train_file = NULL;
  g_autofree char *json = NULL;
  g_autofree char *dir = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcPipeline) p = NULL;

  if (replay == NULL)
    return;
  datasets = ftc_test_shared_path ("datasets", NULL);
  train_file = g_build_filename (datasets, "commonsense_qa", "train_rand_split.jsonl", NULL);
  if (!g_file_test (replay, G_FILE_TEST_IS_DIR) || !g_file_test (train_file, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no shared teacher data or commonsense_qa");
      return;
    }
  g_setenv ("FTCOT_DATA_DIR", datasets, TRUE);
  json = g_strdup_printf ("{\"tasks\": [{\"key\": \"commonsense_qa\", \"train_size\": 8, \"test_size\": 4}],"
                          " \"teacher\": {\"kind\": \"replay\", \"replay_path\": \"%s\"},"
                          " \"methods\": [\"ft_cot\"], \"device\": \"cpu\"}", replay);
  dir = g_build_filename (ftc_test_tmpdir (), "missing", NULL);
  p = ftc_pipeline_new (dir, parse (json), &error);
  g_assert_no_error (error);
  g_assert_false (ftc_pipeline_run (p, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "commonsense_qa: the teacher gave no answer to any of the 8 train questions"));
  g_assert_nonnull (strstr (error->message, "replay"));
}

/* One source, three programs (tests/meson.build), each well under its timeout: FTC_TEST_PART is "whole",
 * "resume" or "replay". */
/* A second run of an experiment that is being run is refused before it writes anything, and a run
 * gives the directory back when it ends, successful or not. */
static void
test_busy (void)
{
  g_autofree char *dir = g_build_filename (ftc_test_tmpdir (), "exp", NULL);
  g_autofree char *metrics = ftc_experiment_dir_metrics (dir);
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcPipeline) p = ftc_pipeline_new (dir, parse (tiny_experiment), &error);
  FtcDirLock *held;

  g_assert_no_error (error);
  held = ftc_dir_lock_acquire (dir, "experiment", &error);
  g_assert_no_error (error);
  g_assert_false (ftc_pipeline_run (p, NULL, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_BUSY);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, dir));
  g_assert_nonnull (strstr (error->message, "being run by another ftcot"));
  g_assert_false (g_file_test (metrics, G_FILE_TEST_EXISTS));
  g_clear_error (&error);
  ftc_dir_lock_release (held);

  /* a run that fails (cancelled at once) releases the lock */
  {
    g_autoptr (GCancellable) cancel = g_cancellable_new ();
    g_cancellable_cancel (cancel);
    g_assert_false (ftc_pipeline_run (p, cancel, &error));
    g_assert_error (error, FTC_ERROR, FTC_ERROR_CANCELLED);
    g_clear_error (&error);
    held = ftc_dir_lock_acquire (dir, "experiment", &error);
    g_assert_no_error (error);
    ftc_dir_lock_release (held);
  }
}

/* The losses one method's student logged, in step order, read through core's metrics.jsonl reader. */
static GArray *
method_losses (const char *metrics, const char *method)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcMetricsLog) log = ftc_metrics_log_open (metrics, &error);
  GArray *losses = g_array_new (FALSE, FALSE, sizeof (double));
  FtcMetricsLine line;

  g_assert_no_error (error);
  ftc_metrics_line_init (&line);
  while (ftc_metrics_log_next (log, &line, &error))
    if (strcmp (line.method, method) == 0 && !isnan (line.loss))
      g_array_append_val (losses, line.loss);
  g_assert_no_error (error);
  ftc_metrics_line_clear (&line);
  return losses;
}

/* Adding a method (ft_cot_d2) to an experiment changes neither the vocabulary nor the students of the
 * other methods: the same tokenizer files and the same loss at every step of vanilla and ft_cot. */
static void
test_methods_independent (void)
{
  g_autofree char *root = ftc_test_tmpdir ();
  g_autofree char *dirs[2] = { g_build_filename (root, "two", NULL), g_build_filename (root, "three", NULL) };
  static const char *const method_lists[2][3] = { { "vanilla", "ft_cot", NULL }, { "vanilla", "ft_cot", "ft_cot_d2" } };

  for (guint e = 0; e < 2; e++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (FtcExperiment) exp = parse (tiny_experiment);
      g_autoptr (FtcPipeline) p = NULL;

      exp->training.epochs = 1;
      g_array_set_size (exp->methods, 0);
      for (guint m = 0; m < 3 && method_lists[e][m] != NULL; m++)
        {
          FtcMethod method;
          g_assert_true (ftc_method_parse (method_lists[e][m], &method));
          g_array_append_val (exp->methods, method);
        }
      p = ftc_pipeline_new (dirs[e], g_steal_pointer (&exp), &error);
      g_assert_no_error (error);
      g_assert_true (ftc_pipeline_run (p, NULL, &error));
      g_assert_no_error (error);
    }
  for (const char *const *file = (const char *const[]) { "vocab.json", "merges.txt", NULL }; *file; file++)
    {
      g_autofree char *a = NULL, *b = NULL;
      gsize na, nb;
      g_autofree char *tok_a = ftc_experiment_dir_checkpoints (dirs[0], TASK, "tokenizer");
      g_autofree char *tok_b = ftc_experiment_dir_checkpoints (dirs[1], TASK, "tokenizer");
      g_autofree char *pa = g_build_filename (tok_a, *file, NULL), *pb = g_build_filename (tok_b, *file, NULL);
      g_assert_true (g_file_get_contents (pa, &a, &na, NULL));
      g_assert_true (g_file_get_contents (pb, &b, &nb, NULL));
      g_assert_cmpmem (a, na, b, nb);
    }
  for (const char *const *m = (const char *const[]) { "vanilla", "ft_cot", NULL }; *m; m++)
    {
      g_autofree char *ma = ftc_experiment_dir_metrics (dirs[0]), *mb = ftc_experiment_dir_metrics (dirs[1]);
      g_autoptr (GArray) la = method_losses (ma, *m), lb = method_losses (mb, *m);
      g_assert_cmpuint (la->len, >, 0);
      g_assert_cmpmem (la->data, la->len * sizeof (double), lb->data, lb->len * sizeof (double));
    }
}

/* experiment.json edited after a finished run: a changed training setting is refused with what changed
 * (never "trained already" with the old student's results), a changed evaluation setting evaluates the
 * students again, and what a killed checkpoint save left behind is removed. */
static void
test_settings_changed (void)
{
  g_autofree char *dir = g_build_filename (ftc_test_tmpdir (), "exp", NULL);
  g_autofree char *config = ftc_experiment_dir_config (dir);
  g_autofree char *metrics = ftc_experiment_dir_metrics (dir);
  g_autofree char *ckpt = ftc_experiment_dir_checkpoints (dir, TASK, "vanilla");
  g_autofree char *leftover = g_strconcat (ckpt, ".tmp-Q7fZ2a", NULL);
  g_autofree char *leftover_file = g_build_filename (leftover, "model.safetensors", NULL);
  g_autofree char *eval = ftc_experiment_dir_eval (dir, TASK, "vanilla");
  g_autofree char *eval_manifest = g_build_filename (dir, "eval", TASK ".vanilla.json", NULL);
  g_autofree char *manifest_text = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcExperiment) exp = parse (tiny_experiment);
  guint loss_lines;

  {
    g_autoptr (FtcPipeline) p = ftc_pipeline_new (dir, parse (tiny_experiment), &error);
    g_assert_no_error (error);
    g_assert_true (ftc_pipeline_run (p, NULL, &error));
    g_assert_no_error (error);
  }
  loss_lines = count_lines (metrics, "\"loss\"");
  g_assert_true (g_file_get_contents (eval_manifest, &manifest_text, NULL, NULL));
  g_assert_nonnull (strstr (manifest_text, "\"max_new_tokens\": 48"));
  g_clear_pointer (&manifest_text, g_free);
  g_assert_cmpint (g_mkdir_with_parents (leftover, 0755), ==, 0);
  g_assert_true (g_file_set_contents (leftover_file, "half", -1, NULL));

  /* evaluation: evaluated again with the new limit, nothing trained again */
  exp->evaluation.max_new_tokens = 40;
  g_assert_true (ftc_experiment_save (exp, config, &error));
  {
    g_autoptr (FtcPipeline) p = ftc_pipeline_new (dir, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (ftc_pipeline_run (p, NULL, &error));
    g_assert_no_error (error);
  }
  g_assert_false (g_file_test (leftover, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_lines (metrics, "\"loss\""), ==, loss_lines);
  g_assert_true (g_file_get_contents (eval_manifest, &manifest_text, NULL, NULL));
  g_assert_nonnull (strstr (manifest_text, "\"max_new_tokens\": 40"));
  g_assert_cmpuint (assert_unique_records (eval), ==, 8);
  {
    /* every record is the new evaluation's: none reaches past 40 new tokens */
    g_autoptr (GPtrArray) records = ftc_record_read_file (eval, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < records->len; i++)
      g_assert_cmpint (((FtcRecord *) records->pdata[i])->completion_tokens, <=, 40);
  }

  /* training: refused, saying what changed and how to start over */
  exp->training.epochs = 3;
  g_assert_true (ftc_experiment_save (exp, config, &error));
  {
    g_autoptr (FtcPipeline) p = ftc_pipeline_new (dir, NULL, &error);
    g_assert_no_error (error);
    g_assert_false (ftc_pipeline_run (p, NULL, &error));
    g_assert_error (error, FTC_ERROR, FTC_ERROR_MISMATCH);
    g_test_message ("%s", error->message);
    g_assert_nonnull (strstr (error->message, "training.epochs: 2 then, 3 now"));
    g_assert_nonnull (strstr (error->message, ckpt));
    g_assert_nonnull (strstr (error->message, "Delete"));
  }
  g_assert_cmpuint (count_lines (metrics, "\"loss\""), ==, loss_lines);
}

#ifndef FTC_TEST_PART
#define FTC_TEST_PART "whole"
#endif

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (g_str_equal (FTC_TEST_PART, "whole"))
    {
      g_test_add_func ("/pipeline/whole", test_whole);
      g_test_add_func ("/pipeline/teacher-all-wrong", test_teacher_all_wrong);
      g_test_add_func ("/pipeline/unknown-key", test_unknown_key);
      g_test_add_func ("/pipeline/curves-resumed", test_curves_resumed);
      g_test_add_func ("/pipeline/methods-independent", test_methods_independent);
      g_test_add_func ("/pipeline/busy", test_busy);
      g_test_add_func ("/pipeline/settings-changed", test_settings_changed);
    }
  else if (g_str_equal (FTC_TEST_PART, "resume"))
    {
      g_test_add_func ("/pipeline/kill-resume", test_kill_resume);
      g_test_add_func ("/pipeline/disk-full", test_disk_full);
    }
  else
    {
      g_test_add_func ("/pipeline/replay-missing", test_replay_missing);
      g_test_add_func ("/pipeline/replay", test_replay);
    }
  return g_test_run ();
}
