/* ftc-synthetic-steps.h: the check of a synthetic sample's solution steps (the format of ftc-synthetic.h).
 *
 * Steps come from the generators, and from imported files (`ftcot tasks import`), which anyone can write:
 * the scripted teacher turns them into rationales and computes with them, so every field it reads is
 * checked first: the family, the kinds and ranges of values, the arithmetic (no overflow, exact division
 * by a non-zero operand) and that the steps end in the sample's answer. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Largest magnitude of an arithmetic value: far inside 64 bits, so no product of two can overflow */
#define FTC_SYNTHETIC_MAX_VALUE 1000000000000LL
/* At most this many steps */
#define FTC_SYNTHETIC_MAX_STEPS 1000

/* TRUE when steps is a valid solution whose result is answer (NULL: not compared); else FALSE and what is
 * wrong, as "steps[2].op: ..." (FTC_ERROR_INVALID), for the caller to prefix with the file and line. */
gboolean ftc_synthetic_steps_check (JsonObject *steps, const char *answer, GError **error);

G_END_DECLS
