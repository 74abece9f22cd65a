/* crossentropy.cl: fused softmax + cross-entropy + dlogits, one work-group of FTC_WG items per row.
 * logits (N,Vp) with the real vocabulary in columns 0..V-1 and padding V..Vp-1. The reductions are
 * prelude.cl's. */

/* losses (N) = -log softmax(logits[n, 0..V-1])[target[n]].  If write_grad, the row of logits becomes
 * dlogits = weight[n] * (softmax - onehot(target)), padding columns 0.  has_weights 0 means weight 1.
 * A target outside 0..V-1 gives loss 0 and, like a zero weight, zero gradient. */
__kernel void crossentropy_forward (__global float *losses, const ulong losses_off,
                                    __global float *logits, const ulong logits_off,
                                    __global const int *targets, const ulong targets_off,
                                    __global const float *weights, const ulong weights_off,
                                    const int has_weights, const int N, const int V, const int Vp,
                                    const int write_grad)
{
  __local float scratch[FTC_WG];
  const int n = get_group_id (0);
  const int l = get_local_id (0);
  __global float *x = logits + logits_off + (size_t) n * Vp;
  const int target = targets[targets_off + n];
  const int valid = target >= 0 && target < V;
  /* read before the reductions' barriers, so before any item of the row may overwrite it */
  const float x_target = valid ? x[target] : 0.0f;

  float m = -INFINITY;
  for (int j = l; j < V; j += FTC_WG)
    m = fmax (m, x[j]);
  m = wg_max (m, scratch);
  float s = 0.0f;
  for (int j = l; j < V; j += FTC_WG)
    s += exp (x[j] - m);
  s = wg_sum (s, scratch);
  const float log_z = m + log (s);
  if (l == 0)
    losses[losses_off + n] = valid ? log_z - x_target : 0.0f;
  if (write_grad)
    {
      const float w = !valid ? 0.0f : has_weights ? weights[weights_off + n] : 1.0f;
      for (int j = l; j < Vp; j += FTC_WG)
        x[j] = j < V ? w * (exp (x[j] - log_z) - (j == target ? 1.0f : 0.0f)) : 0.0f;
    }
}

/* The same with one work-item per row and no barriers, for CPU drivers. */
__kernel void crossentropy_forward_rows (__global float *losses, const ulong losses_off,
                                         __global float *logits, const ulong logits_off,
                                         __global const int *targets, const ulong targets_off,
                                         __global const float *weights, const ulong weights_off,
                                         const int has_weights, const int N, const int V, const int Vp,
                                         const int write_grad)
{
  const int n = get_global_id (0);
  if (n >= N)
    return;
  __global float *x = logits + logits_off + (size_t) n * Vp;
  const int target = targets[targets_off + n];
  const int valid = target >= 0 && target < V;
  /* 8 lanes at a time (8-float loads, exp on 8 lanes), then the tail one by one */
  const int V8 = V / 8 * 8;
  float8 m8 = -INFINITY;
  for (int j = 0; j < V8; j += 8)
    m8 = fmax (m8, vload8 (0, x + j));
  float m = hmax8 (m8);
  for (int j = V8; j < V; j++)
    m = fmax (m, x[j]);
  float8 s8 = 0.0f;
  for (int j = 0; j < V8; j += 8)
    s8 += exp (vload8 (0, x + j) - m);
  float s = hsum8 (s8);
  for (int j = V8; j < V; j++)
    s += exp (x[j] - m);
  const float log_z = m + log (s);
  const float x_target = valid ? x[target] : 0.0f;
  losses[losses_off + n] = valid ? log_z - x_target : 0.0f;
  if (write_grad)
    {
      const float w = !valid ? 0.0f : has_weights ? weights[weights_off + n] : 1.0f;
      for (int j = 0; j < V8; j += 8)
        vstore8 (w * exp (vload8 (0, x + j) - log_z), 0, x + j);
      for (int j = V8; j < V; j++)
        x[j] = w * exp (x[j] - log_z);
      if (valid)
        x[target] -= w;
      for (int j = V; j < Vp; j++)
        x[j] = 0.0f;
    }
}
