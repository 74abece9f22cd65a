/* ftc-cpu-decode.c: the two ops of KV-cache generation on the cpu backend: the token + position encoder
 * with a start position per row, and causal attention of T new tokens per row over a cache of keys and
 * values that the op extends. */
#include "compute/backends/cpu/ftc-cpu-private.h"

#include <math.h>
#include <string.h>

FtcStatus
ftc_cpu_encoder_forward_pos (FtcBackend *be, FtcView out_v, FtcView inp_v, FtcView pos_v, FtcView wte_v,
                             FtcView wpe_v, int B, int T, int C)
{
  float *out = ftc_cpu_ptr (out_v);            /* (B,T,C) */
  const int32_t *inp = ftc_cpu_iptr (inp_v);   /* (B,T) */
  const int32_t *pos = ftc_cpu_iptr (pos_v);   /* (B) position of each row's first token */
  const float *wte = ftc_cpu_ptr (wte_v);      /* (V,C) */
  const float *wpe = ftc_cpu_ptr (wpe_v);      /* (maxT,C) */

#pragma omp parallel for collapse(2)
  for (int b = 0; b < B; b++)
    for (int t = 0; t < T; t++)
      {
        float *o = out + ((size_t) b * T + t) * C;
        const float *te = wte + (size_t) inp[b * T + t] * C;
        const float *pe = wpe + (size_t) (pos[b] + t) * C;
        for (int i = 0; i < C; i++)
          o[i] = te[i] + pe[i];
      }
  return FTC_OK;
}

FtcStatus
ftc_cpu_attention_forward_cached (FtcBackend *be, FtcView out_v, FtcView kcache_v, FtcView vcache_v,
                                  FtcView att_v, FtcView qkv_v, FtcView pos_v, int B, int T, int C, int NH, int Tc)
{
  float *out = ftc_cpu_ptr (out_v);            /* (B,T,C) */
  float *kcache = ftc_cpu_ptr (kcache_v);      /* (B,NH,Tc,HS) */
  float *vcache = ftc_cpu_ptr (vcache_v);      /* (B,NH,Tc,HS) */
  float *att = ftc_cpu_ptr (att_v);            /* (B,NH,T,Tc) scratch */
  const float *qkv = ftc_cpu_ptr (qkv_v);      /* (B,T,3C) */
  const int32_t *pos = ftc_cpu_iptr (pos_v);   /* (B) */
  int HS = C / NH;
  float scale = 1.0f / sqrtf ((float) HS);

  /* the new keys and values go in first: token t also attends to the tokens before it in this call */
#pragma omp parallel for collapse(2)
  for (int b = 0; b < B; b++)
    for (int t = 0; t < T; t++)
      for (int h = 0; h < NH; h++)
        {
          const float *src = qkv + ((size_t) b * T + t) * 3 * C + (size_t) h * HS;
          size_t dst = (((size_t) b * NH + h) * Tc + (size_t) (pos[b] + t)) * HS;
          memcpy (kcache + dst, src + C, HS * sizeof (float));
          memcpy (vcache + dst, src + 2 * C, HS * sizeof (float));
        }

#pragma omp parallel for collapse(3)
  for (int b = 0; b < B; b++)
    for (int h = 0; h < NH; h++)
      for (int t = 0; t < T; t++)
        {
          int p = pos[b] + t;
          const float *q = qkv + ((size_t) b * T + t) * 3 * C + (size_t) h * HS;
          const float *k = kcache + ((size_t) b * NH + h) * Tc * HS;
          const float *v = vcache + ((size_t) b * NH + h) * Tc * HS;
          float *a = att + (((size_t) b * NH + h) * T + t) * Tc;
          float *o = out + ((size_t) b * T + t) * C + (size_t) h * HS;
          float maxval = -INFINITY, sum = 0.0f;

          for (int p2 = 0; p2 <= p; p2++)
            {
              float s = 0.0f;
              for (int i = 0; i < HS; i++)
                s += q[i] * k[(size_t) p2 * HS + i];
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
          for (int i = 0; i < HS; i++)
            o[i] = 0.0f;
          for (int p2 = 0; p2 <= p; p2++)
            {
              float w = a[p2] * inv;
              for (int i = 0; i < HS; i++)
                o[i] += w * v[(size_t) p2 * HS + i];
            }
        }
  return FTC_OK;
}
