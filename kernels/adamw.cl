/* adamw.cl: one AdamW step in a single pass over the parameters (PyTorch semantics); any N. */

/* g = grad * grad_scale;  m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
 * p -= lr * (m / bc1) / (sqrt(v / bc2) + eps) + lr * wd * p,  bc = 1 - beta^step (passed in).
 * 8 parameters per item (8-float loads and stores); the last item takes the tail one by one. */
__kernel void adamw_update8 (__global float *params, const ulong params_off,
                             __global const float *grads, const ulong grads_off,
                             __global float *m, const ulong m_off,
                             __global float *v, const ulong v_off, const ulong N,
                             const float lr, const float beta1, const float beta2, const float eps,
                             const float weight_decay, const float grad_scale,
                             const float bc1, const float bc2)
{
  const size_t i = get_global_id (0) * 8;
  if (i >= N)
    return;
  if (i + 8 <= N)
    {
      const float8 g = vload8 (0, grads + grads_off + i) * grad_scale;
      const float8 mi = beta1 * vload8 (0, m + m_off + i) + (1.0f - beta1) * g;
      const float8 vi = beta2 * vload8 (0, v + v_off + i) + (1.0f - beta2) * g * g;
      const float8 p = vload8 (0, params + params_off + i);
      vstore8 (mi, 0, m + m_off + i);
      vstore8 (vi, 0, v + v_off + i);
      vstore8 (p - lr * ((mi / bc1) / (sqrt (vi / bc2) + eps) + weight_decay * p), 0, params + params_off + i);
      return;
    }
  for (size_t j = i; j < N; j++)
    {
      const float g = grads[grads_off + j] * grad_scale;
      const float mi = beta1 * m[m_off + j] + (1.0f - beta1) * g;
      const float vi = beta2 * v[v_off + j] + (1.0f - beta2) * g * g;
      const float p = params[params_off + j];
      m[m_off + j] = mi;
      v[v_off + j] = vi;
      params[params_off + j] = p - lr * ((mi / bc1) / (sqrt (vi / bc2) + eps) + weight_decay * p);
    }
}
