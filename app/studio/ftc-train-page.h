/* ftc-train-page.h: the training view: live loss curves (train and validation) and validation accuracy
 * from metrics.jsonl, followed as the file grows; learning rate, tokens/s, ETA, device. */
#pragma once

#include <gtk/gtk.h>

#include "core/method/ftc-pipeline.h"

G_BEGIN_DECLS

#define FTC_TYPE_TRAIN_PAGE (ftc_train_page_get_type ())
G_DECLARE_FINAL_TYPE (FtcTrainPage, ftc_train_page, FTC, TRAIN_PAGE, GtkWidget)

GtkWidget *ftc_train_page_new (void);
void ftc_train_page_set_directory (FtcTrainPage *self, const char *dir);
gboolean ftc_train_page_get_loading (FtcTrainPage *self);
const char *ftc_train_page_get_error (FtcTrainPage *self);

/* Runs seen in metrics.jsonl, "TASK · METHOD" from each line's task and method, in order of appearance. */
const char *const *ftc_train_page_get_runs (FtcTrainPage *self);
void ftc_train_page_set_run (FtcTrainPage *self, const char *run);
const char *ftc_train_page_get_run (FtcTrainPage *self);
/* The series the loss chart shows: [training loss, learning rate] of the selected run. */
GListModel *ftc_train_page_get_loss_model (FtcTrainPage *self);
/* Text of one statistic of the selected run: "step", "epoch", "loss", "accuracy" (the latest test
 * accuracy), "lr", "tokens_per_s", "eta", "device". */
const char *ftc_train_page_get_stat (FtcTrainPage *self, const char *name);
/* Re-reads what was appended to metrics.jsonl now (the file monitor does this by itself, coalesced). */
void ftc_train_page_refresh (FtcTrainPage *self);

/* The pipeline (core/method/ftc-pipeline.h) on the open experiment: Start (the Resume button) runs it from where
 * its files stop (a fresh FtcPipeline each time: finished stages are skipped, training goes on from the
 * last checkpoint); Stop cancels it. "running" and "stage" (the pipeline's stage, NULL before a run)
 * are notified as they change. Opening another directory stops the run. */
gboolean ftc_train_page_start (FtcTrainPage *self, GError **error);
void ftc_train_page_stop (FtcTrainPage *self);
gboolean ftc_train_page_get_running (FtcTrainPage *self);
const char *ftc_train_page_get_stage (FtcTrainPage *self);
/* The last run's error message (NULL when it finished or was stopped). */
const char *ftc_train_page_get_pipeline_error (FtcTrainPage *self);
/* The line above the charts: "Running: STAGE · TASK · METHOD · N % · DEVICE", "Stopped at: ...", the
 * error, "Pipeline finished". */
const char *ftc_train_page_get_pipeline_status (FtcTrainPage *self);
/* With a reason, Resume is off and ftc_train_page_start fails with it (G_IO_ERROR_BUSY): another job
 * (the Teacher view's) writes the same files. NULL turns it back on. */
void ftc_train_page_set_blocked (FtcTrainPage *self, const char *reason);
/* The running or last pipeline, or NULL. */
FtcPipeline *ftc_train_page_get_pipeline (FtcTrainPage *self);

G_END_DECLS
