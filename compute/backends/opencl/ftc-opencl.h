/* ftc-opencl.h: what the opencl backend offers beyond ftc-backend.h: CLBlast GEMM tuning.
 *
 * At start-up the backend applies, in order of preference, the tuned file for its device and driver
 * (written by ftc_opencl_tune_gemm's caller, `ftcot tune`), a built-in parameter set for known devices, or
 * nothing (CLBlast's own database). */
#pragma once

#include "compute/ftc-backend.h"
#include "compute/backends/opencl/ftc-cl-gemm.h"

typedef enum {
  FTC_CL_TUNING_CLBLAST,     /* CLBlast's own database (nothing applied) */
  FTC_CL_TUNING_BUILTIN,     /* the built-in table */
  FTC_CL_TUNING_FILE,        /* the user's tuned file */
  FTC_CL_TUNING_EXPLICIT,    /* set through ftc_opencl_set_gemm_params */
} FtcClTuningSource;

/* Process-wide: whether backends opened from now on apply tuned/built-in parameters (default 1; the
 * environment variable FTCOT_CL_TUNING=0 also disables it). `ftcot tune` measures CLBlast's defaults so. */
void ftc_opencl_set_tuning_enabled (int enabled);

/* 1 when be is an opencl backend. */
int ftc_backend_is_opencl (FtcBackend *be);
/* CLBlast keeps overrides per device for the whole process: the last backend to set them wins. */
/* The parameters in use and where they came from (params is left alone for FTC_CL_TUNING_CLBLAST). */
FtcClTuningSource ftc_opencl_gemm_params (FtcBackend *be, FtcClGemmParams *params);
const char *ftc_cl_tuning_source_name (FtcClTuningSource source);
FtcStatus ftc_opencl_set_gemm_params (FtcBackend *be, const FtcClGemmParams *params);

typedef struct {
  int M, N, K;
  int trans_a, trans_b;
  int batch;                 /* 1: CLBlastSgemm; > 1: CLBlastSgemmStridedBatched */
} FtcClGemmShape;

/* GPT-2 training GEMMs at width C with rows = B*T tokens, 4 heads of sequence T for attention; returns how
 * many shapes were written (at most max). */
int ftc_opencl_gemm_shapes_gpt2 (FtcClGemmShape *shapes, int max, int rows, int C, int V, int T);

/* Runs every shape once (warm-up, compiles), then reps times, and returns the achieved GFLOP/s over all
 * of them together. */
FtcStatus ftc_opencl_gemm_measure (FtcBackend *be, const FtcClGemmShape *shapes, int n_shapes, int reps,
                                   double *gflops);

/* Called after each candidate: index from 0 to total-1, its GFLOP/s (0 when status is not FTC_OK, e.g. a
 * set the device's compiler rejects). */
typedef void (*FtcClTuneCallback) (void *user_data, int index, int total, const FtcClGemmParams *params,
                                   double gflops, FtcStatus status);

/* Searches Xgemm parameter sets valid on this device (a small grid when quick), then the direct/indirect
 * threshold, timing the given GEMMs; best gets the winner, which stays applied on be. */
FtcStatus ftc_opencl_tune_gemm (FtcBackend *be, const FtcClGemmShape *shapes, int n_shapes, int quick,
                                FtcClTuneCallback callback, void *user_data,
                                FtcClGemmParams *best, double *best_gflops);

/* With $FTCOT_CL_PROFILE=1 when the backend opened, every kernel and CLBlast call waits for itself and its
 * device time is summed per kernel (slow: for finding where time goes). Writes a table, busiest first. */
void ftc_opencl_profile_report (FtcBackend *be, char *buf, size_t len);
/* 1 when be is an opencl backend opened with profiling on. */
int ftc_opencl_profiling (FtcBackend *be);
/* Forgets what was profiled so far (e.g. a warm-up step's allocations and kernel builds). */
void ftc_opencl_profile_reset (FtcBackend *be);
