/* ftc-model.c: the model interface, dispatched on the family. */
#include "compute/models/ftc-model.h"

#include <stdlib.h>
#include <string.h>

#include "compute/ftc-backend-private.h"

struct FtcModel {
  FtcModelConfig config;
  FtcGpt2 *gpt2;
  FtcLlama *llama;
};

#define DISPATCH(model, fn, ...) \
  ((model)->gpt2 != NULL ? ftc_gpt2_##fn ((model)->gpt2, ##__VA_ARGS__) : ftc_llama_##fn ((model)->llama, ##__VA_ARGS__))

FtcModelConfig
ftc_model_config_gpt2 (const FtcGpt2Config *config)
{
  FtcModelConfig c;
  memset (&c, 0, sizeof c);
  c.family = FTC_MODEL_GPT2;
  c.gpt2 = *config;
  return c;
}

FtcModelConfig
ftc_model_config_llama (const FtcLlamaConfig *config)
{
  FtcModelConfig c;
  memset (&c, 0, sizeof c);
  c.family = FTC_MODEL_LLAMA;
  c.llama = *config;
  return c;
}

FtcStatus
ftc_model_config_validate (const FtcModelConfig *config, char *err, size_t err_len)
{
  return config->family == FTC_MODEL_GPT2 ? ftc_gpt2_config_validate (&config->gpt2, err, err_len)
                                          : ftc_llama_config_validate (&config->llama, err, err_len);
}

FtcModel *
ftc_model_from_gpt2 (FtcGpt2 *gpt2)
{
  FtcModel *m = calloc (1, sizeof *m);
  if (m == NULL)
    return NULL;
  m->gpt2 = gpt2;
  m->config = ftc_model_config_gpt2 (ftc_gpt2_config (gpt2));
  return m;
}

FtcModel *
ftc_model_from_llama (FtcLlama *llama)
{
  FtcModel *m = calloc (1, sizeof *m);
  if (m == NULL)
    return NULL;
  m->llama = llama;
  m->config = ftc_model_config_llama (ftc_llama_config (llama));
  return m;
}

FtcStatus
ftc_model_new (FtcBackend *be, const FtcModelConfig *config, FtcModel **out)
{
  FtcStatus st;

  *out = NULL;
  if (config->family == FTC_MODEL_GPT2)
    {
      FtcGpt2 *g = NULL;
      if ((st = ftc_gpt2_new (be, &config->gpt2, &g)) != FTC_OK)
        return st;
      *out = ftc_model_from_gpt2 (g);
      if (*out == NULL)
        ftc_gpt2_free (g);
    }
  else
    {
      FtcLlama *l = NULL;
      if ((st = ftc_llama_new (be, &config->llama, &l)) != FTC_OK)
        return st;
      *out = ftc_model_from_llama (l);
      if (*out == NULL)
        ftc_llama_free (l);
    }
  return *out != NULL ? FTC_OK : ftc_backend_fail (be, FTC_ERR_HOST_MEMORY, "model_new: out of host memory");
}

void
ftc_model_free (FtcModel *model)
{
  if (model == NULL)
    return;
  ftc_gpt2_free (model->gpt2);
  ftc_llama_free (model->llama);
  free (model);
}

FtcModelFamily ftc_model_family (FtcModel *model) { return model->config.family; }
const FtcModelConfig *ftc_model_config (FtcModel *model) { return &model->config; }
FtcGpt2 *ftc_model_gpt2 (FtcModel *model) { return model->gpt2; }
FtcLlama *ftc_model_llama (FtcModel *model) { return model->llama; }

FtcBackend *
ftc_model_backend (FtcModel *model)
{
  return model->gpt2 != NULL ? ftc_gpt2_backend (model->gpt2) : ftc_llama_backend (model->llama);
}

size_t ftc_model_num_params (FtcModel *model) { return DISPATCH (model, num_params); }

const FtcGpt2Tensor *
ftc_model_tensors (FtcModel *model, int *n)
{
  if (model->gpt2 != NULL)
    {
      *n = FTC_GPT2_NUM_TENSORS;
      return ftc_gpt2_tensors (model->gpt2);
    }
  return ftc_llama_tensors (model->llama, n);
}

int
ftc_model_vocab_size (FtcModel *model)
{
  return model->gpt2 != NULL ? model->config.gpt2.vocab_size : model->config.llama.vocab_size;
}

int
ftc_model_padded_vocab_size (FtcModel *model)
{
  return model->gpt2 != NULL ? model->config.gpt2.padded_vocab_size : model->config.llama.padded_vocab_size;
}

int
ftc_model_max_seq_len (FtcModel *model)
{
  return model->gpt2 != NULL ? model->config.gpt2.max_seq_len : model->config.llama.max_seq_len;
}

FtcStatus ftc_model_init_random (FtcModel *model, uint64_t seed) { return DISPATCH (model, init_random, seed); }
FtcStatus ftc_model_write_params (FtcModel *model, const float *p, size_t n) { return DISPATCH (model, write_params, p, n); }
FtcStatus ftc_model_read_params (FtcModel *model, float *p, size_t n) { return DISPATCH (model, read_params, p, n); }
FtcStatus ftc_model_read_grads (FtcModel *model, float *g, size_t n) { return DISPATCH (model, read_grads, g, n); }

FtcStatus
ftc_model_forward (FtcModel *model, const int32_t *inputs, const int32_t *targets, const float *weights, int B,
                   int T, float *loss)
{
  return DISPATCH (model, forward, inputs, targets, weights, B, T, loss);
}

FtcStatus ftc_model_read_logits (FtcModel *model, float *x, size_t n) { return DISPATCH (model, read_logits, x, n); }
FtcStatus ftc_model_read_losses (FtcModel *model, float *x, size_t n) { return DISPATCH (model, read_losses, x, n); }
FtcStatus ftc_model_zero_grad (FtcModel *model) { return DISPATCH (model, zero_grad); }
FtcStatus ftc_model_backward (FtcModel *model) { return DISPATCH (model, backward); }

FtcStatus
ftc_model_update (FtcModel *model, const FtcAdamWConfig *opt, int step, float *grad_norm)
{
  return DISPATCH (model, update, opt, step, grad_norm);
}

FtcStatus
ftc_model_read_optimizer (FtcModel *model, float *m, float *v, size_t n)
{
  return DISPATCH (model, read_optimizer, m, v, n);
}

FtcStatus
ftc_model_write_optimizer (FtcModel *model, const float *m, const float *v, size_t n)
{
  return DISPATCH (model, write_optimizer, m, v, n);
}

FtcStatus ftc_model_decode_begin (FtcModel *model, int B, int Tc) { return DISPATCH (model, decode_begin, B, Tc); }

FtcStatus
ftc_model_decode (FtcModel *model, const int32_t *inputs, const int32_t *pos, const int *last, int B, int T,
                  float *logits)
{
  return DISPATCH (model, decode, inputs, pos, last, B, T, logits);
}

void
ftc_model_decode_end (FtcModel *model)
{
  if (model->gpt2 != NULL)
    ftc_gpt2_decode_end (model->gpt2);
  else
    ftc_llama_decode_end (model->llama);
}
