/* ftc-cpu-attention.c: causal multi-head self-attention on the cpu backend, as llm.c's CUDA version does
 * it: q, k, v permuted to (B,NH,T,HS), the scores and the weighted sum as batched GEMMs per (b,h), a
 * causal softmax in between. The weighted sum is written straight into out (B,T,C) with row stride C,
 * which is the un-permute for free. */
#include "compute/cpu/ftc-cpu-private.h"

#include <math.h>

FtcStatus
ftc_cpu_attention_forward (FtcBackend *be, FtcView out_v, FtcView qkvr_v, FtcView att_v, FtcView inp_v,
                           int B, int T, int C, int NH)
{
  float *out = ftc_cpu_ptr (out_v);               /* (B,T,C) */
  float *qkvr = ftc_cpu_ptr (qkvr_v);             /* (3,B,NH,T,HS) */
  float *att = ftc_cpu_ptr (att_v);               /* (B,NH,T,T) */
  const float *inp = ftc_cpu_ptr (inp_v);         /* (B,T,3C): q, k, v, each (NH,HS) */
  int HS = C / NH;
  size_t plane = (size_t) B * T * C;              /* one of q, k, v in qkvr */
  float *q = qkvr, *k = qkvr + plane, *v = qkvr + 2 * plane;
  float scale = 1.0f / sqrtf ((float) HS);

  /* permute: inp[b,t,j,h,:] -> qkvr[j,b,h,t,:] */
#pragma omp parallel for collapse(2)
  for (int b = 0; b < B; b++)
    for (int t = 0; t < T; t++)
      for (int j = 0; j < 3; j++)
        for (int h = 0; h < NH; h++)
          {
            const float *src = inp + ((size_t) (b * T + t) * 3 + j) * C + (size_t) h * HS;
            float *dst = qkvr + j * plane + ((size_t) (b * NH + h) * T + t) * HS;
            for (int i = 0; i < HS; i++)
              dst[i] = src[i];
          }

  /* preatt (T,T) = scale * q (T,HS) @ k^T (HS,T), for every (b,h) */
  for (int bh = 0; bh < B * NH; bh++)
    ftc_cpu_gemm (be, 0, 1, T, T, HS, scale, q + (size_t) bh * T * HS, HS, k + (size_t) bh * T * HS, HS,
                  0.0f, att + (size_t) bh * T * T, T);

  /* causal softmax over t2 <= t, in place; the masked part is set to 0 */
#pragma omp parallel for
  for (size_t row = 0; row < (size_t) B * NH * T; row++)
    {
      int t = (int) (row % T);
      float *a = att + row * T;
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
  for (int b = 0; b < B; b++)
    for (int h = 0; h < NH; h++)
      {
        size_t bh = (size_t) b * NH + h;
        ftc_cpu_gemm (be, 0, 0, T, HS, T, 1.0f, att + bh * T * T, T, v + bh * T * HS, HS,
                      0.0f, out + (size_t) b * T * C + (size_t) h * HS, C);
      }
  return FTC_OK;
}

FtcStatus
ftc_cpu_attention_backward (FtcBackend *be, FtcView dinp_v, FtcView dqkvr_v, FtcView datt_v,
                            FtcView scratch_v, FtcView dout_v, FtcView qkvr_v, FtcView att_v,
                            int B, int T, int C, int NH)
{
  float *dinp = ftc_cpu_ptr (dinp_v);             /* (B,T,3C) */
  float *dqkvr = ftc_cpu_ptr (dqkvr_v);           /* (3,B,NH,T,HS) */
  float *datt = ftc_cpu_ptr (datt_v);             /* (B,NH,T,T) */
  const float *dout = ftc_cpu_ptr (dout_v);       /* (B,T,C) */
  const float *qkvr = ftc_cpu_ptr (qkvr_v);       /* (3,B,NH,T,HS) */
  const float *att = ftc_cpu_ptr (att_v);         /* (B,NH,T,T) */
  int HS = C / NH;
  size_t plane = (size_t) B * T * C;
  const float *q = qkvr, *k = qkvr + plane, *v = qkvr + 2 * plane;
  float *dq = dqkvr, *dk = dqkvr + plane, *dv = dqkvr + 2 * plane;
  float scale = 1.0f / sqrtf ((float) HS);

  /* dout is read in place with row stride C, so scratch is not needed here */
  (void) scratch_v;

  /* forward: out (T,HS) = att (T,T) @ v (T,HS) */
  for (int b = 0; b < B; b++)
    for (int h = 0; h < NH; h++)
      {
        size_t bh = (size_t) b * NH + h;
        const float *dout_bh = dout + (size_t) b * T * C + (size_t) h * HS;
        /* datt (T,T) = dout (T,HS) @ v^T (HS,T) */
        ftc_cpu_gemm (be, 0, 1, T, T, HS, 1.0f, dout_bh, C, v + bh * T * HS, HS, 0.0f, datt + bh * T * T, T);
        /* dv (T,HS) = att^T (T,T) @ dout (T,HS) */
        ftc_cpu_gemm (be, 1, 0, T, HS, T, 1.0f, att + bh * T * T, T, dout_bh, C, 0.0f, dv + bh * T * HS, HS);
      }

  /* forward: att[t,:] = softmax(preatt[t, :t+1]); dpreatt = att * (datt - sum(att * datt)), and the
   * scale of preatt = scale * q @ k^T folded in. Masked entries have att = 0, so their gradient is 0. */
#pragma omp parallel for
  for (size_t row = 0; row < (size_t) B * NH * T; row++)
    {
      int t = (int) (row % T);
      const float *a = att + row * T;
      float *da = datt + row * T;
      float dot = 0.0f;
      for (int t2 = 0; t2 <= t; t2++)
        dot += a[t2] * da[t2];
      for (int t2 = 0; t2 <= t; t2++)
        da[t2] = scale * a[t2] * (da[t2] - dot);
      for (int t2 = t + 1; t2 < T; t2++)
        da[t2] = 0.0f;
    }

  /* forward: preatt (T,T) = scale * q (T,HS) @ k^T; dq = dpreatt @ k, dk = dpreatt^T @ q (scale folded) */
  for (int bh = 0; bh < B * NH; bh++)
    {
      const float *dpre = datt + (size_t) bh * T * T;
      ftc_cpu_gemm (be, 0, 0, T, HS, T, 1.0f, dpre, T, k + (size_t) bh * T * HS, HS,
                    0.0f, dq + (size_t) bh * T * HS, HS);
      ftc_cpu_gemm (be, 1, 0, T, HS, T, 1.0f, dpre, T, q + (size_t) bh * T * HS, HS,
                    0.0f, dk + (size_t) bh * T * HS, HS);
    }

  /* un-permute and accumulate: dinp[b,t,j,h,:] += dqkvr[j,b,h,t,:] */
#pragma omp parallel for collapse(2)
  for (int b = 0; b < B; b++)
    for (int t = 0; t < T; t++)
      for (int j = 0; j < 3; j++)
        for (int h = 0; h < NH; h++)
          {
            float *dst = dinp + ((size_t) (b * T + t) * 3 + j) * C + (size_t) h * HS;
            const float *src = dqkvr + j * plane + ((size_t) (b * NH + h) * T + t) * HS;
            for (int i = 0; i < HS; i++)
              dst[i] += src[i];
          }
  return FTC_OK;
}
