/* ftc-cl-tune.h: what the opencl backend (ftc-opencl-backend.c) and its GEMM tuning (ftc-cl-tune.c) share:
 * the parameters a backend runs its GEMMs with, and the start-up choice of them. */
#pragma once

#include "compute/backends/opencl/ftc-cl-runtime.h"
#include "compute/backends/opencl/ftc-opencl.h"

typedef struct {
  FtcClTuningSource source;
  FtcClGemmParams params;      /* meaningless for FTC_CL_TUNING_CLBLAST */
} FtcClTuning;

/* The runtime and the tuning of an opencl backend; NULL for any other backend. */
FtcClRuntime *ftc_opencl_backend_runtime (FtcBackend *be);
FtcClTuning *ftc_opencl_backend_tuning (FtcBackend *be);

/* At backend start-up: the tuned file for rt's device, else its built-in set, else nothing (CLBlast's
 * database); nothing either while tuning is disabled (ftc_opencl_set_tuning_enabled, $FTCOT_CL_TUNING=0).
 * A broken file is skipped: the defaults still work. */
void ftc_cl_tuning_apply_startup (FtcClRuntime *rt, FtcClTuning *tuning);
