/* fill.cl: buffer fill and copy, for buffers of any length (no work-group size assumption). */

__kernel void fill_f32 (__global float *dst, const ulong off, const float value, const ulong n)
{
  const size_t i = get_global_id (0);
  if (i < n)
    dst[off + i] = value;
}
