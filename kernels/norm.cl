/* norm.cl: sum of squares in two deterministic stages: partial sums per work-group, then one work-group
 * adds the partials.  FTC_WG (a power of two) comes from the build options, wg_sum and hsum8 from
 * prelude.cl; any N. */

/* partial[group] = sum of x[i]^2 over the grid-strided elements this group owns. */
__kernel void norm_partial (__global float *partial, __global const float *x, const ulong x_off,
                            const ulong N)
{
  __local float scratch[FTC_WG];
  const size_t stride = get_global_size (0);
  float s = 0.0f;
  for (size_t i = get_global_id (0); i < N; i += stride)
    {
      const float v = x[x_off + i];
      s += v * v;
    }
  s = wg_sum (s, scratch);
  if (get_local_id (0) == 0)
    partial[get_group_id (0)] = s;
}

/* out[0] = sum of partial[0..n-1]; one work-group. */
__kernel void norm_final (__global float *out, const ulong out_off, __global const float *partial,
                          const int n)
{
  __local float scratch[FTC_WG];
  float s = 0.0f;
  for (int i = get_local_id (0); i < n; i += FTC_WG)
    s += partial[i];
  s = wg_sum (s, scratch);
  if (get_local_id (0) == 0)
    out[out_off] = s;
}

/* norm_partial for CPU drivers: partial[g] = sum of x[i]^2 over the g-th of n_parts contiguous chunks,
 * one item per chunk, 8 lanes at a time (no barriers). */
__kernel void norm_partial_chunks (__global float *partial, __global const float *x, const ulong x_off,
                                   const ulong N, const int n_parts)
{
  const int g = get_global_id (0);
  if (g >= n_parts)
    return;
  const ulong chunk = (N + n_parts - 1) / n_parts;
  const ulong begin = min (N, g * chunk), end = min (N, begin + chunk);
  __global const float *p = x + x_off;
  float8 s8 = 0.0f;
  ulong i = begin;
  for (; i + 8 <= end; i += 8)
    {
      const float8 v = vload8 (0, p + i);
      s8 += v * v;
    }
  float s = hsum8 (s8);
  for (; i < end; i++)
    s += p[i] * p[i];
  partial[g] = s;
}
