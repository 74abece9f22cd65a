#include "core/ftc-user-dirs.h"

#include "compute/backends/opencl/ftc-cl-gemm.h"
#include "compute/backends/opencl/ftc-cl-runtime.h"

void
ftc_user_dirs_apply (void)
{
  g_autofree char *cache = g_build_filename (g_get_user_cache_dir (), "ftcot", "cl-cache", NULL);

  ftc_cl_set_cache_dir (cache);
  /* the tuned parameters live in <config>/ftcot/clblast/ */
  ftc_cl_set_config_dir (g_get_user_config_dir ());
}
