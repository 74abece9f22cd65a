/* attention.cl: the non-GEMM parts of causal multi-head self-attention (the products are CLBlast's).
 * Layouts: inp (B,T,3,NH,HS) as the qkv projection writes it; qkvr (3,B,NH,T,HS); att (B,NH,T,T).
 * Softmax kernels run one work-group of FTC_WG items (a power of two) per row of T, exactly one group per
 * row (no item may leave before a barrier: PoCL miscompiles that); any T. wg_sum, wg_max, hsum8 and hmax8 are
 * prelude.cl's. */

/* The layout kernels move whole head rows of HS contiguous floats: one item per row, so the index
 * arithmetic (divisions, slow on CPU drivers) is paid once per HS elements.  32-bit indices: the host
 * checks 3BTC < 2^31. */

/* qkvr (3,B,NH,T,HS) = inp (B,T,3,NH,HS) with the axes moved, for the first n_rows head rows of qkvr
 * (3*B*NH*T for all of q, k, v; B*NH*T for q alone). */
__kernel void attention_permute (__global float *qkvr, const ulong qkvr_off,
                                 __global const float *inp, const ulong inp_off,
                                 const int B, const int T, const int NH, const int HS, const ulong n_rows)
{
  const uint row = get_global_id (0);
  if (row >= n_rows)
    return;
  const uint rows_per = (uint) (B * NH * T);
  const uint s = row / rows_per;
  uint r = row - s * rows_per;
  const uint t = r % T; r /= T;
  const uint nh = r % NH;
  const uint b = r / NH;
  const uint C = NH * HS;
  __global float *dst = qkvr + qkvr_off + (size_t) row * HS;
  __global const float *src = inp + inp_off + (b * T + t) * 3 * C + s * C + nh * HS;
  for (int hs = 0; hs < HS; hs++)
    dst[hs] = src[hs];
}

/* out (B,T,NH,HS) = inp (B,NH,T,HS) with the heads merged back. */
__kernel void attention_merge_heads (__global float *out, const ulong out_off,
                                     __global const float *inp, const ulong inp_off,
                                     const int B, const int T, const int NH, const int HS)
{
  const uint row = get_global_id (0);   /* (b, t, nh) in out's order */
  if (row >= (uint) (B * T * NH))
    return;
  const uint nh = row % NH;
  const uint bt = row / NH;
  const uint t = bt % T;
  const uint b = bt / T;
  __global float *dst = out + out_off + (size_t) row * HS;
  __global const float *src = inp + inp_off + ((b * NH + nh) * T + t) * HS;
  for (int hs = 0; hs < HS; hs++)
    dst[hs] = src[hs];
}

/* Row `row` (b, t, s, nh) of dinp (B,T,3,NH,HS): the offset of the dqkvr (3,B,NH,T,HS) row it comes from. */
static size_t
unpermute_source_row (uint row, const int B, const int T, const int NH)
{
  uint r = row;
  const uint nh = r % NH; r /= NH;
  const uint s = r % 3; r /= 3;
  const uint t = r % T;
  const uint b = r / T;
  return (size_t) s * (B * NH * T) + (size_t) (b * NH + nh) * T + t;
}

/* dinp (B,T,3,NH,HS) += dqkvr (3,B,NH,T,HS) with the axes moved back. */
__kernel void attention_unpermute_add (__global float *dinp, const ulong dinp_off,
                                       __global const float *dqkvr, const ulong dqkvr_off,
                                       const int B, const int T, const int NH, const int HS)
{
  const uint row = get_global_id (0);
  if (row >= (uint) (B * T * 3 * NH))
    return;
  __global float *dst = dinp + dinp_off + (size_t) row * HS;
  __global const float *src = dqkvr + dqkvr_off + unpermute_source_row (row, B, T, NH) * HS;
  for (int hs = 0; hs < HS; hs++)
    dst[hs] += src[hs];
}

/* The same, dinp (B,T,3,NH,HS) = dqkvr with the axes moved back (written, not accumulated). */
__kernel void attention_unpermute (__global float *dinp, const ulong dinp_off,
                                   __global const float *dqkvr, const ulong dqkvr_off,
                                   const int B, const int T, const int NH, const int HS)
{
  const uint row = get_global_id (0);
  if (row >= (uint) (B * T * 3 * NH))
    return;
  __global float *dst = dinp + dinp_off + (size_t) row * HS;
  __global const float *src = dqkvr + dqkvr_off + unpermute_source_row (row, B, T, NH) * HS;
  for (int hs = 0; hs < HS; hs++)
    dst[hs] = src[hs];
}

/* out (B,NH,T,HS) = inp (B,T,NH,HS) with the heads split out (the output gradient, head-major). */
__kernel void attention_split_heads (__global float *out, const ulong out_off,
                                     __global const float *inp, const ulong inp_off,
                                     const int B, const int T, const int NH, const int HS)
{
  const uint row = get_global_id (0);   /* (b, nh, t) in out's order */
  if (row >= (uint) (B * NH * T))
    return;
  const uint t = row % T;
  const uint bnh = row / T;
  const uint nh = bnh % NH;
  const uint b = bnh / NH;
  __global float *dst = out + out_off + (size_t) row * HS;
  __global const float *src = inp + inp_off + ((b * T + t) * NH + nh) * HS;
  for (int hs = 0; hs < HS; hs++)
    dst[hs] = src[hs];
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

/* The softmax kernels with one work-item per row and no barriers, for CPU drivers. */
__kernel void attention_softmax_forward_rows (__global float *att, const ulong att_off,
                                              const int rows, const int T, const float scale)
{
  const int row = get_global_id (0);
  if (row >= rows)
    return;
  const int t = row % T, n = t + 1, n8 = n / 8 * 8;
  __global float *a = att + att_off + (size_t) row * T;
  /* 8 lanes at a time (8-float loads, exp on 8 lanes), then the tail one by one */
  float8 m8 = -INFINITY;
  for (int j = 0; j < n8; j += 8)
    m8 = fmax (m8, scale * vload8 (0, a + j));
  float m = hmax8 (m8);
  for (int j = n8; j < n; j++)
    m = fmax (m, scale * a[j]);
  float8 s8 = 0.0f;
  for (int j = 0; j < n8; j += 8)
    {
      const float8 e = exp (scale * vload8 (0, a + j) - m);
      vstore8 (e, 0, a + j);
      s8 += e;
    }
  float s = hsum8 (s8);
  for (int j = n8; j < n; j++)
    {
      const float e = exp (scale * a[j] - m);
      a[j] = e;
      s += e;
    }
  const float inv = 1.0f / s;
  for (int j = 0; j < n8; j += 8)
    vstore8 (vload8 (0, a + j) * inv, 0, a + j);
  for (int j = n8; j < n; j++)
    a[j] *= inv;
  for (int j = n; j < T; j++)
    a[j] = 0.0f;
}

__kernel void attention_softmax_backward_rows (__global float *datt, const ulong datt_off,
                                               __global const float *att, const ulong att_off,
                                               const int rows, const int T, const float scale)
{
  const int row = get_global_id (0);
  if (row >= rows)
    return;
  const int t = row % T;
  __global float *d = datt + datt_off + (size_t) row * T;
  __global const float *a = att + att_off + (size_t) row * T;
  float s = 0.0f;
  for (int j = 0; j <= t; j++)
    s += a[j] * d[j];
  for (int j = 0; j <= t; j++)
    d[j] = scale * a[j] * (d[j] - s);
  for (int j = t + 1; j < T; j++)
    d[j] = 0.0f;
}
