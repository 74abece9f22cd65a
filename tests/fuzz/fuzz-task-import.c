/* fuzz-task-import: libFuzzer target for the JSONL and CSV task importer. The first byte picks the format
 * (even: JSONL, odd: CSV); the rest is the file. Any input must give a task or a GError, never a crash. */
#include <stdint.h>
#include <string.h>

#include "core/tasks/ftc-task-import.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  FtcTask *task;

  if (size == 0)
    return 0;
  task = ftc_task_import_data ((const char *) data + 1, size - 1, data[0] % 2 == 0 ? FTC_IMPORT_JSONL : FTC_IMPORT_CSV,
                               "fuzz", &error);
  /* exactly one of the two */
  if ((task == NULL) == (error == NULL))
    __builtin_trap ();
  if (task != NULL)
    {
      for (guint i = 0; i < task->samples->len; i++)
        {
          FtcSample *s = g_ptr_array_index (task->samples, i);
          if (s->question == NULL || s->answer == NULL || !g_utf8_validate (s->question, -1, NULL))
            __builtin_trap ();
        }
      if (task->train->len + task->test->len != task->samples->len)
        __builtin_trap ();
    }
  g_clear_error (&error);
  ftc_task_free (task);
  return 0;
}
