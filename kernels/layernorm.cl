/* layernorm.cl: LayerNorm forward and backward over rows of C channels (eps 1e-5), as in GPT-2.
 * One work-group of FTC_WG items (a power of two, set by the build options) per row; any C. The host
 * launches exactly one group per row: no item may leave before a barrier (PoCL miscompiles that). The
 * reductions are prelude.cl's. */

/* out (N,C) = (inp - mean) * rstd * weight + bias;  mean, rstd (N) saved for backward. */
__kernel void layernorm_forward (__global float *out, const ulong out_off,
                                 __global float *mean, const ulong mean_off,
                                 __global float *rstd, const ulong rstd_off,
                                 __global const float *inp, const ulong inp_off,
                                 __global const float *weight, const ulong weight_off,
                                 __global const float *bias, const ulong bias_off,
                                 const int N, const int C)
{
  __local float scratch[FTC_WG];
  const int n = get_group_id (0);
  const int l = get_local_id (0);
  __global const float *x = inp + inp_off + (size_t) n * C;
  __global float *y = out + out_off + (size_t) n * C;

  float s = 0.0f;
  for (int c = l; c < C; c += FTC_WG)
    s += x[c];
  const float m = wg_sum (s, scratch) / C;
  float v = 0.0f;
  for (int c = l; c < C; c += FTC_WG)
    {
      const float d = x[c] - m;
      v += d * d;
    }
  const float r = rsqrt (wg_sum (v, scratch) / C + 1e-5f);
  for (int c = l; c < C; c += FTC_WG)
    y[c] = (x[c] - m) * r * weight[weight_off + c] + bias[bias_off + c];
  if (l == 0)
    {
      mean[mean_off + n] = m;
      rstd[rstd_off + n] = r;
    }
}

/* dinp (N,C) += (weight*dout - mean(weight*dout) - norm * mean(weight*dout*norm)) * rstd,
 * with norm = (inp - mean) * rstd: the derivative of the forward's out = norm * weight + bias. */
__kernel void layernorm_backward_dinp (__global float *dinp, const ulong dinp_off,
                                       __global const float *dout, const ulong dout_off,
                                       __global const float *inp, const ulong inp_off,
                                       __global const float *weight, const ulong weight_off,
                                       __global const float *mean, const ulong mean_off,
                                       __global const float *rstd, const ulong rstd_off,
                                       const int N, const int C)
{
  __local float scratch[FTC_WG];
  const int n = get_group_id (0);
  const int l = get_local_id (0);
  __global const float *x = inp + inp_off + (size_t) n * C;
  __global const float *dy = dout + dout_off + (size_t) n * C;
  __global float *dx = dinp + dinp_off + (size_t) n * C;
  const float m = mean[mean_off + n];
  const float r = rstd[rstd_off + n];

  float a = 0.0f, b = 0.0f;
  for (int c = l; c < C; c += FTC_WG)
    {
      const float dnorm = weight[weight_off + c] * dy[c];
      a += dnorm;
      b += dnorm * (x[c] - m) * r;
    }
  const float dnorm_mean = wg_sum (a, scratch) / C;
  const float dnorm_norm_mean = wg_sum (b, scratch) / C;
  for (int c = l; c < C; c += FTC_WG)
    {
      const float norm = (x[c] - m) * r;
      const float dnorm = weight[weight_off + c] * dy[c];
      dx[c] += (dnorm - dnorm_mean - norm * dnorm_norm_mean) * r;
    }
}

/* The parameter gradients in two stages (then colsum_final, matmul-bias.cl, on each half): partial holds
 * (2,chunks,C), dweight's and then dbias's sums over each chunk of `rows` rows; one item per (chunk,
 * channel), neighbouring items on neighbouring channels. */
__kernel void layernorm_backward_params_partial (__global float *partial,
                                                 __global const float *dout, const ulong dout_off,
                                                 __global const float *inp, const ulong inp_off,
                                                 __global const float *mean, const ulong mean_off,
                                                 __global const float *rstd, const ulong rstd_off,
                                                 const int N, const int C, const int rows)
{
  const size_t i = get_global_id (0);
  const int chunks = (N + rows - 1) / rows;
  if (i >= (size_t) chunks * C)
    return;
  const int c = i % C, chunk = i / C;
  const int end = min (N, (chunk + 1) * rows);
  float dw = 0.0f, db = 0.0f;
  for (int n = chunk * rows; n < end; n++)
    {
      const size_t j = (size_t) n * C + c;
      const float dy = dout[dout_off + j];
      dw += dy * (inp[inp_off + j] - mean[mean_off + n]) * rstd[rstd_off + n];
      db += dy;
    }
  partial[i] = dw;
  partial[(size_t) chunks * C + i] = db;
}

/* layernorm_backward_params_partial for C a multiple of 8: one item per (chunk, 8 channels). */
__kernel void layernorm_backward_params_partial8 (__global float *partial,
                                                  __global const float *dout, const ulong dout_off,
                                                  __global const float *inp, const ulong inp_off,
                                                  __global const float *mean, const ulong mean_off,
                                                  __global const float *rstd, const ulong rstd_off,
                                                  const int N, const int C, const int rows)
{
  const size_t i = get_global_id (0);
  const int chunks = (N + rows - 1) / rows, c8n = C / 8;
  if (i >= (size_t) chunks * c8n)
    return;
  const int c8 = i % c8n, chunk = i / c8n;
  const int end = min (N, (chunk + 1) * rows);
  float8 dw = 0.0f, db = 0.0f;
  for (int n = chunk * rows; n < end; n++)
    {
      const size_t j = (size_t) n * C + (size_t) c8 * 8;
      const float8 dy = vload8 (0, dout + dout_off + j);
      dw += dy * (vload8 (0, inp + inp_off + j) - mean[mean_off + n]) * rstd[rstd_off + n];
      db += dy;
    }
  vstore8 (dw, 0, partial + (size_t) chunk * C + (size_t) c8 * 8);
  vstore8 (db, 0, partial + (size_t) chunks * C + (size_t) chunk * C + (size_t) c8 * 8);
}

/* The same two row kernels with one work-item per row and no barriers: faster on CPU drivers, where a
 * work-group's barriers cost more than the row's arithmetic. */
__kernel void layernorm_forward_rows (__global float *out, const ulong out_off,
                                      __global float *mean, const ulong mean_off,
                                      __global float *rstd, const ulong rstd_off,
                                      __global const float *inp, const ulong inp_off,
                                      __global const float *weight, const ulong weight_off,
                                      __global const float *bias, const ulong bias_off,
                                      const int N, const int C)
{
  const int n = get_global_id (0);
  if (n >= N)
    return;
  __global const float *x = inp + inp_off + (size_t) n * C;
  __global float *y = out + out_off + (size_t) n * C;
  __global const float *w = weight + weight_off, *bb = bias + bias_off;
  /* 8 lanes at a time, then the tail one by one */
  const int C8 = C / 8 * 8;
  float8 s8 = 0.0f;
  for (int c = 0; c < C8; c += 8)
    s8 += vload8 (0, x + c);
  float s = hsum8 (s8);
  for (int c = C8; c < C; c++)
    s += x[c];
  const float m = s / C;
  float8 v8 = 0.0f;
  for (int c = 0; c < C8; c += 8)
    {
      const float8 d = vload8 (0, x + c) - m;
      v8 += d * d;
    }
  float v = hsum8 (v8);
  for (int c = C8; c < C; c++)
    v += (x[c] - m) * (x[c] - m);
  const float r = rsqrt (v / C + 1e-5f);
  for (int c = 0; c < C8; c += 8)
    vstore8 ((vload8 (0, x + c) - m) * r * vload8 (0, w + c) + vload8 (0, bb + c), 0, y + c);
  for (int c = C8; c < C; c++)
    y[c] = (x[c] - m) * r * w[c] + bb[c];
  mean[mean_off + n] = m;
  rstd[rstd_off + n] = r;
}

__kernel void layernorm_backward_dinp_rows (__global float *dinp, const ulong dinp_off,
                                            __global const float *dout, const ulong dout_off,
                                            __global const float *inp, const ulong inp_off,
                                            __global const float *weight, const ulong weight_off,
                                            __global const float *mean, const ulong mean_off,
                                            __global const float *rstd, const ulong rstd_off,
                                            const int N, const int C)
{
  const int n = get_global_id (0);
  if (n >= N)
    return;
  __global const float *x = inp + inp_off + (size_t) n * C;
  __global const float *dy = dout + dout_off + (size_t) n * C;
  __global float *dx = dinp + dinp_off + (size_t) n * C;
  const float m = mean[mean_off + n];
  const float r = rstd[rstd_off + n];
  __global const float *w = weight + weight_off;
  /* 8 lanes at a time, then the tail one by one */
  const int C8 = C / 8 * 8;
  float8 a8 = 0.0f, b8 = 0.0f;
  for (int c = 0; c < C8; c += 8)
    {
      const float8 dnorm = vload8 (0, w + c) * vload8 (0, dy + c);
      a8 += dnorm;
      b8 += dnorm * (vload8 (0, x + c) - m) * r;
    }
  float a = hsum8 (a8);
  float b = hsum8 (b8);
  for (int c = C8; c < C; c++)
    {
      const float dnorm = w[c] * dy[c];
      a += dnorm;
      b += dnorm * (x[c] - m) * r;
    }
  const float dnorm_mean = a / C;
  const float dnorm_norm_mean = b / C;
  for (int c = 0; c < C8; c += 8)
    {
      const float8 norm = (vload8 (0, x + c) - m) * r;
      vstore8 (vload8 (0, dx + c) + (vload8 (0, w + c) * vload8 (0, dy + c) - dnorm_mean - norm * dnorm_norm_mean) * r,
               0, dx + c);
    }
  for (int c = C8; c < C; c++)
    {
      const float norm = (x[c] - m) * r;
      dx[c] += (w[c] * dy[c] - dnorm_mean - norm * dnorm_norm_mean) * r;
    }
}
