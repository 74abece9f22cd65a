/* ftc-backend.h: the one interface behind which the two compute backends live.
 *
 *   cpu     plain C, matrix products through CBLAS (OpenBLAS), elementwise work threaded with OpenMP;
 *           "cpu:naive" runs every GEMM as a plain triple loop: the reference the tests compare against.
 *   opencl  CLBlast for every matrix product, our kernels (the .cl files in kernels/) for the rest; "opencl:N" is the
 *           N-th OpenCL device over all platforms, in ftc_device_list order.
 *
 * Thread safety: device listing, spec parsing and opening backends may run on any thread, at the same time;
 * one backend and its buffers are used by one thread at a time.
 *
 * Memory model: a backend allocates buffers (FtcBuf) of floats or int32s; tensors are views into a buffer
 * at an element offset, so the model keeps one buffer each for parameters, gradients, AdamW state and
 * activations (CLBlast and CBLAS both take offsets). Every op is enqueued in order on the backend's single
 * queue; only ftc_buf_read waits for results.
 *
 * Op conventions follow llm.c: outputs first, then inputs, then weights, then sizes (B, T, C). Backward
 * ops ACCUMULATE (+=) into their gradient outputs, so callers zero gradients once per step; the *_set
 * variants write instead, for gradients nothing has written yet. All matrices are row-major. Shapes are in
 * the comments. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "compute/ftc-status.h"

typedef struct FtcBackend FtcBackend;
typedef struct FtcBuf FtcBuf;

/* A tensor: a buffer and an element offset into it (elements of 4 bytes: float or int32). */
typedef struct {
  FtcBuf *buf;
  size_t off;
} FtcView;

static inline FtcView ftc_view (FtcBuf *buf, size_t off) { FtcView v = { buf, off }; return v; }
static inline FtcView ftc_view_at (FtcView v, size_t off) { v.off += off; return v; }
#define FTC_VIEW_NULL ((FtcView) { NULL, 0 })

typedef enum { FTC_DEVICE_CPU, FTC_DEVICE_OPENCL } FtcDeviceKind;

typedef struct {
  FtcDeviceKind kind;
  int index;                 /* N in "opencl:N"; 0 for cpu */
  char spec[32];             /* "cpu" or "opencl:N" */
  char name[256];
  char vendor[128];
  char platform[128];
  char driver_version[128];
  int is_gpu;
  int compute_units;
  uint64_t global_mem_bytes; /* device memory (host RAM for cpu) */
  uint64_t max_alloc_bytes;  /* largest single buffer */
} FtcDeviceInfo;

/* Lists cpu first, then every OpenCL device; returns how many were written (at most max). Never fails:
 * an absent OpenCL loader or platform just lists no OpenCL devices. OpenCL drivers may take a moment to
 * load the first time: GUIs call it off their main thread. */
int ftc_device_list (FtcDeviceInfo *out, int max);

/* A device spec, parsed. */
typedef enum {
  FTC_DEVICE_SPEC_AUTO,       /* "auto" (or none): the default device, ftc_device_default_spec */
  FTC_DEVICE_SPEC_CPU,        /* "cpu" */
  FTC_DEVICE_SPEC_CPU_NAIVE,  /* "cpu:naive": the cpu backend with triple-loop GEMMs, the reference */
  FTC_DEVICE_SPEC_OPENCL,     /* "opencl": the first OpenCL GPU, else the first OpenCL device */
  FTC_DEVICE_SPEC_OPENCL_N,   /* "opencl:N": the N-th OpenCL device (index) */
} FtcDeviceSpecKind;

typedef struct {
  FtcDeviceSpecKind kind;
  int index;                  /* N of "opencl:N", 0..1023 */
} FtcDeviceSpec;

/* The one parser of device specs: "auto", "cpu", "cpu:naive", "opencl", "opencl:N"; NULL means "auto".
 * Looks at no device. FTC_ERR_INVALID_ARG with the reason in err otherwise. */
FtcStatus ftc_device_spec_parse (const char *spec, FtcDeviceSpec *out, char *err, size_t err_len);

/* Writes the default device's spec to buf: $FTCOT_DEVICE if set (and not "auto"), else the first OpenCL
 * GPU ("opencl:N"), else "cpu". Lists the OpenCL devices (see ftc_device_list). 32 bytes hold any spec it
 * finds itself. Returns buf. */
const char *ftc_device_default_spec (char *buf, size_t len);

/* spec: as ftc_device_spec_parse; NULL or "auto" open the default device. On failure *out is NULL and err
 * (if not NULL) holds the reason. */
FtcStatus ftc_backend_open (const char *spec, FtcBackend **out, char *err, size_t err_len);

/* Where the engine keeps its files: OpenCL program binaries in program_cache_dir, tuned CLBlast parameters
 * under config_dir/ftcot/clblast/; NULL restores a default ($XDG_CACHE_HOME or $HOME/.cache, then
 * ftcot/cl-cache; $XDG_CONFIG_HOME or $HOME/.config). Process-wide; safe while other threads open
 * backends, which see the old or the new directory. */
void ftc_backend_set_user_dirs (const char *program_cache_dir, const char *config_dir);
void ftc_backend_free (FtcBackend *be);
const FtcDeviceInfo *ftc_backend_device (FtcBackend *be);
const char *ftc_backend_last_error (FtcBackend *be);
FtcStatus ftc_backend_finish (FtcBackend *be);           /* wait for all enqueued work */

/* ---- memory ---- */
FtcStatus ftc_buf_new (FtcBackend *be, size_t n_elems, FtcBuf **out);   /* zero-filled */
void ftc_buf_free (FtcBuf *buf);
size_t ftc_buf_len (const FtcBuf *buf);
FtcStatus ftc_buf_write (FtcView dst, const void *src, size_t n_elems);
FtcStatus ftc_buf_read (FtcView src, void *dst, size_t n_elems);         /* blocks */
FtcStatus ftc_buf_fill (FtcView dst, float value, size_t n_elems);
FtcStatus ftc_buf_copy (FtcView dst, FtcView src, size_t n_elems);

/* ---- matrix products (row-major) ----
 * C (M,N) = alpha * op(A) (M,K) @ op(B) (K,N) + beta * C; lda/ldb/ldc are row strides as stored. */
FtcStatus ftc_gemm (FtcBackend *be, int trans_a, int trans_b, int M, int N, int K,
                    float alpha, FtcView A, int lda, FtcView B, int ldb,
                    float beta, FtcView C, int ldc);
/* batch of independent GEMMs, matrix i at offsets i*stride_{a,b,c} */
FtcStatus ftc_gemm_strided_batched (FtcBackend *be, int trans_a, int trans_b, int M, int N, int K,
                                    float alpha, FtcView A, int lda, size_t stride_a,
                                    FtcView B, int ldb, size_t stride_b,
                                    float beta, FtcView C, int ldc, size_t stride_c, int batch);

/* ---- GPT-2 layers: forward/backward pairs ---- */

/* out (B,T,C) = wte[inp] + wpe[t];  inp (B,T) int32, wte (V,C), wpe (maxT,C) */
FtcStatus ftc_encoder_forward (FtcBackend *be, FtcView out, FtcView inp, FtcView wte, FtcView wpe,
                               int B, int T, int C);
/* dwte (V,C) += scatter of dout (B,T,C) by inp;  dwpe (maxT,C) += sum over B of dout */
FtcStatus ftc_encoder_backward (FtcBackend *be, FtcView dwte, FtcView dwpe, FtcView dout, FtcView inp,
                                int B, int T, int C);

/* out (N,C) = (inp - mean) * rstd * weight + bias;  mean, rstd (N) saved for backward; eps 1e-5 */
FtcStatus ftc_layernorm_forward (FtcBackend *be, FtcView out, FtcView mean, FtcView rstd,
                                 FtcView inp, FtcView weight, FtcView bias, int N, int C);
FtcStatus ftc_layernorm_backward (FtcBackend *be, FtcView dinp, FtcView dweight, FtcView dbias,
                                  FtcView dout, FtcView inp, FtcView weight, FtcView mean, FtcView rstd,
                                  int N, int C);

/* out (N,OC) = inp (N,IC) @ weight (OC,IC)^T + bias (OC); bias may be FTC_VIEW_NULL */
FtcStatus ftc_matmul_forward (FtcBackend *be, FtcView out, FtcView inp, FtcView weight, FtcView bias,
                              int N, int IC, int OC);
/* dinp (N,IC) += dout @ weight;  dweight (OC,IC) += dout^T @ inp;  dbias (OC) += sum_N dout.
 * dinp or dbias may be FTC_VIEW_NULL to skip them. */
FtcStatus ftc_matmul_backward (FtcBackend *be, FtcView dinp, FtcView dweight, FtcView dbias,
                               FtcView dout, FtcView inp, FtcView weight, int N, int IC, int OC);

/* Causal multi-head self-attention, scale 1/sqrt(HS), HS = C/NH.
 * inp (B,T,3C) holds q,k,v; out (B,T,C);
 * scratch: qkvr (3,B,NH,T,HS) the permuted q,k,v, att (B,NH,T,T) the post-softmax weights (kept for backward) */
FtcStatus ftc_attention_forward (FtcBackend *be, FtcView out, FtcView qkvr, FtcView att, FtcView inp,
                                 int B, int T, int C, int NH);
/* dinp (B,T,3C) += ...; dqkvr (3,B,NH,T,HS) and datt (B,NH,T,T) are scratch, scratch (B,T,C) too;
 * qkvr and att as saved by the forward */
FtcStatus ftc_attention_backward (FtcBackend *be, FtcView dinp, FtcView dqkvr, FtcView datt, FtcView scratch,
                                  FtcView dout, FtcView qkvr, FtcView att, int B, int T, int C, int NH);
/* The same with dinp (B,T,3C) WRITTEN (=), not accumulated: for a gradient nothing has written yet, which
 * then needs no zero fill first (the exception to the += rule above). */
FtcStatus ftc_attention_backward_set (FtcBackend *be, FtcView dinp, FtcView dqkvr, FtcView datt, FtcView scratch,
                                      FtcView dout, FtcView qkvr, FtcView att, int B, int T, int C, int NH);

/* GELU, tanh approximation: out (N) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) */
FtcStatus ftc_gelu_forward (FtcBackend *be, FtcView out, FtcView inp, size_t N);
/* dinp (N) += gelu'(inp) * dout */
FtcStatus ftc_gelu_backward (FtcBackend *be, FtcView dinp, FtcView inp, FtcView dout, size_t N);
/* dinp (N) = gelu'(inp) * dout, WRITTEN (no zero fill needed first) */
FtcStatus ftc_gelu_backward_set (FtcBackend *be, FtcView dinp, FtcView inp, FtcView dout, size_t N);

/* out (N) = a + b */
FtcStatus ftc_residual_forward (FtcBackend *be, FtcView out, FtcView a, FtcView b, size_t N);
/* dst (N) += src */
FtcStatus ftc_accumulate (FtcBackend *be, FtcView dst, FtcView src, size_t N);

/* Softmax cross-entropy over the first V of Vp (padded) logits per row.
 * logits (N,Vp), targets (N) int32, weights (N) float: the per-token loss weight (0 masks a token out;
 * the caller folds the 1/count normalisation in). losses (N) = -log softmax(logits)[target] (unweighted).
 * If write_grad: logits is overwritten in place by dlogits = weight * (softmax - onehot(target)), with the
 * padded columns V..Vp set to 0. */
FtcStatus ftc_crossentropy_forward (FtcBackend *be, FtcView losses, FtcView logits, FtcView targets,
                                    FtcView weights, int N, int V, int Vp, int write_grad);

/* ---- optimizer ---- */

/* out[0] = sum of squares of x (N); out must hold 1 float (reads back with ftc_buf_read) */
FtcStatus ftc_norm_squared (FtcBackend *be, FtcView out, FtcView x, size_t N);
/* x (N) *= s */
FtcStatus ftc_scale (FtcBackend *be, FtcView x, float s, size_t N);

/* One AdamW step on N parameters (PyTorch semantics: decoupled weight decay p -= lr*wd*p, bias-corrected
 * moments with t = step >= 1). grads are multiplied by grad_scale first (gradient clipping). */
FtcStatus ftc_adamw_update (FtcBackend *be, FtcView params, FtcView grads, FtcView m, FtcView v, size_t N,
                            float lr, float beta1, float beta2, float eps, float weight_decay,
                            float grad_scale, int step);

/* ---- KV-cache generation (added for core/students/ftc-generate.c) ----
 * A batch of B rows, each with T new tokens starting at its own position pos[b] (the caller guarantees
 * pos[b] + T <= Tc, and pos[b] + T <= maxT for the encoder). */

/* out (B,T,C) = wte[inp] + wpe[pos[b] + t];  inp (B,T) int32, pos (B) int32, wte (V,C), wpe (maxT,C) */
FtcStatus ftc_encoder_forward_pos (FtcBackend *be, FtcView out, FtcView inp, FtcView pos, FtcView wte,
                                   FtcView wpe, int B, int T, int C);
/* Causal attention of T new tokens per row over a cache of Tc positions, scale 1/sqrt(HS), HS = C/NH.
 * qkv (B,T,3C) holds the new tokens' q,k,v; their k and v are first written into kcache and vcache
 * (B,NH,Tc,HS) at positions pos[b] + t, then token t of row b attends to cache positions 0..pos[b]+t.
 * out (B,T,C); att (B,NH,T,Tc) is scratch. Positions past pos[b]+t are never read, so a row's padding may
 * leave junk there that a later call overwrites. */
FtcStatus ftc_attention_forward_cached (FtcBackend *be, FtcView out, FtcView kcache, FtcView vcache, FtcView att,
                                        FtcView qkv, FtcView pos, int B, int T, int C, int NH, int Tc);

/* ---- LLaMA-family layers (Llama, Qwen2, Qwen3: compute/models/ftc-llama.h) ----
 * Attention works on q, k and v with their heads ahead of the positions, in one buffer of three planes
 * ("qkvr"): q (B,NH,T,D), then k (B,NKV,T,D), then v (B,NKV,T,D); D is the head size. Query head h reads
 * key/value head h / (NH/NKV) (grouped-query attention; NKV = NH is plain multi-head attention). */

/* out (N,C) = wte[inp];  inp (N) int32, wte (V,C) */
FtcStatus ftc_embedding_forward (FtcBackend *be, FtcView out, FtcView inp, FtcView wte, int N, int C);
/* dwte (V,C) += scatter of dout (N,C) by inp */
FtcStatus ftc_embedding_backward (FtcBackend *be, FtcView dwte, FtcView dout, FtcView inp, int N, int C);

/* RMSNorm: out (N,C) = inp * rstd * weight, rstd (N) = 1 / sqrt(mean(inp^2) + eps) saved for backward */
FtcStatus ftc_rmsnorm_forward (FtcBackend *be, FtcView out, FtcView rstd, FtcView inp, FtcView weight,
                               int N, int C, float eps);
/* dinp (N,C) += (weight*dout - norm * mean(weight*dout*norm)) * rstd, norm = inp * rstd;
 * dweight (C) += sum over N of dout * norm */
FtcStatus ftc_rmsnorm_backward (FtcBackend *be, FtcView dinp, FtcView dweight, FtcView dout, FtcView inp,
                                FtcView weight, FtcView rstd, int N, int C);
/* The same with dinp WRITTEN (=); dweight still accumulates */
FtcStatus ftc_rmsnorm_backward_set (FtcBackend *be, FtcView dinp, FtcView dweight, FtcView dout, FtcView inp,
                                    FtcView weight, FtcView rstd, int N, int C);

/* qkvr (planes as above) = qkv (B,T,(NH+2NKV)*D) split into heads: per token q (NH,D), k (NKV,D), v (NKV,D) */
FtcStatus ftc_qkv_permute_forward (FtcBackend *be, FtcView qkvr, FtcView qkv, int B, int T, int NH, int NKV,
                                   int D);
/* dqkv (B,T,(NH+2NKV)*D) = dqkvr put back in token order, WRITTEN (=) */
FtcStatus ftc_qkv_permute_backward_set (FtcBackend *be, FtcView dqkv, FtcView dqkvr, int B, int T, int NH,
                                        int NKV, int D);

/* Rotary position embedding, rotate-half layout, on x (B,H,T,D) (D even): at position p = t, or
 * pos[b] + t when pos (B) int32 is given, for i < D/2 with c = table[p,i], s = table[p,D/2+i]:
 *   out[i] = x[i] c - x[i+D/2] s,   out[i+D/2] = x[i+D/2] c + x[i] s
 * table (P,D) holds cos then sin of p * inv_freq (the model computes inv_freq: rope_theta, rope_scaling).
 * A rotation is linear: backward is the rotation by -angle. Both ops WRITE and may run in place
 * (out == inp, dinp == dout); a position outside the table is FTC_ERR_INVALID_ARG (cpu) or leaves the
 * row untouched (opencl, which cannot read pos on the host). */
FtcStatus ftc_rope_forward (FtcBackend *be, FtcView out, FtcView inp, FtcView table, FtcView pos,
                            int B, int H, int T, int D, int P);
FtcStatus ftc_rope_backward (FtcBackend *be, FtcView dinp, FtcView dout, FtcView table, FtcView pos,
                             int B, int H, int T, int D, int P);

/* Causal grouped-query attention, scale 1/sqrt(D), on qkvr (after RoPE); out (B,T,NH*D);
 * att (B,NH,T,T) the post-softmax weights, kept for backward; scratch (B,NH,T,D) */
FtcStatus ftc_gqa_attention_forward (FtcBackend *be, FtcView out, FtcView att, FtcView scratch, FtcView qkvr,
                                     int B, int T, int NH, int NKV, int D);
/* dqkvr (three planes) WRITTEN (=) from dout (B,T,NH*D); datt (B,NH,T,T) and scratch (B,NH,T,D) */
FtcStatus ftc_gqa_attention_backward_set (FtcBackend *be, FtcView dqkvr, FtcView datt, FtcView scratch,
                                          FtcView dout, FtcView qkvr, FtcView att, int B, int T, int NH, int NKV,
                                          int D);

/* SwiGLU: out (N,F) = silu(inp[:, :F]) * inp[:, F:];  inp (N,2F) holds gate then up, silu(x) = x/(1+e^-x) */
FtcStatus ftc_swiglu_forward (FtcBackend *be, FtcView out, FtcView inp, int N, int F);
/* dinp (N,2F) WRITTEN (=): dgate = dout * up * silu'(gate), dup = dout * silu(gate) */
FtcStatus ftc_swiglu_backward_set (FtcBackend *be, FtcView dinp, FtcView inp, FtcView dout, int N, int F);

/* KV-cache decoding: T new tokens per row b at positions pos[b] + t. qkvr holds the new tokens as
 * ftc_qkv_permute_forward lays them out (after RoPE at those positions); their k and v are first written
 * into kcache and vcache (B,NKV,Tc,D), then token t of row b attends to cache positions 0..pos[b]+t.
 * out (B,T,NH*D); att (B,NH,T,Tc) is scratch. The caller guarantees pos[b] + T <= Tc. */
FtcStatus ftc_gqa_attention_forward_cached (FtcBackend *be, FtcView out, FtcView kcache, FtcView vcache,
                                            FtcView att, FtcView qkvr, FtcView pos, int B, int T, int NH,
                                            int NKV, int D, int Tc);
