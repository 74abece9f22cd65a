/* ftc-backend-private.h: what a backend implements. ftc-backend.c checks arguments once and dispatches
 * through this table; compute/backends/cpu/ and compute/backends/opencl/ each fill one. Signatures mirror ftc-backend.h. */
#pragma once

#include "compute/ftc-backend.h"

typedef struct {
  const char *name;
  void (*free_backend) (FtcBackend *be);
  FtcStatus (*finish) (FtcBackend *be);

  FtcStatus (*buf_new) (FtcBackend *be, size_t n_elems, FtcBuf **out);
  void (*buf_free) (FtcBuf *buf);
  FtcStatus (*buf_write) (FtcView dst, const void *src, size_t n_elems);
  FtcStatus (*buf_read) (FtcView src, void *dst, size_t n_elems);
  FtcStatus (*buf_fill) (FtcView dst, float value, size_t n_elems);
  FtcStatus (*buf_copy) (FtcView dst, FtcView src, size_t n_elems);

  FtcStatus (*gemm) (FtcBackend *be, int trans_a, int trans_b, int M, int N, int K,
                     float alpha, FtcView A, int lda, FtcView B, int ldb, float beta, FtcView C, int ldc);
  FtcStatus (*gemm_strided_batched) (FtcBackend *be, int trans_a, int trans_b, int M, int N, int K,
                                     float alpha, FtcView A, int lda, size_t stride_a,
                                     FtcView B, int ldb, size_t stride_b,
                                     float beta, FtcView C, int ldc, size_t stride_c, int batch);

  FtcStatus (*encoder_forward) (FtcBackend *be, FtcView out, FtcView inp, FtcView wte, FtcView wpe,
                                int B, int T, int C);
  FtcStatus (*encoder_backward) (FtcBackend *be, FtcView dwte, FtcView dwpe, FtcView dout, FtcView inp,
                                 int B, int T, int C);
  FtcStatus (*layernorm_forward) (FtcBackend *be, FtcView out, FtcView mean, FtcView rstd,
                                  FtcView inp, FtcView weight, FtcView bias, int N, int C);
  FtcStatus (*layernorm_backward) (FtcBackend *be, FtcView dinp, FtcView dweight, FtcView dbias,
                                   FtcView dout, FtcView inp, FtcView weight, FtcView mean, FtcView rstd,
                                   int N, int C);
  FtcStatus (*matmul_forward) (FtcBackend *be, FtcView out, FtcView inp, FtcView weight, FtcView bias,
                               int N, int IC, int OC);
  FtcStatus (*matmul_backward) (FtcBackend *be, FtcView dinp, FtcView dweight, FtcView dbias,
                                FtcView dout, FtcView inp, FtcView weight, int N, int IC, int OC);
  FtcStatus (*attention_forward) (FtcBackend *be, FtcView out, FtcView qkvr, FtcView att, FtcView inp,
                                  int B, int T, int C, int NH);
  FtcStatus (*attention_backward) (FtcBackend *be, FtcView dinp, FtcView dqkvr, FtcView datt, FtcView scratch,
                                   FtcView dout, FtcView qkvr, FtcView att, int B, int T, int C, int NH);
  FtcStatus (*attention_backward_set) (FtcBackend *be, FtcView dinp, FtcView dqkvr, FtcView datt, FtcView scratch,
                                       FtcView dout, FtcView qkvr, FtcView att, int B, int T, int C, int NH);
  FtcStatus (*gelu_forward) (FtcBackend *be, FtcView out, FtcView inp, size_t N);
  FtcStatus (*gelu_backward) (FtcBackend *be, FtcView dinp, FtcView inp, FtcView dout, size_t N);
  FtcStatus (*gelu_backward_set) (FtcBackend *be, FtcView dinp, FtcView inp, FtcView dout, size_t N);
  FtcStatus (*residual_forward) (FtcBackend *be, FtcView out, FtcView a, FtcView b, size_t N);
  FtcStatus (*accumulate) (FtcBackend *be, FtcView dst, FtcView src, size_t N);
  FtcStatus (*crossentropy_forward) (FtcBackend *be, FtcView losses, FtcView logits, FtcView targets,
                                     FtcView weights, int N, int V, int Vp, int write_grad);
  FtcStatus (*norm_squared) (FtcBackend *be, FtcView out, FtcView x, size_t N);
  FtcStatus (*scale) (FtcBackend *be, FtcView x, float s, size_t N);
  FtcStatus (*adamw_update) (FtcBackend *be, FtcView params, FtcView grads, FtcView m, FtcView v, size_t N,
                             float lr, float beta1, float beta2, float eps, float weight_decay,
                             float grad_scale, int step);

  /* KV-cache generation (NULL: FTC_ERR_UNSUPPORTED) */
  FtcStatus (*encoder_forward_pos) (FtcBackend *be, FtcView out, FtcView inp, FtcView pos, FtcView wte,
                                    FtcView wpe, int B, int T, int C);
  FtcStatus (*attention_forward_cached) (FtcBackend *be, FtcView out, FtcView kcache, FtcView vcache,
                                         FtcView att, FtcView qkv, FtcView pos, int B, int T, int C, int NH,
                                         int Tc);

  /* LLaMA-family layers (NULL: FTC_ERR_UNSUPPORTED) */
  FtcStatus (*embedding_forward) (FtcBackend *be, FtcView out, FtcView inp, FtcView wte, int N, int C);
  FtcStatus (*embedding_backward) (FtcBackend *be, FtcView dwte, FtcView dout, FtcView inp, int N, int C);
  FtcStatus (*rmsnorm_forward) (FtcBackend *be, FtcView out, FtcView rstd, FtcView inp, FtcView weight,
                                int N, int C, float eps);
  /* accumulate: += into dinp, else = */
  FtcStatus (*rmsnorm_backward) (FtcBackend *be, FtcView dinp, FtcView dweight, FtcView dout, FtcView inp,
                                 FtcView weight, FtcView rstd, int N, int C, int accumulate);
  FtcStatus (*qkv_permute_forward) (FtcBackend *be, FtcView qkvr, FtcView qkv, int B, int T, int NH, int NKV,
                                    int D);
  FtcStatus (*qkv_permute_backward_set) (FtcBackend *be, FtcView dqkv, FtcView dqkvr, int B, int T, int NH,
                                         int NKV, int D);
  /* inverse: rotate by -angle (the backward) */
  FtcStatus (*rope) (FtcBackend *be, FtcView out, FtcView inp, FtcView table, FtcView pos,
                     int B, int H, int T, int D, int P, int inverse);
  FtcStatus (*gqa_attention_forward) (FtcBackend *be, FtcView out, FtcView att, FtcView scratch, FtcView qkvr,
                                      int B, int T, int NH, int NKV, int D);
  FtcStatus (*gqa_attention_backward_set) (FtcBackend *be, FtcView dqkvr, FtcView datt, FtcView scratch, FtcView dout,
                                           FtcView qkvr, FtcView att, int B, int T, int NH, int NKV, int D);
  FtcStatus (*swiglu_forward) (FtcBackend *be, FtcView out, FtcView inp, int N, int F);
  FtcStatus (*swiglu_backward_set) (FtcBackend *be, FtcView dinp, FtcView inp, FtcView dout, int N, int F);
  FtcStatus (*gqa_attention_forward_cached) (FtcBackend *be, FtcView out, FtcView kcache, FtcView vcache,
                                             FtcView att, FtcView qkvr, FtcView pos, int B, int T, int NH,
                                             int NKV, int D, int Tc);
} FtcBackendClass;

/* Every backend struct starts with this header. */
struct FtcBackend {
  const FtcBackendClass *klass;
  FtcDeviceInfo device;
  char last_error[4096];
};

/* Every buffer struct starts with this header. */
struct FtcBuf {
  FtcBackend *be;
  size_t n_elems;
};

/* printf-style: sets be->last_error and returns status. */
FtcStatus ftc_backend_fail (FtcBackend *be, FtcStatus status, const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));

/* Constructors, called by ftc_backend_open. */
FtcStatus ftc_cpu_backend_new (int naive_gemm, FtcBackend **out, char *err, size_t err_len);
FtcStatus ftc_opencl_backend_new (int device_index, FtcBackend **out, char *err, size_t err_len);
int ftc_opencl_device_list (FtcDeviceInfo *out, int max);
