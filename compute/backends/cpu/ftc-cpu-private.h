/* ftc-cpu-private.h: what the files of the cpu backend share. Buffers are plain host arrays; a view is a
 * pointer into one. Every matrix product goes through ftc_cpu_gemm, which calls cblas_sgemm or, on
 * "cpu:naive", a plain triple loop (the reference the tests compare against). */
#pragma once

#include "compute/ftc-backend-private.h"

/* Work below which a loop runs on one thread: waking the others costs more than it saves for a tiny
 * model, and far more when the machine is busy (a tiny model trained 10x slower on two threads than on
 * one under load). Elements for elementwise loops, multiply-adds for products. A fixed threshold keeps
 * the split, and so every sum, the same from run to run. */
#define FTC_CPU_PARALLEL(elements) ((size_t) (elements) >= ((size_t) 1 << 16))
#define FTC_CPU_PARALLEL_MACS(macs) ((size_t) (macs) >= ((size_t) 1 << 21))

typedef struct {
  FtcBackend parent;
  int naive_gemm;
} FtcCpuBackend;

typedef struct {
  FtcBuf parent;
  float *data;     /* n_elems floats or int32s */
} FtcCpuBuf;

static inline float *
ftc_cpu_ptr (FtcView v)
{
  return ((FtcCpuBuf *) v.buf)->data + v.off;
}

static inline int32_t *
ftc_cpu_iptr (FtcView v)
{
  return (int32_t *) (((FtcCpuBuf *) v.buf)->data + v.off);
}

/* Fills info for the host CPU: "CPU (N threads)", host RAM. */
void ftc_cpu_device_info (FtcDeviceInfo *info);

/* C (M,N) = alpha * op(A) (M,K) @ op(B) (K,N) + beta * C, row-major, ld* the stored row strides */
void ftc_cpu_gemm (FtcBackend *be, int trans_a, int trans_b, int M, int N, int K,
                   float alpha, const float *A, int lda, const float *B, int ldb,
                   float beta, float *C, int ldc);

/* layers (ftc-cpu-layers.c) */
FtcStatus ftc_cpu_encoder_forward (FtcBackend *be, FtcView out, FtcView inp, FtcView wte, FtcView wpe,
                                   int B, int T, int C);
FtcStatus ftc_cpu_encoder_backward (FtcBackend *be, FtcView dwte, FtcView dwpe, FtcView dout, FtcView inp,
                                    int B, int T, int C);
FtcStatus ftc_cpu_layernorm_forward (FtcBackend *be, FtcView out, FtcView mean, FtcView rstd,
                                     FtcView inp, FtcView weight, FtcView bias, int N, int C);
FtcStatus ftc_cpu_layernorm_backward (FtcBackend *be, FtcView dinp, FtcView dweight, FtcView dbias,
                                      FtcView dout, FtcView inp, FtcView weight, FtcView mean, FtcView rstd,
                                      int N, int C);
FtcStatus ftc_cpu_matmul_forward (FtcBackend *be, FtcView out, FtcView inp, FtcView weight, FtcView bias,
                                  int N, int IC, int OC);
FtcStatus ftc_cpu_matmul_backward (FtcBackend *be, FtcView dinp, FtcView dweight, FtcView dbias,
                                   FtcView dout, FtcView inp, FtcView weight, int N, int IC, int OC);
FtcStatus ftc_cpu_gelu_forward (FtcBackend *be, FtcView out, FtcView inp, size_t N);
FtcStatus ftc_cpu_gelu_backward (FtcBackend *be, FtcView dinp, FtcView inp, FtcView dout, size_t N);
FtcStatus ftc_cpu_gelu_backward_set (FtcBackend *be, FtcView dinp, FtcView inp, FtcView dout, size_t N);
FtcStatus ftc_cpu_residual_forward (FtcBackend *be, FtcView out, FtcView a, FtcView b, size_t N);
FtcStatus ftc_cpu_accumulate (FtcBackend *be, FtcView dst, FtcView src, size_t N);
FtcStatus ftc_cpu_crossentropy_forward (FtcBackend *be, FtcView losses, FtcView logits, FtcView targets,
                                        FtcView weights, int N, int V, int Vp, int write_grad);

/* attention (ftc-cpu-attention.c) */
FtcStatus ftc_cpu_attention_forward (FtcBackend *be, FtcView out, FtcView qkvr, FtcView att, FtcView inp,
                                     int B, int T, int C, int NH);
FtcStatus ftc_cpu_attention_backward (FtcBackend *be, FtcView dinp, FtcView dqkvr, FtcView datt,
                                      FtcView scratch, FtcView dout, FtcView qkvr, FtcView att,
                                      int B, int T, int C, int NH);
FtcStatus ftc_cpu_attention_backward_set (FtcBackend *be, FtcView dinp, FtcView dqkvr, FtcView datt,
                                          FtcView scratch, FtcView dout, FtcView qkvr, FtcView att,
                                          int B, int T, int C, int NH);

/* optimizer (ftc-cpu-adamw.c) */
FtcStatus ftc_cpu_norm_squared (FtcBackend *be, FtcView out, FtcView x, size_t N);
FtcStatus ftc_cpu_scale (FtcBackend *be, FtcView x, float s, size_t N);
FtcStatus ftc_cpu_adamw_update (FtcBackend *be, FtcView params, FtcView grads, FtcView m, FtcView v,
                                size_t N, float lr, float beta1, float beta2, float eps,
                                float weight_decay, float grad_scale, int step);

/* KV-cache generation (ftc-cpu-decode.c) */
FtcStatus ftc_cpu_encoder_forward_pos (FtcBackend *be, FtcView out, FtcView inp, FtcView pos, FtcView wte,
                                       FtcView wpe, int B, int T, int C);
FtcStatus ftc_cpu_attention_forward_cached (FtcBackend *be, FtcView out, FtcView kcache, FtcView vcache,
                                            FtcView att, FtcView qkv, FtcView pos, int B, int T, int C, int NH,
                                            int Tc);

/* LLaMA-family layers (ftc-cpu-llama.c) */
FtcStatus ftc_cpu_embedding_forward (FtcBackend *be, FtcView out, FtcView inp, FtcView wte, int N, int C);
FtcStatus ftc_cpu_embedding_backward (FtcBackend *be, FtcView dwte, FtcView dout, FtcView inp, int N, int C);
FtcStatus ftc_cpu_rmsnorm_forward (FtcBackend *be, FtcView out, FtcView rstd, FtcView inp, FtcView weight,
                                   int N, int C, float eps);
FtcStatus ftc_cpu_rmsnorm_backward (FtcBackend *be, FtcView dinp, FtcView dweight, FtcView dout, FtcView inp,
                                    FtcView weight, FtcView rstd, int N, int C, int accumulate);
FtcStatus ftc_cpu_qkv_permute_forward (FtcBackend *be, FtcView qkvr, FtcView qkv, int B, int T, int NH, int NKV,
                                       int D);
FtcStatus ftc_cpu_qkv_permute_backward_set (FtcBackend *be, FtcView dqkv, FtcView dqkvr, int B, int T, int NH,
                                            int NKV, int D);
FtcStatus ftc_cpu_rope (FtcBackend *be, FtcView out, FtcView inp, FtcView table, FtcView pos,
                        int B, int H, int T, int D, int P, int inverse);
FtcStatus ftc_cpu_gqa_attention_forward (FtcBackend *be, FtcView out, FtcView att, FtcView scratch, FtcView qkvr,
                                         int B, int T, int NH, int NKV, int D);
FtcStatus ftc_cpu_gqa_attention_backward_set (FtcBackend *be, FtcView dqkvr, FtcView datt, FtcView scratch, FtcView dout,
                                              FtcView qkvr, FtcView att, int B, int T, int NH, int NKV, int D);
FtcStatus ftc_cpu_swiglu_forward (FtcBackend *be, FtcView out, FtcView inp, int N, int F);
FtcStatus ftc_cpu_swiglu_backward_set (FtcBackend *be, FtcView dinp, FtcView inp, FtcView dout, int N, int F);
FtcStatus ftc_cpu_gqa_attention_forward_cached (FtcBackend *be, FtcView out, FtcView kcache, FtcView vcache,
                                                FtcView att, FtcView qkvr, FtcView pos, int B, int T, int NH,
                                                int NKV, int D, int Tc);
