/* matmul-bias.cl: the bias half of a linear layer (the product itself is CLBlast's). */

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

/* dbias (OC) += sum over N of dout (N,OC).  One item per column, rows in order (deterministic). */
__kernel void bias_grad (__global float *dbias, const ulong dbias_off,
                         __global const float *dout, const ulong dout_off,
                         const int N, const int OC)
{
  const int o = get_global_id (0);
  if (o >= OC)
    return;
  float sum = 0.0f;
  for (int n = 0; n < N; n++)
    sum += dout[dout_off + (size_t) n * OC + o];
  dbias[dbias_off + o] += sum;
}
