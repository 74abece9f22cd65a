/* ftc-review.h: a person's decisions on teacher rationales, review.jsonl in an experiment directory.
 *
 * One JSON object per line, appended as decisions are made; the last line for a rationale wins:
 *   {"task": "coin_flip", "sample_id": "coin_flip-12", "completion_index": 0,
 *    "state": "accepted" | "rejected" | "pending", "rationale": "edited text (only when edited)",
 *    "time": "2026-11-28T10:00:00Z"}
 * A torn last line (a crash while appending) is ignored; any other malformed line is an error naming the
 * file and line. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  FTC_REVIEW_PENDING,    /* no decision yet: the automatic rule applies (keep when correct) */
  FTC_REVIEW_ACCEPTED,   /* keep, even when the extracted answer is wrong */
  FTC_REVIEW_REJECTED,   /* drop, even when the extracted answer is right */
} FtcReviewState;

const char *ftc_review_state_to_string (FtcReviewState state);           /* "pending", ... */
gboolean ftc_review_state_from_string (const char *s, FtcReviewState *out);

typedef struct {
  FtcReviewState state;
  char *rationale;      /* the edited rationale, or NULL when not edited */
} FtcReviewDecision;

typedef struct _FtcReview FtcReview;

/* Reads path; a missing file is an empty review. */
FtcReview *ftc_review_load (const char *path, GError **error);
void ftc_review_free (FtcReview *review);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcReview, ftc_review_free)

/* One decision as a line of review.jsonl (no newline); rationale and time may be NULL. */
char *ftc_review_decision_to_line (const char *task, const char *sample_id, gint64 completion_index,
                                   FtcReviewState state, const char *rationale, const char *time);

/* The last decision on (task, sample_id, completion_index), or NULL. */
const FtcReviewDecision *ftc_review_lookup (FtcReview *review, const char *task, const char *sample_id,
                                            gint64 completion_index);
guint ftc_review_count (FtcReview *review);

/* Every decision in force (the last line for each rationale), in no particular order. */
typedef void (*FtcReviewFunc) (const char *task, const char *sample_id, gint64 completion_index,
                               const FtcReviewDecision *decision, gpointer user_data);
void ftc_review_foreach (FtcReview *review, FtcReviewFunc func, gpointer user_data);

G_END_DECLS
