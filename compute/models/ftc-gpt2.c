/* ftc-gpt2.c: the GPT-2 student on top of the ops of ftc-backend.h only, so it runs unchanged on every
 * backend. Layout and passes follow llm.c's train_gpt2.c: one buffer each for parameters, gradients,
 * AdamW m and v, and one for activations (forward tensors of every layer, plus the backward's scratch,
 * which is per layer and reused). */
#include "compute/models/ftc-gpt2.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute/ftc-backend-private.h"

/* ---- activations ---- */

enum {
  ACT_INPUTS,      /* (B,T) int32 */
  ACT_TARGETS,     /* (B,T) int32 */
  ACT_WEIGHTS,     /* (B,T) */
  ACT_ENCODED,     /* (B,T,C) */
  ACT_LN1,         /* (L,B,T,C) */
  ACT_LN1_MEAN,    /* (L,B,T) */
  ACT_LN1_RSTD,    /* (L,B,T) */
  ACT_QKV,         /* (B,T,3C) one layer at a time: backward needs qkvr, not qkv */
  ACT_QKVR,        /* (L,3,B,NH,T,HS) */
  ACT_ATT,         /* (L,B,NH,T,T) */
  ACT_ATTY,        /* (L,B,T,C) */
  ACT_ATTPROJ,     /* (B,T,C) one layer at a time: only the residual sum uses it */
  ACT_RESIDUAL2,   /* (L,B,T,C) */
  ACT_LN2,         /* (L,B,T,C) */
  ACT_LN2_MEAN,    /* (L,B,T) */
  ACT_LN2_RSTD,    /* (L,B,T) */
  ACT_FCH,         /* (L,B,T,4C) */
  ACT_FCH_GELU,    /* (L,B,T,4C) */
  ACT_FCPROJ,      /* (B,T,C) one layer at a time, as attproj */
  ACT_RESIDUAL3,   /* (L,B,T,C) */
  ACT_LNF,         /* (B,T,C) */
  ACT_LNF_MEAN,    /* (B,T) */
  ACT_LNF_RSTD,    /* (B,T) */
  ACT_LOGITS,      /* (B,T,Vp); dlogits after backward */
  ACT_LOSSES,      /* (B,T) */
  /* backward scratch, one layer at a time */
  ACT_DRESIDUAL,   /* (B,T,C) the gradient of the residual stream */
  ACT_DC,          /* (B,T,C) dln2, datty, dln1 in turn */
  ACT_D4A,         /* (B,T,4C) dfch_gelu, then dqkv */
  ACT_D4B,         /* (B,T,4C) dfch */
  ACT_DQKVR,       /* (3,B,NH,T,HS) */
  ACT_DATT,        /* (B,NH,T,T) */
  ACT_DSCRATCH,    /* (B,T,C) */
  ACT_NORM,        /* (1) the squared gradient norm */
  NUM_ACTS
};

struct FtcGpt2 {
  FtcBackend *be;
  FtcGpt2Config config;          /* Vp resolved */
  FtcGpt2Tensor tensors[FTC_GPT2_NUM_TENSORS];
  size_t num_params;
  FtcBuf *params, *grads, *m, *v; /* grads, m, v allocated when first needed */

  FtcBuf *acts;
  size_t act_offsets[NUM_ACTS];
  int act_capacity;              /* the largest B*T the activations hold */
  int B, T;                      /* of the last forward */
  int have_targets;              /* the last forward had targets: backward may run */
  int logits_consumed;           /* backward turned the logits into dlogits */
  int step;                      /* updates done so far */
  float *host_scratch;           /* B*T floats, the per-token losses */
  /* KV-cache decoding */
  FtcBuf *dec_acts, *dec_ints, *kcache, *vcache;
  size_t dec_acts_len, dec_ints_len;
  int dec_B, dec_Tc;
};

enum {
  T_WTE, T_WPE, T_LN1W, T_LN1B, T_QKVW, T_QKVB, T_ATTPROJW, T_ATTPROJB,
  T_LN2W, T_LN2B, T_FCW, T_FCB, T_FCPROJW, T_FCPROJB, T_LNFW, T_LNFB
};

static FtcStatus
fail (FtcBackend *be, FtcStatus status, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

static FtcStatus
fail (FtcBackend *be, FtcStatus status, const char *fmt, ...)
{
  va_list args;
  char message[sizeof be->last_error];

  va_start (args, fmt);
  vsnprintf (message, sizeof message, fmt, args);
  va_end (args);
  return ftc_backend_fail (be, status, "%s", message);
}

#define CHECK(expr) do { FtcStatus s_ = (expr); if (s_ != FTC_OK) return s_; } while (0)

/* ---- config and layout ---- */

static int
resolved_vp (const FtcGpt2Config *c)
{
  return c->padded_vocab_size > 0 ? c->padded_vocab_size : (c->vocab_size + 63) / 64 * 64;
}

FtcStatus
ftc_gpt2_config_validate (const FtcGpt2Config *c, char *err, size_t err_len)
{
  const char *why = NULL;
  char buf[256];

  if (c == NULL)
    why = "no config";
  else if (c->max_seq_len <= 0 || c->max_seq_len > (1 << 20))
    snprintf (buf, sizeof buf, "max_seq_len must lie in 1..%d, got %d", 1 << 20, c->max_seq_len), why = buf;
  else if (c->vocab_size <= 0 || c->vocab_size > (1 << 24))
    snprintf (buf, sizeof buf, "vocab_size must lie in 1..%d, got %d", 1 << 24, c->vocab_size), why = buf;
  else if (c->padded_vocab_size < 0 || (c->padded_vocab_size > 0 && c->padded_vocab_size < c->vocab_size)
           || c->padded_vocab_size > (1 << 24))
    snprintf (buf, sizeof buf, "padded_vocab_size must be 0 or at least vocab_size %d, got %d",
              c->vocab_size, c->padded_vocab_size), why = buf;
  else if (c->num_layers <= 0 || c->num_layers > 1024)
    snprintf (buf, sizeof buf, "num_layers must lie in 1..1024, got %d", c->num_layers), why = buf;
  else if (c->channels <= 0 || c->channels > (1 << 16))
    snprintf (buf, sizeof buf, "channels must lie in 1..%d, got %d", 1 << 16, c->channels), why = buf;
  else if (c->num_heads <= 0)
    snprintf (buf, sizeof buf, "num_heads must be positive, got %d", c->num_heads), why = buf;
  else if (c->channels % c->num_heads != 0)
    snprintf (buf, sizeof buf, "num_heads %d does not divide channels %d", c->num_heads, c->channels), why = buf;
  if (why == NULL)
    return FTC_OK;
  if (err != NULL && err_len > 0)
    snprintf (err, err_len, "invalid model config: %s", why);
  return FTC_ERR_INVALID_ARG;
}

size_t
ftc_gpt2_layout (const FtcGpt2Config *c, FtcGpt2Tensor t[FTC_GPT2_NUM_TENSORS])
{
  size_t Vp = (size_t) resolved_vp (c), C = (size_t) c->channels, L = (size_t) c->num_layers;
  size_t maxT = (size_t) c->max_seq_len, offset = 0;
  /* name, rows, cols (cols 0: a vector), per layer, decay */
  static const struct { const char *name; int per_layer, decay; } spec[FTC_GPT2_NUM_TENSORS] = {
    { "wte", 0, 1 }, { "wpe", 0, 1 }, { "ln1w", 1, 0 }, { "ln1b", 1, 0 },
    { "qkvw", 1, 1 }, { "qkvb", 1, 0 }, { "attprojw", 1, 1 }, { "attprojb", 1, 0 },
    { "ln2w", 1, 0 }, { "ln2b", 1, 0 }, { "fcw", 1, 1 }, { "fcb", 1, 0 },
    { "fcprojw", 1, 1 }, { "fcprojb", 1, 0 }, { "lnfw", 0, 0 }, { "lnfb", 0, 0 },
  };
  const size_t shape[FTC_GPT2_NUM_TENSORS][2] = {
    { Vp, C }, { maxT, C }, { C, 0 }, { C, 0 }, { 3 * C, C }, { 3 * C, 0 }, { C, C }, { C, 0 },
    { C, 0 }, { C, 0 }, { 4 * C, C }, { 4 * C, 0 }, { C, 4 * C }, { C, 0 }, { C, 0 }, { C, 0 },
  };

  for (int i = 0; i < FTC_GPT2_NUM_TENSORS; i++)
    {
      size_t one = shape[i][0] * (shape[i][1] > 0 ? shape[i][1] : 1);
      t[i].name = spec[i].name;
      t[i].offset = offset;
      t[i].size = spec[i].per_layer ? L * one : one;
      t[i].ndim = shape[i][1] > 0 ? 2 : 1;
      t[i].shape[0] = (int) shape[i][0];
      t[i].shape[1] = (int) shape[i][1];
      t[i].shape[2] = 0;
      t[i].per_layer = spec[i].per_layer;
      t[i].decay = spec[i].decay;
      offset += t[i].size;
    }
  return offset;
}

/* ---- life cycle ---- */

FtcStatus
ftc_gpt2_new (FtcBackend *be, const FtcGpt2Config *config, FtcGpt2 **out)
{
  char err[256];
  FtcGpt2 *model;
  FtcStatus status;

  if (out == NULL || be == NULL)
    return ftc_backend_fail (be, FTC_ERR_INVALID_ARG, "gpt2_new: no backend or no place for the model");
  *out = NULL;
  if (ftc_gpt2_config_validate (config, err, sizeof err) != FTC_OK)
    return fail (be, FTC_ERR_INVALID_ARG, "%s", err);
  model = calloc (1, sizeof *model);
  if (model == NULL)
    return fail (be, FTC_ERR_HOST_MEMORY, "gpt2_new: out of host memory");
  model->be = be;
  model->config = *config;
  model->config.padded_vocab_size = resolved_vp (config);
  model->num_params = ftc_gpt2_layout (&model->config, model->tensors);
  status = ftc_buf_new (be, model->num_params, &model->params);
  if (status != FTC_OK)
    {
      free (model);
      return status;
    }
  /* fresh parameters are all zero: LayerNorm weights must still be one for a usable model */
  ftc_buf_fill (ftc_view (model->params, model->tensors[T_LN1W].offset), 1.0f, model->tensors[T_LN1W].size);
  ftc_buf_fill (ftc_view (model->params, model->tensors[T_LN2W].offset), 1.0f, model->tensors[T_LN2W].size);
  ftc_buf_fill (ftc_view (model->params, model->tensors[T_LNFW].offset), 1.0f, model->tensors[T_LNFW].size);
  *out = model;
  return FTC_OK;
}

void
ftc_gpt2_free (FtcGpt2 *model)
{
  if (model == NULL)
    return;
  ftc_buf_free (model->params);
  ftc_buf_free (model->grads);
  ftc_buf_free (model->m);
  ftc_buf_free (model->v);
  ftc_buf_free (model->acts);
  ftc_gpt2_decode_end (model);
  free (model->host_scratch);
  free (model);
}

const FtcGpt2Config *ftc_gpt2_config (FtcGpt2 *model) { return &model->config; }
const FtcGpt2Tensor *ftc_gpt2_tensors (FtcGpt2 *model) { return model->tensors; }
size_t ftc_gpt2_num_params (FtcGpt2 *model) { return model->num_params; }
FtcBackend *ftc_gpt2_backend (FtcGpt2 *model) { return model->be; }

/* gradients, m and v come into being when training first needs them */
static FtcStatus
ensure_buf (FtcGpt2 *model, FtcBuf **buf)
{
  return *buf != NULL ? FTC_OK : ftc_buf_new (model->be, model->num_params, buf);
}

/* ---- initialisation ---- */

/* splitmix64: the same stream on every machine */
static uint64_t
rng_next (uint64_t *state)
{
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* uniform in (0, 1) */
static double
rng_uniform (uint64_t *state)
{
  return ((double) (rng_next (state) >> 11) + 0.5) / 9007199254740992.0;
}

static void
fill_normal (uint64_t *state, float *x, size_t n, double std)
{
  /* Box-Muller, both values used */
  for (size_t i = 0; i < n; i += 2)
    {
      double u1 = rng_uniform (state), u2 = rng_uniform (state);
      double r = sqrt (-2.0 * log (u1));
      x[i] = (float) (std * r * cos (2.0 * M_PI * u2));
      if (i + 1 < n)
        x[i + 1] = (float) (std * r * sin (2.0 * M_PI * u2));
    }
}

FtcStatus
ftc_gpt2_init_random (FtcGpt2 *model, uint64_t seed)
{
  const FtcGpt2Config *c = &model->config;
  /* tensors go up in chunks, so that the host never holds a second copy of a large model */
  const size_t chunk = (size_t) 1 << 20;
  float *x = malloc (chunk * sizeof (float));
  uint64_t state = seed;
  FtcStatus status = FTC_OK;

  if (x == NULL)
    return fail (model->be, FTC_ERR_HOST_MEMORY, "gpt2_init_random: out of host memory");
  for (int i = 0; i < FTC_GPT2_NUM_TENSORS && status == FTC_OK; i++)
    {
      const FtcGpt2Tensor *t = &model->tensors[i];
      /* the projections into the residual stream add up over 2L blocks: GPT-2 scales them down */
      double std = (i == T_ATTPROJW || i == T_FCPROJW) ? 0.02 / sqrt (2.0 * c->num_layers) : 0.02;
      size_t random = i == T_WTE ? (size_t) c->vocab_size * c->channels : t->size;   /* padding rows stay 0 */
      for (size_t done = 0; done < t->size && status == FTC_OK; done += chunk)
        {
          size_t n = t->size - done < chunk ? t->size - done : chunk;
          if (i == T_LN1W || i == T_LN2W || i == T_LNFW)
            for (size_t j = 0; j < n; j++)
              x[j] = 1.0f;
          else if (t->ndim == 2)
            {
              size_t n_random = done >= random ? 0 : (random - done < n ? random - done : n);
              /* chunks are even-sized, so the Box-Muller pairs never straddle two of them */
              fill_normal (&state, x, n_random, std);
              memset (x + n_random, 0, (n - n_random) * sizeof (float));
            }
          else
            memset (x, 0, n * sizeof (float));
          status = ftc_buf_write (ftc_view (model->params, t->offset + done), x, n);
        }
    }
  free (x);
  return status;
}

FtcStatus
ftc_gpt2_write_params (FtcGpt2 *model, const float *params, size_t n)
{
  if (n != model->num_params)
    return fail (model->be, FTC_ERR_INVALID_ARG, "gpt2_write_params: got %zu values, the model has %zu parameters",
                 n, model->num_params);
  return ftc_buf_write (ftc_view (model->params, 0), params, n);
}

FtcStatus
ftc_gpt2_read_params (FtcGpt2 *model, float *params, size_t n)
{
  if (n != model->num_params)
    return fail (model->be, FTC_ERR_INVALID_ARG, "gpt2_read_params: room for %zu values, the model has %zu",
                 n, model->num_params);
  return ftc_buf_read (ftc_view (model->params, 0), params, n);
}

FtcStatus
ftc_gpt2_read_grads (FtcGpt2 *model, float *grads, size_t n)
{
  if (n != model->num_params)
    return fail (model->be, FTC_ERR_INVALID_ARG, "gpt2_read_grads: room for %zu values, the model has %zu",
                 n, model->num_params);
  if (model->grads == NULL)
    return fail (model->be, FTC_ERR_INVALID_ARG, "gpt2_read_grads: no gradients yet (run backward first)");
  return ftc_buf_read (ftc_view (model->grads, 0), grads, n);
}

/* ---- forward ---- */

static FtcStatus
ensure_activations (FtcGpt2 *model, int B, int T)
{
  const FtcGpt2Config *c = &model->config;
  size_t BT = (size_t) B * T, C = c->channels, L = c->num_layers, NH = c->num_heads, Vp = c->padded_vocab_size;
  size_t sizes[NUM_ACTS] = {
    [ACT_INPUTS] = BT, [ACT_TARGETS] = BT, [ACT_WEIGHTS] = BT, [ACT_ENCODED] = BT * C,
    [ACT_LN1] = L * BT * C, [ACT_LN1_MEAN] = L * BT, [ACT_LN1_RSTD] = L * BT, [ACT_QKV] = BT * 3 * C,
    [ACT_QKVR] = L * 3 * BT * C, [ACT_ATT] = L * B * NH * T * T, [ACT_ATTY] = L * BT * C,
    [ACT_ATTPROJ] = BT * C, [ACT_RESIDUAL2] = L * BT * C, [ACT_LN2] = L * BT * C,
    [ACT_LN2_MEAN] = L * BT, [ACT_LN2_RSTD] = L * BT, [ACT_FCH] = L * BT * 4 * C,
    [ACT_FCH_GELU] = L * BT * 4 * C, [ACT_FCPROJ] = BT * C, [ACT_RESIDUAL3] = L * BT * C,
    [ACT_LNF] = BT * C, [ACT_LNF_MEAN] = BT, [ACT_LNF_RSTD] = BT, [ACT_LOGITS] = BT * Vp, [ACT_LOSSES] = BT,
    [ACT_DRESIDUAL] = BT * C, [ACT_DC] = BT * C, [ACT_D4A] = BT * 4 * C, [ACT_D4B] = BT * 4 * C,
    [ACT_DQKVR] = 3 * BT * C, [ACT_DATT] = B * NH * T * T, [ACT_DSCRATCH] = BT * C, [ACT_NORM] = 1,
  };
  size_t total = 0;
  FtcStatus status;

  /* the attention scratch grows with T^2, so a new shape may need more even at the same B*T */
  for (int i = 0; i < NUM_ACTS; i++)
    {
      model->act_offsets[i] = total;
      total += sizes[i];
    }
  if (model->acts != NULL && ftc_buf_len (model->acts) >= total)
    return FTC_OK;
  ftc_buf_free (model->acts);
  model->acts = NULL;
  free (model->host_scratch);
  model->host_scratch = NULL;
  status = ftc_buf_new (model->be, total, &model->acts);
  if (status != FTC_OK)
    return fail (model->be, status, "activations for B=%d, T=%d need %.1f MiB: %s; try a smaller batch",
                 B, T, (double) total * 4.0 / (1024.0 * 1024.0), ftc_backend_last_error (model->be));
  model->host_scratch = malloc (BT * sizeof (float));
  if (model->host_scratch == NULL)
    return fail (model->be, FTC_ERR_HOST_MEMORY, "out of host memory");
  model->act_capacity = (int) BT;
  return FTC_OK;
}

/* An activation view; per-layer tensors at layer l, each layer `per_layer` elements */
static FtcView
act (FtcGpt2 *model, int which)
{
  return ftc_view (model->acts, model->act_offsets[which]);
}

static FtcView
act_l (FtcGpt2 *model, int which, int l, size_t per_layer)
{
  return ftc_view (model->acts, model->act_offsets[which] + (size_t) l * per_layer);
}

static FtcView
param (FtcGpt2 *model, int which, int l)
{
  const FtcGpt2Tensor *t = &model->tensors[which];
  size_t one = t->per_layer ? t->size / (size_t) model->config.num_layers : 0;
  return ftc_view (model->params, t->offset + (size_t) l * one);
}

static FtcView
grad (FtcGpt2 *model, int which, int l)
{
  const FtcGpt2Tensor *t = &model->tensors[which];
  size_t one = t->per_layer ? t->size / (size_t) model->config.num_layers : 0;
  return ftc_view (model->grads, t->offset + (size_t) l * one);
}

FtcStatus
ftc_gpt2_forward (FtcGpt2 *model, const int32_t *inputs, const int32_t *targets,
                  const float *weights, int B, int T, float *loss)
{
  FtcBackend *be = model->be;
  const FtcGpt2Config *c = &model->config;
  int C = c->channels, L = c->num_layers, NH = c->num_heads, V = c->vocab_size, Vp = c->padded_vocab_size;
  size_t BT = (size_t) B * T, BTC = BT * C;

  model->have_targets = 0;
  if (inputs == NULL || B <= 0 || T <= 0)
    return fail (be, FTC_ERR_INVALID_ARG, "gpt2_forward: need inputs and positive B, T (got B=%d, T=%d)", B, T);
  if (T > c->max_seq_len)
    return fail (be, FTC_ERR_INVALID_ARG, "gpt2_forward: T=%d is beyond the position table of %d",
                 T, c->max_seq_len);
  if (targets != NULL && weights == NULL)
    return fail (be, FTC_ERR_INVALID_ARG, "gpt2_forward: targets need per-token weights");
  for (size_t i = 0; i < BT; i++)
    {
      if (inputs[i] < 0 || inputs[i] >= V)
        return fail (be, FTC_ERR_INVALID_ARG, "gpt2_forward: input token %d at position %zu is outside the vocabulary of %d",
                     inputs[i], i, V);
      if (targets != NULL && (targets[i] < 0 || targets[i] >= V))
        return fail (be, FTC_ERR_INVALID_ARG, "gpt2_forward: target token %d at position %zu is outside the vocabulary of %d",
                     targets[i], i, V);
      if (targets != NULL && !isfinite (weights[i]))
        return fail (be, FTC_ERR_INVALID_ARG, "gpt2_forward: loss weight at position %zu is not finite", i);
    }
  CHECK (ensure_activations (model, B, T));
  model->B = B;
  model->T = T;
  model->logits_consumed = 0;

  CHECK (ftc_buf_write (act (model, ACT_INPUTS), inputs, BT));
  CHECK (ftc_encoder_forward (be, act (model, ACT_ENCODED), act (model, ACT_INPUTS),
                              param (model, T_WTE, 0), param (model, T_WPE, 0), B, T, C));
  FtcView residual = act (model, ACT_ENCODED);
  for (int l = 0; l < L; l++)
    {
      FtcView ln1 = act_l (model, ACT_LN1, l, BTC), ln1_mean = act_l (model, ACT_LN1_MEAN, l, BT);
      FtcView ln1_rstd = act_l (model, ACT_LN1_RSTD, l, BT), qkv = act (model, ACT_QKV);
      FtcView qkvr = act_l (model, ACT_QKVR, l, 3 * BTC), att = act_l (model, ACT_ATT, l, (size_t) B * NH * T * T);
      FtcView atty = act_l (model, ACT_ATTY, l, BTC), attproj = act (model, ACT_ATTPROJ);
      FtcView residual2 = act_l (model, ACT_RESIDUAL2, l, BTC), ln2 = act_l (model, ACT_LN2, l, BTC);
      FtcView ln2_mean = act_l (model, ACT_LN2_MEAN, l, BT), ln2_rstd = act_l (model, ACT_LN2_RSTD, l, BT);
      FtcView fch = act_l (model, ACT_FCH, l, 4 * BTC), fch_gelu = act_l (model, ACT_FCH_GELU, l, 4 * BTC);
      FtcView fcproj = act (model, ACT_FCPROJ), residual3 = act_l (model, ACT_RESIDUAL3, l, BTC);

      CHECK (ftc_layernorm_forward (be, ln1, ln1_mean, ln1_rstd, residual, param (model, T_LN1W, l),
                                    param (model, T_LN1B, l), (int) BT, C));
      CHECK (ftc_matmul_forward (be, qkv, ln1, param (model, T_QKVW, l), param (model, T_QKVB, l),
                                 (int) BT, C, 3 * C));
      CHECK (ftc_attention_forward (be, atty, qkvr, att, qkv, B, T, C, NH));
      CHECK (ftc_matmul_forward (be, attproj, atty, param (model, T_ATTPROJW, l), param (model, T_ATTPROJB, l),
                                 (int) BT, C, C));
      CHECK (ftc_residual_forward (be, residual2, residual, attproj, BTC));
      CHECK (ftc_layernorm_forward (be, ln2, ln2_mean, ln2_rstd, residual2, param (model, T_LN2W, l),
                                    param (model, T_LN2B, l), (int) BT, C));
      CHECK (ftc_matmul_forward (be, fch, ln2, param (model, T_FCW, l), param (model, T_FCB, l),
                                 (int) BT, C, 4 * C));
      CHECK (ftc_gelu_forward (be, fch_gelu, fch, 4 * BTC));
      CHECK (ftc_matmul_forward (be, fcproj, fch_gelu, param (model, T_FCPROJW, l), param (model, T_FCPROJB, l),
                                 (int) BT, 4 * C, C));
      CHECK (ftc_residual_forward (be, residual3, residual2, fcproj, BTC));
      residual = residual3;
    }
  CHECK (ftc_layernorm_forward (be, act (model, ACT_LNF), act (model, ACT_LNF_MEAN), act (model, ACT_LNF_RSTD),
                                residual, param (model, T_LNFW, 0), param (model, T_LNFB, 0), (int) BT, C));
  /* tied LM head on the V real rows of wte only: logits[:, :V] (BT,V) = lnf (BT,C) @ wte[:V]^T (C,V);
   * the padded columns are never read */
  CHECK (ftc_gemm (be, 0, 1, (int) BT, V, C, 1.0f, act (model, ACT_LNF), C, param (model, T_WTE, 0), C,
                   0.0f, act (model, ACT_LOGITS), Vp));

  if (targets == NULL)
    return FTC_OK;
  CHECK (ftc_buf_write (act (model, ACT_TARGETS), targets, BT));
  CHECK (ftc_buf_write (act (model, ACT_WEIGHTS), weights, BT));
  CHECK (ftc_crossentropy_forward (be, act (model, ACT_LOSSES), act (model, ACT_LOGITS), act (model, ACT_TARGETS),
                                   act (model, ACT_WEIGHTS), (int) BT, V, Vp, 0));
  CHECK (ftc_buf_read (act (model, ACT_LOSSES), model->host_scratch, BT));
  double sum = 0.0;
  for (size_t i = 0; i < BT; i++)
    sum += (double) weights[i] * model->host_scratch[i];
  if (!isfinite (sum))
    return fail (be, FTC_ERR_NOT_FINITE, "step %d: the loss is not finite (%g) in the forward pass",
                 model->step + 1, sum);
  if (loss != NULL)
    *loss = (float) sum;
  model->have_targets = 1;
  return FTC_OK;
}

FtcStatus
ftc_gpt2_read_logits (FtcGpt2 *model, float *logits, size_t n)
{
  size_t have = (size_t) model->B * model->T * model->config.padded_vocab_size;

  if (model->acts == NULL || model->B == 0)
    return fail (model->be, FTC_ERR_INVALID_ARG, "gpt2_read_logits: no forward pass yet");
  if (model->logits_consumed)
    return fail (model->be, FTC_ERR_INVALID_ARG, "gpt2_read_logits: backward has overwritten the logits");
  if (n > have)
    return fail (model->be, FTC_ERR_INVALID_ARG, "gpt2_read_logits: asked %zu values, the last forward made %zu",
                 n, have);
  return ftc_buf_read (act (model, ACT_LOGITS), logits, n);
}

FtcStatus
ftc_gpt2_read_losses (FtcGpt2 *model, float *losses, size_t n)
{
  size_t have = (size_t) model->B * model->T;

  if (!model->have_targets)
    return fail (model->be, FTC_ERR_INVALID_ARG, "gpt2_read_losses: the last forward had no targets");
  if (n > have)
    return fail (model->be, FTC_ERR_INVALID_ARG, "gpt2_read_losses: asked %zu values, the last forward made %zu",
                 n, have);
  return ftc_buf_read (act (model, ACT_LOSSES), losses, n);
}

/* ---- backward ---- */

FtcStatus
ftc_gpt2_zero_grad (FtcGpt2 *model)
{
  CHECK (ensure_buf (model, &model->grads));
  return ftc_buf_fill (ftc_view (model->grads, 0), 0.0f, model->num_params);
}

/* matmul_backward for a dinp that nothing has written yet: dinp (N,IC) = dout (N,OC) @ weight (OC,IC) is
 * written (beta 0) rather than accumulated, so it needs no zero fill first (a full pass over the buffer);
 * dweight and dbias accumulate as usual.  The same products in the same order as matmul_backward. */
static FtcStatus
matmul_backward_fresh (FtcBackend *be, FtcView dinp, FtcView dweight, FtcView dbias, FtcView dout, FtcView inp,
                       FtcView weight, int N, int IC, int OC)
{
  CHECK (ftc_gemm (be, 0, 0, N, IC, OC, 1.0f, dout, OC, weight, IC, 0.0f, dinp, IC));
  return ftc_matmul_backward (be, FTC_VIEW_NULL, dweight, dbias, dout, inp, weight, N, IC, OC);
}

FtcStatus
ftc_gpt2_backward (FtcGpt2 *model)
{
  FtcBackend *be = model->be;
  const FtcGpt2Config *c = &model->config;
  int B = model->B, T = model->T;
  int C = c->channels, L = c->num_layers, NH = c->num_heads, V = c->vocab_size, Vp = c->padded_vocab_size;
  size_t BT = (size_t) B * T, BTC = BT * C;

  if (!model->have_targets || model->logits_consumed)
    return fail (be, FTC_ERR_INVALID_ARG, "gpt2_backward: needs a forward pass with targets just before");
  if (model->grads == NULL)
    CHECK (ftc_gpt2_zero_grad (model));
  model->logits_consumed = 1;

  /* dlogits = weight * (softmax - onehot), in place of the logits */
  FtcView dlogits = act (model, ACT_LOGITS);
  CHECK (ftc_crossentropy_forward (be, act (model, ACT_LOSSES), dlogits, act (model, ACT_TARGETS),
                                   act (model, ACT_WEIGHTS), (int) BT, V, Vp, 1));
  /* forward: logits[:, :V] = lnf @ wte[:V]^T */
  FtcView dlnf = act (model, ACT_DC);
  /* dlnf (BT,C) = dlogits[:, :V] (BT,V) @ wte[:V] (V,C), written (beta 0): no zero fill needed */
  CHECK (ftc_gemm (be, 0, 0, (int) BT, C, V, 1.0f, dlogits, Vp, param (model, T_WTE, 0), C, 0.0f, dlnf, C));
  /* dwte[:V] (V,C) += dlogits[:, :V]^T (V,BT) @ lnf (BT,C) */
  CHECK (ftc_gemm (be, 1, 0, V, C, (int) BT, 1.0f, dlogits, Vp, act (model, ACT_LNF), C, 1.0f,
                   grad (model, T_WTE, 0), C));

  /* forward: lnf = layernorm(residual3[L-1]); dresidual starts here and collects every block's share */
  FtcView dresidual = act (model, ACT_DRESIDUAL);
  CHECK (ftc_buf_fill (dresidual, 0.0f, BTC));
  CHECK (ftc_layernorm_backward (be, dresidual, grad (model, T_LNFW, 0), grad (model, T_LNFB, 0), dlnf,
                                 act_l (model, ACT_RESIDUAL3, L - 1, BTC), param (model, T_LNFW, 0),
                                 act (model, ACT_LNF_MEAN), act (model, ACT_LNF_RSTD), (int) BT, C));

  FtcView dc = act (model, ACT_DC), d4a = act (model, ACT_D4A), d4b = act (model, ACT_D4B);
  for (int l = L - 1; l >= 0; l--)
    {
      FtcView residual = l == 0 ? act (model, ACT_ENCODED) : act_l (model, ACT_RESIDUAL3, l - 1, BTC);
      FtcView ln1 = act_l (model, ACT_LN1, l, BTC), ln1_mean = act_l (model, ACT_LN1_MEAN, l, BT);
      FtcView ln1_rstd = act_l (model, ACT_LN1_RSTD, l, BT);
      FtcView qkvr = act_l (model, ACT_QKVR, l, 3 * BTC), att = act_l (model, ACT_ATT, l, (size_t) B * NH * T * T);
      FtcView atty = act_l (model, ACT_ATTY, l, BTC);
      FtcView residual2 = act_l (model, ACT_RESIDUAL2, l, BTC), ln2 = act_l (model, ACT_LN2, l, BTC);
      FtcView ln2_mean = act_l (model, ACT_LN2_MEAN, l, BT), ln2_rstd = act_l (model, ACT_LN2_RSTD, l, BT);
      FtcView fch = act_l (model, ACT_FCH, l, 4 * BTC), fch_gelu = act_l (model, ACT_FCH_GELU, l, 4 * BTC);

      /* forward: residual3 = residual2 + fcproj, so dfcproj = dresidual and dresidual2 = dresidual (+ below) */
      /* forward: fcproj = fch_gelu @ fcprojw^T + fcprojb */
      FtcView dfch_gelu = d4a, dfch = d4b;
      CHECK (matmul_backward_fresh (be, dfch_gelu, grad (model, T_FCPROJW, l), grad (model, T_FCPROJB, l), dresidual,
                                    fch_gelu, param (model, T_FCPROJW, l), (int) BT, 4 * C, C));
      /* forward: fch_gelu = gelu(fch); dfch is written (nothing else adds to it): no zero fill */
      CHECK (ftc_gelu_backward_set (be, dfch, fch, dfch_gelu, 4 * BTC));
      /* forward: fch = ln2 @ fcw^T + fcb */
      FtcView dln2 = dc;
      CHECK (matmul_backward_fresh (be, dln2, grad (model, T_FCW, l), grad (model, T_FCB, l), dfch, ln2,
                                    param (model, T_FCW, l), (int) BT, C, 4 * C));
      /* forward: ln2 = layernorm(residual2); adds into dresidual, which is now dresidual2 */
      CHECK (ftc_layernorm_backward (be, dresidual, grad (model, T_LN2W, l), grad (model, T_LN2B, l), dln2,
                                     residual2, param (model, T_LN2W, l), ln2_mean, ln2_rstd, (int) BT, C));
      /* forward: residual2 = residual + attproj; attproj = atty @ attprojw^T + attprojb */
      FtcView datty = dc;
      CHECK (matmul_backward_fresh (be, datty, grad (model, T_ATTPROJW, l), grad (model, T_ATTPROJB, l), dresidual,
                                    atty, param (model, T_ATTPROJW, l), (int) BT, C, C));
      /* forward: atty = attention(qkv) */
      /* dqkv is written (nothing else adds to it): no zero fill */
      FtcView dqkv = d4a;
      CHECK (ftc_attention_backward_set (be, dqkv, act (model, ACT_DQKVR), act (model, ACT_DATT),
                                         act (model, ACT_DSCRATCH), datty, qkvr, att, B, T, C, NH));
      /* forward: qkv = ln1 @ qkvw^T + qkvb */
      FtcView dln1 = dc;
      CHECK (matmul_backward_fresh (be, dln1, grad (model, T_QKVW, l), grad (model, T_QKVB, l), dqkv, ln1,
                                    param (model, T_QKVW, l), (int) BT, C, 3 * C));
      /* forward: ln1 = layernorm(residual); dresidual becomes the gradient of the block's input */
      CHECK (ftc_layernorm_backward (be, dresidual, grad (model, T_LN1W, l), grad (model, T_LN1B, l), dln1,
                                     residual, param (model, T_LN1W, l), ln1_mean, ln1_rstd, (int) BT, C));
    }
  /* forward: encoded = wte[inputs] + wpe[t] */
  CHECK (ftc_encoder_backward (be, grad (model, T_WTE, 0), grad (model, T_WPE, 0), dresidual,
                               act (model, ACT_INPUTS), B, T, C));
  return FTC_OK;
}

/* ---- optimizer ---- */

FtcStatus
ftc_gpt2_update (FtcGpt2 *model, const FtcAdamWConfig *opt, int step, float *grad_norm)
{
  FtcBackend *be = model->be;
  FtcView norm_out;
  float sumsq = 0.0f;

  if (opt == NULL || step < 1)
    return fail (be, FTC_ERR_INVALID_ARG, "gpt2_update: need optimizer settings and a step >= 1 (got %d)", step);
  if (model->grads == NULL)
    return fail (be, FTC_ERR_INVALID_ARG, "gpt2_update: no gradients (run backward first)");
  if (!isfinite (opt->lr) || opt->lr < 0 || !isfinite (opt->weight_decay) || opt->eps <= 0)
    return fail (be, FTC_ERR_INVALID_ARG, "gpt2_update: invalid settings (lr %g, weight decay %g, eps %g)",
                 opt->lr, opt->weight_decay, opt->eps);
  if (model->acts == NULL)
    CHECK (ensure_activations (model, 1, 1));
  CHECK (ensure_buf (model, &model->m));
  CHECK (ensure_buf (model, &model->v));
  norm_out = act (model, ACT_NORM);

  CHECK (ftc_norm_squared (be, norm_out, ftc_view (model->grads, 0), model->num_params));
  CHECK (ftc_buf_read (norm_out, &sumsq, 1));
  float norm = sqrtf (sumsq);
  if (grad_norm != NULL)
    *grad_norm = norm;
  if (!isfinite (norm))
    {
      /* name the first tensor at fault */
      for (int i = 0; i < FTC_GPT2_NUM_TENSORS; i++)
        {
          const FtcGpt2Tensor *t = &model->tensors[i];
          float s = 0.0f;
          CHECK (ftc_norm_squared (be, norm_out, ftc_view (model->grads, t->offset), t->size));
          CHECK (ftc_buf_read (norm_out, &s, 1));
          if (!isfinite (s))
            return fail (be, FTC_ERR_NOT_FINITE, "step %d: the gradient of %s is not finite (%g)", step, t->name, s);
        }
      return fail (be, FTC_ERR_NOT_FINITE, "step %d: the gradient norm is not finite (%g)", step, norm);
    }
  /* PyTorch's clip_grad_norm_: scale by max_norm / (norm + 1e-6) when that is below 1 */
  float scale = 1.0f;
  if (opt->max_grad_norm > 0.0f)
    {
      float coef = opt->max_grad_norm / (norm + 1e-6f);
      if (coef < 1.0f)
        scale = coef;
    }
  for (int i = 0; i < FTC_GPT2_NUM_TENSORS; i++)
    {
      const FtcGpt2Tensor *t = &model->tensors[i];
      CHECK (ftc_adamw_update (be, ftc_view (model->params, t->offset), ftc_view (model->grads, t->offset),
                               ftc_view (model->m, t->offset), ftc_view (model->v, t->offset), t->size,
                               opt->lr, opt->beta1, opt->beta2, opt->eps, t->decay ? opt->weight_decay : 0.0f,
                               scale, step));
    }
  model->step = step;
  return FTC_OK;
}

FtcStatus
ftc_gpt2_read_optimizer (FtcGpt2 *model, float *m, float *v, size_t n)
{
  if (n != model->num_params)
    return fail (model->be, FTC_ERR_INVALID_ARG, "gpt2_read_optimizer: room for %zu values, the model has %zu",
                 n, model->num_params);
  CHECK (ensure_buf (model, &model->m));
  CHECK (ensure_buf (model, &model->v));
  CHECK (ftc_buf_read (ftc_view (model->m, 0), m, n));
  return ftc_buf_read (ftc_view (model->v, 0), v, n);
}

FtcStatus
ftc_gpt2_write_optimizer (FtcGpt2 *model, const float *m, const float *v, size_t n)
{
  if (n != model->num_params)
    return fail (model->be, FTC_ERR_INVALID_ARG, "gpt2_write_optimizer: got %zu values, the model has %zu",
                 n, model->num_params);
  CHECK (ensure_buf (model, &model->m));
  CHECK (ensure_buf (model, &model->v));
  CHECK (ftc_buf_write (ftc_view (model->m, 0), m, n));
  return ftc_buf_write (ftc_view (model->v, 0), v, n);
}

FtcBuf *
ftc_gpt2_params_buf (FtcGpt2 *model)
{
  return model->params;
}

/* ---- KV-cache decoding ---- */

void
ftc_gpt2_decode_end (FtcGpt2 *model)
{
  ftc_buf_free (model->dec_acts);
  ftc_buf_free (model->dec_ints);
  ftc_buf_free (model->kcache);
  ftc_buf_free (model->vcache);
  model->dec_acts = model->dec_ints = model->kcache = model->vcache = NULL;
  model->dec_acts_len = model->dec_ints_len = 0;
  model->dec_B = model->dec_Tc = 0;
}

FtcStatus
ftc_gpt2_decode_begin (FtcGpt2 *model, int B, int Tc)
{
  const FtcGpt2Config *c = &model->config;
  size_t n = (size_t) c->num_layers * B * Tc * c->channels;

  if (B <= 0 || Tc <= 0 || Tc > c->max_seq_len)
    return fail (model->be, FTC_ERR_INVALID_ARG, "gpt2_decode_begin: B=%d rows of Tc=%d positions (the model has "
                 "%d)", B, Tc, c->max_seq_len);
  if (model->kcache == NULL || ftc_buf_len (model->kcache) < n)
    {
      ftc_buf_free (model->kcache);
      ftc_buf_free (model->vcache);
      model->kcache = model->vcache = NULL;
      CHECK (ftc_buf_new (model->be, n, &model->kcache));
      CHECK (ftc_buf_new (model->be, n, &model->vcache));
    }
  model->dec_B = B;
  model->dec_Tc = Tc;
  return FTC_OK;
}

static FtcStatus
grow (FtcBackend *be, FtcBuf **buf, size_t *len, size_t need)
{
  if (*buf != NULL && *len >= need)
    return FTC_OK;
  ftc_buf_free (*buf);
  *buf = NULL;
  *len = 0;
  CHECK (ftc_buf_new (be, need, buf));
  *len = need;
  return FTC_OK;
}

FtcStatus
ftc_gpt2_decode (FtcGpt2 *model, const int32_t *inputs, const int32_t *pos, const int *last, int B, int T,
                 float *logits)
{
  FtcBackend *be = model->be;
  const FtcGpt2Config *c = &model->config;
  int C = c->channels, NH = c->num_heads, L = c->num_layers, Vp = c->padded_vocab_size, V = c->vocab_size;
  int Tc = model->dec_Tc;
  size_t N = (size_t) B * T, layer_cache = (size_t) B * Tc * C, off = 0;

  if (model->kcache == NULL || B != model->dec_B || T <= 0 || T > Tc)
    return fail (be, FTC_ERR_INVALID_ARG, "gpt2_decode: begin with B=%d first (got B=%d, T=%d)", model->dec_B, B, T);
  for (int b = 0; b < B; b++)
    if (pos[b] < 0 || pos[b] + T > Tc || last[b] < 0 || last[b] >= T)
      return fail (be, FTC_ERR_INVALID_ARG, "gpt2_decode: row %d at position %d (+%d) outside the cache of %d",
                   b, pos[b], T, Tc);
  for (size_t i = 0; i < N; i++)
    if (inputs[i] < 0 || inputs[i] >= V)
      return fail (be, FTC_ERR_INVALID_ARG, "gpt2_decode: token %d outside the vocabulary of %d", inputs[i], V);

  /* x, x2, ln (N,C); qkv (N,3C); atty, proj (N,C); fch, fgelu (N,4C); mean, rstd (N); att (B,NH,T,Tc);
   * xg, lnf (B,C); logits (B,Vp) */
  size_t sizes[] = { N * C, N * C, N * C, 3 * N * C, N * C, N * C, 4 * N * C, 4 * N * C, N, N,
                     (size_t) B * NH * T * Tc, (size_t) B * C, (size_t) B * C, (size_t) B * Vp };
  FtcView v[14];
  size_t total = 0;
  for (int i = 0; i < 14; i++)
    total += sizes[i];
  CHECK (grow (be, &model->dec_acts, &model->dec_acts_len, total));
  CHECK (grow (be, &model->dec_ints, &model->dec_ints_len, N + B));
  for (int i = 0; i < 14; i++)
    {
      v[i] = ftc_view (model->dec_acts, off);
      off += sizes[i];
    }
  FtcView x = v[0], x2 = v[1], ln = v[2], qkv = v[3], atty = v[4], proj = v[5], fch = v[6], fgelu = v[7];
  FtcView mean = v[8], rstd = v[9], att = v[10], xg = v[11], lnf = v[12], vlogits = v[13];
  FtcView inp = ftc_view (model->dec_ints, 0), vpos = ftc_view (model->dec_ints, N);

  CHECK (ftc_buf_write (inp, inputs, N));
  CHECK (ftc_buf_write (vpos, pos, B));
  CHECK (ftc_encoder_forward_pos (be, x, inp, vpos, param (model, T_WTE, 0), param (model, T_WPE, 0), B, T, C));
  for (int l = 0; l < L; l++)
    {
      CHECK (ftc_layernorm_forward (be, ln, mean, rstd, x, param (model, T_LN1W, l), param (model, T_LN1B, l),
                                    (int) N, C));
      CHECK (ftc_matmul_forward (be, qkv, ln, param (model, T_QKVW, l), param (model, T_QKVB, l), (int) N, C, 3 * C));
      CHECK (ftc_attention_forward_cached (be, atty, ftc_view (model->kcache, l * layer_cache),
                                           ftc_view (model->vcache, l * layer_cache), att, qkv, vpos, B, T, C, NH,
                                           Tc));
      CHECK (ftc_matmul_forward (be, proj, atty, param (model, T_ATTPROJW, l), param (model, T_ATTPROJB, l),
                                 (int) N, C, C));
      CHECK (ftc_residual_forward (be, x2, x, proj, N * C));
      CHECK (ftc_layernorm_forward (be, ln, mean, rstd, x2, param (model, T_LN2W, l), param (model, T_LN2B, l),
                                    (int) N, C));
      CHECK (ftc_matmul_forward (be, fch, ln, param (model, T_FCW, l), param (model, T_FCB, l), (int) N, C, 4 * C));
      CHECK (ftc_gelu_forward (be, fgelu, fch, N * 4 * C));
      CHECK (ftc_matmul_forward (be, proj, fgelu, param (model, T_FCPROJW, l), param (model, T_FCPROJB, l),
                                 (int) N, 4 * C, C));
      CHECK (ftc_residual_forward (be, x, x2, proj, N * C));
    }
  /* only each row's last real token goes on to the head */
  for (int b = 0; b < B; b++)
    CHECK (ftc_buf_copy (ftc_view_at (xg, (size_t) b * C), ftc_view_at (x, ((size_t) b * T + last[b]) * C), C));
  CHECK (ftc_layernorm_forward (be, lnf, mean, rstd, xg, param (model, T_LNFW, 0), param (model, T_LNFB, 0), B, C));
  CHECK (ftc_matmul_forward (be, vlogits, lnf, param (model, T_WTE, 0), FTC_VIEW_NULL, B, C, Vp));
  return ftc_buf_read (vlogits, logits, (size_t) B * Vp);
}
