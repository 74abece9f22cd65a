/* test-pipeline-keys.c: experiment.json keys that change what `ftcot run` does, each through
 * ftc_pipeline_run on a tiny experiment (cpu backend, "tiny" student):
 *   training.completion_only_loss   false puts a loss on the prompt tokens too: another training loss
 *   evaluation.greedy               false samples the headline answers (records, summary and table say so),
 *                                   from a stream per question, so a resumed evaluation gives the same answers
 *   teacher.budget_tokens           an openai teacher stops at the token budget with the budget error
 *   teacher.price_file, price_*     the teacher's cost is counted at the file's, or the explicit, prices
 *   the per-request answer store    an answer received before a run stopped is not requested again
 * The openai teacher is the local fake server (tests/ftc-fake-openai.h) on 127.0.0.1. */
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "core/ftc-error.h"
#include "core/method/ftc-pipeline.h"
#include "core/tasks/ftc-record.h"
#include "core/results/ftc-report.h"
#include "tests/ftc-fake-openai.h"
#include "tests/ftc-test-util.h"

#define TASK "synthetic_coin_flip"

static FtcPipeline *
new_pipeline (const char *name, const char *json)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *root = ftc_test_tmpdir ();
  g_autofree char *dir = g_build_filename (root, name, NULL);
  FtcExperiment *exp = ftc_experiment_load_from_data (json, -1, "experiment.json", NULL, &error);
  FtcPipeline *p;

  g_assert_no_error (error);
  p = ftc_pipeline_new (dir, exp, &error);
  g_assert_no_error (error);
  return p;
}

static void
run_ok (FtcPipeline *p)
{
  g_autoptr (GError) error = NULL;

  if (!ftc_pipeline_run (p, NULL, &error))
    g_error ("%s: %s", ftc_pipeline_get_dir (p), error->message);
}

static JsonObject *
read_json_object (const char *path)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* The "loss" of each training line of metrics.jsonl, in order. */
static GArray *
read_losses (const char *dir)
{
  g_autofree char *path = ftc_experiment_dir_metrics (dir);
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  GArray *losses = g_array_new (FALSE, FALSE, sizeof (double));

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      JsonObject *o;
      double loss;

      if (lines[i][0] == '\0')
        continue;
      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, NULL));
      o = json_node_get_object (json_parser_get_root (parser));
      if (!json_object_has_member (o, "loss"))
        continue;
      loss = json_object_get_double_member (o, "loss");
      g_array_append_val (losses, loss);
    }
  return losses;
}

/* ---- training.completion_only_loss ---------------------------------------------------------------- */

static char *
loss_experiment (gboolean completion_only)
{
  return g_strdup_printf (
    "{\"tasks\": [{\"key\": \"" TASK "\", \"n\": 60, \"train_size\": 16, \"test_size\": 4}],"
    " \"methods\": [\"vanilla\"], \"student\": {\"preset\": \"tiny\"},"
    " \"training\": {\"epochs\": 1, \"batch_size\": 8, \"learning_rate\": 0.001, \"eval_every_epoch\": false,"
    "              \"completion_only_loss\": %s},"
    " \"evaluation\": {\"max_new_tokens\": 8, \"batch_size\": 4}, \"seeds\": 1, \"device\": \"cpu\"}",
    completion_only ? "true" : "false");
}

/* Two runs that differ only in the key: the same student, examples and batches, so the losses are equal
 * to the last bit unless the loss covers other tokens. (test-trainer.c checks the whole-text loss against
 * a hand-computed mask; this checks that `ftcot run` passes the key to the trainer.) */
static void
test_completion_only_loss (void)
{
  g_autofree char *json_a = loss_experiment (TRUE);
  g_autofree char *json_b = loss_experiment (FALSE);
  g_autoptr (FtcPipeline) a = new_pipeline ("loss-completion", json_a);
  g_autoptr (FtcPipeline) b = new_pipeline ("loss-whole", json_b);
  g_autoptr (GArray) la = NULL;
  g_autoptr (GArray) lb = NULL;

  run_ok (a);
  run_ok (b);
  la = read_losses (ftc_pipeline_get_dir (a));
  lb = read_losses (ftc_pipeline_get_dir (b));
  g_assert_cmpuint (la->len, ==, 2);
  g_assert_cmpuint (lb->len, ==, 2);
  for (guint i = 0; i < la->len; i++)
    {
      double x = g_array_index (la, double, i), y = g_array_index (lb, double, i);
      g_test_message ("step %u: loss %.6f on completion tokens, %.6f on the whole text", i + 1, x, y);
      g_assert_true (isfinite (x) && isfinite (y));
      /* at random initialisation every token costs about log V: a small but clear difference */
      g_assert_cmpfloat (fabs (x - y), >, 1e-4 * x);
    }
}

/* ---- evaluation.greedy ---------------------------------------------------------------------------- */

static char *
decoding_experiment (gboolean greedy)
{
  /* the zero-shot student: untrained, so no training time, and its answers are anything but certain */
  return g_strdup_printf (
    "{\"tasks\": [{\"key\": \"" TASK "\", \"n\": 60, \"train_size\": 16, \"test_size\": 8}],"
    " \"methods\": [\"zero_shot\"], \"student\": {\"preset\": \"tiny\"},"
    " \"evaluation\": {\"greedy\": %s, \"sampled_temperature\": 0.9, \"max_new_tokens\": 12, \"batch_size\": 3},"
    " \"seeds\": {\"split\": 1, \"teacher\": 1, \"train\": 1, \"eval\": 5}, \"device\": \"cpu\"}",
    greedy ? "true" : "false");
}

/* sample_id -> the eval record (JsonObject) */
static GHashTable *
read_eval (const char *dir)
{
  g_autofree char *path = ftc_experiment_dir_eval (dir, TASK, "zero_shot");
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  GHashTable *by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) json_object_unref);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      JsonObject *o;

      if (lines[i][0] == '\0')
        continue;
      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, NULL));
      o = json_node_get_object (json_parser_get_root (parser));
      g_assert_false (g_hash_table_contains (by_id, json_object_get_string_member (o, "sample_id")));
      g_hash_table_insert (by_id, g_strdup (json_object_get_string_member (o, "sample_id")), json_object_ref (o));
    }
  return by_id;
}

/* Drops the last n lines of a file (what a run stopped before writing them would have left). */
static void
drop_last_lines (const char *path, guint n)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GString) kept = g_string_new (NULL);
  guint count;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_strchomp (contents);
  lines = g_strsplit (contents, "\n", -1);
  count = g_strv_length (lines);
  g_assert_cmpuint (count, >, n);
  for (guint i = 0; i + n < count; i++)
    g_string_append_printf (kept, "%s\n", lines[i]);
  g_assert_true (g_file_set_contents (path, kept->str, -1, NULL));
}

static void
test_sampled_headline (void)
{
  g_autofree char *json_g = decoding_experiment (TRUE);
  g_autofree char *json_s = decoding_experiment (FALSE);
  g_autoptr (FtcPipeline) greedy = new_pipeline ("greedy", json_g);
  g_autoptr (FtcPipeline) sampled = new_pipeline ("sampled", json_s);
  g_autoptr (GHashTable) eg = NULL;
  g_autoptr (GHashTable) es = NULL;
  g_autoptr (GHashTable) resumed = NULL;
  g_autofree char *table_g = NULL, *table_s = NULL;
  GHashTableIter it;
  gpointer key, value;
  guint differ = 0;

  run_ok (greedy);
  run_ok (sampled);
  eg = read_eval (ftc_pipeline_get_dir (greedy));
  es = read_eval (ftc_pipeline_get_dir (sampled));
  g_assert_cmpuint (g_hash_table_size (eg), ==, 8);
  g_assert_cmpuint (g_hash_table_size (es), ==, 8);
  g_hash_table_iter_init (&it, es);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      JsonObject *s = value, *g = g_hash_table_lookup (eg, key);
      g_assert_nonnull (g);
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (s, "temperature"), 0.9, 1e-6);
      g_assert_true (json_object_has_member (s, "seed"));
      g_assert_cmpfloat (json_object_get_double_member (g, "temperature"), ==, 0.0);
      g_assert_false (json_object_has_member (g, "seed"));
      differ += g_strcmp0 (json_object_get_string_member (s, "completion"),
                           json_object_get_string_member (g, "completion")) != 0;
    }
  g_test_message ("%u of 8 sampled answers differ from the greedy ones", differ);
  /* an untrained student at temperature 0.9 over a vocabulary of hundreds of tokens: sampling 12 tokens
   * gives the greedy text back almost never */
  g_assert_cmpuint (differ, >=, 6);

  /* the labels: summary.json (re-read) and the terminal table */
  {
    g_autofree char *summary = g_build_filename (ftc_pipeline_get_dir (sampled), "report", "summary.json", NULL);
    g_autoptr (JsonObject) o = read_json_object (summary);
    JsonObject *d = json_object_get_object_member (o, "decoding");
    g_autoptr (GError) error = NULL;
    g_autoptr (FtcReport) back = ftc_report_load_json (summary, &error);

    g_assert_nonnull (d);
    g_assert_false (json_object_get_boolean_member (d, "greedy"));
    g_assert_cmpfloat_with_epsilon (json_object_get_double_member (d, "temperature"), 0.9, 1e-9);
    g_assert_cmpint (json_object_get_int_member (d, "seed"), ==, 5);
    g_assert_no_error (error);
    g_assert_cmpfloat_with_epsilon (back->decoding_temperature, 0.9, 1e-9);
  }
  {
    g_autofree char *summary = g_build_filename (ftc_pipeline_get_dir (greedy), "report", "summary.json", NULL);
    g_autoptr (JsonObject) o = read_json_object (summary);
    g_assert_true (json_object_get_boolean_member (json_object_get_object_member (o, "decoding"), "greedy"));
  }
  table_g = ftc_report_format_table (ftc_pipeline_get_report (greedy));
  table_s = ftc_report_format_table (ftc_pipeline_get_report (sampled));
  g_test_message ("%s%s", table_g, table_s);
  g_assert_nonnull (strstr (table_g, "greedy decoding"));
  g_assert_null (strstr (table_s, "greedy"));
  g_assert_nonnull (strstr (table_s, "sampled at temperature 0.9 (seed 5)"));

  /* an evaluation stopped before its last answers, resumed: they are decoded again in other batches, from
   * the same streams, so they come out the same */
  {
    g_autofree char *eval = ftc_experiment_dir_eval (ftc_pipeline_get_dir (sampled), TASK, "zero_shot");
    g_autoptr (FtcPipeline) again = NULL;
    g_autoptr (GError) error = NULL;
    drop_last_lines (eval, 4);
    again = ftc_pipeline_new (ftc_pipeline_get_dir (sampled), NULL, &error);
    g_assert_no_error (error);
    run_ok (again);
    resumed = read_eval (ftc_pipeline_get_dir (sampled));
    g_assert_cmpuint (g_hash_table_size (resumed), ==, 8);
    g_hash_table_iter_init (&it, es);
    while (g_hash_table_iter_next (&it, &key, &value))
      g_assert_cmpstr (json_object_get_string_member (value, "completion"), ==,
                       json_object_get_string_member (g_hash_table_lookup (resumed, key), "completion"));
  }
}

/* ---- openai teacher: budgets, prices, the answer store -------------------------------------------- */

static char *
openai_experiment (FtcFakeOpenai *fake, const char *model, const char *extra)
{
  return g_strdup_printf (
    "{\"tasks\": [{\"key\": \"" TASK "\", \"n\": 60, \"train_size\": 8, \"test_size\": 12}],"
    " \"teacher\": {\"kind\": \"openai\", \"endpoint\": \"%s/v1\", \"api\": \"completions\", \"model\": \"%s\","
    "               \"key_env\": \"FTCOT_TEST_KEY\", \"in_flight\": 2, \"retries\": 0%s},"
    " \"methods\": [\"teacher\"], \"seeds\": 1, \"device\": \"cpu\"}",
    ftc_fake_openai_url (fake), model, extra);
}

static JsonObject *
teach_summary (FtcPipeline *p)
{
  g_autofree char *path = g_build_filename (ftc_pipeline_get_dir (p), "teacher", TASK ".test.summary.json", NULL);
  return read_json_object (path);
}

static void
test_budget_tokens (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcFakeOpenai) fake = ftc_fake_openai_new (&error);
  g_autofree char *json = NULL;
  g_autoptr (FtcPipeline) p = NULL;
  g_autoptr (JsonObject) summary = NULL;
  g_autofree char *records = NULL;
  JsonObject *u;
  gint64 used;
  guint n_records;

  g_assert_no_error (error);
  /* 12 questions of two requests each need thousands of tokens; 1500 is enough for a few */
  json = openai_experiment (fake, "my-local-model", ", \"budget_tokens\": 1500");
  p = new_pipeline ("budget-tokens", json);
  g_assert_false (ftc_pipeline_run (p, NULL, &error));
  g_test_message ("%s", error->message);
  g_assert_error (error, FTC_ERROR, FTC_ERROR_BUDGET);
  g_assert_nonnull (strstr (error->message, "budget of 1500 tokens reached"));
  g_clear_error (&error);

  summary = teach_summary (p);
  u = json_object_get_object_member (summary, "usage");
  used = json_object_get_int_member (u, "prompt_tokens") + json_object_get_int_member (u, "completion_tokens");
  records = g_build_filename (ftc_pipeline_get_dir (p), "teacher", TASK ".test.jsonl", NULL);
  {
    g_autoptr (GPtrArray) recs = ftc_record_read_file (records, &error);
    g_assert_no_error (error);
    n_records = recs->len;
  }
  g_test_message ("%" G_GINT64_FORMAT " tokens used, %u records, %u requests", used, n_records,
                  ftc_fake_openai_requests (fake));
  g_assert_cmpstr (json_object_get_string_member (summary, "status"), ==, "budget");
  g_assert_cmpint (used, >, 0);
  g_assert_cmpint (used, <=, 1500);
  g_assert_cmpuint (n_records, >, 0);
  g_assert_cmpuint (n_records, <, 12);
}

/* Costs counted at the price file's prices for a model the built-in table does not know, then at explicit
 * prices, which win over the file's. */
static void
test_prices (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcFakeOpenai) fake = ftc_fake_openai_new (&error);
  g_autofree char *price_file = ftc_test_write_tmp ("prices.json",
                                                    "{\"models\": {\"my-local-model\": {\"prompt\": 1000, "
                                                    "\"completion\": 3000}}}", -1);
  struct { const char *name, *extra_fmt; double prompt, completion; } cases[] = {
    { "price-file", ", \"price_file\": \"%s\", \"budget_usd\": 1000", 1000, 3000 },
    { "price-explicit", ", \"price_file\": \"%s\", \"price_prompt_per_mtok\": 200, "
                        "\"price_completion_per_mtok\": 700", 200, 700 },
  };

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *extra = g_strdup_printf (cases[i].extra_fmt, price_file);
      g_autofree char *json = openai_experiment (fake, "my-local-model", extra);
      g_autoptr (FtcPipeline) p = new_pipeline (cases[i].name, json);
      g_autoptr (JsonObject) summary = NULL;
      JsonObject *u;
      double expected, cost;

      run_ok (p);
      summary = teach_summary (p);
      u = json_object_get_object_member (summary, "usage");
      g_assert_true (json_object_has_member (u, "cost_usd"));
      cost = json_object_get_double_member (u, "cost_usd");
      expected = (json_object_get_int_member (u, "prompt_tokens") * cases[i].prompt
                  + json_object_get_int_member (u, "completion_tokens") * cases[i].completion) / 1e6;
      g_test_message ("%s: $%.6f spent, $%.6f at the expected prices", cases[i].name, cost, expected);
      g_assert_cmpfloat (expected, >, 0);
      g_assert_cmpfloat_with_epsilon (cost, expected, 1e-9 * expected);
    }
}

/* A run that stopped after answers arrived but before their records were written (the last lines of the
 * teacher file gone): the next run takes them from TASK.test.requests.jsonl and sends nothing. */
static void
test_request_store (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcFakeOpenai) fake = ftc_fake_openai_new (&error);
  g_autofree char *json = NULL;
  g_autoptr (FtcPipeline) p = NULL;
  g_autoptr (FtcPipeline) again = NULL;
  g_autofree char *records = NULL, *requests = NULL;
  guint sent;

  g_assert_no_error (error);
  json = openai_experiment (fake, "text-davinci-002", "");
  p = new_pipeline ("requests", json);
  run_ok (p);
  sent = ftc_fake_openai_requests (fake);
  g_assert_cmpuint (sent, ==, 12 * 2);   /* step 1 and step 2 of each question */
  records = g_build_filename (ftc_pipeline_get_dir (p), "teacher", TASK ".test.jsonl", NULL);
  requests = g_build_filename (ftc_pipeline_get_dir (p), "teacher", TASK ".test.requests.jsonl", NULL);
  g_assert_true (g_file_test (requests, G_FILE_TEST_IS_REGULAR));

  drop_last_lines (records, 3);
  again = ftc_pipeline_new (ftc_pipeline_get_dir (p), NULL, &error);
  g_assert_no_error (error);
  run_ok (again);
  g_test_message ("requests: %u in the first run, %u after the rerun", sent, ftc_fake_openai_requests (fake));
  g_assert_cmpuint (ftc_fake_openai_requests (fake), ==, sent);
  {
    g_autoptr (GPtrArray) recs = ftc_record_read_file (records, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (recs->len, ==, 12);
  }
  g_assert_cmpint (ftc_report_lookup (ftc_pipeline_get_report (again), TASK, "teacher")->n, ==, 12);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("FTCOT_TEST_KEY", "sk-test", TRUE);
  g_test_add_func ("/pipeline-keys/completion-only-loss", test_completion_only_loss);
  g_test_add_func ("/pipeline-keys/sampled-headline", test_sampled_headline);
  g_test_add_func ("/pipeline-keys/budget-tokens", test_budget_tokens);
  g_test_add_func ("/pipeline-keys/prices", test_prices);
  g_test_add_func ("/pipeline-keys/request-store", test_request_store);
  return g_test_run ();
}
