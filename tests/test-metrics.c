/* test-metrics: accuracy intervals and sampled metrics against hand-computed cases. */
#include <math.h>

#include "core/results/ftc-metrics.h"

#define TOL 1e-12

static void
test_pass_at_k (void)
{
  /* n=5, c=2: k=1 is c/n; k=2 is 1 - C(3,2)/C(5,2) = 1 - 3/10 */
  g_assert_cmpfloat_with_epsilon (ftc_pass_at_k (5, 2, 1), 0.4, TOL);
  g_assert_cmpfloat_with_epsilon (ftc_pass_at_k (5, 2, 2), 0.7, TOL);
  /* k=3: 1 - C(3,3)/C(5,3) = 1 - 1/10; k=4: n-c < k so every subset has a correct sample */
  g_assert_cmpfloat_with_epsilon (ftc_pass_at_k (5, 2, 3), 0.9, TOL);
  g_assert_cmpfloat_with_epsilon (ftc_pass_at_k (5, 2, 4), 1.0, TOL);
  g_assert_cmpfloat_with_epsilon (ftc_pass_at_k (7, 7, 3), 1.0, TOL);
  g_assert_cmpfloat_with_epsilon (ftc_pass_at_k (7, 0, 3), 0.0, TOL);
  /* 1 - C(7,3)/C(16,3) = 1 - 35/560 */
  g_assert_cmpfloat_with_epsilon (ftc_pass_at_k (16, 9, 3), 0.9375, TOL);
  /* 1 - C(90,10)/C(100,10), from exact integer binomials */
  g_assert_cmpfloat_with_epsilon (ftc_pass_at_k (100, 10, 10), 0.6695237889132748, 1e-12);
  /* large n: stays finite and in range where factorials would overflow */
  g_assert_cmpfloat (ftc_pass_at_k (2000, 3, 100), >, 0.14);
  g_assert_cmpfloat (ftc_pass_at_k (2000, 3, 100), <, 0.15);
  g_assert_true (isnan (ftc_pass_at_k (3, 1, 4)));
  g_assert_true (isnan (ftc_pass_at_k (3, 4, 1)));
  g_assert_true (isnan (ftc_pass_at_k (3, 1, 0)));
}

static void
test_wilson (void)
{
  double lo, hi;
  FtcEstimate e;

  /* 8 of 10: the textbook 95% Wilson interval [0.4902, 0.9433] */
  ftc_wilson_interval (8, 10, FTC_METRICS_Z95, &lo, &hi);
  g_assert_cmpfloat_with_epsilon (lo, 0.49016247153664183, 1e-9);
  g_assert_cmpfloat_with_epsilon (hi, 0.9433178485456247, 1e-9);
  /* 0 of 10: [0, z^2 / (n + z^2)] */
  ftc_wilson_interval (0, 10, FTC_METRICS_Z95, &lo, &hi);
  g_assert_cmpfloat (lo, ==, 0.0);
  g_assert_cmpfloat_with_epsilon (hi, 0.2775327998628892, 1e-9);
  ftc_wilson_interval (10, 10, FTC_METRICS_Z95, &lo, &hi);
  g_assert_cmpfloat_with_epsilon (lo, 0.7224672001371107, 1e-9);
  g_assert_cmpfloat (hi, ==, 1.0);

  e = ftc_metric_accuracy (81, 100);
  g_assert_cmpfloat_with_epsilon (e.value, 0.81, TOL);
  g_assert_cmpfloat_with_epsilon (e.lo, 0.7222115462093562, 1e-9);
  g_assert_cmpfloat_with_epsilon (e.hi, 0.8748524849023126, 1e-9);
  g_assert_cmpint (e.n, ==, 100);

  e = ftc_metric_accuracy (0, 0);
  g_assert_true (isnan (e.value) && isnan (e.lo) && isnan (e.hi));
  e = ftc_metric_accuracy (5, 3);
  g_assert_true (isnan (e.value));
}

static void
test_bootstrap (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  double scores[400];
  double lo, hi, lo2, hi2, mean = 0.0, half;
  const double one = 0.25;

  for (int i = 0; i < 400; i++)
    {
      scores[i] = g_rand_double (rand) < 0.6 ? 1.0 : 0.0;
      mean += scores[i] / 400;
    }
  ftc_bootstrap_mean_interval (scores, 400, FTC_METRICS_BOOTSTRAP_RESAMPLES, 1, &lo, &hi);
  g_assert_cmpfloat (lo, <, mean);
  g_assert_cmpfloat (hi, >, mean);
  /* for a mean of 400 Bernoulli scores the bootstrap agrees with the normal half-width to ~0.01 */
  half = FTC_METRICS_Z95 * sqrt (mean * (1 - mean) / 400);
  g_assert_cmpfloat (fabs ((hi - lo) / 2 - half), <, 0.01);
  /* a fixed seed reproduces the interval exactly */
  ftc_bootstrap_mean_interval (scores, 400, FTC_METRICS_BOOTSTRAP_RESAMPLES, 1, &lo2, &hi2);
  g_assert_cmpfloat (lo, ==, lo2);
  g_assert_cmpfloat (hi, ==, hi2);

  ftc_bootstrap_mean_interval (&one, 1, 100, 1, &lo, &hi);
  g_assert_cmpfloat (lo, ==, 0.25);
  g_assert_cmpfloat (hi, ==, 0.25);
  ftc_bootstrap_mean_interval (scores, 0, 100, 1, &lo, &hi);
  g_assert_true (isnan (lo) && isnan (hi));
}

static void
test_majority (void)
{
  /* 2 votes "7" (wrong), 2 votes "8" (right): a tie; "8" occurs first, so it wins */
  const char *answers1[] = { "8", "7", NULL, "7", "8", "" };
  const gboolean correct1[] = { TRUE, FALSE, FALSE, FALSE, TRUE, FALSE };
  FtcSampledQuestion q1 = { 6, correct1, answers1 };
  /* the same tie with the order swapped goes the other way */
  const char *answers2[] = { "7", "8", "8", "7" };
  const gboolean correct2[] = { FALSE, TRUE, TRUE, FALSE };
  FtcSampledQuestion q2 = { 4, correct2, answers2 };
  /* a clear majority of the first 3; with all 5 the other answer wins */
  const char *answers3[] = { "b", "b", "a", "a", "a" };
  const gboolean correct3[] = { FALSE, FALSE, TRUE, TRUE, TRUE };
  FtcSampledQuestion q3 = { 5, correct3, answers3 };
  const char *answers4[] = { NULL, "" };
  const gboolean correct4[] = { FALSE, FALSE };
  FtcSampledQuestion q4 = { 2, correct4, answers4 };
  int winner;

  g_assert_cmpfloat (ftc_majority_vote (&q1, 6, &winner), ==, 1.0);
  g_assert_cmpint (winner, ==, 0);
  g_assert_cmpfloat (ftc_majority_vote (&q2, 4, &winner), ==, 0.0);
  g_assert_cmpint (winner, ==, 0);
  g_assert_cmpfloat (ftc_majority_vote (&q3, 3, &winner), ==, 0.0);
  g_assert_cmpint (winner, ==, 0);
  g_assert_cmpfloat (ftc_majority_vote (&q3, 5, &winner), ==, 1.0);
  g_assert_cmpint (winner, ==, 2);
  g_assert_cmpfloat (ftc_majority_vote (&q4, 2, &winner), ==, 0.0);
  g_assert_cmpint (winner, ==, -1);
}

static void
test_sampled (void)
{
  /* three questions with 4 samples each: c = 1, 4, 0 */
  const gboolean c1[] = { FALSE, TRUE, FALSE, FALSE };
  const gboolean c2[] = { TRUE, TRUE, TRUE, TRUE };
  const gboolean c3[] = { FALSE, FALSE, FALSE, FALSE };
  const char *a1[] = { "3", "4", "3", "5" };
  const char *a2[] = { "1", "1", "1", "1" };
  const char *a3[] = { "x", "y", "z", "w" };
  FtcSampledQuestion qs[] = { { 4, c1, a1 }, { 4, c2, a2 }, { 4, c3, a3 } };
  FtcSampledMetrics m;

  ftc_sampled_metrics_compute (qs, 3, 1, &m);
  /* pass@1 = avg = (1/4 + 1 + 0) / 3 */
  g_assert_cmpfloat_with_epsilon (m.pass_at_k.value, 1.25 / 3, TOL);
  g_assert_cmpfloat_with_epsilon (m.avg_at_k.value, 1.25 / 3, TOL);
  /* maj@1 is the first sample: wrong, right, wrong */
  g_assert_cmpfloat_with_epsilon (m.maj_at_k.value, 1.0 / 3, TOL);

  ftc_sampled_metrics_compute (qs, 3, 2, &m);
  /* q1: 1 - C(3,2)/C(4,2) = 1/2; q2: 1; q3: 0 */
  g_assert_cmpfloat_with_epsilon (m.pass_at_k.value, 0.5, TOL);
  g_assert_cmpfloat_with_epsilon (m.avg_at_k.value, 1.25 / 3, TOL);
  g_assert_cmpint (m.pass_at_k.n, ==, 3);
  g_assert_cmpfloat (m.pass_at_k.lo, <=, m.pass_at_k.value);
  g_assert_cmpfloat (m.pass_at_k.hi, >=, m.pass_at_k.value);
  g_assert_cmpfloat (m.pass_at_k.lo, >=, 0.0);
  g_assert_cmpfloat (m.pass_at_k.hi, <=, 1.0);
  /* q1's first two answers "3","4" tie: "3" (wrong) wins */
  g_assert_cmpfloat_with_epsilon (m.maj_at_k.value, 1.0 / 3, TOL);

  ftc_sampled_metrics_compute (qs, 3, 4, &m);
  g_assert_cmpfloat_with_epsilon (m.pass_at_k.value, 2.0 / 3, TOL);
  /* q1 over 4: "3" twice (wrong) */
  g_assert_cmpfloat_with_epsilon (m.maj_at_k.value, 1.0 / 3, TOL);

  /* more than the samples drawn: not an estimate */
  ftc_sampled_metrics_compute (qs, 3, 5, &m);
  g_assert_true (isnan (m.pass_at_k.value) && isnan (m.avg_at_k.value) && isnan (m.maj_at_k.value));
  ftc_sampled_metrics_compute (qs, 0, 1, &m);
  g_assert_true (isnan (m.pass_at_k.value));

  /* without answers maj@k is NaN but the others are computed */
  qs[0].answers = NULL;
  ftc_sampled_metrics_compute (qs, 3, 2, &m);
  g_assert_true (isnan (m.maj_at_k.value));
  g_assert_cmpfloat_with_epsilon (m.pass_at_k.value, 0.5, TOL);
}

static void
test_sampled_random (void)
{
  /* random questions: pass@k grows with k, avg@k does not move, pass@1 == avg */
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);
  enum { Q = 60, N = 8 };
  gboolean correct[Q][N];
  FtcSampledQuestion qs[Q];
  double previous = -1.0, avg1 = NAN;

  for (int q = 0; q < Q; q++)
    {
      double p = g_rand_double (rand);
      for (int i = 0; i < N; i++)
        correct[q][i] = g_rand_double (rand) < p;
      qs[q].n_samples = N;
      qs[q].correct = correct[q];
      qs[q].answers = NULL;
    }
  for (int k = 1; k <= N; k++)
    {
      FtcSampledMetrics m;
      ftc_sampled_metrics_compute (qs, Q, k, &m);
      g_assert_cmpfloat (m.pass_at_k.value, >=, previous);
      if (k == 1)
        {
          avg1 = m.avg_at_k.value;
          g_assert_cmpfloat_with_epsilon (m.pass_at_k.value, avg1, 1e-12);
        }
      g_assert_cmpfloat_with_epsilon (m.avg_at_k.value, avg1, 1e-12);
      previous = m.pass_at_k.value;
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/metrics/pass-at-k", test_pass_at_k);
  g_test_add_func ("/metrics/wilson", test_wilson);
  g_test_add_func ("/metrics/bootstrap", test_bootstrap);
  g_test_add_func ("/metrics/majority", test_majority);
  g_test_add_func ("/metrics/sampled", test_sampled);
  g_test_add_func ("/metrics/sampled-random", test_sampled_random);
  return g_test_run ();
}
