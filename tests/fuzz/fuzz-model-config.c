/* fuzz-model-config: a model folder's config.json, written to a file and read by ftc_model_config_load (the
 * bounded reader, the strict parser, the checked members). Any input gives a configuration the engine
 * accepts or an error naming the file, never both, never a crash. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "compute/models/ftc-gpt2.h"
#include "core/students/ftc-model-dir.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char *path;

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  FtcGpt2Config config = { 0 };
  char err[256];
  gboolean ok;

  if (path == NULL)
    {
      /* in memory where there is a tmpfs: each input is a file */
      char *dir = g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) ? g_strdup ("/dev/shm/fuzz-model-config-XXXXXX")
                                                              : g_build_filename (g_get_tmp_dir (), "fuzz-model-config-XXXXXX", NULL);
      if (g_mkdtemp (dir) == NULL)
        __builtin_trap ();
      path = g_build_filename (dir, "config.json", NULL);
      g_free (dir);
    }
  {
    /* a plain write: g_file_set_contents would fsync every input */
    FILE *f = fopen (path, "wb");
    if (f == NULL || fwrite (data, 1, size, f) != size || fclose (f) != 0)
      __builtin_trap ();
  }
  ok = ftc_model_config_load (path, &config, &error);
  if (ok == (error != NULL))
    __builtin_trap ();
  if (ok && ftc_gpt2_config_validate (&config, err, sizeof err) != FTC_OK)
    __builtin_trap ();   /* what loads, the engine takes */
  if (!ok && !g_str_has_prefix (error->message, path))
    __builtin_trap ();   /* every error names the file */
  g_clear_error (&error);
  return 0;
}
