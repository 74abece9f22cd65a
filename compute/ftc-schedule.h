/* ftc-schedule.h: learning-rate schedules, as functions of the optimizer step (counting from 1).
 *
 *   constant   lr at every step (after the warm-up, if any)
 *   linear     warm-up, then straight down to min_lr at total_steps
 *   cosine     warm-up, then half a cosine down to min_lr at total_steps
 *
 * The warm-up rises linearly: step s <= warmup_steps gets lr * s / warmup_steps (as llm.c does), so the
 * first step already moves. Past total_steps the rate stays at min_lr. */
#pragma once

#include "compute/ftc-status.h"

typedef enum {
  FTC_SCHEDULE_CONSTANT,
  FTC_SCHEDULE_LINEAR,
  FTC_SCHEDULE_COSINE,
} FtcScheduleKind;

typedef struct {
  FtcScheduleKind kind;
  float lr;              /* the peak rate */
  float min_lr;          /* where linear and cosine end; 0 is common */
  int warmup_steps;      /* 0: no warm-up */
  int total_steps;       /* the last step of linear/cosine decay; ignored by constant */
} FtcSchedule;

/* "constant", "linear", "cosine" -> kind; returns FTC_ERR_INVALID_ARG for anything else. */
FtcStatus ftc_schedule_kind_parse (const char *name, FtcScheduleKind *kind);
const char *ftc_schedule_kind_name (FtcScheduleKind kind);
/* Negative or non-finite rates, negative step counts, warm-up beyond total_steps (linear, cosine). */
FtcStatus ftc_schedule_validate (const FtcSchedule *schedule, char *err, size_t err_len);
/* The rate for step (>= 1). */
float ftc_schedule_lr (const FtcSchedule *schedule, int step);
