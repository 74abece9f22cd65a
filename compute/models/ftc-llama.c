/* ftc-llama.c: the LLaMA-family student over the ops of ftc-backend.h only, so it runs unchanged on every
 * backend. Layout and passes follow llm.c's train_gpt2.c as ftc-gpt2.c does: one buffer each for
 * parameters, gradients, AdamW m and v, one for activations (every layer's forward tensors and the
 * backward's per-layer scratch), one for the RoPE table and one for KV-cache decoding. */
#include "compute/models/ftc-llama.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute/ftc-backend-private.h"

/* tensor slots; an absent one (qkvb, qnormw, knormw, lmhead) has no entry in the table */
enum { T_WTE, T_LN1W, T_QKVW, T_QKVB, T_QNORMW, T_KNORMW, T_ATTPROJW, T_LN2W, T_GATEUPW, T_DOWNW, T_LNFW,
       T_LMHEAD, T_COUNT };

enum {
  ACT_INPUTS,      /* (B,T) int32 */
  ACT_TARGETS,     /* (B,T) int32 */
  ACT_WEIGHTS,     /* (B,T) */
  ACT_ENCODED,     /* (B,T,C) */
  ACT_LN1,         /* (L,B,T,C) */
  ACT_LN1_RSTD,    /* (L,B,T) */
  ACT_QKV,         /* (B,T,QKV) one layer at a time */
  ACT_QKVN,        /* (L, q and k planes) before the q/k norm (qk_norm only) */
  ACT_QRSTD,       /* (L,B,NH,T) (qk_norm only) */
  ACT_KRSTD,       /* (L,B,NKV,T) (qk_norm only) */
  ACT_QKVR,        /* (L, three planes) after norm and RoPE: attention's input */
  ACT_ATT,         /* (L,B,NH,T,T) */
  ACT_ATTY,        /* (L,B,T,NH*D) */
  ACT_ATTPROJ,     /* (B,T,C) one layer at a time */
  ACT_RESIDUAL2,   /* (L,B,T,C) */
  ACT_LN2,         /* (L,B,T,C) */
  ACT_LN2_RSTD,    /* (L,B,T) */
  ACT_GATEUP,      /* (L,B,T,2F) */
  ACT_SWI,         /* (L,B,T,F) */
  ACT_DOWN,        /* (B,T,C) one layer at a time */
  ACT_RESIDUAL3,   /* (L,B,T,C) */
  ACT_LNF,         /* (B,T,C) */
  ACT_LNF_RSTD,    /* (B,T) */
  ACT_LOGITS,      /* (B,T,Vp); dlogits after backward */
  ACT_LOSSES,      /* (B,T) */
  /* backward scratch, one layer at a time */
  ACT_DRESIDUAL,   /* (B,T,C) */
  ACT_DC,          /* (B,T,max(C,NH*D)) dln2, datty, dln1 in turn */
  ACT_D2F,         /* (B,T,max(2F,QKV)) dgateup, then dqkv */
  ACT_DF,          /* (B,T,F) dswi */
  ACT_DQKVR,       /* three planes */
  ACT_DQKVN,       /* q and k planes before the norm (qk_norm only) */
  ACT_DATT,        /* (B,NH,T,T) */
  ACT_SCRATCH,     /* (B,NH,T,D) attention's scratch, forward and backward */
  ACT_NORM,        /* (1) */
  NUM_ACTS
};

typedef struct {
  FtcBuf *acts, *ints, *kcache, *vcache;
  size_t acts_len, ints_len;
  int B, Tc;
} Decoder;

struct FtcLlama {
  FtcBackend *be;
  FtcLlamaConfig config;             /* Vp resolved */
  FtcGpt2Tensor tensors[FTC_LLAMA_MAX_TENSORS];
  int n_tensors;
  int slot[T_COUNT];                 /* index into tensors, -1 if absent */
  size_t num_params;
  FtcBuf *params, *grads, *m, *v;
  FtcBuf *rope;                      /* (rope_len, D) cos then sin */
  int rope_len;
  FtcBuf *acts;
  size_t act_offsets[NUM_ACTS];
  int act_capacity;
  int B, T;
  int have_targets, logits_consumed, step;
  float *host_scratch;
  Decoder dec;
};

static FtcStatus fail (FtcBackend *be, FtcStatus status, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

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
resolved_vp (const FtcLlamaConfig *c)
{
  return c->padded_vocab_size > 0 ? c->padded_vocab_size : (c->vocab_size + 63) / 64 * 64;
}

FtcStatus
ftc_llama_config_validate (const FtcLlamaConfig *c, char *err, size_t err_len)
{
  char buf[256] = "";

#define BAD(...) snprintf (buf, sizeof buf, __VA_ARGS__)
  if (c == NULL)
    BAD ("no config");
  else if (c->max_seq_len <= 0 || c->max_seq_len > (1 << 20))
    BAD ("max_position_embeddings must lie in 1..%d, got %d", 1 << 20, c->max_seq_len);
  else if (c->vocab_size <= 0 || c->vocab_size > (1 << 24))
    BAD ("vocab_size must lie in 1..%d, got %d", 1 << 24, c->vocab_size);
  else if (c->padded_vocab_size < 0 || (c->padded_vocab_size > 0 && c->padded_vocab_size < c->vocab_size)
           || c->padded_vocab_size > (1 << 24))
    BAD ("padded_vocab_size must be 0 or at least vocab_size %d, got %d", c->vocab_size, c->padded_vocab_size);
  else if (c->num_layers <= 0 || c->num_layers > 1024)
    BAD ("num_hidden_layers must lie in 1..1024, got %d", c->num_layers);
  else if (c->channels <= 0 || c->channels > (1 << 16))
    BAD ("hidden_size must lie in 1..%d, got %d", 1 << 16, c->channels);
  else if (c->intermediate <= 0 || c->intermediate > (1 << 18))
    BAD ("intermediate_size must lie in 1..%d, got %d", 1 << 18, c->intermediate);
  else if (c->num_heads <= 0 || c->num_heads > 1024)
    BAD ("num_attention_heads must lie in 1..1024, got %d", c->num_heads);
  else if (c->num_kv_heads <= 0 || c->num_heads % c->num_kv_heads != 0)
    BAD ("num_key_value_heads %d does not divide num_attention_heads %d", c->num_kv_heads, c->num_heads);
  else if (c->head_dim <= 0 || c->head_dim > 1024 || c->head_dim % 2 != 0)
    BAD ("head_dim must be even and lie in 2..1024, got %d", c->head_dim);
  else if (!(c->rms_eps > 0.0f && c->rms_eps < 1.0f))
    BAD ("rms_norm_eps must lie in (0, 1), got %g", c->rms_eps);
  else if (!(c->rope_theta > 1.0f) || !isfinite (c->rope_theta))
    BAD ("rope_theta must be a finite number above 1, got %g", c->rope_theta);
  else if (c->rope_kind == FTC_ROPE_LLAMA3
           && (!(c->rope_factor >= 1.0f) || !(c->rope_low_freq_factor > 0.0f)
               || !(c->rope_high_freq_factor > c->rope_low_freq_factor) || c->rope_original_max_pos <= 0))
    BAD ("rope_scaling (llama3) needs factor >= 1, 0 < low_freq_factor < high_freq_factor and "
         "original_max_position_embeddings > 0");
#undef BAD
  if (buf[0] == '\0')
    return FTC_OK;
  if (err != NULL && err_len > 0)
    snprintf (err, err_len, "invalid model config: %s", buf);
  return FTC_ERR_INVALID_ARG;
}

size_t
ftc_llama_layout (const FtcLlamaConfig *c, FtcGpt2Tensor t[FTC_LLAMA_MAX_TENSORS], int *n_out)
{
  size_t Vp = (size_t) resolved_vp (c), C = c->channels, L = c->num_layers, D = c->head_dim;
  size_t QKV = (size_t) (c->num_heads + 2 * c->num_kv_heads) * D, F = c->intermediate;
  size_t offset = 0;
  int n = 0;
  const struct { const char *name; int present, per_layer, decay; size_t rows, cols; } spec[T_COUNT] = {
    [T_WTE] = { "wte", 1, 0, 1, Vp, C },
    [T_LN1W] = { "ln1w", 1, 1, 0, C, 0 },
    [T_QKVW] = { "qkvw", 1, 1, 1, QKV, C },
    [T_QKVB] = { "qkvb", c->qkv_bias, 1, 0, QKV, 0 },
    [T_QNORMW] = { "qnormw", c->qk_norm, 1, 0, D, 0 },
    [T_KNORMW] = { "knormw", c->qk_norm, 1, 0, D, 0 },
    [T_ATTPROJW] = { "attprojw", 1, 1, 1, C, (size_t) c->num_heads * D },
    [T_LN2W] = { "ln2w", 1, 1, 0, C, 0 },
    [T_GATEUPW] = { "gateupw", 1, 1, 1, 2 * F, C },
    [T_DOWNW] = { "downw", 1, 1, 1, C, F },
    [T_LNFW] = { "lnfw", 1, 0, 0, C, 0 },
    [T_LMHEAD] = { "lmhead", !c->tied, 0, 1, Vp, C },
  };

  for (int i = 0; i < T_COUNT; i++)
    {
      size_t one;
      if (!spec[i].present)
        continue;
      one = spec[i].rows * (spec[i].cols > 0 ? spec[i].cols : 1);
      t[n].name = spec[i].name;
      t[n].offset = offset;
      t[n].size = spec[i].per_layer ? L * one : one;
      t[n].ndim = spec[i].cols > 0 ? 2 : 1;
      t[n].shape[0] = (int) spec[i].rows;
      t[n].shape[1] = (int) spec[i].cols;
      t[n].shape[2] = 0;
      t[n].per_layer = spec[i].per_layer;
      t[n].decay = spec[i].decay;
      offset += t[n].size;
      n++;
    }
  *n_out = n;
  return offset;
}

void
ftc_llama_rope_inv_freq (const FtcLlamaConfig *c, float *inv_freq)
{
  const int D = c->head_dim;

  /* transformers, in float32: 1 / base ** (arange(0, D, 2) / D) */
  for (int i = 0; i < D / 2; i++)
    inv_freq[i] = 1.0f / powf (c->rope_theta, (float) (2 * i) / (float) D);
  if (c->rope_kind != FTC_ROPE_LLAMA3)
    return;
  /* _compute_llama3_parameters: wavelengths above the original context's / low_freq_factor are divided
   * by factor, those below its / high_freq_factor kept, those between interpolated smoothly */
  {
    const float factor = c->rope_factor, lo = c->rope_low_freq_factor, hi = c->rope_high_freq_factor;
    const float old_len = (float) c->rope_original_max_pos;
    const float low_freq_wavelen = old_len / lo, high_freq_wavelen = old_len / hi;
    for (int i = 0; i < D / 2; i++)
      {
        float f = inv_freq[i];
        float wavelen = 2.0f * (float) M_PI / f;
        float scaled = wavelen > low_freq_wavelen ? f / factor : f;
        float smooth = (old_len / wavelen - lo) / (hi - lo);
        float smoothed = (1.0f - smooth) * scaled / factor + smooth * scaled;
        int medium = !(wavelen < high_freq_wavelen) && !(wavelen > low_freq_wavelen);
        inv_freq[i] = medium ? smoothed : scaled;
      }
  }
}

/* The RoPE table covers at least npos positions: (rope_len, D), cos then sin of p * inv_freq in float32. */
static FtcStatus
ensure_rope (FtcLlama *model, int npos)
{
  const int D = model->config.head_dim;
  int len = model->rope_len;
  float *inv, *table;
  FtcStatus st;

  if (npos <= model->rope_len)
    return FTC_OK;
  while (len < npos)
    len = len == 0 ? 256 : 2 * len;
  if (len > model->config.max_seq_len)
    len = model->config.max_seq_len > npos ? model->config.max_seq_len : npos;
  inv = malloc (sizeof (float) * (D / 2));
  table = malloc (sizeof (float) * (size_t) len * D);
  if (inv == NULL || table == NULL)
    {
      free (inv);
      free (table);
      return fail (model->be, FTC_ERR_HOST_MEMORY, "out of host memory for the RoPE table");
    }
  ftc_llama_rope_inv_freq (&model->config, inv);
  for (int p = 0; p < len; p++)
    for (int i = 0; i < D / 2; i++)
      {
        float a = (float) p * inv[i];
        table[(size_t) p * D + i] = cosf (a);
        table[(size_t) p * D + D / 2 + i] = sinf (a);
      }
  ftc_buf_free (model->rope);
  model->rope = NULL;
  model->rope_len = 0;
  st = ftc_buf_new (model->be, (size_t) len * D, &model->rope);
  if (st == FTC_OK)
    st = ftc_buf_write (ftc_view (model->rope, 0), table, (size_t) len * D);
  if (st == FTC_OK)
    model->rope_len = len;
  free (inv);
  free (table);
  return st;
}

/* ---- life cycle ---- */

FtcStatus
ftc_llama_new (FtcBackend *be, const FtcLlamaConfig *config, FtcLlama **out)
{
  char err[300];
  FtcLlama *model;
  FtcStatus status;

  if (out == NULL || be == NULL)
    return ftc_backend_fail (be, FTC_ERR_INVALID_ARG, "llama_new: no backend or no place for the model");
  *out = NULL;
  if (ftc_llama_config_validate (config, err, sizeof err) != FTC_OK)
    return fail (be, FTC_ERR_INVALID_ARG, "%s", err);
  model = calloc (1, sizeof *model);
  if (model == NULL)
    return fail (be, FTC_ERR_HOST_MEMORY, "llama_new: out of host memory");
  model->be = be;
  model->config = *config;
  model->config.padded_vocab_size = resolved_vp (config);
  model->num_params = ftc_llama_layout (&model->config, model->tensors, &model->n_tensors);
  for (int i = 0, j = 0; i < T_COUNT; i++)
    {
      static const char *const names[T_COUNT] = { "wte", "ln1w", "qkvw", "qkvb", "qnormw", "knormw", "attprojw",
                                                  "ln2w", "gateupw", "downw", "lnfw", "lmhead" };
      model->slot[i] = j < model->n_tensors && strcmp (model->tensors[j].name, names[i]) == 0 ? j++ : -1;
    }
  status = ftc_buf_new (be, model->num_params, &model->params);
  if (status != FTC_OK)
    {
      free (model);
      return status;
    }
  /* norm weights start at one, as a fresh nn.Module's */
  for (int i = 0; i < model->n_tensors; i++)
    if (strstr (model->tensors[i].name, "norm") != NULL || strncmp (model->tensors[i].name, "ln", 2) == 0)
      ftc_buf_fill (ftc_view (model->params, model->tensors[i].offset), 1.0f, model->tensors[i].size);
  *out = model;
  return FTC_OK;
}

void
ftc_llama_decode_end (FtcLlama *model)
{
  ftc_buf_free (model->dec.acts);
  ftc_buf_free (model->dec.ints);
  ftc_buf_free (model->dec.kcache);
  ftc_buf_free (model->dec.vcache);
  memset (&model->dec, 0, sizeof model->dec);
}

void
ftc_llama_free (FtcLlama *model)
{
  if (model == NULL)
    return;
  ftc_llama_decode_end (model);
  ftc_buf_free (model->params);
  ftc_buf_free (model->grads);
  ftc_buf_free (model->m);
  ftc_buf_free (model->v);
  ftc_buf_free (model->rope);
  ftc_buf_free (model->acts);
  free (model->host_scratch);
  free (model);
}

const FtcLlamaConfig *ftc_llama_config (FtcLlama *model) { return &model->config; }
size_t ftc_llama_num_params (FtcLlama *model) { return model->num_params; }
FtcBackend *ftc_llama_backend (FtcLlama *model) { return model->be; }

const FtcGpt2Tensor *
ftc_llama_tensors (FtcLlama *model, int *n)
{
  *n = model->n_tensors;
  return model->tensors;
}

static FtcStatus
ensure_buf (FtcLlama *model, FtcBuf **buf)
{
  return *buf != NULL ? FTC_OK : ftc_buf_new (model->be, model->num_params, buf);
}

/* ---- parameters ---- */

static uint64_t
rng_next (uint64_t *state)
{
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

FtcStatus
ftc_llama_init_random (FtcLlama *model, uint64_t seed)
{
  const size_t chunk = (size_t) 1 << 20;
  float *x = malloc (chunk * sizeof (float));
  uint64_t state = seed;
  FtcStatus status = FTC_OK;

  if (x == NULL)
    return fail (model->be, FTC_ERR_HOST_MEMORY, "llama_init_random: out of host memory");
  for (int i = 0; i < model->n_tensors && status == FTC_OK; i++)
    {
      const FtcGpt2Tensor *t = &model->tensors[i];
      int is_matrix = t->ndim == 2, is_norm = !is_matrix && strcmp (t->name, "qkvb") != 0;
      int vocab = strcmp (t->name, "wte") == 0 || strcmp (t->name, "lmhead") == 0;
      size_t rows = vocab ? (size_t) model->config.vocab_size * t->shape[1] : t->size;
      for (size_t done = 0; done < t->size && status == FTC_OK; done += chunk)
        {
          size_t n = t->size - done < chunk ? t->size - done : chunk;
          for (size_t j = 0; j < n; j += 2)
            {
              /* Box-Muller, N(0, 0.02) as transformers' initializer_range */
              double u1 = ((double) (rng_next (&state) >> 11) + 0.5) / 9007199254740992.0;
              double u2 = ((double) (rng_next (&state) >> 11) + 0.5) / 9007199254740992.0;
              double r = 0.02 * sqrt (-2.0 * log (u1));
              x[j] = (float) (r * cos (2.0 * M_PI * u2));
              if (j + 1 < n)
                x[j + 1] = (float) (r * sin (2.0 * M_PI * u2));
            }
          for (size_t j = 0; j < n; j++)
            if (!is_matrix)
              x[j] = is_norm ? 1.0f : 0.0f;
            else if (done + j >= rows)
              x[j] = 0.0f;   /* padded vocabulary rows */
          status = ftc_buf_write (ftc_view (model->params, t->offset + done), x, n);
        }
    }
  free (x);
  return status;
}

FtcStatus
ftc_llama_write_params (FtcLlama *model, const float *params, size_t n)
{
  if (n != model->num_params)
    return fail (model->be, FTC_ERR_INVALID_ARG, "llama_write_params: got %zu values, the model has %zu", n,
                 model->num_params);
  return ftc_buf_write (ftc_view (model->params, 0), params, n);
}

FtcStatus
ftc_llama_read_params (FtcLlama *model, float *params, size_t n)
{
  if (n != model->num_params)
    return fail (model->be, FTC_ERR_INVALID_ARG, "llama_read_params: room for %zu values, the model has %zu", n,
                 model->num_params);
  return ftc_buf_read (ftc_view (model->params, 0), params, n);
}

FtcStatus
ftc_llama_read_grads (FtcLlama *model, float *grads, size_t n)
{
  if (n != model->num_params || model->grads == NULL)
    return fail (model->be, FTC_ERR_INVALID_ARG, "llama_read_grads: no gradients, or room for %zu values, not %zu",
                 n, model->num_params);
  return ftc_buf_read (ftc_view (model->grads, 0), grads, n);
}

static FtcView
param (FtcLlama *model, int which, int l)
{
  const FtcGpt2Tensor *t = &model->tensors[model->slot[which]];
  size_t one = t->per_layer ? t->size / (size_t) model->config.num_layers : 0;
  return ftc_view (model->params, t->offset + (size_t) l * one);
}

static FtcView
grad (FtcLlama *model, int which, int l)
{
  const FtcGpt2Tensor *t = &model->tensors[model->slot[which]];
  size_t one = t->per_layer ? t->size / (size_t) model->config.num_layers : 0;
  return ftc_view (model->grads, t->offset + (size_t) l * one);
}

static int
has (FtcLlama *model, int which)
{
  return model->slot[which] >= 0;
}

/* ---- activations ---- */

static FtcStatus
ensure_activations (FtcLlama *model, int B, int T)
{
  const FtcLlamaConfig *c = &model->config;
  size_t BT = (size_t) B * T, C = c->channels, L = c->num_layers, NH = c->num_heads, NKV = c->num_kv_heads;
  size_t D = c->head_dim, F = c->intermediate, Vp = c->padded_vocab_size, QKV = (NH + 2 * NKV) * D;
  size_t AD = NH * D, QK = BT * (NH + NKV) * D, qn = c->qk_norm ? 1 : 0;
  size_t sizes[NUM_ACTS] = {
    [ACT_INPUTS] = BT, [ACT_TARGETS] = BT, [ACT_WEIGHTS] = BT, [ACT_ENCODED] = BT * C,
    [ACT_LN1] = L * BT * C, [ACT_LN1_RSTD] = L * BT, [ACT_QKV] = BT * QKV,
    [ACT_QKVN] = qn * L * QK, [ACT_QRSTD] = qn * L * BT * NH, [ACT_KRSTD] = qn * L * BT * NKV,
    [ACT_QKVR] = L * BT * QKV, [ACT_ATT] = L * B * NH * T * T, [ACT_ATTY] = L * BT * AD,
    [ACT_ATTPROJ] = BT * C, [ACT_RESIDUAL2] = L * BT * C, [ACT_LN2] = L * BT * C, [ACT_LN2_RSTD] = L * BT,
    [ACT_GATEUP] = L * BT * 2 * F, [ACT_SWI] = L * BT * F, [ACT_DOWN] = BT * C, [ACT_RESIDUAL3] = L * BT * C,
    [ACT_LNF] = BT * C, [ACT_LNF_RSTD] = BT, [ACT_LOGITS] = BT * Vp, [ACT_LOSSES] = BT,
    [ACT_DRESIDUAL] = BT * C, [ACT_DC] = BT * (C > AD ? C : AD), [ACT_D2F] = BT * (2 * F > QKV ? 2 * F : QKV),
    [ACT_DF] = BT * F, [ACT_DQKVR] = BT * QKV, [ACT_DQKVN] = qn * QK, [ACT_DATT] = B * NH * T * T,
    [ACT_SCRATCH] = BT * AD, [ACT_NORM] = 1,
  };
  size_t total = 0;
  FtcStatus status;

  for (int i = 0; i < NUM_ACTS; i++)
    {
      model->act_offsets[i] = total;
      total += sizes[i] > 0 ? sizes[i] : 0;
    }
  CHECK (ensure_rope (model, T));
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

static FtcView
act (FtcLlama *model, int which)
{
  return ftc_view (model->acts, model->act_offsets[which]);
}

static FtcView
act_l (FtcLlama *model, int which, int l, size_t per_layer)
{
  return ftc_view (model->acts, model->act_offsets[which] + (size_t) l * per_layer);
}

/* The LM head's weight: lmhead, or wte when tied. */
static int
head_slot (FtcLlama *model)
{
  return has (model, T_LMHEAD) ? T_LMHEAD : T_WTE;
}

/* ---- forward ---- */

FtcStatus
ftc_llama_forward (FtcLlama *model, const int32_t *inputs, const int32_t *targets, const float *weights,
                   int B, int T, float *loss)
{
  FtcBackend *be = model->be;
  const FtcLlamaConfig *c = &model->config;
  int C = c->channels, L = c->num_layers, NH = c->num_heads, NKV = c->num_kv_heads, D = c->head_dim;
  int F = c->intermediate, V = c->vocab_size, Vp = c->padded_vocab_size, QKV = (NH + 2 * NKV) * D;
  size_t BT = (size_t) B * T, BTC = BT * C, NQ = BT * NH * D, NK = BT * NKV * D;

  model->have_targets = 0;
  if (inputs == NULL || B <= 0 || T <= 0)
    return fail (be, FTC_ERR_INVALID_ARG, "llama_forward: need inputs and positive B, T (got B=%d, T=%d)", B, T);
  if (T > c->max_seq_len)
    return fail (be, FTC_ERR_INVALID_ARG, "llama_forward: T=%d is beyond the model's %d positions", T,
                 c->max_seq_len);
  if (targets != NULL && weights == NULL)
    return fail (be, FTC_ERR_INVALID_ARG, "llama_forward: targets need per-token weights");
  for (size_t i = 0; i < BT; i++)
    {
      if (inputs[i] < 0 || inputs[i] >= V)
        return fail (be, FTC_ERR_INVALID_ARG, "llama_forward: input token %d at position %zu is outside the "
                     "vocabulary of %d", inputs[i], i, V);
      if (targets != NULL && (targets[i] < 0 || targets[i] >= V))
        return fail (be, FTC_ERR_INVALID_ARG, "llama_forward: target token %d at position %zu is outside the "
                     "vocabulary of %d", targets[i], i, V);
      if (targets != NULL && !isfinite (weights[i]))
        return fail (be, FTC_ERR_INVALID_ARG, "llama_forward: loss weight at position %zu is not finite", i);
    }
  CHECK (ensure_activations (model, B, T));
  model->B = B;
  model->T = T;
  model->logits_consumed = 0;
  FtcView rope = ftc_view (model->rope, 0);

  CHECK (ftc_buf_write (act (model, ACT_INPUTS), inputs, BT));
  CHECK (ftc_embedding_forward (be, act (model, ACT_ENCODED), act (model, ACT_INPUTS), param (model, T_WTE, 0),
                                (int) BT, C));
  FtcView residual = act (model, ACT_ENCODED);
  for (int l = 0; l < L; l++)
    {
      FtcView ln1 = act_l (model, ACT_LN1, l, BTC), ln1_rstd = act_l (model, ACT_LN1_RSTD, l, BT);
      FtcView qkv = act (model, ACT_QKV), qkvr = act_l (model, ACT_QKVR, l, BT * QKV);
      FtcView qkvn = act_l (model, ACT_QKVN, l, NQ + NK);
      FtcView att = act_l (model, ACT_ATT, l, BT * NH * T), atty = act_l (model, ACT_ATTY, l, NQ);
      FtcView attproj = act (model, ACT_ATTPROJ), residual2 = act_l (model, ACT_RESIDUAL2, l, BTC);
      FtcView ln2 = act_l (model, ACT_LN2, l, BTC), ln2_rstd = act_l (model, ACT_LN2_RSTD, l, BT);
      FtcView gateup = act_l (model, ACT_GATEUP, l, BT * 2 * F), swi = act_l (model, ACT_SWI, l, BT * F);
      FtcView down = act (model, ACT_DOWN), residual3 = act_l (model, ACT_RESIDUAL3, l, BTC);

      CHECK (ftc_rmsnorm_forward (be, ln1, ln1_rstd, residual, param (model, T_LN1W, l), (int) BT, C, c->rms_eps));
      CHECK (ftc_matmul_forward (be, qkv, ln1, param (model, T_QKVW, l),
                                 has (model, T_QKVB) ? param (model, T_QKVB, l) : FTC_VIEW_NULL, (int) BT, C, QKV));
      CHECK (ftc_qkv_permute_forward (be, qkvr, qkv, B, T, NH, NKV, D));
      if (c->qk_norm)
        {
          /* per head: q (B,NH,T,D) and k (B,NKV,T,D) rows of D, kept before the norm for backward */
          CHECK (ftc_buf_copy (qkvn, qkvr, NQ + NK));
          CHECK (ftc_rmsnorm_forward (be, qkvr, act_l (model, ACT_QRSTD, l, BT * NH), qkvn,
                                      param (model, T_QNORMW, l), (int) (BT * NH), D, c->rms_eps));
          CHECK (ftc_rmsnorm_forward (be, ftc_view_at (qkvr, NQ), act_l (model, ACT_KRSTD, l, BT * NKV),
                                      ftc_view_at (qkvn, NQ), param (model, T_KNORMW, l), (int) (BT * NKV), D,
                                      c->rms_eps));
        }
      CHECK (ftc_rope_forward (be, qkvr, qkvr, rope, FTC_VIEW_NULL, B, NH, T, D, model->rope_len));
      CHECK (ftc_rope_forward (be, ftc_view_at (qkvr, NQ), ftc_view_at (qkvr, NQ), rope, FTC_VIEW_NULL, B, NKV, T,
                               D, model->rope_len));
      CHECK (ftc_gqa_attention_forward (be, atty, att, act (model, ACT_SCRATCH), qkvr, B, T, NH, NKV, D));
      CHECK (ftc_matmul_forward (be, attproj, atty, param (model, T_ATTPROJW, l), FTC_VIEW_NULL, (int) BT, NH * D, C));
      CHECK (ftc_residual_forward (be, residual2, residual, attproj, BTC));
      CHECK (ftc_rmsnorm_forward (be, ln2, ln2_rstd, residual2, param (model, T_LN2W, l), (int) BT, C, c->rms_eps));
      CHECK (ftc_matmul_forward (be, gateup, ln2, param (model, T_GATEUPW, l), FTC_VIEW_NULL, (int) BT, C, 2 * F));
      CHECK (ftc_swiglu_forward (be, swi, gateup, (int) BT, F));
      CHECK (ftc_matmul_forward (be, down, swi, param (model, T_DOWNW, l), FTC_VIEW_NULL, (int) BT, F, C));
      CHECK (ftc_residual_forward (be, residual3, residual2, down, BTC));
      residual = residual3;
    }
  CHECK (ftc_rmsnorm_forward (be, act (model, ACT_LNF), act (model, ACT_LNF_RSTD), residual, param (model, T_LNFW, 0),
                              (int) BT, C, c->rms_eps));
  /* logits[:, :V] (BT,V) = lnf (BT,C) @ head[:V]^T (C,V); the padded columns are never read */
  CHECK (ftc_gemm (be, 0, 1, (int) BT, V, C, 1.0f, act (model, ACT_LNF), C, param (model, head_slot (model), 0), C,
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
ftc_llama_read_logits (FtcLlama *model, float *logits, size_t n)
{
  size_t have = (size_t) model->B * model->T * model->config.padded_vocab_size;

  if (model->acts == NULL || model->B == 0)
    return fail (model->be, FTC_ERR_INVALID_ARG, "llama_read_logits: no forward pass yet");
  if (model->logits_consumed)
    return fail (model->be, FTC_ERR_INVALID_ARG, "llama_read_logits: backward has overwritten the logits");
  if (n > have)
    return fail (model->be, FTC_ERR_INVALID_ARG, "llama_read_logits: asked %zu values, the last forward made %zu",
                 n, have);
  return ftc_buf_read (act (model, ACT_LOGITS), logits, n);
}

FtcStatus
ftc_llama_read_losses (FtcLlama *model, float *losses, size_t n)
{
  if (!model->have_targets)
    return fail (model->be, FTC_ERR_INVALID_ARG, "llama_read_losses: the last forward had no targets");
  if (n > (size_t) model->B * model->T)
    return fail (model->be, FTC_ERR_INVALID_ARG, "llama_read_losses: asked %zu values, the last forward made %d",
                 n, model->B * model->T);
  return ftc_buf_read (act (model, ACT_LOSSES), losses, n);
}

/* ---- backward ---- */

FtcStatus
ftc_llama_zero_grad (FtcLlama *model)
{
  CHECK (ensure_buf (model, &model->grads));
  return ftc_buf_fill (ftc_view (model->grads, 0), 0.0f, model->num_params);
}

/* dinp (N,IC) = dout (N,OC) @ weight (OC,IC) WRITTEN (nothing has written dinp yet: no zero fill);
 * dweight, dbias accumulate */
static FtcStatus
matmul_backward_fresh (FtcBackend *be, FtcView dinp, FtcView dweight, FtcView dbias, FtcView dout, FtcView inp,
                       FtcView weight, int N, int IC, int OC)
{
  CHECK (ftc_gemm (be, 0, 0, N, IC, OC, 1.0f, dout, OC, weight, IC, 0.0f, dinp, IC));
  return ftc_matmul_backward (be, FTC_VIEW_NULL, dweight, dbias, dout, inp, weight, N, IC, OC);
}

FtcStatus
ftc_llama_backward (FtcLlama *model)
{
  FtcBackend *be = model->be;
  const FtcLlamaConfig *c = &model->config;
  int B = model->B, T = model->T;
  int C = c->channels, L = c->num_layers, NH = c->num_heads, NKV = c->num_kv_heads, D = c->head_dim;
  int F = c->intermediate, V = c->vocab_size, Vp = c->padded_vocab_size, QKV = (NH + 2 * NKV) * D;
  size_t BT = (size_t) B * T, BTC = BT * C, NQ = BT * NH * D, NK = BT * NKV * D;
  FtcView rope = ftc_view (model->rope, 0);

  if (!model->have_targets || model->logits_consumed)
    return fail (be, FTC_ERR_INVALID_ARG, "llama_backward: needs a forward pass with targets just before");
  if (model->grads == NULL)
    CHECK (ftc_llama_zero_grad (model));
  model->logits_consumed = 1;

  /* dlogits = weight * (softmax - onehot), in place of the logits */
  FtcView dlogits = act (model, ACT_LOGITS);
  CHECK (ftc_crossentropy_forward (be, act (model, ACT_LOSSES), dlogits, act (model, ACT_TARGETS),
                                   act (model, ACT_WEIGHTS), (int) BT, V, Vp, 1));
  /* forward: logits[:, :V] = lnf @ head[:V]^T.  dlnf = dlogits[:, :V] @ head[:V];  dhead[:V] += dlogits^T @ lnf */
  FtcView dlnf = act (model, ACT_DC);
  CHECK (ftc_gemm (be, 0, 0, (int) BT, C, V, 1.0f, dlogits, Vp, param (model, head_slot (model), 0), C, 0.0f, dlnf,
                   C));
  CHECK (ftc_gemm (be, 1, 0, V, C, (int) BT, 1.0f, dlogits, Vp, act (model, ACT_LNF), C, 1.0f,
                   grad (model, head_slot (model), 0), C));
  /* forward: lnf = rmsnorm(residual3[L-1]); dresidual starts here (written) and collects every block's share */
  FtcView dresidual = act (model, ACT_DRESIDUAL);
  CHECK (ftc_rmsnorm_backward_set (be, dresidual, grad (model, T_LNFW, 0), dlnf,
                                   act_l (model, ACT_RESIDUAL3, L - 1, BTC), param (model, T_LNFW, 0),
                                   act (model, ACT_LNF_RSTD), (int) BT, C));

  FtcView dc = act (model, ACT_DC), d2f = act (model, ACT_D2F), df = act (model, ACT_DF);
  FtcView dqkvr = act (model, ACT_DQKVR), dqkvn = act (model, ACT_DQKVN);
  for (int l = L - 1; l >= 0; l--)
    {
      FtcView residual = l == 0 ? act (model, ACT_ENCODED) : act_l (model, ACT_RESIDUAL3, l - 1, BTC);
      FtcView ln1 = act_l (model, ACT_LN1, l, BTC), ln1_rstd = act_l (model, ACT_LN1_RSTD, l, BT);
      FtcView qkvr = act_l (model, ACT_QKVR, l, BT * QKV), qkvn = act_l (model, ACT_QKVN, l, NQ + NK);
      FtcView att = act_l (model, ACT_ATT, l, BT * NH * T), atty = act_l (model, ACT_ATTY, l, NQ);
      FtcView residual2 = act_l (model, ACT_RESIDUAL2, l, BTC);
      FtcView ln2 = act_l (model, ACT_LN2, l, BTC), ln2_rstd = act_l (model, ACT_LN2_RSTD, l, BT);
      FtcView gateup = act_l (model, ACT_GATEUP, l, BT * 2 * F), swi = act_l (model, ACT_SWI, l, BT * F);

      /* forward: residual3 = residual2 + down, down = swi @ downw^T.  dswi = dresidual @ downw */
      CHECK (matmul_backward_fresh (be, df, grad (model, T_DOWNW, l), FTC_VIEW_NULL, dresidual, swi,
                                    param (model, T_DOWNW, l), (int) BT, F, C));
      /* forward: swi = silu(gate) * up */
      CHECK (ftc_swiglu_backward_set (be, d2f, gateup, df, (int) BT, F));
      /* forward: gateup = ln2 @ gateupw^T */
      FtcView dln2 = dc;
      CHECK (matmul_backward_fresh (be, dln2, grad (model, T_GATEUPW, l), FTC_VIEW_NULL, d2f, ln2,
                                    param (model, T_GATEUPW, l), (int) BT, C, 2 * F));
      /* forward: ln2 = rmsnorm(residual2); adds into dresidual, which is now dresidual2 */
      CHECK (ftc_rmsnorm_backward (be, dresidual, grad (model, T_LN2W, l), dln2, residual2, param (model, T_LN2W, l),
                                   ln2_rstd, (int) BT, C));
      /* forward: residual2 = residual + attproj, attproj = atty @ attprojw^T */
      FtcView datty = dc;
      CHECK (matmul_backward_fresh (be, datty, grad (model, T_ATTPROJW, l), FTC_VIEW_NULL, dresidual, atty,
                                    param (model, T_ATTPROJW, l), (int) BT, NH * D, C));
      /* forward: atty = gqa_attention(qkvr) */
      CHECK (ftc_gqa_attention_backward_set (be, dqkvr, act (model, ACT_DATT), act (model, ACT_SCRATCH), datty, qkvr,
                                             att, B, T, NH, NKV, D));
      /* forward: q, k = rope(q, k), a rotation: rotate the gradients back, in place */
      CHECK (ftc_rope_backward (be, dqkvr, dqkvr, rope, FTC_VIEW_NULL, B, NH, T, D, model->rope_len));
      CHECK (ftc_rope_backward (be, ftc_view_at (dqkvr, NQ), ftc_view_at (dqkvr, NQ), rope, FTC_VIEW_NULL, B, NKV,
                                T, D, model->rope_len));
      if (c->qk_norm)
        {
          /* forward: q, k = rmsnorm(qkvn) per head */
          CHECK (ftc_rmsnorm_backward_set (be, dqkvn, grad (model, T_QNORMW, l), dqkvr, qkvn,
                                           param (model, T_QNORMW, l), act_l (model, ACT_QRSTD, l, BT * NH),
                                           (int) (BT * NH), D));
          CHECK (ftc_rmsnorm_backward_set (be, ftc_view_at (dqkvn, NQ), grad (model, T_KNORMW, l),
                                           ftc_view_at (dqkvr, NQ), ftc_view_at (qkvn, NQ),
                                           param (model, T_KNORMW, l), act_l (model, ACT_KRSTD, l, BT * NKV),
                                           (int) (BT * NKV), D));
          CHECK (ftc_buf_copy (dqkvr, dqkvn, NQ + NK));
        }
      /* forward: qkvr = permute(qkv) */
      FtcView dqkv = d2f;
      CHECK (ftc_qkv_permute_backward_set (be, dqkv, dqkvr, B, T, NH, NKV, D));
      /* forward: qkv = ln1 @ qkvw^T + qkvb */
      FtcView dln1 = dc;
      CHECK (matmul_backward_fresh (be, dln1, grad (model, T_QKVW, l),
                                    has (model, T_QKVB) ? grad (model, T_QKVB, l) : FTC_VIEW_NULL, dqkv, ln1,
                                    param (model, T_QKVW, l), (int) BT, C, QKV));
      /* forward: ln1 = rmsnorm(residual); dresidual becomes the gradient of the block's input */
      CHECK (ftc_rmsnorm_backward (be, dresidual, grad (model, T_LN1W, l), dln1, residual, param (model, T_LN1W, l),
                                   ln1_rstd, (int) BT, C));
    }
  /* forward: encoded = wte[inputs] */
  return ftc_embedding_backward (be, grad (model, T_WTE, 0), dresidual, act (model, ACT_INPUTS), (int) BT, C);
}

/* ---- optimizer ---- */

FtcStatus
ftc_llama_update (FtcLlama *model, const FtcAdamWConfig *opt, int step, float *grad_norm)
{
  FtcBackend *be = model->be;
  float sumsq = 0.0f;

  if (opt == NULL || step < 1)
    return fail (be, FTC_ERR_INVALID_ARG, "llama_update: need optimizer settings and a step >= 1 (got %d)", step);
  if (model->grads == NULL)
    return fail (be, FTC_ERR_INVALID_ARG, "llama_update: no gradients (run backward first)");
  if (!isfinite (opt->lr) || opt->lr < 0 || !isfinite (opt->weight_decay) || opt->eps <= 0)
    return fail (be, FTC_ERR_INVALID_ARG, "llama_update: invalid settings (lr %g, weight decay %g, eps %g)",
                 opt->lr, opt->weight_decay, opt->eps);
  if (model->acts == NULL)
    CHECK (ensure_activations (model, 1, 1));
  CHECK (ensure_buf (model, &model->m));
  CHECK (ensure_buf (model, &model->v));
  FtcView norm_out = act (model, ACT_NORM);
  CHECK (ftc_norm_squared (be, norm_out, ftc_view (model->grads, 0), model->num_params));
  CHECK (ftc_buf_read (norm_out, &sumsq, 1));
  float norm = sqrtf (sumsq);
  if (grad_norm != NULL)
    *grad_norm = norm;
  if (!isfinite (norm))
    {
      for (int i = 0; i < model->n_tensors; i++)
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
  if (opt->max_grad_norm > 0.0f && opt->max_grad_norm / (norm + 1e-6f) < 1.0f)
    scale = opt->max_grad_norm / (norm + 1e-6f);
  for (int i = 0; i < model->n_tensors; i++)
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
ftc_llama_read_optimizer (FtcLlama *model, float *m, float *v, size_t n)
{
  if (n != model->num_params)
    return fail (model->be, FTC_ERR_INVALID_ARG, "llama_read_optimizer: room for %zu values, the model has %zu",
                 n, model->num_params);
  CHECK (ensure_buf (model, &model->m));
  CHECK (ensure_buf (model, &model->v));
  CHECK (ftc_buf_read (ftc_view (model->m, 0), m, n));
  return ftc_buf_read (ftc_view (model->v, 0), v, n);
}

FtcStatus
ftc_llama_write_optimizer (FtcLlama *model, const float *m, const float *v, size_t n)
{
  if (n != model->num_params)
    return fail (model->be, FTC_ERR_INVALID_ARG, "llama_write_optimizer: got %zu values, the model has %zu",
                 n, model->num_params);
  CHECK (ensure_buf (model, &model->m));
  CHECK (ensure_buf (model, &model->v));
  CHECK (ftc_buf_write (ftc_view (model->m, 0), m, n));
  return ftc_buf_write (ftc_view (model->v, 0), v, n);
}

/* ---- KV-cache decoding ---- */

FtcStatus
ftc_llama_decode_begin (FtcLlama *model, int B, int Tc)
{
  const FtcLlamaConfig *c = &model->config;
  size_t n = (size_t) c->num_layers * B * c->num_kv_heads * Tc * c->head_dim;

  if (B <= 0 || Tc <= 0 || Tc > c->max_seq_len)
    return fail (model->be, FTC_ERR_INVALID_ARG, "llama_decode_begin: B=%d rows of Tc=%d positions (the model "
                 "has %d)", B, Tc, c->max_seq_len);
  if (model->dec.kcache == NULL || model->dec.B * model->dec.Tc < B * Tc || ftc_buf_len (model->dec.kcache) < n)
    {
      ftc_buf_free (model->dec.kcache);
      ftc_buf_free (model->dec.vcache);
      model->dec.kcache = model->dec.vcache = NULL;
      CHECK (ftc_buf_new (model->be, n, &model->dec.kcache));
      CHECK (ftc_buf_new (model->be, n, &model->dec.vcache));
    }
  model->dec.B = B;
  model->dec.Tc = Tc;
  return ensure_rope (model, Tc);
}

static FtcStatus
dec_buf (FtcBackend *be, FtcBuf **buf, size_t *len, size_t need)
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
ftc_llama_decode (FtcLlama *model, const int32_t *inputs, const int32_t *pos, const int *last, int B, int T,
                  float *logits)
{
  FtcBackend *be = model->be;
  const FtcLlamaConfig *c = &model->config;
  Decoder *d = &model->dec;
  int C = c->channels, L = c->num_layers, NH = c->num_heads, NKV = c->num_kv_heads, D = c->head_dim;
  int F = c->intermediate, V = c->vocab_size, Vp = c->padded_vocab_size, QKV = (NH + 2 * NKV) * D, Tc = d->Tc;
  size_t N = (size_t) B * T, NQ = N * NH * D, NK = N * NKV * D, layer_cache = (size_t) B * NKV * Tc * D;

  if (d->kcache == NULL || B != d->B || T <= 0 || T > Tc)
    return fail (be, FTC_ERR_INVALID_ARG, "llama_decode: begin with B=%d first (got B=%d, T=%d)", d->B, B, T);
  for (int b = 0; b < B; b++)
    if (pos[b] < 0 || pos[b] + T > Tc || last[b] < 0 || last[b] >= T)
      return fail (be, FTC_ERR_INVALID_ARG, "llama_decode: row %d at position %d (+%d) outside the cache of %d",
                   b, pos[b], T, Tc);
  for (size_t i = 0; i < N; i++)
    if (inputs[i] < 0 || inputs[i] >= V)
      return fail (be, FTC_ERR_INVALID_ARG, "llama_decode: token %d outside the vocabulary of %d", inputs[i], V);

  /* x, x2, ln (N,C); qkv, qkvr (N,QKV); atty (N,NH*D); gateup (N,2F); swi (N,F); proj (N,C); rstd (N*NH);
   * att (B,NH,T,Tc); xg, lnf (B,C); logits (B,Vp) */
  size_t sizes[] = { N * C, N * C, N * C, N * QKV, N * QKV, NQ, N * 2 * F, N * F, N * C, N * NH,
                     (size_t) B * NH * T * Tc, (size_t) B * C, (size_t) B * C, (size_t) B * Vp };
  FtcView v[14];
  size_t total = 0;
  for (int i = 0; i < 14; i++)
    total += sizes[i];
  CHECK (dec_buf (be, &d->acts, &d->acts_len, total));
  CHECK (dec_buf (be, &d->ints, &d->ints_len, N + B));
  total = 0;
  for (int i = 0; i < 14; i++)
    {
      v[i] = ftc_view (d->acts, total);
      total += sizes[i];
    }
  FtcView x = v[0], x2 = v[1], ln = v[2], qkv = v[3], qkvr = v[4], atty = v[5], gateup = v[6], swi = v[7];
  FtcView proj = v[8], rstd = v[9], att = v[10], xg = v[11], lnf = v[12], vlogits = v[13];
  FtcView inp = ftc_view (d->ints, 0), vpos = ftc_view (d->ints, N), rope = ftc_view (model->rope, 0);

  CHECK (ftc_buf_write (inp, inputs, N));
  CHECK (ftc_buf_write (vpos, pos, B));
  CHECK (ftc_embedding_forward (be, x, inp, param (model, T_WTE, 0), (int) N, C));
  for (int l = 0; l < L; l++)
    {
      CHECK (ftc_rmsnorm_forward (be, ln, rstd, x, param (model, T_LN1W, l), (int) N, C, c->rms_eps));
      CHECK (ftc_matmul_forward (be, qkv, ln, param (model, T_QKVW, l),
                                 has (model, T_QKVB) ? param (model, T_QKVB, l) : FTC_VIEW_NULL, (int) N, C, QKV));
      CHECK (ftc_qkv_permute_forward (be, qkvr, qkv, B, T, NH, NKV, D));
      if (c->qk_norm)
        {
          /* the planes go back into qkv (free now), normalised from there */
          CHECK (ftc_buf_copy (qkv, qkvr, NQ + NK));
          CHECK (ftc_rmsnorm_forward (be, qkvr, rstd, qkv, param (model, T_QNORMW, l), (int) (N * NH), D,
                                      c->rms_eps));
          CHECK (ftc_rmsnorm_forward (be, ftc_view_at (qkvr, NQ), rstd, ftc_view_at (qkv, NQ),
                                      param (model, T_KNORMW, l), (int) (N * NKV), D, c->rms_eps));
        }
      CHECK (ftc_rope_forward (be, qkvr, qkvr, rope, vpos, B, NH, T, D, model->rope_len));
      CHECK (ftc_rope_forward (be, ftc_view_at (qkvr, NQ), ftc_view_at (qkvr, NQ), rope, vpos, B, NKV, T, D,
                               model->rope_len));
      CHECK (ftc_gqa_attention_forward_cached (be, atty, ftc_view (d->kcache, l * layer_cache),
                                               ftc_view (d->vcache, l * layer_cache), att, qkvr, vpos, B, T, NH, NKV,
                                               D, Tc));
      CHECK (ftc_matmul_forward (be, proj, atty, param (model, T_ATTPROJW, l), FTC_VIEW_NULL, (int) N, NH * D, C));
      CHECK (ftc_residual_forward (be, x2, x, proj, N * C));
      CHECK (ftc_rmsnorm_forward (be, ln, rstd, x2, param (model, T_LN2W, l), (int) N, C, c->rms_eps));
      CHECK (ftc_matmul_forward (be, gateup, ln, param (model, T_GATEUPW, l), FTC_VIEW_NULL, (int) N, C, 2 * F));
      CHECK (ftc_swiglu_forward (be, swi, gateup, (int) N, F));
      CHECK (ftc_matmul_forward (be, proj, swi, param (model, T_DOWNW, l), FTC_VIEW_NULL, (int) N, F, C));
      CHECK (ftc_residual_forward (be, x, x2, proj, N * C));
    }
  /* only each row's last real token goes on to the head */
  for (int b = 0; b < B; b++)
    CHECK (ftc_buf_copy (ftc_view_at (xg, (size_t) b * C), ftc_view_at (x, ((size_t) b * T + last[b]) * C), C));
  CHECK (ftc_rmsnorm_forward (be, lnf, rstd, xg, param (model, T_LNFW, 0), B, C, c->rms_eps));
  CHECK (ftc_gemm (be, 0, 1, B, V, C, 1.0f, lnf, C, param (model, head_slot (model), 0), C, 0.0f, vlogits, Vp));
  return ftc_buf_read (vlogits, logits, (size_t) B * Vp);
}
