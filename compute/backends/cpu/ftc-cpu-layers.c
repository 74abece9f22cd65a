/* ftc-cpu-layers.c: the GPT-2 layers of the cpu backend, forward/backward pairs as in llm.c's
 * train_gpt2.c. Loops over rows are threaded with OpenMP; matrix products go through ftc_cpu_gemm. */
/* Without errno and trapping-math semantics the elementwise loops vectorise; NaN and Inf still propagate. */
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

/* ---- encoder ---- */

FtcStatus
ftc_cpu_encoder_forward (FtcBackend *be, FtcView out_v, FtcView inp_v, FtcView wte_v, FtcView wpe_v,
                         int B, int T, int C)
{
  float *out = ftc_cpu_ptr (out_v);               /* (B,T,C) */
  const int32_t *inp = ftc_cpu_iptr (inp_v);      /* (B,T) */
  const float *wte = ftc_cpu_ptr (wte_v);         /* (V,C) */
  const float *wpe = ftc_cpu_ptr (wpe_v);         /* (maxT,C) */
  size_t V = (wte_v.buf->n_elems - wte_v.off) / (size_t) C;

  for (int i = 0; i < B * T; i++)
    if (inp[i] < 0 || (size_t) inp[i] >= V)
      return ftc_backend_fail (be, FTC_ERR_INVALID_ARG,
                               "encoder_forward: token %d at position %d is outside the table of %zu rows",
                               inp[i], i, V);
#pragma omp parallel for if (FTC_CPU_PARALLEL ((size_t) B * T * C))
  for (int bt = 0; bt < B * T; bt++)
    {
      int t = bt % T;
      float *out_bt = out + (size_t) bt * C;
      const float *wte_ix = wte + (size_t) inp[bt] * C;
      const float *wpe_t = wpe + (size_t) t * C;
      for (int i = 0; i < C; i++)
        out_bt[i] = wte_ix[i] + wpe_t[i];
    }
  return FTC_OK;
}

FtcStatus
ftc_cpu_encoder_backward (FtcBackend *be, FtcView dwte_v, FtcView dwpe_v, FtcView dout_v, FtcView inp_v,
                          int B, int T, int C)
{
  float *dwte = ftc_cpu_ptr (dwte_v);             /* (V,C) */
  float *dwpe = ftc_cpu_ptr (dwpe_v);             /* (maxT,C) */
  const float *dout = ftc_cpu_ptr (dout_v);       /* (B,T,C) */
  const int32_t *inp = ftc_cpu_iptr (inp_v);      /* (B,T) */
  size_t V = (dwte_v.buf->n_elems - dwte_v.off) / (size_t) C;
  const int block = 64;

  for (int i = 0; i < B * T; i++)
    if (inp[i] < 0 || (size_t) inp[i] >= V)
      return ftc_backend_fail (be, FTC_ERR_INVALID_ARG,
                               "encoder_backward: token %d at position %d is outside the table of %zu rows",
                               inp[i], i, V);
  /* forward: out[b,t,:] = wte[inp[b,t],:] + wpe[t,:]. Tokens repeat, so threads split the channels, not
   * the positions: each thread owns a block of columns of dwte and dwpe. */
#pragma omp parallel for if (FTC_CPU_PARALLEL ((size_t) B * T * C))
  for (int c0 = 0; c0 < C; c0 += block)
    {
      int c1 = c0 + block < C ? c0 + block : C;
      for (int bt = 0; bt < B * T; bt++)
        {
          const float *dout_bt = dout + (size_t) bt * C;
          float *dwte_ix = dwte + (size_t) inp[bt] * C;
          float *dwpe_t = dwpe + (size_t) (bt % T) * C;
          for (int i = c0; i < c1; i++)
            {
              dwte_ix[i] += dout_bt[i];
              dwpe_t[i] += dout_bt[i];
            }
        }
    }
  return FTC_OK;
}

/* ---- layernorm ---- */

FtcStatus
ftc_cpu_layernorm_forward (FtcBackend *be, FtcView out_v, FtcView mean_v, FtcView rstd_v,
                           FtcView inp_v, FtcView weight_v, FtcView bias_v, int N, int C)
{
  float *out = ftc_cpu_ptr (out_v);               /* (N,C) */
  float *mean = ftc_cpu_ptr (mean_v);             /* (N) */
  float *rstd = ftc_cpu_ptr (rstd_v);             /* (N) */
  const float *inp = ftc_cpu_ptr (inp_v);         /* (N,C) */
  const float *weight = ftc_cpu_ptr (weight_v);   /* (C) */
  const float *bias = ftc_cpu_ptr (bias_v);       /* (C) */
  const float eps = 1e-5f;

#pragma omp parallel for schedule(dynamic, 16) if (FTC_CPU_PARALLEL ((size_t) N * C))
  for (int n = 0; n < N; n++)
    {
      const float *x = inp + (size_t) n * C;
      float *o = out + (size_t) n * C;
      float m = 0.0f, v = 0.0f;
      for (int i = 0; i < C; i++)
        m += x[i];
      m /= C;
      for (int i = 0; i < C; i++)
        {
          float d = x[i] - m;
          v += d * d;
        }
      v /= C;   /* biased variance, as PyTorch's LayerNorm */
      float s = 1.0f / sqrtf (v + eps);
      for (int i = 0; i < C; i++)
        o[i] = (s * (x[i] - m)) * weight[i] + bias[i];
      mean[n] = m;
      rstd[n] = s;
    }
  return FTC_OK;
}

FtcStatus
ftc_cpu_layernorm_backward (FtcBackend *be, FtcView dinp_v, FtcView dweight_v, FtcView dbias_v,
                            FtcView dout_v, FtcView inp_v, FtcView weight_v, FtcView mean_v, FtcView rstd_v,
                            int N, int C)
{
  float *dinp = ftc_cpu_ptr (dinp_v);             /* (N,C) */
  float *dweight = ftc_cpu_ptr (dweight_v);       /* (C) */
  float *dbias = ftc_cpu_ptr (dbias_v);           /* (C) */
  const float *dout = ftc_cpu_ptr (dout_v);       /* (N,C) */
  const float *inp = ftc_cpu_ptr (inp_v);         /* (N,C) */
  const float *weight = ftc_cpu_ptr (weight_v);   /* (C) */
  const float *mean = ftc_cpu_ptr (mean_v);       /* (N) */
  const float *rstd = ftc_cpu_ptr (rstd_v);       /* (N) */
  int nthreads = max_threads ();
  /* dweight and dbias sum over rows: each thread sums its rows into its own slice, added up after */
  float *partial = calloc ((size_t) nthreads * 2 * C, sizeof (float));

  if (partial == NULL)
    return ftc_backend_fail (be, FTC_ERR_HOST_MEMORY, "layernorm_backward: out of host memory");
#pragma omp parallel if (FTC_CPU_PARALLEL ((size_t) N * C))
  {
    float *dw = partial + (size_t) thread_num () * 2 * C;
    float *db = dw + C;
#pragma omp for schedule(static)   /* static: each thread sums the same rows every run */
    for (int n = 0; n < N; n++)
      {
        const float *dout_n = dout + (size_t) n * C;
        const float *inp_n = inp + (size_t) n * C;
        float *dinp_n = dinp + (size_t) n * C;
        float mean_n = mean[n], rstd_n = rstd[n];

        /* forward: out = norm * weight + bias, norm = (inp - mean) * rstd */
        float dnorm_mean = 0.0f, dnorm_norm_mean = 0.0f;
        for (int i = 0; i < C; i++)
          {
            float norm_i = (inp_n[i] - mean_n) * rstd_n;
            float dnorm_i = weight[i] * dout_n[i];
            dnorm_mean += dnorm_i;
            dnorm_norm_mean += dnorm_i * norm_i;
          }
        dnorm_mean /= C;
        dnorm_norm_mean /= C;
        for (int i = 0; i < C; i++)
          {
            float norm_i = (inp_n[i] - mean_n) * rstd_n;
            float dnorm_i = weight[i] * dout_n[i];
            db[i] += dout_n[i];
            dw[i] += norm_i * dout_n[i];
            /* three terms: through norm directly, through the mean, through rstd */
            dinp_n[i] += (dnorm_i - dnorm_mean - norm_i * dnorm_norm_mean) * rstd_n;
          }
      }
  }
  for (int t = 0; t < nthreads; t++)
    for (int i = 0; i < C; i++)
      {
        dweight[i] += partial[(size_t) t * 2 * C + i];
        dbias[i] += partial[(size_t) t * 2 * C + C + i];
      }
  free (partial);
  return FTC_OK;
}

/* ---- matmul ---- */

FtcStatus
ftc_cpu_matmul_forward (FtcBackend *be, FtcView out_v, FtcView inp_v, FtcView weight_v, FtcView bias_v,
                        int N, int IC, int OC)
{
  float *out = ftc_cpu_ptr (out_v);               /* (N,OC) */
  const float *inp = ftc_cpu_ptr (inp_v);         /* (N,IC) */
  const float *weight = ftc_cpu_ptr (weight_v);   /* (OC,IC) */

  if (bias_v.buf != NULL)
    {
      const float *bias = ftc_cpu_ptr (bias_v);   /* (OC) */
      /* start every row at the bias, then out += inp @ weight^T in the GEMM */
#pragma omp parallel for if (FTC_CPU_PARALLEL ((size_t) N * OC))
      for (int n = 0; n < N; n++)
        memcpy (out + (size_t) n * OC, bias, (size_t) OC * sizeof (float));
      ftc_cpu_gemm (be, 0, 1, N, OC, IC, 1.0f, inp, IC, weight, IC, 1.0f, out, OC);
    }
  else
    ftc_cpu_gemm (be, 0, 1, N, OC, IC, 1.0f, inp, IC, weight, IC, 0.0f, out, OC);
  return FTC_OK;
}

FtcStatus
ftc_cpu_matmul_backward (FtcBackend *be, FtcView dinp_v, FtcView dweight_v, FtcView dbias_v,
                         FtcView dout_v, FtcView inp_v, FtcView weight_v, int N, int IC, int OC)
{
  float *dweight = ftc_cpu_ptr (dweight_v);       /* (OC,IC) */
  const float *dout = ftc_cpu_ptr (dout_v);       /* (N,OC) */
  const float *inp = ftc_cpu_ptr (inp_v);         /* (N,IC) */
  const float *weight = ftc_cpu_ptr (weight_v);   /* (OC,IC) */
  const int block = 64;

  /* forward: out = inp @ weight^T + bias */
  if (dinp_v.buf != NULL)   /* dinp (N,IC) += dout (N,OC) @ weight (OC,IC) */
    ftc_cpu_gemm (be, 0, 0, N, IC, OC, 1.0f, dout, OC, weight, IC, 1.0f, ftc_cpu_ptr (dinp_v), IC);
  /* dweight (OC,IC) += dout^T (OC,N) @ inp (N,IC) */
  ftc_cpu_gemm (be, 1, 0, OC, IC, N, 1.0f, dout, OC, inp, IC, 1.0f, dweight, IC);
  if (dbias_v.buf != NULL)
    {
      float *dbias = ftc_cpu_ptr (dbias_v);       /* (OC) */
      /* dbias += sum over rows of dout; threads own blocks of columns and read rows contiguously */
#pragma omp parallel for if (FTC_CPU_PARALLEL ((size_t) N * OC))
      for (int o0 = 0; o0 < OC; o0 += block)
        {
          int o1 = o0 + block < OC ? o0 + block : OC;
          float sum[64] = { 0 };
          for (int n = 0; n < N; n++)
            {
              const float *row = dout + (size_t) n * OC + o0;
#pragma omp simd
              for (int o = 0; o < o1 - o0; o++)
                sum[o] += row[o];
            }
          for (int o = o0; o < o1; o++)
            dbias[o] += sum[o - o0];
        }
    }
  return FTC_OK;
}

/* ---- GELU ---- */

#define GELU_SCALING_FACTOR 0.7978845608028654f   /* sqrt(2/pi) */

/* exp(x) for GELU's tanh, written so that the compiler vectorises it (libm's expf is a call per
 * element): x = n ln2 + r with |r| <= ln2/2, exp(r) by its degree-6 Taylor/minimax polynomial (Cephes'
 * expf coefficients), 2^n put straight into the exponent bits. Relative error ~2e-7 on [-87, 88]. */
static inline float
vec_expf (float x)
{
  /* clamp so that 2^n stays a normal float; NaN goes to -87 here, and GELU's factor x keeps it NaN */
  x = x > -87.0f ? x : -87.0f;
  x = x < 88.0f ? x : 88.0f;
  /* round to nearest by the 1.5 * 2^23 trick: no floorf call, so the loop stays vectorisable */
  float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  float r = x - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  union { int32_t i; float f; } scale = { .i = ((int32_t) n + 127) << 23 };
  return p * scale.f;
}

/* tanh through one exp: accurate to ~1e-7 absolute, which is what GELU needs (it uses 1 + tanh and
 * 1 - tanh^2); tanh(u) = 1 - 2 / (1 + exp(2u)) */
static inline float
fast_tanhf (float u)
{
  return 1.0f - 2.0f / (1.0f + vec_expf (2.0f * u));
}

FtcStatus
ftc_cpu_gelu_forward (FtcBackend *be, FtcView out_v, FtcView inp_v, size_t N)
{
  float *out = ftc_cpu_ptr (out_v);               /* (N) */
  const float *inp = ftc_cpu_ptr (inp_v);         /* (N) */

#pragma omp parallel for simd schedule(dynamic, 16384) if (FTC_CPU_PARALLEL (N))
  for (size_t i = 0; i < N; i++)
    {
      float x = inp[i];
      float cube = 0.044715f * x * x * x;
      out[i] = 0.5f * x * (1.0f + fast_tanhf (GELU_SCALING_FACTOR * (x + cube)));
    }
  return FTC_OK;
}

/* dinp (N) += (accumulate) or = gelu'(inp) * dout */
static FtcStatus
gelu_backward (FtcView dinp_v, FtcView inp_v, FtcView dout_v, size_t N, int accumulate)
{
  float *dinp = ftc_cpu_ptr (dinp_v);             /* (N) */
  const float *inp = ftc_cpu_ptr (inp_v);         /* (N) */
  const float *dout = ftc_cpu_ptr (dout_v);       /* (N) */

  /* forward: out = 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3) */
#pragma omp parallel for simd schedule(dynamic, 16384) if (FTC_CPU_PARALLEL (N))
  for (size_t i = 0; i < N; i++)
    {
      float x = inp[i];
      float u = GELU_SCALING_FACTOR * (x + 0.044715f * x * x * x);
      float tanh_u = fast_tanhf (u);
      float sech2_u = 1.0f - tanh_u * tanh_u;
      float du_dx = GELU_SCALING_FACTOR * (1.0f + 3.0f * 0.044715f * x * x);
      float grad = 0.5f * (1.0f + tanh_u) + 0.5f * x * sech2_u * du_dx;
      dinp[i] = (accumulate ? dinp[i] : 0.0f) + grad * dout[i];
    }
  return FTC_OK;
}

FtcStatus
ftc_cpu_gelu_backward (FtcBackend *be, FtcView dinp, FtcView inp, FtcView dout, size_t N)
{
  return gelu_backward (dinp, inp, dout, N, 1);
}

FtcStatus
ftc_cpu_gelu_backward_set (FtcBackend *be, FtcView dinp, FtcView inp, FtcView dout, size_t N)
{
  return gelu_backward (dinp, inp, dout, N, 0);
}

/* ---- residual ---- */

FtcStatus
ftc_cpu_residual_forward (FtcBackend *be, FtcView out_v, FtcView a_v, FtcView b_v, size_t N)
{
  float *out = ftc_cpu_ptr (out_v);               /* (N) */
  const float *a = ftc_cpu_ptr (a_v);             /* (N) */
  const float *b = ftc_cpu_ptr (b_v);             /* (N) */

#pragma omp parallel for simd schedule(dynamic, 16384) if (FTC_CPU_PARALLEL (N))
  for (size_t i = 0; i < N; i++)
    out[i] = a[i] + b[i];
  return FTC_OK;
}

FtcStatus
ftc_cpu_accumulate (FtcBackend *be, FtcView dst_v, FtcView src_v, size_t N)
{
  float *dst = ftc_cpu_ptr (dst_v);               /* (N) */
  const float *src = ftc_cpu_ptr (src_v);         /* (N) */

#pragma omp parallel for simd schedule(dynamic, 16384) if (FTC_CPU_PARALLEL (N))
  for (size_t i = 0; i < N; i++)
    dst[i] += src[i];
  return FTC_OK;
}

/* ---- softmax cross-entropy ---- */

FtcStatus
ftc_cpu_crossentropy_forward (FtcBackend *be, FtcView losses_v, FtcView logits_v, FtcView targets_v,
                              FtcView weights_v, int N, int V, int Vp, int write_grad)
{
  float *losses = ftc_cpu_ptr (losses_v);         /* (N) */
  float *logits = ftc_cpu_ptr (logits_v);         /* (N,Vp), becomes dlogits if write_grad */
  const int32_t *targets = ftc_cpu_iptr (targets_v);  /* (N) */
  const float *weights = ftc_cpu_ptr (weights_v); /* (N) */

  for (int n = 0; n < N; n++)
    if (targets[n] < 0 || targets[n] >= V)
      return ftc_backend_fail (be, FTC_ERR_INVALID_ARG,
                               "crossentropy_forward: target %d at row %d is outside the vocabulary of %d",
                               targets[n], n, V);
#pragma omp parallel for schedule(dynamic, 8) if (FTC_CPU_PARALLEL ((size_t) N * V))
  for (int n = 0; n < N; n++)
    {
      float *row = logits + (size_t) n * Vp;
      int target = targets[n];
      float maxval = -INFINITY;
      double sum = 0.0;

      /* softmax with the max subtracted, so exp never overflows */
      for (int i = 0; i < V; i++)
        if (row[i] > maxval)
          maxval = row[i];
      float target_logit = row[target];
      if (write_grad)
        {
          /* the exponentials are kept in place: each is computed once */
          for (int i = 0; i < V; i++)
            {
              row[i] = expf (row[i] - maxval);
              sum += row[i];
            }
        }
      else
        for (int i = 0; i < V; i++)
          sum += expf (row[i] - maxval);
      /* loss = -log(exp(l_t - max) / sum) */
      losses[n] = (float) log (sum) - (target_logit - maxval);
      if (write_grad)
        {
          /* dlogits = weight * (softmax - onehot(target)) */
          float w = weights[n], scale = (float) (w / sum);
          for (int i = 0; i < V; i++)
            row[i] *= scale;
          row[target] -= w;
          for (int i = V; i < Vp; i++)
            row[i] = 0.0f;
        }
    }
  return FTC_OK;
}
