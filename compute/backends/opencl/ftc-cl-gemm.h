/* ftc-cl-gemm.h: CLBlast's GEMM on our devices: status names, the Xgemm tuning parameters, the built-in
 * table of parameter sets measured on known devices, and the per-device tuned set saved by `ftcot tune`.
 *
 * CLBlast picks kernel parameters from its database by device; most devices users own (and PoCL's CPU
 * device) have no entry and get generic defaults that run several times slower. At backend start-up the
 * tuned file for the device (config dir, ftcot/clblast/) wins, else a built-in entry, else CLBlast's own. */
#pragma once

#include "compute/ftc-status.h"
#include "compute/backends/opencl/ftc-cl-runtime.h"

#include <clblast_c.h>

/* "CLBlastInvalidLeadDimA", ... for every CLBlastStatusCode; OpenCL codes by their CL_ name. */
const char *ftc_clblast_status_name (CLBlastStatusCode status);

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

/* Overrides Xgemm and GemmRoutine for the runtime's device (single precision). */
FtcStatus ftc_cl_gemm_params_apply (FtcClRuntime *rt, const FtcClGemmParams *p, char *err, size_t err_len);

/* A built-in parameter set for this device, or NULL. */
const FtcClGemmParams *ftc_cl_gemm_params_builtin (const FtcDeviceInfo *info);

/* The tuned-parameter file: $XDG_CONFIG_HOME (or $HOME/.config)/ftcot/clblast/DEVICEHASH.ini, keyed by
 * device name, driver version and platform; ftc_cl_set_config_dir overrides the base (NULL: default). */
void ftc_cl_set_config_dir (const char *dir);
const char *ftc_cl_gemm_tuning_path (const FtcDeviceInfo *info, char *buf, size_t len);
/* FTC_OK and *p filled; FTC_ERR_IO when there is no file or it belongs to another device/driver or is
 * malformed (err says which). */
FtcStatus ftc_cl_gemm_tuning_load (const FtcDeviceInfo *info, FtcClGemmParams *p, double *gflops,
                                   char *err, size_t err_len);
/* Written atomically (temporary file, fsync, rename). */
FtcStatus ftc_cl_gemm_tuning_save (const FtcDeviceInfo *info, const FtcClGemmParams *p, double gflops,
                                   char *err, size_t err_len);
