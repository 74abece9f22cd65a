/* test-llama: the LLaMA-family model (compute/models/ftc-llama.h) loaded from Hugging Face folders
 * (core/students/ftc-llama-dir.h) against PyTorch: tests/data/llama-golden/VARIANT (written by
 * tests/make-llama-golden.py: random BF16 checkpoints in the real layout, one of them sharded, and
 * PyTorch's logits, masked loss and every parameter's gradient) for Llama 3.2 (untied, GQA, llama3
 * rope_scaling), SmolLM2 (tied, multi-head), Qwen2.5 (q/k/v biases) and Qwen3 (q/k norm, head_dim);
 * KV-cache decoding against the full forward; a few AdamW steps lower the loss; a folder written back
 * loads to the same parameters; bad folders fail naming the file and the field or tensor.
 * The device: $FTCOT_TEST_DEVICE ("cpu" by default; meson runs cpu and opencl:0). */
#include <math.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "compute/models/ftc-llama.h"
#include "core/ftc-error.h"
#include "core/students/ftc-generate.h"
#include "core/students/ftc-llama-dir.h"
#include "core/students/ftc-model-dir.h"
#include "core/students/ftc-safetensors.h"
#include "tests/ftc-test-util.h"

static FtcBackend *be;
static const char *variants[] = { "llama", "smollm2", "qwen2", "qwen3" };

#define OK(expr) \
  G_STMT_START { FtcStatus s_ = (expr); \
    if (s_ != FTC_OK) g_error ("%s failed: %s: %s", #expr, ftc_status_name (s_), ftc_backend_last_error (be)); \
  } G_STMT_END

static void
check_close (const char *what, const float *got, const float *want, size_t n, double atol, double rtol)
{
  size_t worst = 0, nonzero = 0;
  double worst_excess = -INFINITY, max_abs = 0;

  for (size_t i = 0; i < n; i++)
    {
      double diff = fabs ((double) got[i] - want[i]);
      double excess = diff - (atol + rtol * fabs (want[i]));
      if (!isfinite (got[i]))
        excess = INFINITY;
      nonzero += want[i] != 0.0f;
      max_abs = MAX (max_abs, diff);
      if (excess > worst_excess)
        worst_excess = excess, worst = i;
    }
  g_test_message ("%s: max |diff| %.3g over %zu values", what, max_abs, n);
  if (nonzero == 0)
    g_error ("%s: the reference is all zeros", what);
  if (worst_excess > 0)
    g_error ("%s on %s: element %zu of %zu is %.9g, want %.9g (atol %g, rtol %g)", what,
             ftc_backend_device (be)->spec, worst, n, got[worst], want[worst], atol, rtol);
}

static char *
golden_dir (const char *variant)
{
  return g_build_filename (g_getenv ("FTCOT_SOURCE_ROOT") ? g_getenv ("FTCOT_SOURCE_ROOT") : "..", "tests", "data",
                           "llama-golden", variant, NULL);
}

static float *
ref_tensor (FtcSafetensors *st, const char *name, gsize *n)
{
  const FtcSafetensorsTensor *t = ftc_safetensors_lookup (st, name);
  float *x;
  g_assert_nonnull (t);
  x = g_new (float, t->numel);
  g_assert_true (ftc_safetensors_read_f32 (st, t, x, t->numel, NULL));
  if (n != NULL)
    *n = t->numel;
  return x;
}

static FtcLlama *
load_model (const char *dir, FtcLlamaSpec *spec)
{
  g_autofree char *config = g_build_filename (dir, "config.json", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree float *params = NULL;
  gsize n = 0;
  FtcLlama *model = NULL;

  if (!ftc_llama_spec_load (config, spec, &error))
    g_error ("%s", error->message);
  params = ftc_llama_weights_load (dir, &spec->config, &n, &error);
  if (params == NULL)
    g_error ("%s", error->message);
  OK (ftc_llama_new (be, &spec->config, &model));
  OK (ftc_llama_write_params (model, params, n));
  return model;
}

static void
test_golden (gconstpointer data)
{
  const char *variant = data;
  g_autofree char *dir = golden_dir (variant);
  g_autofree char *ref_path = g_build_filename (dir, "reference.safetensors", NULL);
  g_autoptr (FtcSafetensors) ref = ftc_safetensors_open (ref_path, NULL);
  FtcLlamaSpec spec;
  FtcLlama *model = load_model (dir, &spec);
  const FtcLlamaConfig *c = ftc_llama_config (model);
  gsize n_in, n_logits;
  g_autofree float *inputs_f = ref_tensor (ref, "inputs", &n_in), *targets_f = ref_tensor (ref, "targets", NULL);
  g_autofree float *weights = ref_tensor (ref, "weights", NULL), *want_logits = ref_tensor (ref, "logits", &n_logits);
  g_autofree float *want_loss = ref_tensor (ref, "loss", NULL);
  g_autofree gint32 *inputs = g_new (gint32, n_in), *targets = g_new (gint32, n_in);
  int B = 2, T = (int) n_in / 2, V = c->vocab_size, Vp = c->padded_vocab_size;
  g_autofree float *logits = g_new (float, (size_t) B * T * Vp), *got = g_new (float, (size_t) B * T * V);
  size_t n = ftc_llama_num_params (model);
  g_autofree float *grads = g_new (float, n);
  g_autofree char *tmp = ftc_test_tmpdir ();
  float loss = 0;

  g_assert_nonnull (ref);
  g_assert_cmpuint (n_logits, ==, (gsize) B * T * V);
  for (gsize i = 0; i < n_in; i++)
    inputs[i] = (gint32) inputs_f[i], targets[i] = (gint32) targets_f[i];
  if (g_strcmp0 (variant, "llama") == 0)
    g_assert_cmpint (c->rope_kind, ==, FTC_ROPE_LLAMA3);
  g_assert_cmpint (spec.n_eos, ==, 2);
  OK (ftc_llama_forward (model, inputs, targets, weights, B, T, &loss));
  OK (ftc_llama_read_logits (model, logits, (size_t) B * T * Vp));
  for (int i = 0; i < B * T; i++)
    memcpy (got + (size_t) i * V, logits + (size_t) i * Vp, sizeof (float) * V);
  /* float32 on both sides; sums over widths of 32-64 in another order */
  check_close ("logits", got, want_logits, (size_t) B * T * V, 2e-5, 2e-5);
  check_close ("loss", &loss, want_loss, 1, 1e-6, 1e-6);

  OK (ftc_llama_zero_grad (model));
  OK (ftc_llama_forward (model, inputs, targets, weights, B, T, &loss));
  OK (ftc_llama_backward (model));
  OK (ftc_llama_read_grads (model, grads, n));
  /* the engine's gradients written in transformers' names, compared tensor by tensor */
  {
    g_autoptr (GError) error = NULL;
    g_autofree char *gpath = g_build_filename (tmp, "model.safetensors", NULL);
    g_autoptr (FtcSafetensors) gst = NULL;
    g_assert_true (ftc_llama_weights_save (tmp, c, grads, n, &error));
    gst = ftc_safetensors_open (gpath, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < ftc_safetensors_n_tensors (gst); i++)
      {
        const FtcSafetensorsTensor *t = ftc_safetensors_tensor (gst, i);
        g_autofree char *rname = g_strconcat ("grad.", t->name, NULL);
        g_autofree char *what = g_strdup_printf ("%s gradient of %s", variant, t->name);
        g_autofree float *mine = ref_tensor (gst, t->name, NULL), *want = ref_tensor (ref, rname, NULL);
        check_close (what, mine, want, t->numel, 2e-6, 1e-3);
      }
  }
  ftc_llama_free (model);
}

/* KV-cache decoding gives the full forward's logits at every position */
static void
test_decode (gconstpointer data)
{
  g_autofree char *dir = golden_dir (data);
  FtcLlamaSpec spec;
  FtcLlama *model = load_model (dir, &spec);
  const FtcLlamaConfig *c = ftc_llama_config (model);
  const int B = 3, T = 9, Vp = c->padded_vocab_size, V = c->vocab_size, prefill = 4;
  g_autoptr (GRand) r = g_rand_new_with_seed (9);
  gint32 ids[27], pos[3], step_ids[12];
  int last[3];
  g_autofree float *full = g_new (float, (size_t) B * T * Vp), *dec = g_new (float, (size_t) B * Vp);
  g_autofree float *a = g_new (float, V), *b = g_new (float, V);

  for (int i = 0; i < B * T; i++)
    ids[i] = g_rand_int_range (r, 0, V);
  OK (ftc_llama_forward (model, ids, NULL, NULL, B, T, NULL));
  OK (ftc_llama_read_logits (model, full, (size_t) B * T * Vp));
  OK (ftc_llama_decode_begin (model, B, T + 2));
  for (int t = 0; t < T;)
    {
      int n = t == 0 ? prefill : 1;
      for (int bb = 0; bb < B; bb++)
        {
          pos[bb] = t;
          last[bb] = n - 1;
          memcpy (step_ids + bb * n, ids + bb * T + t, sizeof (gint32) * n);
        }
      OK (ftc_llama_decode (model, step_ids, pos, last, B, n, dec));
      t += n;
      for (int bb = 0; bb < B; bb++)
        {
          g_autofree char *what = g_strdup_printf ("%s: decoded logits of row %d after token %d",
                                                   (const char *) data, bb, t - 1);
          memcpy (a, dec + (size_t) bb * Vp, sizeof (float) * V);
          memcpy (b, full + ((size_t) bb * T + t - 1) * Vp, sizeof (float) * V);
          check_close (what, a, b, V, 2e-5, 2e-5);
        }
    }
  ftc_llama_decode_end (model);
  ftc_llama_free (model);
}

/* Generation through the model interface: cached and uncached greedy decoding agree, and a row stops at
 * any of the folder's EOS ids (generation_config.json's list). */
static void
test_generate (void)
{
  g_autofree char *dir = golden_dir ("qwen2");
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcModelDir) md = ftc_model_dir_load (dir, &error);
  const char *texts[] = { "abcdefghijklmnopqrstuvwxyz .,0123456789" };
  g_autoptr (FtcTokenizer) tok = ftc_tokenizer_new_char (ftc_char_tokenizer_build (texts, 1, NULL));
  FtcModel *model;
  g_autoptr (FtcGenerator) gen = NULL;
  g_autoptr (GPtrArray) a = NULL, b = NULL, c = NULL;
  g_autoptr (GArray) p0 = g_array_new (FALSE, FALSE, sizeof (gint32)), p1 = g_array_new (FALSE, FALSE, sizeof (gint32));
  GArray *prompts[2] = { p0, p1 };
  FtcGenerateOptions o;
  gint32 eos[FTC_LLAMA_MAX_EOS];
  int n_eos;

  g_assert_no_error (error);
  g_assert_cmpint (md->spec.family, ==, FTC_MODEL_LLAMA);
  g_assert_null (md->tokenizer);   /* the golden folders carry no tokenizer */
  model = ftc_model_dir_to_engine (md, be, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 7; i++)
    g_array_append_val (p0, (gint32) { (i * 13 + 5) % 96 });
  for (int i = 0; i < 3; i++)
    g_array_append_val (p1, (gint32) { (i * 29 + 1) % 96 });
  gen = ftc_generator_new (model, tok, &error);
  g_assert_no_error (error);
  n_eos = ftc_model_spec_eos_ids (&md->spec, tok, eos, FTC_LLAMA_MAX_EOS);
  g_assert_cmpint (n_eos, ==, 2);
  g_assert_cmpint (eos[0], ==, 2);
  g_assert_cmpint (eos[1], ==, 3);
  ftc_generate_options_init (&o);
  o.max_new_tokens = 12;
  o.stop_at_eot = FALSE;
  o.keep_logits = TRUE;
  a = ftc_generator_run_ids (gen, prompts, 2, &o, &error);
  g_assert_no_error (error);
  o.use_cache = FALSE;
  b = ftc_generator_run_ids (gen, prompts, 2, &o, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 2; i++)
    {
      FtcGeneration *x = g_ptr_array_index (a, i), *y = g_ptr_array_index (b, i);
      g_assert_cmpuint (x->generated_ids->len, ==, 12);
      g_assert_cmpmem (x->generated_ids->data, 12 * sizeof (gint32), y->generated_ids->data, 12 * sizeof (gint32));
      check_close ("cached vs uncached logits", (float *) x->logits->data, (float *) y->logits->data, x->logits->len,
                   2e-5, 2e-5);
    }
  /* stop at an EOS id: make the third greedy token of prompt 0 one of them */
  {
    FtcGeneration *x = g_ptr_array_index (a, 0);
    gint32 stop_id = g_array_index (x->generated_ids, gint32, 2);
    gint32 ids[2] = { 95, stop_id };
    ftc_generator_set_eos (gen, ids, 2);
    o.use_cache = TRUE;
    o.stop_at_eot = TRUE;
    o.keep_logits = FALSE;
    c = ftc_generator_run_ids (gen, prompts, 1, &o, &error);
    g_assert_no_error (error);
    x = g_ptr_array_index (c, 0);
    g_assert_cmpstr (x->finish_reason, ==, "eot");
    g_assert_cmpuint (x->generated_ids->len, <=, 3);
    g_assert_cmpint (g_array_index (x->generated_ids, gint32, x->generated_ids->len - 1), ==, stop_id);
  }
  g_clear_pointer (&gen, ftc_generator_free);
  ftc_model_free (model);
}

/* A few AdamW steps on one batch lower its loss; the folder written back loads the same parameters. */
static void
test_train_and_save (void)
{
  g_autofree char *dir = golden_dir ("qwen3");
  FtcLlamaSpec spec, back;
  FtcLlama *model = load_model (dir, &spec);
  FtcAdamWConfig opt = { 3e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 1.0f };
  gint32 ids[16], tg[16];
  float w[16], first = 0, loss = 0;
  size_t n = ftc_llama_num_params (model);
  g_autofree float *params = g_new (float, n), *again = NULL;
  g_autofree char *tmp = ftc_test_tmpdir ();
  g_autofree char *cfg = g_build_filename (tmp, "config.json", NULL);
  g_autoptr (GError) error = NULL;
  gsize n2 = 0;

  for (int i = 0; i < 16; i++)
    ids[i] = (i * 7) % 100, tg[i] = (i * 7 + 3) % 100, w[i] = 1.0f / 16;
  for (int step = 1; step <= 8; step++)
    {
      OK (ftc_llama_zero_grad (model));
      OK (ftc_llama_forward (model, ids, tg, w, 2, 8, &loss));
      if (step == 1)
        first = loss;
      OK (ftc_llama_backward (model));
      OK (ftc_llama_update (model, &opt, step, NULL));
    }
  g_assert_cmpfloat (loss, <, 0.8 * first);
  OK (ftc_llama_read_params (model, params, n));
  g_assert_true (ftc_llama_spec_save (tmp, &spec, &error));
  g_assert_true (ftc_llama_weights_save (tmp, &spec.config, params, n, &error));
  g_assert_true (ftc_llama_spec_load (cfg, &back, &error));
  g_assert_cmpstr (back.model_type, ==, "qwen3");
  g_assert_cmpint (back.config.head_dim, ==, spec.config.head_dim);
  g_assert_cmpint (back.n_eos, ==, 2);
  again = ftc_llama_weights_load (tmp, &back.config, &n2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n2, ==, n);
  g_assert_cmpmem (again, n * sizeof (float), params, n * sizeof (float));
  ftc_llama_free (model);
}

/* Copies the golden smollm2 folder into a temporary one and replaces file name with contents. */
static char *
bad_folder (const char *name, const char *contents)
{
  g_autofree char *src = golden_dir ("smollm2");
  char *tmp = ftc_test_tmpdir ();
  const char *files[] = { "config.json", "model.safetensors", "generation_config.json" };
  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *from = g_build_filename (src, files[i], NULL), *to = g_build_filename (tmp, files[i], NULL);
      g_autofree char *data = NULL;
      gsize len;
      g_assert_true (g_file_get_contents (from, &data, &len, NULL));
      g_assert_true (g_file_set_contents (to, data, len, NULL));
    }
  if (name != NULL)
    {
      g_autofree char *to = g_build_filename (tmp, name, NULL);
      g_assert_true (g_file_set_contents (to, contents, -1, NULL));
    }
  return tmp;
}

static void
expect_error (const char *dir, const char *needle)
{
  g_autofree char *cfg = g_build_filename (dir, "config.json", NULL);
  g_autoptr (GError) error = NULL;
  FtcLlamaSpec spec;
  gsize n;
  g_autofree float *p = NULL;

  if (ftc_llama_spec_load (cfg, &spec, &error))
    p = ftc_llama_weights_load (dir, &spec.config, &n, &error);
  g_assert_null (p);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  if (strstr (error->message, needle) == NULL)
    g_error ("error \"%s\" does not say \"%s\"", error->message, needle);
}

static void
test_bad_folders (void)
{
  g_autofree char *src = golden_dir ("smollm2");
  g_autofree char *cfg_path = g_build_filename (src, "config.json", NULL);
  g_autofree char *cfg = NULL;
  g_assert_true (g_file_get_contents (cfg_path, &cfg, NULL, NULL));
#define EDIT(from, to) ({ g_autoptr (GString) s_ = g_string_new (cfg); \
                          g_assert_cmpint (g_string_replace (s_, from, to, 1), ==, 1); g_strdup (s_->str); })
  {
    g_autofree char *c = EDIT ("\"model_type\": \"llama\"", "\"model_type\": \"mistral\""), *d = bad_folder ("config.json", c);
    expect_error (d, "model_type \"mistral\" is not supported");
  }
  {
    g_autofree char *c = EDIT ("\"intermediate_size\": 40", "\"intermediate_size\": 41"), *d = bad_folder ("config.json", c);
    expect_error (d, "has shape (40, 32), config.json needs (41, 32)");
  }
  {
    g_autofree char *c = EDIT ("\"hidden_act\": \"silu\"", "\"hidden_act\": \"gelu\""), *d = bad_folder ("config.json", c);
    expect_error (d, "hidden_act \"gelu\" is not supported");
  }
  {
    g_autofree char *c = EDIT ("\"rope_scaling\": null", "\"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 2}");
    g_autofree char *d = bad_folder ("config.json", c);
    expect_error (d, "rope_scaling of type \"yarn\" is not supported");
  }
  {
    g_autofree char *c = EDIT ("\"tie_word_embeddings\": true", "\"tie_word_embeddings\": false"), *d = bad_folder ("config.json", c);
    expect_error (d, "tensor \"lm_head.weight\" is missing");
  }
  {
    g_autofree char *c = EDIT ("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 1"), *d = bad_folder ("config.json", c);
    expect_error (d, "unexpected tensor \"model.layers.1.");
  }
  {
    /* a tensor of a dtype it cannot read: I64 in place of a norm weight */
    g_autofree char *d = bad_folder (NULL, NULL);
    g_autofree char *st = g_build_filename (d, "model.safetensors", NULL);
    g_autofree char *data = NULL;
    gsize len;
    char *hit;
    g_assert_true (g_file_get_contents (st, &data, &len, NULL));
    hit = g_strstr_len (data + 8, MIN (len - 8, (gsize) GUINT64_FROM_LE (*(guint64 *) data)), "\"model.norm.weight\":{\"dtype\":\"BF16\",\"shape\":[32]");
    g_assert_nonnull (hit);
    /* 32 BF16 values are 64 bytes: 8 I64 values of shape [8] */
    memcpy (strstr (hit, "BF16\""), "I64\" ", 5);
    memcpy (strstr (hit, "[32]"), "[8] ", 4);
    g_assert_true (g_file_set_contents (st, data, len, NULL));
    expect_error (d, "model.norm.weight");
  }
  {
    g_autofree char *d = bad_folder ("generation_config.json", "{\"eos_token_id\": [2, \"x\"]}");
    expect_error (d, "generation_config.json: field eos_token_id is not a token id");
  }
  {
    g_autofree char *d = bad_folder ("model.safetensors.index.json", "{\"weight_map\": {\"model.norm.weight\": \"../x\"}}");
    expect_error (d, "is not a file name in the folder");
  }
#undef EDIT
}

/* The presets of `ftcot bench train` have the parameter counts of the published models */
static void
test_shapes (void)
{
  static const struct { const char *name; gsize params; } want[] = {
    { "smollm2-135m", 134515008 }, { "qwen2.5-0.5b", 494032768 }, { "qwen3-0.6b", 596049920 },
    { "llama3.2-1b", 1235814400 },
  };
  const char *const *names = ftc_model_llama_shape_names ();
  guint n = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (want); i++)
    {
      FtcLlamaSpec spec;
      FtcGpt2Tensor t[FTC_LLAMA_MAX_TENSORS];
      int nt;
      char err[256];
      g_assert_true (ftc_model_llama_shape_lookup (want[i].name, &spec));
      g_assert_cmpint (ftc_llama_config_validate (&spec.config, err, sizeof err), ==, FTC_OK);
      g_assert_cmpuint (ftc_llama_layout (&spec.config, t, &nt), ==, want[i].params);
    }
  while (names[n] != NULL)
    n++;
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (want));
  g_assert_false (ftc_model_llama_shape_lookup ("mistral-7b", &(FtcLlamaSpec) { 0 }));
}

int
main (int argc, char **argv)
{
  const char *spec = g_getenv ("FTCOT_TEST_DEVICE") ? g_getenv ("FTCOT_TEST_DEVICE") : "cpu";
  char err[512];
  int rc;

  g_test_init (&argc, &argv, NULL);
  if (ftc_backend_open (spec, &be, err, sizeof err) != FTC_OK)
    g_error ("cannot open %s: %s", spec, err);
  for (gsize i = 0; i < G_N_ELEMENTS (variants); i++)
    {
      g_autofree char *p1 = g_strdup_printf ("/llama/golden/%s", variants[i]);
      g_autofree char *p2 = g_strdup_printf ("/llama/decode/%s", variants[i]);
      g_test_add_data_func (p1, variants[i], test_golden);
      g_test_add_data_func (p2, variants[i], test_decode);
    }
  g_test_add_func ("/llama/train-and-save", test_train_and_save);
  g_test_add_func ("/llama/generate", test_generate);
  g_test_add_func ("/llama/shapes", test_shapes);
  g_test_add_func ("/llama/bad-folders", test_bad_folders);
  rc = g_test_run ();
  ftc_backend_free (be);
  return rc;
}
