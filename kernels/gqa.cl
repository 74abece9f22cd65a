/* gqa.cl: the non-GEMM parts of grouped-query attention for the LLaMA family (the products are CLBlast's;
 * the softmax is attention.cl's): the token embedding, the split of the qkv projection into head planes
 * and back, and KV-cache decoding. Planes: q (B,NH,T,D), then k (B,NKV,T,D), then v (B,NKV,T,D); query
 * head h reads key/value head h / (NH/NKV). No barriers: items past the end return at once. */

/* out (N,C) = wte[inp];  one item per output element */
__kernel void embedding_forward (__global float *out, const ulong out_off,
                                 __global const int *inp, const ulong inp_off,
                                 __global const float *wte, const ulong wte_off,
                                 const int N, const int C)
{
  const size_t i = get_global_id (0);
  if (i >= (size_t) N * C)
    return;
  const size_t n = i / C;
  out[out_off + i] = wte[wte_off + (size_t) inp[inp_off + n] * C + i % C];
}

/* Where element i of qkv (B,T,(NH+2NKV)*D) lives in the planes. */
static size_t
plane_index (size_t i, const int B, const int T, const int NH, const int NKV, const int D)
{
  const int W = (NH + 2 * NKV) * D;
  const size_t bt = i / W;
  const int w = (int) (i % W), j = w / D, d = w % D;
  const int b = (int) (bt / T), t = (int) (bt % T);
  const size_t Q = (size_t) B * NH * T * D, K = (size_t) B * NKV * T * D;
  if (j < NH)
    return (((size_t) b * NH + j) * T + t) * D + d;
  if (j < NH + NKV)
    return Q + (((size_t) b * NKV + (j - NH)) * T + t) * D + d;
  return Q + K + (((size_t) b * NKV + (j - NH - NKV)) * T + t) * D + d;
}

/* qkvr (planes) = qkv (B,T,(NH+2NKV)*D) split into heads; one item per element, reads in order */
__kernel void qkv_permute_forward (__global float *qkvr, const ulong qkvr_off,
                                   __global const float *qkv, const ulong qkv_off,
                                   const int B, const int T, const int NH, const int NKV, const int D)
{
  const size_t i = get_global_id (0);
  if (i >= (size_t) B * T * (NH + 2 * NKV) * D)
    return;
  qkvr[qkvr_off + plane_index (i, B, T, NH, NKV, D)] = qkv[qkv_off + i];
}

/* dqkv (B,T,(NH+2NKV)*D) = dqkvr back in token order, written; one item per element, writes in order */
__kernel void qkv_permute_backward (__global float *dqkv, const ulong dqkv_off,
                                    __global const float *dqkvr, const ulong dqkvr_off,
                                    const int B, const int T, const int NH, const int NKV, const int D)
{
  const size_t i = get_global_id (0);
  if (i >= (size_t) B * T * (NH + 2 * NKV) * D)
    return;
  dqkv[dqkv_off + i] = dqkvr[dqkvr_off + plane_index (i, B, T, NH, NKV, D)];
}

/* kcache, vcache (B,NKV,Tc,D) at position pos[b] + t = the new tokens' k and v planes (B,NKV,T,D);
 * one item per element */
__kernel void gqa_cache_write (__global float *kcache, const ulong kcache_off,
                               __global float *vcache, const ulong vcache_off,
                               __global const float *qkvr, const ulong qkvr_off,
                               __global const int *pos, const ulong pos_off,
                               const int B, const int T, const int NH, const int NKV, const int D, const int Tc)
{
  const size_t i = get_global_id (0);   /* (b, kvh, t, d) in the k plane's order */
  const size_t K = (size_t) B * NKV * T * D;
  if (i >= K)
    return;
  const int d = (int) (i % D);
  const size_t r = i / D;
  const int t = (int) (r % T);
  const size_t bkv = r / T;
  const int b = (int) (bkv / NKV);
  const int p = pos[pos_off + b] + t;
  if (p < 0 || p >= Tc)
    return;
  const size_t Q = (size_t) B * NH * T * D;
  const size_t dst = (bkv * Tc + p) * D + d;
  kcache[kcache_off + dst] = qkvr[qkvr_off + Q + i];
  vcache[vcache_off + dst] = qkvr[qkvr_off + Q + K + i];
}

/* out (B,T,NH*D): query t of row b, head h, attends to cache positions 0..pos[b]+t of key/value head
 * h / (NH/NKV) with weights softmax(scale * q.k); att (B,NH,T,Tc) holds the scores.  One item per
 * (b, h, t) query: decoding has few queries and each walks its own cache. */
__kernel void gqa_attention_cached (__global float *out, const ulong out_off,
                                    __global const float *kcache, const ulong kcache_off,
                                    __global const float *vcache, const ulong vcache_off,
                                    __global float *att, const ulong att_off,
                                    __global const float *qkvr, const ulong qkvr_off,
                                    __global const int *pos, const ulong pos_off,
                                    const int B, const int T, const int NH, const int NKV, const int D,
                                    const int Tc, const float scale)
{
  const size_t row = get_global_id (0);   /* (b, h, t) in q's order */
  if (row >= (size_t) B * NH * T)
    return;
  const int t = (int) (row % T);
  const size_t bh = row / T;
  const int h = (int) (bh % NH);
  const int b = (int) (bh / NH);
  const int p = min (pos[pos_off + b] + t, Tc - 1);
  const size_t kv = ((size_t) b * NKV + h / (NH / NKV)) * Tc * D;
  __global const float *q = qkvr + qkvr_off + row * D;
  __global const float *k = kcache + kcache_off + kv;
  __global const float *v = vcache + vcache_off + kv;
  __global float *a = att + att_off + row * Tc;
  __global float *o = out + out_off + ((size_t) b * T + t) * NH * D + (size_t) h * D;

  float m = -INFINITY;
  for (int j = 0; j <= p; j++)
    {
      float s = 0.0f;
      for (int d = 0; d < D; d++)
        s += q[d] * k[(size_t) j * D + d];
      s *= scale;
      a[j] = s;
      m = fmax (m, s);
    }
  float sum = 0.0f;
  for (int j = 0; j <= p; j++)
    {
      const float e = exp (a[j] - m);
      a[j] = e;
      sum += e;
    }
  const float inv = 1.0f / sum;
  for (int d = 0; d < D; d++)
    o[d] = 0.0f;
  for (int j = 0; j <= p; j++)
    {
      const float w = a[j] * inv;
      for (int d = 0; d < D; d++)
        o[d] += w * v[(size_t) j * D + d];
    }
}
