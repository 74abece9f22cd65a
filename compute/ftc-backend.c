/* ftc-backend.c: opens a backend from a device spec, checks every op's arguments once (NULL buffers,
 * views past the end of their buffer, sizes that are zero or negative) and dispatches through the
 * backend's FtcBackendClass. Backends may then assume well-formed arguments. */
#include "compute/ftc-backend-private.h"
#include "compute/backends/cpu/ftc-cpu-private.h"
#include "compute/backends/opencl/ftc-cl-gemm.h"
#include "compute/backends/opencl/ftc-cl-runtime.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

FtcStatus
ftc_backend_fail (FtcBackend *be, FtcStatus status, const char *fmt, ...)
{
  va_list args;

  if (be == NULL)
    return status;
  va_start (args, fmt);
  vsnprintf (be->last_error, sizeof be->last_error, fmt, args);
  va_end (args);
  return status;
}

/* ---- devices ---- */

int
ftc_device_list (FtcDeviceInfo *out, int max)
{
  int n = 0;

  if (out == NULL || max <= 0)
    return 0;
  ftc_cpu_device_info (&out[n++]);
  if (n < max)
    n += ftc_opencl_device_list (out + n, max - n);
  return n;
}

/* The N of the first OpenCL GPU, or -1. */
static int
first_opencl_gpu (void)
{
  FtcDeviceInfo devices[64];
  int n = ftc_opencl_device_list (devices, 64);

  for (int i = 0; i < n; i++)
    if (devices[i].is_gpu)
      return devices[i].index;
  return -1;
}

const char *
ftc_device_default_spec (char *buf, size_t len)
{
  const char *env = getenv ("FTCOT_DEVICE");
  int gpu;

  if (buf == NULL || len == 0)
    return buf;
  if (env != NULL && env[0] != '\0' && strcmp (env, "auto") != 0)
    {
      snprintf (buf, len, "%s", env);
      return buf;
    }
  gpu = first_opencl_gpu ();
  if (gpu >= 0)
    snprintf (buf, len, "opencl:%d", gpu);
  else
    snprintf (buf, len, "cpu");
  return buf;
}

void
ftc_backend_set_user_dirs (const char *program_cache_dir, const char *config_dir)
{
  ftc_cl_set_cache_dir (program_cache_dir);
  ftc_cl_set_config_dir (config_dir);
}

static FtcStatus
open_fail (char *err, size_t err_len, FtcStatus status, const char *fmt, ...)
  __attribute__ ((format (printf, 4, 5)));

static FtcStatus
open_fail (char *err, size_t err_len, FtcStatus status, const char *fmt, ...)
{
  va_list args;

  if (err != NULL && err_len > 0)
    {
      va_start (args, fmt);
      vsnprintf (err, err_len, fmt, args);
      va_end (args);
    }
  return status;
}

FtcStatus
ftc_device_spec_parse (const char *spec, FtcDeviceSpec *out, char *err, size_t err_len)
{
  FtcDeviceSpec parsed = { FTC_DEVICE_SPEC_AUTO, 0 };

  if (out == NULL)
    return open_fail (err, err_len, FTC_ERR_INVALID_ARG, "no place to store the device spec");
  if (spec == NULL || strcmp (spec, "auto") == 0)
    parsed.kind = FTC_DEVICE_SPEC_AUTO;
  else if (strcmp (spec, "cpu") == 0)
    parsed.kind = FTC_DEVICE_SPEC_CPU;
  else if (strcmp (spec, "cpu:naive") == 0)
    parsed.kind = FTC_DEVICE_SPEC_CPU_NAIVE;
  else if (strcmp (spec, "opencl") == 0)
    parsed.kind = FTC_DEVICE_SPEC_OPENCL;
  else if (strncmp (spec, "opencl:", 7) == 0)
    {
      const char *p = spec + 7;
      long index = 0;

      /* digits only: no sign, no spaces, no "0x"; at most four of them */
      if (*p == '\0' || strlen (p) > 4 || strspn (p, "0123456789") != strlen (p))
        return open_fail (err, err_len, FTC_ERR_INVALID_ARG,
                          "invalid device '%.40s': the OpenCL device number N of opencl:N must be 0 to 1023", spec);
      index = strtol (p, NULL, 10);
      if (index > 1023)
        return open_fail (err, err_len, FTC_ERR_INVALID_ARG,
                          "invalid device '%.40s': the OpenCL device number N of opencl:N must be 0 to 1023", spec);
      parsed.kind = FTC_DEVICE_SPEC_OPENCL_N;
      parsed.index = (int) index;
    }
  else
    return open_fail (err, err_len, FTC_ERR_INVALID_ARG,
                      "unknown device '%.40s': use auto, cpu, cpu:naive, opencl or opencl:N", spec);
  *out = parsed;
  return FTC_OK;
}

FtcStatus
ftc_backend_open (const char *spec, FtcBackend **out, char *err, size_t err_len)
{
  FtcDeviceSpec parsed;
  FtcStatus st;

  if (out == NULL)
    return open_fail (err, err_len, FTC_ERR_INVALID_ARG, "no place to store the backend");
  *out = NULL;
  if (err != NULL && err_len > 0)
    err[0] = '\0';
  st = ftc_device_spec_parse (spec, &parsed, err, err_len);
  if (st == FTC_OK && parsed.kind == FTC_DEVICE_SPEC_AUTO)
    {
      char def[64];

      /* $FTCOT_DEVICE may name any spec but "auto" again */
      st = ftc_device_spec_parse (ftc_device_default_spec (def, sizeof def), &parsed, err, err_len);
      if (st == FTC_OK && parsed.kind == FTC_DEVICE_SPEC_AUTO)
        parsed.kind = FTC_DEVICE_SPEC_CPU;
    }
  if (st != FTC_OK)
    return st;
  switch (parsed.kind)
    {
    case FTC_DEVICE_SPEC_CPU:
      return ftc_cpu_backend_new (0, out, err, err_len);
    case FTC_DEVICE_SPEC_CPU_NAIVE:
      return ftc_cpu_backend_new (1, out, err, err_len);
    case FTC_DEVICE_SPEC_OPENCL:
      {
        /* the first GPU if there is one, else whatever OpenCL device comes first */
        int gpu = first_opencl_gpu ();
        return ftc_opencl_backend_new (gpu >= 0 ? gpu : 0, out, err, err_len);
      }
    case FTC_DEVICE_SPEC_OPENCL_N:
      return ftc_opencl_backend_new (parsed.index, out, err, err_len);
    case FTC_DEVICE_SPEC_AUTO:
      break;
    }
  return open_fail (err, err_len, FTC_ERR_INVALID_ARG, "no device");
}

void
ftc_backend_free (FtcBackend *be)
{
  if (be != NULL)
    be->klass->free_backend (be);
}

const FtcDeviceInfo *
ftc_backend_device (FtcBackend *be)
{
  return be != NULL ? &be->device : NULL;
}

const char *
ftc_backend_last_error (FtcBackend *be)
{
  return be != NULL ? be->last_error : "no backend";
}

FtcStatus
ftc_backend_finish (FtcBackend *be)
{
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  return be->klass->finish (be);
}

/* ---- argument checks ---- */

/* The view must name a buffer of this backend holding n elements from its offset on. */
static FtcStatus
check_view (FtcBackend *be, const char *op, const char *name, FtcView v, size_t n)
{
  if (v.buf == NULL)
    return ftc_backend_fail (be, FTC_ERR_INVALID_ARG, "%s: %s is NULL", op, name);
  if (v.buf->be != be)
    return ftc_backend_fail (be, FTC_ERR_INVALID_ARG, "%s: %s belongs to another backend", op, name);
  if (v.off > v.buf->n_elems || n > v.buf->n_elems - v.off)
    return ftc_backend_fail (be, FTC_ERR_INVALID_ARG,
                             "%s: %s needs elements [%zu, %zu) but its buffer holds %zu",
                             op, name, v.off, v.off + n, v.buf->n_elems);
  return FTC_OK;
}

/* An optional view: FTC_VIEW_NULL is fine, anything else is checked. */
static FtcStatus
check_opt_view (FtcBackend *be, const char *op, const char *name, FtcView v, size_t n)
{
  return v.buf == NULL ? FTC_OK : check_view (be, op, name, v, n);
}

static FtcStatus
check_sizes (FtcBackend *be, const char *op, int n_sizes, const char *names, ...)
{
  va_list args;
  FtcStatus status = FTC_OK;
  char name[16];

  va_start (args, names);
  for (int i = 0; i < n_sizes; i++)
    {
      long value = va_arg (args, long);
      size_t len = strcspn (names, ",");
      if (len >= sizeof name)
        len = sizeof name - 1;
      memcpy (name, names, len);
      name[len] = '\0';
      names += len + (names[len] == ',');
      if (value <= 0)
        {
          status = ftc_backend_fail (be, FTC_ERR_INVALID_ARG, "%s: %s must be positive, got %ld",
                                     op, name, value);
          break;
        }
    }
  va_end (args);
  return status;
}

#define CHECK(expr) do { FtcStatus s_ = (expr); if (s_ != FTC_OK) return s_; } while (0)
#define DISPATCH(be, op, ...) \
  ((be)->klass->op != NULL ? (be)->klass->op (__VA_ARGS__) \
                           : ftc_backend_fail ((be), FTC_ERR_UNSUPPORTED, "%s: not supported by the %s backend", \
                                               #op, (be)->klass->name))
#define SIZES2(op, a, b) check_sizes (be, op, 2, #a "," #b, (long) (a), (long) (b))
#define SIZES3(op, a, b, c) check_sizes (be, op, 3, #a "," #b "," #c, (long) (a), (long) (b), (long) (c))
#define SIZES4(op, a, b, c, d) \
  check_sizes (be, op, 4, #a "," #b "," #c "," #d, (long) (a), (long) (b), (long) (c), (long) (d))

/* ---- memory ---- */

FtcStatus
ftc_buf_new (FtcBackend *be, size_t n_elems, FtcBuf **out)
{
  if (out == NULL)
    return ftc_backend_fail (be, FTC_ERR_INVALID_ARG, "buf_new: no place to store the buffer");
  *out = NULL;
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  if (n_elems == 0)
    return ftc_backend_fail (be, FTC_ERR_INVALID_ARG, "buf_new: a buffer needs at least one element");
  if (n_elems > SIZE_MAX / 4)
    return ftc_backend_fail (be, FTC_ERR_INVALID_ARG, "buf_new: %zu elements do not fit in memory", n_elems);
  return be->klass->buf_new (be, n_elems, out);
}

void
ftc_buf_free (FtcBuf *buf)
{
  if (buf != NULL)
    buf->be->klass->buf_free (buf);
}

size_t
ftc_buf_len (const FtcBuf *buf)
{
  return buf != NULL ? buf->n_elems : 0;
}

FtcStatus
ftc_buf_write (FtcView dst, const void *src, size_t n_elems)
{
  FtcBackend *be = dst.buf != NULL ? dst.buf->be : NULL;

  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  if (n_elems == 0)
    return FTC_OK;
  if (src == NULL)
    return ftc_backend_fail (be, FTC_ERR_INVALID_ARG, "buf_write: source is NULL");
  CHECK (check_view (be, "buf_write", "dst", dst, n_elems));
  return be->klass->buf_write (dst, src, n_elems);
}

FtcStatus
ftc_buf_read (FtcView src, void *dst, size_t n_elems)
{
  FtcBackend *be = src.buf != NULL ? src.buf->be : NULL;

  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  if (n_elems == 0)
    return FTC_OK;
  if (dst == NULL)
    return ftc_backend_fail (be, FTC_ERR_INVALID_ARG, "buf_read: destination is NULL");
  CHECK (check_view (be, "buf_read", "src", src, n_elems));
  return be->klass->buf_read (src, dst, n_elems);
}

FtcStatus
ftc_buf_fill (FtcView dst, float value, size_t n_elems)
{
  FtcBackend *be = dst.buf != NULL ? dst.buf->be : NULL;

  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  if (n_elems == 0)
    return FTC_OK;
  CHECK (check_view (be, "buf_fill", "dst", dst, n_elems));
  return be->klass->buf_fill (dst, value, n_elems);
}

FtcStatus
ftc_buf_copy (FtcView dst, FtcView src, size_t n_elems)
{
  FtcBackend *be = dst.buf != NULL ? dst.buf->be : NULL;

  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  if (n_elems == 0)
    return FTC_OK;
  CHECK (check_view (be, "buf_copy", "dst", dst, n_elems));
  CHECK (check_view (be, "buf_copy", "src", src, n_elems));
  return be->klass->buf_copy (dst, src, n_elems);
}

/* ---- matrix products ---- */

/* Elements a stored row-major matrix spans: rows of length cols, ld apart. */
static size_t
matrix_extent (int rows, int cols, int ld)
{
  return (size_t) (rows - 1) * (size_t) ld + (size_t) cols;
}

static FtcStatus
check_gemm (FtcBackend *be, const char *op, int trans_a, int trans_b, int M, int N, int K,
            FtcView A, int lda, size_t stride_a, FtcView B, int ldb, size_t stride_b,
            FtcView C, int ldc, size_t stride_c, int batch)
{
  /* stored shapes: A (M,K) or (K,M) transposed, B (K,N) or (N,K) transposed, C (M,N) */
  int a_rows = trans_a ? K : M, a_cols = trans_a ? M : K;
  int b_rows = trans_b ? N : K, b_cols = trans_b ? K : N;

  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (SIZES4 (op, M, N, K, batch));
  if (lda < a_cols)
    return ftc_backend_fail (be, FTC_ERR_INVALID_ARG, "%s: lda %d is less than A's %d columns", op, lda, a_cols);
  if (ldb < b_cols)
    return ftc_backend_fail (be, FTC_ERR_INVALID_ARG, "%s: ldb %d is less than B's %d columns", op, ldb, b_cols);
  if (ldc < N)
    return ftc_backend_fail (be, FTC_ERR_INVALID_ARG, "%s: ldc %d is less than C's %d columns", op, ldc, N);
  CHECK (check_view (be, op, "A", A, (size_t) (batch - 1) * stride_a + matrix_extent (a_rows, a_cols, lda)));
  CHECK (check_view (be, op, "B", B, (size_t) (batch - 1) * stride_b + matrix_extent (b_rows, b_cols, ldb)));
  CHECK (check_view (be, op, "C", C, (size_t) (batch - 1) * stride_c + matrix_extent (M, N, ldc)));
  return FTC_OK;
}

FtcStatus
ftc_gemm (FtcBackend *be, int trans_a, int trans_b, int M, int N, int K,
          float alpha, FtcView A, int lda, FtcView B, int ldb,
          float beta, FtcView C, int ldc)
{
  CHECK (check_gemm (be, "gemm", trans_a, trans_b, M, N, K, A, lda, 0, B, ldb, 0, C, ldc, 0, 1));
  return DISPATCH (be, gemm, be, trans_a != 0, trans_b != 0, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

FtcStatus
ftc_gemm_strided_batched (FtcBackend *be, int trans_a, int trans_b, int M, int N, int K,
                          float alpha, FtcView A, int lda, size_t stride_a,
                          FtcView B, int ldb, size_t stride_b,
                          float beta, FtcView C, int ldc, size_t stride_c, int batch)
{
  CHECK (check_gemm (be, "gemm_strided_batched", trans_a, trans_b, M, N, K,
                     A, lda, stride_a, B, ldb, stride_b, C, ldc, stride_c, batch));
  return DISPATCH (be, gemm_strided_batched, be, trans_a != 0, trans_b != 0, M, N, K, alpha,
                   A, lda, stride_a, B, ldb, stride_b, beta, C, ldc, stride_c, batch);
}

/* ---- GPT-2 layers ---- */

#define NTC(B, T, C) ((size_t) (B) * (size_t) (T) * (size_t) (C))

FtcStatus
ftc_encoder_forward (FtcBackend *be, FtcView out, FtcView inp, FtcView wte, FtcView wpe,
                     int B, int T, int C)
{
  const char *op = "encoder_forward";
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (SIZES3 (op, B, T, C));
  CHECK (check_view (be, op, "out", out, NTC (B, T, C)));
  CHECK (check_view (be, op, "inp", inp, NTC (B, T, 1)));
  CHECK (check_view (be, op, "wte", wte, (size_t) C));
  CHECK (check_view (be, op, "wpe", wpe, NTC (1, T, C)));
  return DISPATCH (be, encoder_forward, be, out, inp, wte, wpe, B, T, C);
}

FtcStatus
ftc_encoder_backward (FtcBackend *be, FtcView dwte, FtcView dwpe, FtcView dout, FtcView inp,
                      int B, int T, int C)
{
  const char *op = "encoder_backward";
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (SIZES3 (op, B, T, C));
  CHECK (check_view (be, op, "dwte", dwte, (size_t) C));
  CHECK (check_view (be, op, "dwpe", dwpe, NTC (1, T, C)));
  CHECK (check_view (be, op, "dout", dout, NTC (B, T, C)));
  CHECK (check_view (be, op, "inp", inp, NTC (B, T, 1)));
  return DISPATCH (be, encoder_backward, be, dwte, dwpe, dout, inp, B, T, C);
}

FtcStatus
ftc_layernorm_forward (FtcBackend *be, FtcView out, FtcView mean, FtcView rstd,
                       FtcView inp, FtcView weight, FtcView bias, int N, int C)
{
  const char *op = "layernorm_forward";
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (SIZES2 (op, N, C));
  CHECK (check_view (be, op, "out", out, NTC (1, N, C)));
  CHECK (check_view (be, op, "mean", mean, (size_t) N));
  CHECK (check_view (be, op, "rstd", rstd, (size_t) N));
  CHECK (check_view (be, op, "inp", inp, NTC (1, N, C)));
  CHECK (check_view (be, op, "weight", weight, (size_t) C));
  CHECK (check_view (be, op, "bias", bias, (size_t) C));
  return DISPATCH (be, layernorm_forward, be, out, mean, rstd, inp, weight, bias, N, C);
}

FtcStatus
ftc_layernorm_backward (FtcBackend *be, FtcView dinp, FtcView dweight, FtcView dbias,
                        FtcView dout, FtcView inp, FtcView weight, FtcView mean, FtcView rstd,
                        int N, int C)
{
  const char *op = "layernorm_backward";
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (SIZES2 (op, N, C));
  CHECK (check_view (be, op, "dinp", dinp, NTC (1, N, C)));
  CHECK (check_view (be, op, "dweight", dweight, (size_t) C));
  CHECK (check_view (be, op, "dbias", dbias, (size_t) C));
  CHECK (check_view (be, op, "dout", dout, NTC (1, N, C)));
  CHECK (check_view (be, op, "inp", inp, NTC (1, N, C)));
  CHECK (check_view (be, op, "weight", weight, (size_t) C));
  CHECK (check_view (be, op, "mean", mean, (size_t) N));
  CHECK (check_view (be, op, "rstd", rstd, (size_t) N));
  return DISPATCH (be, layernorm_backward, be, dinp, dweight, dbias, dout, inp, weight, mean, rstd, N, C);
}

FtcStatus
ftc_matmul_forward (FtcBackend *be, FtcView out, FtcView inp, FtcView weight, FtcView bias,
                    int N, int IC, int OC)
{
  const char *op = "matmul_forward";
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (SIZES3 (op, N, IC, OC));
  CHECK (check_view (be, op, "out", out, NTC (1, N, OC)));
  CHECK (check_view (be, op, "inp", inp, NTC (1, N, IC)));
  CHECK (check_view (be, op, "weight", weight, NTC (1, OC, IC)));
  CHECK (check_opt_view (be, op, "bias", bias, (size_t) OC));
  return DISPATCH (be, matmul_forward, be, out, inp, weight, bias, N, IC, OC);
}

FtcStatus
ftc_matmul_backward (FtcBackend *be, FtcView dinp, FtcView dweight, FtcView dbias,
                     FtcView dout, FtcView inp, FtcView weight, int N, int IC, int OC)
{
  const char *op = "matmul_backward";
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (SIZES3 (op, N, IC, OC));
  CHECK (check_opt_view (be, op, "dinp", dinp, NTC (1, N, IC)));
  CHECK (check_view (be, op, "dweight", dweight, NTC (1, OC, IC)));
  CHECK (check_opt_view (be, op, "dbias", dbias, (size_t) OC));
  CHECK (check_view (be, op, "dout", dout, NTC (1, N, OC)));
  CHECK (check_view (be, op, "inp", inp, NTC (1, N, IC)));
  CHECK (check_view (be, op, "weight", weight, NTC (1, OC, IC)));
  return DISPATCH (be, matmul_backward, be, dinp, dweight, dbias, dout, inp, weight, N, IC, OC);
}

static FtcStatus
check_heads (FtcBackend *be, const char *op, int B, int T, int C, int NH)
{
  CHECK (SIZES4 (op, B, T, C, NH));
  if (C % NH != 0)
    return ftc_backend_fail (be, FTC_ERR_INVALID_ARG, "%s: %d heads do not divide the width C=%d", op, NH, C);
  return FTC_OK;
}

FtcStatus
ftc_attention_forward (FtcBackend *be, FtcView out, FtcView qkvr, FtcView att, FtcView inp,
                       int B, int T, int C, int NH)
{
  const char *op = "attention_forward";
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (check_heads (be, op, B, T, C, NH));
  CHECK (check_view (be, op, "out", out, NTC (B, T, C)));
  CHECK (check_view (be, op, "qkvr", qkvr, 3 * NTC (B, T, C)));
  CHECK (check_view (be, op, "att", att, NTC (B, NH, T) * (size_t) T));
  CHECK (check_view (be, op, "inp", inp, 3 * NTC (B, T, C)));
  return DISPATCH (be, attention_forward, be, out, qkvr, att, inp, B, T, C, NH);
}

static FtcStatus
check_attention_backward (FtcBackend *be, const char *op, FtcView dinp, FtcView dqkvr, FtcView datt, FtcView scratch,
                          FtcView dout, FtcView qkvr, FtcView att, int B, int T, int C, int NH)
{
  CHECK (check_heads (be, op, B, T, C, NH));
  CHECK (check_view (be, op, "dinp", dinp, 3 * NTC (B, T, C)));
  CHECK (check_view (be, op, "dqkvr", dqkvr, 3 * NTC (B, T, C)));
  CHECK (check_view (be, op, "datt", datt, NTC (B, NH, T) * (size_t) T));
  CHECK (check_view (be, op, "scratch", scratch, NTC (B, T, C)));
  CHECK (check_view (be, op, "dout", dout, NTC (B, T, C)));
  CHECK (check_view (be, op, "qkvr", qkvr, 3 * NTC (B, T, C)));
  return check_view (be, op, "att", att, NTC (B, NH, T) * (size_t) T);
}

FtcStatus
ftc_attention_backward_set (FtcBackend *be, FtcView dinp, FtcView dqkvr, FtcView datt, FtcView scratch,
                            FtcView dout, FtcView qkvr, FtcView att, int B, int T, int C, int NH)
{
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (check_attention_backward (be, "attention_backward_set", dinp, dqkvr, datt, scratch, dout, qkvr, att,
                                   B, T, C, NH));
  return DISPATCH (be, attention_backward_set, be, dinp, dqkvr, datt, scratch, dout, qkvr, att, B, T, C, NH);
}

FtcStatus
ftc_attention_backward (FtcBackend *be, FtcView dinp, FtcView dqkvr, FtcView datt, FtcView scratch,
                        FtcView dout, FtcView qkvr, FtcView att, int B, int T, int C, int NH)
{
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (check_attention_backward (be, "attention_backward", dinp, dqkvr, datt, scratch, dout, qkvr, att,
                                   B, T, C, NH));
  return DISPATCH (be, attention_backward, be, dinp, dqkvr, datt, scratch, dout, qkvr, att, B, T, C, NH);
}

static FtcStatus
check_n (FtcBackend *be, const char *op, size_t N)
{
  if (N == 0)
    return ftc_backend_fail (be, FTC_ERR_INVALID_ARG, "%s: N must be positive, got 0", op);
  return FTC_OK;
}

FtcStatus
ftc_gelu_forward (FtcBackend *be, FtcView out, FtcView inp, size_t N)
{
  const char *op = "gelu_forward";
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (check_n (be, op, N));
  CHECK (check_view (be, op, "out", out, N));
  CHECK (check_view (be, op, "inp", inp, N));
  return DISPATCH (be, gelu_forward, be, out, inp, N);
}

FtcStatus
ftc_gelu_backward (FtcBackend *be, FtcView dinp, FtcView inp, FtcView dout, size_t N)
{
  const char *op = "gelu_backward";
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (check_n (be, op, N));
  CHECK (check_view (be, op, "dinp", dinp, N));
  CHECK (check_view (be, op, "inp", inp, N));
  CHECK (check_view (be, op, "dout", dout, N));
  return DISPATCH (be, gelu_backward, be, dinp, inp, dout, N);
}

FtcStatus
ftc_gelu_backward_set (FtcBackend *be, FtcView dinp, FtcView inp, FtcView dout, size_t N)
{
  const char *op = "gelu_backward_set";
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (check_n (be, op, N));
  CHECK (check_view (be, op, "dinp", dinp, N));
  CHECK (check_view (be, op, "inp", inp, N));
  CHECK (check_view (be, op, "dout", dout, N));
  return DISPATCH (be, gelu_backward_set, be, dinp, inp, dout, N);
}

FtcStatus
ftc_residual_forward (FtcBackend *be, FtcView out, FtcView a, FtcView b, size_t N)
{
  const char *op = "residual_forward";
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (check_n (be, op, N));
  CHECK (check_view (be, op, "out", out, N));
  CHECK (check_view (be, op, "a", a, N));
  CHECK (check_view (be, op, "b", b, N));
  return DISPATCH (be, residual_forward, be, out, a, b, N);
}

FtcStatus
ftc_accumulate (FtcBackend *be, FtcView dst, FtcView src, size_t N)
{
  const char *op = "accumulate";
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (check_n (be, op, N));
  CHECK (check_view (be, op, "dst", dst, N));
  CHECK (check_view (be, op, "src", src, N));
  return DISPATCH (be, accumulate, be, dst, src, N);
}

FtcStatus
ftc_crossentropy_forward (FtcBackend *be, FtcView losses, FtcView logits, FtcView targets,
                          FtcView weights, int N, int V, int Vp, int write_grad)
{
  const char *op = "crossentropy_forward";
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (SIZES3 (op, N, V, Vp));
  if (V > Vp)
    return ftc_backend_fail (be, FTC_ERR_INVALID_ARG, "%s: V=%d exceeds the padded Vp=%d", op, V, Vp);
  CHECK (check_view (be, op, "losses", losses, (size_t) N));
  CHECK (check_view (be, op, "logits", logits, NTC (1, N, Vp)));
  CHECK (check_view (be, op, "targets", targets, (size_t) N));
  CHECK (check_view (be, op, "weights", weights, (size_t) N));
  return DISPATCH (be, crossentropy_forward, be, losses, logits, targets, weights, N, V, Vp, write_grad != 0);
}

/* ---- optimizer ---- */

FtcStatus
ftc_norm_squared (FtcBackend *be, FtcView out, FtcView x, size_t N)
{
  const char *op = "norm_squared";
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (check_n (be, op, N));
  CHECK (check_view (be, op, "out", out, 1));
  CHECK (check_view (be, op, "x", x, N));
  return DISPATCH (be, norm_squared, be, out, x, N);
}

FtcStatus
ftc_scale (FtcBackend *be, FtcView x, float s, size_t N)
{
  const char *op = "scale";
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (check_n (be, op, N));
  CHECK (check_view (be, op, "x", x, N));
  return DISPATCH (be, scale, be, x, s, N);
}

FtcStatus
ftc_adamw_update (FtcBackend *be, FtcView params, FtcView grads, FtcView m, FtcView v, size_t N,
                  float lr, float beta1, float beta2, float eps, float weight_decay,
                  float grad_scale, int step)
{
  const char *op = "adamw_update";
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (check_n (be, op, N));
  if (step < 1)
    return ftc_backend_fail (be, FTC_ERR_INVALID_ARG, "%s: step counts from 1, got %d", op, step);
  if (!(beta1 >= 0.0f && beta1 < 1.0f) || !(beta2 >= 0.0f && beta2 < 1.0f))
    return ftc_backend_fail (be, FTC_ERR_INVALID_ARG, "%s: betas must lie in [0, 1), got %g and %g",
                             op, beta1, beta2);
  CHECK (check_view (be, op, "params", params, N));
  CHECK (check_view (be, op, "grads", grads, N));
  CHECK (check_view (be, op, "m", m, N));
  CHECK (check_view (be, op, "v", v, N));
  return DISPATCH (be, adamw_update, be, params, grads, m, v, N, lr, beta1, beta2, eps, weight_decay,
                   grad_scale, step);
}

/* ---- KV-cache generation ---- */

FtcStatus
ftc_encoder_forward_pos (FtcBackend *be, FtcView out, FtcView inp, FtcView pos, FtcView wte, FtcView wpe,
                         int B, int T, int C)
{
  const char *op = "encoder_forward_pos";
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (SIZES3 (op, B, T, C));
  CHECK (check_view (be, op, "out", out, NTC (B, T, C)));
  CHECK (check_view (be, op, "inp", inp, NTC (B, T, 1)));
  CHECK (check_view (be, op, "pos", pos, (size_t) B));
  CHECK (check_view (be, op, "wte", wte, (size_t) C));
  CHECK (check_view (be, op, "wpe", wpe, NTC (1, T, C)));
  return DISPATCH (be, encoder_forward_pos, be, out, inp, pos, wte, wpe, B, T, C);
}

FtcStatus
ftc_attention_forward_cached (FtcBackend *be, FtcView out, FtcView kcache, FtcView vcache, FtcView att,
                              FtcView qkv, FtcView pos, int B, int T, int C, int NH, int Tc)
{
  const char *op = "attention_forward_cached";
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (SIZES4 (op, B, T, C, NH));
  CHECK (check_sizes (be, op, 1, "Tc", (long) Tc));
  if (C % NH != 0)
    return ftc_backend_fail (be, FTC_ERR_INVALID_ARG, "%s: NH %d does not divide C %d", op, NH, C);
  if (T > Tc)
    return ftc_backend_fail (be, FTC_ERR_INVALID_ARG, "%s: T %d new tokens do not fit a cache of %d", op, T, Tc);
  CHECK (check_view (be, op, "out", out, NTC (B, T, C)));
  CHECK (check_view (be, op, "kcache", kcache, NTC (B, Tc, C)));
  CHECK (check_view (be, op, "vcache", vcache, NTC (B, Tc, C)));
  CHECK (check_view (be, op, "att", att, NTC (B, NH, T) * (size_t) Tc));
  CHECK (check_view (be, op, "qkv", qkv, NTC (B, T, 3 * C)));
  CHECK (check_view (be, op, "pos", pos, (size_t) B));
  return DISPATCH (be, attention_forward_cached, be, out, kcache, vcache, att, qkv, pos, B, T, C, NH, Tc);
}

/* ---- LLaMA-family layers ---- */

static FtcStatus
check_gqa (FtcBackend *be, const char *op, int B, int T, int NH, int NKV, int D)
{
  CHECK (check_sizes (be, op, 5, "B,T,NH,NKV,D", (long) B, (long) T, (long) NH, (long) NKV, (long) D));
  if (NH % NKV != 0)
    return ftc_backend_fail (be, FTC_ERR_INVALID_ARG, "%s: %d key/value heads do not divide %d query heads",
                             op, NKV, NH);
  return FTC_OK;
}

/* elements of the three planes q (B,NH,T,D), k and v (B,NKV,T,D) */
static size_t
qkv_elems (int B, int T, int NH, int NKV, int D)
{
  return NTC (B, T, D) * (size_t) (NH + 2 * NKV);
}

FtcStatus
ftc_embedding_forward (FtcBackend *be, FtcView out, FtcView inp, FtcView wte, int N, int C)
{
  const char *op = "embedding_forward";
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (SIZES2 (op, N, C));
  CHECK (check_view (be, op, "out", out, NTC (1, N, C)));
  CHECK (check_view (be, op, "inp", inp, (size_t) N));
  CHECK (check_view (be, op, "wte", wte, (size_t) C));
  return DISPATCH (be, embedding_forward, be, out, inp, wte, N, C);
}

FtcStatus
ftc_embedding_backward (FtcBackend *be, FtcView dwte, FtcView dout, FtcView inp, int N, int C)
{
  const char *op = "embedding_backward";
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (SIZES2 (op, N, C));
  CHECK (check_view (be, op, "dwte", dwte, (size_t) C));
  CHECK (check_view (be, op, "dout", dout, NTC (1, N, C)));
  CHECK (check_view (be, op, "inp", inp, (size_t) N));
  return DISPATCH (be, embedding_backward, be, dwte, dout, inp, N, C);
}

FtcStatus
ftc_rmsnorm_forward (FtcBackend *be, FtcView out, FtcView rstd, FtcView inp, FtcView weight, int N, int C,
                     float eps)
{
  const char *op = "rmsnorm_forward";
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (SIZES2 (op, N, C));
  if (!(eps > 0.0f && eps < 1.0f))
    return ftc_backend_fail (be, FTC_ERR_INVALID_ARG, "%s: eps must lie in (0, 1), got %g", op, eps);
  CHECK (check_view (be, op, "out", out, NTC (1, N, C)));
  CHECK (check_view (be, op, "rstd", rstd, (size_t) N));
  CHECK (check_view (be, op, "inp", inp, NTC (1, N, C)));
  CHECK (check_view (be, op, "weight", weight, (size_t) C));
  return DISPATCH (be, rmsnorm_forward, be, out, rstd, inp, weight, N, C, eps);
}

static FtcStatus
rmsnorm_backward (FtcBackend *be, const char *op, FtcView dinp, FtcView dweight, FtcView dout, FtcView inp,
                  FtcView weight, FtcView rstd, int N, int C, int accumulate)
{
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (SIZES2 (op, N, C));
  CHECK (check_view (be, op, "dinp", dinp, NTC (1, N, C)));
  CHECK (check_view (be, op, "dweight", dweight, (size_t) C));
  CHECK (check_view (be, op, "dout", dout, NTC (1, N, C)));
  CHECK (check_view (be, op, "inp", inp, NTC (1, N, C)));
  CHECK (check_view (be, op, "weight", weight, (size_t) C));
  CHECK (check_view (be, op, "rstd", rstd, (size_t) N));
  return DISPATCH (be, rmsnorm_backward, be, dinp, dweight, dout, inp, weight, rstd, N, C, accumulate);
}

FtcStatus
ftc_rmsnorm_backward (FtcBackend *be, FtcView dinp, FtcView dweight, FtcView dout, FtcView inp, FtcView weight,
                      FtcView rstd, int N, int C)
{
  return rmsnorm_backward (be, "rmsnorm_backward", dinp, dweight, dout, inp, weight, rstd, N, C, 1);
}

FtcStatus
ftc_rmsnorm_backward_set (FtcBackend *be, FtcView dinp, FtcView dweight, FtcView dout, FtcView inp,
                          FtcView weight, FtcView rstd, int N, int C)
{
  return rmsnorm_backward (be, "rmsnorm_backward_set", dinp, dweight, dout, inp, weight, rstd, N, C, 0);
}

FtcStatus
ftc_qkv_permute_forward (FtcBackend *be, FtcView qkvr, FtcView qkv, int B, int T, int NH, int NKV, int D)
{
  const char *op = "qkv_permute_forward";
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (check_gqa (be, op, B, T, NH, NKV, D));
  CHECK (check_view (be, op, "qkvr", qkvr, qkv_elems (B, T, NH, NKV, D)));
  CHECK (check_view (be, op, "qkv", qkv, qkv_elems (B, T, NH, NKV, D)));
  return DISPATCH (be, qkv_permute_forward, be, qkvr, qkv, B, T, NH, NKV, D);
}

FtcStatus
ftc_qkv_permute_backward_set (FtcBackend *be, FtcView dqkv, FtcView dqkvr, int B, int T, int NH, int NKV, int D)
{
  const char *op = "qkv_permute_backward_set";
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (check_gqa (be, op, B, T, NH, NKV, D));
  CHECK (check_view (be, op, "dqkv", dqkv, qkv_elems (B, T, NH, NKV, D)));
  CHECK (check_view (be, op, "dqkvr", dqkvr, qkv_elems (B, T, NH, NKV, D)));
  return DISPATCH (be, qkv_permute_backward_set, be, dqkv, dqkvr, B, T, NH, NKV, D);
}

static FtcStatus
rope (FtcBackend *be, const char *op, FtcView out, FtcView inp, FtcView table, FtcView pos,
      int B, int H, int T, int D, int P, int inverse)
{
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (check_sizes (be, op, 5, "B,H,T,D,P", (long) B, (long) H, (long) T, (long) D, (long) P));
  if (D % 2 != 0)
    return ftc_backend_fail (be, FTC_ERR_INVALID_ARG, "%s: the head size D=%d must be even", op, D);
  if (pos.buf == NULL && T > P)
    return ftc_backend_fail (be, FTC_ERR_INVALID_ARG, "%s: T=%d positions but the table holds %d", op, T, P);
  CHECK (check_view (be, op, "out", out, NTC (B, H, T) * (size_t) D));
  CHECK (check_view (be, op, "inp", inp, NTC (B, H, T) * (size_t) D));
  CHECK (check_view (be, op, "table", table, NTC (1, P, D)));
  CHECK (check_opt_view (be, op, "pos", pos, (size_t) B));
  return DISPATCH (be, rope, be, out, inp, table, pos, B, H, T, D, P, inverse);
}

FtcStatus
ftc_rope_forward (FtcBackend *be, FtcView out, FtcView inp, FtcView table, FtcView pos, int B, int H, int T, int D,
                  int P)
{
  return rope (be, "rope_forward", out, inp, table, pos, B, H, T, D, P, 0);
}

FtcStatus
ftc_rope_backward (FtcBackend *be, FtcView dinp, FtcView dout, FtcView table, FtcView pos, int B, int H, int T,
                   int D, int P)
{
  return rope (be, "rope_backward", dinp, dout, table, pos, B, H, T, D, P, 1);
}

FtcStatus
ftc_gqa_attention_forward (FtcBackend *be, FtcView out, FtcView att, FtcView scratch, FtcView qkvr, int B, int T,
                           int NH, int NKV, int D)
{
  const char *op = "gqa_attention_forward";
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (check_gqa (be, op, B, T, NH, NKV, D));
  CHECK (check_view (be, op, "out", out, NTC (B, T, NH) * (size_t) D));
  CHECK (check_view (be, op, "att", att, NTC (B, NH, T) * (size_t) T));
  CHECK (check_view (be, op, "scratch", scratch, NTC (B, NH, T) * (size_t) D));
  CHECK (check_view (be, op, "qkvr", qkvr, qkv_elems (B, T, NH, NKV, D)));
  return DISPATCH (be, gqa_attention_forward, be, out, att, scratch, qkvr, B, T, NH, NKV, D);
}

FtcStatus
ftc_gqa_attention_backward_set (FtcBackend *be, FtcView dqkvr, FtcView datt, FtcView scratch, FtcView dout,
                                FtcView qkvr, FtcView att, int B, int T, int NH, int NKV, int D)
{
  const char *op = "gqa_attention_backward_set";
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (check_gqa (be, op, B, T, NH, NKV, D));
  CHECK (check_view (be, op, "dqkvr", dqkvr, qkv_elems (B, T, NH, NKV, D)));
  CHECK (check_view (be, op, "datt", datt, NTC (B, NH, T) * (size_t) T));
  CHECK (check_view (be, op, "dout", dout, NTC (B, T, NH) * (size_t) D));
  CHECK (check_view (be, op, "qkvr", qkvr, qkv_elems (B, T, NH, NKV, D)));
  CHECK (check_view (be, op, "att", att, NTC (B, NH, T) * (size_t) T));
  CHECK (check_view (be, op, "scratch", scratch, NTC (B, NH, T) * (size_t) D));
  return DISPATCH (be, gqa_attention_backward_set, be, dqkvr, datt, scratch, dout, qkvr, att, B, T, NH, NKV, D);
}

FtcStatus
ftc_swiglu_forward (FtcBackend *be, FtcView out, FtcView inp, int N, int I)
{
  const char *op = "swiglu_forward";
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (SIZES2 (op, N, I));
  CHECK (check_view (be, op, "out", out, NTC (1, N, I)));
  CHECK (check_view (be, op, "inp", inp, NTC (2, N, I)));
  return DISPATCH (be, swiglu_forward, be, out, inp, N, I);
}

FtcStatus
ftc_swiglu_backward_set (FtcBackend *be, FtcView dinp, FtcView inp, FtcView dout, int N, int I)
{
  const char *op = "swiglu_backward_set";
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (SIZES2 (op, N, I));
  CHECK (check_view (be, op, "dinp", dinp, NTC (2, N, I)));
  CHECK (check_view (be, op, "inp", inp, NTC (2, N, I)));
  CHECK (check_view (be, op, "dout", dout, NTC (1, N, I)));
  return DISPATCH (be, swiglu_backward_set, be, dinp, inp, dout, N, I);
}

FtcStatus
ftc_gqa_attention_forward_cached (FtcBackend *be, FtcView out, FtcView kcache, FtcView vcache, FtcView att,
                                  FtcView qkvr, FtcView pos, int B, int T, int NH, int NKV, int D, int Tc)
{
  const char *op = "gqa_attention_forward_cached";
  if (be == NULL)
    return FTC_ERR_INVALID_ARG;
  CHECK (check_gqa (be, op, B, T, NH, NKV, D));
  CHECK (check_sizes (be, op, 1, "Tc", (long) Tc));
  if (T > Tc)
    return ftc_backend_fail (be, FTC_ERR_INVALID_ARG, "%s: T %d new tokens do not fit a cache of %d", op, T, Tc);
  CHECK (check_view (be, op, "out", out, NTC (B, T, NH) * (size_t) D));
  CHECK (check_view (be, op, "kcache", kcache, NTC (B, NKV, Tc) * (size_t) D));
  CHECK (check_view (be, op, "vcache", vcache, NTC (B, NKV, Tc) * (size_t) D));
  CHECK (check_view (be, op, "att", att, NTC (B, NH, T) * (size_t) Tc));
  CHECK (check_view (be, op, "qkvr", qkvr, qkv_elems (B, T, NH, NKV, D)));
  CHECK (check_view (be, op, "pos", pos, (size_t) B));
  return DISPATCH (be, gqa_attention_forward_cached, be, out, kcache, vcache, att, qkvr, pos, B, T, NH, NKV, D,
                   Tc);
}
