/* ftc-rationale-item.h: one teacher rationale as the review view shows it: the completion record's fields
 * plus the person's decision (review state and an optional edited rationale). */
#pragma once

#include <glib-object.h>

/* FtcReviewState and its names: the review.jsonl reader of core, the one curation uses */
#include "core/method/ftc-review.h"

G_BEGIN_DECLS

#define FTC_TYPE_RATIONALE_ITEM (ftc_rationale_item_get_type ())
G_DECLARE_FINAL_TYPE (FtcRationaleItem, ftc_rationale_item, FTC, RATIONALE_ITEM, GObject)

FtcRationaleItem *ftc_rationale_item_new (const char *task, const char *sample_id, int index, int completion_index);

const char *ftc_rationale_item_get_task (FtcRationaleItem *self);
const char *ftc_rationale_item_get_sample_id (FtcRationaleItem *self);
int ftc_rationale_item_get_index (FtcRationaleItem *self);
int ftc_rationale_item_get_completion_index (FtcRationaleItem *self);
/* "task\tsample_id\tcompletion_index": identifies a rationale across the teacher files and review.jsonl. */
char *ftc_rationale_item_dup_key (FtcRationaleItem *self);

void ftc_rationale_item_set_record (FtcRationaleItem *self, const char *question, const char *rationale,
                                    const char *gold, const char *prediction, gboolean correct,
                                    const char *finish_reason);
const char *ftc_rationale_item_get_question (FtcRationaleItem *self);
const char *ftc_rationale_item_get_rationale (FtcRationaleItem *self);        /* the teacher's text */
const char *ftc_rationale_item_get_edited_rationale (FtcRationaleItem *self); /* NULL when unedited */
const char *ftc_rationale_item_get_effective_rationale (FtcRationaleItem *self);
const char *ftc_rationale_item_get_gold (FtcRationaleItem *self);
const char *ftc_rationale_item_get_prediction (FtcRationaleItem *self);
gboolean ftc_rationale_item_get_correct (FtcRationaleItem *self);
const char *ftc_rationale_item_get_finish_reason (FtcRationaleItem *self);
gboolean ftc_rationale_item_get_truncated (FtcRationaleItem *self);          /* finish reason "length" */
gboolean ftc_rationale_item_get_edited (FtcRationaleItem *self);
FtcReviewState ftc_rationale_item_get_state (FtcRationaleItem *self);
/* Whether the curated training data keeps this rationale: the decision, else the correctness. */
gboolean ftc_rationale_item_get_kept (FtcRationaleItem *self);

void ftc_rationale_item_set_state (FtcRationaleItem *self, FtcReviewState state);
/* NULL or the teacher's own text clears the edit. */
void ftc_rationale_item_set_edited_rationale (FtcRationaleItem *self, const char *text);

G_END_DECLS
