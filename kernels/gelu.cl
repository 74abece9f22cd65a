/* gelu.cl: GELU with the tanh approximation (GPT-2's), forward and backward; any N.
 * tanh(u) is written as 1 - 2 / (exp(2u) + 1): one exp instead of the library tanh and cosh, which some
 * drivers (PoCL) run as slow scalar calls; exact at both tails (exp overflow gives 1, underflow -1). */
#define GELU_SCALE 0.7978845608028654f  /* sqrt(2/pi) */

static float
fast_tanh (float u)
{
  return 1.0f - 2.0f / (exp (2.0f * u) + 1.0f);
}

/* out (N) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) */
__kernel void gelu_forward (__global float *out, const ulong out_off,
                            __global const float *inp, const ulong inp_off, const ulong N)
{
  const size_t i = get_global_id (0);
  if (i >= N)
    return;
  const float x = inp[inp_off + i];
  const float cube = 0.044715f * x * x * x;
  out[out_off + i] = 0.5f * x * (1.0f + fast_tanh (GELU_SCALE * (x + cube)));
}

/* dinp (N) += gelu'(inp) * dout, differentiating the forward's expression; sech^2 = 1 - tanh^2. */
__kernel void gelu_backward (__global float *dinp, const ulong dinp_off,
                             __global const float *inp, const ulong inp_off,
                             __global const float *dout, const ulong dout_off, const ulong N)
{
  const size_t i = get_global_id (0);
  if (i >= N)
    return;
  const float x = inp[inp_off + i];
  const float th = fast_tanh (GELU_SCALE * (x + 0.044715f * x * x * x));
  const float sech2 = 1.0f - th * th;
  const float grad = 0.5f * (1.0f + th) + x * 0.5f * sech2 * GELU_SCALE * (1.0f + 3.0f * 0.044715f * x * x);
  dinp[dinp_off + i] += grad * dout[dout_off + i];
}
