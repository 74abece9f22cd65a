#include "core/ftc-user-dirs.h"

#include "compute/ftc-backend.h"

void
ftc_user_dirs_apply (void)
{
  g_autofree char *cache = g_build_filename (g_get_user_cache_dir (), "ftcot", "cl-cache", NULL);

  /* program binaries in <cache>/ftcot/cl-cache/, tuned parameters in <config>/ftcot/clblast/ */
  ftc_backend_set_user_dirs (cache, g_get_user_config_dir ());
}
