/* encoder.cl: token + position embeddings, forward and backward.
 * Every kernel takes (buffer, element offset) pairs; sizes need not be multiples of the work-group size. */

/* out (B,T,C) = wte[inp] + wpe[t];  inp (B,T) int32, wte (V,C), wpe (maxT,C).  One item per output. */
__kernel void encoder_forward (__global float *out, const ulong out_off,
                               __global const int *inp, const ulong inp_off,
                               __global const float *wte, const ulong wte_off,
                               __global const float *wpe, const ulong wpe_off,
                               const int B, const int T, const int C)
{
  const size_t i = get_global_id (0);
  if (i >= (size_t) B * T * C)
    return;
  const size_t bt = i / C;
  const int c = (int) (i % C);
  const int t = (int) (bt % T);
  const int ix = inp[inp_off + bt];
  out[out_off + i] = wte[wte_off + (size_t) ix * C + c] + wpe[wpe_off + (size_t) t * C + c];
}

/* dwte (V,C) += scatter of dout (B,T,C) by inp.  One item per channel c walks every token in order, so no
 * two items touch the same element and the sum order is fixed (deterministic, no atomics). */
__kernel void encoder_backward_wte (__global float *dwte, const ulong dwte_off,
                                    __global const float *dout, const ulong dout_off,
                                    __global const int *inp, const ulong inp_off,
                                    const int BT, const int C)
{
  const int c = get_global_id (0);
  if (c >= C)
    return;
  for (int bt = 0; bt < BT; bt++)
    {
      const int ix = inp[inp_off + bt];
      dwte[dwte_off + (size_t) ix * C + c] += dout[dout_off + (size_t) bt * C + c];
    }
}

/* dwpe (maxT,C) += sum over b of dout (B,T,C).  One item per (t,c). */
__kernel void encoder_backward_wpe (__global float *dwpe, const ulong dwpe_off,
                                    __global const float *dout, const ulong dout_off,
                                    const int B, const int T, const int C)
{
  const size_t i = get_global_id (0);
  if (i >= (size_t) T * C)
    return;
  float sum = 0.0f;
  for (int b = 0; b < B; b++)
    sum += dout[dout_off + (size_t) b * T * C + i];
  dwpe[dwpe_off + i] += sum;
}
