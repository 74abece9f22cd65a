/* matmul-bias.cl: the bias half of a linear layer (the product itself is CLBlast's). The bias gradient,
 * a sum over rows, is a CLBlast GEMV against a vector of ones: far faster than a loop per column. */

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
