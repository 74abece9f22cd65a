/* test-models: Hugging Face GPT-2 folders against PyTorch (tests/data/hf-gpt2-tiny, written by
 * tests/make-hf-gpt2.py): logits, greedy continuations, both checkpoint namings, export -> reload; bad
 * folders; KV-cache generation against the full forward; sampling, stop strings, limits; checkpoints.
 *
 * The device: $FTCOT_TEST_DEVICE (e.g. "opencl:0"), "cpu" by default. */
#include <math.h>
#include <string.h>

#include "ftc-config.h"

#include <cblas.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#if FTC_HAVE_OPENMP
#include <omp.h>
#endif

#include "core/students/ftc-checkpoint.h"
#include "core/ftc-error.h"
#include "core/students/ftc-generate.h"
#include "core/students/ftc-model-dir.h"
#include "core/students/ftc-safetensors.h"
#include "tests/ftc-test-util.h"

/* logits of the engine against PyTorch's, both float32 with different summation orders; relative to the
 * largest logit (check_close) */
#define LOGITS_ATOL 2e-5
/* KV-cache attention against the full forward, on the same device */
#define CACHE_ATOL 2e-5

static FtcBackend *be;

static char *
data_path (const char *first, ...)
{
  const char *root = g_getenv ("FTCOT_SOURCE_ROOT");
  return g_build_filename (root != NULL ? root : ".", "tests", "data", "hf-gpt2-tiny", first, NULL);
}

#define OK(expr) \
  G_STMT_START { FtcStatus s_ = (expr); \
    if (s_ != FTC_OK) g_error ("%s failed: %s: %s", #expr, ftc_status_name (s_), ftc_backend_last_error (be)); \
  } G_STMT_END

/* |got - want| <= atol * max(1, max |want|) everywhere: float32 rounding grows with the logits' scale */
static void
check_close (const char *what, const float *got, const float *want, gsize n, double atol)
{
  double worst = 0, scale = 1;
  gsize at = 0;

  for (gsize i = 0; i < n; i++)
    scale = MAX (scale, fabs (want[i]));
  atol *= scale;

  for (gsize i = 0; i < n; i++)
    {
      double d = fabs ((double) got[i] - want[i]);
      if (!isfinite (got[i]) || d > worst)
        worst = isfinite (got[i]) ? d : INFINITY, at = i;
    }
  g_test_message ("%s: max |diff| %.3g over %" G_GSIZE_FORMAT " values, max |want| %.3g (tolerance %.3g)", what,
                  worst, n, scale, atol);
  if (worst > atol)
    g_error ("%s: element %" G_GSIZE_FORMAT " is %.9g, want %.9g (|diff| %.3g > %g)", what, at, got[at], want[at],
             worst, atol);
}

static FtcModelDir *
load_dir (const char *dir)
{
  g_autoptr (GError) error = NULL;
  FtcModelDir *md = ftc_model_dir_load (dir, &error);
  g_assert_no_error (error);
  return md;
}

static JsonObject *
load_reference (void)
{
  g_autofree char *path = data_path ("reference.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (json_parser_load_from_file (parser, path, &error));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static GArray *
int_array (JsonArray *a)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint32));
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      gint32 v = json_array_get_int_element (a, i);
      g_array_append_val (ids, v);
    }
  return ids;
}

/* Full-sequence logits (T, V) of ids, without padding columns. */
static float *
engine_logits (FtcModel *model, GArray *ids)
{
  const FtcGpt2Config *c = &ftc_model_config (model)->gpt2;
  int T = ids->len, V = c->vocab_size, Vp = c->padded_vocab_size;
  g_autofree float *padded = g_new (float, (gsize) T * Vp);
  float *out = g_new (float, (gsize) T * V);

  OK (ftc_model_forward (model, (gint32 *) ids->data, NULL, NULL, 1, T, NULL));
  OK (ftc_model_read_logits (model, padded, (gsize) T * Vp));
  for (int t = 0; t < T; t++)
    memcpy (out + (gsize) t * V, padded + (gsize) t * Vp, V * sizeof (float));
  return out;
}

/* The PyTorch reference: logits and greedy continuations of the hub-named folder. */
static void
test_pytorch_reference (void)
{
  g_autofree char *dir = data_path (NULL);
  g_autofree char *ref_path = data_path ("reference.safetensors", NULL);
  g_autoptr (FtcModelDir) md = load_dir (dir);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) ref = load_reference ();
  g_autoptr (FtcSafetensors) st = ftc_safetensors_open (ref_path, &error);
  g_autoptr (FtcGenerator) gen = NULL;
  g_autoptr (GPtrArray) prompts = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr (GPtrArray) out = NULL, out_uncached = NULL;
  JsonArray *cases = json_object_get_array_member (ref, "prompts");
  FtcModel *model;
  FtcGenerateOptions o;

  g_assert_no_error (error);
  g_assert_cmpint (md->spec.gpt2.num_layers, ==, 2);
  g_assert_cmpint (md->spec.gpt2.channels, ==, 64);
  g_assert_cmpint (md->spec.gpt2.vocab_size, ==, 657);
  model = ftc_model_dir_to_engine (md, be, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      g_autoptr (GArray) want_ids = int_array (json_object_get_array_member (c, "ids"));
      g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint32));
      g_autofree char *name = g_strdup_printf ("logits.%u", i);
      const FtcSafetensorsTensor *t = ftc_safetensors_lookup (st, name);
      g_autofree float *want = g_new (float, t->numel);
      g_autofree float *got = NULL;
      g_autofree char *what = g_strdup_printf ("prompt %u logits vs PyTorch", i);

      /* the subset vocabulary tokenizes as the reference did */
      g_assert_true (ftc_tokenizer_encode (md->tokenizer, json_object_get_string_member (c, "text"), -1, ids, &error));
      g_assert_cmpmem (ids->data, ids->len * 4, want_ids->data, want_ids->len * 4);
      g_assert_cmpint (t->shape[0], ==, ids->len);
      g_assert_true (ftc_safetensors_read_f32 (st, t, want, t->numel, &error));
      got = engine_logits (model, ids);
      check_close (what, got, want, t->numel, LOGITS_ATOL);
      g_ptr_array_add (prompts, g_steal_pointer (&ids));
    }

  /* greedy continuations, token for token, batched with the cache and one by one without it */
  gen = ftc_generator_new (model, md->tokenizer, &error);
  g_assert_no_error (error);
  ftc_generate_options_init (&o);
  o.max_new_tokens = json_object_get_int_member (ref, "n_greedy");
  o.stop_at_eot = FALSE;
  o.batch_size = 3;
  out = ftc_generator_run_ids (gen, (GArray *const *) prompts->pdata, prompts->len, &o, &error);
  g_assert_no_error (error);
  o.use_cache = FALSE;
  out_uncached = ftc_generator_run_ids (gen, (GArray *const *) prompts->pdata, prompts->len, &o, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < prompts->len; i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      g_autoptr (GArray) want = int_array (json_object_get_array_member (c, "greedy"));
      FtcGeneration *g = g_ptr_array_index (out, i), *gu = g_ptr_array_index (out_uncached, i);
      for (guint j = 0; j < want->len; j++)
        if (j >= g->generated_ids->len || g_array_index (g->generated_ids, gint32, j) != g_array_index (want, gint32, j))
          g_error ("prompt %u: greedy token %u is %d, PyTorch says %d", i, j,
                   j < g->generated_ids->len ? g_array_index (g->generated_ids, gint32, j) : -1,
                   g_array_index (want, gint32, j));
      g_assert_cmpuint (g->generated_ids->len, ==, want->len);
      g_assert_cmpmem (gu->generated_ids->data, gu->generated_ids->len * 4, want->data, want->len * 4);
      g_assert_cmpstr (g->finish_reason, ==, "length");
    }
  ftc_model_free (model);
}

static void
copy_file (const char *from, const char *to)
{
  g_autofree char *data = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (from, &data, &len, NULL));
  g_assert_true (g_file_set_contents (to, data, len, NULL));
}

/* A copy of the reference folder, with `weights` as model.safetensors and config.json edited by `edit`
 * (a "key=value" JSON member to set, or NULL). */
static char *
make_variant (const char *weights, const char *edit_key, JsonNode *edit_value)
{
  g_autofree char *tmp = ftc_test_tmpdir ();
  const char *files[] = { "vocab.json", "merges.txt" };
  g_autofree char *config_src = data_path ("config.json", NULL);
  g_autofree char *config_dst = g_build_filename (tmp, "config.json", NULL);
  g_autofree char *w_src = data_path (weights, NULL);
  g_autofree char *w_dst = g_build_filename (tmp, "model.safetensors", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();

  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *a = data_path (files[i], NULL), *b = g_build_filename (tmp, files[i], NULL);
      copy_file (a, b);
    }
  copy_file (w_src, w_dst);
  g_assert_true (json_parser_load_from_file (parser, config_src, NULL));
  if (edit_key != NULL)
    json_object_set_member (json_node_get_object (json_parser_get_root (parser)), edit_key, edit_value);
  json_generator_set_root (gen, json_parser_get_root (parser));
  g_assert_true (json_generator_to_file (gen, config_dst, NULL));
  return g_steal_pointer (&tmp);
}

static void
test_namings_and_export (void)
{
  g_autofree char *hub_dir = data_path (NULL);
  g_autofree char *saved_dir = make_variant ("model-save-pretrained.safetensors", NULL, NULL);
  g_autofree char *export_dir = g_build_filename (ftc_test_tmpdir (), "student", NULL);
  g_autoptr (FtcModelDir) hub = load_dir (hub_dir);
  g_autoptr (FtcModelDir) saved = load_dir (saved_dir);
  g_autoptr (FtcModelDir) back = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcSafetensors) st = NULL;
  g_autofree char *weights = g_build_filename (export_dir, "model.safetensors", NULL);
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint32));
  FtcModel *m1, *m2;

  /* save_pretrained naming (transformer. prefix, lm_head present) holds the very same parameters */
  g_assert_cmpuint (hub->n_params, ==, saved->n_params);
  g_assert_cmpmem (hub->params, hub->n_params * 4, saved->params, saved->n_params * 4);
  {
    /* and nothing is left at zero but the padded vocabulary rows */
    gsize zeros = 0;
    for (gsize i = 0; i < hub->n_params; i++)
      zeros += hub->params[i] == 0.0f;
    g_assert_cmpuint (zeros, ==, (gsize) (hub->spec.gpt2.padded_vocab_size - hub->spec.gpt2.vocab_size) * 64);
  }

  /* export -> reload: the same parameters, the same logits */
  g_assert_true (ftc_model_dir_save (export_dir, &hub->spec, hub->params, hub->n_params, hub->tokenizer, &error));
  g_assert_no_error (error);
  back = load_dir (export_dir);
  g_assert_cmpmem (hub->params, hub->n_params * 4, back->params, back->n_params * 4);
  m1 = ftc_model_dir_to_engine (hub, be, &error);
  m2 = ftc_model_dir_to_engine (back, be, &error);
  g_assert_true (ftc_tokenizer_encode (back->tokenizer, "Let's think step by step.", -1, ids, &error));
  {
    g_autofree float *a = engine_logits (m1, ids), *b = engine_logits (m2, ids);
    g_assert_cmpmem (a, ids->len * 657 * 4, b, ids->len * 657 * 4);
  }
  ftc_model_free (m1);
  ftc_model_free (m2);

  /* what transformers needs: names, orientation, metadata, config */
  st = ftc_safetensors_open (weights, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ftc_safetensors_metadata (st, "format"), ==, "pt");
  g_assert_null (ftc_safetensors_lookup (st, "lm_head.weight"));
  g_assert_null (ftc_safetensors_lookup (st, "wte.weight"));
  {
    const FtcSafetensorsTensor *t = ftc_safetensors_lookup (st, "transformer.h.1.mlp.c_fc.weight");
    g_assert_nonnull (t);
    g_assert_cmpint (t->shape[0], ==, 64);   /* Conv1D: (in, out) */
    g_assert_cmpint (t->shape[1], ==, 256);
    g_assert_nonnull (ftc_safetensors_lookup (st, "transformer.wte.weight"));
    g_assert_cmpint (ftc_safetensors_lookup (st, "transformer.wte.weight")->shape[0], ==, 657);
    g_assert_cmpuint (ftc_safetensors_n_tensors (st), ==, 4 + 2 * 12);
  }
  {
    const char *files[] = { "config.json", "generation_config.json", "tokenizer_config.json", "vocab.json",
                            "merges.txt" };
    g_autofree char *config = g_build_filename (export_dir, "config.json", NULL);
    g_autoptr (JsonParser) parser = json_parser_new ();
    JsonObject *o;
    for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
      {
        g_autofree char *p = g_build_filename (export_dir, files[i], NULL);
        g_assert_true (g_file_test (p, G_FILE_TEST_IS_REGULAR));
      }
    g_assert_true (json_parser_load_from_file (parser, config, NULL));
    o = json_node_get_object (json_parser_get_root (parser));
    g_assert_cmpstr (json_object_get_string_member (o, "model_type"), ==, "gpt2");
    g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (o, "architectures"), 0), ==,
                     "GPT2LMHeadModel");
    g_assert_cmpint (json_object_get_int_member (o, "n_positions"), ==, 64);
    g_assert_cmpint (json_object_get_int_member (o, "eos_token_id"), ==, 656);
  }
}

static void
assert_load_fails (const char *dir, int code, const char *needle)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcModelDir) md = ftc_model_dir_load (dir, &error);

  g_assert_null (md);
  g_assert_nonnull (error);
  if (error->code != code || strstr (error->message, needle) == NULL)
    g_error ("error \"%s\" (code %d) should say \"%s\" (code %d)", error->message, error->code, needle, code);
}

/* Writes a variant of the reference weights: tensors renamed, dropped, reshaped or added. */
static char *
weights_variant (const char *drop, const char *rename_from, const char *rename_to, gboolean add_extra,
                 gboolean lm_head_differs)
{
  g_autofree char *src = data_path ("model.safetensors", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcSafetensors) st = ftc_safetensors_open (src, &error);
  g_autoptr (FtcSafetensorsWriter) w = ftc_safetensors_writer_new ();
  g_autoptr (GPtrArray) keep = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *dir = make_variant ("model.safetensors", NULL, NULL);
  g_autofree char *dst = g_build_filename (dir, "model.safetensors", NULL);
  static float extra[4] = { 1, 2, 3, 4 };
  gint64 extra_shape[1] = { 4 };

  for (guint i = 0; i < ftc_safetensors_n_tensors (st); i++)
    {
      const FtcSafetensorsTensor *t = ftc_safetensors_tensor (st, i);
      float *data;
      if (t->dtype == FTC_DTYPE_UNSUPPORTED || g_strcmp0 (t->name, drop) == 0)
        continue;
      data = g_new (float, MAX (t->numel, 1));
      g_assert_true (ftc_safetensors_read_f32 (st, t, data, t->numel, &error));
      g_ptr_array_add (keep, data);
      ftc_safetensors_writer_add (w, g_strcmp0 (t->name, rename_from) == 0 ? rename_to : t->name, data, t->ndim,
                                  t->shape);
      if (lm_head_differs && strcmp (t->name, "wte.weight") == 0)
        {
          float *copy = g_memdup2 (data, t->numel * 4);
          copy[17] += 1e-3f;
          g_ptr_array_add (keep, copy);
          ftc_safetensors_writer_add (w, "lm_head.weight", copy, t->ndim, t->shape);
        }
    }
  if (add_extra)
    ftc_safetensors_writer_add (w, "h.0.attn.rotary", extra, 1, extra_shape);
  g_assert_true (ftc_safetensors_writer_write (w, dst, &error));
  return g_steal_pointer (&dir);
}

static void
test_bad_folders (void)
{
  g_autofree char *dir = NULL;

  /* config.json that disagrees with the weights or the tokenizer */
  dir = make_variant ("model.safetensors", "vocab_size", json_node_init_int (json_node_alloc (), 700));
  assert_load_fails (dir, FTC_ERROR_MISMATCH, "vocab_size");
  g_clear_pointer (&dir, g_free);
  dir = make_variant ("model.safetensors", "n_embd", json_node_init_int (json_node_alloc (), 128));
  assert_load_fails (dir, FTC_ERROR_MISMATCH, "wte.weight\" has shape (657, 64), the config needs (657, 128)");
  g_clear_pointer (&dir, g_free);
  dir = make_variant ("model.safetensors", "n_layer", json_node_init_int (json_node_alloc (), 3));
  assert_load_fails (dir, FTC_ERROR_MISMATCH, "h.2.");
  g_clear_pointer (&dir, g_free);
  dir = make_variant ("model.safetensors", "n_head", json_node_init_int (json_node_alloc (), 5));
  assert_load_fails (dir, FTC_ERROR_INVALID, "does not divide");
  g_clear_pointer (&dir, g_free);
  dir = make_variant ("model.safetensors", "layer_norm_epsilon", json_node_init_double (json_node_alloc (), 1e-6));
  assert_load_fails (dir, FTC_ERROR_INVALID, "layer_norm_epsilon");
  g_clear_pointer (&dir, g_free);
  dir = make_variant ("model.safetensors", "activation_function",
                      json_node_init_string (json_node_alloc (), "relu"));
  assert_load_fails (dir, FTC_ERROR_INVALID, "relu");
  g_clear_pointer (&dir, g_free);
  dir = make_variant ("model.safetensors", "n_positions", json_node_init_string (json_node_alloc (), "64"));
  assert_load_fails (dir, FTC_ERROR_INVALID, "n_positions is not an integer");
  g_clear_pointer (&dir, g_free);

  /* weights: a missing tensor, an unknown one, an untied head, a wrong shape (Conv1D not transposed) */
  dir = weights_variant ("h.1.ln_2.bias", NULL, NULL, FALSE, FALSE);
  assert_load_fails (dir, FTC_ERROR_MISMATCH, "\"h.1.ln_2.bias\" is missing");
  g_clear_pointer (&dir, g_free);
  dir = weights_variant (NULL, NULL, NULL, TRUE, FALSE);
  assert_load_fails (dir, FTC_ERROR_MISMATCH, "unexpected tensor \"h.0.attn.rotary\"");
  g_clear_pointer (&dir, g_free);
  dir = weights_variant (NULL, NULL, NULL, FALSE, TRUE);
  assert_load_fails (dir, FTC_ERROR_MISMATCH, "lm_head.weight differs");
  g_clear_pointer (&dir, g_free);
  dir = weights_variant ("h.0.mlp.c_proj.weight", "h.0.mlp.c_fc.weight", "h.0.mlp.c_proj.weight", FALSE, FALSE);
  assert_load_fails (dir, FTC_ERROR_MISMATCH, "h.0.mlp.c_fc.weight\" is missing");
  g_clear_pointer (&dir, g_free);

  /* a truncated weights file */
  {
    g_autofree char *w = NULL, *data = NULL;
    gsize len;
    dir = make_variant ("model.safetensors", NULL, NULL);
    w = g_build_filename (dir, "model.safetensors", NULL);
    g_assert_true (g_file_get_contents (w, &data, &len, NULL));
    g_assert_true (g_file_set_contents (w, data, len - 100, NULL));
    assert_load_fails (dir, FTC_ERROR_INVALID, "past the");
    g_clear_pointer (&dir, g_free);
  }
  assert_load_fails ("/nonexistent-model-folder", FTC_ERROR_NOT_FOUND, "nonexistent-model-folder");
}

static void
test_presets (void)
{
  const FtcModelPreset *p = ftc_model_preset_lookup ("gpt2");
  FtcGpt2Config c;
  FtcGpt2Tensor t[FTC_GPT2_NUM_TENSORS];
  guint n;

  g_assert_nonnull (p);
  c = p->config;
  /* GPT-2 small: 124,439,808 parameters, plus llm.c-style padding of the vocabulary to 50304 */
  g_assert_cmpuint (ftc_gpt2_layout (&c, t), ==, 124439808 + (50304 - 50257) * 768);
  c = ftc_model_preset_lookup ("gpt2-medium")->config;
  g_assert_cmpuint (ftc_gpt2_layout (&c, t), ==, 354823168 + (50304 - 50257) * 1024);
  c = ftc_model_preset_lookup ("gpt2-large")->config;
  g_assert_cmpuint (ftc_gpt2_layout (&c, t), ==, 774030080 + (50304 - 50257) * 1280);
  ftc_model_presets (&n);
  g_assert_cmpuint (n, >=, 5);
  g_assert_cmpint (ftc_model_preset_lookup ("tiny")->config.vocab_size, ==, 0);
  g_assert_null (ftc_model_preset_lookup ("gpt5"));
}

/* A from-scratch student with a character vocabulary. */
static FtcModel *
random_model (FtcTokenizer **tok_out, int maxT)
{
  const char *texts[] = { "Q: A coin is heads up. Ka flips the coin. Is the coin still heads up? ###",
                          " Ka flips once, so it is tails. --> no END 0123456789+-*/=" };
  g_autoptr (GError) error = NULL;
  FtcTokenizer *tok = ftc_tokenizer_new_char (ftc_char_tokenizer_build (texts, 2, &error));
  FtcGpt2Config c = ftc_model_preset_lookup ("tiny")->config;
  FtcModel *model = NULL;

  c.vocab_size = ftc_tokenizer_vocab_size (tok);
  c.max_seq_len = maxT;
  c.channels = 64;
  {
    FtcModelConfig mc = ftc_model_config_gpt2 (&c);
    OK (ftc_model_new (be, &mc, &model));
  }
  OK (ftc_model_init_random (model, 1234));
  {
    /* GPT-2's initial weights (std 0.02) give nearly uniform outputs: sharpen them so choices differ */
    gsize n = ftc_model_num_params (model);
    g_autofree float *p = g_new (float, n);
    OK (ftc_model_read_params (model, p, n));
    for (gsize i = 0; i < n; i++)
      p[i] *= 4.0f;
    OK (ftc_model_write_params (model, p, n));
  }
  *tok_out = tok;
  return model;
}

static GPtrArray *
run (FtcGenerator *gen, const char *const *prompts, guint n, const FtcGenerateOptions *o)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *out = ftc_generator_run (gen, prompts, n, o, &error);
  g_assert_no_error (error);
  return out;
}

static void
assert_same_ids (GPtrArray *a, GPtrArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      FtcGeneration *x = g_ptr_array_index (a, i), *y = g_ptr_array_index (b, i);
      g_assert_cmpuint (x->generated_ids->len, ==, y->generated_ids->len);
      g_assert_cmpmem (x->generated_ids->data, x->generated_ids->len * 4, y->generated_ids->data,
                       y->generated_ids->len * 4);
      g_assert_cmpstr (x->text, ==, y->text);
      g_assert_cmpstr (x->finish_reason, ==, y->finish_reason);
    }
}

/* With the KV cache, batched over prompts of different lengths, equals the full forward every step. */
static void
test_cache_equals_full_forward (void)
{
  g_autoptr (FtcTokenizer) tok = NULL;
  FtcModel *model = random_model (&tok, 96);
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcGenerator) gen = ftc_generator_new (model, tok, &error);
  const char *prompts[] = { "Q: A coin is heads up. ###", "Q: Ka flips the coin. Is the coin still heads up? ###",
                            "K", "0123", "Q: tails? ###", "Is it heads up? Ka flips once, so" };
  FtcGenerateOptions o;
  gsize V = ftc_tokenizer_vocab_size (tok);

  ftc_generate_options_init (&o);
  o.max_new_tokens = 30;
  o.stop_at_eot = FALSE;
  o.keep_logits = TRUE;
  for (int mode = 0; mode < 2; mode++)
    {
      g_autoptr (GPtrArray) cached = NULL, full = NULL;
      /* greedy, then sampled with every filter on (the same random stream per prompt) */
      o.temperature = mode == 0 ? 0.0f : 1.3f;
      o.top_k = mode == 0 ? 0 : 12;
      o.top_p = mode == 0 ? 1.0f : 0.9f;
      o.seed = 99;
      o.batch_size = 4;
      o.use_cache = TRUE;
      cached = run (gen, prompts, G_N_ELEMENTS (prompts), &o);
      o.use_cache = FALSE;
      full = run (gen, prompts, G_N_ELEMENTS (prompts), &o);
      assert_same_ids (cached, full);
      for (guint i = 0; i < cached->len; i++)
        {
          FtcGeneration *x = g_ptr_array_index (cached, i), *y = g_ptr_array_index (full, i);
          g_autofree char *what = g_strdup_printf ("%s prompt %u: cached vs full logits", mode ? "sampled" : "greedy", i);
          g_assert_cmpuint (x->logits->len, ==, x->generated_ids->len * V);
          check_close (what, (float *) x->logits->data, (float *) y->logits->data, x->logits->len, CACHE_ATOL);
        }
      /* the random model does not just repeat one token */
      {
        FtcGeneration *x = g_ptr_array_index (cached, 1);
        g_autoptr (GHashTable) distinct = g_hash_table_new (NULL, NULL);
        for (guint j = 0; j < x->generated_ids->len; j++)
          g_hash_table_add (distinct, GINT_TO_POINTER (g_array_index (x->generated_ids, gint32, j) + 1));
        g_assert_cmpuint (g_hash_table_size (distinct), >, (guint) (mode == 0 ? 1 : 5));
      }
    }
  ftc_model_free (model);
}

static void
test_sampling (void)
{
  g_autoptr (FtcTokenizer) tok = NULL;
  FtcModel *model = random_model (&tok, 64);
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcGenerator) gen = ftc_generator_new (model, tok, &error);
  const char *prompts[] = { "Q: A coin is heads up. ###", "Q: Is the coin still heads up? ###", "K", "0" };
  g_autoptr (GPtrArray) a = NULL, b = NULL, c = NULL, alone = NULL, k1 = NULL, greedy = NULL;
  FtcGenerateOptions o;

  ftc_generate_options_init (&o);
  o.max_new_tokens = 20;
  o.stop_at_eot = FALSE;
  o.temperature = 1.5f;
  o.seed = 7;
  a = run (gen, prompts, 4, &o);
  b = run (gen, prompts, 4, &o);
  assert_same_ids (a, b);                    /* a seed gives the same samples */
  o.batch_size = 1;
  alone = run (gen, prompts, 4, &o);
  assert_same_ids (a, alone);                /* whatever the batch */
  o.seed = 8;
  c = run (gen, prompts, 4, &o);
  {
    FtcGeneration *x = g_ptr_array_index (a, 0), *y = g_ptr_array_index (c, 0);
    g_assert_false (x->generated_ids->len == y->generated_ids->len
                    && memcmp (x->generated_ids->data, y->generated_ids->data, x->generated_ids->len * 4) == 0);
  }
  /* top-k 1 is greedy at any temperature */
  o.top_k = 1;
  k1 = run (gen, prompts, 4, &o);
  o.top_k = 0;
  o.temperature = 0;
  greedy = run (gen, prompts, 4, &o);
  assert_same_ids (k1, greedy);

  /* stop strings: cut where the greedy text first shows a piece of itself */
  {
    FtcGeneration *g = g_ptr_array_index (greedy, 1);
    g_autofree char *stop = NULL;
    const char *stops[2] = { NULL, NULL };
    g_autoptr (GPtrArray) s = NULL;
    const char *hit;
    g_assert_cmpuint (strlen (g->text), >=, 10);
    stop = g_strndup (g->text + 6, 3);
    stops[0] = stop;
    o.stop = stops;
    s = run (gen, prompts, 4, &o);
    hit = strstr (g->text, stop);
    g_assert_cmpstr (((FtcGeneration *) g_ptr_array_index (s, 1))->finish_reason, ==, "stop");
    g_assert_cmpint (strlen (((FtcGeneration *) g_ptr_array_index (s, 1))->text), ==, hit - g->text);
    g_assert_true (strncmp (((FtcGeneration *) g_ptr_array_index (s, 1))->text, g->text, hit - g->text) == 0);
    o.stop = NULL;
  }

  /* end of text: make it the greedy choice's id and the row ends there, the token kept in the ids */
  {
    FtcGeneration *g = g_ptr_array_index (greedy, 0);
    g_assert_cmpstr (g->finish_reason, ==, "length");
    g_assert_cmpuint (g->generated_ids->len, ==, 20);
  }

  /* the context: a prompt that fills it is an error naming it; one that nearly fills it stops at the end */
  {
    g_autoptr (GString) longp = g_string_new (NULL);
    const char *p1[2];
    g_autoptr (GPtrArray) r = NULL;
    g_autoptr (GPtrArray) none = NULL;
    while (longp->len < 64)
      g_string_append_c (longp, 'K');
    p1[0] = "0";
    p1[1] = longp->str;
    none = ftc_generator_run (gen, p1, 2, &o, &error);
    g_assert_null (none);
    g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "prompt 1 has 64 tokens"));
    g_clear_error (&error);
    g_string_truncate (longp, 61);
    r = run (gen, p1 + 1, 1, &o);
    g_assert_cmpuint (((FtcGeneration *) g_ptr_array_index (r, 0))->generated_ids->len, ==, 3);
    g_assert_cmpstr (((FtcGeneration *) g_ptr_array_index (r, 0))->finish_reason, ==, "length");
    p1[0] = "";
    g_assert_null (ftc_generator_run (gen, p1, 1, &o, &error));
    g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
    g_clear_error (&error);
    p1[0] = "bad \xff";
    g_assert_null (ftc_generator_run (gen, p1, 1, &o, &error));
    g_assert_error (error, FTC_ERROR, FTC_ERROR_PARSE);
  }
  ftc_model_free (model);
}

/* The end-of-text token stops a row: with a bias on it, the model emits it at once. */
static void
test_eot (void)
{
  g_autoptr (FtcTokenizer) tok = NULL;
  FtcModel *model = random_model (&tok, 64);
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcGenerator) gen = NULL;
  gsize n = ftc_model_num_params (model);
  g_autofree float *params = g_new (float, n);
  int n_tensors;
  const FtcGpt2Tensor *t = ftc_model_tensors (model, &n_tensors);
  const char *prompts[] = { "Q: A coin ###", "K" };
  g_autoptr (GPtrArray) out = NULL;
  FtcGenerateOptions o;

  /* the tied head: a large wte row 0 (<|endoftext|>) aligned with the final LayerNorm bias */
  OK (ftc_model_read_params (model, params, n));
  for (int i = 0; i < 64; i++)
    {
      params[t[14].offset + i] = 0.0f;        /* lnfw: the output is the bias alone */
      params[t[15].offset + i] = 1.0f;        /* lnfb */
      params[t[0].offset + i] = 10.0f;        /* wte[0] */
    }
  OK (ftc_model_write_params (model, params, n));
  gen = ftc_generator_new (model, tok, &error);
  ftc_generate_options_init (&o);
  o.max_new_tokens = 10;
  out = run (gen, prompts, 2, &o);
  for (guint i = 0; i < 2; i++)
    {
      FtcGeneration *g = g_ptr_array_index (out, i);
      g_assert_cmpstr (g->finish_reason, ==, "eot");
      g_assert_cmpuint (g->generated_ids->len, ==, 1);
      g_assert_cmpint (g_array_index (g->generated_ids, gint32, 0), ==, 0);
      g_assert_cmpstr (g->text, ==, "");
    }
  ftc_model_free (model);
}

static void
test_checkpoint (void)
{
  g_autoptr (FtcTokenizer) tok = NULL;
  FtcModel *model = random_model (&tok, 64);
  g_autoptr (GError) error = NULL;
  gsize n = ftc_model_num_params (model);
  g_autofree float *params = g_new (float, n), *m = g_new (float, n), *v = g_new (float, n);
  g_autofree char *root = ftc_test_tmpdir ();
  g_autofree char *dir = g_build_filename (root, "checkpoints", "step-000100", NULL);
  g_autoptr (JsonObject) state = json_object_new ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (3);
  g_autoptr (FtcCheckpoint) ck = NULL, ck2 = NULL;

  OK (ftc_model_read_params (model, params, n));
  for (gsize i = 0; i < n; i++)
    {
      m[i] = g_rand_double_range (rand, -1, 1);
      v[i] = g_rand_double_range (rand, 0, 1e-3);
    }
  json_object_set_string_member (state, "rng", "0123456789abcdef");
  json_object_set_int_member (state, "epoch", 2);
  g_assert_true (ftc_checkpoint_save (dir, &(FtcModelSpec) { .family = FTC_MODEL_GPT2, .gpt2 = ftc_model_config (model)->gpt2 }, tok, params, m, v, n, 100, state, &error));
  g_assert_no_error (error);
  /* a second save over the first replaces it whole */
  m[5] = 0.5f;
  g_assert_true (ftc_checkpoint_save (dir, &(FtcModelSpec) { .family = FTC_MODEL_GPT2, .gpt2 = ftc_model_config (model)->gpt2 }, tok, params, m, v, n, 101, state, &error));
  g_assert_no_error (error);
  ck = ftc_checkpoint_load (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ck->step, ==, 101);
  g_assert_cmpstr (json_object_get_string_member (ck->state, "rng"), ==, "0123456789abcdef");
  g_assert_cmpint (json_object_get_int_member (ck->state, "epoch"), ==, 2);
  g_assert_cmpuint (ck->model->n_params, ==, n);
  g_assert_cmpmem (ck->model->params, n * 4, params, n * 4);
  g_assert_cmpmem (ck->m, n * 4, m, n * 4);
  g_assert_cmpmem (ck->v, n * 4, v, n * 4);
  g_assert_cmpint (ftc_tokenizer_kind (ck->model->tokenizer), ==, FTC_TOKENIZER_CHAR);
  {
    /* only the checkpoint itself is left in the folder above it */
    g_autofree char *parent = g_path_get_dirname (dir);
    g_autoptr (GDir) d = g_dir_open (parent, 0, NULL);
    int count = 0;
    while (g_dir_read_name (d) != NULL)
      count++;
    g_assert_cmpint (count, ==, 1);
  }
  /* an interrupted swap: the old checkpoint is found under .old */
  {
    g_autofree char *old = g_strconcat (dir, ".old", NULL);
    g_assert_cmpint (g_rename (dir, old), ==, 0);
    ck2 = ftc_checkpoint_load (dir, &error);
    g_assert_no_error (error);
    g_assert_cmpint (ck2->step, ==, 101);
  }
  ftc_model_free (model);
}

/* Training steps on a fixed batch; losses[i] gets the loss of step first_step + i. */
static void
train_steps (FtcModel *model, int first_step, int n_steps, float *losses)
{
  const int B = 2, T = 16;
  gint32 inputs[2 * 16], targets[2 * 16];
  float weights[2 * 16];
  FtcAdamWConfig opt = { 3e-3f, 0.9f, 0.95f, 1e-8f, 0.1f, 1.0f };

  for (int i = 0; i < B * T; i++)
    {
      inputs[i] = (i * 7 + 3) % 20;
      targets[i] = (i * 7 + 10) % 20;
      weights[i] = 1.0f / (B * T);
    }
  for (int s = 0; s < n_steps; s++)
    {
      OK (ftc_model_zero_grad (model));
      OK (ftc_model_forward (model, inputs, targets, weights, B, T, &losses[s]));
      OK (ftc_model_backward (model));
      OK (ftc_model_update (model, &opt, first_step + s, NULL));
    }
}

/* Checkpoint at step 3 and resume: steps 4..6 give bit-identical losses to the uninterrupted run. */
static void
test_resume (void)
{
  g_autoptr (FtcTokenizer) tok = NULL;
  FtcModel *a = random_model (&tok, 64), *b = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_build_filename (ftc_test_tmpdir (), "ckpt", NULL);
  gsize n = ftc_model_num_params (a);
  g_autofree float *params = g_new (float, n), *m = g_new (float, n), *v = g_new (float, n);
  g_autoptr (FtcCheckpoint) ck = NULL;
  float first[3], straight[3], resumed[3];

  train_steps (a, 1, 3, first);
  OK (ftc_model_read_params (a, params, n));
  OK (ftc_model_read_optimizer (a, m, v, n));
  g_assert_true (ftc_checkpoint_save (dir, &(FtcModelSpec) { .family = FTC_MODEL_GPT2, .gpt2 = ftc_model_config (a)->gpt2 }, tok, params, m, v, n, 3, NULL, &error));
  g_assert_no_error (error);
  train_steps (a, 4, 3, straight);

  ck = ftc_checkpoint_load (dir, &error);
  g_assert_no_error (error);
  b = ftc_model_dir_to_engine (ck->model, be, &error);
  g_assert_no_error (error);
  OK (ftc_model_write_optimizer (b, ck->m, ck->v, n));
  train_steps (b, ck->step + 1, 3, resumed);
  g_test_message ("losses 1-3: %.6f %.6f %.6f; 4-6: %.6f %.6f %.6f", first[0], first[1], first[2], straight[0],
                  straight[1], straight[2]);
  g_assert_cmpfloat (straight[2], <, first[0]);
  g_assert_cmpmem (resumed, sizeof resumed, straight, sizeof straight);
  ftc_model_free (a);
  ftc_model_free (b);
}

int
main (int argc, char **argv)
{
  char err[512];
  const char *spec = g_getenv ("FTCOT_TEST_DEVICE");
  int ret;

  g_test_init (&argc, &argv, NULL);
  /* these models are tiny: on a busy machine, threads spinning at every op barrier cost far more than
   * they bring (the cpu backend's threading is tested with the ops) */
#if FTC_HAVE_OPENMP
  omp_set_num_threads (1);
#endif
  openblas_set_num_threads (1);
  if (ftc_backend_open (spec != NULL ? spec : "cpu", &be, err, sizeof err) != FTC_OK)
    g_error ("cannot open device: %s", err);
  g_test_add_func ("/models/pytorch-reference", test_pytorch_reference);
  g_test_add_func ("/models/namings-and-export", test_namings_and_export);
  g_test_add_func ("/models/bad-folders", test_bad_folders);
  g_test_add_func ("/models/presets", test_presets);
  g_test_add_func ("/models/cache-equals-full-forward", test_cache_equals_full_forward);
  g_test_add_func ("/models/sampling", test_sampling);
  g_test_add_func ("/models/eot", test_eot);
  g_test_add_func ("/models/checkpoint", test_checkpoint);
  g_test_add_func ("/models/resume", test_resume);
  ret = g_test_run ();
  ftc_backend_free (be);
  return ret;
}
