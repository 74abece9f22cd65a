/* fuzz-safetensors: libFuzzer target for the safetensors header parser and reader. Any input must give a
 * parsed file or a GError, never a crash or an out-of-bounds read; every tensor of a parsed file lies
 * inside the data and reads (or refuses to read, for other dtypes) cleanly. */
#include <stdint.h>
#include <string.h>

#include "core/students/ftc-safetensors.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  /* a copy of exactly size bytes, so that reading past the end is caught by the sanitizers */
  guint8 *copy = g_memdup2 (data, size);
  FtcSafetensors *st = ftc_safetensors_open_data (copy, size, "fuzz", &error);

  if ((st == NULL) == (error == NULL))
    __builtin_trap ();
  if (st != NULL)
    {
      for (guint i = 0; i < ftc_safetensors_n_tensors (st); i++)
        {
          const FtcSafetensorsTensor *t = ftc_safetensors_tensor (st, i);
          float *out;
          if (t->end < t->begin || t->end > size || ftc_safetensors_lookup (st, t->name) == NULL)
            __builtin_trap ();
          if (t->numel > (1u << 20))
            continue;
          out = g_new (float, t->numel + 1);
          if (!ftc_safetensors_read_f32 (st, t, out, t->numel, &error))
            {
              if (t->dtype != FTC_DTYPE_UNSUPPORTED)
                __builtin_trap ();
              g_clear_error (&error);
            }
          g_free (out);
        }
      ftc_safetensors_free (st);
    }
  g_clear_error (&error);
  g_free (copy);
  return 0;
}
