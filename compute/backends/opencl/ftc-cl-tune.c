/* ftc-cl-tune.c: CLBlast GEMM tuning for the opencl backend: where a backend's parameters come from at
 * start-up (tuned file, built-in set, CLBlast's database), setting them, the GPT-2 training shapes, timing
 * GEMMs through the public op interface, and the search `ftcot tune` runs. */
#include "compute/backends/opencl/ftc-cl-tune.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compute/ftc-backend-private.h"
#include "compute/backends/opencl/ftc-cl-gemm.h"

const char *
ftc_cl_tuning_source_name (FtcClTuningSource source)
{
  switch (source)
    {
    case FTC_CL_TUNING_CLBLAST: return "clblast-default";
    case FTC_CL_TUNING_BUILTIN: return "built-in";
    case FTC_CL_TUNING_FILE: return "tuned-file";
    case FTC_CL_TUNING_EXPLICIT: return "explicit";
    }
  return "unknown";
}

/* Read when a backend opens; atomic, since backends may open on several threads. */
static int tuning_enabled = 1;

void
ftc_opencl_set_tuning_enabled (int enabled)
{
  __atomic_store_n (&tuning_enabled, enabled != 0, __ATOMIC_SEQ_CST);
}

FtcClTuningSource
ftc_opencl_gemm_params (FtcBackend *be, FtcClGemmParams *params)
{
  const FtcClTuning *t = ftc_opencl_backend_tuning (be);

  if (t == NULL)
    return FTC_CL_TUNING_CLBLAST;
  if (t->source != FTC_CL_TUNING_CLBLAST && params != NULL)
    *params = t->params;
  return t->source;
}

FtcStatus
ftc_opencl_set_gemm_params (FtcBackend *be, const FtcClGemmParams *params)
{
  FtcClTuning *t = ftc_opencl_backend_tuning (be);
  FtcStatus st;

  if (t == NULL)
    return FTC_ERR_UNSUPPORTED;
  st = ftc_cl_gemm_params_apply (ftc_opencl_backend_runtime (be), params, be->last_error, sizeof be->last_error);
  if (st == FTC_OK)
    {
      t->params = *params;
      t->source = FTC_CL_TUNING_EXPLICIT;
    }
  return st;
}

void
ftc_cl_tuning_apply_startup (FtcClRuntime *rt, FtcClTuning *tuning)
{
  char err[512];
  FtcClGemmParams p;
  const FtcClGemmParams *builtin;
  const char *env = getenv ("FTCOT_CL_TUNING");

  tuning->source = FTC_CL_TUNING_CLBLAST;
  if (!__atomic_load_n (&tuning_enabled, __ATOMIC_SEQ_CST) || (env != NULL && strcmp (env, "0") == 0))
    return;
  if (ftc_cl_gemm_tuning_load (&rt->info, &p, NULL, err, sizeof err) == FTC_OK
      && ftc_cl_gemm_params_apply (rt, &p, err, sizeof err) == FTC_OK)
    {
      tuning->params = p;
      tuning->source = FTC_CL_TUNING_FILE;
      return;
    }
  builtin = ftc_cl_gemm_params_builtin (&rt->info);
  if (builtin != NULL && ftc_cl_gemm_params_apply (rt, builtin, err, sizeof err) == FTC_OK)
    {
      tuning->params = *builtin;
      tuning->source = FTC_CL_TUNING_BUILTIN;
    }
}

int
ftc_opencl_gemm_shapes_gpt2 (FtcClGemmShape *shapes, int max, int rows, int C, int V, int T)
{
  const int heads = 4;
  const int batch = rows / T > 0 ? rows / T * heads : heads;
  const FtcClGemmShape all[] = {
    { rows, 3 * C, C, 0, 1, 1 },          /* qkv forward */
    { rows, 4 * C, C, 0, 1, 1 },          /* fc forward */
    { rows, C, 4 * C, 0, 1, 1 },          /* fc projection forward */
    { rows, V, C, 0, 1, 1 },              /* LM head forward */
    { rows, C, 4 * C, 0, 0, 1 },          /* dinp of the fc layer */
    { 4 * C, C, rows, 1, 0, 1 },          /* dweight of the fc layer */
    { T, T, C / heads, 0, 1, batch },     /* attention scores */
    { T, C / heads, T, 0, 0, batch },     /* attention weighted values */
  };
  int n = 0;

  for (size_t i = 0; i < sizeof all / sizeof all[0] && n < max; i++)
    shapes[n++] = all[i];
  return n;
}

static double
now_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

typedef struct {
  FtcBuf *a, *b, *c;
} GemmBufs;

static size_t
shape_elems (const FtcClGemmShape *s, int which)
{
  const size_t batch = s->batch > 0 ? s->batch : 1;

  if (which == 0)
    return (size_t) s->M * s->K * batch;
  if (which == 1)
    return (size_t) s->K * s->N * batch;
  return (size_t) s->M * s->N * batch;
}

static FtcStatus
run_shape (FtcBackend *base, const FtcClGemmShape *s, GemmBufs *g)
{
  const int lda = s->trans_a ? s->M : s->K;
  const int ldb = s->trans_b ? s->K : s->N;

  if (s->batch <= 1)
    return ftc_gemm (base, s->trans_a, s->trans_b, s->M, s->N, s->K, 1.0f, ftc_view (g->a, 0), lda,
                     ftc_view (g->b, 0), ldb, 0.0f, ftc_view (g->c, 0), s->N);
  return ftc_gemm_strided_batched (base, s->trans_a, s->trans_b, s->M, s->N, s->K, 1.0f,
                                   ftc_view (g->a, 0), lda, (size_t) s->M * s->K,
                                   ftc_view (g->b, 0), ldb, (size_t) s->K * s->N,
                                   0.0f, ftc_view (g->c, 0), s->N, (size_t) s->M * s->N, s->batch);
}

FtcStatus
ftc_opencl_gemm_measure (FtcBackend *base, const FtcClGemmShape *shapes, int n_shapes, int reps,
                         double *gflops)
{
  size_t na = 1, nb = 1, nc = 1;
  GemmBufs g = { NULL, NULL, NULL };
  double flops = 0, t0, t1;
  FtcStatus st;

  *gflops = 0;
  if (!ftc_backend_is_opencl (base) || n_shapes <= 0 || reps <= 0)
    return FTC_ERR_INVALID_ARG;
  for (int i = 0; i < n_shapes; i++)
    {
      na = shape_elems (&shapes[i], 0) > na ? shape_elems (&shapes[i], 0) : na;
      nb = shape_elems (&shapes[i], 1) > nb ? shape_elems (&shapes[i], 1) : nb;
      nc = shape_elems (&shapes[i], 2) > nc ? shape_elems (&shapes[i], 2) : nc;
    }
  st = ftc_buf_new (base, na, &g.a);
  if (st == FTC_OK)
    st = ftc_buf_new (base, nb, &g.b);
  if (st == FTC_OK)
    st = ftc_buf_new (base, nc, &g.c);
  if (st == FTC_OK)
    st = ftc_buf_fill (ftc_view (g.a, 0), 0.5f, na);
  if (st == FTC_OK)
    st = ftc_buf_fill (ftc_view (g.b, 0), 0.25f, nb);
  /* warm-up: CLBlast compiles its kernels on the first call with new parameters */
  for (int i = 0; i < n_shapes && st == FTC_OK; i++)
    st = run_shape (base, &shapes[i], &g);
  if (st == FTC_OK)
    st = ftc_backend_finish (base);
  t0 = now_s ();
  for (int r = 0; r < reps && st == FTC_OK; r++)
    for (int i = 0; i < n_shapes && st == FTC_OK; i++)
      {
        st = run_shape (base, &shapes[i], &g);
        flops += 2.0 * shapes[i].M * shapes[i].N * shapes[i].K * (shapes[i].batch > 1 ? shapes[i].batch : 1);
      }
  if (st == FTC_OK)
    st = ftc_backend_finish (base);
  t1 = now_s ();
  if (st == FTC_OK)
    *gflops = flops / (t1 - t0) / 1e9;
  ftc_buf_free (g.a);
  ftc_buf_free (g.b);
  ftc_buf_free (g.c);
  return st;
}

/* The search grid: square-ish tiles of 32..128, K tiles 32/64, 8x8 or 16x16 threads, vector widths 4/8,
 * with and without local-memory caching; quick keeps 8x8 threads, vector width 8, local-memory caching and
 * tiles of 64x64 to 128x64 (the neighbourhood of what won on the CPUs we measured; 128x128 tiles take
 * PoCL minutes to compile): 6 sets. */
static int
tune_candidates (const FtcClRuntime *rt, const FtcClTuning *tuning, int quick, FtcClGemmParams *out, int max)
{
  static const int tiles[][2] = { { 32, 32 }, { 64, 64 }, { 64, 128 }, { 128, 64 }, { 128, 128 } };
  static const int kwgs[] = { 32, 64 };
  static const int dims[] = { 8, 16 };
  static const int vws[] = { 4, 8 };
  static const int shared[] = { 1, 0 };
  int n = 0;

  for (size_t t = 0; t < sizeof tiles / sizeof tiles[0]; t++)
    for (size_t kw = 0; kw < 2; kw++)
      for (size_t d = 0; d < 2; d++)
        for (size_t vw = 0; vw < 2; vw++)
          for (size_t sh = 0; sh < 2; sh++)
            {
              FtcClGemmParams p = {
                .GEMMK = 0, .KREG = 1, .KWG = kwgs[kw], .KWI = 8, .MDIMA = dims[d], .MDIMC = dims[d],
                .MWG = tiles[t][0], .NDIMB = dims[d], .NDIMC = dims[d], .NWG = tiles[t][1],
                .SA = shared[sh], .SB = shared[sh], .STRM = 0, .STRN = 0, .VWM = vws[vw], .VWN = vws[vw],
                .min_indirect_size = tuning->source != FTC_CL_TUNING_CLBLAST ? tuning->params.min_indirect_size : 64,
              };

              if (quick && (dims[d] != 8 || shared[sh] != 1 || vws[vw] != 8 || tiles[t][0] < 64
                            || tiles[t][0] * tiles[t][1] > 64 * 128))
                continue;
              if (!ftc_cl_gemm_params_valid (&p, rt->max_work_group_size, rt->local_mem_bytes, NULL))
                continue;
              if (n < max)
                out[n++] = p;
            }
  return n;
}

FtcStatus
ftc_opencl_tune_gemm (FtcBackend *base, const FtcClGemmShape *shapes, int n_shapes, int quick,
                      FtcClTuneCallback callback, void *user_data,
                      FtcClGemmParams *best, double *best_gflops)
{
  FtcClRuntime *rt = ftc_opencl_backend_runtime (base);
  FtcClGemmParams cands[128];
  static const int thresholds[] = { 0, 64, 128, 256, 512 };
  const int n_thresholds = quick ? 3 : 5;
  int n, total, found = 0;
  const int reps = quick ? 2 : 3;
  FtcClGemmParams top;
  double top_gf = 0;
  char saved_error[256] = "";

  if (rt == NULL)
    return FTC_ERR_UNSUPPORTED;
  n = tune_candidates (rt, ftc_opencl_backend_tuning (base), quick, cands, 128);
  total = n + n_thresholds;
  for (int i = 0; i < n; i++)
    {
      double gf = 0;
      FtcStatus st = ftc_cl_gemm_params_apply (rt, &cands[i], base->last_error, sizeof base->last_error);

      if (st == FTC_OK)
        st = ftc_opencl_gemm_measure (base, shapes, n_shapes, reps, &gf);
      if (st != FTC_OK && saved_error[0] == '\0')
        snprintf (saved_error, sizeof saved_error, "%.255s", base->last_error);
      if (callback != NULL)
        callback (user_data, i, total, &cands[i], gf, st);
      if (st == FTC_OK && gf > top_gf)
        {
          top = cands[i];
          top_gf = gf;
          found = 1;
        }
    }
  if (!found)
    return ftc_backend_fail (base, FTC_ERR_BLAS, "no Xgemm parameter set ran on %s; first failure: %s",
                             base->device.spec, saved_error);
  /* the direct/indirect threshold, with the best Xgemm set */
  for (int i = 0; i < n_thresholds; i++)
    {
      FtcClGemmParams p = top;
      double gf = 0;
      FtcStatus st;

      p.min_indirect_size = thresholds[i];
      st = ftc_cl_gemm_params_apply (rt, &p, base->last_error, sizeof base->last_error);
      if (st == FTC_OK)
        st = ftc_opencl_gemm_measure (base, shapes, n_shapes, reps, &gf);
      if (callback != NULL)
        callback (user_data, n + i, total, &p, gf, st);
      if (st == FTC_OK && gf > top_gf)
        {
          top = p;
          top_gf = gf;
        }
    }
  ftc_opencl_set_gemm_params (base, &top);
  *best = top;
  *best_gflops = top_gf;
  return FTC_OK;
}
