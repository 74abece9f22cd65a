/* ftc-eval-page.h: the evaluation view: per-task accuracy bars (students vs teacher vs baselines) and
 * accuracy against D from report/summary.json, the table of the same numbers, and the per-sample grid
 * of eval/TASK.METHOD.jsonl with the sample opened on click; export of the chart (PNG, SVG) and table (CSV). */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum {
  FTC_EVAL_CHART_BARS,        /* accuracy per method, one group per task */
  FTC_EVAL_CHART_DIVERSITY,   /* Fine-tune-CoT accuracy against D */
} FtcEvalChart;

#define FTC_TYPE_EVAL_PAGE (ftc_eval_page_get_type ())
G_DECLARE_FINAL_TYPE (FtcEvalPage, ftc_eval_page, FTC, EVAL_PAGE, GtkWidget)

GtkWidget *ftc_eval_page_new (void);
void ftc_eval_page_set_directory (FtcEvalPage *self, const char *dir);
gboolean ftc_eval_page_get_loading (FtcEvalPage *self);
const char *ftc_eval_page_get_error (FtcEvalPage *self);

/* Task keys found in the report and the eval records, sorted. */
const char *const *ftc_eval_page_get_tasks (FtcEvalPage *self);
/* NULL: all tasks. */
void ftc_eval_page_set_task (FtcEvalPage *self, const char *task);
void ftc_eval_page_set_chart (FtcEvalPage *self, FtcEvalChart chart);
FtcEvalChart ftc_eval_page_get_chart (FtcEvalPage *self);
GtkWidget *ftc_eval_page_get_chart_view (FtcEvalPage *self);     /* FtcChartView */
GListModel *ftc_eval_page_get_table_model (FtcEvalPage *self);   /* FtcEvalRow */
GtkWidget *ftc_eval_page_get_grid (FtcEvalPage *self);           /* FtcSampleGrid */
/* The benchmark table (a GtkGrid of labels, rows as ftc_report_benchmark_rows gives them); hidden when the
 * report has no benchmark and no sampled result. */
GtkWidget *ftc_eval_page_get_benchmark_grid (FtcEvalPage *self);
/* Opens the window of one sample of the grid's task (what a click does); returns it. */
GtkWidget *ftc_eval_page_open_sample (FtcEvalPage *self, guint sample);
/* Writes the chart (.png, .svg) or the table (.csv) by the file name's extension. */
gboolean ftc_eval_page_export (FtcEvalPage *self, const char *path, GError **error);

G_END_DECLS
