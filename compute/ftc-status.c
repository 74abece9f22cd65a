/* ftc-status.c: names of the engine's status codes. */
#include "compute/ftc-status.h"

const char *
ftc_status_name (FtcStatus status)
{
  switch (status)
    {
    case FTC_OK: return "ok";
    case FTC_ERR_INVALID_ARG: return "invalid argument";
    case FTC_ERR_HOST_MEMORY: return "out of host memory";
    case FTC_ERR_DEVICE_MEMORY: return "out of device memory";
    case FTC_ERR_NO_DEVICE: return "no such device";
    case FTC_ERR_DEVICE: return "device error";
    case FTC_ERR_BUILD: return "kernel build failed";
    case FTC_ERR_BLAS: return "BLAS error";
    case FTC_ERR_NOT_FINITE: return "not finite";
    case FTC_ERR_IO: return "I/O error";
    case FTC_ERR_UNSUPPORTED: return "unsupported";
    case FTC_ERR_DEVICE_LOST: return "device lost";
    }
  return "unknown status";
}
