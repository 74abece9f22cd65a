/* residual.cl: elementwise sums and scaling; any N. */

/* out (N) = a + b; 8 elements per item, the last item takes the tail one by one */
__kernel void residual_forward (__global float *out, const ulong out_off,
                                __global const float *a, const ulong a_off,
                                __global const float *b, const ulong b_off, const ulong N)
{
  const size_t i = get_global_id (0) * 8;
  if (i + 8 <= N)
    vstore8 (vload8 (0, a + a_off + i) + vload8 (0, b + b_off + i), 0, out + out_off + i);
  else
    for (size_t j = i; j < N; j++)
      out[out_off + j] = a[a_off + j] + b[b_off + j];
}

/* dst (N) += src */
__kernel void accumulate (__global float *dst, const ulong dst_off,
                          __global const float *src, const ulong src_off, const ulong N)
{
  const size_t i = get_global_id (0);
  if (i < N)
    dst[dst_off + i] += src[src_off + i];
}

/* x (N) *= s */
__kernel void scale (__global float *x, const ulong x_off, const float s, const ulong N)
{
  const size_t i = get_global_id (0);
  if (i < N)
    x[x_off + i] *= s;
}
