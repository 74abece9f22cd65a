/* ftc-eval-row.h: one row of the evaluation table (a task's accuracy under one method), from
 * report/summary.json. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define FTC_TYPE_EVAL_ROW (ftc_eval_row_get_type ())
G_DECLARE_FINAL_TYPE (FtcEvalRow, ftc_eval_row, FTC, EVAL_ROW, GObject)

/* n < 0: unknown */
FtcEvalRow *ftc_eval_row_new (const char *task, const char *method, double accuracy, gint64 n);
/* The 95% interval (percent); NAN when the summary has none. */
void ftc_eval_row_set_interval (FtcEvalRow *self, double lo, double hi);
/* The task's display title ("Coin Flip"); the key when unset. */
void ftc_eval_row_set_task_title (FtcEvalRow *self, const char *title);
const char *ftc_eval_row_get_task (FtcEvalRow *self);
const char *ftc_eval_row_get_method (FtcEvalRow *self);
double ftc_eval_row_get_accuracy (FtcEvalRow *self);
gint64 ftc_eval_row_get_n (FtcEvalRow *self);

G_END_DECLS
