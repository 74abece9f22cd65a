#include "core/students/ftc-llama-dir.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "core/ftc-error.h"
#include "core/ftc-json-in.h"
#include "core/ftc-json-out.h"
#include "core/students/ftc-safetensors.h"

#define MAX_SHARDS 1024

/* ---- bounded JSON ---- */

/* path as a JSON object, through the one bounded entry point (core/ftc-json-in.h) */
static JsonNode *
read_json (const char *path, FtcInputKind kind, GError **error)
{
  g_autoptr (JsonNode) root = ftc_json_read_file (path, kind, error);

  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: not a JSON object", path);
      return NULL;
    }
  return g_steal_pointer (&root);
}

static gboolean
get_int (JsonObject *o, const char *path, const char *name, gboolean required, gint64 lo, gint64 hi, int *out,
         GError **error)
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

static gboolean
get_number (JsonObject *o, const char *path, const char *name, double def, double *out, GError **error)
{
  JsonNode *n = json_object_get_member (o, name);
  GType t;

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    {
      *out = def;
      return TRUE;
    }
  t = JSON_NODE_HOLDS_VALUE (n) ? json_node_get_value_type (n) : G_TYPE_INVALID;
  if (t != G_TYPE_INT64 && t != G_TYPE_DOUBLE)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: field %s is not a number", path, name);
      return FALSE;
    }
  *out = t == G_TYPE_INT64 ? (double) json_node_get_int (n) : json_node_get_double (n);
  return TRUE;
}

static gboolean
get_bool (JsonObject *o, const char *path, const char *name, gboolean def, int *out, GError **error)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    {
      *out = def;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_BOOLEAN)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: field %s is not true or false", path, name);
      return FALSE;
    }
  *out = json_node_get_boolean (n);
  return TRUE;
}

/* eos_token_id: a number or a list of numbers */
static gboolean
get_ids (JsonObject *o, const char *path, const char *name, gint32 *ids, int *n_ids, GError **error)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_INT64
      && json_node_get_int (n) >= 0 && json_node_get_int (n) < (1 << 24))
    {
      ids[0] = (gint32) json_node_get_int (n);
      *n_ids = 1;
      return TRUE;
    }
  if (JSON_NODE_HOLDS_ARRAY (n) && json_array_get_length (json_node_get_array (n)) <= FTC_LLAMA_MAX_EOS)
    {
      JsonArray *a = json_node_get_array (n);
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonNode *e = json_array_get_element (a, i);
          if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_INT64
              || json_node_get_int (e) < 0 || json_node_get_int (e) >= (1 << 24))
            goto bad;
          ids[i] = (gint32) json_node_get_int (e);
        }
      *n_ids = (int) json_array_get_length (a);
      return TRUE;
    }
bad:
  g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: field %s is not a token id or a list of at most %d",
               path, name, FTC_LLAMA_MAX_EOS);
  return FALSE;
}

/* ---- config.json ---- */

static const char *const family_types[] = { "llama", "qwen2", "qwen3" };

gboolean
ftc_llama_config_is_family (const char *path)
{
  g_autoptr (JsonNode) root = read_json (path, FTC_INPUT_CONFIG, NULL);
  const char *type;

  if (root == NULL)
    return FALSE;
  type = json_object_get_string_member_with_default (json_node_get_object (root), "model_type", "");
  for (gsize i = 0; i < G_N_ELEMENTS (family_types); i++)
    if (strcmp (type, family_types[i]) == 0)
      return TRUE;
  return FALSE;
}

gboolean
ftc_llama_spec_load (const char *path, FtcLlamaSpec *spec, GError **error)
{
  g_autoptr (JsonNode) root = read_json (path, FTC_INPUT_CONFIG, error);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *gen_path = g_build_filename (dir, "generation_config.json", NULL);
  FtcLlamaSpec s = { .bos_id = -1 };
  FtcLlamaConfig *c = &s.config;
  JsonObject *o;
  const char *type;
  double eps, theta;
  int mlp_bias = 0, sliding = 0, head_dim = 0, bos = -1;
  char err[300];
  gboolean known = FALSE;

  if (root == NULL)
    return FALSE;
  o = json_node_get_object (root);
  type = json_object_get_string_member_with_default (o, "model_type", "");
  for (gsize i = 0; i < G_N_ELEMENTS (family_types); i++)
    known |= strcmp (type, family_types[i]) == 0;
  if (!known)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: model_type \"%s\" is not supported (gpt2, llama, "
                   "qwen2 and qwen3 are)", path, type);
      return FALSE;
    }
  g_strlcpy (s.model_type, type, sizeof s.model_type);
  if (!get_int (o, path, "hidden_size", TRUE, 1, 1 << 16, &c->channels, error)
      || !get_int (o, path, "intermediate_size", TRUE, 1, 1 << 18, &c->intermediate, error)
      || !get_int (o, path, "num_hidden_layers", TRUE, 1, 1024, &c->num_layers, error)
      || !get_int (o, path, "num_attention_heads", TRUE, 1, 1024, &c->num_heads, error)
      || !get_int (o, path, "num_key_value_heads", FALSE, 1, 1024, &c->num_kv_heads, error)
      || !get_int (o, path, "head_dim", FALSE, 2, 1024, &head_dim, error)
      || !get_int (o, path, "max_position_embeddings", TRUE, 1, 1 << 20, &c->max_seq_len, error)
      || !get_int (o, path, "vocab_size", TRUE, 1, 1 << 24, &c->vocab_size, error)
      || !get_number (o, path, "rms_norm_eps", 1e-6, &eps, error)
      || !get_number (o, path, "rope_theta", 10000.0, &theta, error)
      || !get_bool (o, path, "tie_word_embeddings", FALSE, &c->tied, error)
      || !get_bool (o, path, "attention_bias", strcmp (type, "qwen2") == 0, &c->qkv_bias, error)
      || !get_bool (o, path, "mlp_bias", FALSE, &mlp_bias, error)
      || !get_bool (o, path, "use_sliding_window", FALSE, &sliding, error)
      || !get_int (o, path, "bos_token_id", FALSE, 0, (1 << 24) - 1, &bos, error)
      || !get_ids (o, path, "eos_token_id", s.eos_ids, &s.n_eos, error))
    return FALSE;
  s.bos_id = bos;
  if (c->num_kv_heads == 0)
    c->num_kv_heads = c->num_heads;
  /* Qwen2 always has q/k/v biases (its config has no attention_bias key); Qwen3's head_dim defaults to 128 */
  if (strcmp (type, "qwen2") == 0)
    c->qkv_bias = 1;
  c->qk_norm = strcmp (type, "qwen3") == 0;
  c->head_dim = head_dim > 0 ? head_dim : strcmp (type, "qwen3") == 0 ? 128 : c->channels / MAX (c->num_heads, 1);
  if (head_dim == 0 && strcmp (type, "qwen3") != 0 && c->channels % c->num_heads != 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: num_attention_heads %d does not divide hidden_size %d "
                   "and there is no head_dim", path, c->num_heads, c->channels);
      return FALSE;
    }
  c->rms_eps = (float) eps;
  c->rope_theta = (float) theta;
  if (json_object_has_member (o, "hidden_act")
      && g_strcmp0 (json_object_get_string_member_with_default (o, "hidden_act", ""), "silu") != 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: hidden_act \"%s\" is not supported (silu only)", path,
                   json_object_get_string_member_with_default (o, "hidden_act", "(not a string)"));
      return FALSE;
    }
  if (mlp_bias || sliding)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: %s is not supported", path,
                   mlp_bias ? "mlp_bias" : "use_sliding_window");
      return FALSE;
    }
  {
    int tp = 1;
    if (!get_int (o, path, "pretraining_tp", FALSE, 1, 1024, &tp, error))
      return FALSE;
    if (tp != 1)
      {
        g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: pretraining_tp %d is not supported (1 only)", path,
                     tp);
        return FALSE;
      }
  }
  {
    JsonNode *rs = json_object_get_member (o, "rope_scaling");
    if (rs != NULL && !JSON_NODE_HOLDS_NULL (rs))
      {
        JsonObject *r;
        const char *kind;
        double factor, lo, hi;
        int orig = 0;
        if (!JSON_NODE_HOLDS_OBJECT (rs))
          {
            g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: field rope_scaling is not an object", path);
            return FALSE;
          }
        r = json_node_get_object (rs);
        kind = json_object_get_string_member_with_default (r, "rope_type",
                                                           json_object_get_string_member_with_default (r, "type", ""));
        if (strcmp (kind, "llama3") == 0)
          {
            if (!get_number (r, path, "factor", 0, &factor, error)
                || !get_number (r, path, "low_freq_factor", 0, &lo, error)
                || !get_number (r, path, "high_freq_factor", 0, &hi, error)
                || !get_int (r, path, "original_max_position_embeddings", TRUE, 1, 1 << 20, &orig, error))
              {
                g_prefix_error (error, "rope_scaling: ");
                return FALSE;
              }
            c->rope_kind = FTC_ROPE_LLAMA3;
            c->rope_factor = (float) factor;
            c->rope_low_freq_factor = (float) lo;
            c->rope_high_freq_factor = (float) hi;
            c->rope_original_max_pos = orig;
          }
        else if (strcmp (kind, "default") != 0)
          {
            g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: rope_scaling of type \"%s\" is not supported "
                         "(default and llama3 are)", path, kind);
            return FALSE;
          }
      }
  }
  if (ftc_llama_config_validate (c, err, sizeof err) != FTC_OK)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: %s", path, err);
      return FALSE;
    }
  if (g_file_test (gen_path, G_FILE_TEST_EXISTS))
    {
      g_autoptr (JsonNode) gen = read_json (gen_path, FTC_INPUT_CONFIG, error);
      int gen_bos = s.bos_id;
      if (gen == NULL
          || !get_ids (json_node_get_object (gen), gen_path, "eos_token_id", s.eos_ids, &s.n_eos, error)
          || !get_int (json_node_get_object (gen), gen_path, "bos_token_id", FALSE, 0, (1 << 24) - 1, &gen_bos, error))
        return FALSE;
      s.bos_id = gen_bos;
    }
  for (int i = 0; i < s.n_eos; i++)
    if (s.eos_ids[i] >= c->vocab_size)
      {
        g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: eos_token_id %d is outside the vocabulary of %d",
                     path, s.eos_ids[i], c->vocab_size);
        return FALSE;
      }
  *spec = s;
  return TRUE;
}

gboolean
ftc_llama_spec_save (const char *dir, const FtcLlamaSpec *s, GError **error)
{
  const FtcLlamaConfig *c = &s->config;
  g_autofree char *config_path = g_build_filename (dir, "config.json", NULL);
  g_autofree char *gen_path = g_build_filename (dir, "generation_config.json", NULL);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonBuilder) g = json_builder_new ();
  const char *arch = strcmp (s->model_type, "qwen2") == 0 ? "Qwen2ForCausalLM"
                     : strcmp (s->model_type, "qwen3") == 0 ? "Qwen3ForCausalLM" : "LlamaForCausalLM";

#define SET(bld, k, call) (json_builder_set_member_name (bld, k), call)
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "architectures");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, arch);
  json_builder_end_array (b);
  SET (b, "model_type", json_builder_add_string_value (b, s->model_type));
  SET (b, "attention_bias", json_builder_add_boolean_value (b, c->qkv_bias));
  SET (b, "hidden_act", json_builder_add_string_value (b, "silu"));
  SET (b, "hidden_size", json_builder_add_int_value (b, c->channels));
  SET (b, "head_dim", json_builder_add_int_value (b, c->head_dim));
  SET (b, "intermediate_size", json_builder_add_int_value (b, c->intermediate));
  SET (b, "max_position_embeddings", json_builder_add_int_value (b, c->max_seq_len));
  SET (b, "num_attention_heads", json_builder_add_int_value (b, c->num_heads));
  SET (b, "num_hidden_layers", json_builder_add_int_value (b, c->num_layers));
  SET (b, "num_key_value_heads", json_builder_add_int_value (b, c->num_kv_heads));
  SET (b, "rms_norm_eps", json_builder_add_double_value (b, c->rms_eps));
  SET (b, "rope_theta", json_builder_add_double_value (b, c->rope_theta));
  json_builder_set_member_name (b, "rope_scaling");
  if (c->rope_kind == FTC_ROPE_LLAMA3)
    {
      json_builder_begin_object (b);
      SET (b, "rope_type", json_builder_add_string_value (b, "llama3"));
      SET (b, "factor", json_builder_add_double_value (b, c->rope_factor));
      SET (b, "low_freq_factor", json_builder_add_double_value (b, c->rope_low_freq_factor));
      SET (b, "high_freq_factor", json_builder_add_double_value (b, c->rope_high_freq_factor));
      SET (b, "original_max_position_embeddings", json_builder_add_int_value (b, c->rope_original_max_pos));
      json_builder_end_object (b);
    }
  else
    json_builder_add_null_value (b);
  SET (b, "tie_word_embeddings", json_builder_add_boolean_value (b, c->tied));
  SET (b, "torch_dtype", json_builder_add_string_value (b, "float32"));
  SET (b, "use_cache", json_builder_add_boolean_value (b, TRUE));
  SET (b, "vocab_size", json_builder_add_int_value (b, c->vocab_size));
  json_builder_begin_object (g);
  if (s->bos_id >= 0)
    {
      SET (b, "bos_token_id", json_builder_add_int_value (b, s->bos_id));
      SET (g, "bos_token_id", json_builder_add_int_value (g, s->bos_id));
    }
  if (s->n_eos > 0)
    {
      SET (b, "eos_token_id", json_builder_add_int_value (b, s->eos_ids[0]));
      json_builder_set_member_name (g, "eos_token_id");
      json_builder_begin_array (g);
      for (int i = 0; i < s->n_eos; i++)
        json_builder_add_int_value (g, s->eos_ids[i]);
      json_builder_end_array (g);
    }
  json_builder_end_object (b);
  json_builder_end_object (g);
#undef SET
  {
    g_autoptr (JsonNode) groot = json_builder_get_root (g), broot = json_builder_get_root (b);
    /* the one JSON writer (numbers in their shortest exact form); config.json last: a folder with a config
     * is complete */
    return ftc_json_write_file (gen_path, groot, error) && ftc_json_write_file (config_path, broot, error);
  }
}

/* ---- weights ---- */

/* One checkpoint tensor and where it lands: rows of the engine tensor's layer slice. */
typedef struct {
  char *name;
  gint64 shape[2];
  int ndim;
  gsize offset;   /* engine element offset */
} Slot;

static void
slot_clear (gpointer p)
{
  g_free (((Slot *) p)->name);
}

static const FtcGpt2Tensor *
find (const FtcGpt2Tensor *t, int n, const char *name)
{
  for (int i = 0; i < n; i++)
    if (strcmp (t[i].name, name) == 0)
      return &t[i];
  return NULL;
}

/* Every tensor transformers has for config c; returns the engine's parameter count. */
static gsize
slots_of (const FtcLlamaConfig *c, GArray *slots)
{
  FtcGpt2Tensor t[FTC_LLAMA_MAX_TENSORS];
  int n;
  gsize total = ftc_llama_layout (c, t, &n);
  gint64 C = c->channels, D = c->head_dim, NH = c->num_heads, NKV = c->num_kv_heads, F = c->intermediate;
  gint64 L = c->num_layers;
  const struct { const char *hf, *engine; gint64 rows, cols, row0; gboolean present; } per_layer[] = {
    { "input_layernorm.weight", "ln1w", C, 0, 0, TRUE },
    { "self_attn.q_proj.weight", "qkvw", NH * D, C, 0, TRUE },
    { "self_attn.k_proj.weight", "qkvw", NKV * D, C, NH * D, TRUE },
    { "self_attn.v_proj.weight", "qkvw", NKV * D, C, (NH + NKV) * D, TRUE },
    { "self_attn.q_proj.bias", "qkvb", NH * D, 0, 0, c->qkv_bias },
    { "self_attn.k_proj.bias", "qkvb", NKV * D, 0, NH * D, c->qkv_bias },
    { "self_attn.v_proj.bias", "qkvb", NKV * D, 0, (NH + NKV) * D, c->qkv_bias },
    { "self_attn.q_norm.weight", "qnormw", D, 0, 0, c->qk_norm },
    { "self_attn.k_norm.weight", "knormw", D, 0, 0, c->qk_norm },
    { "self_attn.o_proj.weight", "attprojw", C, NH * D, 0, TRUE },
    { "post_attention_layernorm.weight", "ln2w", C, 0, 0, TRUE },
    { "mlp.gate_proj.weight", "gateupw", F, C, 0, TRUE },
    { "mlp.up_proj.weight", "gateupw", F, C, F, TRUE },
    { "mlp.down_proj.weight", "downw", C, F, 0, TRUE },
  };
  Slot s;

  s = (Slot) { g_strdup ("model.embed_tokens.weight"), { c->vocab_size, C }, 2, find (t, n, "wte")->offset };
  g_array_append_val (slots, s);
  for (gint64 l = 0; l < L; l++)
    for (gsize i = 0; i < G_N_ELEMENTS (per_layer); i++)
      {
        const FtcGpt2Tensor *et;
        gint64 cols = per_layer[i].cols > 0 ? per_layer[i].cols : 1;
        if (!per_layer[i].present)
          continue;
        et = find (t, n, per_layer[i].engine);
        s.name = g_strdup_printf ("model.layers.%" G_GINT64_FORMAT ".%s", l, per_layer[i].hf);
        s.ndim = per_layer[i].cols > 0 ? 2 : 1;
        s.shape[0] = per_layer[i].rows;
        s.shape[1] = per_layer[i].cols;
        s.offset = et->offset + l * (et->size / L) + per_layer[i].row0 * cols;
        g_array_append_val (slots, s);
      }
  s = (Slot) { g_strdup ("model.norm.weight"), { C, 0 }, 1, find (t, n, "lnfw")->offset };
  g_array_append_val (slots, s);
  if (!c->tied)
    {
      s = (Slot) { g_strdup ("lm_head.weight"), { c->vocab_size, C }, 2, find (t, n, "lmhead")->offset };
      g_array_append_val (slots, s);
    }
  return total;
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

/* The safetensors files of dir: model.safetensors, or the shards of model.safetensors.index.json; every
 * tensor name maps to its file (index into files). */
static gboolean
open_weights (const char *dir, GPtrArray *files, GHashTable *where, GError **error)
{
  g_autofree char *single = g_build_filename (dir, "model.safetensors", NULL);
  g_autofree char *index_path = g_build_filename (dir, "model.safetensors.index.json", NULL);
  g_autoptr (JsonNode) index = NULL;
  g_autoptr (GHashTable) shard_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JsonObject *map;
  g_autoptr (GList) names = NULL;

  if (!g_file_test (index_path, G_FILE_TEST_EXISTS))
    {
      FtcSafetensors *st = ftc_safetensors_open (single, error);
      if (st == NULL)
        return FALSE;
      g_ptr_array_add (files, st);
      for (guint i = 0; i < ftc_safetensors_n_tensors (st); i++)
        g_hash_table_insert (where, (gpointer) ftc_safetensors_tensor (st, i)->name, GUINT_TO_POINTER (1));
      return TRUE;
    }
  index = read_json (index_path, FTC_INPUT_CONFIG, error);
  if (index == NULL)
    return FALSE;
  if (!json_object_has_member (json_node_get_object (index), "weight_map")
      || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (json_node_get_object (index), "weight_map")))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: field weight_map is missing or not an object",
                   index_path);
      return FALSE;
    }
  map = json_object_get_object_member (json_node_get_object (index), "weight_map");
  names = json_object_get_members (map);
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonNode *v = json_object_get_member (map, l->data);
      const char *file = JSON_NODE_HOLDS_VALUE (v) && json_node_get_value_type (v) == G_TYPE_STRING
                         ? json_node_get_string (v) : NULL;
      gpointer id;
      if (file == NULL || file[0] == '\0' || strchr (file, '/') != NULL || strchr (file, '\\') != NULL
          || strcmp (file, "..") == 0 || strcmp (file, ".") == 0)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: weight_map[\"%s\"] is not a file name in the "
                       "folder", index_path, (const char *) l->data);
          return FALSE;
        }
      if (!g_hash_table_lookup_extended (shard_ids, file, NULL, &id))
        {
          g_autofree char *path = g_build_filename (dir, file, NULL);
          FtcSafetensors *st;
          if (files->len >= MAX_SHARDS)
            {
              g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: more than %d shards", index_path, MAX_SHARDS);
              return FALSE;
            }
          st = ftc_safetensors_open (path, error);
          if (st == NULL)
            return FALSE;
          g_ptr_array_add (files, st);
          id = GUINT_TO_POINTER (files->len);
          g_hash_table_insert (shard_ids, g_strdup (file), id);
        }
      {
        FtcSafetensors *st = files->pdata[GPOINTER_TO_UINT (id) - 1];
        const FtcSafetensorsTensor *t = ftc_safetensors_lookup (st, l->data);
        if (t == NULL)
          {
            g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "%s: tensor \"%s\" is not in %s, where the index "
                         "puts it", index_path, (const char *) l->data, file);
            return FALSE;
          }
        g_hash_table_insert (where, (gpointer) t->name, id);
      }
    }
  /* a tensor in a shard that the index does not name is unexpected too */
  for (guint f = 0; f < files->len; f++)
    for (guint i = 0; i < ftc_safetensors_n_tensors (files->pdata[f]); i++)
      {
        const char *name = ftc_safetensors_tensor (files->pdata[f], i)->name;
        if (GPOINTER_TO_UINT (g_hash_table_lookup (where, name)) != f + 1)
          {
            g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "%s: tensor \"%s\" is not in the index %s",
                         ftc_safetensors_path (files->pdata[f]), name, index_path);
            return FALSE;
          }
      }
  return TRUE;
}

float *
ftc_llama_weights_load (const char *dir, const FtcLlamaConfig *config, gsize *n_params_out, GError **error)
{
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) ftc_safetensors_free);
  g_autoptr (GHashTable) where = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) used = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GArray) slots = g_array_new (FALSE, FALSE, sizeof (Slot));
  g_autofree float *params = NULL;
  gsize n_params;
  const FtcSafetensorsTensor *tied_head = NULL;
  FtcSafetensors *tied_st = NULL;
  char err[300];
  GHashTableIter it;
  gpointer key, value;

  if (ftc_llama_config_validate (config, err, sizeof err) != FTC_OK)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: %s", dir, err);
      return NULL;
    }
  g_array_set_clear_func (slots, slot_clear);
  n_params = slots_of (config, slots);
  if (!open_weights (dir, files, where, error))
    return NULL;

  /* everything is checked before the parameters are allocated */
  for (guint i = 0; i < slots->len; i++)
    {
      Slot *s = &g_array_index (slots, Slot, i);
      guint f = GPOINTER_TO_UINT (g_hash_table_lookup (where, s->name));
      const FtcSafetensorsTensor *t = f > 0 ? ftc_safetensors_lookup (files->pdata[f - 1], s->name) : NULL;
      gboolean same = t != NULL && t->ndim == s->ndim;
      for (int d = 0; same && d < s->ndim; d++)
        same = t->shape[d] == s->shape[d];
      if (t == NULL)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "%s: tensor \"%s\" is missing", dir, s->name);
          return NULL;
        }
      if (!same)
        {
          g_autofree char *want = shape_string (s->shape, s->ndim), *got = shape_string (t->shape, t->ndim);
          g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "%s: tensor \"%s\" has shape %s, config.json needs %s",
                       ftc_safetensors_path (files->pdata[f - 1]), s->name, got, want);
          return NULL;
        }
      if (t->dtype == FTC_DTYPE_UNSUPPORTED)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "%s: tensor \"%s\" has dtype %s (F32, F16 or BF16 "
                       "only)", ftc_safetensors_path (files->pdata[f - 1]), s->name, t->dtype_name);
          return NULL;
        }
      g_hash_table_add (used, (gpointer) t->name);
    }
  g_hash_table_iter_init (&it, where);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      const char *name = key;
      FtcSafetensors *st = files->pdata[GPOINTER_TO_UINT (value) - 1];
      if (g_hash_table_contains (used, name) || g_str_has_suffix (name, ".self_attn.rotary_emb.inv_freq"))
        continue;
      if (config->tied && strcmp (name, "lm_head.weight") == 0)
        {
          tied_head = ftc_safetensors_lookup (st, name);
          tied_st = st;
          continue;
        }
      g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "%s: unexpected tensor \"%s\" (not part of a %s model of "
                   "this config)", ftc_safetensors_path (st), name, config->tied ? "tied" : "untied");
      return NULL;
    }

  params = g_try_malloc0_n (n_params, sizeof (float));
  if (params == NULL)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: out of memory for %" G_GSIZE_FORMAT " parameters", dir,
                   n_params);
      return NULL;
    }
  for (guint i = 0; i < slots->len; i++)
    {
      Slot *s = &g_array_index (slots, Slot, i);
      FtcSafetensors *st = files->pdata[GPOINTER_TO_UINT (g_hash_table_lookup (where, s->name)) - 1];
      const FtcSafetensorsTensor *t = ftc_safetensors_lookup (st, s->name);
      if (!ftc_safetensors_read_f32 (st, t, params + s->offset, t->numel, error))
        return NULL;
    }
  if (tied_head != NULL)
    {
      /* a tied checkpoint may carry the head; it must then be the embedding */
      gsize n = (gsize) config->vocab_size * config->channels;
      g_autofree float *head = g_try_malloc_n (n, sizeof (float));
      if (tied_head->numel != n || head == NULL || !ftc_safetensors_read_f32 (tied_st, tied_head, head, n, error)
          || memcmp (head, params + g_array_index (slots, Slot, 0).offset, n * sizeof (float)) != 0)
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "%s: lm_head.weight differs from "
                         "model.embed_tokens.weight, but config.json says tie_word_embeddings", dir);
          return NULL;
        }
    }
  *n_params_out = n_params;
  return g_steal_pointer (&params);
}

gboolean
ftc_llama_weights_save (const char *dir, const FtcLlamaConfig *config, const float *params, gsize n_params,
                        GError **error)
{
  g_autoptr (GArray) slots = g_array_new (FALSE, FALSE, sizeof (Slot));
  g_autoptr (FtcSafetensorsWriter) w = ftc_safetensors_writer_new ();
  g_autofree char *path = g_build_filename (dir, "model.safetensors", NULL);
  gsize n;

  g_array_set_clear_func (slots, slot_clear);
  n = slots_of (config, slots);
  if (n != n_params)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "%s: %" G_GSIZE_FORMAT " parameters given, the config has %"
                   G_GSIZE_FORMAT, path, n_params, n);
      return FALSE;
    }
  for (guint i = 0; i < slots->len; i++)
    {
      Slot *s = &g_array_index (slots, Slot, i);
      ftc_safetensors_writer_add (w, s->name, params + s->offset, s->ndim, s->shape);
    }
  ftc_safetensors_writer_set_metadata (w, "format", "pt");
  return ftc_safetensors_writer_write (w, path, error);
}
