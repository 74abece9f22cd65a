/* rope.cl: rotary position embedding, rotate-hd layout (as transformers' apply_rotary_pos_emb), on
 * x (B,H,T,D) with the heads ahead of the positions. table (P,D) holds cos (first D/2) and sin (last D/2)
 * of p * inv_freq[i]. One item per rotated pair, which reads both halves before it writes them, so the
 * kernel runs in place. No barriers. */

/* out = x * cos + rotate_half(x) * sin at position p = t (+ pos[b] when has_pos); inverse negates sin
 * (the backward).  A position outside the table leaves the pair untouched. */
__kernel void rope (__global float *out, const ulong out_off,
                    __global const float *inp, const ulong inp_off,
                    __global const float *table, const ulong table_off,
                    __global const int *pos, const ulong pos_off, const int has_pos,
                    const int B, const int H, const int T, const int D, const int P, const int inverse)
{
  const size_t i = get_global_id (0);
  const int hd = D / 2;
  if (i >= (size_t) B * H * T * hd)
    return;
  const int k = (int) (i % hd);
  const size_t row = i / hd;
  const int t = (int) (row % T);
  const int b = (int) (row / ((size_t) H * T));
  const int p = t + (has_pos ? pos[pos_off + b] : 0);
  if (p < 0 || p >= P)
    return;
  __global const float *cs = table + table_off + (size_t) p * D;
  const float c = cs[k], s = inverse ? -cs[hd + k] : cs[hd + k];
  const size_t x = row * D + k;
  const float x1 = inp[inp_off + x], x2 = inp[inp_off + x + hd];
  out[out_off + x] = x1 * c - x2 * s;
  out[out_off + x + hd] = x2 * c + x1 * s;
}
