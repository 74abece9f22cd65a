/* ftc-cpu-adamw.c: gradient norm, scaling and a single-pass AdamW on the cpu backend. */
/* Without errno and trapping-math semantics the elementwise loops vectorise; NaN and Inf still propagate. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize ("no-math-errno", "no-trapping-math")
#endif

#include "compute/backends/cpu/ftc-cpu-private.h"

#include <math.h>

#ifdef _OPENMP
#include <omp.h>
#endif

FtcStatus
ftc_cpu_norm_squared (FtcBackend *be, FtcView out_v, FtcView x_v, size_t N)
{
  const float *x = ftc_cpu_ptr (x_v);             /* (N) */
  double partial[256] = { 0 }, sum = 0.0;
  int nthreads = 1;

#ifdef _OPENMP
  nthreads = omp_get_max_threads () < 256 ? omp_get_max_threads () : 256;
#endif
  /* summed in double (the global norm of 100M gradients must not lose the small ones), per thread over
   * a fixed range, then in thread order: the same bits every run */
#pragma omp parallel num_threads(nthreads) if (FTC_CPU_PARALLEL (N))
  {
    int t = 0, n = 1;
#ifdef _OPENMP
    t = omp_get_thread_num ();
    n = omp_get_num_threads ();
#endif
    size_t rem = N % (size_t) n, lo = N / n * t + ((size_t) t < rem ? (size_t) t : rem);
    size_t hi = lo + N / n + ((size_t) t < rem);
    double s = 0.0;
    for (size_t i = lo; i < hi; i++)
      s += (double) x[i] * (double) x[i];
    partial[t] = s;
  }
  for (int t = 0; t < nthreads; t++)
    sum += partial[t];
  *ftc_cpu_ptr (out_v) = (float) sum;
  return FTC_OK;
}

FtcStatus
ftc_cpu_scale (FtcBackend *be, FtcView x_v, float s, size_t N)
{
  float *x = ftc_cpu_ptr (x_v);                   /* (N) */

#pragma omp parallel for simd schedule(dynamic, 16384) if (FTC_CPU_PARALLEL (N))
  for (size_t i = 0; i < N; i++)
    x[i] *= s;
  return FTC_OK;
}

FtcStatus
ftc_cpu_adamw_update (FtcBackend *be, FtcView params_v, FtcView grads_v, FtcView m_v, FtcView v_v,
                      size_t N, float lr, float beta1, float beta2, float eps, float weight_decay,
                      float grad_scale, int step)
{
  float *params = ftc_cpu_ptr (params_v);         /* (N) */
  const float *grads = ftc_cpu_ptr (grads_v);     /* (N) */
  float *m = ftc_cpu_ptr (m_v);                   /* (N) */
  float *v = ftc_cpu_ptr (v_v);                   /* (N) */
  /* PyTorch: step_size = lr / (1 - beta1^t), denom = sqrt(v) / sqrt(1 - beta2^t) + eps */
  float bias_correction1 = 1.0f - powf (beta1, (float) step);
  float bias_correction2_sqrt = sqrtf (1.0f - powf (beta2, (float) step));
  float step_size = lr / bias_correction1;
  float decay = 1.0f - lr * weight_decay;

#pragma omp parallel for simd schedule(dynamic, 16384) if (FTC_CPU_PARALLEL (N))
  for (size_t i = 0; i < N; i++)
    {
      float g = grads[i] * grad_scale;
      float m_i = beta1 * m[i] + (1.0f - beta1) * g;
      float v_i = beta2 * v[i] + (1.0f - beta2) * g * g;
      m[i] = m_i;
      v[i] = v_i;
      /* decoupled weight decay first, p *= 1 - lr * wd, then the Adam step (the builtin sqrt vectorises) */
      params[i] = params[i] * decay - step_size * m_i / (__builtin_sqrtf (v_i) / bias_correction2_sqrt + eps);
    }
  return FTC_OK;
}
