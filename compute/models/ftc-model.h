/* ftc-model.h: the one model interface the trainer, generation, checkpoints and the pipeline use, whichever
 * family runs: GPT-2 (ftc-gpt2.h) or the LLaMA family (ftc-llama.h). Each call goes to the family's own
 * function of the same name and contract (documented in ftc-gpt2.h): one parameter buffer in the family's
 * layout, forward with per-token loss weights, accumulating backward, AdamW with clipping, and KV-cache
 * decoding (decode_begin / decode / decode_end). A later wrapper (LoRA adapters, frozen half-precision
 * weights) can sit behind the same functions. */
#pragma once

#include "compute/models/ftc-gpt2.h"
#include "compute/models/ftc-llama.h"

typedef enum {
  FTC_MODEL_GPT2,
  FTC_MODEL_LLAMA,
} FtcModelFamily;

typedef struct {
  FtcModelFamily family;
  FtcGpt2Config gpt2;     /* FTC_MODEL_GPT2 */
  FtcLlamaConfig llama;   /* FTC_MODEL_LLAMA */
} FtcModelConfig;

typedef struct FtcModel FtcModel;

FtcModelConfig ftc_model_config_gpt2 (const FtcGpt2Config *config);
FtcModelConfig ftc_model_config_llama (const FtcLlamaConfig *config);
FtcStatus ftc_model_config_validate (const FtcModelConfig *config, char *err, size_t err_len);

FtcStatus ftc_model_new (FtcBackend *be, const FtcModelConfig *config, FtcModel **out);
/* Takes ownership of an existing model. */
FtcModel *ftc_model_from_gpt2 (FtcGpt2 *gpt2);
FtcModel *ftc_model_from_llama (FtcLlama *llama);
void ftc_model_free (FtcModel *model);

FtcModelFamily ftc_model_family (FtcModel *model);
/* Vp resolved */
const FtcModelConfig *ftc_model_config (FtcModel *model);
/* The family's own model, or NULL for the other family. */
FtcGpt2 *ftc_model_gpt2 (FtcModel *model);
FtcLlama *ftc_model_llama (FtcModel *model);
FtcBackend *ftc_model_backend (FtcModel *model);
size_t ftc_model_num_params (FtcModel *model);
const FtcGpt2Tensor *ftc_model_tensors (FtcModel *model, int *n);
int ftc_model_vocab_size (FtcModel *model);
int ftc_model_padded_vocab_size (FtcModel *model);
int ftc_model_max_seq_len (FtcModel *model);

FtcStatus ftc_model_init_random (FtcModel *model, uint64_t seed);
FtcStatus ftc_model_write_params (FtcModel *model, const float *params, size_t n);
FtcStatus ftc_model_read_params (FtcModel *model, float *params, size_t n);
FtcStatus ftc_model_read_grads (FtcModel *model, float *grads, size_t n);
FtcStatus ftc_model_forward (FtcModel *model, const int32_t *inputs, const int32_t *targets, const float *weights,
                             int B, int T, float *loss);
FtcStatus ftc_model_read_logits (FtcModel *model, float *logits, size_t n);
FtcStatus ftc_model_read_losses (FtcModel *model, float *losses, size_t n);
FtcStatus ftc_model_zero_grad (FtcModel *model);
FtcStatus ftc_model_backward (FtcModel *model);
FtcStatus ftc_model_update (FtcModel *model, const FtcAdamWConfig *opt, int step, float *grad_norm);
FtcStatus ftc_model_read_optimizer (FtcModel *model, float *m, float *v, size_t n);
FtcStatus ftc_model_write_optimizer (FtcModel *model, const float *m, const float *v, size_t n);

/* KV-cache decoding (ftc-llama.h has the contract); FTC_ERR_UNSUPPORTED on a backend without the cached
 * attention ops, where a caller falls back to ftc_model_forward over the whole sequence. */
FtcStatus ftc_model_decode_begin (FtcModel *model, int B, int Tc);
FtcStatus ftc_model_decode (FtcModel *model, const int32_t *inputs, const int32_t *pos, const int *last,
                            int B, int T, float *logits);
void ftc_model_decode_end (FtcModel *model);
