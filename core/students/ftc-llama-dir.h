/* ftc-llama-dir.h: Hugging Face folders of the LLaMA family (model_type llama, qwen2, qwen3), both ways.
 *
 * Reading: config.json (hidden_size, intermediate_size, num_hidden_layers, num_attention_heads,
 * num_key_value_heads, head_dim, max_position_embeddings, vocab_size, rms_norm_eps, rope_theta,
 * rope_scaling null / default / llama3, tie_word_embeddings, attention_bias; hidden_act silu only; anything
 * else that would change what the model computes is refused by name), generation_config.json's and
 * config.json's eos_token_id (a number or a list), and the weights: model.safetensors, or the shards that
 * model.safetensors.index.json names (plain file names in the folder), F32, F16 or BF16, converted to
 * float. Every tensor's name and shape is checked against the config before the parameters are allocated;
 * a missing, misshapen or unexpected tensor is an error naming the file and the tensor.
 *
 * Writing: what LlamaForCausalLM / Qwen2ForCausalLM / Qwen3ForCausalLM.from_pretrained load: config.json,
 * generation_config.json and model.safetensors (F32, transformers' names; lm_head.weight only when untied). */
#pragma once

#include <glib.h>

#include "compute/models/ftc-llama.h"

G_BEGIN_DECLS

#define FTC_LLAMA_MAX_EOS 8

typedef struct {
  char model_type[16];     /* "llama", "qwen2", "qwen3" */
  FtcLlamaConfig config;
  gint32 bos_id;           /* -1: none */
  gint32 eos_ids[FTC_LLAMA_MAX_EOS];
  int n_eos;
} FtcLlamaSpec;

/* TRUE when the config.json at path names one of the LLaMA-family model types (without validating it). */
gboolean ftc_llama_config_is_family (const char *path);
/* Reads config.json (and generation_config.json beside it, if any, for the end-of-sequence ids). */
gboolean ftc_llama_spec_load (const char *config_path, FtcLlamaSpec *spec, GError **error);
gboolean ftc_llama_spec_save (const char *dir, const FtcLlamaSpec *spec, GError **error);

/* The weights of the folder dir in the engine's layout (compute/models/ftc-llama.h); *n_params floats. */
float *ftc_llama_weights_load (const char *dir, const FtcLlamaConfig *config, gsize *n_params, GError **error);
/* Writes dir/model.safetensors in transformers' naming, atomically. */
gboolean ftc_llama_weights_save (const char *dir, const FtcLlamaConfig *config, const float *params,
                                 gsize n_params, GError **error);

G_END_DECLS
