/* ftc-metrics.h: accuracy and sampled-evaluation metrics with 95% confidence intervals.
 *
 * Every function takes plain numbers; nothing here knows about tasks, models or files.
 *
 *   accuracy   correct / n, with the Wilson score interval (Wilson 1927), which stays inside [0, 1] and
 *              behaves at 0 and n correct, unlike the normal approximation.
 *   pass@k     the unbiased estimator of Chen et al. 2021 ("Evaluating Large Language Models Trained on
 *              Code"): per question with n samples of which c are correct, 1 - C(n-c, k) / C(n, k),
 *              computed as 1 - prod_{i=n-c+1..n} (1 - k / i), averaged over questions.
 *   avg@k      the mean accuracy of the k samples drawn per question ("Average@16"), averaged over
 *              questions. With n >= k samples per question the estimate is c / n, which is the expectation
 *              of the k-sample mean over every choice of k of the n samples (and uses all of them).
 *   maj@k      majority vote over the first k extracted answers of a question; the question counts as
 *              correct when the voted answer is. Answers that could not be extracted (NULL or "") do not
 *              vote; a question with no vote counts as wrong. Ties go to the tied answer whose first
 *              occurrence comes earliest among the k samples (the order the samples were drawn in), so the
 *              result never depends on hashing or sorting.
 *
 * Confidence intervals of the sampled metrics: percentile bootstrap over questions (resample questions
 * with replacement, FTC_METRICS_BOOTSTRAP_RESAMPLES times, 2.5% and 97.5% quantiles of the resampled
 * means) with a fixed seed, so a report is reproducible bit for bit. The samples within a question are
 * not resampled: questions are the unit the metric generalizes over. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FTC_METRICS_Z95 1.959963984540054      /* the 97.5% quantile of the standard normal */
#define FTC_METRICS_BOOTSTRAP_RESAMPLES 2000
#define FTC_METRICS_BOOTSTRAP_SEED 20221208u  /* fixed: intervals are reproducible */

/* A metric over a set of questions: value, lower and upper 95% bounds, all fractions in [0, 1]. NaN when
 * there is nothing to measure (n == 0, or k larger than the samples drawn). */
typedef struct {
  double value;
  double lo;
  double hi;
  int n;          /* questions */
} FtcEstimate;

/* Wilson score interval for correct successes out of n at normal quantile z (FTC_METRICS_Z95 for 95%).
 * n == 0 gives NaN bounds. */
void ftc_wilson_interval (int correct, int n, double z, double *lo, double *hi);

/* Accuracy with its 95% Wilson interval. */
FtcEstimate ftc_metric_accuracy (int correct, int n);

/* pass@k of one question with n samples of which c are correct; NaN if k < 1, k > n or c outside [0, n]. */
double ftc_pass_at_k (int n, int c, int k);

/* Percentile bootstrap 95% interval of the mean of scores[0..n) with the given number of resamples and
 * seed. n == 0 gives NaN; n == 1 gives lo == hi == the score. */
void ftc_bootstrap_mean_interval (const double *scores, int n, int resamples, guint32 seed,
                                  double *lo, double *hi);

/* One question of a sampled evaluation: n_samples completions, in the order they were drawn. */
typedef struct {
  int n_samples;
  const gboolean *correct;      /* [n_samples] whether each sample's extracted answer is right */
  const char *const *answers;   /* [n_samples] extracted answers in canonical form (NULL or "": none);
                                 * may be NULL itself, then maj@k is not computed */
} FtcSampledQuestion;

/* The sampled metrics of a set of questions at one k. Questions with fewer than k samples make the metric
 * NaN (an estimate from fewer samples than claimed would be mislabelled). */
typedef struct {
  int k;
  FtcEstimate pass_at_k;
  FtcEstimate avg_at_k;
  FtcEstimate maj_at_k;         /* NaN when answers were not given */
} FtcSampledMetrics;

void ftc_sampled_metrics_compute (const FtcSampledQuestion *questions, int n_questions, int k,
                                  FtcSampledMetrics *out);

/* maj@k of one question: 1 if the vote over the first k answers is correct, 0 if not (or no vote);
 * *winner_out (may be NULL) gets the index of the first sample carrying the voted answer, or -1. */
double ftc_majority_vote (const FtcSampledQuestion *question, int k, int *winner_out);

G_END_DECLS
