/* ftc-score.h: scoring completion records against their gold answers with a task's answer format. */
#pragma once

#include "core/tasks/ftc-answer.h"
#include "core/tasks/ftc-record.h"

G_BEGIN_DECLS

/* Let each record decide: answer_text present → FTC_EXTRACT_ANSWER_TEXT (the teacher's step 2), else
 * FTC_EXTRACT_COMPLETION on the one-step completion ("-->", "Therefore, the answer is", "The answer is"). */
#define FTC_SCORE_MODE_AUTO ((FtcExtractMode) -1)

/* The prediction for one record (NULL when none was found) and, in *correct, whether it matches gold.
 * A CHOICE format without a choice count takes the count of "(A)", "(B)", ... in the record's question. */
char *ftc_score_record (const FtcAnswerFormat *format, const FtcRecord *record, FtcExtractMode mode,
                        gboolean *correct);

typedef struct {
  guint n;
  guint correct;
} FtcScoreTotals;

/* Called for each scored record, in file order. */
typedef void (*FtcScoreFunc) (const FtcRecord *record, guint line, const char *prediction, gboolean correct,
                              gpointer user_data);

/* Scores every record of a JSONL file, streaming. FALSE with error on the first bad line. */
gboolean ftc_score_file (const FtcAnswerFormat *format, const char *path, FtcExtractMode mode,
                         FtcScoreFunc each, gpointer user_data, FtcScoreTotals *totals, GError **error);

/* Accuracy in percent; 0 when n is 0. */
double ftc_score_accuracy (const FtcScoreTotals *totals);

G_END_DECLS
