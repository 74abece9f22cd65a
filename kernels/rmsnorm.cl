/* rmsnorm.cl: RMSNorm forward and backward over rows of C channels, as the LLaMA family computes it:
 * out = weight * (x * rstd), rstd = 1 / sqrt(mean(x^2) + eps).
 * Row kernels come in two forms that compute the same thing: one work-group of FTC_WG items (a power of
 * two, from the device's limits) per row, for GPUs, and one item per row (_rows), barrier-free, for CPU
 * drivers. The host launches exactly one group per row: no item may leave before a barrier. The
 * work-group sum is the prelude's (kernels/prelude.cl). */

/* out (N,C) = weight * (inp * rstd);  rstd (N) saved for backward */
__kernel void rmsnorm_forward (__global float *out, const ulong out_off,
                               __global float *rstd, const ulong rstd_off,
                               __global const float *inp, const ulong inp_off,
                               __global const float *weight, const ulong weight_off,
                               const int N, const int C, const float eps)
{
  __local float scratch[FTC_WG];
  const int n = get_group_id (0);
  const int l = get_local_id (0);
  __global const float *x = inp + inp_off + (size_t) n * C;
  __global float *y = out + out_off + (size_t) n * C;

  float s = 0.0f;
  for (int c = l; c < C; c += FTC_WG)
    s += x[c] * x[c];
  const float r = 1.0f / sqrt (wg_sum (s, scratch) / C + eps);
  for (int c = l; c < C; c += FTC_WG)
    y[c] = weight[weight_off + c] * (x[c] * r);
  if (l == 0)
    rstd[rstd_off + n] = r;
}

__kernel void rmsnorm_forward_rows (__global float *out, const ulong out_off,
                                    __global float *rstd, const ulong rstd_off,
                                    __global const float *inp, const ulong inp_off,
                                    __global const float *weight, const ulong weight_off,
                                    const int N, const int C, const float eps)
{
  const int n = get_global_id (0);
  if (n >= N)
    return;
  __global const float *x = inp + inp_off + (size_t) n * C;
  __global float *y = out + out_off + (size_t) n * C;
  float s = 0.0f;
  for (int c = 0; c < C; c++)
    s += x[c] * x[c];
  const float r = 1.0f / sqrt (s / C + eps);
  for (int c = 0; c < C; c++)
    y[c] = weight[weight_off + c] * (x[c] * r);
  rstd[rstd_off + n] = r;
}

/* dinp (N,C) (+)= (weight*dout - norm * mean(weight*dout*norm)) * rstd, norm = inp * rstd: the derivative
 * of the forward's out = weight * norm.  accumulate 0 writes instead of adding. */
__kernel void rmsnorm_backward_dinp (__global float *dinp, const ulong dinp_off,
                                     __global const float *dout, const ulong dout_off,
                                     __global const float *inp, const ulong inp_off,
                                     __global const float *weight, const ulong weight_off,
                                     __global const float *rstd, const ulong rstd_off,
                                     const int N, const int C, const int accumulate)
{
  __local float scratch[FTC_WG];
  const int n = get_group_id (0);
  const int l = get_local_id (0);
  __global const float *x = inp + inp_off + (size_t) n * C;
  __global const float *dy = dout + dout_off + (size_t) n * C;
  __global float *dx = dinp + dinp_off + (size_t) n * C;
  const float r = rstd[rstd_off + n];

  float s = 0.0f;
  for (int c = l; c < C; c += FTC_WG)
    s += weight[weight_off + c] * dy[c] * (x[c] * r);
  const float dot = wg_sum (s, scratch) / C;
  for (int c = l; c < C; c += FTC_WG)
    {
      const float d = (weight[weight_off + c] * dy[c] - x[c] * r * dot) * r;
      dx[c] = accumulate ? dx[c] + d : d;
    }
}

__kernel void rmsnorm_backward_dinp_rows (__global float *dinp, const ulong dinp_off,
                                          __global const float *dout, const ulong dout_off,
                                          __global const float *inp, const ulong inp_off,
                                          __global const float *weight, const ulong weight_off,
                                          __global const float *rstd, const ulong rstd_off,
                                          const int N, const int C, const int accumulate)
{
  const int n = get_global_id (0);
  if (n >= N)
    return;
  __global const float *x = inp + inp_off + (size_t) n * C;
  __global const float *dy = dout + dout_off + (size_t) n * C;
  __global float *dx = dinp + dinp_off + (size_t) n * C;
  const float r = rstd[rstd_off + n];
  float s = 0.0f;
  for (int c = 0; c < C; c++)
    s += weight[weight_off + c] * dy[c] * (x[c] * r);
  const float dot = s / C;
  for (int c = 0; c < C; c++)
    {
      const float d = (weight[weight_off + c] * dy[c] - x[c] * r * dot) * r;
      dx[c] = accumulate ? dx[c] + d : d;
    }
}

/* dweight in two stages (then colsum_final, matmul-bias.cl): partial (chunks,C) holds the sums of
 * dout * inp * rstd over each chunk of `rows` rows; one item per (chunk, channel). */
__kernel void rmsnorm_backward_weight_partial (__global float *partial,
                                               __global const float *dout, const ulong dout_off,
                                               __global const float *inp, const ulong inp_off,
                                               __global const float *rstd, const ulong rstd_off,
                                               const int N, const int C, const int rows)
{
  const size_t i = get_global_id (0);
  const int chunks = (N + rows - 1) / rows;
  if (i >= (size_t) chunks * C)
    return;
  const int c = i % C, chunk = i / C;
  const int end = min (N, (chunk + 1) * rows);
  float dw = 0.0f;
  for (int n = chunk * rows; n < end; n++)
    {
      const size_t j = (size_t) n * C + c;
      dw += dout[dout_off + j] * (inp[inp_off + j] * rstd[rstd_off + n]);
    }
  partial[i] = dw;
}
