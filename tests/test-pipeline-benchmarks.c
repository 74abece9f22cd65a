/* test-pipeline-benchmarks.c: an experiment that teaches one task and evaluates on benchmarks, as reasoning
 * distillation is reported: a user's JSONL of math problems is taught by a reasoning model (the fake server,
 * boxed prompt, streamed), a tiny student learns the written answers, and the teacher (4 answers a question)
 * and the student (2 sampled answers a question) are tested on excerpts of AMC23 and AIME 2025; the report
 * has a row per benchmark with pass@1 = avg@k. cpu backend, "tiny" student. */
#include <math.h>
#include <string.h>

#include "core/ftc-error.h"
#include "core/method/ftc-pipeline.h"
#include "core/results/ftc-report.h"
#include "core/tasks/ftc-record.h"
#include "core/tasks/ftc-task-open.h"
#include "tests/ftc-fake-openai.h"
#include "tests/ftc-test-util.h"

static char *
excerpts_dir (void)
{
  const char *root = g_getenv ("FTCOT_SOURCE_ROOT");
  return g_build_filename (root != NULL ? root : ".", "tests", "data", "benchmarks", NULL);
}

/* The fake teacher knows the gold of every training problem and of AMC23's questions. */
static char *
write_problems (FtcFakeOpenai *fake)
{
  g_autoptr (GString) s = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTask) amc = ftc_task_open ("amc23", NULL, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < amc->samples->len; i++)
    {
      FtcSample *sample = amc->samples->pdata[i];
      ftc_fake_openai_set_boxed_answer (fake, sample->question, sample->answer);
    }
  for (int i = 0; i < 8; i++)
    {
      g_autofree char *question = g_strdup_printf ("What is %d plus %d?", i, 2 * i);
      g_autofree char *answer = g_strdup_printf ("%d", 3 * i);
      g_string_append_printf (s, "{\"question\": \"%s\", \"answer\": \"%s\", \"answer_type\": \"math\", "
                              "\"split\": \"train\"}\n", question, answer);
      ftc_fake_openai_set_boxed_answer (fake, question, answer);
    }
  return ftc_test_write_tmp ("problems.jsonl", s->str, s->len);
}

static JsonObject *
read_json_object (const char *path)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_benchmarks (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcFakeOpenai) fake = ftc_fake_openai_new (&error);
  g_autofree char *problems = write_problems (fake);
  g_autofree char *root = ftc_test_tmpdir ();
  g_autofree char *dir = g_build_filename (root, "distil", NULL);
  g_autofree char *json = g_strdup_printf (
    "{\"tasks\": [{\"key\": \"problems\", \"data_path\": \"%s\", \"benchmarks\": [\"amc23\", \"aime_2025\"]}],"
    " \"teacher\": {\"kind\": \"openai\", \"endpoint\": \"%s\", \"model\": \"deepseek-reasoner\", \"api\": \"chat\","
    "   \"prompt_style\": \"boxed\", \"max_completion_tokens\": 4096, \"stream\": true, \"samples\": 2,"
    "   \"temperature\": 0.6},"
    " \"curation\": {\"target\": \"answer\"},"
    " \"student\": {\"preset\": \"tiny\"},"
    " \"methods\": [\"teacher\", \"random\", \"ft_cot\"],"
    " \"training\": {\"epochs\": 1, \"batch_size\": 4, \"max_seq_len\": 128},"
    " \"evaluation\": {\"max_new_tokens\": 12, \"batch_size\": 8, \"teacher_k\": 4, \"sampled_k\": 2, \"sampled_n\": 2},"
    " \"device\": \"cpu\"}", problems, ftc_fake_openai_url (fake));
  g_autoptr (FtcExperiment) exp = ftc_experiment_load_from_data (json, -1, "experiment.json", NULL, &error);
  g_autoptr (FtcPipeline) pipeline = NULL;
  g_autofree char *summary_path = NULL;
  g_autoptr (JsonObject) summary = NULL;
  const FtcReport *report;
  const FtcResult *teacher, *student, *random;
  g_autofree char *table = NULL;
  g_autofree char *amc_records = g_build_filename (dir, "teacher", "amc23.test.jsonl", NULL);
  g_autoptr (GPtrArray) records = NULL;

  g_assert_no_error (error);
  pipeline = ftc_pipeline_new (dir, g_steal_pointer (&exp), &error);
  g_assert_no_error (error);
  if (!ftc_pipeline_run (pipeline, NULL, &error))
    g_error ("%s", error->message);
  report = ftc_pipeline_get_report (pipeline);

  /* the task taught has no test questions: its students' results are the benchmarks' */
  g_assert_null (ftc_report_lookup (report, "problems", "ft_cot"));
  g_assert_cmpstr (ftc_report_get_trained_on (report, "amc23"), ==, "problems");
  g_assert_cmpstr (ftc_report_get_trained_on (report, "aime_2025"), ==, "problems");

  /* the teacher on AMC23: 4 answers a question, the fourth (999) wrong: avg@4 75, pass@4 and maj@4 100, and
   * the first answer of each right */
  teacher = ftc_report_lookup (report, "amc23", "teacher");
  g_assert_nonnull (teacher);
  g_assert_cmpint (teacher->n, ==, 2);
  g_assert_cmpint (teacher->correct, ==, 2);
  g_assert_cmpint (teacher->sampled_k, ==, 4);
  g_assert_cmpfloat_with_epsilon (teacher->avg_at_k.value, 75.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (teacher->pass_at_k.value, 100.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (teacher->maj_at_k.value, 100.0, 1e-9);
  records = ftc_record_read_file (amc_records, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 8);
  for (guint i = 0; i < records->len; i++)
    {
      FtcRecord *r = records->pdata[i];
      g_assert_nonnull (strstr (r->rationale, "Okay, let me work through"));
      g_assert_nonnull (strstr (r->completion, "\\boxed{"));
    }

  /* the student on both benchmarks, headline and sampled */
  for (int b = 0; b < 2; b++)
    {
      const char *bench = b == 0 ? "amc23" : "aime_2025";
      g_autofree char *eval = g_strdup_printf ("%s/eval/%s.ft_cot.jsonl", dir, bench);
      student = ftc_report_lookup (report, bench, "ft_cot");
      g_assert_nonnull (student);
      g_assert_cmpint (student->n, ==, 2);
      g_assert_cmpint (student->sampled_k, ==, 2);
      g_assert_true (isfinite (student->avg_at_k.value));
      g_assert_cmpint (student->last_epoch, ==, 1);
      g_assert_cmpint (student->train_size, ==, 8);
      g_assert_true (g_file_test (eval, G_FILE_TEST_IS_REGULAR));
      /* math answers have no chance level */
      random = ftc_report_lookup (report, bench, "random");
      g_assert_nonnull (random);
      g_assert_cmpfloat (random->accuracy.value, ==, 0.0);
    }

  /* the table and summary.json say which benchmark tested which task's students */
  table = ftc_report_format_table (report);
  g_test_message ("%s", table);
  g_assert_nonnull (strstr (table, "Benchmarks: pass@1"));
  g_assert_nonnull (strstr (table, "AMC23"));
  g_assert_nonnull (strstr (table, "Teacher (avg@4)"));
  g_assert_nonnull (strstr (table, "75.0 ["));
  {
    /* the same pass@1 as bars: one group per benchmark, one series per method (the teacher's avg@4 75) */
    g_autofree char *png = g_build_filename (dir, "report", "benchmarks.png", NULL);
    g_autoptr (FtcChart) chart = ftc_report_chart_benchmarks (report);
    g_assert_true (g_file_test (png, G_FILE_TEST_IS_REGULAR));
    g_assert_nonnull (chart);
    g_assert_cmpint (ftc_chart_get_n_series (chart), ==, 3);
  }
  summary_path = g_build_filename (dir, "report", "summary.json", NULL);
  summary = read_json_object (summary_path);
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (json_object_get_object_member (summary, "benchmarks"), "amc23"),
                     "trained_on"), ==, "problems");
  {
    g_autoptr (FtcReport) again = ftc_report_load_json (summary_path, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (ftc_report_get_trained_on (again, "aime_2025"), ==, "problems");
  }

  /* a second run asks the teacher nothing again */
  {
    guint requests = ftc_fake_openai_requests (fake);
    g_autoptr (FtcExperiment) exp2 = ftc_experiment_load_from_data (json, -1, "experiment.json", NULL, &error);
    g_autoptr (FtcPipeline) again = ftc_pipeline_new (dir, g_steal_pointer (&exp2), &error);
    g_assert_no_error (error);
    if (!ftc_pipeline_run (again, NULL, &error))
      g_error ("%s", error->message);
    g_assert_cmpuint (ftc_fake_openai_requests (fake), ==, requests);
  }
}

/* What the schema refuses. */
static void
test_schema (void)
{
  static const struct {
    const char *json;
    const char *message;
  } cases[] = {
    { "{\"tasks\": [{\"key\": \"aime_2024\"}], \"methods\": [\"ft_cot\"]}",
      "aime_2024 has no training questions to teach or learn from; teach another task" },
    { "{\"tasks\": [{\"key\": \"synthetic_coin_flip\", \"benchmarks\": [\"aime_2042\"]}]}", "unknown task 'aime_2042'" },
    { "{\"tasks\": [{\"key\": \"synthetic_coin_flip\", \"benchmarks\": [\"math_train\"]}]}", "has no test questions" },
    { "{\"tasks\": [{\"key\": \"synthetic_coin_flip\", \"benchmarks\": [\"amc23\"]}, {\"key\": \"synthetic_arithmetic\","
      " \"benchmarks\": [\"amc23\"]}]}", "'amc23' is listed twice" },
    { "{\"tasks\": [{\"key\": \"synthetic_coin_flip\", \"benchmarks\": [\"synthetic_coin_flip\"]}]}",
      "is also a task of the experiment" },
    { "{\"tasks\": [{\"key\": \"synthetic_coin_flip\", \"benchmarks\": \"amc23\"}]}", "must be an array of strings" },
    { "{\"tasks\": [{\"key\": \"synthetic_coin_flip\", \"split\": \"validation\"}]}", "has no validation split" },
    { "{\"evaluation\": {\"teacher_k\": 4, \"sampled_temperature\": 0}}", "teacher_k 4 samples the teacher" },
    { "{\"curation\": {\"target\": \"trimmed\"}}", "needs curation.max_trace_chars" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (FtcExperiment) exp = ftc_experiment_load_from_data (cases[i].json, -1, "experiment.json", NULL, &error);
      if (exp != NULL || strstr (error->message, cases[i].message) == NULL)
        g_error ("case %" G_GSIZE_FORMAT ": %s", i, exp != NULL ? "accepted" : error->message);
    }
  /* a task with benchmarks reads back as written; one without writes no "benchmarks" key */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (FtcExperiment) exp = ftc_experiment_load_from_data (
      "{\"tasks\": [{\"key\": \"arc_challenge\", \"split\": \"validation\", \"benchmarks\": [\"math500\"]}],"
      " \"methods\": [\"teacher\"], \"evaluation\": {\"teacher_k\": 8}}", -1, "experiment.json", NULL, &error);
    g_autoptr (FtcExperiment) copy = NULL;
    g_autoptr (JsonNode) node = NULL;
    g_assert_no_error (error);
    copy = ftc_experiment_copy (exp);
    g_assert_cmpstr (((FtcExperimentTask *) copy->tasks->pdata[0])->benchmarks[0], ==, "math500");
    g_assert_null (((FtcExperimentTask *) copy->tasks->pdata[0])->benchmarks[1]);
    g_assert_cmpint (copy->evaluation.teacher_k, ==, 8);
    g_clear_pointer (&exp, ftc_experiment_free);
    exp = ftc_experiment_new ();
    node = ftc_experiment_to_json (exp);
    g_assert_false (json_object_has_member (json_array_get_object_element (
                      json_object_get_array_member (json_node_get_object (node), "tasks"), 0), "benchmarks"));
  }
}

int
main (int argc, char **argv)
{
  g_autofree char *data = excerpts_dir ();

  /* the benchmarks come from the excerpts of their published files */
  g_setenv ("FTCOT_DATA_DIR", data, TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pipeline-benchmarks/benchmarks", test_benchmarks);
  g_test_add_func ("/pipeline-benchmarks/schema", test_schema);
  return g_test_run ();
}
