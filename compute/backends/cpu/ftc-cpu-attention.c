/* ftc-cpu-attention.c: causal multi-head self-attention on the cpu backend, as llm.c's CUDA version does
 * it: q, k, v permuted to (B,NH,T,HS), the scores and the weighted sum as GEMMs per (b,h), a causal
 * softmax in between. Each (b,h) is one independent piece of work, so threads take whole heads and each
 * head's T x T scores stay in cache from the first GEMM to the last. The weighted sum is written straight
 * into out (B,T,C) with row stride C, which is the un-permute for free. */
/* Without errno and trapping-math semantics the elementwise loops vectorise; NaN and Inf still propagate. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize ("no-math-errno", "no-trapping-math")
#endif

#include "compute/backends/cpu/ftc-cpu-private.h"

#include <math.h>

FtcStatus
ftc_cpu_attention_forward (FtcBackend *be, FtcView out_v, FtcView qkvr_v, FtcView att_v, FtcView inp_v,
                           int B, int T, int C, int NH)
{
  float *out = ftc_cpu_ptr (out_v);               /* (B,T,C) */
  float *qkvr = ftc_cpu_ptr (qkvr_v);             /* (3,B,NH,T,HS) */
  float *att_all = ftc_cpu_ptr (att_v);           /* (B,NH,T,T) */
  const float *inp = ftc_cpu_ptr (inp_v);         /* (B,T,3C): q, k, v, each (NH,HS) */
  int HS = C / NH;
  size_t plane = (size_t) B * T * C;              /* one of q, k, v in qkvr */
  float scale = 1.0f / sqrtf ((float) HS);

#pragma omp parallel for schedule(dynamic, 1) if (FTC_CPU_PARALLEL_MACS ((size_t) B * NH * T * T * HS))
  for (int bh = 0; bh < B * NH; bh++)
    {
      int b = bh / NH, h = bh % NH;
      float *q = qkvr + (size_t) bh * T * HS;     /* (T,HS) */
      float *k = q + plane, *v = q + 2 * plane;   /* (T,HS) */
      float *att = att_all + (size_t) bh * T * T; /* (T,T) */

      /* permute: inp[b,t,j,h,:] -> qkvr[j,b,h,t,:] */
      for (int t = 0; t < T; t++)
        {
          const float *src = inp + (size_t) (b * T + t) * 3 * C + (size_t) h * HS;
          for (int i = 0; i < HS; i++)
            {
              q[(size_t) t * HS + i] = src[i];
              k[(size_t) t * HS + i] = src[C + i];
              v[(size_t) t * HS + i] = src[2 * C + i];
            }
        }

      /* preatt (T,T) = scale * q (T,HS) @ k^T (HS,T) */
      ftc_cpu_gemm (be, 0, 1, T, T, HS, scale, q, HS, k, HS, 0.0f, att, T);

      /* causal softmax over t2 <= t, with the max subtracted; the masked part is set to 0 */
      for (int t = 0; t < T; t++)
        {
          float *a = att + (size_t) t * T;
          float maxval = -INFINITY, sum = 0.0f;
          for (int t2 = 0; t2 <= t; t2++)
            if (a[t2] > maxval)
              maxval = a[t2];
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

      /* out[b,:,h,:] (T,HS) = att (T,T) @ v (T,HS), written with row stride C */
      ftc_cpu_gemm (be, 0, 0, T, HS, T, 1.0f, att, T, v, HS, 0.0f, out + (size_t) b * T * C + (size_t) h * HS, C);
    }
  return FTC_OK;
}

/* dinp (B,T,3C) += (accumulate) or = the gradient of attention's input */
static FtcStatus
attention_backward (FtcBackend *be, FtcView dinp_v, FtcView dqkvr_v, FtcView datt_v,
                    FtcView scratch_v, FtcView dout_v, FtcView qkvr_v, FtcView att_v,
                    int B, int T, int C, int NH, int accumulate)
{
  float *dinp = ftc_cpu_ptr (dinp_v);             /* (B,T,3C) */
  float *dqkvr = ftc_cpu_ptr (dqkvr_v);           /* (3,B,NH,T,HS) */
  float *datt_all = ftc_cpu_ptr (datt_v);         /* (B,NH,T,T) */
  const float *dout = ftc_cpu_ptr (dout_v);       /* (B,T,C) */
  const float *qkvr = ftc_cpu_ptr (qkvr_v);       /* (3,B,NH,T,HS) */
  const float *att_all = ftc_cpu_ptr (att_v);     /* (B,NH,T,T) */
  int HS = C / NH;
  size_t plane = (size_t) B * T * C;
  float scale = 1.0f / sqrtf ((float) HS);

  /* dout is read in place with row stride C, so scratch is not needed here */
  (void) scratch_v;

#pragma omp parallel for schedule(dynamic, 1) if (FTC_CPU_PARALLEL_MACS ((size_t) B * NH * T * T * HS))
  for (int bh = 0; bh < B * NH; bh++)
    {
      int b = bh / NH, h = bh % NH;
      const float *q = qkvr + (size_t) bh * T * HS, *k = q + plane, *v = q + 2 * plane;   /* (T,HS) */
      float *dq = dqkvr + (size_t) bh * T * HS, *dk = dq + plane, *dv = dq + 2 * plane;   /* (T,HS) */
      const float *att = att_all + (size_t) bh * T * T;   /* (T,T) */
      float *datt = datt_all + (size_t) bh * T * T;       /* (T,T) */
      const float *dout_bh = dout + (size_t) b * T * C + (size_t) h * HS;   /* (T,HS), row stride C */

      /* forward: out (T,HS) = att (T,T) @ v (T,HS) */
      /* datt (T,T) = dout (T,HS) @ v^T (HS,T) */
      ftc_cpu_gemm (be, 0, 1, T, T, HS, 1.0f, dout_bh, C, v, HS, 0.0f, datt, T);
      /* dv (T,HS) = att^T (T,T) @ dout (T,HS) */
      ftc_cpu_gemm (be, 1, 0, T, HS, T, 1.0f, att, T, dout_bh, C, 0.0f, dv, HS);

      /* forward: att[t,:] = softmax(preatt[t, :t+1]); dpreatt = att * (datt - sum(att * datt)), with the
       * scale of preatt = scale * q @ k^T folded in. Masked entries have att = 0, so their gradient is 0. */
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

      /* forward: preatt (T,T) = scale * q (T,HS) @ k^T (HS,T) */
      /* dq (T,HS) = dpreatt (T,T) @ k (T,HS);  dk (T,HS) = dpreatt^T (T,T) @ q (T,HS) */
      ftc_cpu_gemm (be, 0, 0, T, HS, T, 1.0f, datt, T, k, HS, 0.0f, dq, HS);
      ftc_cpu_gemm (be, 1, 0, T, HS, T, 1.0f, datt, T, q, HS, 0.0f, dk, HS);

      /* un-permute: dinp[b,t,j,h,:] (+)= dqkvr[j,b,h,t,:]; heads own disjoint columns */
      for (int t = 0; t < T; t++)
        {
          float *dst = dinp + (size_t) (b * T + t) * 3 * C + (size_t) h * HS;
          if (accumulate)
            for (int i = 0; i < HS; i++)
              {
                dst[i] += dq[(size_t) t * HS + i];
                dst[C + i] += dk[(size_t) t * HS + i];
                dst[2 * C + i] += dv[(size_t) t * HS + i];
              }
          else
            for (int i = 0; i < HS; i++)
              {
                dst[i] = dq[(size_t) t * HS + i];
                dst[C + i] = dk[(size_t) t * HS + i];
                dst[2 * C + i] = dv[(size_t) t * HS + i];
              }
        }
    }
  return FTC_OK;
}

FtcStatus
ftc_cpu_attention_backward (FtcBackend *be, FtcView dinp, FtcView dqkvr, FtcView datt, FtcView scratch,
                            FtcView dout, FtcView qkvr, FtcView att, int B, int T, int C, int NH)
{
  return attention_backward (be, dinp, dqkvr, datt, scratch, dout, qkvr, att, B, T, C, NH, 1);
}

FtcStatus
ftc_cpu_attention_backward_set (FtcBackend *be, FtcView dinp, FtcView dqkvr, FtcView datt, FtcView scratch,
                                FtcView dout, FtcView qkvr, FtcView att, int B, int T, int C, int NH)
{
  return attention_backward (be, dinp, dqkvr, datt, scratch, dout, qkvr, att, B, T, C, NH, 0);
}
