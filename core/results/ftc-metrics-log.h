/* ftc-metrics-log.h: metrics.jsonl, the training log of an experiment (docs/experiment.md), written by the
 * pipeline and read by the report and the studio's training view: the one owner of its lines.
 *
 * One JSON object per line, appended as training runs; every line names its task and method:
 *   a training step:  {"task", "method", "step", "epoch", "loss", "lr", "grad_norm", "tokens_per_s",
 *                      "elapsed_s", "total_steps", "device"}
 *   an evaluation:    {"task", "method", "step", "epoch", "test_accuracy"}
 * Reading goes through core/ftc-jsonl.h (a torn last line is ignored) and checks every value: task and
 * method non-empty strings, step, epoch and total_steps integers within a C int, loss, lr, grad_norm,
 * tokens_per_s and elapsed_s finite and not negative, test_accuracy a percentage from 0 to 100, device a
 * string. Anything else is an error
 * naming file:line and the field, so a value out of range never reaches a chart. null reads as absent;
 * keys nothing writes are ignored. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
  char *task;
  char *method;
  gint64 step;            /* optimizer steps done */
  gint64 epoch;           /* from 1; -1 when the line has none */
  gint64 total_steps;     /* of the whole run of this task and method; -1 when the line has none */
  double loss;            /* NAN when the line has none */
  double lr;
  double grad_norm;
  double tokens_per_s;
  double elapsed_s;       /* seconds since this training run (or its resumption) began */
  double test_accuracy;   /* percent */
  char *device;           /* the device that trained ("cpu", "opencl:0"), NULL when the line has none */
} FtcMetricsLine;

/* Absent values everywhere (NULL, -1, NAN). */
void ftc_metrics_line_init (FtcMetricsLine *line);
void ftc_metrics_line_clear (FtcMetricsLine *line);

/* One line (no newline) through core/ftc-json-out.h; absent and non-finite values are left out. */
char *ftc_metrics_line_to_json (const FtcMetricsLine *line);
/* Fills line (initialised here) from one parsed line; FTC_ERROR_INVALID naming the field. */
gboolean ftc_metrics_line_from_json (JsonObject *object, FtcMetricsLine *line, GError **error);

typedef struct _FtcMetricsLog FtcMetricsLog;

/* FTC_ERROR_NOT_FOUND when path does not exist. */
FtcMetricsLog *ftc_metrics_log_open (const char *path, GError **error);
/* Reads on from byte offset, after lines_before lines (for line numbers in errors). */
FtcMetricsLog *ftc_metrics_log_open_at (const char *path, guint64 offset, guint lines_before, GError **error);
/* Following a file being written: an unfinished last line is left for the next read (else it is read, or
 * ignored as torn when it does not parse). */
void ftc_metrics_log_set_follow (FtcMetricsLog *log, gboolean follow);
/* Reads data[0..len), which must outlive the log; name is what errors call it. */
FtcMetricsLog *ftc_metrics_log_new_for_data (const char *data, gsize len, const char *name);
void ftc_metrics_log_free (FtcMetricsLog *log);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcMetricsLog, ftc_metrics_log_free)

/* The next line into *line (cleared first); FALSE at the end (error unset) or on an error ("PATH:LINE:
 * ..."). */
gboolean ftc_metrics_log_next (FtcMetricsLog *log, FtcMetricsLine *line, GError **error);
/* The byte offset and the number of lines read so far: where ftc_metrics_log_open_at goes on. */
guint64 ftc_metrics_log_get_offset (FtcMetricsLog *log);
guint ftc_metrics_log_get_line_count (FtcMetricsLog *log);

G_END_DECLS
