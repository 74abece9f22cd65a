/* ftc-gpt2.h: the GPT-2 student (learned positions, pre-LayerNorm, GELU-tanh, causal multi-head attention,
 * tied LM head), any size from a 2-layer toy to GPT-2 large, on any backend.
 *
 * Parameters live in ONE backend buffer in llm.c's order (each tensor spans all layers):
 *   wte (Vp,C) wpe (maxT,C) ln1w (L,C) ln1b (L,C) qkvw (L,3C,C) qkvb (L,3C) attprojw (L,C,C) attprojb (L,C)
 *   ln2w (L,C) ln2b (L,C) fcw (L,4C,C) fcb (L,4C) fcprojw (L,C,4C) fcprojb (L,C) lnfw (C) lnfb (C)
 * Linear weights are (out, in) as in PyTorch's nn.Linear; Hugging Face's Conv1D stores (in, out), so the
 * checkpoint loader transposes. wte rows V..Vp are padding (kept at zero, never a target).
 * Gradients, AdamW m and v mirror that layout in one buffer each; activations are one more buffer. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "compute/ftc-backend.h"

typedef struct {
  int max_seq_len;        /* maxT: the position table */
  int vocab_size;         /* V */
  int padded_vocab_size;  /* Vp >= V; 0 means round V up to a multiple of 64 */
  int num_layers;         /* L */
  int num_heads;          /* NH */
  int channels;           /* C */
} FtcGpt2Config;

#define FTC_GPT2_NUM_TENSORS 16

typedef struct {
  const char *name;       /* "wte", "wpe", "ln1w", ... as in the layout above */
  size_t offset;          /* element offset into the parameter buffer */
  size_t size;            /* elements, all layers together */
  int ndim;               /* shape of one layer's slice (per-layer tensors) or of the whole tensor */
  int shape[3];
  int per_layer;          /* 1 if the tensor is stacked over L */
  int decay;              /* 1 if AdamW weight decay applies (matrices and embeddings) */
} FtcGpt2Tensor;

typedef struct FtcGpt2 FtcGpt2;

/* Checks heads divide the width, sizes are positive, ... ; err gets the field and why. */
FtcStatus ftc_gpt2_config_validate (const FtcGpt2Config *config, char *err, size_t err_len);
/* Fills the tensor table for config (Vp resolved); returns the total parameter count. */
size_t ftc_gpt2_layout (const FtcGpt2Config *config, FtcGpt2Tensor tensors[FTC_GPT2_NUM_TENSORS]);

FtcStatus ftc_gpt2_new (FtcBackend *be, const FtcGpt2Config *config, FtcGpt2 **out);
void ftc_gpt2_free (FtcGpt2 *model);
const FtcGpt2Config *ftc_gpt2_config (FtcGpt2 *model);
const FtcGpt2Tensor *ftc_gpt2_tensors (FtcGpt2 *model);
size_t ftc_gpt2_num_params (FtcGpt2 *model);
FtcBackend *ftc_gpt2_backend (FtcGpt2 *model);

/* GPT-2 initialisation: N(0, 0.02) for weights, zero biases, ones for LayerNorm weights, residual
 * projections scaled by 1/sqrt(2L); deterministic in seed on every machine. */
FtcStatus ftc_gpt2_init_random (FtcGpt2 *model, uint64_t seed);
/* Whole parameter vector in the layout above, host <-> device. */
FtcStatus ftc_gpt2_write_params (FtcGpt2 *model, const float *params, size_t n);
FtcStatus ftc_gpt2_read_params (FtcGpt2 *model, float *params, size_t n);
FtcStatus ftc_gpt2_read_grads (FtcGpt2 *model, float *grads, size_t n);

/* Forward pass on inputs (B,T) int32. Activations are (re)allocated for the largest B*T seen.
 * With targets (B,T) and weights (B,T) (per-token loss weights, already normalised by the caller, e.g.
 * mask / number of completion tokens), *loss = sum of weight * token loss; targets may be NULL (no loss).
 * Logits (B,T,Vp) stay on the device; ftc_gpt2_read_logits fetches them. */
FtcStatus ftc_gpt2_forward (FtcGpt2 *model, const int32_t *inputs, const int32_t *targets,
                            const float *weights, int B, int T, float *loss);
FtcStatus ftc_gpt2_read_logits (FtcGpt2 *model, float *logits, size_t n);   /* B*T*Vp floats */
/* Per-token losses (B,T) of the last forward with targets. */
FtcStatus ftc_gpt2_read_losses (FtcGpt2 *model, float *losses, size_t n);

FtcStatus ftc_gpt2_zero_grad (FtcGpt2 *model);
/* Backward of the last forward (which must have had targets); ACCUMULATES into the gradients, so gradient
 * accumulation is: zero_grad, then forward+backward per micro-batch, then update. */
FtcStatus ftc_gpt2_backward (FtcGpt2 *model);

typedef struct {
  float lr;
  float beta1, beta2, eps;
  float weight_decay;     /* applied to tensors with decay = 1 only */
  float max_grad_norm;    /* clip the global norm to this; <= 0 disables clipping */
} FtcAdamWConfig;

/* Clips by global norm, then one AdamW step (step counts from 1). *grad_norm gets the norm before
 * clipping. A non-finite norm returns FTC_ERR_NOT_FINITE and leaves the parameters untouched. */
FtcStatus ftc_gpt2_update (FtcGpt2 *model, const FtcAdamWConfig *opt, int step, float *grad_norm);
/* AdamW state, for checkpoints: m and v, each num_params floats. */
FtcStatus ftc_gpt2_read_optimizer (FtcGpt2 *model, float *m, float *v, size_t n);
FtcStatus ftc_gpt2_write_optimizer (FtcGpt2 *model, const float *m, const float *v, size_t n);

/* The parameter buffer itself (layout above), for inference code that runs the layers with its own
 * activations. */
FtcBuf *ftc_gpt2_params_buf (FtcGpt2 *model);

/* KV-cache decoding: begin allocates the caches for B rows of Tc positions (Tc <= max_seq_len); each
 * decode call runs T new tokens per row (inputs (B,T), row b starting at position pos[b], pos[b] + T <= Tc;
 * the padding of a short row lands in cache slots that the row overwrites before it reads them) and leaves
 * in logits (B,Vp) host floats the logits after token last[b] of each row. FTC_ERR_UNSUPPORTED on a
 * backend without encoder_forward_pos / attention_forward_cached. */
FtcStatus ftc_gpt2_decode_begin (FtcGpt2 *model, int B, int Tc);
FtcStatus ftc_gpt2_decode (FtcGpt2 *model, const int32_t *inputs, const int32_t *pos, const int *last,
                           int B, int T, float *logits);
void ftc_gpt2_decode_end (FtcGpt2 *model);
