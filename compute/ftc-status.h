/* ftc-status.h: status codes of the compute engine.
 *
 * compute/ never prints and never exits: every fallible call returns an FtcStatus, and the backend keeps a
 * human-readable message for the last failure (ftc_backend_last_error), e.g. an OpenCL build log or
 * "device out of memory: asked 1.2 GiB, device has 0.5 GiB free; try a smaller batch". */
#pragma once

typedef enum {
  FTC_OK = 0,
  FTC_ERR_INVALID_ARG,       /* bad sizes, bad config, NULL where a buffer is needed */
  FTC_ERR_HOST_MEMORY,       /* malloc failed */
  FTC_ERR_DEVICE_MEMORY,     /* device allocation failed (CL_MEM_OBJECT_ALLOCATION_FAILURE, ...) */
  FTC_ERR_NO_DEVICE,         /* the requested device does not exist */
  FTC_ERR_DEVICE,            /* any other OpenCL error; message names it (CL_INVALID_KERNEL_ARGS, ...) */
  FTC_ERR_BUILD,             /* kernel program failed to build; message carries the build log */
  FTC_ERR_BLAS,              /* CLBlast or CBLAS reported an error */
  FTC_ERR_NOT_FINITE,        /* NaN or Inf in a loss or gradient; message names the step and tensor */
  FTC_ERR_IO,                /* file I/O (checkpoints, program cache) */
  FTC_ERR_UNSUPPORTED,       /* the backend cannot do this */
  FTC_ERR_DEVICE_LOST,       /* the device stopped working (driver reset, kernel crash, device removed): the
                              * backend is unusable; nothing to retry on it */
} FtcStatus;

const char *ftc_status_name (FtcStatus status);
