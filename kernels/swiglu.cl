/* swiglu.cl: the LLaMA family's gated MLP activation on inp (N,2F) = gate then up per row:
 * out (N,F) = silu(gate) * up, silu(x) = x / (1 + e^-x). One item per output element; no barriers. */

__kernel void swiglu_forward (__global float *out, const ulong out_off,
                              __global const float *inp, const ulong inp_off,
                              const int N, const int F)
{
  const size_t i = get_global_id (0);
  if (i >= (size_t) N * F)
    return;
  const size_t n = i / F, j = i % F;
  const float g = inp[inp_off + n * 2 * F + j], u = inp[inp_off + n * 2 * F + F + j];
  out[out_off + i] = g / (1.0f + exp (-g)) * u;
}

/* dinp (N,2F) = dgate then dup, WRITTEN: dgate = dout * up * silu'(gate), silu' = sig (1 + g (1 - sig));
 * dup = dout * silu(gate) */
__kernel void swiglu_backward (__global float *dinp, const ulong dinp_off,
                               __global const float *inp, const ulong inp_off,
                               __global const float *dout, const ulong dout_off,
                               const int N, const int F)
{
  const size_t i = get_global_id (0);
  if (i >= (size_t) N * F)
    return;
  const size_t n = i / F, j = i % F;
  const size_t gi = n * 2 * F + j;
  const float g = inp[inp_off + gi], u = inp[inp_off + gi + F], dy = dout[dout_off + i];
  const float sig = 1.0f / (1.0f + exp (-g));
  dinp[dinp_off + gi] = dy * u * sig * (1.0f + g * (1.0f - sig));
  dinp[dinp_off + gi + F] = dy * g * sig;
}
