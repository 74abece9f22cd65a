/* ftc-opencl.h: the public face of the opencl backend beyond ftc-backend.h, for `ftcot tune` and `ftcot
 * bench` (app/) and the tests: CLBlast GEMM parameters and their tuning, and per-kernel profiling. It
 * needs no OpenCL or CLBlast header; core/ never includes it (it reaches the engine through ftc-backend.h).
 *
 * At start-up a backend applies, in order of preference, the tuned file for its device and driver (written
 * by ftc_opencl_tune_gemm's caller, `ftcot tune`), a built-in parameter set for known devices, or nothing
 * (CLBlast's own database). */
#pragma once

#include "compute/ftc-backend.h"

#define FTC_CL_XGEMM_N_PARAMS 16

/* CLBlast's Xgemm kernel parameters (names as CLBlast spells them) plus the GemmRoutine threshold below
 * which (m*n*k < size^3) the direct kernel runs instead of the padded indirect one. */
typedef struct {
  int GEMMK, KREG, KWG, KWI, MDIMA, MDIMC, MWG, NDIMB, NDIMC, NWG, SA, SB, STRM, STRN, VWM, VWN;
  int min_indirect_size;
} FtcClGemmParams;

/* The parameter names, in FtcClGemmParams field order. */
extern const char *const ftc_cl_xgemm_param_names[FTC_CL_XGEMM_N_PARAMS];
int *ftc_cl_gemm_params_field (FtcClGemmParams *p, int i);

/* Whether CLBlast's Xgemm kernel accepts p on a device with this work-group and local-memory limit; why
 * (if not NULL) gets the broken constraint. */
int ftc_cl_gemm_params_valid (const FtcClGemmParams *p, size_t max_work_group_size, uint64_t local_mem_bytes,
                              const char **why);

/* A built-in parameter set for this device, or NULL. */
const FtcClGemmParams *ftc_cl_gemm_params_builtin (const FtcDeviceInfo *info);

/* The tuned-parameter file: <config dir>/ftcot/clblast/DEVICEHASH.ini, one per device, keyed by its
 * platform, device number on that platform, name and driver version (so two devices on one machine never
 * share an entry); the config dir is the one given to ftc_backend_set_user_dirs, else $XDG_CONFIG_HOME or
 * $HOME/.config. */
const char *ftc_cl_gemm_tuning_path (const FtcDeviceInfo *info, char *buf, size_t len);
/* FTC_OK and *p filled; FTC_ERR_IO when there is no file or it belongs to another device/driver or is
 * malformed (err says which). */
FtcStatus ftc_cl_gemm_tuning_load (const FtcDeviceInfo *info, FtcClGemmParams *p, double *gflops,
                                   char *err, size_t err_len);
/* Written atomically (temporary file, fsync, rename). */
FtcStatus ftc_cl_gemm_tuning_save (const FtcDeviceInfo *info, const FtcClGemmParams *p, double gflops,
                                   char *err, size_t err_len);

/* ---- tuning (ftc-cl-tune.c) ---- */

typedef enum {
  FTC_CL_TUNING_CLBLAST,     /* CLBlast's own database (nothing applied) */
  FTC_CL_TUNING_BUILTIN,     /* the built-in table */
  FTC_CL_TUNING_FILE,        /* the user's tuned file */
  FTC_CL_TUNING_EXPLICIT,    /* set through ftc_opencl_set_gemm_params */
} FtcClTuningSource;

/* Process-wide, read when a backend opens: whether backends opened from now on apply tuned/built-in
 * parameters (default 1; the environment variable FTCOT_CL_TUNING=0 also disables it). `ftcot tune`
 * measures CLBlast's defaults so. */
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

/* ---- profiling ---- */

/* With $FTCOT_CL_PROFILE=1 when the backend opened, every kernel and CLBlast call waits for itself and its
 * device time is summed per kernel (slow: for finding where time goes). Writes a table, busiest first. */
void ftc_opencl_profile_report (FtcBackend *be, char *buf, size_t len);
/* 1 when be is an opencl backend opened with profiling on. */
int ftc_opencl_profiling (FtcBackend *be);
/* Forgets what was profiled so far (e.g. a warm-up step's allocations and kernel builds). */
void ftc_opencl_profile_reset (FtcBackend *be);
