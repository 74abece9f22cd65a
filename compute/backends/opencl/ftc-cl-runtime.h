/* ftc-cl-runtime.h: the OpenCL runtime under the opencl backend: device discovery over all platforms, one
 * context and in-order queue per backend, error names, and kernel programs built from the embedded
 * kernels/ sources (*.cl, each behind kernels/prelude.cl) with their binaries cached on disk.
 *
 * Program cache: one file per program in the cache directory ($XDG_CACHE_HOME or $HOME/.cache, then
 * ftcot/cl-cache/; ftc_cl_set_cache_dir overrides), named by a 64-bit hash of device name, driver
 * version, platform, build options and source (prelude included). The file repeats the key hash and carries a checksum of the
 * binary; anything that does not match, does not load or does not build is rebuilt from source and the
 * file rewritten atomically (temporary file, then rename). */
#pragma once

#define CL_TARGET_OPENCL_VERSION 300
#include <CL/cl.h>

#include "compute/ftc-backend.h"
#include "compute/backends/opencl/ftc-cl-sources.h"

typedef struct {
  cl_platform_id platform;
  cl_device_id device;
  cl_context context;
  cl_command_queue queue;
  FtcDeviceInfo info;
  char platform_version[256];
  size_t max_work_group_size;
  uint64_t local_mem_bytes;
  int profiling;               /* $FTCOT_CL_PROFILE=1: the queue records kernel times */
} FtcClRuntime;

/* "CL_INVALID_KERNEL_ARGS", ... for every OpenCL 1.2/2.x/3.0 error code; "CL_UNKNOWN_ERROR" otherwise. */
const char *ftc_cl_error_name (cl_int code);

/* 1 for the codes with which a driver says the device is gone or its context dead (not available, context
 * terminated, an illegal address in a kernel, an earlier command failed): nothing more runs on it. */
int ftc_cl_error_is_device_lost (cl_int code);

/* Opens the index-th OpenCL device over all platforms (ftc_opencl_device_list order). */
FtcStatus ftc_cl_runtime_open (int index, FtcClRuntime **out, char *err, size_t err_len);
void ftc_cl_runtime_free (FtcClRuntime *rt);

/* NULL restores the default ($XDG_CACHE_HOME or $HOME/.cache, then ftcot/cl-cache). Process-wide and
 * thread-safe (ftc_backend_set_user_dirs calls it). */
void ftc_cl_set_cache_dir (const char *dir);
/* Writes the cache directory in use to buf; returns buf, or NULL when no directory can be found. */
const char *ftc_cl_cache_dir (char *buf, size_t len);

typedef enum {
  FTC_CL_PROGRAM_BUILT,       /* built from source (and written to the cache) */
  FTC_CL_PROGRAM_CACHED,      /* loaded from a cached binary */
} FtcClProgramOrigin;

/* Builds prelude (NUL-terminated; NULL for none) followed by source (len bytes) with options for the
 * runtime's device, through the binary cache, whose key covers both. name names the program in messages
 * and the cache file; the compiler's line numbers are the source's own. On FTC_ERR_BUILD, err holds the
 * compiler's build log. origin may be NULL. Also the test hook for deliberately broken sources. */
FtcStatus ftc_cl_program_build (FtcClRuntime *rt, const char *name, const char *prelude, const char *source,
                                size_t len, const char *options, cl_program *out, FtcClProgramOrigin *origin,
                                char *err, size_t err_len);
/* The embedded kernels/NAME.cl built behind the embedded kernels/prelude.cl: how every kernel program of
 * the backend is built. */
FtcStatus ftc_cl_program_build_embedded (FtcClRuntime *rt, const char *name, const char *options, cl_program *out,
                                         FtcClProgramOrigin *origin, char *err, size_t err_len);

/* The embedded kernels/NAME.cl, or NULL. */
const FtcClSource *ftc_cl_source_find (const char *name);

/* 64-bit FNV-1a, chained: pass the previous hash (or 0 to start). */
uint64_t ftc_cl_hash (uint64_t h, const void *data, size_t len);
