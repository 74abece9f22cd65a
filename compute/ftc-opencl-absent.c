/* ftc-opencl-absent.c: stands in for the opencl backend in builds that do not have it yet
 * (compute/opencl/ftc-opencl-backend.c absent): no OpenCL devices, and "opencl" fails cleanly. */
#include "compute/ftc-backend-private.h"

#include <stdio.h>

FtcStatus
ftc_opencl_backend_new (int device_index, FtcBackend **out, char *err, size_t err_len)
{
  if (out != NULL)
    *out = NULL;
  if (err != NULL && err_len > 0)
    snprintf (err, err_len, "no OpenCL device %d: this build has no opencl backend", device_index);
  return FTC_ERR_NO_DEVICE;
}

int
ftc_opencl_device_list (FtcDeviceInfo *out, int max)
{
  (void) out;
  (void) max;
  return 0;
}
