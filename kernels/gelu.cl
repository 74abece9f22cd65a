/* gelu.cl: GELU with the tanh approximation (GPT-2's), forward and backward; any N.
 * tanh(u) is written as 1 - 2 / (exp(2u) + 1): one exp instead of the library tanh and cosh, which some
 * drivers (PoCL) run as slow scalar calls; exact at both tails (exp overflow gives 1, underflow -1). */
#define GELU_SCALE 0.7978845608028654f  /* sqrt(2/pi) */

static float
fast_tanh (float u)
{
  return 1.0f - 2.0f / (exp (2.0f * u) + 1.0f);
}

/* out (N) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)));  dinp (N) += gelu'(inp) * dout, differentiating
 * the forward's expression (sech^2 = 1 - tanh^2). 8 elements per item (8-float loads, and exp on 8 lanes
 * at once where the driver's library has it); the last item takes the tail one by one. */
__kernel void gelu_forward8 (__global float *out, const ulong out_off,
                             __global const float *inp, const ulong inp_off, const ulong N)
{
  const size_t i = get_global_id (0) * 8;
  if (i >= N)
    return;
  if (i + 8 <= N)
    {
      const float8 x = vload8 (0, inp + inp_off + i);
      const float8 u = GELU_SCALE * (x + 0.044715f * x * x * x);
      const float8 th = 1.0f - 2.0f / (exp (2.0f * u) + 1.0f);
      vstore8 (0.5f * x * (1.0f + th), 0, out + out_off + i);
      return;
    }
  for (size_t j = i; j < N; j++)
    {
      const float x = inp[inp_off + j];
      out[out_off + j] = 0.5f * x * (1.0f + fast_tanh (GELU_SCALE * (x + 0.044715f * x * x * x)));
    }
}

/* accumulate 0: dinp = gelu'(inp) * dout, written (dinp's old contents are not read) */
__kernel void gelu_backward8 (__global float *dinp, const ulong dinp_off,
                              __global const float *inp, const ulong inp_off,
                              __global const float *dout, const ulong dout_off, const ulong N,
                              const int accumulate)
{
  const size_t i = get_global_id (0) * 8;
  if (i >= N)
    return;
  if (i + 8 <= N)
    {
      const float8 x = vload8 (0, inp + inp_off + i);
      const float8 u = GELU_SCALE * (x + 0.044715f * x * x * x);
      const float8 th = 1.0f - 2.0f / (exp (2.0f * u) + 1.0f);
      const float8 grad = 0.5f * (1.0f + th) + x * 0.5f * (1.0f - th * th) * GELU_SCALE * (1.0f + 3.0f * 0.044715f * x * x);
      const float8 d = grad * vload8 (0, dout + dout_off + i);
      vstore8 (accumulate ? vload8 (0, dinp + dinp_off + i) + d : d, 0, dinp + dinp_off + i);
      return;
    }
  for (size_t j = i; j < N; j++)
    {
      const float x = inp[inp_off + j];
      const float th = fast_tanh (GELU_SCALE * (x + 0.044715f * x * x * x));
      const float grad = 0.5f * (1.0f + th) + x * 0.5f * (1.0f - th * th) * GELU_SCALE * (1.0f + 3.0f * 0.044715f * x * x);
      dinp[dinp_off + j] = (accumulate ? dinp[dinp_off + j] : 0.0f) + grad * dout[dout_off + j];
    }
}
