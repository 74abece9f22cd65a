/* ftc-llama.h: the LLaMA-family student (Llama 2/3.x, SmolLM2, Qwen2/2.5, Qwen3) on any backend: token
 * embedding, pre-RMSNorm blocks of grouped-query attention with rotate-half rotary position embedding
 * (rope_theta, optional llama3 rope_scaling), optional q/k/v biases (Qwen2), optional per-head RMSNorm on
 * q and k (Qwen3), an explicit head size, a SwiGLU MLP, a final RMSNorm and a tied or untied LM head, as
 * transformers' modeling_llama.py, modeling_qwen2.py and modeling_qwen3.py compute them in float32.
 *
 * Parameters live in ONE backend buffer, each tensor spanning all layers (QKV = (NH + 2 NKV) D):
 *   wte (Vp,C) ln1w (L,C) qkvw (L,QKV,C) [qkvb (L,QKV)] [qnormw (L,D) knormw (L,D)] attprojw (L,C,NH*D)
 *   ln2w (L,C) gateupw (L,2F,C) downw (L,C,F) lnfw (C) [lmhead (Vp,C)]
 * Bracketed tensors exist only when the config asks for them. qkvw stacks q_proj, k_proj and v_proj
 * (rows), gateupw gate_proj then up_proj: one product each. Linear weights are (out, in) as nn.Linear.
 * Rows V..Vp of wte and lmhead are padding (zero, never a target). Gradients, AdamW m and v mirror the
 * layout; activations are one more buffer. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "compute/ftc-backend.h"
#include "compute/models/ftc-gpt2.h"

typedef enum {
  FTC_ROPE_DEFAULT,       /* inv_freq[i] = theta^(-2i/D) */
  FTC_ROPE_LLAMA3,        /* Llama 3.1/3.2: low frequencies divided by factor, a smooth band between */
} FtcRopeKind;

typedef struct {
  int max_seq_len;        /* max_position_embeddings */
  int vocab_size;         /* V */
  int padded_vocab_size;  /* Vp >= V; 0 means round V up to a multiple of 64 */
  int num_layers;         /* L */
  int num_heads;          /* NH */
  int num_kv_heads;       /* NKV, divides NH */
  int head_dim;           /* D (even); hidden_size / NH unless the config says otherwise (Qwen3) */
  int channels;           /* C, hidden_size */
  int intermediate;       /* F, intermediate_size */
  float rms_eps;
  float rope_theta;
  FtcRopeKind rope_kind;
  float rope_factor, rope_low_freq_factor, rope_high_freq_factor;   /* llama3 */
  int rope_original_max_pos;                                        /* llama3 */
  int qkv_bias;           /* Qwen2: biases on q, k, v */
  int qk_norm;            /* Qwen3: RMSNorm over each head of q and k before RoPE */
  int tied;               /* LM head = wte */
} FtcLlamaConfig;

#define FTC_LLAMA_MAX_TENSORS 12

typedef struct FtcLlama FtcLlama;

FtcStatus ftc_llama_config_validate (const FtcLlamaConfig *config, char *err, size_t err_len);
/* The tensors config has (in the layout's order); returns the total parameter count. */
size_t ftc_llama_layout (const FtcLlamaConfig *config, FtcGpt2Tensor tensors[FTC_LLAMA_MAX_TENSORS], int *n);
/* inv_freq (D/2 floats) as transformers computes it in float32 for config's rope. */
void ftc_llama_rope_inv_freq (const FtcLlamaConfig *config, float *inv_freq);

FtcStatus ftc_llama_new (FtcBackend *be, const FtcLlamaConfig *config, FtcLlama **out);
void ftc_llama_free (FtcLlama *model);
const FtcLlamaConfig *ftc_llama_config (FtcLlama *model);
const FtcGpt2Tensor *ftc_llama_tensors (FtcLlama *model, int *n);
size_t ftc_llama_num_params (FtcLlama *model);
FtcBackend *ftc_llama_backend (FtcLlama *model);

/* N(0, 0.02) matrices and embeddings, ones for the norms, zero biases; deterministic in seed. */
FtcStatus ftc_llama_init_random (FtcLlama *model, uint64_t seed);
FtcStatus ftc_llama_write_params (FtcLlama *model, const float *params, size_t n);
FtcStatus ftc_llama_read_params (FtcLlama *model, float *params, size_t n);
FtcStatus ftc_llama_read_grads (FtcLlama *model, float *grads, size_t n);

/* As ftc_gpt2_forward (inputs (B,T), optional targets and per-token weights, loss = sum weight * loss) */
FtcStatus ftc_llama_forward (FtcLlama *model, const int32_t *inputs, const int32_t *targets, const float *weights,
                             int B, int T, float *loss);
FtcStatus ftc_llama_read_logits (FtcLlama *model, float *logits, size_t n);   /* B*T*Vp floats */
FtcStatus ftc_llama_read_losses (FtcLlama *model, float *losses, size_t n);
FtcStatus ftc_llama_zero_grad (FtcLlama *model);
FtcStatus ftc_llama_backward (FtcLlama *model);   /* accumulates, as ftc_gpt2_backward */
FtcStatus ftc_llama_update (FtcLlama *model, const FtcAdamWConfig *opt, int step, float *grad_norm);
FtcStatus ftc_llama_read_optimizer (FtcLlama *model, float *m, float *v, size_t n);
FtcStatus ftc_llama_write_optimizer (FtcLlama *model, const float *m, const float *v, size_t n);

/* KV-cache decoding: begin allocates the caches for B rows of Tc positions; each decode call runs T new
 * tokens per row (inputs (B,T), row b starting at position pos[b], pos[b] + T <= Tc) and leaves in logits
 * (B,Vp) host floats the logits after token last[b] of each row. */
FtcStatus ftc_llama_decode_begin (FtcLlama *model, int B, int Tc);
FtcStatus ftc_llama_decode (FtcLlama *model, const int32_t *inputs, const int32_t *pos, const int *last,
                            int B, int T, float *logits);
void ftc_llama_decode_end (FtcLlama *model);
