/* test-llama-run: `ftcot run` with LLaMA-family students from Hugging Face folders ("student": {"model_dir":
 * ..., "init": "pretrained"}): a Qwen3-shaped one (q/k norm, head_dim 32 != 64 / 4, tied, a vocabulary padded
 * past the tokenizer's as Qwen's is) and a Llama-shaped one (untied, grouped-query attention, llama3
 * rope_scaling), each with a byte-level BPE tokenizer.json in Qwen's layout (Split pre-tokenizer, ChatML
 * added tokens) learnt here. Each experiment runs straight through, and once more killed with SIGKILL in
 * the middle of training and resumed: both give the same report and the same training curves, and the
 * checkpoint folder loads back as the family it was. */
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "compute/models/ftc-model.h"
#include "core/ftc-json-out.h"
#include "core/method/ftc-experiment.h"
#include "core/results/ftc-report.h"
#include "core/students/ftc-generate.h"
#include "core/students/ftc-model-dir.h"
#include "tests/ftc-test-util.h"

#define TASK "synthetic_coin_flip"

static const char *corpus[] = {
  "A coin is heads up. Ka flips the coin. Sherrie does not flip the coin. Is the coin still heads up?",
  "Let's think step by step. The coin started heads up and was flipped once, so it is now tails up. --> no",
  "The coin was flipped twice: heads, tails, heads. So the answer is yes. END",
  "Q: 12 + 34 = 46, 7 * 8 = 56, 100 - 1 = 99. ### A: the answer is 99 --> 99 END",
};

/* A tokenizer.json of byte-level BPE learnt from the corpus, with Qwen's pre-tokenizer and added tokens. */
static void
write_tokenizer (const char *dir)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTokenizer) tok = ftc_tokenizer_train_bpe (corpus, G_N_ELEMENTS (corpus), 400, &error);
  g_autofree char *tmp = ftc_test_tmpdir ();
  g_autofree char *vocab_path = g_build_filename (tmp, "vocab.json", NULL);
  g_autofree char *merges_path = g_build_filename (tmp, "merges.txt", NULL);
  g_autofree char *vocab = NULL, *merges = NULL, *json = NULL, *out = g_build_filename (dir, "tokenizer.json", NULL);
  g_autoptr (GString) m = g_string_new ("[");
  g_auto (GStrv) lines = NULL;
  guint V;

  g_assert_no_error (error);
  g_assert_true (ftc_tokenizer_save (tok, tmp, &error));
  g_assert_true (g_file_get_contents (vocab_path, &vocab, NULL, NULL));
  g_assert_true (g_file_get_contents (merges_path, &merges, NULL, NULL));
  lines = g_strsplit (merges, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (JsonNode) node = NULL;
      g_autofree char *quoted = NULL;
      if (lines[i][0] == '\0' || g_str_has_prefix (lines[i], "#version"))
        continue;
      node = json_node_init_string (json_node_alloc (), lines[i]);
      quoted = json_to_string (node, FALSE);
      g_string_append_printf (m, "%s%s", m->len > 1 ? "," : "", quoted);
    }
  g_string_append (m, "]");
  V = ftc_tokenizer_vocab_size (tok);
  /* <|endoftext|> is already in the learnt vocabulary (its last id); the chat tokens come after it */
  json = g_strdup_printf (
    "{\"version\": \"1.0\", \"added_tokens\": ["
    "{\"id\": %u, \"content\": \"<|endoftext|>\", \"special\": true, \"normalized\": false},"
    "{\"id\": %u, \"content\": \"<|im_start|>\", \"special\": true, \"normalized\": false},"
    "{\"id\": %u, \"content\": \"<|im_end|>\", \"special\": true, \"normalized\": false}],"
    "\"normalizer\": {\"type\": \"NFC\"},"
    "\"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Split\", \"pattern\": {\"Regex\": "
    "\"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\\\r\\\\n\\\\p{L}\\\\p{N}]?\\\\p{L}+|\\\\p{N}| ?[^\\\\s\\\\p{L}\\\\p{N}]+[\\\\r\\\\n]*|"
    "\\\\s*[\\\\r\\\\n]+|\\\\s+(?!\\\\S)|\\\\s+\"}, \"behavior\": \"Isolated\", \"invert\": false},"
    "{\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": false, \"use_regex\": false}]},"
    "\"post_processor\": {\"type\": \"ByteLevel\"}, \"decoder\": {\"type\": \"ByteLevel\"},"
    "\"model\": {\"type\": \"BPE\", \"ignore_merges\": false, \"vocab\": %s, \"merges\": %s}}",
    V - 1, V, V + 1, vocab, m->str);
  g_assert_true (g_file_set_contents (out, json, -1, NULL));
}

/* A random LLaMA-family folder of model_type type, its vocabulary padded past the tokenizer's. */
static char *
make_model_dir_scaled (const char *root, const char *type, float scale);

static char *
make_model_dir (const char *root, const char *type)
{
  return make_model_dir_scaled (root, type, 1.0f);
}

/* scale > 1 makes the random weights large enough that attention and RoPE decide the output, as in a
 * trained model (at N(0, 0.02) the embedding alone nearly does) */
static char *
make_model_dir_scaled (const char *root, const char *type, float scale)
{
  char *dir = g_build_filename (root, type, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTokenizer) tok = NULL;
  FtcBackend *be = NULL;
  FtcModel *model = NULL;
  FtcModelSpec spec = { .family = FTC_MODEL_LLAMA };
  FtcLlamaConfig *c = &spec.llama.config;
  FtcModelConfig mc;
  g_autofree float *params = NULL;
  char err[256];
  gsize n;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  write_tokenizer (dir);
  tok = ftc_tokenizer_load (dir, &error);
  g_assert_no_error (error);
  g_strlcpy (spec.llama.model_type, type, sizeof spec.llama.model_type);
  *c = (FtcLlamaConfig) { .max_seq_len = 256, .vocab_size = (int) (ftc_tokenizer_vocab_size (tok) + 63) / 64 * 64,
                          .num_layers = 2, .num_heads = 4, .num_kv_heads = 2, .head_dim = 16, .channels = 64,
                          .intermediate = 128, .rms_eps = 1e-6f, .rope_theta = 1e6f, .tied = 1 };
  if (strcmp (type, "qwen3") == 0)
    c->qk_norm = 1, c->head_dim = 32;
  else
    {
      c->tied = 0;
      c->rope_theta = 500000.0f;
      c->rope_kind = FTC_ROPE_LLAMA3;
      c->rope_factor = 8.0f, c->rope_low_freq_factor = 1.0f, c->rope_high_freq_factor = 4.0f;
      c->rope_original_max_pos = 64;
    }
  spec.llama.bos_id = -1;
  spec.llama.eos_ids[0] = ftc_tokenizer_eot_id (tok);
  spec.llama.n_eos = 1;
  g_assert_cmpint (ftc_backend_open ("cpu", &be, err, sizeof err), ==, FTC_OK);
  mc = ftc_model_spec_config (&spec);
  g_assert_cmpint (ftc_model_new (be, &mc, &model), ==, FTC_OK);
  g_assert_cmpint (ftc_model_init_random (model, 7), ==, FTC_OK);
  n = ftc_model_num_params (model);
  params = g_new (float, n);
  g_assert_cmpint (ftc_model_read_params (model, params, n), ==, FTC_OK);
  for (gsize i = 0; i < n; i++)
    params[i] *= scale;
  g_assert_true (ftc_model_dir_save (dir, &spec, params, n, tok, &error));
  g_assert_no_error (error);
  ftc_model_free (model);
  ftc_backend_free (be);
  return dir;
}

static char *
experiment (const char *model_dir, const char *prompt_format)
{
  return g_strdup_printf (
    "{\n"
    "  \"name\": \"llama-family student\",\n"
    "  \"tasks\": [{\"key\": \"" TASK "\", \"n\": 40, \"train_size\": 16, \"test_size\": 6}],\n"
    "  \"teacher\": {\"kind\": \"scripted\", \"samples\": 1, \"temperature\": 0.7},\n"
    "  \"student\": {\"model_dir\": \"%s\", \"init\": \"pretrained\", \"prompt_format\": \"%s\"},\n"
    "  \"methods\": [\"ft_cot\"],\n"
    "  \"training\": {\"batch_size\": 4, \"epochs\": 2, \"learning_rate\": 0.001, \"max_seq_len\": 128},\n"
    "  \"evaluation\": {\"max_new_tokens\": 24, \"batch_size\": 6},\n"
    "  \"seeds\": 1,\n"
    "  \"device\": \"cpu\"\n"
    "}\n", model_dir, prompt_format);
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

static GPid
spawn_run (const char *ftcot, const char *dir)
{
  const char *argv[] = { ftcot, "run", dir, "-q", NULL };
  g_autoptr (GError) error = NULL;
  GPid pid = 0;

  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
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

/* after the first epoch's checkpoint (4 steps an epoch), in the second epoch */
static gboolean
in_train (const char *dir)
{
  g_autofree char *metrics = ftc_experiment_dir_metrics (dir);
  g_autofree char *ckpt = ftc_experiment_dir_checkpoints (dir, TASK, "ft_cot");
  g_autofree char *ckpt_config = g_build_filename (ckpt, "config.json", NULL);

  return g_file_test (ckpt_config, G_FILE_TEST_EXISTS) && count_lines (metrics, "\"loss\"") >= 5;
}

static char *
report_of (const char *dir)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *summary = g_build_filename (dir, "report", "summary.json", NULL);
  g_autoptr (FtcReport) report = ftc_report_load_json (summary, &error);
  g_autoptr (JsonNode) node = NULL;

  g_assert_no_error (error);
  node = ftc_report_to_json (report);
  return json_to_string (node, TRUE);
}

static void
test_run (gconstpointer data)
{
  const char *type = data;
  const char *ftcot = g_getenv ("FTCOT_CLI");
  g_autofree char *root = ftc_test_tmpdir ();
  g_autofree char *model_dir = make_model_dir (root, type);
  /* Qwen3 in its chat format (ChatML, whose tokens are single added tokens here), Llama in the paper's */
  const char *format = strcmp (type, "qwen3") == 0 ? "chatml" : "paper";
  g_autofree char *json = experiment (model_dir, format);
  g_autofree char *straight = g_build_filename (root, "straight", NULL);
  g_autofree char *killed = g_build_filename (root, "killed", NULL);
  const char *dirs[] = { straight, killed };
  g_autoptr (GError) error = NULL;
  g_autofree char *a = NULL, *b = NULL;
  gboolean was_killed = FALSE;

  if (ftcot == NULL)
    {
      g_test_skip ("FTCOT_CLI is not set");
      return;
    }
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *config = ftc_experiment_dir_config (dirs[i]);
      g_assert_cmpint (g_mkdir_with_parents (dirs[i], 0755), ==, 0);
      g_assert_true (g_file_set_contents (config, json, -1, NULL));
    }
  g_assert_cmpint (wait_child (spawn_run (ftcot, straight)), ==, 0);
  {
    GPid pid = spawn_run (ftcot, killed);
    gint64 deadline = g_get_monotonic_time () + 300 * G_USEC_PER_SEC;
    int status;
    while (g_get_monotonic_time () < deadline && !was_killed)
      {
        if (waitpid (pid, &status, WNOHANG) == pid)
          break;
        if (in_train (killed))
          {
            kill (pid, SIGKILL);
            status = wait_child (pid);
            g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);
            was_killed = TRUE;
          }
        g_usleep (2000);
      }
    g_assert_true (was_killed);
  }
  g_assert_cmpint (wait_child (spawn_run (ftcot, killed)), ==, 0);

  a = report_of (straight);
  b = report_of (killed);
  g_assert_cmpstr (a, ==, b);
  {
    g_autofree char *ma = ftc_experiment_dir_metrics (straight), *mb = ftc_experiment_dir_metrics (killed);
    g_autoptr (GPtrArray) ca = ftc_curves_load (ma, &error);
    g_autoptr (GPtrArray) cb = ftc_curves_load (mb, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (ca->len, ==, cb->len);
    for (guint i = 0; i < ca->len; i++)
      {
        const FtcCurve *x = ca->pdata[i], *y = cb->pdata[i];
        g_assert_cmpuint (x->step->len, ==, 8);
        g_assert_cmpmem (x->loss->data, x->loss->len * sizeof (double), y->loss->data, y->loss->len * sizeof (double));
        /* it learns: the last step's loss below the first's */
        g_assert_cmpfloat (g_array_index (x->loss, double, x->loss->len - 1), <, g_array_index (x->loss, double, 0));
      }
  }
  {
    /* the checkpoint is a folder of the same family and type, which loads back */
    g_autofree char *ckpt = ftc_experiment_dir_checkpoints (killed, TASK, "ft_cot");
    g_autoptr (FtcModelDir) md = ftc_model_dir_load (ckpt, &error);
    g_autofree char *eval = ftc_experiment_dir_eval (killed, TASK, "ft_cot");
    g_assert_no_error (error);
    g_assert_cmpint (md->spec.family, ==, FTC_MODEL_LLAMA);
    g_assert_cmpstr (md->spec.llama.model_type, ==, type);
    g_assert_nonnull (md->tokenizer);
    g_assert_cmpint (ftc_tokenizer_kind (md->tokenizer), ==, FTC_TOKENIZER_HF);
    g_assert_cmpuint (count_lines (eval, NULL), ==, 6);
  }
  {
    /* the fine-tuning samples in the chosen format */
    g_autofree char *ft = g_build_filename (killed, "finetune", TASK ".ft_cot.jsonl", NULL);
    g_autofree char *contents = NULL;
    g_assert_true (g_file_get_contents (ft, &contents, NULL, NULL));
    if (strcmp (format, "chatml") == 0)
      {
        g_assert_nonnull (strstr (contents, "\"prompt\": \"<|im_start|>user\\n"));
        g_assert_nonnull (strstr (contents, "<|im_end|>\\n<|im_start|>assistant\\n\""));
        g_assert_nonnull (strstr (contents, "<|im_end|>\"}"));
      }
    else
      g_assert_nonnull (strstr (contents, " END\"}"));
  }
}

/* `ftcot generate --json` on a Qwen3-shaped folder: the prompt's ids as the tokenizer gives them, and the
 * greedy continuation the library's generator gives, stopping at the folder's EOS ids */
static void
test_generate_cli (void)
{
  const char *ftcot = g_getenv ("FTCOT_CLI");
  g_autofree char *root = ftc_test_tmpdir ();
  g_autofree char *model_dir = make_model_dir (root, "qwen3");
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcModelDir) md = NULL;
  g_autoptr (GPtrArray) want = NULL;
  JsonObject *o;
  JsonArray *gen_ids;
  FtcBackend *be = NULL;
  FtcModel *model;
  FtcGenerator *gen;
  FtcGenerateOptions opts;
  const char *prompt = "<|im_start|>user\nA coin is heads up. Is it still heads up?<|im_end|>\n";
  char errbuf[256];
  int rc;

  if (ftcot == NULL)
    {
      g_test_skip ("FTCOT_CLI is not set");
      return;
    }
  launcher = ftc_test_cli_launcher ();
  {
    const char *args[] = { "generate", "--model", model_dir, "--prompt", prompt, "--max-new-tokens", "10", "--json",
                           "--device", "cpu", NULL };
    GSubprocess *p = g_subprocess_launcher_spawnv (launcher, (const char *const *) (const char *[]) {
      ftcot, args[0], args[1], args[2], args[3], args[4], args[5], args[6], args[7], args[8], args[9], NULL }, &error);
    g_assert_no_error (error);
    g_assert_true (g_subprocess_communicate_utf8 (p, NULL, NULL, &out, &err, &error));
    rc = g_subprocess_get_exit_status (p);
    g_object_unref (p);
  }
  if (rc != 0)
    g_error ("ftcot generate failed (%d): %s", rc, err);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  o = json_node_get_object (json_parser_get_root (parser));
  gen_ids = json_object_get_array_member (o, "generated_ids");
  g_assert_cmpuint (json_array_get_length (gen_ids), >=, 1);

  md = ftc_model_dir_load (model_dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ftc_backend_open ("cpu", &be, errbuf, sizeof errbuf), ==, FTC_OK);
  model = ftc_model_dir_to_engine (md, be, &error);
  g_assert_no_error (error);
  gen = ftc_generator_new (model, md->tokenizer, &error);
  g_assert_no_error (error);
  {
    gint32 eos[4];
    ftc_generator_set_eos (gen, eos, ftc_model_spec_eos_ids (&md->spec, md->tokenizer, eos, 4));
  }
  ftc_generate_options_init (&opts);
  opts.max_new_tokens = 10;
  want = ftc_generator_run (gen, &prompt, 1, &opts, &error);
  g_assert_no_error (error);
  {
    FtcGeneration *g = g_ptr_array_index (want, 0);
    JsonArray *pids = json_object_get_array_member (o, "prompt_ids");
    g_assert_cmpuint (json_array_get_length (pids), ==, g->prompt_ids->len);
    for (guint i = 0; i < g->prompt_ids->len; i++)
      g_assert_cmpint (json_array_get_int_element (pids, i), ==, g_array_index (g->prompt_ids, gint32, i));
    /* the ChatML tokens are single added tokens */
    g_assert_cmpint (g_array_index (g->prompt_ids, gint32, 0), ==, ftc_tokenizer_vocab_size (md->tokenizer) - 2);
    g_assert_cmpuint (json_array_get_length (gen_ids), ==, g->generated_ids->len);
    for (guint i = 0; i < g->generated_ids->len; i++)
      g_assert_cmpint (json_array_get_int_element (gen_ids, i), ==, g_array_index (g->generated_ids, gint32, i));
  }
  ftc_generator_free (gen);
  ftc_model_free (model);
  ftc_backend_free (be);
}

/* Runs ftcot with args (NULL-terminated), returns its standard output; fails the test on a non-zero exit */
static char *
run_cli (const char *const *args)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) p = g_subprocess_newv (args, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                                 &error);
  char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (p, NULL, NULL, &out, &err, &error));
  if (g_subprocess_get_exit_status (p) != 0)
    g_error ("%s %s failed: %s%s", args[0], args[1], out, err);
  return out;
}

/* A GGUF export of a fine-tuned Qwen3-shaped student runs in llama.cpp (node-llama-cpp) as ftcot runs the
 * student: the same prompt ids and the same greedy tokens (F32 and F16 files) */
static void
test_gguf (gconstpointer data)
{
  const char *type = data;
  const char *ftcot = g_getenv ("FTCOT_CLI"), *src = g_getenv ("FTCOT_SOURCE_ROOT");
  g_autofree char *root = ftc_test_tmpdir ();
  g_autofree char *model_dir = make_model_dir_scaled (root, type, 12.0f);
  g_autofree char *npm = g_build_filename (src != NULL ? src : "..", "tests", "npm", NULL);
  g_autofree char *script = g_build_filename (src != NULL ? src : "..", "tests", "gguf-compare.mjs", NULL);
  g_autofree char *node_modules = g_build_filename (npm, "node_modules", "node-llama-cpp", NULL);
  g_autofree char *node = g_find_program_in_path ("node");
  const char *prompt = strcmp (type, "qwen3") == 0 ? "<|im_start|>user\nA coin is heads up. Ka flips the coin. "
                       "Is the coin still heads up?<|im_end|>\n<|im_start|>assistant\n"
                       : "Q: 12 + 34 = 46, 7 * 8 = 56. The coin was flipped twice: heads, tails. ###";

  if (ftcot == NULL || node == NULL)
    {
      g_test_skip (ftcot == NULL ? "FTCOT_CLI is not set" : "node is not installed: the GGUF check is skipped");
      return;
    }
  if (!g_file_test (node_modules, G_FILE_TEST_IS_DIR))
    g_error ("%s is missing: run tools/setup (it installs the tests' npm packages)", node_modules);
  for (int f16 = 0; f16 < 2; f16++)
    {
      g_autofree char *gguf = g_build_filename (root, f16 ? "student-f16.gguf" : "student.gguf", NULL);
      g_autofree char *json_path = g_build_filename (root, "generate.json", NULL);
      g_autofree char *gen = NULL, *exp_out = NULL;
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_autoptr (GError) error = NULL;
      JsonObject *o;
      const char *export_args[] = { ftcot, "export", "--model", model_dir, "--format", "gguf", "--out", gguf,
                                    "--type", f16 ? "f16" : "f32", "--modelfile", NULL };
      const char *gen_args[] = { ftcot, "generate", "--model", model_dir, "--prompt", prompt, "--max-new-tokens", "16",
                                 "--json", "--device", "cpu", NULL };
      const char *node_args[] = { node, script, npm, gguf, json_path, NULL };

      exp_out = run_cli (export_args);
      if (f16)
        {
          /* F16 rounds the matrices, which may change greedy tokens: the file must hold half the matrix bytes
           * (llama.cpp loading it is the F32 path's check of the same writer) */
          g_autofree char *f32 = g_build_filename (root, "student.gguf", NULL);
          GStatBuf a, b;
          g_assert_cmpint (g_stat (f32, &a), ==, 0);
          g_assert_cmpint (g_stat (gguf, &b), ==, 0);
          g_assert_cmpint (b.st_size, <, a.st_size * 0.6);
          continue;
        }
      gen = run_cli (gen_args);
      g_assert_true (json_parser_load_from_data (parser, gen, -1, &error));
      o = json_node_get_object (json_parser_get_root (parser));
      json_object_set_string_member (o, "prompt", prompt);
      {
        g_autofree char *text = json_to_string (json_parser_get_root (parser), FALSE);
        g_assert_true (g_file_set_contents (json_path, text, -1, NULL));
      }
      {
        g_autofree char *out = run_cli (node_args);
        g_test_message ("%s", out);
      }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/llama-run/qwen3", "qwen3", test_run);
  g_test_add_data_func ("/llama-run/llama", "llama", test_run);
  g_test_add_func ("/llama-run/generate-cli", test_generate_cli);
  g_test_add_data_func ("/llama-run/gguf/qwen3", "qwen3", test_gguf);
  g_test_add_data_func ("/llama-run/gguf/llama", "llama", test_gguf);
  return g_test_run ();
}
