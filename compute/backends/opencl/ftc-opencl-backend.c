/* ftc-opencl-backend.c: the opencl backend. Buffers are cl_mem (views are element offsets into them),
 * matrix products are CLBlast's (called column-major with the operands swapped, views as sub-buffers, and
 * operands transposed by our own kernel where that spares CLBlast its copies: see opencl_gemm), everything
 * else runs our kernels from kernels/ (*.cl), built on first use through the program cache. All work is
 * enqueued in order on one queue; only reads wait. */
#include "compute/backends/opencl/ftc-cl-tune.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compute/ftc-backend-private.h"
#include "compute/backends/opencl/ftc-cl-gemm.h"

/* ---- kernels ---- */

typedef enum {
  K_FILL, K_TRANSPOSE,
  K_ENCODER_FORWARD, K_ENCODER_BACKWARD_WTE, K_ENCODER_BACKWARD_WPE,
  K_LAYERNORM_FORWARD, K_LAYERNORM_BACKWARD_DINP, K_LAYERNORM_BACKWARD_PARAMS_PARTIAL,
  K_LAYERNORM_BACKWARD_PARAMS_PARTIAL8,
  K_LAYERNORM_FORWARD_ROWS, K_LAYERNORM_BACKWARD_DINP_ROWS,
  K_BIAS_ADD, K_COLSUM_PARTIAL, K_COLSUM_PARTIAL8, K_COLSUM_FINAL,
  K_ATTENTION_PERMUTE, K_ATTENTION_UNPERMUTE_ADD, K_ATTENTION_UNPERMUTE, K_ATTENTION_SPLIT_HEADS, K_ATTENTION_MERGE_HEADS,
  K_ATTENTION_SOFTMAX_FORWARD, K_ATTENTION_SOFTMAX_BACKWARD,
  K_ATTENTION_SOFTMAX_FORWARD_ROWS, K_ATTENTION_SOFTMAX_BACKWARD_ROWS,
  K_GELU_FORWARD8, K_GELU_BACKWARD8, K_BIAS_ADD8,
  K_RESIDUAL_FORWARD, K_ACCUMULATE, K_SCALE,
  K_CROSSENTROPY_FORWARD, K_CROSSENTROPY_FORWARD_ROWS,
  K_ADAMW_UPDATE,
  K_NORM_PARTIAL, K_NORM_PARTIAL_CHUNKS, K_NORM_FINAL,
  K_ENCODER_FORWARD_POS, K_KV_CACHE_WRITE, K_ATTENTION_CACHED,
  /* LLaMA family */
  K_EMBEDDING_FORWARD, K_RMSNORM_FORWARD, K_RMSNORM_FORWARD_ROWS, K_RMSNORM_BACKWARD_DINP,
  K_RMSNORM_BACKWARD_DINP_ROWS, K_RMSNORM_BACKWARD_WEIGHT_PARTIAL, K_QKV_PERMUTE_FORWARD,
  K_QKV_PERMUTE_BACKWARD, K_ROPE, K_SWIGLU_FORWARD, K_SWIGLU_BACKWARD, K_GQA_CACHE_WRITE,
  K_GQA_ATTENTION_CACHED,
  K_COUNT
} KernelId;

/* profile slots past the kernels */
#define P_SGEMM K_COUNT
#define P_SGEMM_BATCHED (K_COUNT + 1)
#define P_COUNT (K_COUNT + 2)
#define MAX_PROFILE_SHAPES 48

typedef struct {
  const char *program;   /* kernels/PROGRAM.cl */
  const char *kernel;
} KernelDesc;

static const KernelDesc kernel_descs[K_COUNT] = {
  [K_FILL] = { "fill", "fill_f32" },
  [K_TRANSPOSE] = { "fill", "transpose_f32" },
  [K_ENCODER_FORWARD] = { "encoder", "encoder_forward" },
  [K_ENCODER_BACKWARD_WTE] = { "encoder", "encoder_backward_wte" },
  [K_ENCODER_BACKWARD_WPE] = { "encoder", "encoder_backward_wpe" },
  [K_LAYERNORM_FORWARD] = { "layernorm", "layernorm_forward" },
  [K_LAYERNORM_BACKWARD_DINP] = { "layernorm", "layernorm_backward_dinp" },
  [K_LAYERNORM_BACKWARD_PARAMS_PARTIAL] = { "layernorm", "layernorm_backward_params_partial" },
  [K_LAYERNORM_BACKWARD_PARAMS_PARTIAL8] = { "layernorm", "layernorm_backward_params_partial8" },
  [K_LAYERNORM_FORWARD_ROWS] = { "layernorm", "layernorm_forward_rows" },
  [K_LAYERNORM_BACKWARD_DINP_ROWS] = { "layernorm", "layernorm_backward_dinp_rows" },
  [K_BIAS_ADD] = { "matmul-bias", "bias_add" },
  [K_COLSUM_PARTIAL] = { "matmul-bias", "colsum_partial" },
  [K_COLSUM_PARTIAL8] = { "matmul-bias", "colsum_partial8" },
  [K_COLSUM_FINAL] = { "matmul-bias", "colsum_final" },
  [K_ATTENTION_PERMUTE] = { "attention", "attention_permute" },
  [K_ATTENTION_UNPERMUTE_ADD] = { "attention", "attention_unpermute_add" },
  [K_ATTENTION_UNPERMUTE] = { "attention", "attention_unpermute" },
  [K_ATTENTION_SPLIT_HEADS] = { "attention", "attention_split_heads" },
  [K_ATTENTION_MERGE_HEADS] = { "attention", "attention_merge_heads" },
  [K_ATTENTION_SOFTMAX_FORWARD] = { "attention", "attention_softmax_forward" },
  [K_ATTENTION_SOFTMAX_BACKWARD] = { "attention", "attention_softmax_backward" },
  [K_ATTENTION_SOFTMAX_FORWARD_ROWS] = { "attention", "attention_softmax_forward_rows" },
  [K_ATTENTION_SOFTMAX_BACKWARD_ROWS] = { "attention", "attention_softmax_backward_rows" },
  [K_GELU_FORWARD8] = { "gelu", "gelu_forward8" },
  [K_GELU_BACKWARD8] = { "gelu", "gelu_backward8" },
  [K_BIAS_ADD8] = { "matmul-bias", "bias_add8" },
  [K_RESIDUAL_FORWARD] = { "residual", "residual_forward" },
  [K_ACCUMULATE] = { "residual", "accumulate" },
  [K_SCALE] = { "residual", "scale" },
  [K_CROSSENTROPY_FORWARD] = { "crossentropy", "crossentropy_forward" },
  [K_CROSSENTROPY_FORWARD_ROWS] = { "crossentropy", "crossentropy_forward_rows" },
  [K_ADAMW_UPDATE] = { "adamw", "adamw_update8" },
  [K_NORM_PARTIAL] = { "norm", "norm_partial" },
  [K_NORM_PARTIAL_CHUNKS] = { "norm", "norm_partial_chunks" },
  [K_NORM_FINAL] = { "norm", "norm_final" },
  [K_ENCODER_FORWARD_POS] = { "decode", "encoder_forward_pos" },
  [K_KV_CACHE_WRITE] = { "decode", "kv_cache_write" },
  [K_ATTENTION_CACHED] = { "decode", "attention_cached" },
  [K_EMBEDDING_FORWARD] = { "gqa", "embedding_forward" },
  [K_RMSNORM_FORWARD] = { "rmsnorm", "rmsnorm_forward" },
  [K_RMSNORM_FORWARD_ROWS] = { "rmsnorm", "rmsnorm_forward_rows" },
  [K_RMSNORM_BACKWARD_DINP] = { "rmsnorm", "rmsnorm_backward_dinp" },
  [K_RMSNORM_BACKWARD_DINP_ROWS] = { "rmsnorm", "rmsnorm_backward_dinp_rows" },
  [K_RMSNORM_BACKWARD_WEIGHT_PARTIAL] = { "rmsnorm", "rmsnorm_backward_weight_partial" },
  [K_QKV_PERMUTE_FORWARD] = { "gqa", "qkv_permute_forward" },
  [K_QKV_PERMUTE_BACKWARD] = { "gqa", "qkv_permute_backward" },
  [K_ROPE] = { "rope", "rope" },
  [K_SWIGLU_FORWARD] = { "swiglu", "swiglu_forward" },
  [K_SWIGLU_BACKWARD] = { "swiglu", "swiglu_backward" },
  [K_GQA_CACHE_WRITE] = { "gqa", "gqa_cache_write" },
  [K_GQA_ATTENTION_CACHED] = { "gqa", "gqa_attention_cached" },
};

#define MAX_PROGRAMS 32   /* one per kernels file, with room to grow; more is an error, not an overflow */
#define NORM_MAX_GROUPS 256

typedef struct {
  FtcBackend parent;
  FtcClRuntime *rt;
  size_t wg;                          /* work-group size of the reduction kernels (power of two) */
  size_t elem_wg;                     /* work-group size of elementwise kernels */
  int row_items;                      /* row kernels: one item per row (CPU drivers) or one group per row */
  cl_mem colsum;                      /* colsum_len floats: the first stage of the column sums */
  size_t colsum_len;
  cl_mem transposed;                  /* transposed_len floats: GEMM operands transposed by our kernel */
  size_t transposed_len;
  cl_mem gemm_temp;                   /* gemm_temp_bytes: CLBlast's padded/transposed copies, kept between calls */
  size_t gemm_temp_bytes;
  size_t base_align_floats;           /* sub-buffers must start at a multiple of this many floats */
  char options[64];
  const char *program_names[MAX_PROGRAMS];
  cl_program programs[MAX_PROGRAMS];
  int n_programs;
  cl_kernel kernels[K_COUNT];
  cl_mem norm_partial;                /* NORM_MAX_GROUPS floats */
  uint64_t allocated_bytes;
  FtcClTuning tuning;                 /* the GEMM parameters in use (ftc-cl-tune.c) */
  double profile_ms[P_COUNT];
  long profile_calls[P_COUNT];
  /* CLBlast calls by shape: host wall time from an idle queue to the call's last kernel done, so that
   * CLBlast's padding and transpose pre-kernels (which get no event of ours) are counted too */
  struct {
    char routine;                     /* 'g' Sgemm, 'b' SgemmStridedBatched, 't' our operand transposes */
    int ta, tb, M, N, K, batch;
    double ms;
    double last_ms;                   /* device time of the call's last kernel (the product itself) */
    long calls;
  } profile_shapes[MAX_PROFILE_SHAPES];
  int n_profile_shapes;
} FtcClBackend;

typedef struct {
  FtcBuf parent;
  cl_mem mem;
  size_t bytes;
} FtcClBuf;

static const FtcBackendClass opencl_class;

static FtcClBackend *
CLBE (FtcBackend *be)
{
  return (FtcClBackend *) be;
}

static cl_mem
MEM (FtcView v)
{
  return ((FtcClBuf *) v.buf)->mem;
}

int
ftc_backend_is_opencl (FtcBackend *be)
{
  return be != NULL && be->klass == &opencl_class;
}

FtcClRuntime *
ftc_opencl_backend_runtime (FtcBackend *be)
{
  return ftc_backend_is_opencl (be) ? CLBE (be)->rt : NULL;
}

FtcClTuning *
ftc_opencl_backend_tuning (FtcBackend *be)
{
  return ftc_backend_is_opencl (be) ? &CLBE (be)->tuning : NULL;
}

/* ---- errors ---- */

static FtcStatus
fail (FtcClBackend *be, FtcStatus status, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

static FtcStatus
fail (FtcClBackend *be, FtcStatus status, const char *fmt, ...)
{
  va_list args;

  va_start (args, fmt);
  vsnprintf (be->parent.last_error, sizeof be->parent.last_error, fmt, args);
  va_end (args);
  return status;
}

static double
mib (uint64_t bytes)
{
  return (double) bytes / (1024.0 * 1024.0);
}

static FtcStatus
out_of_memory (FtcClBackend *be, const char *what, uint64_t asked)
{
  const FtcDeviceInfo *d = &be->parent.device;

  return fail (be, FTC_ERR_DEVICE_MEMORY,
               "device out of memory in %s on %s (%s): asked %.1f MiB, the device has %.1f MiB "
               "(%.1f MiB already in use, largest single buffer %.1f MiB); try a smaller batch",
               what, d->spec, d->name, mib (asked), mib (d->global_mem_bytes), mib (be->allocated_bytes),
               mib (d->max_alloc_bytes));
}

static FtcStatus
check_cl (FtcClBackend *be, cl_int rc, const char *what)
{
  if (rc == CL_SUCCESS)
    return FTC_OK;
  if (rc == CL_MEM_OBJECT_ALLOCATION_FAILURE || rc == CL_OUT_OF_RESOURCES)
    return out_of_memory (be, what, 0);
  if (rc == CL_OUT_OF_HOST_MEMORY)
    return fail (be, FTC_ERR_HOST_MEMORY, "%s: %s", what, ftc_cl_error_name (rc));
  if (ftc_cl_error_is_device_lost (rc))
    return fail (be, FTC_ERR_DEVICE_LOST, "%s on %s (%s): the device stopped working: %s (%d)", what,
                 be->parent.device.spec, be->parent.device.name, ftc_cl_error_name (rc), (int) rc);
  return fail (be, FTC_ERR_DEVICE, "%s on %s failed: %s (%d)", what, be->parent.device.spec,
               ftc_cl_error_name (rc), (int) rc);
}

static FtcStatus
check_blas (FtcClBackend *be, CLBlastStatusCode st, const char *what, int M, int N, int K)
{
  if (st == CLBlastSuccess)
    return FTC_OK;
  if (st == CLBlastTempBufferAllocFailure || st == CLBlastOpenCLOutOfResources
      || st == (CLBlastStatusCode) CL_MEM_OBJECT_ALLOCATION_FAILURE)
    return out_of_memory (be, what, 0);
  return fail (be, FTC_ERR_BLAS, "%s (M=%d N=%d K=%d) on %s failed: %s (%d)", what, M, N, K,
               be->parent.device.spec, ftc_clblast_status_name (st), (int) st);
}

/* Waits for ev and adds its device time to slot (profiling only). */
static void
profile_event (FtcClBackend *be, int slot, cl_event ev)
{
  cl_ulong start = 0, end = 0;

  if (ev == NULL)
    return;
  clWaitForEvents (1, &ev);
  if (clGetEventProfilingInfo (ev, CL_PROFILING_COMMAND_START, sizeof start, &start, NULL) == CL_SUCCESS
      && clGetEventProfilingInfo (ev, CL_PROFILING_COMMAND_END, sizeof end, &end, NULL) == CL_SUCCESS
      && end >= start)
    be->profile_ms[slot] += (end - start) * 1e-6;
  be->profile_calls[slot]++;
  clReleaseEvent (ev);
}

static double
profile_now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

/* Profiling a CLBlast call: the queue is drained first, so that the call's wall time (from here until its
 * last event completes) holds its own kernels only. Returns the start time. */
static double
profile_blas_begin (FtcClBackend *be)
{
  clFinish (be->rt->queue);
  return profile_now_ms ();
}

static void
profile_blas_end (FtcClBackend *be, int slot, char routine, int ta, int tb, int M, int N, int K, int batch,
                  double start_ms, cl_event ev)
{
  double ms, last_ms = 0;
  int i;

  if (ev != NULL)
    {
      cl_ulong t_start = 0, t_end = 0;

      clWaitForEvents (1, &ev);
      if (clGetEventProfilingInfo (ev, CL_PROFILING_COMMAND_START, sizeof t_start, &t_start, NULL) == CL_SUCCESS
          && clGetEventProfilingInfo (ev, CL_PROFILING_COMMAND_END, sizeof t_end, &t_end, NULL) == CL_SUCCESS
          && t_end >= t_start)
        last_ms = (t_end - t_start) * 1e-6;
      clReleaseEvent (ev);
    }
  clFinish (be->rt->queue);
  ms = profile_now_ms () - start_ms;
  /* our operand transposes are kernels of their own in the per-kernel table: by shape only */
  if (routine != 't')
    {
      be->profile_ms[slot] += ms;
      be->profile_calls[slot]++;
    }
  for (i = 0; i < be->n_profile_shapes; i++)
    if (be->profile_shapes[i].routine == routine && be->profile_shapes[i].ta == ta && be->profile_shapes[i].tb == tb
        && be->profile_shapes[i].M == M && be->profile_shapes[i].N == N && be->profile_shapes[i].K == K
        && be->profile_shapes[i].batch == batch)
      break;
  if (i == be->n_profile_shapes)
    {
      if (i == MAX_PROFILE_SHAPES)
        return;
      be->n_profile_shapes++;
      be->profile_shapes[i].routine = routine;
      be->profile_shapes[i].ta = ta;
      be->profile_shapes[i].tb = tb;
      be->profile_shapes[i].M = M;
      be->profile_shapes[i].N = N;
      be->profile_shapes[i].K = K;
      be->profile_shapes[i].batch = batch;
      be->profile_shapes[i].ms = 0;
      be->profile_shapes[i].last_ms = 0;
      be->profile_shapes[i].calls = 0;
    }
  be->profile_shapes[i].ms += ms;
  be->profile_shapes[i].last_ms += last_ms;
  be->profile_shapes[i].calls++;
}

/* ---- programs and kernel launches ---- */

static FtcStatus
get_kernel (FtcClBackend *be, KernelId id, cl_kernel *out)
{
  const KernelDesc *d = &kernel_descs[id];
  cl_program program = NULL;
  cl_int rc = CL_SUCCESS;

  if (be->kernels[id] != NULL)
    {
      *out = be->kernels[id];
      return FTC_OK;
    }
  for (int i = 0; i < be->n_programs; i++)
    if (strcmp (be->program_names[i], d->program) == 0)
      program = be->programs[i];
  if (program == NULL)
    {
      FtcStatus st;

      if (be->n_programs == MAX_PROGRAMS)
        return fail (be, FTC_ERR_BUILD, "too many kernel programs");
      st = ftc_cl_program_build_embedded (be->rt, d->program, be->options, &program, NULL,
                                          be->parent.last_error, sizeof be->parent.last_error);
      if (st != FTC_OK)
        return st;
      be->program_names[be->n_programs] = d->program;
      be->programs[be->n_programs++] = program;
    }
  be->kernels[id] = clCreateKernel (program, d->kernel, &rc);
  if (rc != CL_SUCCESS)
    {
      be->kernels[id] = NULL;
      return fail (be, FTC_ERR_BUILD, "clCreateKernel %s (%s.cl): %s", d->kernel, d->program,
                   ftc_cl_error_name (rc));
    }
  *out = be->kernels[id];
  return FTC_OK;
}

/* Kernel arguments in order; the first failure sticks. */
typedef struct {
  FtcClBackend *be;
  KernelId id;
  cl_kernel k;
  cl_uint i;
  cl_int rc;
  FtcStatus st;
} Args;

static Args
args_begin (FtcClBackend *be, KernelId id)
{
  Args a = { be, id, NULL, 0, CL_SUCCESS, FTC_OK };

  a.st = get_kernel (be, id, &a.k);
  return a;
}

static void
arg_raw (Args *a, size_t size, const void *value)
{
  if (a->st != FTC_OK || a->rc != CL_SUCCESS)
    return;
  a->rc = clSetKernelArg (a->k, a->i++, size, value);
}

static void
arg_mem (Args *a, cl_mem m)
{
  arg_raw (a, sizeof m, &m);
}

static void
arg_view (Args *a, FtcView v)
{
  cl_ulong off = v.off;

  arg_mem (a, MEM (v));
  arg_raw (a, sizeof off, &off);
}

static void
arg_int (Args *a, int x)
{
  cl_int v = x;
  arg_raw (a, sizeof v, &v);
}

static void
arg_ulong (Args *a, size_t x)
{
  cl_ulong v = x;
  arg_raw (a, sizeof v, &v);
}

static void
arg_float (Args *a, float x)
{
  arg_raw (a, sizeof x, &x);
}

/* Enqueues the kernel over global items (rounded up to a multiple of local; kernels check bounds). local 0
 * means the elementwise size (elem_wg). */
static FtcStatus
launch (Args *a, size_t global, size_t local)
{
  char what[128];
  size_t g;

  if (a->st != FTC_OK)
    return a->st;
  snprintf (what, sizeof what, "setting the arguments of %s", kernel_descs[a->id].kernel);
  if (a->rc != CL_SUCCESS)
    return check_cl (a->be, a->rc, what);
  if (global == 0)
    return FTC_OK;
  /* elementwise kernels: an explicit work-group size, since drivers left to choose for a rounded-up
   * global size may pick tiny groups (PoCL runs each group as one vectorised loop) */
  if (local == 0)
    local = a->be->elem_wg;
  g = (global + local - 1) / local * local;
  snprintf (what, sizeof what, "kernel %s", kernel_descs[a->id].kernel);
  {
    cl_event ev = NULL;
    FtcStatus st = check_cl (a->be, clEnqueueNDRangeKernel (a->be->rt->queue, a->k, 1, NULL, &g,
                                                            &local, 0, NULL,
                                                            a->be->rt->profiling ? &ev : NULL),
                             what);
    if (a->be->rt->profiling)
      profile_event (a->be, a->id, ev);
    return st;
  }
}

/* A row kernel: one work-group per row, or one item per row for the _rows variants. */
static FtcStatus
launch_rows (Args *a, size_t rows)
{
  if (a->be->row_items)
    return launch (a, rows, 0);
  return launch (a, rows * a->be->wg, a->be->wg);
}

/* The variant of a row kernel this device runs: group is the work-group kernel, items its _rows twin. */
static KernelId
row_kernel (FtcClBackend *be, KernelId group, KernelId items)
{
  return be->row_items ? items : group;
}

/* ---- backend ---- */

static void
opencl_free_backend (FtcBackend *base)
{
  FtcClBackend *be = CLBE (base);

  if (be->rt != NULL)
    clFinish (be->rt->queue);
  for (int i = 0; i < K_COUNT; i++)
    if (be->kernels[i] != NULL)
      clReleaseKernel (be->kernels[i]);
  for (int i = 0; i < be->n_programs; i++)
    clReleaseProgram (be->programs[i]);
  if (be->norm_partial != NULL)
    clReleaseMemObject (be->norm_partial);
  if (be->gemm_temp != NULL)
    clReleaseMemObject (be->gemm_temp);
  if (be->colsum != NULL)
    clReleaseMemObject (be->colsum);
  if (be->transposed != NULL)
    clReleaseMemObject (be->transposed);
  ftc_cl_runtime_free (be->rt);
  free (be);
}

static FtcStatus
opencl_finish (FtcBackend *base)
{
  return check_cl (CLBE (base), clFinish (CLBE (base)->rt->queue), "clFinish");
}

/* ---- memory ---- */

static FtcStatus
opencl_buf_fill (FtcView dst, float value, size_t n)
{
  Args a = args_begin (CLBE (dst.buf->be), K_FILL);

  arg_mem (&a, MEM (dst));
  arg_ulong (&a, dst.off);
  arg_float (&a, value);
  arg_ulong (&a, n);
  return launch (&a, (n + 7) / 8, 0);   /* 8 elements per item */
}

static FtcStatus
opencl_buf_new (FtcBackend *base, size_t n_elems, FtcBuf **out)
{
  FtcClBackend *be = CLBE (base);
  const FtcDeviceInfo *d = &base->device;
  size_t bytes = (n_elems > 0 ? n_elems : 1) * sizeof (float);
  FtcClBuf *buf;
  cl_int rc = CL_SUCCESS;
  FtcStatus st;

  *out = NULL;
  if (n_elems > SIZE_MAX / sizeof (float) || bytes > d->max_alloc_bytes
      || be->allocated_bytes + bytes > d->global_mem_bytes)
    return out_of_memory (be, "allocating a buffer", bytes);
  buf = calloc (1, sizeof *buf);
  if (buf == NULL)
    return fail (be, FTC_ERR_HOST_MEMORY, "out of host memory");
  buf->mem = clCreateBuffer (be->rt->context, CL_MEM_READ_WRITE, bytes, NULL, &rc);
  if (rc != CL_SUCCESS)
    {
      free (buf);
      if (rc == CL_INVALID_BUFFER_SIZE || rc == CL_MEM_OBJECT_ALLOCATION_FAILURE || rc == CL_OUT_OF_RESOURCES)
        return out_of_memory (be, "allocating a buffer", bytes);
      return check_cl (be, rc, "clCreateBuffer");
    }
  buf->parent.be = base;
  buf->parent.n_elems = n_elems;
  buf->bytes = bytes;
  be->allocated_bytes += bytes;
  st = opencl_buf_fill (ftc_view (&buf->parent, 0), 0.0f, n_elems);
  if (st != FTC_OK)
    {
      be->allocated_bytes -= bytes;
      clReleaseMemObject (buf->mem);
      free (buf);
      return st;
    }
  *out = &buf->parent;
  return FTC_OK;
}

static void
opencl_buf_free (FtcBuf *base)
{
  FtcClBuf *buf = (FtcClBuf *) base;
  FtcClBackend *be = CLBE (base->be);

  /* in-order queue: work still reading the buffer keeps it alive until it completes */
  clReleaseMemObject (buf->mem);
  be->allocated_bytes -= buf->bytes;
  free (buf);
}

static FtcStatus
opencl_buf_write (FtcView dst, const void *src, size_t n)
{
  FtcClBackend *be = CLBE (dst.buf->be);

  if (n == 0)
    return FTC_OK;
  /* blocking, so the caller may reuse src at once */
  return check_cl (be, clEnqueueWriteBuffer (be->rt->queue, MEM (dst), CL_TRUE, dst.off * sizeof (float),
                                             n * sizeof (float), src, 0, NULL, NULL),
                   "clEnqueueWriteBuffer");
}

static FtcStatus
opencl_buf_read (FtcView src, void *dst, size_t n)
{
  FtcClBackend *be = CLBE (src.buf->be);

  if (n == 0)
    return opencl_finish (&be->parent);
  return check_cl (be, clEnqueueReadBuffer (be->rt->queue, MEM (src), CL_TRUE, src.off * sizeof (float),
                                            n * sizeof (float), dst, 0, NULL, NULL),
                   "clEnqueueReadBuffer");
}

static FtcStatus
opencl_buf_copy (FtcView dst, FtcView src, size_t n)
{
  FtcClBackend *be = CLBE (dst.buf->be);

  if (n == 0)
    return FTC_OK;
  return check_cl (be, clEnqueueCopyBuffer (be->rt->queue, MEM (src), MEM (dst), src.off * sizeof (float),
                                            dst.off * sizeof (float), n * sizeof (float), 0, NULL, NULL),
                   "clEnqueueCopyBuffer");
}

/* ---- matrix products ---- */

static CLBlastTranspose
tr (int t)
{
  return t ? CLBlastTransposeYes : CLBlastTransposeNo;
}

/* CLBlast's fast GEMM path copies a matrix whose offset is not 0 into a temporary buffer first (a full
 * pass, and a fresh allocation each call), so a view is handed over as a sub-buffer that starts at it
 * where the device's base-address alignment allows; *sub is then to be released after the call (the queue
 * keeps it alive while the kernels run). Else the buffer itself and the offset. */
static cl_mem
blas_mem (FtcClBackend *be, FtcView v, size_t *off, cl_mem *sub)
{
  FtcClBuf *buf = (FtcClBuf *) v.buf;
  cl_buffer_region region;
  cl_int rc = CL_SUCCESS;
  cl_mem m;

  *sub = NULL;
  *off = v.off;
  if (v.off == 0 || be->base_align_floats == 0 || v.off % be->base_align_floats != 0)
    return buf->mem;
  region.origin = v.off * sizeof (float);
  region.size = buf->bytes - region.origin;
  m = clCreateSubBuffer (buf->mem, 0, CL_BUFFER_CREATE_TYPE_REGION, &region, &rc);
  if (rc != CL_SUCCESS)
    return buf->mem;
  *sub = m;
  *off = 0;
  return m;
}

static void
blas_mem_release (cl_mem sub)
{
  if (sub != NULL)
    clReleaseMemObject (sub);
}

/* be->gemm_temp holds at least bytes (grown, never shrunk: one allocation for a whole training run). */
static FtcStatus
ensure_gemm_temp (FtcClBackend *be, size_t bytes)
{
  cl_int rc = CL_SUCCESS;
  cl_mem mem;

  if (be->gemm_temp != NULL && be->gemm_temp_bytes >= bytes)
    return FTC_OK;
  mem = clCreateBuffer (be->rt->context, CL_MEM_READ_WRITE, bytes, NULL, &rc);
  if (rc != CL_SUCCESS)
    return rc == CL_INVALID_BUFFER_SIZE || rc == CL_MEM_OBJECT_ALLOCATION_FAILURE || rc == CL_OUT_OF_RESOURCES
             ? out_of_memory (be, "allocating CLBlast's GEMM scratch", bytes)
             : check_cl (be, rc, "clCreateBuffer");
  /* in-order queue: calls still using the old scratch keep it alive */
  if (be->gemm_temp != NULL)
    clReleaseMemObject (be->gemm_temp);
  be->gemm_temp = mem;
  be->gemm_temp_bytes = bytes;
  return FTC_OK;
}

/* be->transposed holds at least n floats. */
static FtcStatus
ensure_transposed (FtcClBackend *be, size_t n)
{
  cl_int rc = CL_SUCCESS;
  cl_mem mem;

  if (be->transposed != NULL && be->transposed_len >= n)
    return FTC_OK;
  mem = clCreateBuffer (be->rt->context, CL_MEM_READ_WRITE, n * sizeof (float), NULL, &rc);
  if (rc != CL_SUCCESS)
    return rc == CL_INVALID_BUFFER_SIZE || rc == CL_MEM_OBJECT_ALLOCATION_FAILURE || rc == CL_OUT_OF_RESOURCES
             ? out_of_memory (be, "allocating GEMM transpose scratch", n * sizeof (float))
             : check_cl (be, rc, "clCreateBuffer");
  if (be->transposed != NULL)
    clReleaseMemObject (be->transposed);
  be->transposed = mem;
  be->transposed_len = n;
  return FTC_OK;
}

/* be->transposed at off (batch: Cc,R) = src (batch: R,Cc, rows ld apart, matrices stride apart)^T, packed;
 * R and Cc multiples of 8. */
static FtcStatus
transpose_into_scratch (FtcClBackend *be, size_t off, FtcView src, int R, int Cc, int ld, size_t stride,
                        int batch)
{
  Args a = args_begin (be, K_TRANSPOSE);

  arg_mem (&a, be->transposed);
  arg_ulong (&a, off);
  arg_view (&a, src);
  arg_int (&a, R);
  arg_int (&a, Cc);
  arg_int (&a, ld);
  arg_ulong (&a, stride);
  arg_int (&a, batch);
  return launch (&a, (size_t) (R / 8) * (Cc / 8) * batch, 0);
}

/* Whether CLBlast, given row-major C (M,N) = A^T B with A (K,M) and B (K,N) packed at offset 0 and C packed,
 * runs its Xgemm kernel on them in place (no padded or transposed copies): every size a multiple of its
 * tiles, and large enough for the indirect path. Only known when we set its parameters. */
static int
gemm_copy_free (FtcClBackend *be, int M, int N, int K)
{
  const FtcClGemmParams *p = &be->tuning.params;
  const unsigned long long mis = (unsigned long long) p->min_indirect_size;

  if (be->tuning.source == FTC_CL_TUNING_CLBLAST || be->base_align_floats == 0)
    return 0;
  return N % p->MWG == 0 && N % p->VWM == 0 && M % p->NWG == 0 && M % p->VWN == 0
         && K % (p->KWG * p->KREG) == 0 && (unsigned long long) M * N * K >= mis * mis * mis;
}

static FtcStatus opencl_gemm_clblast (FtcClBackend *be, int trans_a, int trans_b, int M, int N, int K,
                                      float alpha, FtcView A, int lda, cl_mem a_mem, size_t a_off,
                                      FtcView B, int ldb, cl_mem b_mem, size_t b_off,
                                      float beta, FtcView C, int ldc);

/* The weight gradients, A^T B over all B*T tokens (K of thousands against M, N of hundreds), run faster
 * as several products over chunks of K accumulating into C: each chunk's operands stay in the caches
 * while every tile of C goes through them. Returns the chunk (K itself: no split). */
static int
gemm_k_chunk (FtcClBackend *be, int trans_a, int trans_b, int M, int N, int K)
{
  const int kc = 1024;

  if (!trans_a || trans_b || K <= kc || K % kc != 0 || !gemm_copy_free (be, M, N, kc))
    return K;
  return kc;
}

static int
view_aligned (FtcClBackend *be, FtcView v)
{
  return be->base_align_floats != 0 && v.off % be->base_align_floats == 0;
}

static FtcStatus
opencl_gemm (FtcBackend *base, int trans_a, int trans_b, int M, int N, int K,
             float alpha, FtcView A, int lda, FtcView B, int ldb, float beta, FtcView C, int ldc)
{
  FtcClBackend *be = CLBE (base);

  if (M == 0 || N == 0)
    return FTC_OK;
  /* CLBlast's kernel wants A^T B (both operands K-major). Where everything else is in place, the operands
   * that are not are transposed here, by a kernel that runs several times faster on CPU drivers than
   * CLBlast's own transposing copies, into one kept scratch buffer. */
  if ((!trans_a || trans_b) && gemm_copy_free (be, M, N, K) && M % 8 == 0 && N % 8 == 0 && K % 8 == 0
      && ldc == N && view_aligned (be, C) && (!trans_a || (lda == M && view_aligned (be, A)))
      && (trans_b || (ldb == N && view_aligned (be, B))))
    {
      const size_t a_len = trans_a ? 0 : (size_t) K * M, b_len = trans_b ? (size_t) K * N : 0;
      FtcStatus st = ensure_transposed (be, a_len + b_len);
      double t0 = be->rt->profiling ? profile_blas_begin (be) : 0;

      if (st == FTC_OK && !trans_a)
        st = transpose_into_scratch (be, 0, A, M, K, lda, 0, 1);     /* A (M,K) -> (K,M) */
      if (st == FTC_OK && trans_b)
        st = transpose_into_scratch (be, a_len, B, N, K, ldb, 0, 1); /* B (N,K) -> (K,N) */
      if (be->rt->profiling)
        profile_blas_end (be, P_SGEMM, 't', trans_a, trans_b, M, N, K, 1, t0, NULL);
      if (st != FTC_OK)
        return st;
      return opencl_gemm_clblast (be, 1, 0, M, N, K, alpha,
                                  trans_a ? A : FTC_VIEW_NULL, M, trans_a ? NULL : be->transposed, 0,
                                  trans_b ? FTC_VIEW_NULL : B, N, trans_b ? be->transposed : NULL, a_len,
                                  beta, C, ldc);
    }
  {
    const int kc = gemm_k_chunk (be, trans_a, trans_b, M, N, K);
    FtcStatus st = FTC_OK;

    for (int k0 = 0; k0 < K && st == FTC_OK; k0 += kc)
      st = opencl_gemm_clblast (be, trans_a, trans_b, M, N, K - k0 < kc ? K - k0 : kc, alpha,
                                ftc_view_at (A, (size_t) k0 * lda), lda, NULL, 0,
                                ftc_view_at (B, (size_t) k0 * ldb), ldb, NULL, 0,
                                k0 == 0 ? beta : 1.0f, C, ldc);
    return st;
  }
}

/* One CLBlast GEMM; an operand given as a_mem/b_mem (not NULL) is that buffer at that offset, else its view. */
static FtcStatus
opencl_gemm_clblast (FtcClBackend *be, int trans_a, int trans_b, int M, int N, int K,
                     float alpha, FtcView A, int lda, cl_mem a_given, size_t a_given_off,
                     FtcView B, int ldb, cl_mem b_given, size_t b_given_off,
                     float beta, FtcView C, int ldc)
{
  CLBlastStatusCode st;
  cl_event ev = NULL;
  double t0 = 0;
  size_t a_off = a_given_off, b_off = b_given_off, c_off, temp_bytes = 0;
  cl_mem a_sub = NULL, b_sub = NULL, c_sub, a_mem = a_given, b_mem = b_given, c_mem;
  FtcStatus fst;

  if (a_mem == NULL)
    a_mem = blas_mem (be, A, &a_off, &a_sub);
  if (b_mem == NULL)
    b_mem = blas_mem (be, B, &b_off, &b_sub);
  else if (b_off != 0)
    {
      /* the second operand in the transpose scratch: a sub-buffer there too (its offset is a multiple of 64) */
      cl_buffer_region region = { b_off * sizeof (float), be->transposed_len * sizeof (float) - b_off * sizeof (float) };
      cl_int rc = CL_SUCCESS;

      b_sub = clCreateSubBuffer (b_given, 0, CL_BUFFER_CREATE_TYPE_REGION, &region, &rc);
      if (rc == CL_SUCCESS)
        b_mem = b_sub, b_off = 0;
      else
        b_sub = NULL;
    }
  c_mem = blas_mem (be, C, &c_off, &c_sub);
  /* Row-major C (M,N) = op(A) op(B) is column-major C^T (N,M) = op(B)^T op(A)^T with the operands swapped.
   * CLBlast's Xgemm kernel works column-major: asked row-major, it transposes C into a scratch copy and
   * back on every call; asked this way it does not, and the dweight products (A^T B) need no copy at all. */
  st = CLBlastSGemmTempBufferSize (CLBlastLayoutColMajor, tr (trans_b), tr (trans_a), N, M, K,
                                   b_off, ldb, a_off, lda, c_off, ldc, &be->rt->queue, &temp_bytes);
  fst = check_blas (be, st, "CLBlastSGemmTempBufferSize", M, N, K);
  if (fst == FTC_OK)
    fst = ensure_gemm_temp (be, temp_bytes > 0 ? temp_bytes : sizeof (float));
  if (fst == FTC_OK)
    {
      if (be->rt->profiling)
        t0 = profile_blas_begin (be);
      st = CLBlastSgemmWithTempBuffer (CLBlastLayoutColMajor, tr (trans_b), tr (trans_a), N, M, K, alpha,
                                       b_mem, b_off, ldb, a_mem, a_off, lda, beta, c_mem, c_off, ldc,
                                       &be->rt->queue, be->rt->profiling ? &ev : NULL, be->gemm_temp);
      if (be->rt->profiling && st == CLBlastSuccess)
        profile_blas_end (be, P_SGEMM, 'g', trans_a, trans_b, M, N, K, 1, t0, ev);
      fst = check_blas (be, st, "CLBlastSgemm", M, N, K);
    }
  blas_mem_release (a_sub);
  blas_mem_release (b_sub);
  blas_mem_release (c_sub);
  return fst;
}

static FtcStatus
opencl_gemm_strided_batched (FtcBackend *base, int trans_a, int trans_b, int M, int N, int K,
                             float alpha, FtcView A, int lda, size_t stride_a,
                             FtcView B, int ldb, size_t stride_b,
                             float beta, FtcView C, int ldc, size_t stride_c, int batch)
{
  FtcClBackend *be = CLBE (base);
  CLBlastStatusCode st;
  cl_event ev = NULL;
  double t0 = 0;
  size_t a_off, b_off, c_off;
  cl_mem a_sub, b_sub, c_sub, a_mem, b_mem, c_mem;
  FtcStatus fst;

  if (M == 0 || N == 0 || batch == 0)
    return FTC_OK;
  a_mem = blas_mem (be, A, &a_off, &a_sub);
  b_mem = blas_mem (be, B, &b_off, &b_sub);
  c_mem = blas_mem (be, C, &c_off, &c_sub);
  /* CLBlast 1.5.3's batched kernel, where a matrix needs no padded copy, reads it at offset 0 with a
   * stride of its packed size, whatever offset and stride it was given. So one batched call only for
   * offsets 0 and packed strides; anything else goes matrix by matrix (correct, slower). */
  if (a_off != 0 || b_off != 0 || c_off != 0 || stride_a != (size_t) (trans_a ? K : M) * lda
      || stride_b != (size_t) (trans_b ? N : K) * ldb || stride_c != (size_t) M * ldc)
    {
      fst = FTC_OK;
      blas_mem_release (a_sub);
      blas_mem_release (b_sub);
      blas_mem_release (c_sub);
      for (int i = 0; i < batch && fst == FTC_OK; i++)
        fst = opencl_gemm (base, trans_a, trans_b, M, N, K, alpha, ftc_view_at (A, i * stride_a), lda,
                           ftc_view_at (B, i * stride_b), ldb, beta, ftc_view_at (C, i * stride_c), ldc);
      return fst;
    }
  /* as in opencl_gemm: operands that are not K-major transposed here when that leaves CLBlast no copy */
  fst = FTC_OK;
  if ((!trans_a || trans_b) && gemm_copy_free (be, M, N, K) && M % 8 == 0 && N % 8 == 0 && K % 8 == 0
      && ldc == N && (!trans_a || lda == M) && (trans_b || ldb == N))
    {
      const size_t a_len = trans_a ? 0 : (size_t) batch * K * M, b_len = trans_b ? (size_t) batch * K * N : 0;
      cl_mem tb_sub = NULL;

      fst = ensure_transposed (be, a_len + b_len);
      t0 = be->rt->profiling ? profile_blas_begin (be) : 0;
      if (fst == FTC_OK && !trans_a)
        fst = transpose_into_scratch (be, 0, A, M, K, lda, stride_a, batch);
      if (fst == FTC_OK && trans_b)
        fst = transpose_into_scratch (be, a_len, B, N, K, ldb, stride_b, batch);
      if (be->rt->profiling)
        profile_blas_end (be, P_SGEMM_BATCHED, 't', trans_a, trans_b, M, N, K, batch, t0, NULL);
      if (fst == FTC_OK && a_len > 0 && b_len > 0)
        {
          /* B's transpose after A's: a sub-buffer (a_len is a multiple of 64 floats) */
          cl_buffer_region region = { a_len * sizeof (float), b_len * sizeof (float) };
          cl_int rc = CL_SUCCESS;

          tb_sub = clCreateSubBuffer (be->transposed, 0, CL_BUFFER_CREATE_TYPE_REGION, &region, &rc);
          fst = check_cl (be, rc, "clCreateSubBuffer");
        }
      if (fst == FTC_OK)
        {
          if (!trans_a)
            a_mem = be->transposed, lda = M, stride_a = (size_t) K * M, trans_a = 1;
          if (trans_b)
            b_mem = tb_sub != NULL ? tb_sub : be->transposed, ldb = N, stride_b = (size_t) K * N, trans_b = 0;
        }
      if (fst != FTC_OK)
        {
          blas_mem_release (tb_sub);
          blas_mem_release (a_sub);
          blas_mem_release (b_sub);
          blas_mem_release (c_sub);
          return fst;
        }
      /* released once the call below is enqueued, as the other sub-buffers */
      if (tb_sub != NULL)
        {
          blas_mem_release (b_sub);
          b_sub = tb_sub;
        }
    }
  if (be->rt->profiling)
    t0 = profile_blas_begin (be);
  /* column-major with the operands swapped, as in opencl_gemm: no transposed copies of C */
  st = CLBlastSgemmStridedBatched (CLBlastLayoutColMajor, tr (trans_b), tr (trans_a), N, M, K, alpha,
                                   b_mem, b_off, ldb, stride_b, a_mem, a_off, lda, stride_a,
                                   beta, c_mem, c_off, ldc, stride_c, batch, &be->rt->queue,
                                   be->rt->profiling ? &ev : NULL);
  if (be->rt->profiling && st == CLBlastSuccess)
    profile_blas_end (be, P_SGEMM_BATCHED, 'b', trans_a, trans_b, M, N, K, batch, t0, ev);
  fst = check_blas (be, st, "CLBlastSgemmStridedBatched", M, N, K);
  blas_mem_release (a_sub);
  blas_mem_release (b_sub);
  blas_mem_release (c_sub);
  return fst;
}

/* ---- GPT-2 layers ---- */

static FtcStatus
opencl_encoder_forward (FtcBackend *base, FtcView out, FtcView inp, FtcView wte, FtcView wpe,
                        int B, int T, int C)
{
  Args a = args_begin (CLBE (base), K_ENCODER_FORWARD);

  arg_view (&a, out);
  arg_view (&a, inp);
  arg_view (&a, wte);
  arg_view (&a, wpe);
  arg_int (&a, B);
  arg_int (&a, T);
  arg_int (&a, C);
  return launch (&a, (size_t) B * T * C, 0);
}

static FtcStatus
opencl_encoder_backward (FtcBackend *base, FtcView dwte, FtcView dwpe, FtcView dout, FtcView inp,
                         int B, int T, int C)
{
  Args a = args_begin (CLBE (base), K_ENCODER_BACKWARD_WTE);
  FtcStatus st;

  arg_view (&a, dwte);
  arg_view (&a, dout);
  arg_view (&a, inp);
  arg_int (&a, B * T);
  arg_int (&a, C);
  st = launch (&a, C, 0);
  if (st != FTC_OK)
    return st;
  a = args_begin (CLBE (base), K_ENCODER_BACKWARD_WPE);
  arg_view (&a, dwpe);
  arg_view (&a, dout);
  arg_int (&a, B);
  arg_int (&a, T);
  arg_int (&a, C);
  return launch (&a, (size_t) T * C, 0);
}

/* Column sums over N rows go in chunks of this many rows (about 64 chunks: enough items to fill a
 * device, few enough partial sums to add up after). */
static int
colsum_rows (int N)
{
  return N > 64 ? (N + 63) / 64 : 1;
}

/* be->colsum holds at least n floats. */
static FtcStatus
ensure_colsum (FtcClBackend *be, size_t n)
{
  cl_int rc = CL_SUCCESS;
  cl_mem mem;

  if (be->colsum != NULL && be->colsum_len >= n)
    return FTC_OK;
  mem = clCreateBuffer (be->rt->context, CL_MEM_READ_WRITE, n * sizeof (float), NULL, &rc);
  if (rc != CL_SUCCESS)
    return rc == CL_INVALID_BUFFER_SIZE || rc == CL_MEM_OBJECT_ALLOCATION_FAILURE || rc == CL_OUT_OF_RESOURCES
             ? out_of_memory (be, "allocating column-sum scratch", n * sizeof (float))
             : check_cl (be, rc, "clCreateBuffer");
  /* in-order queue: kernels still using the old scratch keep it alive */
  if (be->colsum != NULL)
    clReleaseMemObject (be->colsum);
  be->colsum = mem;
  be->colsum_len = n;
  return FTC_OK;
}

/* dst (n) += the sum over chunks of be->colsum[off ..] (chunks,n) */
static FtcStatus
colsum_final (FtcClBackend *be, FtcView dst, size_t off, int chunks, int n)
{
  Args a = args_begin (be, K_COLSUM_FINAL);

  arg_view (&a, dst);
  arg_mem (&a, be->colsum);
  arg_ulong (&a, off);
  arg_int (&a, chunks);
  arg_int (&a, n);
  return launch (&a, n, 0);
}

/* dst (OC) += sum over the N rows of x (N,OC) */
static FtcStatus
colsum (FtcClBackend *be, FtcView dst, FtcView x, int N, int OC)
{
  const int rows = colsum_rows (N), chunks = (N + rows - 1) / rows;
  FtcStatus st = ensure_colsum (be, (size_t) chunks * OC);
  Args a;

  if (st != FTC_OK)
    return st;
  /* 8 columns per item where OC allows: 8-float loads */
  a = args_begin (be, OC % 8 == 0 ? K_COLSUM_PARTIAL8 : K_COLSUM_PARTIAL);
  arg_mem (&a, be->colsum);
  arg_view (&a, x);
  arg_int (&a, N);
  arg_int (&a, OC);
  arg_int (&a, rows);
  st = launch (&a, (size_t) chunks * (OC % 8 == 0 ? OC / 8 : OC), 0);
  return st == FTC_OK ? colsum_final (be, dst, 0, chunks, OC) : st;
}

static FtcStatus
opencl_layernorm_forward (FtcBackend *base, FtcView out, FtcView mean, FtcView rstd,
                          FtcView inp, FtcView weight, FtcView bias, int N, int C)
{
  Args a = args_begin (CLBE (base), row_kernel (CLBE (base), K_LAYERNORM_FORWARD, K_LAYERNORM_FORWARD_ROWS));

  arg_view (&a, out);
  arg_view (&a, mean);
  arg_view (&a, rstd);
  arg_view (&a, inp);
  arg_view (&a, weight);
  arg_view (&a, bias);
  arg_int (&a, N);
  arg_int (&a, C);
  return launch_rows (&a, N);
}

static FtcStatus
opencl_layernorm_backward (FtcBackend *base, FtcView dinp, FtcView dweight, FtcView dbias,
                           FtcView dout, FtcView inp, FtcView weight, FtcView mean, FtcView rstd,
                           int N, int C)
{
  Args a = args_begin (CLBE (base), row_kernel (CLBE (base), K_LAYERNORM_BACKWARD_DINP,
                                                 K_LAYERNORM_BACKWARD_DINP_ROWS));
  FtcStatus st;

  arg_view (&a, dinp);
  arg_view (&a, dout);
  arg_view (&a, inp);
  arg_view (&a, weight);
  arg_view (&a, mean);
  arg_view (&a, rstd);
  arg_int (&a, N);
  arg_int (&a, C);
  st = launch_rows (&a, N);
  if (st != FTC_OK)
    return st;
  {
    FtcClBackend *be = CLBE (base);
    const int rows = colsum_rows (N), chunks = (N + rows - 1) / rows;

    st = ensure_colsum (be, (size_t) 2 * chunks * C);
    if (st != FTC_OK)
      return st;
    /* 8 channels per item where C allows: 8-float loads */
    a = args_begin (be, C % 8 == 0 ? K_LAYERNORM_BACKWARD_PARAMS_PARTIAL8 : K_LAYERNORM_BACKWARD_PARAMS_PARTIAL);
    arg_mem (&a, be->colsum);
    arg_view (&a, dout);
    arg_view (&a, inp);
    arg_view (&a, mean);
    arg_view (&a, rstd);
    arg_int (&a, N);
    arg_int (&a, C);
    arg_int (&a, rows);
    st = launch (&a, (size_t) chunks * (C % 8 == 0 ? C / 8 : C), 0);
    if (st == FTC_OK)
      st = colsum_final (be, dweight, 0, chunks, C);
    if (st == FTC_OK)
      st = colsum_final (be, dbias, (size_t) chunks * C, chunks, C);
    return st;
  }
}

static FtcStatus
bias_add (FtcClBackend *be, FtcView out, FtcView bias, int N, int OC)
{
  /* 8 elements of a row per item where OC allows */
  Args a = args_begin (be, OC % 8 == 0 ? K_BIAS_ADD8 : K_BIAS_ADD);

  arg_view (&a, out);
  arg_view (&a, bias);
  arg_int (&a, N);
  arg_int (&a, OC);
  return launch (&a, OC % 8 == 0 ? (size_t) N * OC / 8 : (size_t) N * OC, 0);
}

static FtcStatus
opencl_matmul_forward (FtcBackend *base, FtcView out, FtcView inp, FtcView weight, FtcView bias,
                       int N, int IC, int OC)
{
  /* out (N,OC) = inp (N,IC) @ weight (OC,IC)^T */
  FtcStatus st = opencl_gemm (base, 0, 1, N, OC, IC, 1.0f, inp, IC, weight, IC, 0.0f, out, OC);

  if (st != FTC_OK || bias.buf == NULL)
    return st;
  return bias_add (CLBE (base), out, bias, N, OC);
}

static FtcStatus
opencl_matmul_backward (FtcBackend *base, FtcView dinp, FtcView dweight, FtcView dbias,
                        FtcView dout, FtcView inp, FtcView weight, int N, int IC, int OC)
{
  FtcStatus st;

  if (dinp.buf != NULL)
    {
      /* dinp (N,IC) += dout (N,OC) @ weight (OC,IC) */
      st = opencl_gemm (base, 0, 0, N, IC, OC, 1.0f, dout, OC, weight, IC, 1.0f, dinp, IC);
      if (st != FTC_OK)
        return st;
    }
  /* dweight (OC,IC) += dout^T (OC,N) @ inp (N,IC) */
  st = opencl_gemm (base, 1, 0, OC, IC, N, 1.0f, dout, OC, inp, IC, 1.0f, dweight, IC);
  if (st != FTC_OK || dbias.buf == NULL)
    return st;
  /* dbias (OC) += sum over the N rows of dout: column sums in two stages */
  return colsum (CLBE (base), dbias, dout, N, OC);
}

/* Moves the axes between src and dst: n elements (for the permute, the first n of qkvr), as n / HS rows of
 * HS contiguous floats, one item each. */
static FtcStatus
attention_layout (FtcClBackend *be, KernelId id, FtcView dst, FtcView src, int B, int T, int NH, int HS,
                  size_t n)
{
  Args a = args_begin (be, id);

  arg_view (&a, dst);
  arg_view (&a, src);
  arg_int (&a, B);
  arg_int (&a, T);
  arg_int (&a, NH);
  arg_int (&a, HS);
  if (id == K_ATTENTION_PERMUTE)
    arg_ulong (&a, n / HS);
  return launch (&a, n / HS, 0);
}

static FtcStatus
attention_softmax (FtcClBackend *be, KernelId id, FtcView d, FtcView att, int rows, int T, float scale)
{
  Args a = args_begin (be, id == K_ATTENTION_SOFTMAX_FORWARD
                                ? row_kernel (be, id, K_ATTENTION_SOFTMAX_FORWARD_ROWS)
                                : row_kernel (be, id, K_ATTENTION_SOFTMAX_BACKWARD_ROWS));

  arg_view (&a, d);
  if (id == K_ATTENTION_SOFTMAX_BACKWARD)
    arg_view (&a, att);
  arg_int (&a, rows);
  arg_int (&a, T);
  arg_float (&a, scale);
  return launch_rows (&a, rows);
}

static FtcStatus
opencl_attention_forward (FtcBackend *base, FtcView out, FtcView qkvr, FtcView att, FtcView inp,
                          int B, int T, int C, int NH)
{
  FtcClBackend *be = CLBE (base);
  const int HS = C / NH;
  const size_t per = (size_t) B * T * C;
  const size_t tt = (size_t) T * T, ths = (size_t) T * HS;
  FtcView q = qkvr, k = ftc_view_at (qkvr, per), v = ftc_view_at (qkvr, 2 * per);
  FtcStatus st;

  if (3 * per >= ((size_t) 1 << 31))
    return fail (be, FTC_ERR_UNSUPPORTED, "attention: 3*B*T*C = %zu elements exceeds the kernels' 32-bit "
                 "indexing; try a smaller batch", 3 * per);

  st = attention_layout (be, K_ATTENTION_PERMUTE, qkvr, inp, B, T, NH, HS, 3 * per);
  /* preatt (B*NH: T,T) = q (T,HS) @ k^T, into att; the softmax scales and masks it in place */
  if (st == FTC_OK)
    st = opencl_gemm_strided_batched (base, 0, 1, T, T, HS, 1.0f, q, HS, ths, k, HS, ths,
                                      0.0f, att, T, tt, B * NH);
  if (st == FTC_OK)
    st = attention_softmax (be, K_ATTENTION_SOFTMAX_FORWARD, att, att, B * NH * T, T,
                            1.0f / sqrtf ((float) HS));
  /* vaccum (B,NH,T,HS) = att (T,T) @ v (T,HS), one batched call, parked in q's slot (contiguous, which
   * CLBlast runs faster than four per-head calls writing out's interleaved rows); its heads merged into
   * out (B,T,NH,HS); then q is permuted again from inp, as the backward needs it */
  if (st == FTC_OK)
    st = opencl_gemm_strided_batched (base, 0, 0, T, HS, T, 1.0f, att, T, tt, v, HS, ths,
                                      0.0f, q, HS, ths, B * NH);
  if (st == FTC_OK)
    st = attention_layout (be, K_ATTENTION_MERGE_HEADS, out, q, B, T, NH, HS, per);
  if (st == FTC_OK)
    st = attention_layout (be, K_ATTENTION_PERMUTE, qkvr, inp, B, T, NH, HS, per);
  return st;
}

/* dinp (B,T,3C) += (accumulate) or = the gradient of attention's input */
static FtcStatus
attention_backward (FtcBackend *base, FtcView dinp, FtcView dqkvr, FtcView datt, FtcView scratch,
                    FtcView dout, FtcView qkvr, FtcView att, int B, int T, int C, int NH, int accumulate)
{
  FtcClBackend *be = CLBE (base);
  const int HS = C / NH;
  const size_t per = (size_t) B * T * C;
  const size_t tt = (size_t) T * T, ths = (size_t) T * HS;
  const int batch = B * NH;
  FtcView q = qkvr, k = ftc_view_at (qkvr, per), v = ftc_view_at (qkvr, 2 * per);
  FtcView dq = dqkvr, dk = ftc_view_at (dqkvr, per), dv = ftc_view_at (dqkvr, 2 * per);
  FtcStatus st;

  if (3 * per >= ((size_t) 1 << 31))
    return fail (be, FTC_ERR_UNSUPPORTED, "attention: 3*B*T*C = %zu elements exceeds the kernels' 32-bit "
                 "indexing; try a smaller batch", 3 * per);

  /* dvaccum (B,NH,T,HS) = dout (B,T,NH,HS) with the heads split out, in scratch */
  st = attention_layout (be, K_ATTENTION_SPLIT_HEADS, scratch, dout, B, T, NH, HS, per);
  /* forward: vaccum = att @ v.  datt = dvaccum @ v^T;  dv = att^T @ dvaccum */
  if (st == FTC_OK)
    st = opencl_gemm_strided_batched (base, 0, 1, T, T, HS, 1.0f, scratch, HS, ths, v, HS, ths,
                                      0.0f, datt, T, tt, batch);
  if (st == FTC_OK)
    st = opencl_gemm_strided_batched (base, 1, 0, T, HS, T, 1.0f, att, T, tt, scratch, HS, ths,
                                      0.0f, dv, HS, ths, batch);
  /* forward: att = softmax(scale * preatt) causal.  datt becomes dpreatt in place */
  if (st == FTC_OK)
    st = attention_softmax (be, K_ATTENTION_SOFTMAX_BACKWARD, datt, att, batch * T, T,
                            1.0f / sqrtf ((float) HS));
  /* forward: preatt = q @ k^T.  dq = dpreatt @ k;  dk = dpreatt^T @ q */
  if (st == FTC_OK)
    st = opencl_gemm_strided_batched (base, 0, 0, T, HS, T, 1.0f, datt, T, tt, k, HS, ths,
                                      0.0f, dq, HS, ths, batch);
  if (st == FTC_OK)
    st = opencl_gemm_strided_batched (base, 1, 0, T, HS, T, 1.0f, datt, T, tt, q, HS, ths,
                                      0.0f, dk, HS, ths, batch);
  /* forward: qkvr = permute(inp).  dinp (+)= unpermute(dqkvr) */
  if (st == FTC_OK)
    st = attention_layout (be, accumulate ? K_ATTENTION_UNPERMUTE_ADD : K_ATTENTION_UNPERMUTE, dinp, dqkvr,
                           B, T, NH, HS, 3 * per);
  return st;
}

static FtcStatus
opencl_attention_backward (FtcBackend *base, FtcView dinp, FtcView dqkvr, FtcView datt, FtcView scratch,
                           FtcView dout, FtcView qkvr, FtcView att, int B, int T, int C, int NH)
{
  return attention_backward (base, dinp, dqkvr, datt, scratch, dout, qkvr, att, B, T, C, NH, 1);
}

static FtcStatus
opencl_attention_backward_set (FtcBackend *base, FtcView dinp, FtcView dqkvr, FtcView datt, FtcView scratch,
                               FtcView dout, FtcView qkvr, FtcView att, int B, int T, int C, int NH)
{
  return attention_backward (base, dinp, dqkvr, datt, scratch, dout, qkvr, att, B, T, C, NH, 0);
}

static FtcStatus
elementwise2 (FtcClBackend *be, KernelId id, FtcView out, FtcView x, size_t N)
{
  Args a = args_begin (be, id);

  arg_view (&a, out);
  arg_view (&a, x);
  arg_ulong (&a, N);
  return launch (&a, N, 0);
}

/* A kernel over N elements, 8 per item. */
static FtcStatus
elementwise3_by8 (FtcClBackend *be, KernelId id, FtcView out, FtcView x, FtcView y, size_t N)
{
  Args a = args_begin (be, id);

  arg_view (&a, out);
  arg_view (&a, x);
  arg_view (&a, y);
  arg_ulong (&a, N);
  return launch (&a, (N + 7) / 8, 0);
}

static FtcStatus
opencl_gelu_forward (FtcBackend *base, FtcView out, FtcView inp, size_t N)
{
  Args a = args_begin (CLBE (base), K_GELU_FORWARD8);

  /* 8 elements per item */
  arg_view (&a, out);
  arg_view (&a, inp);
  arg_ulong (&a, N);
  return launch (&a, (N + 7) / 8, 0);
}

/* dinp (N) += (accumulate) or = gelu'(inp) * dout; 8 elements per item */
static FtcStatus
gelu_backward (FtcClBackend *be, FtcView dinp, FtcView inp, FtcView dout, size_t N, int accumulate)
{
  Args a = args_begin (be, K_GELU_BACKWARD8);

  arg_view (&a, dinp);
  arg_view (&a, inp);
  arg_view (&a, dout);
  arg_ulong (&a, N);
  arg_int (&a, accumulate);
  return launch (&a, (N + 7) / 8, 0);
}

static FtcStatus
opencl_gelu_backward (FtcBackend *base, FtcView dinp, FtcView inp, FtcView dout, size_t N)
{
  return gelu_backward (CLBE (base), dinp, inp, dout, N, 1);
}

static FtcStatus
opencl_gelu_backward_set (FtcBackend *base, FtcView dinp, FtcView inp, FtcView dout, size_t N)
{
  return gelu_backward (CLBE (base), dinp, inp, dout, N, 0);
}

static FtcStatus
opencl_residual_forward (FtcBackend *base, FtcView out, FtcView a, FtcView b, size_t N)
{
  return elementwise3_by8 (CLBE (base), K_RESIDUAL_FORWARD, out, a, b, N);
}

static FtcStatus
opencl_accumulate (FtcBackend *base, FtcView dst, FtcView src, size_t N)
{
  return elementwise2 (CLBE (base), K_ACCUMULATE, dst, src, N);
}

static FtcStatus
opencl_crossentropy_forward (FtcBackend *base, FtcView losses, FtcView logits, FtcView targets,
                             FtcView weights, int N, int V, int Vp, int write_grad)
{
  Args a = args_begin (CLBE (base), row_kernel (CLBE (base), K_CROSSENTROPY_FORWARD,
                                                 K_CROSSENTROPY_FORWARD_ROWS));
  const int has_weights = weights.buf != NULL;

  arg_view (&a, losses);
  arg_view (&a, logits);
  arg_view (&a, targets);
  /* without weights any valid buffer fills the slot; the kernel does not read it */
  arg_view (&a, has_weights ? weights : losses);
  arg_int (&a, has_weights);
  arg_int (&a, N);
  arg_int (&a, V);
  arg_int (&a, Vp);
  arg_int (&a, write_grad);
  return launch_rows (&a, N);
}

static FtcStatus
opencl_norm_squared (FtcBackend *base, FtcView out, FtcView x, size_t N)
{
  FtcClBackend *be = CLBE (base);
  size_t groups = (N + be->wg - 1) / be->wg;
  Args a;
  FtcStatus st;

  if (groups > NORM_MAX_GROUPS)
    groups = NORM_MAX_GROUPS;
  if (groups == 0)
    groups = 1;
  if (be->row_items)
    {
      /* CPU drivers: one item per contiguous chunk, no barriers */
      a = args_begin (be, K_NORM_PARTIAL_CHUNKS);
      arg_mem (&a, be->norm_partial);
      arg_view (&a, x);
      arg_ulong (&a, N);
      arg_int (&a, (int) groups);
      st = launch (&a, groups, 0);
    }
  else
    {
      a = args_begin (be, K_NORM_PARTIAL);
      arg_mem (&a, be->norm_partial);
      arg_view (&a, x);
      arg_ulong (&a, N);
      st = launch (&a, groups * be->wg, be->wg);
    }
  if (st != FTC_OK)
    return st;
  a = args_begin (be, K_NORM_FINAL);
  arg_view (&a, out);
  arg_mem (&a, be->norm_partial);
  arg_int (&a, (int) groups);
  return launch (&a, be->wg, be->wg);
}

static FtcStatus
opencl_scale (FtcBackend *base, FtcView x, float s, size_t N)
{
  Args a = args_begin (CLBE (base), K_SCALE);

  arg_view (&a, x);
  arg_float (&a, s);
  arg_ulong (&a, N);
  return launch (&a, N, 0);
}

static FtcStatus
opencl_adamw_update (FtcBackend *base, FtcView params, FtcView grads, FtcView m, FtcView v, size_t N,
                     float lr, float beta1, float beta2, float eps, float weight_decay,
                     float grad_scale, int step)
{
  Args a = args_begin (CLBE (base), K_ADAMW_UPDATE);
  /* bias corrections in double on the host: beta^step underflows nothing here, and the kernel stays simple */
  const float bc1 = (float) (1.0 - pow (beta1, step));
  const float bc2 = (float) (1.0 - pow (beta2, step));

  arg_view (&a, params);
  arg_view (&a, grads);
  arg_view (&a, m);
  arg_view (&a, v);
  arg_ulong (&a, N);
  arg_float (&a, lr);
  arg_float (&a, beta1);
  arg_float (&a, beta2);
  arg_float (&a, eps);
  arg_float (&a, weight_decay);
  arg_float (&a, grad_scale);
  arg_float (&a, bc1);
  arg_float (&a, bc2);
  return launch (&a, (N + 7) / 8, 0);   /* 8 parameters per item */
}

/* ---- KV-cache generation ---- */

static FtcStatus
opencl_encoder_forward_pos (FtcBackend *base, FtcView out, FtcView inp, FtcView pos, FtcView wte, FtcView wpe,
                            int B, int T, int C)
{
  Args a = args_begin (CLBE (base), K_ENCODER_FORWARD_POS);

  arg_view (&a, out);   /* (B,T,C) */
  arg_view (&a, inp);   /* (B,T) int32 */
  arg_view (&a, pos);   /* (B) int32 */
  arg_view (&a, wte);   /* (V,C) */
  arg_view (&a, wpe);   /* (maxT,C) */
  arg_int (&a, B);
  arg_int (&a, T);
  arg_int (&a, C);
  return launch (&a, (size_t) B * T * C, 0);
}

static FtcStatus
opencl_attention_forward_cached (FtcBackend *base, FtcView out, FtcView kcache, FtcView vcache, FtcView att,
                                 FtcView qkv, FtcView pos, int B, int T, int C, int NH, int Tc)
{
  FtcClBackend *be = CLBE (base);
  const int HS = C / NH;
  Args a = args_begin (be, K_KV_CACHE_WRITE);
  FtcStatus st;

  /* the new keys and values go in first: token t also attends to the tokens before it in this call */
  arg_view (&a, kcache);   /* (B,NH,Tc,HS) */
  arg_view (&a, vcache);   /* (B,NH,Tc,HS) */
  arg_view (&a, qkv);      /* (B,T,3C) */
  arg_view (&a, pos);      /* (B) int32 */
  arg_int (&a, B);
  arg_int (&a, T);
  arg_int (&a, NH);
  arg_int (&a, HS);
  arg_int (&a, Tc);
  st = launch (&a, (size_t) B * T * NH, 0);
  if (st != FTC_OK)
    return st;
  a = args_begin (be, K_ATTENTION_CACHED);
  arg_view (&a, out);      /* (B,T,C) */
  arg_view (&a, kcache);
  arg_view (&a, vcache);
  arg_view (&a, att);      /* (B,NH,T,Tc) scratch */
  arg_view (&a, qkv);
  arg_view (&a, pos);
  arg_int (&a, B);
  arg_int (&a, T);
  arg_int (&a, NH);
  arg_int (&a, HS);
  arg_int (&a, Tc);
  arg_float (&a, 1.0f / sqrtf ((float) HS));
  return launch (&a, (size_t) B * NH * T, 0);
}

/* ---- LLaMA-family layers ---- */

static FtcStatus
opencl_embedding_forward (FtcBackend *base, FtcView out, FtcView inp, FtcView wte, int N, int C)
{
  Args a = args_begin (CLBE (base), K_EMBEDDING_FORWARD);

  arg_view (&a, out);   /* (N,C) */
  arg_view (&a, inp);   /* (N) int32 */
  arg_view (&a, wte);   /* (V,C) */
  arg_int (&a, N);
  arg_int (&a, C);
  return launch (&a, (size_t) N * C, 0);
}

static FtcStatus
opencl_embedding_backward (FtcBackend *base, FtcView dwte, FtcView dout, FtcView inp, int N, int C)
{
  /* encoder.cl's scatter: one item per channel walks every token in order (no atomics, fixed sums) */
  Args a = args_begin (CLBE (base), K_ENCODER_BACKWARD_WTE);

  arg_view (&a, dwte);
  arg_view (&a, dout);
  arg_view (&a, inp);
  arg_int (&a, N);
  arg_int (&a, C);
  return launch (&a, C, 0);
}

static FtcStatus
opencl_rmsnorm_forward (FtcBackend *base, FtcView out, FtcView rstd, FtcView inp, FtcView weight, int N, int C,
                        float eps)
{
  Args a = args_begin (CLBE (base), row_kernel (CLBE (base), K_RMSNORM_FORWARD, K_RMSNORM_FORWARD_ROWS));

  arg_view (&a, out);
  arg_view (&a, rstd);
  arg_view (&a, inp);
  arg_view (&a, weight);
  arg_int (&a, N);
  arg_int (&a, C);
  arg_float (&a, eps);
  return launch_rows (&a, N);
}

static FtcStatus
opencl_rmsnorm_backward (FtcBackend *base, FtcView dinp, FtcView dweight, FtcView dout, FtcView inp,
                         FtcView weight, FtcView rstd, int N, int C, int accumulate)
{
  FtcClBackend *be = CLBE (base);
  const int rows = colsum_rows (N), chunks = (N + rows - 1) / rows;
  Args a = args_begin (be, row_kernel (be, K_RMSNORM_BACKWARD_DINP, K_RMSNORM_BACKWARD_DINP_ROWS));
  FtcStatus st;

  arg_view (&a, dinp);
  arg_view (&a, dout);
  arg_view (&a, inp);
  arg_view (&a, weight);
  arg_view (&a, rstd);
  arg_int (&a, N);
  arg_int (&a, C);
  arg_int (&a, accumulate);
  st = launch_rows (&a, N);
  if (st == FTC_OK)
    st = ensure_colsum (be, (size_t) chunks * C);
  if (st != FTC_OK)
    return st;
  /* dweight (C) += sum over rows of dout * inp * rstd, in two stages */
  a = args_begin (be, K_RMSNORM_BACKWARD_WEIGHT_PARTIAL);
  arg_mem (&a, be->colsum);
  arg_view (&a, dout);
  arg_view (&a, inp);
  arg_view (&a, rstd);
  arg_int (&a, N);
  arg_int (&a, C);
  arg_int (&a, rows);
  st = launch (&a, (size_t) chunks * C, 0);
  return st == FTC_OK ? colsum_final (be, dweight, 0, chunks, C) : st;
}

static FtcStatus
qkv_permute (FtcClBackend *be, KernelId id, FtcView dst, FtcView src, int B, int T, int NH, int NKV, int D)
{
  Args a = args_begin (be, id);

  arg_view (&a, dst);
  arg_view (&a, src);
  arg_int (&a, B);
  arg_int (&a, T);
  arg_int (&a, NH);
  arg_int (&a, NKV);
  arg_int (&a, D);
  return launch (&a, (size_t) B * T * (NH + 2 * NKV) * D, 0);
}

static FtcStatus
opencl_qkv_permute_forward (FtcBackend *base, FtcView qkvr, FtcView qkv, int B, int T, int NH, int NKV, int D)
{
  return qkv_permute (CLBE (base), K_QKV_PERMUTE_FORWARD, qkvr, qkv, B, T, NH, NKV, D);
}

static FtcStatus
opencl_qkv_permute_backward_set (FtcBackend *base, FtcView dqkv, FtcView dqkvr, int B, int T, int NH, int NKV,
                                 int D)
{
  return qkv_permute (CLBE (base), K_QKV_PERMUTE_BACKWARD, dqkv, dqkvr, B, T, NH, NKV, D);
}

static FtcStatus
opencl_rope (FtcBackend *base, FtcView out, FtcView inp, FtcView table, FtcView pos, int B, int H, int T, int D,
             int P, int inverse)
{
  Args a = args_begin (CLBE (base), K_ROPE);

  arg_view (&a, out);     /* (B,H,T,D) */
  arg_view (&a, inp);
  arg_view (&a, table);   /* (P,D) */
  /* without pos any valid buffer fills the slot; the kernel does not read it */
  arg_view (&a, pos.buf != NULL ? pos : table);
  arg_int (&a, pos.buf != NULL);
  arg_int (&a, B);
  arg_int (&a, H);
  arg_int (&a, T);
  arg_int (&a, D);
  arg_int (&a, P);
  arg_int (&a, inverse);
  return launch (&a, (size_t) B * H * T * (D / 2), 0);
}

/* The G = NH/NKV query heads of a key/value head: for g < G, one batched product over the B*NKV key/value
 * heads pairs query head kvh*G + g with key/value head kvh (query and score matrices G apart). */
static FtcStatus
opencl_gqa_attention_forward (FtcBackend *base, FtcView out, FtcView att, FtcView scratch, FtcView qkvr,
                              int B, int T, int NH, int NKV, int D)
{
  FtcClBackend *be = CLBE (base);
  const int G = NH / NKV, batch = B * NKV;
  const size_t Q = (size_t) B * NH * T * D, K = (size_t) B * NKV * T * D;
  const size_t td = (size_t) T * D, tt = (size_t) T * T;
  FtcView q = qkvr, k = ftc_view_at (qkvr, Q), v = ftc_view_at (qkvr, Q + K);
  FtcStatus st = FTC_OK;

  if (Q + 2 * K >= ((size_t) 1 << 31) || (size_t) B * NH * tt >= ((size_t) 1 << 31))
    return fail (be, FTC_ERR_UNSUPPORTED, "attention: %zu elements exceed the kernels' 32-bit indexing; try a "
                 "smaller batch", Q + 2 * K);
  /* preatt (T,T) = q @ k^T per head, into att; the softmax scales and masks it in place */
  for (int g = 0; g < G && st == FTC_OK; g++)
    st = opencl_gemm_strided_batched (base, 0, 1, T, T, D, 1.0f, ftc_view_at (q, g * td), D, G * td, k, D, td,
                                      0.0f, ftc_view_at (att, g * tt), T, G * tt, batch);
  if (st == FTC_OK)
    st = attention_softmax (be, K_ATTENTION_SOFTMAX_FORWARD, att, att, B * NH * T, T, 1.0f / sqrtf ((float) D));
  /* y (B,NH,T,D) = att @ v in scratch, then its heads merged into out (B,T,NH*D) */
  for (int g = 0; g < G && st == FTC_OK; g++)
    st = opencl_gemm_strided_batched (base, 0, 0, T, D, T, 1.0f, ftc_view_at (att, g * tt), T, G * tt, v, D, td,
                                      0.0f, ftc_view_at (scratch, g * td), D, G * td, batch);
  if (st == FTC_OK)
    st = attention_layout (be, K_ATTENTION_MERGE_HEADS, out, scratch, B, T, NH, D, (size_t) B * NH * td);
  return st;
}

static FtcStatus
opencl_gqa_attention_backward_set (FtcBackend *base, FtcView dqkvr, FtcView datt, FtcView scratch, FtcView dout,
                                   FtcView qkvr, FtcView att, int B, int T, int NH, int NKV, int D)
{
  FtcClBackend *be = CLBE (base);
  const int G = NH / NKV, batch = B * NKV;
  const size_t Q = (size_t) B * NH * T * D, K = (size_t) B * NKV * T * D;
  const size_t td = (size_t) T * D, tt = (size_t) T * T;
  FtcView q = qkvr, k = ftc_view_at (qkvr, Q), v = ftc_view_at (qkvr, Q + K);
  FtcView dq = dqkvr, dk = ftc_view_at (dqkvr, Q), dv = ftc_view_at (dqkvr, Q + K);
  FtcStatus st;

  if (Q + 2 * K >= ((size_t) 1 << 31) || (size_t) B * NH * tt >= ((size_t) 1 << 31))
    return fail (be, FTC_ERR_UNSUPPORTED, "attention: %zu elements exceed the kernels' 32-bit indexing; try a "
                 "smaller batch", Q + 2 * K);
  /* dy (B,NH,T,D) = dout with the heads split out, in scratch */
  st = attention_layout (be, K_ATTENTION_SPLIT_HEADS, scratch, dout, B, T, NH, D, Q);
  /* forward: y = att @ v.  datt = dy @ v^T;  dv = sum over the group of att^T @ dy */
  for (int g = 0; g < G && st == FTC_OK; g++)
    {
      st = opencl_gemm_strided_batched (base, 0, 1, T, T, D, 1.0f, ftc_view_at (scratch, g * td), D, G * td,
                                        v, D, td, 0.0f, ftc_view_at (datt, g * tt), T, G * tt, batch);
      if (st == FTC_OK)
        st = opencl_gemm_strided_batched (base, 1, 0, T, D, T, 1.0f, ftc_view_at (att, g * tt), T, G * tt,
                                          ftc_view_at (scratch, g * td), D, G * td, g == 0 ? 0.0f : 1.0f,
                                          dv, D, td, batch);
    }
  /* forward: att = softmax(scale * preatt), causal.  datt becomes dpreatt in place */
  if (st == FTC_OK)
    st = attention_softmax (be, K_ATTENTION_SOFTMAX_BACKWARD, datt, att, B * NH * T, T, 1.0f / sqrtf ((float) D));
  /* forward: preatt = q @ k^T.  dq = dpreatt @ k;  dk = sum over the group of dpreatt^T @ q */
  for (int g = 0; g < G && st == FTC_OK; g++)
    {
      st = opencl_gemm_strided_batched (base, 0, 0, T, D, T, 1.0f, ftc_view_at (datt, g * tt), T, G * tt, k, D, td,
                                        0.0f, ftc_view_at (dq, g * td), D, G * td, batch);
      if (st == FTC_OK)
        st = opencl_gemm_strided_batched (base, 1, 0, T, D, T, 1.0f, ftc_view_at (datt, g * tt), T, G * tt,
                                          ftc_view_at (q, g * td), D, G * td, g == 0 ? 0.0f : 1.0f, dk, D, td,
                                          batch);
    }
  return st;
}

static FtcStatus
opencl_swiglu_forward (FtcBackend *base, FtcView out, FtcView inp, int N, int I)
{
  Args a = args_begin (CLBE (base), K_SWIGLU_FORWARD);

  arg_view (&a, out);   /* (N,I) */
  arg_view (&a, inp);   /* (N,2I) */
  arg_int (&a, N);
  arg_int (&a, I);
  return launch (&a, (size_t) N * I, 0);
}

static FtcStatus
opencl_swiglu_backward_set (FtcBackend *base, FtcView dinp, FtcView inp, FtcView dout, int N, int I)
{
  Args a = args_begin (CLBE (base), K_SWIGLU_BACKWARD);

  arg_view (&a, dinp);  /* (N,2I) */
  arg_view (&a, inp);   /* (N,2I) */
  arg_view (&a, dout);  /* (N,I) */
  arg_int (&a, N);
  arg_int (&a, I);
  return launch (&a, (size_t) N * I, 0);
}

static FtcStatus
opencl_gqa_attention_forward_cached (FtcBackend *base, FtcView out, FtcView kcache, FtcView vcache, FtcView att,
                                     FtcView qkvr, FtcView pos, int B, int T, int NH, int NKV, int D, int Tc)
{
  FtcClBackend *be = CLBE (base);
  Args a = args_begin (be, K_GQA_CACHE_WRITE);
  FtcStatus st;

  /* the new keys and values go in first: token t also attends to the tokens before it in this call */
  arg_view (&a, kcache);   /* (B,NKV,Tc,D) */
  arg_view (&a, vcache);
  arg_view (&a, qkvr);     /* planes of the T new tokens */
  arg_view (&a, pos);      /* (B) int32 */
  arg_int (&a, B);
  arg_int (&a, T);
  arg_int (&a, NH);
  arg_int (&a, NKV);
  arg_int (&a, D);
  arg_int (&a, Tc);
  st = launch (&a, (size_t) B * NKV * T * D, 0);
  if (st != FTC_OK)
    return st;
  a = args_begin (be, K_GQA_ATTENTION_CACHED);
  arg_view (&a, out);      /* (B,T,NH*D) */
  arg_view (&a, kcache);
  arg_view (&a, vcache);
  arg_view (&a, att);      /* (B,NH,T,Tc) scratch */
  arg_view (&a, qkvr);
  arg_view (&a, pos);
  arg_int (&a, B);
  arg_int (&a, T);
  arg_int (&a, NH);
  arg_int (&a, NKV);
  arg_int (&a, D);
  arg_int (&a, Tc);
  arg_float (&a, 1.0f / sqrtf ((float) D));
  return launch (&a, (size_t) B * NH * T, 0);
}

static const FtcBackendClass opencl_class = {
  .name = "opencl",
  .free_backend = opencl_free_backend,
  .finish = opencl_finish,
  .buf_new = opencl_buf_new,
  .buf_free = opencl_buf_free,
  .buf_write = opencl_buf_write,
  .buf_read = opencl_buf_read,
  .buf_fill = opencl_buf_fill,
  .buf_copy = opencl_buf_copy,
  .gemm = opencl_gemm,
  .gemm_strided_batched = opencl_gemm_strided_batched,
  .encoder_forward = opencl_encoder_forward,
  .encoder_backward = opencl_encoder_backward,
  .layernorm_forward = opencl_layernorm_forward,
  .layernorm_backward = opencl_layernorm_backward,
  .matmul_forward = opencl_matmul_forward,
  .matmul_backward = opencl_matmul_backward,
  .attention_forward = opencl_attention_forward,
  .attention_backward = opencl_attention_backward,
  .attention_backward_set = opencl_attention_backward_set,
  .gelu_forward = opencl_gelu_forward,
  .gelu_backward = opencl_gelu_backward,
  .gelu_backward_set = opencl_gelu_backward_set,
  .residual_forward = opencl_residual_forward,
  .accumulate = opencl_accumulate,
  .crossentropy_forward = opencl_crossentropy_forward,
  .norm_squared = opencl_norm_squared,
  .scale = opencl_scale,
  .adamw_update = opencl_adamw_update,
  .encoder_forward_pos = opencl_encoder_forward_pos,
  .attention_forward_cached = opencl_attention_forward_cached,
  .embedding_forward = opencl_embedding_forward,
  .embedding_backward = opencl_embedding_backward,
  .rmsnorm_forward = opencl_rmsnorm_forward,
  .rmsnorm_backward = opencl_rmsnorm_backward,
  .qkv_permute_forward = opencl_qkv_permute_forward,
  .qkv_permute_backward_set = opencl_qkv_permute_backward_set,
  .rope = opencl_rope,
  .gqa_attention_forward = opencl_gqa_attention_forward,
  .gqa_attention_backward_set = opencl_gqa_attention_backward_set,
  .swiglu_forward = opencl_swiglu_forward,
  .swiglu_backward_set = opencl_swiglu_backward_set,
  .gqa_attention_forward_cached = opencl_gqa_attention_forward_cached,
};

int
ftc_opencl_profiling (FtcBackend *base)
{
  return ftc_backend_is_opencl (base) && CLBE (base)->rt->profiling;
}

void
ftc_opencl_profile_reset (FtcBackend *base)
{
  FtcClBackend *be = CLBE (base);

  if (!ftc_backend_is_opencl (base))
    return;
  clFinish (be->rt->queue);
  memset (be->profile_ms, 0, sizeof be->profile_ms);
  memset (be->profile_calls, 0, sizeof be->profile_calls);
  be->n_profile_shapes = 0;
}

static const char *
profile_name (int k)
{
  return k == P_SGEMM ? "CLBlastSgemm" : k == P_SGEMM_BATCHED ? "CLBlastSgemmStridedBatched"
         : kernel_descs[k].kernel;
}

void
ftc_opencl_profile_report (FtcBackend *base, char *buf, size_t len)
{
  FtcClBackend *be = CLBE (base);
  int order[P_COUNT > MAX_PROFILE_SHAPES ? P_COUNT : MAX_PROFILE_SHAPES], n = 0;
  size_t used = 0;
  double total = 0;

  if (len == 0)
    return;
  buf[0] = '\0';
  if (!ftc_backend_is_opencl (base))
    return;
#define APPEND(...) do { if (used < len) used += snprintf (buf + used, len - used, __VA_ARGS__); } while (0)
  for (int i = 0; i < P_COUNT; i++)
    if (be->profile_calls[i] > 0)
      {
        order[n++] = i;
        total += be->profile_ms[i];
      }
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && be->profile_ms[order[j]] > be->profile_ms[order[j - 1]]; j--)
      {
        int t = order[j];
        order[j] = order[j - 1];
        order[j - 1] = t;
      }
  for (int i = 0; i < n; i++)
    {
      const int k = order[i];
      APPEND ("%-34s %10.1f ms %5.1f%% %7ld calls\n", profile_name (k), be->profile_ms[k],
              total > 0 ? 100 * be->profile_ms[k] / total : 0, be->profile_calls[k]);
    }
  APPEND ("%-34s %10.1f ms\n", "total", total);
  if (be->n_profile_shapes == 0)
    return;
  /* CLBlast calls by shape, busiest first, with their rate */
  n = be->n_profile_shapes;
  for (int i = 0; i < n; i++)
    order[i] = i;
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && be->profile_shapes[order[j]].ms > be->profile_shapes[order[j - 1]].ms; j--)
      {
        int t = order[j];
        order[j] = order[j - 1];
        order[j - 1] = t;
      }
  APPEND ("CLBlast calls by shape (row-major, as CLBlast was called: products that our transposes turned into\n"
          "A^T B show as TN, weight gradients as their K chunks; wall time including CLBlast's own copy kernels,\n"
          "and the time of the call's last kernel, the product itself where it writes C directly; transp.: our\n"
          "operand transposes before a product, by its shape as asked):\n");
  for (int i = 0; i < n; i++)
    {
      const typeof (be->profile_shapes[0]) *p = &be->profile_shapes[order[i]];
      const double flops = 2.0 * p->M * p->N * p->K * p->batch * p->calls;
      if (p->routine == 't')   /* the operand transposes before a product of this shape */
        APPEND ("  %-7s %c%c M=%-5d N=%-5d K=%-5d batch=%-4d %9.1f ms %26ld calls\n", "transp.",
                p->ta ? 'T' : 'N', p->tb ? 'T' : 'N', p->M, p->N, p->K, p->batch, p->ms, p->calls);
      else
        APPEND ("  %-7s %c%c M=%-5d N=%-5d K=%-5d batch=%-4d %9.1f ms (last kernel %8.1f) %5ld calls %6.1f GFLOP/s\n",
                p->routine == 'g' ? "gemm" : "batched",
                p->ta ? 'T' : 'N', p->tb ? 'T' : 'N', p->M, p->N, p->K, p->batch, p->ms, p->last_ms, p->calls,
                p->ms > 0 ? flops / (p->ms * 1e6) : 0);
    }
#undef APPEND
}

/* ---- construction ---- */

FtcStatus
ftc_opencl_backend_new (int device_index, FtcBackend **out, char *err, size_t err_len)
{
  FtcClBackend *be;
  FtcClRuntime *rt = NULL;
  FtcStatus st;
  cl_int rc = CL_SUCCESS;

  *out = NULL;
  st = ftc_cl_runtime_open (device_index, &rt, err, err_len);
  if (st != FTC_OK)
    return st;
  be = calloc (1, sizeof *be);
  if (be == NULL)
    {
      ftc_cl_runtime_free (rt);
      return FTC_ERR_HOST_MEMORY;
    }
  be->parent.klass = &opencl_class;
  be->parent.device = rt->info;
  be->rt = rt;
  /* reductions: a power of two the device allows, at most 64 */
  be->wg = 64;
  while (be->wg > 1 && be->wg > rt->max_work_group_size)
    be->wg /= 2;
  be->elem_wg = rt->max_work_group_size < 256 ? rt->max_work_group_size : 256;
  {
    cl_uint align_bits = 0;

    if (clGetDeviceInfo (rt->device, CL_DEVICE_MEM_BASE_ADDR_ALIGN, sizeof align_bits, &align_bits, NULL)
        == CL_SUCCESS && align_bits >= 32)
      be->base_align_floats = align_bits / 32;
  }
  if (getenv ("FTCOT_CL_ELEM_WG") != NULL && atoi (getenv ("FTCOT_CL_ELEM_WG")) > 0)
    be->elem_wg = (size_t) atoi (getenv ("FTCOT_CL_ELEM_WG"));
  snprintf (be->options, sizeof be->options, "-cl-std=CL1.2 -DFTC_WG=%zu", be->wg);
  /* CPU drivers run barrier-free row loops faster; GPUs want a work-group per row.
   * $FTCOT_CL_ROW_KERNELS=items|groups overrides (the tests run both). */
  be->row_items = !rt->info.is_gpu;
  if (getenv ("FTCOT_CL_ROW_KERNELS") != NULL)
    be->row_items = strcmp (getenv ("FTCOT_CL_ROW_KERNELS"), "items") == 0;
  be->norm_partial = clCreateBuffer (rt->context, CL_MEM_READ_WRITE, NORM_MAX_GROUPS * sizeof (float), NULL,
                                     &rc);
  if (rc != CL_SUCCESS)
    {
      if (err != NULL && err_len > 0)
        snprintf (err, err_len, "opencl:%d: clCreateBuffer failed: %s", device_index, ftc_cl_error_name (rc));
      opencl_free_backend (&be->parent);
      return FTC_ERR_DEVICE;
    }
  ftc_cl_tuning_apply_startup (rt, &be->tuning);
  *out = &be->parent;
  return FTC_OK;
}
