/* fuzz-record: the completion record reader on arbitrary bytes. Whatever it accepts must write back to a
 * line that reads again as the same line (the writer's output is always valid and stable). */
#include <stdlib.h>
#include <string.h>

#include "core/tasks/ftc-record.h"

static void
check_round_trip (const FtcRecord *record)
{
  g_autofree char *line = ftc_record_to_json_line (record);
  g_autoptr (GInputStream) stream = g_memory_input_stream_new_from_data (g_strdup (line), -1, g_free);
  g_autoptr (FtcRecordReader) reader = ftc_record_reader_new (stream, "round-trip");
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcRecord) back = ftc_record_reader_next (reader, &error);
  g_autofree char *again = NULL;

  if (back == NULL)
    {
      g_printerr ("written line does not read back: %s\n%s\n", error ? error->message : "(no error)", line);
      abort ();
    }
  again = ftc_record_to_json_line (back);
  if (strcmp (line, again) != 0)
    {
      g_printerr ("round trip changed the line:\n%s\n%s\n", line, again);
      abort ();
    }
}

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (GInputStream) stream = g_memory_input_stream_new_from_data (g_memdup2 (data, size), size, g_free);
  g_autoptr (FtcRecordReader) reader = ftc_record_reader_new (stream, "fuzz");
  g_autoptr (GError) error = NULL;
  FtcRecord *record;

  /* a small limit for some inputs so that the limit itself is exercised, the default for the others (deep
   * nesting and huge numbers need long lines to get past it) */
  if (size % 3 == 0)
    ftc_record_reader_set_max_line (reader, 4096);
  ftc_record_reader_set_allow_empty (reader, size % 2 == 0);
  while ((record = ftc_record_reader_next (reader, &error)) != NULL)
    {
      check_round_trip (record);
      ftc_record_free (record);
    }
  if (error != NULL && (error->message == NULL || !g_str_has_prefix (error->message, "fuzz")))
    abort ();   /* every error names the input */
  return 0;
}
