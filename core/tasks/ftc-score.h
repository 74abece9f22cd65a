/* ftc-score.h: scoring completion records against their gold answers with a task's answer format. */
#pragma once

#include "core/results/ftc-metrics.h"
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

/* Several completions per question (a sampled evaluation, a teacher asked k times): the scored records of
 * a file grouped by question (sample_id, else sample_index, else the question text), each question's
 * samples in completion_index order, for pass@k, avg@k and maj@k (core/results/ftc-metrics.h). The
 * majority vote counts equivalent answers as one ("0.5" and "\frac{1}{2}" for math). */
typedef struct _FtcScoreSamples FtcScoreSamples;

FtcScoreSamples *ftc_score_samples_new (const FtcAnswerFormat *format);
void ftc_score_samples_free (FtcScoreSamples *samples);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcScoreSamples, ftc_score_samples_free)
/* Adds one scored record (prediction NULL: none found). */
void ftc_score_samples_add (FtcScoreSamples *samples, const FtcRecord *record, const char *prediction,
                            gboolean correct);
guint ftc_score_samples_questions (const FtcScoreSamples *samples);
/* The fewest and the most samples any question has (0 without questions). */
guint ftc_score_samples_min (const FtcScoreSamples *samples);
guint ftc_score_samples_max (const FtcScoreSamples *samples);
/* The metrics at k over every question's samples (NaN estimates when a question has fewer than k). */
void ftc_score_samples_metrics (const FtcScoreSamples *samples, int k, FtcSampledMetrics *out);

G_END_DECLS
