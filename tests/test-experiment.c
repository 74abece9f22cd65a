/* test-experiment: experiment.json parsing, defaults, strict errors, write-back and directory layout. */
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "core/ftc-error.h"
#include "core/method/ftc-experiment.h"
#include "core/ftc-json-out.h"
#include "tests/ftc-test-util.h"

static FtcExperiment *
load_text (const char *text, GError **error)
{
  return ftc_experiment_load_from_data (text, -1, "experiment.json", NULL, error);
}

/* Parses text expecting failure; the message must contain every given fragment. */
static void
expect_error (const char *text, int code, ...)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcExperiment) exp = load_text (text, &error);
  va_list args;

  g_assert_null (exp);
  g_assert_error (error, FTC_ERROR, code);
  va_start (args, code);
  for (const char *fragment = va_arg (args, const char *); fragment != NULL; fragment = va_arg (args, const char *))
    if (strstr (error->message, fragment) == NULL)
      g_error ("message '%s' lacks '%s'", error->message, fragment);
  va_end (args);
}

static void
test_format_double (void)
{
  char buf[40];

  g_assert_cmpstr (ftc_json_format_double (3e-4, buf, sizeof buf), ==, "0.0003");
  g_assert_cmpstr (ftc_json_format_double (0.7, buf, sizeof buf), ==, "0.7");
  g_assert_cmpstr (ftc_json_format_double (2.0, buf, sizeof buf), ==, "2.0");
  g_assert_cmpstr (ftc_json_format_double (100.0, buf, sizeof buf), ==, "100.0");
  g_assert_cmpstr (ftc_json_format_double (95.0, buf, sizeof buf), ==, "95.0");
  g_assert_cmpstr (ftc_json_format_double (123456789.0, buf, sizeof buf), ==, "123456789.0");
  g_assert_cmpstr (ftc_json_format_double (1e20, buf, sizeof buf), ==, "1e+20");
  g_assert_cmpstr (ftc_json_format_double (-1.5e-8, buf, sizeof buf), ==, "-1.5e-08");
  g_assert_cmpstr (ftc_json_format_double (NAN, buf, sizeof buf), ==, "null");
  g_assert_cmpstr (ftc_json_format_double (INFINITY, buf, sizeof buf), ==, "null");
  /* a value that needs all 17 digits still round-trips */
  g_assert_cmpfloat (g_ascii_strtod (ftc_json_format_double (0.1 + 0.2, buf, sizeof buf), NULL), ==, 0.1 + 0.2);
  g_assert_cmpfloat (g_ascii_strtod (ftc_json_format_double (G_PI * 1e100, buf, sizeof buf), NULL), ==, G_PI * 1e100);
}

static void
test_methods (void)
{
  FtcMethod m;
  g_autofree char *s1 = NULL, *s2 = NULL;

  g_assert_true (ftc_method_parse ("ft_cot", &m));
  g_assert_cmpint (m.kind, ==, FTC_METHOD_FT_COT);
  g_assert_cmpint (m.diversity, ==, 1);
  g_assert_true (ftc_method_parse ("ft_cot_d16", &m));
  g_assert_cmpint (m.diversity, ==, 16);
  s1 = ftc_method_to_string (&m);
  g_assert_cmpstr (s1, ==, "ft_cot_d16");
  g_assert_true (ftc_method_parse ("ft_cot_d1", &m));
  s2 = ftc_method_to_string (&m);
  g_assert_cmpstr (s2, ==, "ft_cot");
  g_assert_true (ftc_method_parse ("vanilla", &m));
  g_assert_true (ftc_method_trains (&m));
  g_assert_true (ftc_method_parse ("teacher", &m));
  g_assert_false (ftc_method_trains (&m));
  g_assert_false (ftc_method_parse ("ft_cot_d0", &m));
  g_assert_false (ftc_method_parse ("ft_cot_d04", &m));
  g_assert_false (ftc_method_parse ("ft_cot_d", &m));
  g_assert_false (ftc_method_parse ("ft_cot_dx", &m));
  g_assert_false (ftc_method_parse ("ft-cot", &m));
}

static void
test_defaults (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcExperiment) exp = load_text ("{}", &error);

  g_assert_no_error (error);
  g_assert_cmpuint (exp->tasks->len, ==, 1);
  g_assert_cmpstr (((FtcExperimentTask *) exp->tasks->pdata[0])->key, ==, "synthetic_coin_flip");
  g_assert_cmpint (exp->teacher.kind, ==, FTC_TEACHER_SCRIPTED);
  g_assert_cmpint (exp->teacher.samples, ==, 1);
  g_assert_cmpfloat (exp->teacher.temperature, ==, 0.0);
  g_assert_cmpstr (exp->student.preset, ==, "tiny");
  /* the reference defaults */
  g_assert_cmpstr (exp->training.optimizer, ==, "adamw");
  g_assert_cmpfloat (exp->training.learning_rate, ==, 3e-4);
  g_assert_cmpint (exp->training.schedule, ==, FTC_SCHEDULE_CONSTANT);
  g_assert_cmpint (exp->training.batch_size, ==, 8);
  g_assert_cmpint (exp->training.epochs, ==, 20);
  g_assert_true (exp->training.completion_only_loss);
  g_assert_true (ftc_experiment_has_method (exp, "vanilla"));
  g_assert_true (ftc_experiment_has_method (exp, "ft_cot_d1"));
  g_assert_false (ftc_experiment_has_method (exp, "ft_cot_d2"));
  g_assert_cmpstr (exp->device, ==, "auto");
}

static void
test_example (void)
{
  const char *root = g_getenv ("FTCOT_SOURCE_ROOT");
  g_autofree char *path = g_build_filename (root != NULL ? root : ".", "tests", "data", "experiment-example.json", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcExperiment) exp = ftc_experiment_load (path, &error);
  const FtcExperimentTask *task;

  g_assert_no_error (error);
  g_assert_cmpuint (exp->tasks->len, ==, 2);
  task = ftc_experiment_task (exp, "synthetic_coin_flip");
  g_assert_nonnull (task);
  g_assert_cmpint (task->n, ==, 1200);
  g_assert_cmpint (task->size, ==, 4);
  g_assert_cmpint (task->train_size, ==, 500);
  g_assert_cmpint (task->test_size, ==, 300);
  task = ftc_experiment_task (exp, "synthetic_arithmetic");
  g_assert_cmpstr (task->split, ==, "random");
  g_assert_cmpfloat (task->train_fraction, ==, 0.8);
  g_assert_cmpint (exp->teacher.samples, ==, 4);
  g_assert_cmpfloat (exp->teacher.temperature, ==, 0.7);
  g_assert_cmpuint (exp->methods->len, ==, 7);
  g_assert_cmpint (ftc_experiment_max_diversity (exp), ==, 4);
  g_assert_cmpint (exp->training.max_seq_len, ==, 256);
  g_assert_cmpint (exp->evaluation.sampled_k, ==, 4);
  g_assert_cmpint (exp->evaluation.sampled_n, ==, 8);
  g_assert_cmpuint (exp->seeds.split, ==, 1);
  g_assert_cmpuint (exp->seeds.eval, ==, 4);
  g_assert_cmpstr (exp->device, ==, "cpu");
}

/* The example in docs/experiment.md (its first ```json block) is a valid experiment. */
static void
test_docs_example (void)
{
  const char *root = g_getenv ("FTCOT_SOURCE_ROOT");
  g_autofree char *path = g_build_filename (root != NULL ? root : ".", "docs", "experiment.md", NULL);
  g_autofree char *text = NULL;
  g_autofree char *block = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcExperiment) exp = NULL;
  const char *start, *end;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  start = strstr (text, "```json\n");
  g_assert_nonnull (start);
  start += strlen ("```json\n");
  end = strstr (start, "```");
  g_assert_nonnull (end);
  block = g_strndup (start, end - start);
  exp = ftc_experiment_load_from_data (block, -1, "docs/experiment.md", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ftc_experiment_max_diversity (exp), ==, 4);
}

static void
test_roundtrip (void)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "experiment.json", NULL);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcExperiment) exp = load_text (
      "{\"name\": \"r\\\"t\", \"tasks\": [\"synthetic_last_letters\", {\"key\": \"multiarith\", \"split\": \"template\"},"
      " {\"key\": \"gsm8k\", \"test_size\": 50,"
      " \"options\": {\"x\": [1, 2]}}],"
      " \"teacher\": {\"kind\": \"openai\", \"model\": \"m\", \"endpoint\": \"http://127.0.0.1:9/v1\","
      " \"samples\": 8, \"rpm\": 60, \"budget_usd\": 2.5, \"budget_tokens\": 123456789012,"
      " \"price_prompt_per_mtok\": 0.5, \"price_completion_per_mtok\": 1.5},"
      " \"methods\": [\"vanilla\", \"ft_cot_d8\"], \"training\": {\"learning_rate\": 1e-3,"
      " \"schedule\": \"cosine\", \"warmup_steps\": 10, \"grad_clip\": 1},"
      " \"seeds\": 7, \"device\": \"opencl:1\"}", &error);
  g_autoptr (FtcExperiment) back = NULL;
  g_autoptr (JsonNode) a = NULL, b = NULL;
  g_autofree char *ta = NULL, *tb = NULL;

  g_assert_no_error (error);
  /* diverse sampling without a temperature gets the paper's 0.7 */
  g_assert_cmpfloat (exp->teacher.temperature, ==, 0.7);
  g_assert_cmpuint (exp->seeds.train, ==, 7);
  g_assert_cmpint (exp->teacher.budget_tokens, ==, G_GINT64_CONSTANT (123456789012));
  g_assert_true (ftc_experiment_save (exp, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  /* hand-editable numbers, every section present */
  g_assert_nonnull (strstr (text, "\"learning_rate\": 0.001,"));
  g_assert_nonnull (strstr (text, "\"temperature\": 0.7,"));
  g_assert_nonnull (strstr (text, "\"methods\": [\"vanilla\", \"ft_cot_d8\"],"));
  g_assert_nonnull (strstr (text, "\"weight_decay\": 0.01,"));
  g_assert_null (strstr (text, "api_key"));
  back = ftc_experiment_load (path, &error);
  g_assert_no_error (error);
  a = ftc_experiment_to_json (exp);
  b = ftc_experiment_to_json (back);
  ta = ftc_json_to_pretty_string (a);
  tb = ftc_json_to_pretty_string (b);
  g_assert_cmpstr (ta, ==, tb);
  g_assert_cmpstr (back->name, ==, "r\"t");
  g_assert_nonnull (ftc_experiment_task (back, "gsm8k")->options);
  /* the loaded file's directory resolves relative paths */
  g_assert_cmpstr (back->base_dir, ==, dir);
}

static void
test_unknown_keys (void)
{
  expect_error ("{\"training\": {\"learnig_rate\": 0.1}}", FTC_ERROR_INVALID,
                "experiment.json: unknown key 'training.learnig_rate'; did you mean 'learning_rate'?", NULL);
  expect_error ("{\"teachr\": {}}", FTC_ERROR_INVALID, "unknown key 'teachr'; did you mean 'teacher'?", NULL);
  expect_error ("{\"tasks\": [{\"key\": \"synthetic_coin_flip\", \"trian_size\": 3}]}", FTC_ERROR_INVALID,
                "unknown key 'tasks[0].trian_size'; did you mean 'train_size'?", NULL);
  /* nothing close: the valid keys are listed */
  expect_error ("{\"evaluation\": {\"zzzzzzzz\": 1}}", FTC_ERROR_INVALID,
                "unknown key 'evaluation.zzzzzzzz' (valid keys: greedy, max_new_tokens", NULL);
  expect_error ("{\"teacher\": {\"api_key\": \"sk-123\"}}", FTC_ERROR_INVALID,
                "'teacher.api_key': API keys are never stored", NULL);
  expect_error ("{\"teacher\": {\"kind\": \"scriptd\"}}", FTC_ERROR_INVALID,
                "teacher.kind: unknown value 'scriptd'; did you mean 'scripted'?", NULL);
  expect_error ("{\"methods\": [\"ft_cto\"]}", FTC_ERROR_INVALID,
                "methods[0]: unknown method 'ft_cto'; did you mean 'ft_cot'?", NULL);
  expect_error ("{\"tasks\": [\"coin_flp\"]}", FTC_ERROR_NOT_FOUND,
                "tasks[0].key: unknown task 'coin_flp'; did you mean 'coin_flip'?", NULL);
}

static void
test_wrong_values (void)
{
  expect_error ("{\"training\": {\"batch_size\": \"8\"}}", FTC_ERROR_INVALID,
                "training.batch_size must be an integer (got a string)", NULL);
  expect_error ("{\"training\": {\"batch_size\": 8.5}}", FTC_ERROR_INVALID, "training.batch_size must be an integer", NULL);
  expect_error ("{\"training\": {\"batch_size\": 0}}", FTC_ERROR_INVALID, "training.batch_size must be between 1", NULL);
  expect_error ("{\"training\": {\"learning_rate\": -1}}", FTC_ERROR_INVALID, "training.learning_rate must be between", NULL);
  expect_error ("{\"curation\": {\"drop_truncated\": 1}}", FTC_ERROR_INVALID, "curation.drop_truncated must be true or false", NULL);
  expect_error ("{\"teacher\": []}", FTC_ERROR_INVALID, "teacher must be an object (got an array)", NULL);
  expect_error ("{\"version\": 2}", FTC_ERROR_INVALID, "version", NULL);
  expect_error ("[1]", FTC_ERROR_PARSE, "the top level must be an object", NULL);
  expect_error ("{\"teacher\": {\n\"samples\": 2,,}}", FTC_ERROR_PARSE, "experiment.json:2", NULL);
  expect_error ("{\"device\": \"cuda:0\"}", FTC_ERROR_INVALID, "device: unknown device 'cuda:0'", NULL);
  expect_error ("{\"methods\": [\"vanilla\", \"vanilla\"]}", FTC_ERROR_INVALID, "methods[1]: 'vanilla' is listed twice", NULL);
  expect_error ("{\"methods\": []}", FTC_ERROR_INVALID, "methods: give at least one method", NULL);
  /* the message says what was expected, not a neighbouring rule */
  expect_error ("{\"seeds\": -1}", FTC_ERROR_INVALID, "seeds must be an integer from 0", "(got -1)", NULL);
  expect_error ("{\"seeds\": \"x\"}", FTC_ERROR_INVALID, "seeds must be an integer or an object", "a string", NULL);
  expect_error ("{\"seeds\": 1e19}", FTC_ERROR_INVALID, "seeds must be an integer from 0", NULL);
  expect_error ("{\"seeds\": {\"train\": 1e19}}", FTC_ERROR_INVALID, "seeds.train must be at most 9000000000000000000", NULL);
  expect_error ("{\"tasks\": [{\"key\": \"synthetic_coin_flip\", \"n\": 1e12}]}", FTC_ERROR_INVALID,
                "tasks[0].n must be at most 2147483647 (got 1e+12)", NULL);
  expect_error ("{\"tasks\": [{\"key\": \"synthetic_coin_flip\", \"n\": -3}]}", FTC_ERROR_INVALID,
                "tasks[0].n must be at least 0 (got -3)", NULL);
  /* the scripted teacher's options are checked, not read as 0 */
  expect_error ("{\"teacher\": {\"options\": {\"error_rate\": \"x\"}}}", FTC_ERROR_INVALID,
                "teacher.options.error_rate must be a number between 0 and 1", NULL);
  expect_error ("{\"teacher\": {\"options\": {\"error_rat\": 0.2}}}", FTC_ERROR_INVALID,
                "teacher.options: unknown key 'error_rat'", NULL);
  expect_error ("{\"teacher\": {\"kind\": \"replay\", \"replay_path\": \"x.jsonl\", \"options\": {\"a\": 1}}}",
                FTC_ERROR_INVALID, "the replay teacher takes no options", NULL);
  /* a seed written back reads back the same */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (FtcExperiment) exp = load_text ("{\"seeds\": 8999999999999999999}", &error);
    g_autoptr (JsonNode) root = NULL;
    g_autofree char *text = NULL;
    g_autoptr (FtcExperiment) again = NULL;
    g_assert_no_error (error);
    g_assert_cmpuint (exp->seeds.eval, ==, G_GUINT64_CONSTANT (8999999999999999999));
    root = ftc_experiment_to_json (exp);
    text = ftc_json_to_pretty_string (root);
    again = load_text (text, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (again->seeds.eval, ==, exp->seeds.eval);
  }
}

static void
test_impossible (void)
{
  expect_error ("{\"methods\": [\"ft_cot_d4\"], \"teacher\": {\"samples\": 2}}", FTC_ERROR_INVALID,
                "ft_cot_d4 needs at least 4 rationales per question, but teacher.samples is 2", NULL);
  expect_error ("{\"teacher\": {\"samples\": 2, \"temperature\": 0}}", FTC_ERROR_INVALID, "teacher.temperature is 0", NULL);
  expect_error ("{\"student\": {\"model_dir\": \"no-such-model-dir\"}}", FTC_ERROR_NOT_FOUND,
                "student.model_dir:", "no-such-model-dir' is not a directory", NULL);
  expect_error ("{\"student\": {\"init\": \"pretrained\"}}", FTC_ERROR_INVALID, "student.init 'pretrained' needs student.model_dir", NULL);
  expect_error ("{\"student\": {\"preset\": \"tiny\", \"model_dir\": \".\"}}", FTC_ERROR_INVALID, "either preset or model_dir", NULL);
  expect_error ("{\"student\": {\"preset\": \"gpt3\"}}", FTC_ERROR_INVALID, "student.preset: unknown preset 'gpt3'; did you mean 'gpt2'?", NULL);
  expect_error ("{\"teacher\": {\"kind\": \"openai\"}}", FTC_ERROR_INVALID, "teacher.model: the openai teacher needs a model", NULL);
  expect_error ("{\"teacher\": {\"kind\": \"openai\", \"model\": \"m\", \"key_file\": \"no-such-key\"}}",
                FTC_ERROR_NOT_FOUND, "teacher.key_file:", NULL);
  expect_error ("{\"teacher\": {\"kind\": \"replay\"}}", FTC_ERROR_INVALID, "teacher.replay_path", NULL);
  expect_error ("{\"teacher\": {\"kind\": \"openai\", \"model\": \"my-local-model\", \"budget_usd\": 5}}",
                FTC_ERROR_INVALID, "teacher.budget_usd: no price is known for model 'my-local-model'", NULL);
  expect_error ("{\"evaluation\": {\"sampled_k\": 8, \"sampled_n\": 4}}", FTC_ERROR_INVALID,
                "evaluation.sampled_n (4) must be at least evaluation.sampled_k (8)", NULL);
  expect_error ("{\"evaluation\": {\"greedy\": false, \"sampled_temperature\": 0}}", FTC_ERROR_INVALID,
                "evaluation.greedy is false but evaluation.sampled_temperature is 0", NULL);
  expect_error ("{\"tasks\": [{\"key\": \"gsm8k\", \"size\": 10}]}", FTC_ERROR_INVALID, "tasks[0].size: 'gsm8k' is not generated", NULL);
  expect_error ("{\"tasks\": [{\"key\": \"gsm8k\", \"n\": 10}]}", FTC_ERROR_INVALID, "tasks[0].n:", NULL);
  expect_error ("{\"tasks\": [{\"key\": \"gsm8k\", \"split\": \"template\"}]}", FTC_ERROR_INVALID,
                "tasks[0].split: 'gsm8k' has no template split", NULL);
  expect_error ("{\"tasks\": [\"gsm8k\", \"gsm8k\"]}", FTC_ERROR_INVALID, "tasks[1].key: task 'gsm8k' is listed twice", NULL);
  expect_error ("{\"task\": {\"key\": \"gsm8k\"}, \"tasks\": []}", FTC_ERROR_INVALID, "not both", NULL);
  expect_error ("{\"tasks\": [{\"key\": \"my/task\", \"data_path\": \"x\"}]}", FTC_ERROR_INVALID, "may hold only", NULL);
}

static void
test_model_dir (void)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *model = g_build_filename (dir, "student", NULL);
  g_autofree char *config = g_build_filename (model, "config.json", NULL);
  g_autofree char *weights = g_build_filename (model, "model.safetensors", NULL);
  g_autofree char *file = g_build_filename (dir, "experiment.json", NULL);
  g_autofree char *resolved = NULL;
  const char *text = "{\"student\": {\"model_dir\": \"student\", \"init\": \"pretrained\"}}";
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcExperiment) exp = NULL;

  g_assert_cmpint (g_mkdir (model, 0755), ==, 0);
  g_assert_true (g_file_set_contents (config, "{}", -1, NULL));
  g_assert_true (g_file_set_contents (file, text, -1, NULL));
  /* no weights yet: pretrained is impossible */
  exp = ftc_experiment_load (file, &error);
  g_assert_null (exp);
  g_assert_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "model.safetensors"));
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (weights, "x", -1, NULL));
  /* relative to the experiment file, not to the current directory */
  exp = ftc_experiment_load (dir, &error);
  g_assert_no_error (error);
  g_assert_null (exp->student.preset);
  resolved = ftc_experiment_resolve_path (exp, exp->student.model_dir);
  g_assert_cmpstr (resolved, ==, model);
}

static void
test_layout (void)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *root = g_build_filename (dir, "exp", NULL);
  g_autofree char *teacher = ftc_experiment_dir_teacher (root, "gsm8k", "train");
  g_autofree char *finetune = ftc_experiment_dir_finetune (root, "gsm8k", "ft_cot_d2");
  g_autofree char *ckpt = ftc_experiment_dir_checkpoints (root, "gsm8k", "vanilla");
  g_autofree char *eval = ftc_experiment_dir_eval (root, "gsm8k", "zero_shot");
  g_autofree char *metrics = ftc_experiment_dir_metrics (root);
  g_autofree char *review = ftc_experiment_dir_review (root);
  g_autofree char *report = ftc_experiment_dir_report (root);
  g_autofree char *config = ftc_experiment_dir_config (root);
  g_autofree char *expected = NULL;
  g_autoptr (GError) error = NULL;
  const char *subdirs[] = { "teacher", "finetune", "checkpoints", "eval", "report" };

  g_assert_true (ftc_experiment_dir_create (root, &error));
  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *sub = g_build_filename (root, subdirs[i], NULL);
      g_assert_true (g_file_test (sub, G_FILE_TEST_IS_DIR));
    }
  expected = g_build_filename (root, "teacher", "gsm8k.train.jsonl", NULL);
  g_assert_cmpstr (teacher, ==, expected);
  g_free (expected);
  expected = g_build_filename (root, "finetune", "gsm8k.ft_cot_d2.jsonl", NULL);
  g_assert_cmpstr (finetune, ==, expected);
  g_free (expected);
  expected = g_build_filename (root, "checkpoints", "gsm8k.vanilla", NULL);
  g_assert_cmpstr (ckpt, ==, expected);
  g_free (expected);
  expected = g_build_filename (root, "eval", "gsm8k.zero_shot.jsonl", NULL);
  g_assert_cmpstr (eval, ==, expected);
  g_assert_true (g_str_has_suffix (metrics, G_DIR_SEPARATOR_S "metrics.jsonl"));
  g_assert_true (g_str_has_suffix (review, G_DIR_SEPARATOR_S "review.jsonl"));
  g_assert_true (g_str_has_suffix (report, G_DIR_SEPARATOR_S "report"));
  g_assert_true (g_str_has_suffix (config, G_DIR_SEPARATOR_S "experiment.json"));
  /* creating again is fine (resume) */
  g_assert_true (ftc_experiment_dir_create (root, &error));
}

static void
test_nearest (void)
{
  const char *words[] = { "learning_rate", "batch_size", "epochs" };

  g_assert_cmpuint (ftc_edit_distance ("kitten", "sitting"), ==, 3);
  g_assert_cmpuint (ftc_edit_distance ("", "abc"), ==, 3);
  g_assert_cmpstr (ftc_nearest_word ("epoch", words, 3), ==, "epochs");
  g_assert_cmpstr (ftc_nearest_word ("batchsize", words, 3), ==, "batch_size");
  g_assert_null (ftc_nearest_word ("device", words, 3));
}

/* A file the experiment names that is a FIFO is said to be one (and never opened to wait on it). */
static void
test_fifo_files (void)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *fifo = g_build_filename (dir, "key", NULL);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcExperiment) exp = NULL;

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  text = g_strdup_printf ("{\"teacher\": {\"kind\": \"openai\", \"model\": \"m\", \"key_file\": \"%s\"}}", fifo);
  exp = load_text (text, &error);
  g_assert_null (exp);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "teacher.key_file"));
  g_assert_nonnull (strstr (error->message, "FIFO"));
  g_clear_error (&error);
  g_free (text);
  text = g_strdup_printf ("{\"teacher\": {\"kind\": \"openai\", \"model\": \"m\", \"price_file\": \"%s/none.json\"}}", dir);
  exp = load_text (text, &error);
  g_assert_null (exp);
  g_assert_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "teacher.price_file"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/experiment/fifo-files", test_fifo_files);
  g_test_add_func ("/experiment/format-double", test_format_double);
  g_test_add_func ("/experiment/methods", test_methods);
  g_test_add_func ("/experiment/defaults", test_defaults);
  g_test_add_func ("/experiment/example", test_example);
  g_test_add_func ("/experiment/docs-example", test_docs_example);
  g_test_add_func ("/experiment/roundtrip", test_roundtrip);
  g_test_add_func ("/experiment/unknown-keys", test_unknown_keys);
  g_test_add_func ("/experiment/wrong-values", test_wrong_values);
  g_test_add_func ("/experiment/impossible", test_impossible);
  g_test_add_func ("/experiment/model-dir", test_model_dir);
  g_test_add_func ("/experiment/layout", test_layout);
  g_test_add_func ("/experiment/nearest", test_nearest);
  return g_test_run ();
}
