/* ftc-cl-runtime.c: OpenCL devices, contexts, error names and the program binary cache. */
#include "compute/backends/opencl/ftc-cl-runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- error names ---- */

typedef struct {
  cl_int code;
  const char *name;
} ErrorName;

/* Numeric values rather than the header's macros, so every name maps whatever header version builds us. */
static const ErrorName error_names[] = {
  { 0, "CL_SUCCESS" },
  { -1, "CL_DEVICE_NOT_FOUND" },
  { -2, "CL_DEVICE_NOT_AVAILABLE" },
  { -3, "CL_COMPILER_NOT_AVAILABLE" },
  { -4, "CL_MEM_OBJECT_ALLOCATION_FAILURE" },
  { -5, "CL_OUT_OF_RESOURCES" },
  { -6, "CL_OUT_OF_HOST_MEMORY" },
  { -7, "CL_PROFILING_INFO_NOT_AVAILABLE" },
  { -8, "CL_MEM_COPY_OVERLAP" },
  { -9, "CL_IMAGE_FORMAT_MISMATCH" },
  { -10, "CL_IMAGE_FORMAT_NOT_SUPPORTED" },
  { -11, "CL_BUILD_PROGRAM_FAILURE" },
  { -12, "CL_MAP_FAILURE" },
  { -13, "CL_MISALIGNED_SUB_BUFFER_OFFSET" },
  { -14, "CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST" },
  { -15, "CL_COMPILE_PROGRAM_FAILURE" },
  { -16, "CL_LINKER_NOT_AVAILABLE" },
  { -17, "CL_LINK_PROGRAM_FAILURE" },
  { -18, "CL_DEVICE_PARTITION_FAILED" },
  { -19, "CL_KERNEL_ARG_INFO_NOT_AVAILABLE" },
  { -30, "CL_INVALID_VALUE" },
  { -31, "CL_INVALID_DEVICE_TYPE" },
  { -32, "CL_INVALID_PLATFORM" },
  { -33, "CL_INVALID_DEVICE" },
  { -34, "CL_INVALID_CONTEXT" },
  { -35, "CL_INVALID_QUEUE_PROPERTIES" },
  { -36, "CL_INVALID_COMMAND_QUEUE" },
  { -37, "CL_INVALID_HOST_PTR" },
  { -38, "CL_INVALID_MEM_OBJECT" },
  { -39, "CL_INVALID_IMAGE_FORMAT_DESCRIPTOR" },
  { -40, "CL_INVALID_IMAGE_SIZE" },
  { -41, "CL_INVALID_SAMPLER" },
  { -42, "CL_INVALID_BINARY" },
  { -43, "CL_INVALID_BUILD_OPTIONS" },
  { -44, "CL_INVALID_PROGRAM" },
  { -45, "CL_INVALID_PROGRAM_EXECUTABLE" },
  { -46, "CL_INVALID_KERNEL_NAME" },
  { -47, "CL_INVALID_KERNEL_DEFINITION" },
  { -48, "CL_INVALID_KERNEL" },
  { -49, "CL_INVALID_ARG_INDEX" },
  { -50, "CL_INVALID_ARG_VALUE" },
  { -51, "CL_INVALID_ARG_SIZE" },
  { -52, "CL_INVALID_KERNEL_ARGS" },
  { -53, "CL_INVALID_WORK_DIMENSION" },
  { -54, "CL_INVALID_WORK_GROUP_SIZE" },
  { -55, "CL_INVALID_WORK_ITEM_SIZE" },
  { -56, "CL_INVALID_GLOBAL_OFFSET" },
  { -57, "CL_INVALID_EVENT_WAIT_LIST" },
  { -58, "CL_INVALID_EVENT" },
  { -59, "CL_INVALID_OPERATION" },
  { -60, "CL_INVALID_GL_OBJECT" },
  { -61, "CL_INVALID_BUFFER_SIZE" },
  { -62, "CL_INVALID_MIP_LEVEL" },
  { -63, "CL_INVALID_GLOBAL_WORK_SIZE" },
  { -64, "CL_INVALID_PROPERTY" },
  { -65, "CL_INVALID_IMAGE_DESCRIPTOR" },
  { -66, "CL_INVALID_COMPILER_OPTIONS" },
  { -67, "CL_INVALID_LINKER_OPTIONS" },
  { -68, "CL_INVALID_DEVICE_PARTITION_COUNT" },
  { -69, "CL_INVALID_PIPE_SIZE" },
  { -70, "CL_INVALID_DEVICE_QUEUE" },
  { -71, "CL_INVALID_SPEC_ID" },
  { -72, "CL_MAX_SIZE_RESTRICTION_EXCEEDED" },
  /* extensions an ICD loader or common driver reports */
  { -1000, "CL_INVALID_GL_SHAREGROUP_REFERENCE_KHR" },
  { -1001, "CL_PLATFORM_NOT_FOUND_KHR" },
  { -1002, "CL_INVALID_D3D10_DEVICE_KHR" },
  { -1003, "CL_INVALID_D3D10_RESOURCE_KHR" },
  { -1004, "CL_D3D10_RESOURCE_ALREADY_ACQUIRED_KHR" },
  { -1005, "CL_D3D10_RESOURCE_NOT_ACQUIRED_KHR" },
  { -1057, "CL_DEVICE_PARTITION_FAILED_EXT" },
  { -1058, "CL_INVALID_PARTITION_COUNT_EXT" },
  { -1059, "CL_INVALID_PARTITION_NAME_EXT" },
  { -1092, "CL_EGL_RESOURCE_NOT_ACQUIRED_KHR" },
  { -1093, "CL_INVALID_EGL_OBJECT_KHR" },
  { -1094, "CL_INVALID_ACCELERATOR_INTEL" },
  { -1095, "CL_INVALID_ACCELERATOR_TYPE_INTEL" },
  { -1096, "CL_INVALID_ACCELERATOR_DESCRIPTOR_INTEL" },
  { -1097, "CL_ACCELERATOR_TYPE_NOT_SUPPORTED_INTEL" },
  { -1098, "CL_INVALID_VA_API_MEDIA_ADAPTER_INTEL" },
  { -1099, "CL_INVALID_VA_API_MEDIA_SURFACE_INTEL" },
  { -1100, "CL_VA_API_MEDIA_SURFACE_ALREADY_ACQUIRED_INTEL" },
  { -1101, "CL_VA_API_MEDIA_SURFACE_NOT_ACQUIRED_INTEL" },
  { -1121, "CL_CONTEXT_TERMINATED_KHR" },
  { -1138, "CL_INVALID_COMMAND_BUFFER_KHR" },
  { -1139, "CL_INVALID_SYNC_POINT_WAIT_LIST_KHR" },
  { -1140, "CL_INCOMPATIBLE_COMMAND_QUEUE_KHR" },
  { -1141, "CL_INVALID_MUTABLE_COMMAND_KHR" },
  { -1142, "CL_INVALID_SEMAPHORE_KHR" },
  { -9999, "CL_NV_ILLEGAL_ADDRESS" },  /* NVIDIA's driver reports out-of-bounds accesses with this */
};

const char *
ftc_cl_error_name (cl_int code)
{
  for (size_t i = 0; i < sizeof error_names / sizeof error_names[0]; i++)
    if (error_names[i].code == code)
      return error_names[i].name;
  return "CL_UNKNOWN_ERROR";
}

int
ftc_cl_error_is_device_lost (cl_int code)
{
  return code == -2        /* CL_DEVICE_NOT_AVAILABLE */
         || code == -14    /* CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST */
         || code == -1121  /* CL_CONTEXT_TERMINATED_KHR */
         || code == -9999; /* NVIDIA: illegal address; its context is unusable afterwards */
}

static void
set_err (char *err, size_t err_len, const char *fmt, ...)
{
  va_list args;

  if (err == NULL || err_len == 0)
    return;
  va_start (args, fmt);
  vsnprintf (err, err_len, fmt, args);
  va_end (args);
}

/* ---- devices ---- */

#define MAX_PLATFORMS 16
#define MAX_DEVICES 64

typedef struct {
  cl_platform_id platform;
  cl_device_id device;
} DeviceRef;

/* Every device of every platform, in platform order: the numbering of "opencl:N". */
static int
enumerate_devices (DeviceRef *refs, int max)
{
  cl_platform_id platforms[MAX_PLATFORMS];
  cl_uint n_platforms = 0;
  int n = 0;

  if (clGetPlatformIDs (MAX_PLATFORMS, platforms, &n_platforms) != CL_SUCCESS)
    return 0;
  if (n_platforms > MAX_PLATFORMS)
    n_platforms = MAX_PLATFORMS;
  for (cl_uint p = 0; p < n_platforms; p++)
    {
      cl_device_id devices[MAX_DEVICES];
      cl_uint n_devices = 0;

      if (clGetDeviceIDs (platforms[p], CL_DEVICE_TYPE_ALL, MAX_DEVICES, devices, &n_devices) != CL_SUCCESS)
        continue;
      if (n_devices > MAX_DEVICES)
        n_devices = MAX_DEVICES;
      for (cl_uint d = 0; d < n_devices && n < max; d++)
        {
          refs[n].platform = platforms[p];
          refs[n].device = devices[d];
          n++;
        }
    }
  return n;
}

static void
get_string (cl_device_id device, cl_device_info what, char *buf, size_t len)
{
  buf[0] = '\0';
  if (clGetDeviceInfo (device, what, len, buf, NULL) != CL_SUCCESS)
    buf[0] = '\0';
  buf[len - 1] = '\0';
}

static void
fill_info (const DeviceRef *ref, int index, FtcDeviceInfo *info)
{
  cl_device_type type = 0;
  cl_uint units = 0;
  cl_ulong global = 0, max_alloc = 0;

  memset (info, 0, sizeof *info);
  info->kind = FTC_DEVICE_OPENCL;
  info->index = index;
  snprintf (info->spec, sizeof info->spec, "opencl:%d", index);
  get_string (ref->device, CL_DEVICE_NAME, info->name, sizeof info->name);
  get_string (ref->device, CL_DEVICE_VENDOR, info->vendor, sizeof info->vendor);
  get_string (ref->device, CL_DRIVER_VERSION, info->driver_version, sizeof info->driver_version);
  if (clGetPlatformInfo (ref->platform, CL_PLATFORM_NAME, sizeof info->platform, info->platform, NULL)
      != CL_SUCCESS)
    info->platform[0] = '\0';
  info->platform[sizeof info->platform - 1] = '\0';
  clGetDeviceInfo (ref->device, CL_DEVICE_TYPE, sizeof type, &type, NULL);
  clGetDeviceInfo (ref->device, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof units, &units, NULL);
  clGetDeviceInfo (ref->device, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof global, &global, NULL);
  clGetDeviceInfo (ref->device, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof max_alloc, &max_alloc, NULL);
  info->is_gpu = (type & CL_DEVICE_TYPE_GPU) != 0;
  info->compute_units = (int) units;
  info->global_mem_bytes = global;
  info->max_alloc_bytes = max_alloc;
}

int
ftc_opencl_device_list (FtcDeviceInfo *out, int max)
{
  DeviceRef refs[MAX_DEVICES];
  int n = enumerate_devices (refs, MAX_DEVICES);

  if (n > max)
    n = max;
  for (int i = 0; i < n; i++)
    fill_info (&refs[i], i, &out[i]);
  return n;
}

FtcStatus
ftc_cl_runtime_open (int index, FtcClRuntime **out, char *err, size_t err_len)
{
  DeviceRef refs[MAX_DEVICES];
  int n = enumerate_devices (refs, MAX_DEVICES);
  FtcClRuntime *rt;
  cl_int rc = CL_SUCCESS;
  cl_ulong local = 0;

  *out = NULL;
  if (index < 0 || index >= n)
    {
      set_err (err, err_len, "no OpenCL device opencl:%d (%d OpenCL device%s found)", index, n,
               n == 1 ? "" : "s");
      return FTC_ERR_NO_DEVICE;
    }
  rt = calloc (1, sizeof *rt);
  if (rt == NULL)
    return FTC_ERR_HOST_MEMORY;
  rt->platform = refs[index].platform;
  rt->device = refs[index].device;
  fill_info (&refs[index], index, &rt->info);
  if (clGetPlatformInfo (rt->platform, CL_PLATFORM_VERSION, sizeof rt->platform_version,
                         rt->platform_version, NULL) != CL_SUCCESS)
    rt->platform_version[0] = '\0';
  rt->platform_version[sizeof rt->platform_version - 1] = '\0';
  clGetDeviceInfo (rt->device, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof rt->max_work_group_size,
                   &rt->max_work_group_size, NULL);
  clGetDeviceInfo (rt->device, CL_DEVICE_LOCAL_MEM_SIZE, sizeof local, &local, NULL);
  rt->local_mem_bytes = local;

  {
    cl_context_properties props[] = { CL_CONTEXT_PLATFORM, (cl_context_properties) rt->platform, 0 };
    rt->context = clCreateContext (props, 1, &rt->device, NULL, NULL, &rc);
  }
  if (rc != CL_SUCCESS)
    {
      set_err (err, err_len, "opencl:%d (%s): clCreateContext failed: %s", index, rt->info.name,
               ftc_cl_error_name (rc));
      ftc_cl_runtime_free (rt);
      return rc == CL_OUT_OF_HOST_MEMORY ? FTC_ERR_HOST_MEMORY : FTC_ERR_DEVICE;
    }
  /* clCreateCommandQueue is deprecated in 2.0 but the only call every 1.2 driver has. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  rt->profiling = getenv ("FTCOT_CL_PROFILE") != NULL && strcmp (getenv ("FTCOT_CL_PROFILE"), "1") == 0;
  rt->queue = clCreateCommandQueue (rt->context, rt->device, rt->profiling ? CL_QUEUE_PROFILING_ENABLE : 0,
                                    &rc);
#pragma GCC diagnostic pop
  if (rc != CL_SUCCESS)
    {
      set_err (err, err_len, "opencl:%d (%s): clCreateCommandQueue failed: %s", index, rt->info.name,
               ftc_cl_error_name (rc));
      ftc_cl_runtime_free (rt);
      return FTC_ERR_DEVICE;
    }
  *out = rt;
  return FTC_OK;
}

void
ftc_cl_runtime_free (FtcClRuntime *rt)
{
  if (rt == NULL)
    return;
  if (rt->queue != NULL)
    {
      clFinish (rt->queue);
      clReleaseCommandQueue (rt->queue);
    }
  if (rt->context != NULL)
    clReleaseContext (rt->context);
  free (rt);
}

const FtcClSource *
ftc_cl_source_find (const char *name)
{
  for (const FtcClSource *s = ftc_cl_sources; s->name != NULL; s++)
    if (strcmp (s->name, name) == 0)
      return s;
  return NULL;
}

/* ---- program cache ---- */

uint64_t
ftc_cl_hash (uint64_t h, const void *data, size_t len)
{
  const unsigned char *p = data;

  if (h == 0)
    h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < len; i++)
    {
      h ^= p[i];
      h *= 0x100000001b3ull;
    }
  return h;
}

static uint64_t
hash_str (uint64_t h, const char *s)
{
  /* the terminating NUL separates fields, so ("ab","c") and ("a","bc") differ */
  return ftc_cl_hash (h, s, strlen (s) + 1);
}

/* Set by one thread while others may be building programs: copied in and out under the lock. */
static char cache_dir_override[1024];
static pthread_mutex_t cache_dir_lock = PTHREAD_MUTEX_INITIALIZER;

void
ftc_cl_set_cache_dir (const char *dir)
{
  pthread_mutex_lock (&cache_dir_lock);
  if (dir == NULL)
    cache_dir_override[0] = '\0';
  else
    snprintf (cache_dir_override, sizeof cache_dir_override, "%s", dir);
  pthread_mutex_unlock (&cache_dir_lock);
}

const char *
ftc_cl_cache_dir (char *buf, size_t len)
{
  const char *base;

  pthread_mutex_lock (&cache_dir_lock);
  if (cache_dir_override[0] != '\0')
    {
      snprintf (buf, len, "%s", cache_dir_override);
      pthread_mutex_unlock (&cache_dir_lock);
      return buf;
    }
  pthread_mutex_unlock (&cache_dir_lock);
  base = getenv ("XDG_CACHE_HOME");
  if (base != NULL && base[0] == '/')
    {
      snprintf (buf, len, "%s/ftcot/cl-cache", base);
      return buf;
    }
  base = getenv ("HOME");
  if (base != NULL && base[0] != '\0')
    {
      snprintf (buf, len, "%s/.cache/ftcot/cl-cache", base);
      return buf;
    }
  return NULL;
}

/* mkdir -p; failures are left to the open that follows. */
static void
make_dirs (const char *path)
{
  char tmp[1024];

  snprintf (tmp, sizeof tmp, "%s", path);
  for (char *p = tmp + 1; *p != '\0'; p++)
    if (*p == '/')
      {
        *p = '\0';
        mkdir (tmp, 0755);
        *p = '/';
      }
  mkdir (tmp, 0755);
}

#define CACHE_MAGIC "FTCOT-CLBIN-v01\n"
#define CACHE_MAGIC_LEN 16

/* File layout: magic (16 bytes), key hash (u64 at byte 16), binary length (u64), binary checksum (u64),
 * binary. */
typedef struct {
  char magic[CACHE_MAGIC_LEN];
  uint64_t key;
  uint64_t length;
  uint64_t checksum;
} CacheHeader;

static unsigned char *
cache_load (const char *path, uint64_t key, size_t *len_out)
{
  FILE *f = fopen (path, "rb");
  CacheHeader h;
  unsigned char *data;

  if (f == NULL)
    return NULL;
  if (fread (&h, sizeof h, 1, f) != 1 || memcmp (h.magic, CACHE_MAGIC, CACHE_MAGIC_LEN) != 0
      || h.key != key || h.length == 0 || h.length > ((uint64_t) 1 << 30))
    {
      fclose (f);
      return NULL;
    }
  data = malloc (h.length);
  if (data == NULL || fread (data, 1, h.length, f) != h.length || fgetc (f) != EOF
      || ftc_cl_hash (0, data, h.length) != h.checksum)
    {
      free (data);
      fclose (f);
      return NULL;
    }
  fclose (f);
  *len_out = h.length;
  return data;
}

/* Best effort: a cache that cannot be written only costs a rebuild next time. */
static void
cache_store (const char *dir, const char *path, uint64_t key, const unsigned char *data, size_t len)
{
  char tmp[1200];
  CacheHeader h;
  int fd;
  FILE *f;
  int ok;

  make_dirs (dir);
  if (strlen (path) > sizeof tmp - 32)
    return;   /* a cache path this long is not worth a truncated name */
  snprintf (tmp, sizeof tmp, "%s.tmp-%ld", path, (long) getpid ());
  fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0)
    return;
  f = fdopen (fd, "wb");
  if (f == NULL)
    {
      close (fd);
      unlink (tmp);
      return;
    }
  memset (&h, 0, sizeof h);
  memcpy (h.magic, CACHE_MAGIC, CACHE_MAGIC_LEN);
  h.key = key;
  h.length = len;
  h.checksum = ftc_cl_hash (0, data, len);
  ok = fwrite (&h, sizeof h, 1, f) == 1 && fwrite (data, 1, len, f) == len && fflush (f) == 0
       && fsync (fileno (f)) == 0;
  ok = fclose (f) == 0 && ok;
  if (!ok || rename (tmp, path) != 0)
    unlink (tmp);
}

static FtcStatus
build_log_error (FtcClRuntime *rt, cl_program program, const char *name, cl_int rc, char *err,
                 size_t err_len)
{
  size_t log_len = 0;
  char *log = NULL;

  clGetProgramBuildInfo (program, rt->device, CL_PROGRAM_BUILD_LOG, 0, NULL, &log_len);
  if (log_len > 0)
    log = calloc (1, log_len + 1);
  if (log != NULL)
    clGetProgramBuildInfo (program, rt->device, CL_PROGRAM_BUILD_LOG, log_len, log, NULL);
  set_err (err, err_len, "OpenCL program %s.cl failed to build on %s (%s): %s\nbuild log:\n%s", name,
           rt->info.name, rt->info.spec, ftc_cl_error_name (rc),
           log != NULL && log[0] != '\0' ? log : "(the driver gave no build log)");
  free (log);
  return FTC_ERR_BUILD;
}

static FtcStatus build_source (FtcClRuntime *rt, const char *name, const char *source, size_t len,
                               const char *options, cl_program *out, FtcClProgramOrigin *origin, char *err,
                               size_t err_len);

static cl_program
try_binary (FtcClRuntime *rt, const unsigned char *bin, size_t len, const char *options)
{
  cl_int status = CL_SUCCESS, rc = CL_SUCCESS;
  cl_program program = clCreateProgramWithBinary (rt->context, 1, &rt->device, &len, &bin, &status, &rc);

  if (program == NULL || rc != CL_SUCCESS || status != CL_SUCCESS)
    {
      if (program != NULL)
        clReleaseProgram (program);
      return NULL;
    }
  if (clBuildProgram (program, 1, &rt->device, options, NULL, NULL) != CL_SUCCESS)
    {
      clReleaseProgram (program);
      return NULL;
    }
  return program;
}

/* Between the prelude and a program's source: the compiler numbers the source's lines from 1. */
#define PRELUDE_END "\n#line 1\n"

FtcStatus
ftc_cl_program_build (FtcClRuntime *rt, const char *name, const char *prelude, const char *source, size_t len,
                      const char *options, cl_program *out, FtcClProgramOrigin *origin,
                      char *err, size_t err_len)
{
  char *joined = NULL;
  FtcStatus st;

  *out = NULL;
  if (prelude == NULL || prelude[0] == '\0')
    return build_source (rt, name, source, len, options, out, origin, err, err_len);
  {
    const size_t plen = strlen (prelude), elen = strlen (PRELUDE_END);

    joined = malloc (plen + elen + len + 1);
    if (joined == NULL)
      {
        set_err (err, err_len, "OpenCL program %s.cl: out of host memory", name);
        return FTC_ERR_HOST_MEMORY;
      }
    memcpy (joined, prelude, plen);
    memcpy (joined + plen, PRELUDE_END, elen);
    memcpy (joined + plen + elen, source, len);
    joined[plen + elen + len] = '\0';
    st = build_source (rt, name, joined, plen + elen + len, options, out, origin, err, err_len);
  }
  free (joined);
  return st;
}

FtcStatus
ftc_cl_program_build_embedded (FtcClRuntime *rt, const char *name, const char *options, cl_program *out,
                               FtcClProgramOrigin *origin, char *err, size_t err_len)
{
  const FtcClSource *src = ftc_cl_source_find (name);
  const FtcClSource *prelude = ftc_cl_source_find ("prelude");

  *out = NULL;
  if (src == NULL || prelude == NULL)
    {
      set_err (err, err_len, "kernel source %s.cl is not embedded in this build", src == NULL ? name : "prelude");
      return FTC_ERR_BUILD;
    }
  return ftc_cl_program_build (rt, name, prelude->source, src->source, src->length, options, out, origin,
                               err, err_len);
}

/* The whole source (prelude included) through the cache. */
static FtcStatus
build_source (FtcClRuntime *rt, const char *name, const char *source, size_t len, const char *options,
              cl_program *out, FtcClProgramOrigin *origin, char *err, size_t err_len)
{
  char dir[1024], path[1200];
  uint64_t key = 0;
  int have_dir;
  cl_program program;
  cl_int rc = CL_SUCCESS;

  *out = NULL;
  if (options == NULL)
    options = "";
  key = hash_str (key, rt->info.name);
  key = hash_str (key, rt->info.driver_version);
  key = hash_str (key, rt->info.platform);
  key = hash_str (key, rt->platform_version);
  key = hash_str (key, options);
  key = ftc_cl_hash (key, source, len);

  have_dir = ftc_cl_cache_dir (dir, sizeof dir) != NULL;
  if (have_dir)
    {
      size_t bin_len = 0;
      unsigned char *bin;

      snprintf (path, sizeof path, "%s/%s-%016llx.bin", dir, name, (unsigned long long) key);
      bin = cache_load (path, key, &bin_len);
      if (bin != NULL)
        {
          program = try_binary (rt, bin, bin_len, options);
          free (bin);
          if (program != NULL)
            {
              *out = program;
              if (origin != NULL)
                *origin = FTC_CL_PROGRAM_CACHED;
              return FTC_OK;
            }
        }
    }

  program = clCreateProgramWithSource (rt->context, 1, &source, &len, &rc);
  if (program == NULL || rc != CL_SUCCESS)
    {
      set_err (err, err_len, "OpenCL program %s.cl: clCreateProgramWithSource failed: %s", name,
               ftc_cl_error_name (rc));
      return rc == CL_OUT_OF_HOST_MEMORY ? FTC_ERR_HOST_MEMORY : FTC_ERR_DEVICE;
    }
  rc = clBuildProgram (program, 1, &rt->device, options, NULL, NULL);
  if (rc != CL_SUCCESS)
    {
      FtcStatus st = build_log_error (rt, program, name, rc, err, err_len);
      clReleaseProgram (program);
      return st;
    }

  if (have_dir)
    {
      size_t bin_len = 0;

      if (clGetProgramInfo (program, CL_PROGRAM_BINARY_SIZES, sizeof bin_len, &bin_len, NULL) == CL_SUCCESS
          && bin_len > 0)
        {
          unsigned char *bin = malloc (bin_len);

          if (bin != NULL
              && clGetProgramInfo (program, CL_PROGRAM_BINARIES, sizeof bin, &bin, NULL) == CL_SUCCESS)
            cache_store (dir, path, key, bin, bin_len);
          free (bin);
        }
    }
  *out = program;
  if (origin != NULL)
    *origin = FTC_CL_PROGRAM_BUILT;
  return FTC_OK;
}
