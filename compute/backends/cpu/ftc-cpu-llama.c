/* ftc-cpu-llama.c: the LLaMA-family layers of the cpu backend: token embedding, RMSNorm, the q/k/v head
 * split, rotary position embedding, grouped-query attention (training and KV-cache decoding) and SwiGLU.
 * Loops over rows are threaded with OpenMP; matrix products go through ftc_cpu_gemm. Grouped-query
 * attention shares one key/value head between G = NH/NKV query heads: the backward gives each thread whole
 * key/value groups, so the G heads' contributions to dk and dv add up in a fixed order without races. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize ("no-math-errno", "no-trapping-math")
#endif

#include "compute/backends/cpu/ftc-cpu-private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

static int
max_threads (void)
{
#ifdef _OPENMP
  return omp_get_max_threads ();
#else
  return 1;
#endif
}

static int
thread_num (void)
{
#ifdef _OPENMP
  return omp_get_thread_num ();
#else
  return 0;
#endif
}

/* ---- embedding ---- */

static FtcStatus
check_tokens (FtcBackend *be, const char *op, const int32_t *inp, int N, size_t V)
{
  for (int i = 0; i < N; i++)
    if (inp[i] < 0 || (size_t) inp[i] >= V)
      return ftc_backend_fail (be, FTC_ERR_INVALID_ARG, "%s: token %d at position %d is outside the table of %zu "
                               "rows", op, inp[i], i, V);
  return FTC_OK;
}

FtcStatus
ftc_cpu_embedding_forward (FtcBackend *be, FtcView out_v, FtcView inp_v, FtcView wte_v, int N, int C)
{
  float *out = ftc_cpu_ptr (out_v);               /* (N,C) */
  const int32_t *inp = ftc_cpu_iptr (inp_v);      /* (N) */
  const float *wte = ftc_cpu_ptr (wte_v);         /* (V,C) */
  FtcStatus st = check_tokens (be, "embedding_forward", inp, N, (wte_v.buf->n_elems - wte_v.off) / (size_t) C);

  if (st != FTC_OK)
    return st;
#pragma omp parallel for if (FTC_CPU_PARALLEL ((size_t) N * C))
  for (int n = 0; n < N; n++)
    memcpy (out + (size_t) n * C, wte + (size_t) inp[n] * C, (size_t) C * sizeof (float));
  return FTC_OK;
}

FtcStatus
ftc_cpu_embedding_backward (FtcBackend *be, FtcView dwte_v, FtcView dout_v, FtcView inp_v, int N, int C)
{
  float *dwte = ftc_cpu_ptr (dwte_v);             /* (V,C) */
  const float *dout = ftc_cpu_ptr (dout_v);       /* (N,C) */
  const int32_t *inp = ftc_cpu_iptr (inp_v);      /* (N) */
  const int block = 64;
  FtcStatus st = check_tokens (be, "embedding_backward", inp, N, (dwte_v.buf->n_elems - dwte_v.off) / (size_t) C);

  if (st != FTC_OK)
    return st;
  /* forward: out[n,:] = wte[inp[n],:]. Tokens repeat, so threads own blocks of columns, not rows */
#pragma omp parallel for if (FTC_CPU_PARALLEL ((size_t) N * C))
  for (int c0 = 0; c0 < C; c0 += block)
    {
      int c1 = c0 + block < C ? c0 + block : C;
      for (int n = 0; n < N; n++)
        {
          const float *d = dout + (size_t) n * C;
          float *w = dwte + (size_t) inp[n] * C;
          for (int i = c0; i < c1; i++)
            w[i] += d[i];
        }
    }
  return FTC_OK;
}

/* ---- RMSNorm ---- */

FtcStatus
ftc_cpu_rmsnorm_forward (FtcBackend *be, FtcView out_v, FtcView rstd_v, FtcView inp_v, FtcView weight_v,
                         int N, int C, float eps)
{
  float *out = ftc_cpu_ptr (out_v);               /* (N,C) */
  float *rstd = ftc_cpu_ptr (rstd_v);             /* (N) */
  const float *inp = ftc_cpu_ptr (inp_v);         /* (N,C) */
  const float *weight = ftc_cpu_ptr (weight_v);   /* (C) */

#pragma omp parallel for schedule(static) if (FTC_CPU_PARALLEL ((size_t) N * C))
  for (int n = 0; n < N; n++)
    {
      const float *x = inp + (size_t) n * C;
      float *o = out + (size_t) n * C;
      float ss = 0.0f;
      for (int i = 0; i < C; i++)
        ss += x[i] * x[i];
      float r = 1.0f / sqrtf (ss / C + eps);
      /* as transformers: weight * (x * rstd) */
      for (int i = 0; i < C; i++)
        o[i] = weight[i] * (x[i] * r);
      rstd[n] = r;
    }
  return FTC_OK;
}

FtcStatus
ftc_cpu_rmsnorm_backward (FtcBackend *be, FtcView dinp_v, FtcView dweight_v, FtcView dout_v, FtcView inp_v,
                          FtcView weight_v, FtcView rstd_v, int N, int C, int accumulate)
{
  float *dinp = ftc_cpu_ptr (dinp_v);             /* (N,C) */
  float *dweight = ftc_cpu_ptr (dweight_v);       /* (C) */
  const float *dout = ftc_cpu_ptr (dout_v);       /* (N,C) */
  const float *inp = ftc_cpu_ptr (inp_v);         /* (N,C) */
  const float *weight = ftc_cpu_ptr (weight_v);   /* (C) */
  const float *rstd = ftc_cpu_ptr (rstd_v);       /* (N) */
  int nthreads = max_threads ();
  /* dweight sums over rows: each thread into its own slice, added up after in thread order */
  float *partial = calloc ((size_t) nthreads * C, sizeof (float));

  if (partial == NULL)
    return ftc_backend_fail (be, FTC_ERR_HOST_MEMORY, "rmsnorm_backward: out of host memory");
#pragma omp parallel if (FTC_CPU_PARALLEL ((size_t) N * C))
  {
    float *dw = partial + (size_t) thread_num () * C;
#pragma omp for schedule(static)
    for (int n = 0; n < N; n++)
      {
        const float *dy = dout + (size_t) n * C, *x = inp + (size_t) n * C;
        float *dx = dinp + (size_t) n * C;
        float r = rstd[n];
        /* forward: out = weight * norm, norm = x * rstd, rstd = (mean(x^2) + eps)^-1/2;
         * dnorm = weight * dout; dx = (dnorm - norm * mean(dnorm * norm)) * rstd */
        float dot = 0.0f;
        for (int i = 0; i < C; i++)
          dot += weight[i] * dy[i] * (x[i] * r);
        dot /= C;
        for (int i = 0; i < C; i++)
          {
            float norm = x[i] * r;
            float d = (weight[i] * dy[i] - norm * dot) * r;
            dw[i] += dy[i] * norm;
            dx[i] = accumulate ? dx[i] + d : d;
          }
      }
  }
  for (int t = 0; t < nthreads; t++)
    for (int i = 0; i < C; i++)
      dweight[i] += partial[(size_t) t * C + i];
  free (partial);
  return FTC_OK;
}

/* ---- q, k, v heads ---- */

/* Calls body(src, dst) for every head row of D floats: src in qkv (B,T,(NH+2NKV)D), dst in the planes. */
#define FOR_HEAD_ROWS(qkv, qkvr, B, T, NH, NKV, D, body)                                              \
  do {                                                                                                \
    const int H_ = (NH) + 2 * (NKV);                                                                  \
    const size_t Q_ = (size_t) (B) * (NH) * (T) * (D), K_ = (size_t) (B) * (NKV) * (T) * (D);          \
    _Pragma ("omp parallel for if (FTC_CPU_PARALLEL ((size_t) (B) * (T) * H_ * (D)))")               \
    for (int bt = 0; bt < (B) * (T); bt++)                                                            \
      {                                                                                               \
        int b = bt / (T), t = bt % (T);                                                               \
        for (int j = 0; j < H_; j++)                                                                  \
          {                                                                                           \
            size_t s_ = (size_t) bt * H_ * (D) + (size_t) j * (D);                                    \
            size_t d_ = j < (NH) ? (((size_t) b * (NH) + j) * (T) + t) * (D)                          \
                      : j < (NH) + (NKV) ? Q_ + (((size_t) b * (NKV) + (j - (NH))) * (T) + t) * (D)   \
                      : Q_ + K_ + (((size_t) b * (NKV) + (j - (NH) - (NKV))) * (T) + t) * (D);         \
            body;                                                                                     \
          }                                                                                           \
      }                                                                                               \
  } while (0)

FtcStatus
ftc_cpu_qkv_permute_forward (FtcBackend *be, FtcView qkvr_v, FtcView qkv_v, int B, int T, int NH, int NKV, int D)
{
  float *qkvr = ftc_cpu_ptr (qkvr_v);             /* q (B,NH,T,D), k (B,NKV,T,D), v (B,NKV,T,D) */
  const float *qkv = ftc_cpu_ptr (qkv_v);         /* (B,T,(NH+2NKV)*D) */

  FOR_HEAD_ROWS (qkv, qkvr, B, T, NH, NKV, D, memcpy (qkvr + d_, qkv + s_, (size_t) D * sizeof (float)));
  return FTC_OK;
}

FtcStatus
ftc_cpu_qkv_permute_backward_set (FtcBackend *be, FtcView dqkv_v, FtcView dqkvr_v, int B, int T, int NH, int NKV,
                                  int D)
{
  float *dqkv = ftc_cpu_ptr (dqkv_v);             /* (B,T,(NH+2NKV)*D) */
  const float *dqkvr = ftc_cpu_ptr (dqkvr_v);     /* the three planes */

  /* forward: qkvr = permute(qkv); dqkv = the inverse permutation of dqkvr */
  FOR_HEAD_ROWS (dqkv, dqkvr, B, T, NH, NKV, D, memcpy (dqkv + s_, dqkvr + d_, (size_t) D * sizeof (float)));
  return FTC_OK;
}

/* ---- rotary position embedding ---- */

FtcStatus
ftc_cpu_rope (FtcBackend *be, FtcView out_v, FtcView inp_v, FtcView table_v, FtcView pos_v,
              int B, int H, int T, int D, int P, int inverse)
{
  float *out = ftc_cpu_ptr (out_v);               /* (B,H,T,D) */
  const float *inp = ftc_cpu_ptr (inp_v);         /* (B,H,T,D), may be out */
  const float *table = ftc_cpu_ptr (table_v);     /* (P,D): cos, then sin */
  const int32_t *pos = pos_v.buf != NULL ? ftc_cpu_iptr (pos_v) : NULL;   /* (B) */
  const int half = D / 2;
  const float sign = inverse ? -1.0f : 1.0f;

  for (int b = 0; pos != NULL && b < B; b++)
    if (pos[b] < 0 || pos[b] > P - T)
      return ftc_backend_fail (be, FTC_ERR_INVALID_ARG, "rope: row %d starts at position %d, the table holds %d",
                               b, pos[b], P);
#pragma omp parallel for if (FTC_CPU_PARALLEL ((size_t) B * H * T * D))
  for (int row = 0; row < B * H * T; row++)
    {
      int t = row % T, b = row / (H * T);
      int p = t + (pos != NULL ? pos[b] : 0);
      const float *c = table + (size_t) p * D, *s = c + half;
      const float *x = inp + (size_t) row * D;
      float *o = out + (size_t) row * D;
      for (int i = 0; i < half; i++)
        {
          /* x * cos + rotate_half(x) * sin, rotate_half(x) = (-x2, x1); the inverse negates sin */
          float x1 = x[i], x2 = x[i + half], sn = sign * s[i];
          o[i] = x1 * c[i] - x2 * sn;
          o[i + half] = x2 * c[i] + x1 * sn;
        }
    }
  return FTC_OK;
}

/* ---- grouped-query attention ---- */

static void
causal_softmax (float *att, int T, float scale)
{
  for (int t = 0; t < T; t++)
    {
      float *a = att + (size_t) t * T;
      float maxval = -INFINITY, sum = 0.0f;
      for (int t2 = 0; t2 <= t; t2++)
        {
          a[t2] *= scale;
          if (a[t2] > maxval)
            maxval = a[t2];
        }
      for (int t2 = 0; t2 <= t; t2++)
        {
          a[t2] = expf (a[t2] - maxval);
          sum += a[t2];
        }
      float inv = 1.0f / sum;
      for (int t2 = 0; t2 <= t; t2++)
        a[t2] *= inv;
      for (int t2 = t + 1; t2 < T; t2++)
        a[t2] = 0.0f;
    }
}

FtcStatus
ftc_cpu_gqa_attention_forward (FtcBackend *be, FtcView out_v, FtcView att_v, FtcView scratch_v, FtcView qkvr_v,
                               int B, int T, int NH, int NKV, int D)
{
  float *out = ftc_cpu_ptr (out_v);               /* (B,T,NH*D) */
  float *att_all = ftc_cpu_ptr (att_v);           /* (B,NH,T,T) */
  const float *qkvr = ftc_cpu_ptr (qkvr_v);       /* q (B,NH,T,D), k, v (B,NKV,T,D) */
  const int G = NH / NKV, C = NH * D;
  const size_t Q = (size_t) B * NH * T * D, K = (size_t) B * NKV * T * D;
  const float scale = 1.0f / sqrtf ((float) D);

#pragma omp parallel for schedule(dynamic, 1) if (FTC_CPU_PARALLEL_MACS ((size_t) B * NH * T * T * D))
  for (int bh = 0; bh < B * NH; bh++)
    {
      int b = bh / NH, h = bh % NH, kvh = b * NKV + h / G;
      const float *q = qkvr + (size_t) bh * T * D;                 /* (T,D) */
      const float *k = qkvr + Q + (size_t) kvh * T * D;            /* (T,D) */
      const float *v = qkvr + Q + K + (size_t) kvh * T * D;        /* (T,D) */
      float *att = att_all + (size_t) bh * T * T;                  /* (T,T) */

      /* preatt (T,T) = q @ k^T; att = causal softmax(scale * preatt) */
      ftc_cpu_gemm (be, 0, 1, T, T, D, 1.0f, q, D, k, D, 0.0f, att, T);
      causal_softmax (att, T, scale);
      /* out[b,:,h,:] (T,D) = att @ v, written with row stride C */
      ftc_cpu_gemm (be, 0, 0, T, D, T, 1.0f, att, T, v, D, 0.0f, out + (size_t) b * T * C + (size_t) h * D, C);
    }
  return FTC_OK;
}

FtcStatus
ftc_cpu_gqa_attention_backward_set (FtcBackend *be, FtcView dqkvr_v, FtcView datt_v, FtcView scratch_v,
                                    FtcView dout_v,
                                    FtcView qkvr_v, FtcView att_v, int B, int T, int NH, int NKV, int D)
{
  float *dqkvr = ftc_cpu_ptr (dqkvr_v);           /* three planes as qkvr */
  float *datt_all = ftc_cpu_ptr (datt_v);         /* (B,NH,T,T) */
  const float *dout = ftc_cpu_ptr (dout_v);       /* (B,T,NH*D) */
  const float *qkvr = ftc_cpu_ptr (qkvr_v);
  const float *att_all = ftc_cpu_ptr (att_v);     /* (B,NH,T,T) */
  const int G = NH / NKV, C = NH * D;
  const size_t Q = (size_t) B * NH * T * D, K = (size_t) B * NKV * T * D;
  const float scale = 1.0f / sqrtf ((float) D);

  /* one key/value head per iteration, its G query heads in order: dk and dv sum over them race-free */
#pragma omp parallel for schedule(dynamic, 1) if (FTC_CPU_PARALLEL_MACS ((size_t) B * NH * T * T * D))
  for (int bkv = 0; bkv < B * NKV; bkv++)
    {
      int b = bkv / NKV, kvh = bkv % NKV;
      const float *k = qkvr + Q + (size_t) bkv * T * D, *v = qkvr + Q + K + (size_t) bkv * T * D;
      float *dk = dqkvr + Q + (size_t) bkv * T * D, *dv = dqkvr + Q + K + (size_t) bkv * T * D;
      for (int g = 0; g < G; g++)
        {
          int h = kvh * G + g, bh = b * NH + h;
          const float *q = qkvr + (size_t) bh * T * D;
          float *dq = dqkvr + (size_t) bh * T * D;
          const float *att = att_all + (size_t) bh * T * T;
          float *datt = datt_all + (size_t) bh * T * T;
          const float *dy = dout + (size_t) b * T * C + (size_t) h * D;   /* (T,D), row stride C */
          float beta = g == 0 ? 0.0f : 1.0f;

          /* forward: out (T,D) = att (T,T) @ v (T,D).  datt = dout @ v^T;  dv (+)= att^T @ dout */
          ftc_cpu_gemm (be, 0, 1, T, T, D, 1.0f, dy, C, v, D, 0.0f, datt, T);
          ftc_cpu_gemm (be, 1, 0, T, D, T, 1.0f, att, T, dy, C, beta, dv, D);
          /* forward: att = softmax(scale * preatt), causal.  dpreatt = scale * att * (datt - sum(att * datt)) */
          for (int t = 0; t < T; t++)
            {
              const float *a = att + (size_t) t * T;
              float *da = datt + (size_t) t * T;
              float dot = 0.0f;
              for (int t2 = 0; t2 <= t; t2++)
                dot += a[t2] * da[t2];
              for (int t2 = 0; t2 <= t; t2++)
                da[t2] = scale * a[t2] * (da[t2] - dot);
              for (int t2 = t + 1; t2 < T; t2++)
                da[t2] = 0.0f;
            }
          /* forward: preatt = q @ k^T.  dq = dpreatt @ k;  dk (+)= dpreatt^T @ q */
          ftc_cpu_gemm (be, 0, 0, T, D, T, 1.0f, datt, T, k, D, 0.0f, dq, D);
          ftc_cpu_gemm (be, 1, 0, T, D, T, 1.0f, datt, T, q, D, beta, dk, D);
        }
    }
  return FTC_OK;
}

FtcStatus
ftc_cpu_gqa_attention_forward_cached (FtcBackend *be, FtcView out_v, FtcView kcache_v, FtcView vcache_v,
                                      FtcView att_v, FtcView qkvr_v, FtcView pos_v, int B, int T, int NH, int NKV,
                                      int D, int Tc)
{
  float *out = ftc_cpu_ptr (out_v);               /* (B,T,NH*D) */
  float *kcache = ftc_cpu_ptr (kcache_v);         /* (B,NKV,Tc,D) */
  float *vcache = ftc_cpu_ptr (vcache_v);         /* (B,NKV,Tc,D) */
  float *att = ftc_cpu_ptr (att_v);               /* (B,NH,T,Tc) scratch */
  const float *qkvr = ftc_cpu_ptr (qkvr_v);       /* q (B,NH,T,D), k, v (B,NKV,T,D) */
  const int32_t *pos = ftc_cpu_iptr (pos_v);      /* (B) */
  const int G = NH / NKV, C = NH * D;
  const size_t Q = (size_t) B * NH * T * D, K = (size_t) B * NKV * T * D;
  const float scale = 1.0f / sqrtf ((float) D);

  for (int b = 0; b < B; b++)
    if (pos[b] < 0 || pos[b] > Tc - T)
      return ftc_backend_fail (be, FTC_ERR_INVALID_ARG, "gqa_attention_forward_cached: row %d starts at %d, the "
                               "cache holds %d positions", b, pos[b], Tc);
  /* the new keys and values go in first: token t also attends to the tokens before it in this call */
#pragma omp parallel for collapse(2)
  for (int bkv = 0; bkv < B * NKV; bkv++)
    for (int t = 0; t < T; t++)
      {
        size_t dst = ((size_t) bkv * Tc + (size_t) (pos[bkv / NKV] + t)) * D;
        memcpy (kcache + dst, qkvr + Q + ((size_t) bkv * T + t) * D, (size_t) D * sizeof (float));
        memcpy (vcache + dst, qkvr + Q + K + ((size_t) bkv * T + t) * D, (size_t) D * sizeof (float));
      }
#pragma omp parallel for collapse(2)
  for (int bh = 0; bh < B * NH; bh++)
    for (int t = 0; t < T; t++)
      {
        int b = bh / NH, h = bh % NH, p = pos[b] + t;
        const float *q = qkvr + ((size_t) bh * T + t) * D;
        const float *k = kcache + ((size_t) b * NKV + h / G) * Tc * D;
        const float *v = vcache + ((size_t) b * NKV + h / G) * Tc * D;
        float *a = att + ((size_t) bh * T + t) * Tc;
        float *o = out + ((size_t) b * T + t) * C + (size_t) h * D;
        float maxval = -INFINITY, sum = 0.0f;

        for (int p2 = 0; p2 <= p; p2++)
          {
            float s = 0.0f;
            for (int i = 0; i < D; i++)
              s += q[i] * k[(size_t) p2 * D + i];
            a[p2] = s * scale;
            if (a[p2] > maxval)
              maxval = a[p2];
          }
        for (int p2 = 0; p2 <= p; p2++)
          {
            a[p2] = expf (a[p2] - maxval);
            sum += a[p2];
          }
        float inv = 1.0f / sum;
        for (int i = 0; i < D; i++)
          o[i] = 0.0f;
        for (int p2 = 0; p2 <= p; p2++)
          {
            float w = a[p2] * inv;
            for (int i = 0; i < D; i++)
              o[i] += w * v[(size_t) p2 * D + i];
          }
      }
  return FTC_OK;
}

/* ---- SwiGLU ---- */

FtcStatus
ftc_cpu_swiglu_forward (FtcBackend *be, FtcView out_v, FtcView inp_v, int N, int I)
{
  float *out = ftc_cpu_ptr (out_v);               /* (N,I) */
  const float *inp = ftc_cpu_ptr (inp_v);         /* (N,2I): gate, up */

#pragma omp parallel for if (FTC_CPU_PARALLEL ((size_t) N * I))
  for (int n = 0; n < N; n++)
    {
      const float *g = inp + (size_t) n * 2 * I, *u = g + I;
      float *o = out + (size_t) n * I;
      for (int i = 0; i < I; i++)
        o[i] = g[i] / (1.0f + expf (-g[i])) * u[i];
    }
  return FTC_OK;
}

FtcStatus
ftc_cpu_swiglu_backward_set (FtcBackend *be, FtcView dinp_v, FtcView inp_v, FtcView dout_v, int N, int I)
{
  float *dinp = ftc_cpu_ptr (dinp_v);             /* (N,2I) */
  const float *inp = ftc_cpu_ptr (inp_v);         /* (N,2I) */
  const float *dout = ftc_cpu_ptr (dout_v);       /* (N,I) */

#pragma omp parallel for if (FTC_CPU_PARALLEL ((size_t) N * I))
  for (int n = 0; n < N; n++)
    {
      const float *g = inp + (size_t) n * 2 * I, *u = g + I, *dy = dout + (size_t) n * I;
      float *dg = dinp + (size_t) n * 2 * I, *du = dg + I;
      for (int i = 0; i < I; i++)
        {
          /* forward: out = silu(g) * u, silu(g) = g * sig(g); silu'(g) = sig (1 + g (1 - sig)) */
          float sig = 1.0f / (1.0f + expf (-g[i]));
          du[i] = dy[i] * g[i] * sig;
          dg[i] = dy[i] * u[i] * sig * (1.0f + g[i] * (1.0f - sig));
        }
    }
  return FTC_OK;
}
