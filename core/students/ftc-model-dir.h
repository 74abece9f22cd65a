/* ftc-model-dir.h: Hugging Face model directories, both ways: GPT-2 (below) and, through
 * ftc-llama-dir.h, the LLaMA family (model_type llama, qwen2, qwen3); config.json's model_type decides.
 * Any other model_type is refused by name.
 *
 * GPT-2 folders:
 *
 * Reading: config.json (model_type gpt2: n_layer, n_head, n_embd, n_positions or n_ctx, vocab_size,
 * layer_norm_epsilon 1e-5, activation_function gelu_new), model.safetensors in the hub's naming
 * (`h.0.attn.c_attn.weight`, `wte.weight`, ...; the `h.N.attn.bias` / `masked_bias` buffers are ignored)
 * or save_pretrained's (`transformer.` prefix; `lm_head.weight` omitted, or present and equal to wte), and
 * the tokenizer (ftc-tokenizer.h), whose vocabulary must match vocab_size. Conv1D weights, stored (in, out),
 * are transposed into the engine's (out, in) layout (compute/models/ftc-gpt2.h). Every tensor's name, dtype and
 * shape is checked against the config before the parameters are allocated.
 *
 * Writing: what GPT2LMHeadModel.from_pretrained loads: config.json (model_type, architectures),
 * model.safetensors (F32, `transformer.` names, Conv1D orientation, tied lm_head omitted, metadata
 * {"format": "pt"}), the tokenizer files, tokenizer_config.json and generation_config.json. */
#pragma once

#include <glib.h>

#include "compute/models/ftc-model.h"
#include "core/students/ftc-llama-dir.h"
#include "core/students/ftc-tokenizer.h"

G_BEGIN_DECLS

typedef struct {
  const char *name;         /* "gpt2", "gpt2-medium", "tiny", ... */
  const char *summary;
  FtcGpt2Config config;     /* vocab_size 0: taken from the tokenizer (from-scratch students) */
} FtcModelPreset;

/* All presets: GPT-2 small/medium/large shapes, then from-scratch sizes. */
const FtcModelPreset *ftc_model_presets (guint *n_out);
/* NULL when name is not a preset. */
const FtcModelPreset *ftc_model_preset_lookup (const char *name);

/* The shapes of LLaMA-family models people distil into (random weights, for `ftcot bench train`, memory
 * estimates and tests): smollm2-135m, qwen2.5-0.5b, qwen3-0.6b, llama3.2-1b. NULL-terminated names; FALSE
 * when name is none of them. */
const char *const *ftc_model_llama_shape_names (void);
gboolean ftc_model_llama_shape_lookup (const char *name, FtcLlamaSpec *spec);

/* Reads a Hugging Face GPT-2 config.json; errors name the file and field. */
gboolean ftc_model_config_load (const char *path, FtcGpt2Config *config, GError **error);
/* Writes config.json as transformers does (eot_id: bos/eos token id, -1 for none), atomically. */
gboolean ftc_model_config_save (const char *path, const FtcGpt2Config *config, gint32 eot_id, GError **error);

/* Reads model.safetensors into a new parameter vector in the engine's layout (*n_params floats). */
float *ftc_model_weights_load (const char *path, const FtcGpt2Config *config, gsize *n_params, GError **error);
/* Writes params (engine layout) as model.safetensors in save_pretrained's naming, atomically. */
gboolean ftc_model_weights_save (const char *path, const FtcGpt2Config *config, const float *params,
                                 gsize n_params, GError **error);

/* What a model folder says about its model: the family and that family's config (and, for the LLaMA
 * family, model_type and the BOS/EOS ids). */
typedef struct {
  FtcModelFamily family;
  FtcGpt2Config gpt2;       /* FTC_MODEL_GPT2 */
  FtcLlamaSpec llama;       /* FTC_MODEL_LLAMA */
} FtcModelSpec;

FtcModelSpec ftc_model_spec_gpt2 (const FtcGpt2Config *config);
FtcModelConfig ftc_model_spec_config (const FtcModelSpec *spec);
int ftc_model_spec_max_seq_len (const FtcModelSpec *spec);
/* The end-of-sequence ids generation stops at (the tokenizer's end-of-text for GPT-2); returns how many. */
int ftc_model_spec_eos_ids (const FtcModelSpec *spec, FtcTokenizer *tokenizer, gint32 *ids, int max);

typedef struct {
  char *path;
  FtcModelSpec spec;        /* padded vocabulary resolved */
  FtcTokenizer *tokenizer;  /* LLaMA family: NULL when the folder has none */
  float *params;            /* engine layout */
  gsize n_params;
} FtcModelDir;

FtcModelDir *ftc_model_dir_load (const char *dir, GError **error);
void ftc_model_dir_free (FtcModelDir *md);
/* Writes a complete model directory (created if needed). */
gboolean ftc_model_dir_save (const char *dir, const FtcModelSpec *spec, const float *params, gsize n_params,
                             FtcTokenizer *tokenizer, GError **error);
/* A model on backend be holding md's parameters. */
FtcModel *ftc_model_dir_to_engine (FtcModelDir *md, FtcBackend *be, GError **error);

/* Writes data to path atomically (temporary file, fsync, rename); FTC_ERROR_FAILED names the path. */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcModelDir, ftc_model_dir_free)

G_END_DECLS
