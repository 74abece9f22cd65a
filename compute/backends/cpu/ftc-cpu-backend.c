/* ftc-cpu-backend.c: the cpu backend's buffers, its one GEMM entry point and its class table.
 * Buffers are host memory, so "enqueue" means "run now" and finish has nothing to wait for. */
#include "compute/backends/cpu/ftc-cpu-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cblas.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif

void
ftc_cpu_device_info (FtcDeviceInfo *info)
{
  long threads = sysconf (_SC_NPROCESSORS_ONLN);

  memset (info, 0, sizeof *info);
  if (threads < 1)
    threads = 1;
  info->kind = FTC_DEVICE_CPU;
  info->index = 0;
  snprintf (info->spec, sizeof info->spec, "cpu");
  snprintf (info->name, sizeof info->name, "CPU (%ld threads)", threads);
  snprintf (info->vendor, sizeof info->vendor, "host");
  snprintf (info->platform, sizeof info->platform, "CBLAS + OpenMP");
  info->is_gpu = 0;
  info->compute_units = (int) threads;
#if defined(_SC_PHYS_PAGES) && defined(_SC_PAGESIZE)
  {
    long pages = sysconf (_SC_PHYS_PAGES), page_size = sysconf (_SC_PAGESIZE);
    if (pages > 0 && page_size > 0)
      info->global_mem_bytes = (uint64_t) pages * (uint64_t) page_size;
  }
#endif
  info->max_alloc_bytes = info->global_mem_bytes;
}

/* ---- the GEMM entry point ---- */

/* The reference: C = alpha * op(A) @ op(B) + beta * C, one dot product per element, summed in double. */
static void
gemm_naive (int trans_a, int trans_b, int M, int N, int K,
            float alpha, const float *A, int lda, const float *B, int ldb,
            float beta, float *C, int ldc)
{
#pragma omp parallel for if (FTC_CPU_PARALLEL_MACS ((size_t) M * N * K))
  for (int i = 0; i < M; i++)
    for (int j = 0; j < N; j++)
      {
        double sum = 0.0;
        for (int k = 0; k < K; k++)
          {
            float a = trans_a ? A[(size_t) k * lda + i] : A[(size_t) i * lda + k];
            float b = trans_b ? B[(size_t) j * ldb + k] : B[(size_t) k * ldb + j];
            sum += (double) a * (double) b;
          }
        float *c = &C[(size_t) i * ldc + j];
        /* beta == 0 ignores what C held, as BLAS does (it may be uninitialised) */
        *c = (float) (alpha * sum) + (beta == 0.0f ? 0.0f : beta * *c);
      }
}

/* One CBLAS call per thread on a slice of C: all threading is OpenMP's, so OpenBLAS runs single-threaded
 * and its thread pool never competes with OpenMP's for the cores. The larger of M and N is split. */
static void
gemm_blas (int trans_a, int trans_b, int M, int N, int K,
           float alpha, const float *A, int lda, const float *B, int ldb,
           float beta, float *C, int ldc)
{
  int nthreads = 1;

#ifdef _OPENMP
  if (!omp_in_parallel ())
    nthreads = omp_get_max_threads ();
#endif
  /* small products are not worth waking the other threads for */
  if (nthreads <= 1 || 2.0 * M * N * (double) K < 4e6)
    {
      cblas_sgemm (CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
                   M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
      return;
    }
  int split_rows = M >= N;
  int dim = split_rows ? M : N;
  /* two slices per thread, handed out as threads come free: on a machine shared with other work, a
   * thread that lost its core for a while does not hold the other one up at the end */
  int parts = dim >= 2 * nthreads * 64 ? 2 * nthreads : nthreads;
  int chunk = (dim + parts - 1) / parts;
  chunk = (chunk + 15) / 16 * 16;   /* keep slices on whole micro-kernel tiles */
#pragma omp parallel for num_threads(nthreads) schedule(dynamic, 1)
  for (int part = 0; part < parts; part++)
    {
      int start = part * chunk, len = MIN (chunk, dim - start);
      if (len <= 0)
        continue;
      if (split_rows)   /* rows start..start+len of op(A) and of C */
        cblas_sgemm (CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
                     len, N, K, alpha, trans_a ? A + start : A + (size_t) start * lda, lda, B, ldb,
                     beta, C + (size_t) start * ldc, ldc);
      else              /* columns start..start+len of op(B) and of C */
        cblas_sgemm (CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
                     M, len, K, alpha, A, lda, trans_b ? B + (size_t) start * ldb : B + start, ldb,
                     beta, C + start, ldc);
    }
}

void
ftc_cpu_gemm (FtcBackend *be, int trans_a, int trans_b, int M, int N, int K,
              float alpha, const float *A, int lda, const float *B, int ldb,
              float beta, float *C, int ldc)
{
  if (((FtcCpuBackend *) be)->naive_gemm)
    gemm_naive (trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  else
    gemm_blas (trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

static FtcStatus
cpu_gemm (FtcBackend *be, int trans_a, int trans_b, int M, int N, int K,
          float alpha, FtcView A, int lda, FtcView B, int ldb, float beta, FtcView C, int ldc)
{
  ftc_cpu_gemm (be, trans_a, trans_b, M, N, K, alpha, ftc_cpu_ptr (A), lda, ftc_cpu_ptr (B), ldb,
                beta, ftc_cpu_ptr (C), ldc);
  return FTC_OK;
}

static FtcStatus
cpu_gemm_strided_batched (FtcBackend *be, int trans_a, int trans_b, int M, int N, int K,
                          float alpha, FtcView A, int lda, size_t stride_a,
                          FtcView B, int ldb, size_t stride_b,
                          float beta, FtcView C, int ldc, size_t stride_c, int batch)
{
  const float *a = ftc_cpu_ptr (A), *b = ftc_cpu_ptr (B);
  float *c = ftc_cpu_ptr (C);

  /* one matrix per thread: each product is small */
#pragma omp parallel for if (FTC_CPU_PARALLEL_MACS ((size_t) M * N * K * batch))
  for (int i = 0; i < batch; i++)
    ftc_cpu_gemm (be, trans_a, trans_b, M, N, K, alpha, a + i * stride_a, lda, b + i * stride_b, ldb,
                  beta, c + i * stride_c, ldc);
  return FTC_OK;
}

/* ---- buffers ---- */

static FtcStatus
cpu_buf_new (FtcBackend *be, size_t n_elems, FtcBuf **out)
{
  FtcCpuBuf *buf = calloc (1, sizeof *buf);

  /* calloc: zero pages come lazily from the OS, so untouched padding costs no memory */
  if (buf != NULL)
    buf->data = calloc (n_elems, sizeof (float));
  if (buf == NULL || buf->data == NULL)
    {
      free (buf);
      return ftc_backend_fail (be, FTC_ERR_HOST_MEMORY, "out of host memory: asked %.1f MiB",
                               (double) n_elems * 4.0 / (1024.0 * 1024.0));
    }
  buf->parent.be = be;
  buf->parent.n_elems = n_elems;
  *out = &buf->parent;
  return FTC_OK;
}

static void
cpu_buf_free (FtcBuf *buf)
{
  free (((FtcCpuBuf *) buf)->data);
  free (buf);
}

static FtcStatus
cpu_buf_write (FtcView dst, const void *src, size_t n_elems)
{
  memcpy (ftc_cpu_ptr (dst), src, n_elems * sizeof (float));
  return FTC_OK;
}

static FtcStatus
cpu_buf_read (FtcView src, void *dst, size_t n_elems)
{
  memcpy (dst, ftc_cpu_ptr (src), n_elems * sizeof (float));
  return FTC_OK;
}

static FtcStatus
cpu_buf_fill (FtcView dst, float value, size_t n_elems)
{
  float *p = ftc_cpu_ptr (dst);

  if (value == 0.0f && n_elems < ((size_t) 1 << 18))
    {
      memset (p, 0, n_elems * sizeof (float));
      return FTC_OK;
    }
  /* large fills (gradient buffers, backward scratch) on every thread */
#pragma omp parallel for simd schedule(static)
  for (size_t i = 0; i < n_elems; i++)
    p[i] = value;
  return FTC_OK;
}

static FtcStatus
cpu_buf_copy (FtcView dst, FtcView src, size_t n_elems)
{
  memmove (ftc_cpu_ptr (dst), ftc_cpu_ptr (src), n_elems * sizeof (float));
  return FTC_OK;
}

/* ---- the backend ---- */

static void
cpu_free_backend (FtcBackend *be)
{
  free (be);
}

static FtcStatus
cpu_finish (FtcBackend *be)
{
  return FTC_OK;
}

static const FtcBackendClass cpu_class = {
  .name = "cpu",
  .free_backend = cpu_free_backend,
  .finish = cpu_finish,
  .buf_new = cpu_buf_new,
  .buf_free = cpu_buf_free,
  .buf_write = cpu_buf_write,
  .buf_read = cpu_buf_read,
  .buf_fill = cpu_buf_fill,
  .buf_copy = cpu_buf_copy,
  .gemm = cpu_gemm,
  .gemm_strided_batched = cpu_gemm_strided_batched,
  .encoder_forward = ftc_cpu_encoder_forward,
  .encoder_backward = ftc_cpu_encoder_backward,
  .layernorm_forward = ftc_cpu_layernorm_forward,
  .layernorm_backward = ftc_cpu_layernorm_backward,
  .matmul_forward = ftc_cpu_matmul_forward,
  .matmul_backward = ftc_cpu_matmul_backward,
  .attention_forward = ftc_cpu_attention_forward,
  .attention_backward = ftc_cpu_attention_backward,
  .attention_backward_set = ftc_cpu_attention_backward_set,
  .gelu_forward = ftc_cpu_gelu_forward,
  .gelu_backward = ftc_cpu_gelu_backward,
  .gelu_backward_set = ftc_cpu_gelu_backward_set,
  .residual_forward = ftc_cpu_residual_forward,
  .accumulate = ftc_cpu_accumulate,
  .crossentropy_forward = ftc_cpu_crossentropy_forward,
  .norm_squared = ftc_cpu_norm_squared,
  .scale = ftc_cpu_scale,
  .adamw_update = ftc_cpu_adamw_update,
  /* KV-cache generation */
  .encoder_forward_pos = ftc_cpu_encoder_forward_pos,
  .attention_forward_cached = ftc_cpu_attention_forward_cached,
  /* LLaMA-family layers */
  .embedding_forward = ftc_cpu_embedding_forward,
  .embedding_backward = ftc_cpu_embedding_backward,
  .rmsnorm_forward = ftc_cpu_rmsnorm_forward,
  .rmsnorm_backward = ftc_cpu_rmsnorm_backward,
  .qkv_permute_forward = ftc_cpu_qkv_permute_forward,
  .qkv_permute_backward_set = ftc_cpu_qkv_permute_backward_set,
  .rope = ftc_cpu_rope,
  .gqa_attention_forward = ftc_cpu_gqa_attention_forward,
  .gqa_attention_backward_set = ftc_cpu_gqa_attention_backward_set,
  .swiglu_forward = ftc_cpu_swiglu_forward,
  .swiglu_backward_set = ftc_cpu_swiglu_backward_set,
  .gqa_attention_forward_cached = ftc_cpu_gqa_attention_forward_cached,
};

FtcStatus
ftc_cpu_backend_new (int naive_gemm, FtcBackend **out, char *err, size_t err_len)
{
  FtcCpuBackend *cpu = calloc (1, sizeof *cpu);

  *out = NULL;
  if (cpu == NULL)
    {
      if (err != NULL && err_len > 0)
        snprintf (err, err_len, "out of host memory");
      return FTC_ERR_HOST_MEMORY;
    }
  cpu->parent.klass = &cpu_class;
  cpu->naive_gemm = naive_gemm != 0;
  /* ftc_cpu_gemm threads the products itself (see gemm_blas) */
  openblas_set_num_threads (1);
  ftc_cpu_device_info (&cpu->parent.device);
  if (cpu->naive_gemm)
    {
      snprintf (cpu->parent.device.spec, sizeof cpu->parent.device.spec, "cpu:naive");
      snprintf (cpu->parent.device.platform, sizeof cpu->parent.device.platform, "naive GEMM + OpenMP");
    }
  *out = &cpu->parent;
  return FTC_OK;
}
