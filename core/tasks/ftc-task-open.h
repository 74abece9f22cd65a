/* ftc-task-open.h: one entry point for every task: a built-in key or a file.
 *
 *   gsm8k, aqua, ...                     a paper dataset from the data dir (ftc-dataset.h)
 *   gsm8k:split=template                 ... with the template split (date_understanding, multiarith)
 *   aime_2024, math500, arc_challenge    a reasoning benchmark (ftc-benchmark.h), splits as published
 *   arc_challenge:split=validation       ... evaluated on its validation set
 *   synthetic_coin_flip                  a synthetic family (ftc-synthetic.h), 1000 samples, seed 0
 *   synthetic_coin_flip:n=500,seed=3,size=6
 *   path/to/task.jsonl, task.csv         an imported task (ftc-task-import.h)
 *
 * Parameters after ":" override those in options. */
#pragma once

#include "core/tasks/ftc-dataset.h"
#include "core/tasks/ftc-task.h"

G_BEGIN_DECLS

typedef struct {
  FtcSplitKind split;     /* datasets */
  const char *data_dir;   /* datasets: the folder holding <key>/; NULL: ftc_dataset_data_dir () */
  guint n;                /* synthetic: number of samples; 0: 1000 */
  guint64 seed;           /* synthetic */
  guint size;             /* synthetic: people, words, objects or steps; 0: the default */
} FtcTaskOpenOptions;

#define FTC_TASK_OPEN_DEFAULT_N 1000

/* options may be NULL. Unknown keys: FTC_ERROR_NOT_FOUND "unknown task 'gsm8kk'; did you mean 'gsm8k'?". */
FtcTask *ftc_task_open (const char *key_or_path, const FtcTaskOpenOptions *options, GError **error);

/* TRUE when key_or_path names a file rather than a built-in key. */
gboolean ftc_task_spec_is_path (const char *key_or_path);

G_END_DECLS
