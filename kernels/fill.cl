/* fill.cl: buffer fill and transpose, for buffers of any length (no work-group size assumption). */

/* 8 elements per item (8-float stores); the last item takes the tail one by one. */
__kernel void fill_f32 (__global float *dst, const ulong off, const float value, const ulong n)
{
  const size_t i = get_global_id (0) * 8;
  if (i + 8 <= n)
    vstore8 ((float8) value, 0, dst + off + i);
  else
    for (size_t j = i; j < n; j++)
      dst[off + j] = value;
}

/* dst (Cc,R) = src (R,Cc)^T for each of `batch` matrices: src's rows ld apart, its matrices stride apart,
 * dst's packed one after another; R and Cc multiples of 8. One item per 8x8 block: eight 8-float row
 * loads, eight 8-float column stores (no local memory, no barriers, which CPU drivers run as plain vector
 * code). */
__kernel void transpose_f32 (__global float *dst, const ulong dst_off,
                             __global const float *src, const ulong src_off,
                             const int R, const int Cc, const int ld, const ulong stride, const int batch)
{
  const size_t i = get_global_id (0);
  const int bcols = Cc / 8;
  const size_t blocks = (size_t) (R / 8) * bcols;
  if (i >= blocks * batch)
    return;
  const size_t m = i / blocks, j = i % blocks;
  const int bc = j % bcols, br = j / bcols;
  __global const float *s = src + src_off + m * stride + (size_t) br * 8 * ld + (size_t) bc * 8;
  __global float *d = dst + dst_off + m * R * Cc + (size_t) bc * 8 * R + (size_t) br * 8;
  const float8 r0 = vload8 (0, s), r1 = vload8 (0, s + ld), r2 = vload8 (0, s + 2 * ld);
  const float8 r3 = vload8 (0, s + 3 * ld), r4 = vload8 (0, s + 4 * ld), r5 = vload8 (0, s + 5 * ld);
  const float8 r6 = vload8 (0, s + 6 * ld), r7 = vload8 (0, s + 7 * ld);
  vstore8 ((float8) (r0.s0, r1.s0, r2.s0, r3.s0, r4.s0, r5.s0, r6.s0, r7.s0), 0, d);
  vstore8 ((float8) (r0.s1, r1.s1, r2.s1, r3.s1, r4.s1, r5.s1, r6.s1, r7.s1), 0, d + R);
  vstore8 ((float8) (r0.s2, r1.s2, r2.s2, r3.s2, r4.s2, r5.s2, r6.s2, r7.s2), 0, d + 2 * (size_t) R);
  vstore8 ((float8) (r0.s3, r1.s3, r2.s3, r3.s3, r4.s3, r5.s3, r6.s3, r7.s3), 0, d + 3 * (size_t) R);
  vstore8 ((float8) (r0.s4, r1.s4, r2.s4, r3.s4, r4.s4, r5.s4, r6.s4, r7.s4), 0, d + 4 * (size_t) R);
  vstore8 ((float8) (r0.s5, r1.s5, r2.s5, r3.s5, r4.s5, r5.s5, r6.s5, r7.s5), 0, d + 5 * (size_t) R);
  vstore8 ((float8) (r0.s6, r1.s6, r2.s6, r3.s6, r4.s6, r5.s6, r6.s6, r7.s6), 0, d + 6 * (size_t) R);
  vstore8 ((float8) (r0.s7, r1.s7, r2.s7, r3.s7, r4.s7, r5.s7, r6.s7, r7.s7), 0, d + 7 * (size_t) R);
}
