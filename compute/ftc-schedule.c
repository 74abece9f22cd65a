/* ftc-schedule.c: learning-rate schedules (constant, warm-up + linear, warm-up + cosine). */
#include <stddef.h>

#include "compute/ftc-schedule.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

FtcStatus
ftc_schedule_kind_parse (const char *name, FtcScheduleKind *kind)
{
  static const char *names[] = { "constant", "linear", "cosine" };

  for (int i = 0; i < 3; i++)
    if (name != NULL && strcmp (name, names[i]) == 0)
      {
        *kind = (FtcScheduleKind) i;
        return FTC_OK;
      }
  return FTC_ERR_INVALID_ARG;
}

const char *
ftc_schedule_kind_name (FtcScheduleKind kind)
{
  switch (kind)
    {
    case FTC_SCHEDULE_CONSTANT: return "constant";
    case FTC_SCHEDULE_LINEAR: return "linear";
    case FTC_SCHEDULE_COSINE: return "cosine";
    }
  return "unknown";
}

FtcStatus
ftc_schedule_validate (const FtcSchedule *s, char *err, size_t err_len)
{
  char why[160] = "";

  if (s->kind != FTC_SCHEDULE_CONSTANT && s->kind != FTC_SCHEDULE_LINEAR && s->kind != FTC_SCHEDULE_COSINE)
    snprintf (why, sizeof why, "unknown schedule kind %d", (int) s->kind);
  else if (!isfinite (s->lr) || s->lr < 0)
    snprintf (why, sizeof why, "the learning rate must be finite and not negative, got %g", s->lr);
  else if (!isfinite (s->min_lr) || s->min_lr < 0 || s->min_lr > s->lr)
    snprintf (why, sizeof why, "min_lr must lie in [0, lr=%g], got %g", s->lr, s->min_lr);
  else if (s->warmup_steps < 0)
    snprintf (why, sizeof why, "warmup_steps must not be negative, got %d", s->warmup_steps);
  else if (s->kind != FTC_SCHEDULE_CONSTANT && s->total_steps <= 0)
    snprintf (why, sizeof why, "a %s schedule needs total_steps > 0, got %d",
              ftc_schedule_kind_name (s->kind), s->total_steps);
  else if (s->kind != FTC_SCHEDULE_CONSTANT && s->warmup_steps > s->total_steps)
    snprintf (why, sizeof why, "warmup_steps %d exceeds total_steps %d", s->warmup_steps, s->total_steps);
  if (why[0] == '\0')
    return FTC_OK;
  if (err != NULL && err_len > 0)
    snprintf (err, err_len, "invalid learning-rate schedule: %s", why);
  return FTC_ERR_INVALID_ARG;
}

float
ftc_schedule_lr (const FtcSchedule *s, int step)
{
  double lr = s->lr, min_lr = s->min_lr;

  if (step < 1)
    step = 1;
  if (step <= s->warmup_steps)
    return (float) (lr * step / s->warmup_steps);
  if (s->kind == FTC_SCHEDULE_CONSTANT)
    return (float) lr;
  if (step >= s->total_steps)
    return (float) min_lr;
  /* progress through the decay: 0 right after the warm-up, 1 at total_steps */
  double progress = (double) (step - s->warmup_steps) / (double) (s->total_steps - s->warmup_steps);
  if (s->kind == FTC_SCHEDULE_LINEAR)
    return (float) (lr + (min_lr - lr) * progress);
  return (float) (min_lr + 0.5 * (1.0 + cos (M_PI * progress)) * (lr - min_lr));
}
