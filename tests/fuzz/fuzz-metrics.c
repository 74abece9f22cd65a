/* fuzz-metrics: arbitrary bytes as metrics.jsonl to core's one reader (core/results/ftc-metrics-log.h). Every
 * line it accepts holds values the charts can draw (finite, in range), writes back to a line, and that line
 * reads again to the same values; every error names the file and its line. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "core/ftc-json-in.h"
#include "core/results/ftc-metrics-log.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static gboolean
same (double a, double b)
{
  return (isnan (a) && isnan (b)) || memcmp (&a, &b, sizeof a) == 0;
}

static void
check_line (const FtcMetricsLine *m)
{
  const double numbers[] = { m->loss, m->lr, m->grad_norm, m->tokens_per_s, m->elapsed_s, m->test_accuracy };
  char *text;
  JsonObject *object;
  FtcMetricsLine back;
  GError *error = NULL;

  if (m->task == NULL || *m->task == '\0' || m->method == NULL || *m->method == '\0' || m->step < 0
      || m->step > G_MAXINT32 || m->epoch < -1 || m->epoch > G_MAXINT32 || m->total_steps < -1)
    __builtin_trap ();
  for (gsize i = 0; i < G_N_ELEMENTS (numbers); i++)
    if (!isnan (numbers[i]) && (!isfinite (numbers[i]) || numbers[i] < 0))
      __builtin_trap ();
  if (!isnan (m->test_accuracy) && m->test_accuracy > 100)
    __builtin_trap ();
  text = ftc_metrics_line_to_json (m);
  object = ftc_json_parse_object (text, strlen (text), "written", NULL);
  if (object == NULL || !ftc_metrics_line_from_json (object, &back, &error))
    {
      g_printerr ("a written line does not read back: %s\n", text);
      __builtin_trap ();
    }
  if (strcmp (back.task, m->task) != 0 || strcmp (back.method, m->method) != 0 || back.step != m->step
      || back.epoch != m->epoch || back.total_steps != m->total_steps || !same (back.loss, m->loss)
      || !same (back.lr, m->lr) || !same (back.grad_norm, m->grad_norm) || !same (back.tokens_per_s, m->tokens_per_s)
      || !same (back.elapsed_s, m->elapsed_s) || !same (back.test_accuracy, m->test_accuracy)
      || g_strcmp0 (back.device, m->device) != 0)
    {
      g_printerr ("a line changed on its way back: %s\n", text);
      __builtin_trap ();
    }
  ftc_metrics_line_clear (&back);
  json_object_unref (object);
  g_free (text);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  FtcMetricsLog *log = ftc_metrics_log_new_for_data ((const char *) data, size, "fuzz/metrics.jsonl");
  FtcMetricsLine line;
  GError *error = NULL;

  ftc_metrics_line_init (&line);
  while (ftc_metrics_log_next (log, &line, &error))
    check_line (&line);
  ftc_metrics_line_clear (&line);
  if (error != NULL && !g_str_has_prefix (error->message, "fuzz/metrics.jsonl:"))
    __builtin_trap ();
  g_clear_error (&error);
  ftc_metrics_log_free (log);
  return 0;
}
