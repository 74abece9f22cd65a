/* decode.cl: the two ops of KV-cache generation: the token + position encoder with a start position per
 * row, and causal attention of T new tokens per row over a cache of keys and values.
 * Every kernel takes (buffer, element offset) pairs; sizes need not be multiples of the work-group size.
 * No kernel here uses barriers, so items past the end may return at once (PoCL miscompiles early returns
 * only before a barrier). */

/* out (B,T,C) = wte[inp] + wpe[pos[b] + t];  inp (B,T) int32, pos (B) int32, wte (V,C), wpe (maxT,C).
 * One item per output. */
__kernel void encoder_forward_pos (__global float *out, const ulong out_off,
                                   __global const int *inp, const ulong inp_off,
                                   __global const int *pos, const ulong pos_off,
                                   __global const float *wte, const ulong wte_off,
                                   __global const float *wpe, const ulong wpe_off,
                                   const int B, const int T, const int C)
{
  const size_t i = get_global_id (0);
  if (i >= (size_t) B * T * C)
    return;
  const size_t bt = i / C;
  const int c = (int) (i % C);
  const int t = (int) (bt % T);
  const int b = (int) (bt / T);
  const int ix = inp[inp_off + bt];
  const int p = pos[pos_off + b] + t;
  out[out_off + i] = wte[wte_off + (size_t) ix * C + c] + wpe[wpe_off + (size_t) p * C + c];
}

/* kcache, vcache (B,NH,Tc,HS) at position pos[b] + t = the k and v of qkv (B,T,3,NH,HS).  One item per
 * (b, t, nh) head row of HS floats. */
__kernel void kv_cache_write (__global float *kcache, const ulong kcache_off,
                              __global float *vcache, const ulong vcache_off,
                              __global const float *qkv, const ulong qkv_off,
                              __global const int *pos, const ulong pos_off,
                              const int B, const int T, const int NH, const int HS, const int Tc)
{
  const size_t row = get_global_id (0);   /* (b, t, nh) in qkv's order */
  if (row >= (size_t) B * T * NH)
    return;
  const int nh = (int) (row % NH);
  const size_t bt = row / NH;
  const int t = (int) (bt % T);
  const int b = (int) (bt / T);
  const size_t C = (size_t) NH * HS;
  const int p = pos[pos_off + b] + t;
  __global const float *src = qkv + qkv_off + bt * 3 * C + (size_t) nh * HS;
  const size_t dst = (((size_t) b * NH + nh) * Tc + p) * HS;
  __global float *k = kcache + kcache_off + dst;
  __global float *v = vcache + vcache_off + dst;
  for (int hs = 0; hs < HS; hs++)
    {
      k[hs] = src[C + hs];
      v[hs] = src[2 * C + hs];
    }
}

/* out (B,T,NH,HS): token t of row b, head nh, attends to cache positions 0..pos[b]+t with weights
 * softmax(scale * q.k), q from qkv (B,T,3,NH,HS); att (B,NH,T,Tc) holds the scores, then the unnormalised
 * weights.  One item per (b, nh, t) query: decoding has few queries and each walks its own cache. */
__kernel void attention_cached (__global float *out, const ulong out_off,
                                __global const float *kcache, const ulong kcache_off,
                                __global const float *vcache, const ulong vcache_off,
                                __global float *att, const ulong att_off,
                                __global const float *qkv, const ulong qkv_off,
                                __global const int *pos, const ulong pos_off,
                                const int B, const int T, const int NH, const int HS, const int Tc,
                                const float scale)
{
  const size_t row = get_global_id (0);   /* (b, nh, t) in att's order */
  if (row >= (size_t) B * NH * T)
    return;
  const int t = (int) (row % T);
  const size_t bnh = row / T;
  const int nh = (int) (bnh % NH);
  const int b = (int) (bnh / NH);
  const size_t C = (size_t) NH * HS;
  const int p = pos[pos_off + b] + t;
  __global const float *q = qkv + qkv_off + ((size_t) b * T + t) * 3 * C + (size_t) nh * HS;
  __global const float *k = kcache + kcache_off + bnh * Tc * HS;
  __global const float *v = vcache + vcache_off + bnh * Tc * HS;
  __global float *a = att + att_off + row * Tc;
  __global float *o = out + out_off + ((size_t) b * T + t) * C + (size_t) nh * HS;

  float m = -INFINITY;
  for (int j = 0; j <= p; j++)
    {
      float s = 0.0f;
      for (int hs = 0; hs < HS; hs++)
        s += q[hs] * k[(size_t) j * HS + hs];
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
  for (int hs = 0; hs < HS; hs++)
    o[hs] = 0.0f;
  for (int j = 0; j <= p; j++)
    {
      const float w = a[j] * inv;
      for (int hs = 0; hs < HS; hs++)
        o[hs] += w * v[(size_t) j * HS + hs];
    }
}
