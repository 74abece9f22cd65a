/* ftc-cl-gemm.c: CLBlast status names, Xgemm parameter sets, the built-in table and the tuned file. */
#include "compute/backends/opencl/ftc-cl-gemm.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
  int code;
  const char *name;
} StatusName;

static const StatusName clblast_names[] = {
  { CLBlastSuccess, "CLBlastSuccess" },
  { CLBlastOpenCLCompilerNotAvailable, "CLBlastOpenCLCompilerNotAvailable" },
  { CLBlastTempBufferAllocFailure, "CLBlastTempBufferAllocFailure" },
  { CLBlastOpenCLOutOfResources, "CLBlastOpenCLOutOfResources" },
  { CLBlastOpenCLOutOfHostMemory, "CLBlastOpenCLOutOfHostMemory" },
  { CLBlastOpenCLBuildProgramFailure, "CLBlastOpenCLBuildProgramFailure" },
  { CLBlastInvalidValue, "CLBlastInvalidValue" },
  { CLBlastInvalidCommandQueue, "CLBlastInvalidCommandQueue" },
  { CLBlastInvalidMemObject, "CLBlastInvalidMemObject" },
  { CLBlastInvalidBinary, "CLBlastInvalidBinary" },
  { CLBlastInvalidBuildOptions, "CLBlastInvalidBuildOptions" },
  { CLBlastInvalidProgram, "CLBlastInvalidProgram" },
  { CLBlastInvalidProgramExecutable, "CLBlastInvalidProgramExecutable" },
  { CLBlastInvalidKernelName, "CLBlastInvalidKernelName" },
  { CLBlastInvalidKernelDefinition, "CLBlastInvalidKernelDefinition" },
  { CLBlastInvalidKernel, "CLBlastInvalidKernel" },
  { CLBlastInvalidArgIndex, "CLBlastInvalidArgIndex" },
  { CLBlastInvalidArgValue, "CLBlastInvalidArgValue" },
  { CLBlastInvalidArgSize, "CLBlastInvalidArgSize" },
  { CLBlastInvalidKernelArgs, "CLBlastInvalidKernelArgs" },
  { CLBlastInvalidLocalNumDimensions, "CLBlastInvalidLocalNumDimensions" },
  { CLBlastInvalidLocalThreadsTotal, "CLBlastInvalidLocalThreadsTotal" },
  { CLBlastInvalidLocalThreadsDim, "CLBlastInvalidLocalThreadsDim" },
  { CLBlastInvalidGlobalOffset, "CLBlastInvalidGlobalOffset" },
  { CLBlastInvalidEventWaitList, "CLBlastInvalidEventWaitList" },
  { CLBlastInvalidEvent, "CLBlastInvalidEvent" },
  { CLBlastInvalidOperation, "CLBlastInvalidOperation" },
  { CLBlastInvalidBufferSize, "CLBlastInvalidBufferSize" },
  { CLBlastInvalidGlobalWorkSize, "CLBlastInvalidGlobalWorkSize" },
  { CLBlastNotImplemented, "CLBlastNotImplemented" },
  { CLBlastInvalidMatrixA, "CLBlastInvalidMatrixA" },
  { CLBlastInvalidMatrixB, "CLBlastInvalidMatrixB" },
  { CLBlastInvalidMatrixC, "CLBlastInvalidMatrixC" },
  { CLBlastInvalidVectorX, "CLBlastInvalidVectorX" },
  { CLBlastInvalidVectorY, "CLBlastInvalidVectorY" },
  { CLBlastInvalidDimension, "CLBlastInvalidDimension" },
  { CLBlastInvalidLeadDimA, "CLBlastInvalidLeadDimA" },
  { CLBlastInvalidLeadDimB, "CLBlastInvalidLeadDimB" },
  { CLBlastInvalidLeadDimC, "CLBlastInvalidLeadDimC" },
  { CLBlastInvalidIncrementX, "CLBlastInvalidIncrementX" },
  { CLBlastInvalidIncrementY, "CLBlastInvalidIncrementY" },
  { CLBlastInsufficientMemoryA, "CLBlastInsufficientMemoryA" },
  { CLBlastInsufficientMemoryB, "CLBlastInsufficientMemoryB" },
  { CLBlastInsufficientMemoryC, "CLBlastInsufficientMemoryC" },
  { CLBlastInsufficientMemoryX, "CLBlastInsufficientMemoryX" },
  { CLBlastInsufficientMemoryY, "CLBlastInsufficientMemoryY" },
  { CLBlastInsufficientMemoryTemp, "CLBlastInsufficientMemoryTemp" },
  { CLBlastInvalidBatchCount, "CLBlastInvalidBatchCount" },
  { CLBlastInvalidOverrideKernel, "CLBlastInvalidOverrideKernel" },
  { CLBlastMissingOverrideParameter, "CLBlastMissingOverrideParameter" },
  { CLBlastInvalidLocalMemUsage, "CLBlastInvalidLocalMemUsage" },
  { CLBlastNoHalfPrecision, "CLBlastNoHalfPrecision" },
  { CLBlastNoDoublePrecision, "CLBlastNoDoublePrecision" },
  { CLBlastInvalidVectorScalar, "CLBlastInvalidVectorScalar" },
  { CLBlastInsufficientMemoryScalar, "CLBlastInsufficientMemoryScalar" },
  { CLBlastDatabaseError, "CLBlastDatabaseError" },
  { CLBlastUnknownError, "CLBlastUnknownError" },
  { CLBlastUnexpectedError, "CLBlastUnexpectedError" },
};

const char *
ftc_clblast_status_name (CLBlastStatusCode status)
{
  for (size_t i = 0; i < sizeof clblast_names / sizeof clblast_names[0]; i++)
    if (clblast_names[i].code == (int) status)
      return clblast_names[i].name;
  /* CLBlast passes other OpenCL errors through unchanged */
  return ftc_cl_error_name ((cl_int) status);
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

/* ---- parameter sets ---- */

const char *const ftc_cl_xgemm_param_names[FTC_CL_XGEMM_N_PARAMS] = {
  "GEMMK", "KREG", "KWG", "KWI", "MDIMA", "MDIMC", "MWG", "NDIMB",
  "NDIMC", "NWG", "SA", "SB", "STRM", "STRN", "VWM", "VWN",
};

int *
ftc_cl_gemm_params_field (FtcClGemmParams *p, int i)
{
  int *fields[FTC_CL_XGEMM_N_PARAMS] = {
    &p->GEMMK, &p->KREG, &p->KWG, &p->KWI, &p->MDIMA, &p->MDIMC, &p->MWG, &p->NDIMB,
    &p->NDIMC, &p->NWG, &p->SA, &p->SB, &p->STRM, &p->STRN, &p->VWM, &p->VWN,
  };
  return fields[i];
}

static int
is_vector_width (int v)
{
  return v == 1 || v == 2 || v == 4 || v == 8 || v == 16;
}

/* The constraints of CLBlast's Xgemm tuner (GEMMK 0 only: the 2D register tiling variant is for GPUs with
 * subgroup shuffles, which we do not search). */
int
ftc_cl_gemm_params_valid (const FtcClGemmParams *p, size_t max_work_group_size, uint64_t local_mem_bytes,
                          const char **why)
{
  const char *dummy;

  if (why == NULL)
    why = &dummy;
  *why = NULL;
  if (p->GEMMK != 0 || p->KREG != 1)
    *why = "GEMMK must be 0 with KREG 1";
  else if (p->KWG <= 0 || p->KWI <= 0 || p->MWG <= 0 || p->NWG <= 0 || p->MDIMC <= 0 || p->NDIMC <= 0
           || p->MDIMA <= 0 || p->NDIMB <= 0)
    *why = "sizes must be positive";
  else if (!is_vector_width (p->VWM) || !is_vector_width (p->VWN))
    *why = "VWM and VWN must be 1, 2, 4, 8 or 16";
  else if ((p->SA != 0 && p->SA != 1) || (p->SB != 0 && p->SB != 1) || (p->STRM != 0 && p->STRM != 1)
           || (p->STRN != 0 && p->STRN != 1))
    *why = "SA, SB, STRM and STRN must be 0 or 1";
  else if (p->KWG % p->KWI != 0)
    *why = "KWI must divide KWG";
  else if (p->MWG % (p->MDIMC * p->VWM) != 0 || p->NWG % (p->NDIMC * p->VWN) != 0)
    *why = "MWG must be a multiple of MDIMC*VWM and NWG of NDIMC*VWN";
  else if (p->MWG % (p->MDIMA * p->VWM) != 0 || p->NWG % (p->NDIMB * p->VWN) != 0)
    *why = "MWG must be a multiple of MDIMA*VWM and NWG of NDIMB*VWN";
  else if ((p->MDIMC * p->NDIMC) % p->MDIMA != 0 || (p->MDIMC * p->NDIMC) % p->NDIMB != 0)
    *why = "MDIMA and NDIMB must divide MDIMC*NDIMC";
  else if (p->KWG % ((p->MDIMC * p->NDIMC) / p->MDIMA) != 0
           || p->KWG % ((p->MDIMC * p->NDIMC) / p->NDIMB) != 0)
    *why = "KWG must be a multiple of MDIMC*NDIMC/MDIMA and of MDIMC*NDIMC/NDIMB";
  else if ((size_t) (p->MDIMC * p->NDIMC) > max_work_group_size)
    *why = "MDIMC*NDIMC exceeds the device's work-group size";
  else if ((uint64_t) (p->SA * p->KWG * p->MWG + p->SB * p->KWG * p->NWG) * 4 > local_mem_bytes)
    *why = "the local-memory tiles exceed the device's local memory";
  else if (p->min_indirect_size < 0)
    *why = "XGEMM_MIN_INDIRECT_SIZE must be >= 0";
  return *why == NULL;
}

FtcStatus
ftc_cl_gemm_params_apply (FtcClRuntime *rt, const FtcClGemmParams *p, char *err, size_t err_len)
{
  const char *why = NULL;
  size_t values[FTC_CL_XGEMM_N_PARAMS];
  FtcClGemmParams copy = *p;
  CLBlastStatusCode st;

  if (!ftc_cl_gemm_params_valid (p, rt->max_work_group_size, rt->local_mem_bytes, &why))
    {
      set_err (err, err_len, "invalid Xgemm parameters for %s: %s", rt->info.name, why);
      return FTC_ERR_INVALID_ARG;
    }
  for (int i = 0; i < FTC_CL_XGEMM_N_PARAMS; i++)
    values[i] = (size_t) *ftc_cl_gemm_params_field (&copy, i);
  st = CLBlastOverrideParameters (rt->device, "Xgemm", CLBlastPrecisionSingle, FTC_CL_XGEMM_N_PARAMS,
                                  (const char **) ftc_cl_xgemm_param_names, values);
  if (st == CLBlastSuccess)
    {
      const char *name = "XGEMM_MIN_INDIRECT_SIZE";
      size_t value = (size_t) p->min_indirect_size;

      st = CLBlastOverrideParameters (rt->device, "GemmRoutine", CLBlastPrecisionSingle, 1, &name, &value);
    }
  if (st != CLBlastSuccess)
    {
      set_err (err, err_len, "CLBlastOverrideParameters failed on %s: %s", rt->info.name,
               ftc_clblast_status_name (st));
      return FTC_ERR_BLAS;
    }
  return FTC_OK;
}

/* ---- built-in table ---- */

typedef struct {
  const char *platform_contains;
  const char *name_contains;     /* "" matches every device of the platform */
  int is_gpu;
  FtcClGemmParams params;
} BuiltinEntry;

/* Measured with `ftcot tune` (see docs/PERFORMANCE.md). PoCL's CPU device: CLBlast's defaults reach
 * 8-17 GFLOP/s on GPT-2 shapes on a 2-core AVX2 machine, this set 72-91. */
static const BuiltinEntry builtin_table[] = {
  { "Portable Computing Language", "", 0,
    { .GEMMK = 0, .KREG = 1, .KWG = 64, .KWI = 8, .MDIMA = 8, .MDIMC = 8, .MWG = 64, .NDIMB = 8,
      .NDIMC = 8, .NWG = 64, .SA = 1, .SB = 1, .STRM = 0, .STRN = 0, .VWM = 8, .VWN = 8,
      .min_indirect_size = 64 } },
};

const FtcClGemmParams *
ftc_cl_gemm_params_builtin (const FtcDeviceInfo *info)
{
  for (size_t i = 0; i < sizeof builtin_table / sizeof builtin_table[0]; i++)
    {
      const BuiltinEntry *e = &builtin_table[i];

      if (strstr (info->platform, e->platform_contains) != NULL && strstr (info->name, e->name_contains) != NULL
          && e->is_gpu == info->is_gpu)
        return &e->params;
    }
  return NULL;
}

/* ---- tuned file ---- */

/* Set by one thread while others may be opening backends: copied in and out under the lock. */
static char config_dir_override[1024];
static pthread_mutex_t config_dir_lock = PTHREAD_MUTEX_INITIALIZER;

void
ftc_cl_set_config_dir (const char *dir)
{
  pthread_mutex_lock (&config_dir_lock);
  if (dir == NULL)
    config_dir_override[0] = '\0';
  else
    snprintf (config_dir_override, sizeof config_dir_override, "%s", dir);
  pthread_mutex_unlock (&config_dir_lock);
}

static const char *
config_base (char *buf, size_t len)
{
  const char *base;

  pthread_mutex_lock (&config_dir_lock);
  if (config_dir_override[0] != '\0')
    {
      snprintf (buf, len, "%s", config_dir_override);
      pthread_mutex_unlock (&config_dir_lock);
      return buf;
    }
  pthread_mutex_unlock (&config_dir_lock);
  base = getenv ("XDG_CONFIG_HOME");
  if (base != NULL && base[0] == '/')
    {
      snprintf (buf, len, "%s", base);
      return buf;
    }
  base = getenv ("HOME");
  if (base != NULL && base[0] != '\0')
    {
      snprintf (buf, len, "%s/.config", base);
      return buf;
    }
  return NULL;
}

static uint64_t
device_key (const FtcDeviceInfo *info)
{
  uint64_t h = 0;

  h = ftc_cl_hash (h, info->name, strlen (info->name) + 1);
  h = ftc_cl_hash (h, info->driver_version, strlen (info->driver_version) + 1);
  h = ftc_cl_hash (h, info->platform, strlen (info->platform) + 1);
  return h;
}

const char *
ftc_cl_gemm_tuning_path (const FtcDeviceInfo *info, char *buf, size_t len)
{
  char base[1024];

  if (config_base (base, sizeof base) == NULL)
    return NULL;
  snprintf (buf, len, "%s/ftcot/clblast/%016llx.ini", base, (unsigned long long) device_key (info));
  return buf;
}

static void
chomp (char *s)
{
  size_t n = strlen (s);

  while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
    s[--n] = '\0';
}

FtcStatus
ftc_cl_gemm_tuning_load (const FtcDeviceInfo *info, FtcClGemmParams *p, double *gflops, char *err,
                         size_t err_len)
{
  char path[1200], line[512];
  FILE *f;
  FtcClGemmParams q;
  int seen[FTC_CL_XGEMM_N_PARAMS + 1] = { 0 };
  int device_ok = 0, driver_ok = 0, platform_ok = 0, lineno = 0;
  double gf = 0;

  if (ftc_cl_gemm_tuning_path (info, path, sizeof path) == NULL)
    {
      set_err (err, err_len, "no configuration directory (neither XDG_CONFIG_HOME nor HOME is set)");
      return FTC_ERR_IO;
    }
  f = fopen (path, "r");
  if (f == NULL)
    {
      set_err (err, err_len, "%s: no tuned parameters for this device", path);
      return FTC_ERR_IO;
    }
  memset (&q, 0, sizeof q);
  while (fgets (line, sizeof line, f) != NULL)
    {
      char *eq, *key, *value, *end;
      long v;

      lineno++;
      chomp (line);
      if (line[0] == '#' || line[0] == '\0' || line[0] == '[')
        continue;
      eq = strchr (line, '=');
      if (eq == NULL)
        {
          set_err (err, err_len, "%s:%d: expected key=value", path, lineno);
          fclose (f);
          return FTC_ERR_IO;
        }
      *eq = '\0';
      key = line;
      value = eq + 1;
      if (strcmp (key, "device") == 0)
        device_ok = strcmp (value, info->name) == 0;
      else if (strcmp (key, "driver") == 0)
        driver_ok = strcmp (value, info->driver_version) == 0;
      else if (strcmp (key, "platform") == 0)
        platform_ok = strcmp (value, info->platform) == 0;
      else if (strcmp (key, "gflops") == 0)
        gf = strtod (value, NULL);
      else
        {
          int i;

          v = strtol (value, &end, 10);
          if (*value == '\0' || *end != '\0' || v < 0 || v > 1 << 20)
            {
              set_err (err, err_len, "%s:%d: %s: not a non-negative integer", path, lineno, key);
              fclose (f);
              return FTC_ERR_IO;
            }
          if (strcmp (key, "XGEMM_MIN_INDIRECT_SIZE") == 0)
            {
              q.min_indirect_size = (int) v;
              seen[FTC_CL_XGEMM_N_PARAMS] = 1;
              continue;
            }
          for (i = 0; i < FTC_CL_XGEMM_N_PARAMS; i++)
            if (strcmp (key, ftc_cl_xgemm_param_names[i]) == 0)
              break;
          if (i == FTC_CL_XGEMM_N_PARAMS)
            {
              set_err (err, err_len, "%s:%d: unknown key '%s'", path, lineno, key);
              fclose (f);
              return FTC_ERR_IO;
            }
          *ftc_cl_gemm_params_field (&q, i) = (int) v;
          seen[i] = 1;
        }
    }
  fclose (f);
  if (!device_ok || !driver_ok || !platform_ok)
    {
      set_err (err, err_len, "%s: tuned for another device or driver version", path);
      return FTC_ERR_IO;
    }
  for (int i = 0; i <= FTC_CL_XGEMM_N_PARAMS; i++)
    if (!seen[i])
      {
        set_err (err, err_len, "%s: missing %s", path,
                 i < FTC_CL_XGEMM_N_PARAMS ? ftc_cl_xgemm_param_names[i] : "XGEMM_MIN_INDIRECT_SIZE");
        return FTC_ERR_IO;
      }
  *p = q;
  if (gflops != NULL)
    *gflops = gf;
  return FTC_OK;
}

static void
make_dirs (const char *path)
{
  char tmp[1200];

  snprintf (tmp, sizeof tmp, "%s", path);
  for (char *s = tmp + 1; *s != '\0'; s++)
    if (*s == '/')
      {
        *s = '\0';
        mkdir (tmp, 0755);
        *s = '/';
      }
  mkdir (tmp, 0755);
}

FtcStatus
ftc_cl_gemm_tuning_save (const FtcDeviceInfo *info, const FtcClGemmParams *p, double gflops, char *err,
                         size_t err_len)
{
  char path[1200], dir[1200], tmp[1300];
  FtcClGemmParams copy = *p;
  char *slash;
  FILE *f;
  int fd, ok;

  if (ftc_cl_gemm_tuning_path (info, path, sizeof path) == NULL)
    {
      set_err (err, err_len, "no configuration directory (neither XDG_CONFIG_HOME nor HOME is set)");
      return FTC_ERR_IO;
    }
  snprintf (dir, sizeof dir, "%s", path);
  slash = strrchr (dir, '/');
  if (slash != NULL)
    *slash = '\0';
  make_dirs (dir);
  snprintf (tmp, sizeof tmp, "%s.tmp-%ld", path, (long) getpid ());
  fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || (f = fdopen (fd, "w")) == NULL)
    {
      if (fd >= 0)
        close (fd);
      set_err (err, err_len, "%s: cannot write", tmp);
      return FTC_ERR_IO;
    }
  fprintf (f, "# CLBlast Xgemm parameters for this device, found by `ftcot tune`; delete to use the defaults.\n");
  fprintf (f, "device=%s\ndriver=%s\nplatform=%s\ngflops=%.2f\n", info->name, info->driver_version,
           info->platform, gflops);
  for (int i = 0; i < FTC_CL_XGEMM_N_PARAMS; i++)
    fprintf (f, "%s=%d\n", ftc_cl_xgemm_param_names[i], *ftc_cl_gemm_params_field (&copy, i));
  fprintf (f, "XGEMM_MIN_INDIRECT_SIZE=%d\n", p->min_indirect_size);
  ok = fflush (f) == 0 && fsync (fileno (f)) == 0;
  ok = fclose (f) == 0 && ok;
  if (!ok || rename (tmp, path) != 0)
    {
      unlink (tmp);
      set_err (err, err_len, "%s: cannot write", path);
      return FTC_ERR_IO;
    }
  return FTC_OK;
}
