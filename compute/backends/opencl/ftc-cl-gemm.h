/* ftc-cl-gemm.h: CLBlast's GEMM on our devices, the internal half (CLBlast and OpenCL types): status names
 * and applying a parameter set; ftc-cl-gemm.c also implements the parameter sets, the built-in table of
 * sets measured on known devices and the per-device tuned file declared in ftc-opencl.h.
 *
 * CLBlast picks kernel parameters from its database by device; most devices users own (and PoCL's CPU
 * device) have no entry and get generic defaults that run several times slower. At backend start-up the
 * tuned file for the device (config dir, ftcot/clblast/) wins, else a built-in entry, else CLBlast's own. */
#pragma once

#include "compute/ftc-status.h"
#include "compute/backends/opencl/ftc-cl-runtime.h"
#include "compute/backends/opencl/ftc-opencl.h"

#include <clblast_c.h>

/* "CLBlastInvalidLeadDimA", ... for every CLBlastStatusCode; OpenCL codes by their CL_ name. */
const char *ftc_clblast_status_name (CLBlastStatusCode status);

/* Overrides Xgemm and GemmRoutine for the runtime's device (single precision). */
FtcStatus ftc_cl_gemm_params_apply (FtcClRuntime *rt, const FtcClGemmParams *p, char *err, size_t err_len);

/* Where the tuned-parameter files live: NULL restores the default ($XDG_CONFIG_HOME or $HOME/.config).
 * Process-wide and thread-safe (ftc_backend_set_user_dirs calls it). */
void ftc_cl_set_config_dir (const char *dir);
