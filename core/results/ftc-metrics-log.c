/* ftc-metrics-log.c: metrics.jsonl lines, written and read in one place. */
#include "core/results/ftc-metrics-log.h"

#include <math.h>

#include "core/ftc-error.h"
#include "core/ftc-json-in.h"
#include "core/ftc-json-out.h"
#include "core/ftc-jsonl.h"

struct _FtcMetricsLog {
  FtcJsonlReader *lines;
};

void
ftc_metrics_line_init (FtcMetricsLine *line)
{
  *line = (FtcMetricsLine) { NULL, NULL, -1, -1, -1, NAN, NAN, NAN, NAN, NAN, NAN, NULL };
}

void
ftc_metrics_line_clear (FtcMetricsLine *line)
{
  g_free (line->task);
  g_free (line->method);
  g_free (line->device);
  ftc_metrics_line_init (line);
}

/* The number members, in the order they are written. */
static const struct {
  const char *name;
  gsize offset;
  double max;
} numbers[] = {
  { "loss", G_STRUCT_OFFSET (FtcMetricsLine, loss), INFINITY },
  { "lr", G_STRUCT_OFFSET (FtcMetricsLine, lr), INFINITY },
  { "grad_norm", G_STRUCT_OFFSET (FtcMetricsLine, grad_norm), INFINITY },
  { "tokens_per_s", G_STRUCT_OFFSET (FtcMetricsLine, tokens_per_s), INFINITY },
  { "elapsed_s", G_STRUCT_OFFSET (FtcMetricsLine, elapsed_s), INFINITY },
  { "test_accuracy", G_STRUCT_OFFSET (FtcMetricsLine, test_accuracy), 100.0 },
};

#define NUMBER(line, i) G_STRUCT_MEMBER (double, (line), numbers[i].offset)

char *
ftc_metrics_line_to_json (const FtcMetricsLine *line)
{
  g_autoptr (JsonObject) o = json_object_new ();

  json_object_set_string_member (o, "task", line->task != NULL ? line->task : "");
  json_object_set_string_member (o, "method", line->method != NULL ? line->method : "");
  json_object_set_int_member (o, "step", MAX (line->step, 0));
  if (line->epoch >= 0)
    json_object_set_int_member (o, "epoch", line->epoch);
  for (gsize i = 0; i < G_N_ELEMENTS (numbers); i++)
    if (isfinite (NUMBER (line, i)))
      json_object_set_double_member (o, numbers[i].name, NUMBER (line, i));
  if (line->total_steps >= 0)
    json_object_set_int_member (o, "total_steps", line->total_steps);
  if (line->device != NULL)
    json_object_set_string_member (o, "device", line->device);
  return ftc_json_object_to_line (o);
}

gboolean
ftc_metrics_line_from_json (JsonObject *object, FtcMetricsLine *line, GError **error)
{
  const char *task = NULL, *method = NULL, *device = NULL;

  ftc_metrics_line_init (line);
  if (!ftc_json_get_string (object, "task", NULL, &task, error)
      || !ftc_json_get_string (object, "method", NULL, &method, error)
      || !ftc_json_get_string (object, "device", NULL, &device, error))
    return FALSE;
  if (task == NULL || *task == '\0' || method == NULL || *method == '\0'
      || !ftc_json_require (object, "step", NULL, NULL))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "a metrics line needs task, method and step");
      return FALSE;
    }
  /* counts become C ints in the trainer */
  if (!ftc_json_get_int (object, "step", NULL, 0, G_MAXINT32, &line->step, error)
      || !ftc_json_get_int (object, "epoch", NULL, 0, G_MAXINT32, &line->epoch, error)
      || !ftc_json_get_int (object, "total_steps", NULL, 0, G_MAXINT32, &line->total_steps, error))
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (numbers); i++)
    if (!ftc_json_get_double (object, numbers[i].name, NULL, 0.0, numbers[i].max, &NUMBER (line, i), error))
      return FALSE;
  line->task = g_strdup (task);
  line->method = g_strdup (method);
  line->device = g_strdup (device);
  return TRUE;
}

FtcMetricsLog *
ftc_metrics_log_open_at (const char *path, guint64 offset, guint lines_before, GError **error)
{
  FtcJsonlReader *lines = ftc_jsonl_reader_open_at (path, offset, lines_before + 1, error);
  FtcMetricsLog *log;

  if (lines == NULL)
    return NULL;
  log = g_new0 (FtcMetricsLog, 1);
  log->lines = lines;
  return log;
}

FtcMetricsLog *
ftc_metrics_log_open (const char *path, GError **error)
{
  return ftc_metrics_log_open_at (path, 0, 0, error);
}

FtcMetricsLog *
ftc_metrics_log_new_for_data (const char *data, gsize len, const char *name)
{
  FtcMetricsLog *log = g_new0 (FtcMetricsLog, 1);

  log->lines = ftc_jsonl_reader_new_for_data (data, len, name);
  return log;
}

void
ftc_metrics_log_set_follow (FtcMetricsLog *log, gboolean follow)
{
  ftc_jsonl_reader_set_follow (log->lines, follow);
}

void
ftc_metrics_log_free (FtcMetricsLog *log)
{
  if (log == NULL)
    return;
  ftc_jsonl_reader_free (log->lines);
  g_free (log);
}

gboolean
ftc_metrics_log_next (FtcMetricsLog *log, FtcMetricsLine *line, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (JsonObject) object = NULL;

  ftc_metrics_line_clear (line);
  object = ftc_jsonl_reader_next (log->lines, &local);
  if (object == NULL)
    {
      if (local != NULL)
        g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (!ftc_metrics_line_from_json (object, line, &local))
    return ftc_jsonl_reader_propagate (log->lines, error, g_steal_pointer (&local));
  return TRUE;
}

guint64
ftc_metrics_log_get_offset (FtcMetricsLog *log)
{
  return ftc_jsonl_reader_get_offset (log->lines);
}

guint
ftc_metrics_log_get_line_count (FtcMetricsLog *log)
{
  return ftc_jsonl_reader_get_line_count (log->lines);
}
