/* attention.cl: the non-GEMM parts of causal multi-head self-attention (the products are CLBlast's).
 * Layouts: inp (B,T,3,NH,HS) as the qkv projection writes it; qkvr (3,B,NH,T,HS); att (B,NH,T,T).
 * Softmax kernels run one work-group of FTC_WG items (a power of two) per row of T, exactly one group per
 * row (no item may leave before a barrier: PoCL miscompiles that); any T. */
#ifndef FTC_WG
#define FTC_WG 64
#endif

static float
wg_sum (float x, __local float *s)
{
  const int l = get_local_id (0);
  s[l] = x;
  barrier (CLK_LOCAL_MEM_FENCE);
  for (int k = FTC_WG / 2; k > 0; k >>= 1)
    {
      if (l < k)
        s[l] += s[l + k];
      barrier (CLK_LOCAL_MEM_FENCE);
    }
  const float r = s[0];
  barrier (CLK_LOCAL_MEM_FENCE);
  return r;
}

static float
wg_max (float x, __local float *s)
{
  const int l = get_local_id (0);
  s[l] = x;
  barrier (CLK_LOCAL_MEM_FENCE);
  for (int k = FTC_WG / 2; k > 0; k >>= 1)
    {
      if (l < k)
        s[l] = fmax (s[l], s[l + k]);
      barrier (CLK_LOCAL_MEM_FENCE);
    }
  const float r = s[0];
  barrier (CLK_LOCAL_MEM_FENCE);
  return r;
}

/* qkvr (3,B,NH,T,HS) = inp (B,T,3,NH,HS) with the axes moved.  One item per element of qkvr. */
__kernel void attention_permute (__global float *qkvr, const ulong qkvr_off,
                                 __global const float *inp, const ulong inp_off,
                                 const int B, const int T, const int NH, const int HS)
{
  const size_t i = get_global_id (0);
  const size_t per = (size_t) B * NH * T * HS;
  if (i >= 3 * per)
    return;
  const int s = (int) (i / per);
  size_t r = i % per;
  const int hs = (int) (r % HS); r /= HS;
  const int t = (int) (r % T); r /= T;
  const int nh = (int) (r % NH);
  const int b = (int) (r / NH);
  const size_t C = (size_t) NH * HS;
  qkvr[qkvr_off + i] = inp[inp_off + ((size_t) b * T + t) * 3 * C + (size_t) s * C + (size_t) nh * HS + hs];
}

/* dinp (B,T,3,NH,HS) += dqkvr (3,B,NH,T,HS) with the axes moved back.  One item per element of dinp. */
__kernel void attention_unpermute_add (__global float *dinp, const ulong dinp_off,
                                       __global const float *dqkvr, const ulong dqkvr_off,
                                       const int B, const int T, const int NH, const int HS)
{
  const size_t i = get_global_id (0);
  const size_t C = (size_t) NH * HS;
  if (i >= (size_t) B * T * 3 * C)
    return;
  size_t r = i;
  const int hs = (int) (r % HS); r /= HS;
  const int nh = (int) (r % NH); r /= NH;
  const int s = (int) (r % 3); r /= 3;
  const int t = (int) (r % T);
  const int b = (int) (r / T);
  const size_t per = (size_t) B * NH * T * HS;
  dinp[dinp_off + i] += dqkvr[dqkvr_off + s * per + (((size_t) b * NH + nh) * T + t) * HS + hs];
}

/* out (B,NH,T,HS) = inp (B,T,NH,HS) with the axes moved (the output gradient, head-major). */
__kernel void attention_split_heads (__global float *out, const ulong out_off,
                                     __global const float *inp, const ulong inp_off,
                                     const int B, const int T, const int NH, const int HS)
{
  const size_t i = get_global_id (0);
  if (i >= (size_t) B * NH * T * HS)
    return;
  size_t r = i;
  const int hs = (int) (r % HS); r /= HS;
  const int t = (int) (r % T); r /= T;
  const int nh = (int) (r % NH);
  const int b = (int) (r / NH);
  out[out_off + i] = inp[inp_off + (((size_t) b * T + t) * NH + nh) * HS + hs];
}

/* In place on att (B,NH,T,T): row (b,nh,t) becomes softmax(scale * preatt[0..t]), zeros after t. */
__kernel void attention_softmax_forward (__global float *att, const ulong att_off,
                                         const int rows, const int T, const float scale)
{
  __local float scratch[FTC_WG];
  const int row = get_group_id (0);
  const int l = get_local_id (0);
  const int t = row % T;
  __global float *a = att + att_off + (size_t) row * T;

  float m = -INFINITY;
  for (int j = l; j <= t; j += FTC_WG)
    m = fmax (m, scale * a[j]);
  m = wg_max (m, scratch);
  float s = 0.0f;
  for (int j = l; j <= t; j += FTC_WG)
    s += exp (scale * a[j] - m);
  const float inv = 1.0f / wg_sum (s, scratch);
  for (int j = l; j < T; j += FTC_WG)
    a[j] = j <= t ? exp (scale * a[j] - m) * inv : 0.0f;
}

/* In place on datt (B,NH,T,T): dpreatt = scale * att * (datt - sum_j att * datt) over j <= t, zeros after t
 * (the derivative of att = softmax(scale * preatt)). */
__kernel void attention_softmax_backward (__global float *datt, const ulong datt_off,
                                          __global const float *att, const ulong att_off,
                                          const int rows, const int T, const float scale)
{
  __local float scratch[FTC_WG];
  const int row = get_group_id (0);
  const int l = get_local_id (0);
  const int t = row % T;
  __global float *d = datt + datt_off + (size_t) row * T;
  __global const float *a = att + att_off + (size_t) row * T;

  float s = 0.0f;
  for (int j = l; j <= t; j += FTC_WG)
    s += a[j] * d[j];
  s = wg_sum (s, scratch);
  for (int j = l; j < T; j += FTC_WG)
    d[j] = j <= t ? scale * a[j] * (d[j] - s) : 0.0f;
}
