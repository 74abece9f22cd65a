/* ftc-task-registry.h: what ftcot knows about each built-in task before any data is loaded: the twelve
 * datasets of the paper (under the reference code's keys), today's reasoning benchmarks and the synthetic
 * task families. */
#pragma once

#include "core/tasks/ftc-task.h"

G_BEGIN_DECLS

typedef enum {
  FTC_TASK_DATASET,     /* loaded from published raw files */
  FTC_TASK_SYNTHETIC,   /* generated from a seed at any size */
  FTC_TASK_BENCHMARK,   /* a reasoning benchmark from its published files, splits as published
                         * (core/tasks/ftc-benchmark.h) */
} FtcTaskSource;

typedef struct {
  const char *key;             /* "gsm8k" */
  const char *title;           /* "GSM8K" */
  FtcTaskSource source;
  FtcAnswerType answer_type;
  int n_choices;               /* CHOICE: letters A.. (0: varies per sample) */
  const char *answer_trigger;  /* Zero-shot-CoT step-2 trigger (Kojima et al.) */
} FtcTaskInfo;

/* All built-in tasks, datasets first in the paper's order; *n_out gets the count. */
const FtcTaskInfo *ftc_task_registry (guint *n_out);
/* NULL if key is unknown. */
const FtcTaskInfo *ftc_task_info_lookup (const char *key);
/* The known key closest to key (edit distance), for "did you mean" errors; NULL if none is close. */
const char *ftc_task_key_suggest (const char *key);

G_END_DECLS
