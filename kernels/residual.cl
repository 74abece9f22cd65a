/* residual.cl: elementwise sums and scaling; any N. */

/* out (N) = a + b */
__kernel void residual_forward (__global float *out, const ulong out_off,
                                __global const float *a, const ulong a_off,
                                __global const float *b, const ulong b_off, const ulong N)
{
  const size_t i = get_global_id (0);
  if (i < N)
    out[out_off + i] = a[a_off + i] + b[b_off + i];
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
