/* Hostile input: JSON nested 100,000 deep, FIFOs and links to /dev/zero where files are expected, numbers
 * beyond 64 bits, values out of range. Each goes to the real reader, mostly through the real `ftcot` binary
 * (its path is the test's last argument), which must end with a clear error and a normal exit: no signal,
 * no hang (each run has a deadline), no unbounded memory (each run has an address-space limit). */
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "compute/models/ftc-gpt2.h"
#include "core/ftc-error.h"
#include "core/method/ftc-review.h"
#include "core/students/ftc-char-tokenizer.h"
#include "core/students/ftc-checkpoint.h"
#include "core/students/ftc-model-dir.h"
#include "core/students/ftc-safetensors.h"
#include "core/students/ftc-tokenizer.h"
#include "core/teach/ftc-openai-client.h"
#include "tests/ftc-test-server.h"
#include "tests/ftc-test-util.h"

#define DEPTH 100000
#define DEADLINE_S 60
#define MEMORY_LIMIT ((rlim_t) 4 << 30)

static const char *ftcot;

/* {"x": [[[[...]]]]}, 200 KB */
static char *
deep_json (const char *prefix, const char *suffix)
{
  GString *s = g_string_new (prefix);

  for (int i = 0; i < DEPTH; i++)
    g_string_append_c (s, '[');
  for (int i = 0; i < DEPTH; i++)
    g_string_append_c (s, ']');
  g_string_append (s, suffix);
  return g_string_free (s, FALSE);
}

static void
write_file (const char *path, const char *contents)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  g_assert_no_error (error);
}

static void
make_fifo (const char *path)
{
  g_unlink (path);
  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
}

static void
link_to_zero (const char *path)
{
  g_unlink (path);
  g_assert_cmpint (symlink ("/dev/zero", path), ==, 0);
}

static void
copy_file (const char *from, const char *to)
{
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (from, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (to, contents, (gssize) len, NULL));
}

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif

static void
limit_memory (gpointer data)
{
#ifndef SANITIZED
  /* AddressSanitizer reserves terabytes of address space up front: a sanitizer build runs without it */
  struct rlimit limit = { MEMORY_LIMIT, MEMORY_LIMIT };

  setrlimit (RLIMIT_AS, &limit);
#endif
}

typedef struct {
  GMainLoop *loop;
  char *out, *err;
  GError *error;
  gboolean done;
} Wait;

static void
communicated (GObject *source, GAsyncResult *result, gpointer data)
{
  Wait *w = data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &w->out, &w->err, &w->error);
  w->done = TRUE;
  g_main_loop_quit (w->loop);
}

static gboolean
deadline (gpointer data)
{
  g_main_loop_quit (((Wait *) data)->loop);
  return G_SOURCE_REMOVE;
}

/* Runs ftcot with the arguments (NULL-terminated) and input on standard input; asserts that it exits by
 * itself within the deadline with a non-zero status and an error message that holds expected. Returns the
 * error output. */
static char *
run_refused (const char *input, const char *expected, ...)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                                                        | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (GMainLoop) loop = g_main_loop_new (context, FALSE);
  g_autoptr (GSource) timer = g_timeout_source_new_seconds (DEADLINE_S);
  g_autoptr (GError) error = NULL;
  g_autofree char *command = NULL;
  Wait w = { loop, NULL, NULL, NULL, FALSE };
  va_list args;

  g_ptr_array_add (argv, (char *) ftcot);
  va_start (args, expected);
  for (const char *a = va_arg (args, const char *); a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  command = g_strjoinv (" ", (char **) argv->pdata + 1);
  g_subprocess_launcher_setenv (launcher, "FTCOT_DEVICE", "cpu", TRUE);
  g_subprocess_launcher_set_child_setup (launcher, limit_memory, NULL, NULL);
  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);

  g_main_context_push_thread_default (context);
  g_subprocess_communicate_utf8_async (proc, input != NULL ? input : "", NULL, communicated, &w);
  g_source_set_callback (timer, deadline, &w, NULL);
  g_source_attach (timer, context);
  g_main_loop_run (loop);
  if (!w.done)
    {
      g_subprocess_force_exit (proc);
      while (!w.done)
        g_main_context_iteration (context, TRUE);
      g_error ("ftcot %s: still running after %d s (a hang)", command, DEADLINE_S);
    }
  g_source_destroy (timer);
  g_main_context_pop_thread_default (context);
  g_assert_no_error (w.error);
  if (g_subprocess_get_if_signaled (proc))
    g_error ("ftcot %s: killed by signal %d\n%s", command, g_subprocess_get_term_sig (proc), w.err);
  if (g_subprocess_get_exit_status (proc) == 0)
    g_error ("ftcot %s: accepted the input\n%s", command, w.out);
  if (strstr (w.err, expected) == NULL)
    g_error ("ftcot %s: the error does not say \"%s\":\n%s", command, expected, w.err);
  if (strstr (w.err, "CRITICAL") != NULL || strstr (w.err, "WARNING") != NULL)
    g_error ("ftcot %s: a GLib warning on the way:\n%s", command, w.err);
  if (strstr (w.err, "runtime error:") != NULL || strstr (w.err, "Sanitizer") != NULL)
    g_error ("ftcot %s: a sanitizer report on the way:\n%s", command, w.err);
  g_free (w.out);
  return w.err;
}

#define REFUSED(input, expected, ...) g_free (run_refused (input, expected, __VA_ARGS__, NULL))

/* ---- tasks ---- */

static void
test_task_import (void)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *deep = g_build_filename (dir, "deep.jsonl", NULL);
  g_autofree char *fifo = g_build_filename (dir, "fifo.jsonl", NULL);
  g_autofree char *zero = g_build_filename (dir, "zero.csv", NULL);
  g_autofree char *text = deep_json ("{\"x\":", "}\n");
  static const struct {
    const char *answer;
    const char *message;
  } huge[] = {
    /* beyond 64 bits: never wrapped to -1 or to INT64_MIN, never read as infinity */
    { "99999999999999999999", "integer out of the 64-bit range (field 'answer')" },
    { "9223372036854775808", "integer out of the 64-bit range (field 'answer')" },
    { "-9223372036854775809", "integer out of the 64-bit range (field 'answer')" },
    { "1e999", "field 'answer': number out of range" },
  };

  write_file (deep, text);
  REFUSED (NULL, "nested too deep", "tasks", "import", deep);
  make_fifo (fifo);
  REFUSED (NULL, "FIFO", "tasks", "import", fifo);
  {
    /* a local copy to fetch from, whose dataset file is a FIFO: said to be one, not "not found" */
    g_autofree char *from = g_build_filename (dir, "copy", "coin_flip", NULL);
    g_autofree char *file = g_build_filename (from, "coin_flip.json", NULL);
    g_autofree char *parent = g_path_get_dirname (from);
    g_autofree char *data = g_build_filename (dir, "data", NULL);
    g_assert_cmpint (g_mkdir_with_parents (from, 0755), ==, 0);
    make_fifo (file);
    g_setenv ("FTCOT_DATA_DIR", data, TRUE);
    REFUSED (NULL, "FIFO", "tasks", "fetch", "coin_flip", "--from", parent);
    g_unsetenv ("FTCOT_DATA_DIR");
  }
  link_to_zero (zero);
  REFUSED (NULL, "character device", "tasks", "import", zero);
  for (gsize i = 0; i < G_N_ELEMENTS (huge); i++)
    {
      g_autofree char *path = g_build_filename (dir, "huge.jsonl", NULL);
      g_autofree char *line = g_strdup_printf ("{\"question\": \"q1\", \"answer\": 1, \"answer_type\": \"number\"}\n"
                                               "{\"question\": \"q2\", \"answer\": %s, \"answer_type\": \"number\"}\n",
                                               huge[i].answer);
      g_autofree char *err = NULL;
      write_file (path, line);
      err = run_refused (NULL, huge[i].message, "tasks", "import", path, NULL);
      g_assert_nonnull (strstr (err, "huge.jsonl:2:"));
    }
}

/* ---- model folders and tokenizers ---- */

static char *
model_copy (void)
{
  g_autofree char *src = g_build_filename (g_getenv ("FTCOT_SOURCE_ROOT"), "tests", "data", "hf-gpt2-tiny", NULL);
  char *dir = ftc_test_tmpdir ();
  const char *files[] = { "config.json", "vocab.json", "merges.txt", "model.safetensors" };

  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *from = g_build_filename (src, files[i], NULL);
      g_autofree char *to = g_build_filename (dir, files[i], NULL);
      copy_file (from, to);
    }
  return dir;
}

static void
test_model_folder (void)
{
  g_autofree char *text = deep_json ("{\"x\":", "}");

  /* config.json: deep, a FIFO, a link to /dev/zero */
  {
    g_autofree char *dir = model_copy ();
    g_autofree char *config = g_build_filename (dir, "config.json", NULL);
    write_file (config, text);
    REFUSED (NULL, "nested too deep", "generate", "--model", dir, "--prompt", "a", "--device", "cpu");
    make_fifo (config);
    REFUSED (NULL, "FIFO", "generate", "--model", dir, "--prompt", "a", "--device", "cpu");
    link_to_zero (config);
    REFUSED (NULL, "character device", "generate", "--model", dir, "--prompt", "a", "--device", "cpu");
    /* a wrong type where a string belongs, a number beyond 64 bits where an integer does */
    write_file (config, "{\"model_type\": \"gpt2\", \"activation_function\": 7, \"n_layer\": 2, \"n_head\": 2, "
                        "\"n_embd\": 32, \"vocab_size\": 300, \"n_positions\": 64}");
    REFUSED (NULL, "field 'activation_function' must be a string", "generate", "--model", dir, "--prompt", "a");
    write_file (config, "{\"model_type\": \"gpt2\", \"n_layer\": 18446744073709551618, \"n_head\": 2}");
    REFUSED (NULL, "integer out of the 64-bit range (field 'n_layer')", "generate", "--model", dir, "--prompt", "a");
  }
  /* model.safetensors: a FIFO, a link to /dev/zero, a header nested deep */
  {
    g_autofree char *dir = model_copy ();
    g_autofree char *weights = g_build_filename (dir, "model.safetensors", NULL);
    g_autofree char *header = deep_json ("{\"x\":", "}");
    guint64 len = GUINT64_TO_LE (strlen (header));
    g_autoptr (GByteArray) file = g_byte_array_new ();

    make_fifo (weights);
    REFUSED (NULL, "FIFO", "generate", "--model", dir, "--prompt", "a", "--device", "cpu");
    link_to_zero (weights);
    REFUSED (NULL, "character device", "generate", "--model", dir, "--prompt", "a", "--device", "cpu");
    g_unlink (weights);
    g_byte_array_append (file, (const guint8 *) &len, 8);
    g_byte_array_append (file, (const guint8 *) header, strlen (header));
    g_assert_true (g_file_set_contents (weights, (const char *) file->data, file->len, NULL));
    REFUSED (NULL, "nested too deep", "generate", "--model", dir, "--prompt", "a", "--device", "cpu");
  }
  /* vocab.json and merges.txt */
  {
    g_autofree char *dir = model_copy ();
    g_autofree char *vocab = g_build_filename (dir, "vocab.json", NULL);
    g_autofree char *merges = g_build_filename (dir, "merges.txt", NULL);
    write_file (vocab, text);
    REFUSED ("hello", "nested too deep", "tokenize", "--tokenizer", dir);
    link_to_zero (vocab);
    REFUSED ("hello", "character device", "tokenize", "--tokenizer", dir);
    make_fifo (vocab);
    REFUSED ("hello", "FIFO", "tokenize", "--tokenizer", dir);
  }
  {
    g_autofree char *dir = model_copy ();
    g_autofree char *merges = g_build_filename (dir, "merges.txt", NULL);
    link_to_zero (merges);
    REFUSED ("hello", "character device", "tokenize", "--tokenizer", dir);
  }
  /* what the commands read besides: `tokenize --decode` ids, `generate --input` prompts, standard input */
  {
    g_autofree char *dir = model_copy ();
    g_autofree char *ids = deep_json ("", "");
    g_autofree char *input = g_build_filename (dir, "prompts.jsonl", NULL);
    g_autofree char *prompts = deep_json ("{\"prompt\": \"a\", \"x\":", "}\n");
    REFUSED (ids, "nested too deep", "tokenize", "--tokenizer", dir, "--decode");
    REFUSED ("[99999999999999999999]", "integer out of the 64-bit range", "tokenize", "--tokenizer", dir, "--decode");
    write_file (input, prompts);
    REFUSED (NULL, "nested too deep", "generate", "--model", dir, "--input", input, "--device", "cpu");
    make_fifo (input);
    REFUSED (NULL, "FIFO", "generate", "--model", dir, "--input", input, "--device", "cpu");
  }
}

/* ---- experiments ---- */

static char *
experiment_dir (const char *tasks)
{
  char *dir = ftc_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "experiment.json", NULL);
  g_autofree char *text = g_strdup_printf ("{\"version\": 1, \"tasks\": [%s], \"teacher\": {\"kind\": \"scripted\"},"
                                           " \"student\": {\"preset\": \"tiny\"}, \"methods\": [\"ft_cot\"],"
                                           " \"training\": {\"epochs\": 1}, \"device\": \"cpu\"}", tasks);
  write_file (path, text);
  return dir;
}

static void
test_experiment (void)
{
  g_autofree char *text = deep_json ("{\"version\": 1, \"x\":", "}");
  {
    g_autofree char *dir = experiment_dir ("{\"key\": \"synthetic_coin_flip\", \"n\": 20}");
    g_autofree char *path = g_build_filename (dir, "experiment.json", NULL);
    write_file (path, text);
    REFUSED (NULL, "nested too deep", "run", path);
    link_to_zero (path);
    REFUSED (NULL, "character device", "run", path);
    make_fifo (path);
    REFUSED (NULL, "FIFO", "run", path);
  }
  {
    /* numbers beyond 64 bits where the schema wants integers */
    g_autofree char *dir = experiment_dir ("{\"key\": \"synthetic_coin_flip\", \"n\": 99999999999999999999}");
    g_autofree char *path = g_build_filename (dir, "experiment.json", NULL);
    REFUSED (NULL, "integer out of the 64-bit range (field 'tasks[0].n')", "run", path);
  }
  {
    /* data_path: an import file that is a FIFO, a dataset folder holding one */
    g_autofree char *dir = experiment_dir ("{\"key\": \"mine\", \"data_path\": \"mine.jsonl\"}");
    g_autofree char *path = g_build_filename (dir, "experiment.json", NULL);
    g_autofree char *fifo = g_build_filename (dir, "mine.jsonl", NULL);
    make_fifo (fifo);
    REFUSED (NULL, "FIFO", "run", path);
  }
  {
    g_autofree char *dir = experiment_dir ("{\"key\": \"multiarith\", \"data_path\": \"data\"}");
    g_autofree char *path = g_build_filename (dir, "experiment.json", NULL);
    g_autofree char *data = g_build_filename (dir, "data", "multiarith", NULL);
    g_autofree char *fifo = g_build_filename (data, "MultiArith.json", NULL);
    g_assert_cmpint (g_mkdir_with_parents (data, 0755), ==, 0);
    make_fifo (fifo);
    REFUSED (NULL, "FIFO", "run", path);
  }
}

/* metrics.jsonl and the report */
static void
test_metrics (void)
{
  static const struct {
    const char *line;
    const char *message;
  } cases[] = {
    { "{\"task\": \"coin_flip\", \"method\": \"ft_cot\", \"step\": 3, \"test_accuracy\": -5}",
      "metrics.jsonl:2: field 'test_accuracy' must be a number from 0.0 to 100.0, not -5" },
    { "{\"task\": \"coin_flip\", \"method\": \"ft_cot\", \"step\": 3, \"test_accuracy\": 1e999}",
      "metrics.jsonl:2: field 'test_accuracy': number out of range" },
    { "{\"task\": \"coin_flip\", \"method\": \"ft_cot\", \"step\": 3, \"loss\": -0.5}",
      "metrics.jsonl:2: field 'loss' must be a number of at least 0.0, not -0.5" },
    { "{\"task\": \"coin_flip\", \"method\": \"ft_cot\", \"step\": 1099511627776, \"loss\": 1}",
      "metrics.jsonl:2: field 'step' must be an integer from 0 to 2147483647, not 1099511627776" },
  };
  g_autofree char *src = g_build_filename (g_getenv ("FTCOT_SOURCE_ROOT"), "tests", "data", "experiment-small",
                                           NULL);
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *report = g_build_filename (dir, "report", NULL);
  g_autofree char *summary_from = g_build_filename (src, "report", "summary.json", NULL);
  g_autofree char *summary = g_build_filename (report, "summary.json", NULL);
  g_autofree char *metrics = g_build_filename (dir, "metrics.jsonl", NULL);
  g_autofree char *deep = deep_json ("{\"task\": \"t\", \"method\": \"m\", \"step\": 1, \"x\":", "}\n");
  const char *first = "{\"task\": \"coin_flip\", \"method\": \"ft_cot\", \"step\": 1, \"loss\": 2.0}\n";

  g_assert_cmpint (g_mkdir_with_parents (report, 0755), ==, 0);
  copy_file (summary_from, summary);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strconcat (first, cases[i].line, "\n", NULL);
      write_file (metrics, text);
      REFUSED (NULL, cases[i].message, "report", dir);
    }
  write_file (metrics, deep);
  REFUSED (NULL, "nested too deep", "report", dir);
  link_to_zero (metrics);
  REFUSED (NULL, "character device", "report", dir);
  g_unlink (metrics);
  make_fifo (summary);
  REFUSED (NULL, "FIFO", "report", dir);
}

/* ---- teachers ---- */

static void
serve_answer (const FtcTestRequest *req, FtcTestResponse *resp, gpointer user_data)
{
  resp->body = g_bytes_new (user_data, strlen (user_data));
}

static void
test_teacher (void)
{
  g_autofree char *deep = deep_json ("{\"choices\": [{\"text\": \"x\", \"index\": 0}], \"x\":", "}");
  const char *answers[][2] = {
    { deep, "nested too deep" },
    { "{\"choices\": [{\"text\": \" 4\", \"index\": 0}], \"usage\": {\"prompt_tokens\": -600000, "
      "\"completion_tokens\": 3}}", "field 'usage.prompt_tokens' must be an integer from 0 to 2147483647" },
    { "{\"choices\": [{\"text\": \" 4\", \"index\": 99999999999999999999}]}",
      "integer out of the 64-bit range (field 'choices[0].index')" },
  };

  /* a hostile or broken server: the run stops with the reason, it does not crash */
  for (gsize i = 0; i < G_N_ELEMENTS (answers); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (FtcTestServer) server = ftc_test_server_new (serve_answer, (gpointer) answers[i][0], &error);
      g_autofree char *out = ftc_test_tmpdir ();

      g_assert_no_error (error);
      REFUSED (NULL, answers[i][1], "teach", "--task", "synthetic_coin_flip", "--limit", "1", "--teacher",
               ftc_test_server_url (server), "--model", "m", "--api", "completions", "--attempts", "1",
               "--out", out, "--quiet");
    }
  /* replay files and key files that are not regular files */
  {
    g_autofree char *dir = ftc_test_tmpdir ();
    g_autofree char *zero = g_build_filename (dir, "replay.jsonl", NULL);
    g_autofree char *spec = g_strconcat ("replay:", zero, NULL);
    g_autofree char *key = g_build_filename (dir, "key", NULL);
    g_autofree char *out = g_build_filename (dir, "out", NULL);
    link_to_zero (zero);
    REFUSED (NULL, "character device", "teach", "--task", "synthetic_coin_flip", "--teacher", spec, "--out", out);
    make_fifo (zero);
    REFUSED (NULL, "FIFO", "teach", "--task", "synthetic_coin_flip", "--teacher", spec, "--out", out);
    make_fifo (key);
    REFUSED (NULL, "not a regular file", "teach", "--task", "synthetic_coin_flip", "--teacher",
             "http://127.0.0.1:9/v1", "--model", "m", "--api-key-file", key, "--out", out);
  }
}

/* ---- readers with no command of their own: review decisions, checkpoints ---- */

static void
test_review_and_checkpoint (void)
{
  g_autofree char *text = deep_json ("{\"task\": \"t\", \"x\":", "}\n");
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *review = g_build_filename (dir, "review.jsonl", NULL);
  GError *error = NULL;

  write_file (review, text);
  g_assert_null (ftc_review_load (review, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "review.jsonl:1: malformed JSON"));
  g_assert_nonnull (strstr (error->message, "nested too deep"));
  g_clear_error (&error);
  link_to_zero (review);
  g_assert_null (ftc_review_load (review, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
  g_clear_error (&error);

  {
    const char *texts[] = { "Q: a coin ###", " heads --> yes END" };
    g_autoptr (FtcTokenizer) tok = ftc_tokenizer_new_char (ftc_char_tokenizer_build (texts, 2, &error));
    FtcGpt2Config c = ftc_model_preset_lookup ("tiny")->config;
    FtcGpt2Tensor tensors[FTC_GPT2_NUM_TENSORS];
    g_autofree char *ckpt = g_build_filename (dir, "checkpoints", "t.ft_cot", NULL);
    g_autofree char *state = g_build_filename (ckpt, "trainer_state.json", NULL);
    g_autofree float *zeros = NULL;
    gsize n;

    g_assert_no_error (error);
    c.vocab_size = ftc_tokenizer_vocab_size (tok);
    c.max_seq_len = 16;
    c.channels = 16;
    c.num_layers = 1;
    c.num_heads = 2;
    n = ftc_gpt2_layout (&c, tensors);
    zeros = g_new0 (float, n);
    {
      FtcModelSpec spec = ftc_model_spec_gpt2 (&c);
      g_assert_true (ftc_checkpoint_save (ckpt, &spec, tok, zeros, zeros, zeros, n, 7, NULL, &error));
    }
    g_assert_no_error (error);
    /* a step of 2^40 would become 0 as a C int, and training would start again over trained weights */
    write_file (state, "{\"format\": \"ftcot-checkpoint\", \"version\": 1, \"step\": 1099511627776}");
    g_assert_null (ftc_checkpoint_load (ckpt, &error));
    g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "field 'step' must be an integer from 0 to 2147483647, not 1099511627776"));
    g_clear_error (&error);
    g_free (text);
    text = deep_json ("{\"format\": \"ftcot-checkpoint\", \"step\": 1, \"x\":", "}");
    write_file (state, text);
    g_assert_null (ftc_checkpoint_load (ckpt, &error));
    g_assert_error (error, FTC_ERROR, FTC_ERROR_PARSE);
    g_assert_nonnull (strstr (error->message, "nested too deep"));
    g_clear_error (&error);
    make_fifo (state);
    g_assert_null (ftc_checkpoint_load (ckpt, &error));
    g_assert_nonnull (strstr (error->message, "FIFO"));
    g_clear_error (&error);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ftcot = argv[argc - 1];
  g_assert_true (g_file_test (ftcot, G_FILE_TEST_IS_EXECUTABLE));
  g_test_add_func ("/hostile/task-import", test_task_import);
  g_test_add_func ("/hostile/model-folder", test_model_folder);
  g_test_add_func ("/hostile/experiment", test_experiment);
  g_test_add_func ("/hostile/metrics", test_metrics);
  g_test_add_func ("/hostile/teacher", test_teacher);
  g_test_add_func ("/hostile/review-and-checkpoint", test_review_and_checkpoint);
  return g_test_run ();
}
