/* matmul-bias.cl: the bias half of a linear layer (the product itself is CLBlast's). The bias gradient,
 * a sum over rows, goes in two stages (colsum_partial, colsum_final): far faster on CPU drivers than one
 * item per column looping over every row, or CLBlast's GEMV against a vector of ones. */

/* out (N,OC) += bias (OC) on every row. */
__kernel void bias_add (__global float *out, const ulong out_off,
                        __global const float *bias, const ulong bias_off,
                        const int N, const int OC)
{
  const size_t i = get_global_id (0);
  if (i >= (size_t) N * OC)
    return;
  out[out_off + i] += bias[bias_off + i % OC];
}

/* Column sums in two stages, for the bias gradients: partial (chunks,OC) holds, for each chunk of `rows`
 * rows, the sum of every column over them; one item per (chunk, column), neighbouring items on
 * neighbouring columns (contiguous loads that CPU drivers vectorise across items, no barriers). */
__kernel void colsum_partial (__global float *partial,
                              __global const float *x, const ulong x_off,
                              const int N, const int OC, const int rows)
{
  const size_t i = get_global_id (0);
  const int chunks = (N + rows - 1) / rows;
  if (i >= (size_t) chunks * OC)
    return;
  const int c = i % OC, chunk = i / OC;
  const int end = min (N, (chunk + 1) * rows);
  __global const float *p = x + x_off + c;
  float s = 0.0f;
  for (int n = chunk * rows; n < end; n++)
    s += p[(size_t) n * OC];
  partial[i] = s;
}

/* dst (OC) += sum over the chunks of partial (chunks,OC), chunks in order. */
__kernel void colsum_final (__global float *dst, const ulong dst_off,
                            __global const float *partial, const ulong partial_off,
                            const int chunks, const int OC)
{
  const int c = get_global_id (0);
  if (c >= OC)
    return;
  float s = 0.0f;
  for (int k = 0; k < chunks; k++)
    s += partial[partial_off + (size_t) k * OC + c];
  dst[dst_off + c] += s;
}

/* colsum_partial for OC a multiple of 8: one item per (chunk, 8 columns), 8-float row loads. */
__kernel void colsum_partial8 (__global float *partial,
                               __global const float *x, const ulong x_off,
                               const int N, const int OC, const int rows)
{
  const size_t i = get_global_id (0);
  const int chunks = (N + rows - 1) / rows, oc8 = OC / 8;
  if (i >= (size_t) chunks * oc8)
    return;
  const int c8 = i % oc8, chunk = i / oc8;
  const int end = min (N, (chunk + 1) * rows);
  __global const float *p = x + x_off + (size_t) c8 * 8;
  float8 s = 0.0f;
  for (int n = chunk * rows; n < end; n++)
    s += vload8 (0, p + (size_t) n * OC);
  vstore8 (s, 0, partial + (size_t) chunk * OC + (size_t) c8 * 8);
}

/* bias_add for OC a multiple of 8: 8 elements of one row per item. */
__kernel void bias_add8 (__global float *out, const ulong out_off,
                         __global const float *bias, const ulong bias_off,
                         const int N, const int OC)
{
  const size_t i = get_global_id (0) * 8;
  if (i >= (size_t) N * OC)
    return;
  __global float *o = out + out_off + i;
  vstore8 (vload8 (0, o) + vload8 (0, bias + bias_off + i % OC), 0, o);
}
