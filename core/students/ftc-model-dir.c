#include "core/students/ftc-model-dir.h"
#include "core/ftc-json-in.h"
#include "core/ftc-json-out.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "core/ftc-error.h"
#include "core/students/ftc-safetensors.h"

/* ---- presets ---- */

static const FtcModelPreset presets[] = {
  { "gpt2", "GPT-2 small, 124M parameters", { 1024, 50257, 0, 12, 12, 768 } },
  { "gpt2-medium", "GPT-2 medium, 355M parameters", { 1024, 50257, 0, 24, 16, 1024 } },
  { "gpt2-large", "GPT-2 large, 774M parameters", { 1024, 50257, 0, 36, 20, 1280 } },
  { "tiny", "from scratch: 2 layers, width 128, 4 heads, 256 positions", { 256, 0, 0, 2, 4, 128 } },
  { "tiny-deep", "from scratch: 4 layers, width 128, 4 heads, 512 positions", { 512, 0, 0, 4, 4, 128 } },
  { "tiny-wide", "from scratch: 4 layers, width 256, 8 heads, 512 positions", { 512, 0, 0, 4, 8, 256 } },
};

const FtcModelPreset *
ftc_model_presets (guint *n_out)
{
  *n_out = G_N_ELEMENTS (presets);
  return presets;
}

const FtcModelPreset *
ftc_model_preset_lookup (const char *name)
{
  for (gsize i = 0; name != NULL && i < G_N_ELEMENTS (presets); i++)
    if (strcmp (presets[i].name, name) == 0)
      return &presets[i];
  return NULL;
}

static const struct {
  const char *name, *model_type;
  FtcLlamaConfig config;
} llama_shapes[] = {
  { "smollm2-135m", "llama", { .max_seq_len = 8192, .vocab_size = 49152, .num_layers = 30, .num_heads = 9,
                               .num_kv_heads = 3, .head_dim = 64, .channels = 576, .intermediate = 1536,
                               .rms_eps = 1e-5f, .rope_theta = 100000.0f, .tied = 1 } },
  { "qwen2.5-0.5b", "qwen2", { .max_seq_len = 32768, .vocab_size = 151936, .num_layers = 24, .num_heads = 14,
                               .num_kv_heads = 2, .head_dim = 64, .channels = 896, .intermediate = 4864,
                               .rms_eps = 1e-6f, .rope_theta = 1000000.0f, .qkv_bias = 1, .tied = 1 } },
  { "qwen3-0.6b", "qwen3", { .max_seq_len = 40960, .vocab_size = 151936, .num_layers = 28, .num_heads = 16,
                             .num_kv_heads = 8, .head_dim = 128, .channels = 1024, .intermediate = 3072,
                             .rms_eps = 1e-6f, .rope_theta = 1000000.0f, .qk_norm = 1, .tied = 1 } },
  { "llama3.2-1b", "llama", { .max_seq_len = 131072, .vocab_size = 128256, .num_layers = 16, .num_heads = 32,
                              .num_kv_heads = 8, .head_dim = 64, .channels = 2048, .intermediate = 8192,
                              .rms_eps = 1e-5f, .rope_theta = 500000.0f, .rope_kind = FTC_ROPE_LLAMA3,
                              .rope_factor = 32.0f, .rope_low_freq_factor = 1.0f, .rope_high_freq_factor = 4.0f,
                              .rope_original_max_pos = 8192, .tied = 1 } },
};

const char *const *
ftc_model_llama_shape_names (void)
{
  static const char *names[G_N_ELEMENTS (llama_shapes) + 1];
  for (gsize i = 0; i < G_N_ELEMENTS (llama_shapes); i++)
    names[i] = llama_shapes[i].name;
  return names;
}

gboolean
ftc_model_llama_shape_lookup (const char *name, FtcLlamaSpec *spec)
{
  for (gsize i = 0; name != NULL && i < G_N_ELEMENTS (llama_shapes); i++)
    if (strcmp (llama_shapes[i].name, name) == 0)
      {
        memset (spec, 0, sizeof *spec);
        g_strlcpy (spec->model_type, llama_shapes[i].model_type, sizeof spec->model_type);
        spec->config = llama_shapes[i].config;
        spec->bos_id = -1;
        return TRUE;
      }
  return FALSE;
}

/* ---- files ---- */

static gboolean
write_json (const char *path, JsonBuilder *builder, GError **error)
{
  g_autoptr (JsonNode) root = json_builder_get_root (builder);

  return ftc_json_write_file (path, root, error);
}

/* ---- config.json ---- */

static gboolean
get_int_field (JsonObject *o, const char *path, const char *name, gboolean required, gint64 lo, gint64 hi,
               int *out, GError **error)
{
  JsonNode *n = json_object_get_member (o, name);
  gint64 v;

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    {
      if (!required)
        return TRUE;
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: field %s is missing", path, name);
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: field %s is not an integer", path, name);
      return FALSE;
    }
  v = json_node_get_int (n);
  if (v < lo || v > hi)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: field %s is %" G_GINT64_FORMAT ", outside %"
                   G_GINT64_FORMAT "..%" G_GINT64_FORMAT, path, name, v, lo, hi);
      return FALSE;
    }
  *out = (int) v;
  return TRUE;
}

/* The optional members that must hold a given value when present. */
static gboolean
check_fixed_members (JsonObject *o, const char *path, GError **error)
{
  g_autoptr (GError) local = NULL;
  const char *model_type = NULL, *act = NULL;
  double eps = 1e-5;
  gboolean tied = TRUE, by_layer = FALSE, cross = FALSE, scale = TRUE;

  if (!ftc_json_get_string (o, "model_type", NULL, &model_type, &local)
      || !ftc_json_get_string (o, "activation_function", NULL, &act, &local)
      || !ftc_json_get_double (o, "layer_norm_epsilon", NULL, 0.0, 1.0, &eps, &local)
      || !ftc_json_get_bool (o, "tie_word_embeddings", NULL, &tied, &local)
      || !ftc_json_get_bool (o, "scale_attn_by_inverse_layer_idx", NULL, &by_layer, &local)
      || !ftc_json_get_bool (o, "add_cross_attention", NULL, &cross, &local)
      || !ftc_json_get_bool (o, "scale_attn_weights", NULL, &scale, &local))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: %s", path, local->message);
      return FALSE;
    }
  if (model_type != NULL && strcmp (model_type, "gpt2") != 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: model_type \"%s\" is not supported (gpt2, llama, qwen2 "
                   "and qwen3 are)", path, json_object_get_string_member_with_default (o, "model_type", "(not a string)"));
      return FALSE;
    }
  if (fabs (eps - 1e-5) > 1e-12)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: layer_norm_epsilon %g is not supported (the "
                   "engine uses 1e-5)", path, eps);
      return FALSE;
    }
  if (act != NULL && strcmp (act, "gelu_new") != 0 && strcmp (act, "gelu_pytorch_tanh") != 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: activation_function \"%s\" is not supported "
                   "(gelu_new only)", path, act);
      return FALSE;
    }
  if (!tied || by_layer || cross || !scale)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: untied embeddings, cross-attention and other "
                   "attention scalings are not supported", path);
      return FALSE;
    }
  return TRUE;
}

gboolean
ftc_model_config_load (const char *path, FtcGpt2Config *config, GError **error)
{
  g_autoptr (JsonObject) o = ftc_json_read_object_file (path, FTC_INPUT_CONFIG, error);
  FtcGpt2Config c = { 0 };
  int n_ctx = 0, n_inner = 0;
  char err[256];

  if (o == NULL)
    return FALSE;
  if (!check_fixed_members (o, path, error))
    return FALSE;
  if (!get_int_field (o, path, "n_layer", TRUE, 1, 1024, &c.num_layers, error)
      || !get_int_field (o, path, "n_head", TRUE, 1, 1024, &c.num_heads, error)
      || !get_int_field (o, path, "n_embd", TRUE, 1, 1 << 16, &c.channels, error)
      || !get_int_field (o, path, "vocab_size", TRUE, 1, 1 << 24, &c.vocab_size, error)
      || !get_int_field (o, path, "n_positions", FALSE, 1, 1 << 20, &c.max_seq_len, error)
      || !get_int_field (o, path, "n_ctx", FALSE, 1, 1 << 20, &n_ctx, error)
      || !get_int_field (o, path, "n_inner", FALSE, 1, G_MAXINT32, &n_inner, error))
    return FALSE;
  if (c.max_seq_len == 0)
    c.max_seq_len = n_ctx;
  if (c.max_seq_len == 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: field n_positions (or n_ctx) is missing", path);
      return FALSE;
    }
  if (n_inner != 0 && n_inner != 4 * c.channels)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: n_inner %d is not 4 * n_embd (the engine's MLP)",
                   path, n_inner);
      return FALSE;
    }
  if (ftc_gpt2_config_validate (&c, err, sizeof err) != FTC_OK)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: %s", path, err);
      return FALSE;
    }
  *config = c;
  return TRUE;
}

gboolean
ftc_model_config_save (const char *path, const FtcGpt2Config *c, gint32 eot_id, GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
#define SET_INT(k, v) (json_builder_set_member_name (b, k), json_builder_add_int_value (b, v))
#define SET_DOUBLE(k, v) (json_builder_set_member_name (b, k), json_builder_add_double_value (b, v))
#define SET_STRING(k, v) (json_builder_set_member_name (b, k), json_builder_add_string_value (b, v))
#define SET_BOOL(k, v) (json_builder_set_member_name (b, k), json_builder_add_boolean_value (b, v))
  SET_STRING ("activation_function", "gelu_new");
  json_builder_set_member_name (b, "architectures");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, "GPT2LMHeadModel");
  json_builder_end_array (b);
  SET_DOUBLE ("attn_pdrop", 0.1);
  if (eot_id >= 0)
    SET_INT ("bos_token_id", eot_id);
  SET_DOUBLE ("embd_pdrop", 0.1);
  if (eot_id >= 0)
    SET_INT ("eos_token_id", eot_id);
  SET_DOUBLE ("initializer_range", 0.02);
  SET_DOUBLE ("layer_norm_epsilon", 1e-5);
  SET_STRING ("model_type", "gpt2");
  SET_INT ("n_ctx", c->max_seq_len);
  SET_INT ("n_embd", c->channels);
  SET_INT ("n_head", c->num_heads);
  json_builder_set_member_name (b, "n_inner");
  json_builder_add_null_value (b);
  SET_INT ("n_layer", c->num_layers);
  SET_INT ("n_positions", c->max_seq_len);
  SET_BOOL ("reorder_and_upcast_attn", FALSE);
  SET_DOUBLE ("resid_pdrop", 0.1);
  SET_BOOL ("scale_attn_by_inverse_layer_idx", FALSE);
  SET_BOOL ("scale_attn_weights", TRUE);
  SET_STRING ("summary_activation", "");
  SET_BOOL ("summary_first_dropout", TRUE);
  SET_BOOL ("summary_proj_to_labels", TRUE);
  SET_STRING ("summary_type", "cls_index");
  SET_BOOL ("summary_use_proj", TRUE);
  SET_BOOL ("tie_word_embeddings", TRUE);
  SET_STRING ("torch_dtype", "float32");
  SET_STRING ("transformers_version", "4.40.0");
  SET_BOOL ("use_cache", TRUE);
  SET_INT ("vocab_size", c->vocab_size);
  json_builder_end_object (b);
  return write_json (path, b, error);
}

/* ---- weights ---- */

/* One checkpoint tensor and where it lands in the engine's parameter vector. */
typedef struct {
  char *name;          /* without prefix */
  gint64 shape[2];     /* in the file */
  int ndim;
  gsize offset;        /* engine element offset */
  gboolean transpose;  /* file (in, out) -> engine (out, in) */
} WeightSlot;

static const struct {
  const char *engine;
  const char *hf;
  gboolean transpose;
} layer_names[] = {
  { "ln1w", "ln_1.weight", FALSE }, { "ln1b", "ln_1.bias", FALSE },
  { "qkvw", "attn.c_attn.weight", TRUE }, { "qkvb", "attn.c_attn.bias", FALSE },
  { "attprojw", "attn.c_proj.weight", TRUE }, { "attprojb", "attn.c_proj.bias", FALSE },
  { "ln2w", "ln_2.weight", FALSE }, { "ln2b", "ln_2.bias", FALSE },
  { "fcw", "mlp.c_fc.weight", TRUE }, { "fcb", "mlp.c_fc.bias", FALSE },
  { "fcprojw", "mlp.c_proj.weight", TRUE }, { "fcprojb", "mlp.c_proj.bias", FALSE },
};

static void
weight_slot_clear (gpointer p)
{
  g_free (((WeightSlot *) p)->name);
}

static const FtcGpt2Tensor *
find_tensor (const FtcGpt2Tensor *tensors, const char *name)
{
  for (int i = 0; i < FTC_GPT2_NUM_TENSORS; i++)
    if (strcmp (tensors[i].name, name) == 0)
      return &tensors[i];
  g_error ("the engine layout has no tensor %s", name);
}

/* Every tensor of a GPT-2 checkpoint for config c, in the file's orientation; returns the engine's
 * parameter count. */
static gsize
weight_slots (const FtcGpt2Config *c, GArray *slots)
{
  FtcGpt2Tensor t[FTC_GPT2_NUM_TENSORS];
  gsize n_params = ftc_gpt2_layout (c, t);
  gint64 C = c->channels, L = c->num_layers;
  WeightSlot s;

  s = (WeightSlot) { g_strdup ("wte.weight"), { c->vocab_size, C }, 2, find_tensor (t, "wte")->offset, FALSE };
  g_array_append_val (slots, s);
  s = (WeightSlot) { g_strdup ("wpe.weight"), { c->max_seq_len, C }, 2, find_tensor (t, "wpe")->offset, FALSE };
  g_array_append_val (slots, s);
  for (gint64 l = 0; l < L; l++)
    for (gsize i = 0; i < G_N_ELEMENTS (layer_names); i++)
      {
        const FtcGpt2Tensor *et = find_tensor (t, layer_names[i].engine);
        gsize per_layer = et->size / L;
        s.name = g_strdup_printf ("h.%" G_GINT64_FORMAT ".%s", l, layer_names[i].hf);
        s.offset = et->offset + l * per_layer;
        s.transpose = layer_names[i].transpose;
        if (et->ndim == 2)
          {
            /* engine (out, in); Conv1D stores (in, out) */
            s.ndim = 2;
            s.shape[0] = et->shape[1];
            s.shape[1] = et->shape[0];
          }
        else
          {
            s.ndim = 1;
            s.shape[0] = per_layer;
            s.shape[1] = 0;
          }
        g_array_append_val (slots, s);
      }
  s = (WeightSlot) { g_strdup ("ln_f.weight"), { C, 0 }, 1, find_tensor (t, "lnfw")->offset, FALSE };
  g_array_append_val (slots, s);
  s = (WeightSlot) { g_strdup ("ln_f.bias"), { C, 0 }, 1, find_tensor (t, "lnfb")->offset, FALSE };
  g_array_append_val (slots, s);
  return n_params;
}

static gboolean
is_layer_buffer (const char *name)
{
  /* h.N.attn.bias and h.N.attn.masked_bias: the causal mask buffers of older checkpoints */
  const char *p;
  if (!g_str_has_prefix (name, "h."))
    return FALSE;
  p = name + 2;
  if (!g_ascii_isdigit (*p))
    return FALSE;
  while (g_ascii_isdigit (*p))
    p++;
  return strcmp (p, ".attn.bias") == 0 || strcmp (p, ".attn.masked_bias") == 0;
}

static char *
shape_string (const gint64 *shape, int ndim)
{
  GString *s = g_string_new ("(");
  for (int i = 0; i < ndim; i++)
    g_string_append_printf (s, i ? ", %" G_GINT64_FORMAT : "%" G_GINT64_FORMAT, shape[i]);
  g_string_append (s, ")");
  return g_string_free (s, FALSE);
}

float *
ftc_model_weights_load (const char *path, const FtcGpt2Config *config, gsize *n_params_out, GError **error)
{
  g_autoptr (FtcSafetensors) st = ftc_safetensors_open (path, error);
  g_autoptr (GArray) slots = g_array_new (FALSE, FALSE, sizeof (WeightSlot));
  g_autoptr (GHashTable) used = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree float *params = NULL, *scratch = NULL;
  const char *prefix = "";
  gsize n_params, max_numel = 0;
  const FtcSafetensorsTensor *lm_head;
  char err[256];

  if (st == NULL)
    return NULL;
  if (ftc_gpt2_config_validate (config, err, sizeof err) != FTC_OK)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: %s", path, err);
      return NULL;
    }
  g_array_set_clear_func (slots, weight_slot_clear);
  n_params = weight_slots (config, slots);
  if (ftc_safetensors_lookup (st, "transformer.wte.weight") != NULL)
    prefix = "transformer.";

  /* everything is checked before the parameters are allocated */
  for (guint i = 0; i < slots->len; i++)
    {
      WeightSlot *s = &g_array_index (slots, WeightSlot, i);
      g_autofree char *full = g_strconcat (prefix, s->name, NULL);
      const FtcSafetensorsTensor *t = ftc_safetensors_lookup (st, full);
      gboolean same = t != NULL && t->ndim == s->ndim;

      for (int d = 0; same && d < s->ndim; d++)
        same = t->shape[d] == s->shape[d];
      if (t == NULL)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "%s: tensor \"%s\" is missing", path, full);
          return NULL;
        }
      if (!same)
        {
          g_autofree char *want = shape_string (s->shape, s->ndim), *got = shape_string (t->shape, t->ndim);
          g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "%s: tensor \"%s\" has shape %s, the config needs %s",
                       path, full, got, want);
          return NULL;
        }
      if (t->dtype == FTC_DTYPE_UNSUPPORTED)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "%s: tensor \"%s\" has dtype %s (F32, F16 or BF16 "
                       "only)", path, full, t->dtype_name);
          return NULL;
        }
      g_hash_table_add (used, (gpointer) t->name);
      if (s->transpose)
        max_numel = MAX (max_numel, t->numel);
    }
  lm_head = ftc_safetensors_lookup (st, "lm_head.weight");
  if (lm_head != NULL)
    {
      if (lm_head->dtype == FTC_DTYPE_UNSUPPORTED || lm_head->ndim != 2 || lm_head->shape[0] != config->vocab_size || lm_head->shape[1] != config->channels)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "%s: tensor \"lm_head.weight\" does not have the "
                       "shape of wte (%d, %d)", path, config->vocab_size, config->channels);
          return NULL;
        }
      g_hash_table_add (used, (gpointer) lm_head->name);
      max_numel = MAX (max_numel, lm_head->numel);
    }
  for (guint i = 0; i < ftc_safetensors_n_tensors (st); i++)
    {
      const char *name = ftc_safetensors_tensor (st, i)->name;
      if (g_hash_table_contains (used, name)
          || (g_str_has_prefix (name, prefix) && is_layer_buffer (name + strlen (prefix))))
        continue;
      g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "%s: unexpected tensor \"%s\" (not part of a GPT-2 "
                   "of this config)", path, name);
      return NULL;
    }

  params = g_try_malloc0_n (n_params, sizeof (float));
  scratch = max_numel > 0 ? g_try_malloc_n (max_numel, sizeof (float)) : NULL;
  if (params == NULL || (max_numel > 0 && scratch == NULL))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: out of memory for %" G_GSIZE_FORMAT " parameters",
                   path, n_params);
      return NULL;
    }
  for (guint i = 0; i < slots->len; i++)
    {
      WeightSlot *s = &g_array_index (slots, WeightSlot, i);
      g_autofree char *full = g_strconcat (prefix, s->name, NULL);
      const FtcSafetensorsTensor *t = ftc_safetensors_lookup (st, full);

      if (!s->transpose)
        {
          if (!ftc_safetensors_read_f32 (st, t, params + s->offset, t->numel, error))
            return NULL;
          continue;
        }
      if (!ftc_safetensors_read_f32 (st, t, scratch, t->numel, error))
        return NULL;
      /* file (in, out) -> engine (out, in) */
      {
        gint64 in = s->shape[0], out = s->shape[1];
        float *dst = params + s->offset;
        for (gint64 r = 0; r < in; r++)
          for (gint64 c = 0; c < out; c++)
            dst[c * in + r] = scratch[r * out + c];
      }
    }
  if (lm_head != NULL)
    {
      gsize n = lm_head->numel;
      const float *wte = params + g_array_index (slots, WeightSlot, 0).offset;
      if (!ftc_safetensors_read_f32 (st, lm_head, scratch, n, error))
        return NULL;
      if (memcmp (scratch, wte, n * sizeof (float)) != 0)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "%s: lm_head.weight differs from wte.weight (untied "
                       "heads are not supported)", path);
          return NULL;
        }
    }
  *n_params_out = n_params;
  return g_steal_pointer (&params);
}

gboolean
ftc_model_weights_save (const char *path, const FtcGpt2Config *config, const float *params, gsize n_params,
                        GError **error)
{
  g_autoptr (GArray) slots = g_array_new (FALSE, FALSE, sizeof (WeightSlot));
  g_autoptr (FtcSafetensorsWriter) w = ftc_safetensors_writer_new ();
  gsize n;

  g_array_set_clear_func (slots, weight_slot_clear);
  n = weight_slots (config, slots);
  if (n != n_params)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "%s: %" G_GSIZE_FORMAT " parameters given, the config "
                   "has %" G_GSIZE_FORMAT, path, n_params, n);
      return FALSE;
    }
  for (guint i = 0; i < slots->len; i++)
    {
      WeightSlot *s = &g_array_index (slots, WeightSlot, i);
      g_autofree char *full = g_strconcat ("transformer.", s->name, NULL);
      if (s->transpose)
        /* engine (out, in) back to Conv1D (in, out) */
        ftc_safetensors_writer_add_transposed (w, full, params + s->offset, s->shape[1], s->shape[0]);
      else
        ftc_safetensors_writer_add (w, full, params + s->offset, s->ndim, s->shape);
    }
  ftc_safetensors_writer_set_metadata (w, "format", "pt");
  return ftc_safetensors_writer_write (w, path, error);
}

/* ---- directories ---- */

void
ftc_model_dir_free (FtcModelDir *md)
{
  if (md == NULL)
    return;
  g_free (md->path);
  ftc_tokenizer_free (md->tokenizer);
  g_free (md->params);
  g_free (md);
}

FtcModelSpec
ftc_model_spec_gpt2 (const FtcGpt2Config *config)
{
  FtcModelSpec s;
  memset (&s, 0, sizeof s);
  s.family = FTC_MODEL_GPT2;
  s.gpt2 = *config;
  return s;
}

FtcModelConfig
ftc_model_spec_config (const FtcModelSpec *spec)
{
  return spec->family == FTC_MODEL_GPT2 ? ftc_model_config_gpt2 (&spec->gpt2)
                                        : ftc_model_config_llama (&spec->llama.config);
}

int
ftc_model_spec_max_seq_len (const FtcModelSpec *spec)
{
  return spec->family == FTC_MODEL_GPT2 ? spec->gpt2.max_seq_len : spec->llama.config.max_seq_len;
}

int
ftc_model_spec_eos_ids (const FtcModelSpec *spec, FtcTokenizer *tokenizer, gint32 *ids, int max)
{
  int n = 0;

  if (spec->family == FTC_MODEL_LLAMA)
    for (int i = 0; i < spec->llama.n_eos && n < max; i++)
      ids[n++] = spec->llama.eos_ids[i];
  if (n == 0 && tokenizer != NULL && ftc_tokenizer_eot_id (tokenizer) >= 0 && max > 0)
    ids[n++] = ftc_tokenizer_eot_id (tokenizer);
  return n;
}

static FtcModelDir *
llama_dir_load (FtcModelDir *owned, const char *config_path, GError **error)
{
  g_autoptr (FtcModelDir) md = owned;
  g_autoptr (GError) local = NULL;
  FtcGpt2Tensor t[FTC_LLAMA_MAX_TENSORS];
  int n_t;

  md->spec.family = FTC_MODEL_LLAMA;
  if (!ftc_llama_spec_load (config_path, &md->spec.llama, error))
    return NULL;
  md->tokenizer = ftc_tokenizer_load (md->path, &local);
  if (md->tokenizer == NULL && !g_error_matches (local, FTC_ERROR, FTC_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  /* the embedding may have more rows than the tokenizer has tokens (Qwen pads it), never fewer */
  if (md->tokenizer != NULL && ftc_tokenizer_vocab_size (md->tokenizer) > (guint) md->spec.llama.config.vocab_size)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "%s: the tokenizer has %u tokens, config.json's "
                   "vocab_size (the embedding) only %d", md->path, ftc_tokenizer_vocab_size (md->tokenizer),
                   md->spec.llama.config.vocab_size);
      return NULL;
    }
  md->params = ftc_llama_weights_load (md->path, &md->spec.llama.config, &md->n_params, error);
  if (md->params == NULL)
    return NULL;
  ftc_llama_layout (&md->spec.llama.config, t, &n_t);
  md->spec.llama.config.padded_vocab_size = t[0].shape[0];
  return g_steal_pointer (&md);
}

FtcModelDir *
ftc_model_dir_load (const char *dir, GError **error)
{
  g_autoptr (FtcModelDir) md = g_new0 (FtcModelDir, 1);
  g_autofree char *config_path = g_build_filename (dir, "config.json", NULL);
  g_autofree char *weights_path = g_build_filename (dir, "model.safetensors", NULL);
  FtcGpt2Tensor t[FTC_GPT2_NUM_TENSORS];
  FtcGpt2Config *c = &md->spec.gpt2;

  md->path = g_strdup (dir);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND, "%s: no such model folder", dir);
      return NULL;
    }
  if (ftc_llama_config_is_family (config_path))
    return llama_dir_load (g_steal_pointer (&md), config_path, error);
  md->spec.family = FTC_MODEL_GPT2;
  if (!ftc_model_config_load (config_path, c, error))
    return NULL;
  md->tokenizer = ftc_tokenizer_load (dir, error);
  if (md->tokenizer == NULL)
    return NULL;
  if (ftc_tokenizer_vocab_size (md->tokenizer) != (guint) c->vocab_size)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "%s: the tokenizer has %u tokens, config.json's "
                   "vocab_size (the embedding) is %d", dir, ftc_tokenizer_vocab_size (md->tokenizer),
                   c->vocab_size);
      return NULL;
    }
  md->params = ftc_model_weights_load (weights_path, c, &md->n_params, error);
  if (md->params == NULL)
    return NULL;
  ftc_gpt2_layout (c, t);
  c->padded_vocab_size = t[0].shape[0];
  return g_steal_pointer (&md);
}

static gboolean
llama_dir_save (const char *dir, const FtcLlamaSpec *spec, const float *params, gsize n_params,
                FtcTokenizer *tokenizer, GError **error)
{
  if (tokenizer != NULL && ftc_tokenizer_vocab_size (tokenizer) > (guint) spec->config.vocab_size)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "%s: the tokenizer has %u tokens, the model's "
                   "vocab_size only %d", dir, ftc_tokenizer_vocab_size (tokenizer), spec->config.vocab_size);
      return FALSE;
    }
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: cannot create the folder: %s", dir, g_strerror (saved));
      return FALSE;
    }
  if (!ftc_llama_weights_save (dir, &spec->config, params, n_params, error)
      || (tokenizer != NULL && !ftc_tokenizer_save (tokenizer, dir, error)))
    return FALSE;
  /* config.json last: a folder with a config is complete */
  return ftc_llama_spec_save (dir, spec, error);
}

gboolean
ftc_model_dir_save (const char *dir, const FtcModelSpec *spec, const float *params, gsize n_params,
                    FtcTokenizer *tokenizer, GError **error)
{
  const FtcGpt2Config *config = &spec->gpt2;

  if (spec->family == FTC_MODEL_LLAMA)
    return llama_dir_save (dir, &spec->llama, params, n_params, tokenizer, error);
  g_autofree char *config_path = g_build_filename (dir, "config.json", NULL);
  g_autofree char *weights_path = g_build_filename (dir, "model.safetensors", NULL);
  g_autofree char *gen_path = g_build_filename (dir, "generation_config.json", NULL);
  g_autofree char *tok_config_path = g_build_filename (dir, "tokenizer_config.json", NULL);
  gint32 eot = ftc_tokenizer_eot_id (tokenizer);

  if (ftc_tokenizer_vocab_size (tokenizer) != (guint) config->vocab_size)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "%s: the tokenizer has %u tokens, the model's "
                   "vocab_size is %d", dir, ftc_tokenizer_vocab_size (tokenizer), config->vocab_size);
      return FALSE;
    }
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: cannot create the folder: %s", dir,
                   g_strerror (saved));
      return FALSE;
    }
  if (!ftc_model_weights_save (weights_path, config, params, n_params, error)
      || !ftc_tokenizer_save (tokenizer, dir, error))
    return FALSE;
  if (ftc_tokenizer_kind (tokenizer) == FTC_TOKENIZER_BPE)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      SET_BOOL ("add_prefix_space", FALSE);
      SET_STRING ("bos_token", "<|endoftext|>");
      SET_STRING ("eos_token", "<|endoftext|>");
      SET_STRING ("unk_token", "<|endoftext|>");
      SET_INT ("model_max_length", config->max_seq_len);
      SET_STRING ("tokenizer_class", "GPT2Tokenizer");
      json_builder_end_object (b);
      if (!write_json (tok_config_path, b, error))
        return FALSE;
    }
  {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    if (eot >= 0)
      {
        SET_INT ("bos_token_id", eot);
        SET_INT ("eos_token_id", eot);
      }
    SET_STRING ("transformers_version", "4.40.0");
    json_builder_end_object (b);
    if (!write_json (gen_path, b, error))
      return FALSE;
  }
  /* config.json last: a folder with a config is complete */
  return ftc_model_config_save (config_path, config, eot, error);
}

FtcModel *
ftc_model_dir_to_engine (FtcModelDir *md, FtcBackend *be, GError **error)
{
  FtcModel *model = NULL;
  FtcModelConfig config = ftc_model_spec_config (&md->spec);
  FtcStatus status = ftc_model_new (be, &config, &model);

  if (status == FTC_OK)
    status = ftc_model_write_params (model, md->params, md->n_params);
  if (status != FTC_OK)
    {
      ftc_error_set_compute (error, status, ftc_backend_last_error (be), "%s", md->path);
      ftc_model_free (model);
      return NULL;
    }
  return model;
}
