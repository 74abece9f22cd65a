#include "core/results/ftc-metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void
ftc_wilson_interval (int correct, int n, double z, double *lo, double *hi)
{
  double p, z2, denom, center, half;

  if (n <= 0 || correct < 0 || correct > n)
    {
      *lo = *hi = NAN;
      return;
    }
  p = (double) correct / n;
  z2 = z * z;
  denom = 1.0 + z2 / n;
  center = (p + z2 / (2.0 * n)) / denom;
  half = z * sqrt (p * (1.0 - p) / n + z2 / (4.0 * (double) n * n)) / denom;
  /* exact at the ends: rounding must not put 0 or 1 outside the interval */
  *lo = correct == 0 ? 0.0 : MAX (0.0, center - half);
  *hi = correct == n ? 1.0 : MIN (1.0, center + half);
}

FtcEstimate
ftc_metric_accuracy (int correct, int n)
{
  FtcEstimate e = { NAN, NAN, NAN, MAX (n, 0) };

  if (n > 0 && correct >= 0 && correct <= n)
    {
      e.value = (double) correct / n;
      ftc_wilson_interval (correct, n, FTC_METRICS_Z95, &e.lo, &e.hi);
    }
  return e;
}

double
ftc_pass_at_k (int n, int c, int k)
{
  double fail = 1.0;

  if (k < 1 || k > n || c < 0 || c > n)
    return NAN;
  /* every k-subset holds a correct sample */
  if (n - c < k)
    return 1.0;
  /* C(n-c, k) / C(n, k) = prod_{i=n-c+1..n} (1 - k / i): no factorials, no overflow */
  for (int i = n - c + 1; i <= n; i++)
    fail *= 1.0 - (double) k / i;
  return 1.0 - fail;
}

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* the q-quantile of sorted[0..n) with linear interpolation between order statistics */
static double
quantile_sorted (const double *sorted, int n, double q)
{
  double pos = q * (n - 1);
  int i = (int) floor (pos);
  double frac = pos - i;

  if (i >= n - 1)
    return sorted[n - 1];
  return sorted[i] + frac * (sorted[i + 1] - sorted[i]);
}

void
ftc_bootstrap_mean_interval (const double *scores, int n, int resamples, guint32 seed,
                             double *lo, double *hi)
{
  g_autoptr (GRand) rand = NULL;
  g_autofree double *means = NULL;

  if (n <= 0 || resamples <= 0)
    {
      *lo = *hi = NAN;
      return;
    }
  if (n == 1)
    {
      *lo = *hi = scores[0];
      return;
    }
  rand = g_rand_new_with_seed (seed);
  means = g_new (double, resamples);
  for (int r = 0; r < resamples; r++)
    {
      double sum = 0.0;
      for (int i = 0; i < n; i++)
        sum += scores[g_rand_int_range (rand, 0, n)];
      means[r] = sum / n;
    }
  qsort (means, resamples, sizeof (double), compare_double);
  *lo = quantile_sorted (means, resamples, 0.025);
  *hi = quantile_sorted (means, resamples, 0.975);
}

static gboolean
answer_present (const char *answer)
{
  return answer != NULL && answer[0] != '\0';
}

double
ftc_majority_vote (const FtcSampledQuestion *question, int k, int *winner_out)
{
  int best = -1, best_count = 0;
  int m = MIN (k, question->n_samples);

  if (winner_out != NULL)
    *winner_out = -1;
  if (question->answers == NULL || m <= 0)
    return 0.0;
  /* k is small (tens): the quadratic count keeps the first-occurrence tie rule obvious */
  for (int i = 0; i < m; i++)
    {
      const char *a = question->answers[i];
      int count = 0;
      gboolean seen_before = FALSE;

      if (!answer_present (a))
        continue;
      for (int j = 0; j < i && !seen_before; j++)
        seen_before = answer_present (question->answers[j]) && strcmp (question->answers[j], a) == 0;
      if (seen_before)
        continue;
      for (int j = i; j < m; j++)
        if (answer_present (question->answers[j]) && strcmp (question->answers[j], a) == 0)
          count++;
      /* strictly greater: on a tie the earlier first occurrence (found first) keeps the lead */
      if (count > best_count)
        {
          best_count = count;
          best = i;
        }
    }
  if (winner_out != NULL)
    *winner_out = best;
  return best >= 0 && question->correct[best] ? 1.0 : 0.0;
}

static void
estimate_from_scores (FtcEstimate *e, const double *scores, int n, guint32 seed)
{
  double sum = 0.0;

  e->n = n;
  if (n <= 0)
    {
      e->value = e->lo = e->hi = NAN;
      return;
    }
  for (int i = 0; i < n; i++)
    sum += scores[i];
  e->value = sum / n;
  ftc_bootstrap_mean_interval (scores, n, FTC_METRICS_BOOTSTRAP_RESAMPLES, seed, &e->lo, &e->hi);
}

static void
estimate_nan (FtcEstimate *e, int n)
{
  e->value = e->lo = e->hi = NAN;
  e->n = n;
}

void
ftc_sampled_metrics_compute (const FtcSampledQuestion *questions, int n_questions, int k,
                             FtcSampledMetrics *out)
{
  g_autofree double *pass = g_new0 (double, MAX (n_questions, 1));
  g_autofree double *avg = g_new0 (double, MAX (n_questions, 1));
  g_autofree double *maj = g_new0 (double, MAX (n_questions, 1));
  gboolean complete = n_questions > 0 && k >= 1;
  gboolean have_answers = n_questions > 0;

  out->k = k;
  for (int q = 0; q < n_questions && complete; q++)
    {
      const FtcSampledQuestion *question = &questions[q];
      int c = 0;

      if (question->n_samples < k)
        {
          complete = FALSE;
          break;
        }
      for (int i = 0; i < question->n_samples; i++)
        c += question->correct[i] ? 1 : 0;
      pass[q] = ftc_pass_at_k (question->n_samples, c, k);
      avg[q] = (double) c / question->n_samples;
      if (question->answers == NULL)
        have_answers = FALSE;
      else
        maj[q] = ftc_majority_vote (question, k, NULL);
    }
  if (!complete)
    {
      estimate_nan (&out->pass_at_k, n_questions);
      estimate_nan (&out->avg_at_k, n_questions);
      estimate_nan (&out->maj_at_k, n_questions);
      return;
    }
  /* one seed per metric, the same for every call: reruns give identical intervals */
  estimate_from_scores (&out->pass_at_k, pass, n_questions, FTC_METRICS_BOOTSTRAP_SEED);
  estimate_from_scores (&out->avg_at_k, avg, n_questions, FTC_METRICS_BOOTSTRAP_SEED + 1);
  if (have_answers)
    estimate_from_scores (&out->maj_at_k, maj, n_questions, FTC_METRICS_BOOTSTRAP_SEED + 2);
  else
    estimate_nan (&out->maj_at_k, n_questions);
}
