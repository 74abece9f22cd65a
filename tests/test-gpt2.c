/* test-gpt2: the GPT-2 model of ftc-gpt2.h against PyTorch (tests/data/gpt2-golden.bin, written by
 * tests/make-gpt2-golden.py): logits, masked loss, every parameter gradient and the losses of 10 AdamW
 * steps; finite differences on a tiny model; overfitting a fixed batch; gradient accumulation;
 * determinism; invalid configs and non-finite values.
 *
 * The device: `--device SPEC` on the command line or $FTCOT_TEST_DEVICE (e.g. "opencl:0"); by default
 * both "cpu" and "cpu:naive". */
#include <math.h>
#include <string.h>

#include <glib.h>

#include "compute/models/ftc-gpt2.h"
#include "compute/ftc-schedule.h"

static const char *device_specs[4];
static int n_device_specs;

static FtcBackend *
open_backend (const char *spec)
{
  char err[512];
  FtcBackend *be = NULL;

  if (ftc_backend_open (spec, &be, err, sizeof err) != FTC_OK)
    g_error ("cannot open device %s: %s", spec, err);
  return be;
}

#define OK(be, expr) \
  G_STMT_START { FtcStatus s_ = (expr); \
    if (s_ != FTC_OK) g_error ("%s failed: %s: %s", #expr, ftc_status_name (s_), ftc_backend_last_error (be)); \
  } G_STMT_END

/* Fails, naming the worst element, when |got - want| > atol + rtol |want| anywhere. */
static void
check_close (const char *what, const float *got, const float *want, size_t n, double atol, double rtol)
{
  size_t worst = 0;
  double worst_excess = -INFINITY, max_abs = 0;

  for (size_t i = 0; i < n; i++)
    {
      double diff = fabs ((double) got[i] - want[i]);
      double excess = diff - (atol + rtol * fabs (want[i]));
      if (!isfinite (got[i]))
        excess = INFINITY;
      max_abs = MAX (max_abs, diff);
      if (excess > worst_excess)
        {
          worst_excess = excess;
          worst = i;
        }
    }
  g_test_message ("%s: max |diff| %.3g; worst element %zu of %zu: got %.9g, want %.9g (atol %g, rtol %g)",
                  what, max_abs, worst, n, got[worst], want[worst], atol, rtol);
  if (worst_excess > 0)
    g_error ("%s: element %zu of %zu is %.9g, want %.9g (|diff| %.3g > atol %g + rtol %g)",
             what, worst, n, got[worst], want[worst], fabs (got[worst] - want[worst]), atol, rtol);
}

/* ---- the golden file ---- */

typedef struct {
  FtcGpt2Config config;
  int B, T, steps;
  float lr, beta1, beta2, eps, weight_decay, max_grad_norm;
  size_t num_params;
  const float *params, *weights, *logits, *grads, *step_losses, *step_norms;
  const int32_t *inputs, *targets;
  float loss;
  char *contents;
} Golden;

static gboolean
load_golden (Golden *g)
{
  const char *root = g_getenv ("FTCOT_SOURCE_ROOT");
  g_autofree char *path = g_build_filename (root != NULL ? root : ".", "tests", "data", "gpt2-golden.bin", NULL);
  g_autoptr (GError) error = NULL;
  gsize len;
  const char *p;
  int32_t head[9];
  float hyper[6];
  int32_t num_params;

  memset (g, 0, sizeof *g);
  if (!g_file_get_contents (path, &g->contents, &len, &error))
    g_error ("cannot read the golden file: %s", error->message);
  p = g->contents;
  g_assert_cmpmem (p, 8, "FTCGOLD1", 8);
  p += 8;
  memcpy (head, p, sizeof head), p += sizeof head;
  memcpy (hyper, p, sizeof hyper), p += sizeof hyper;
  memcpy (&num_params, p, 4), p += 4;
  g->config = (FtcGpt2Config) { .num_layers = head[0], .num_heads = head[1], .channels = head[2],
                                .vocab_size = head[3], .padded_vocab_size = head[4], .max_seq_len = head[5] };
  g->B = head[6];
  g->T = head[7];
  g->steps = head[8];
  g->lr = hyper[0], g->beta1 = hyper[1], g->beta2 = hyper[2], g->eps = hyper[3];
  g->weight_decay = hyper[4], g->max_grad_norm = hyper[5];
  g->num_params = (size_t) num_params;
  size_t BT = (size_t) g->B * g->T;
  g->params = (const float *) p, p += 4 * g->num_params;
  g->inputs = (const int32_t *) p, p += 4 * BT;
  g->targets = (const int32_t *) p, p += 4 * BT;
  g->weights = (const float *) p, p += 4 * BT;
  g->logits = (const float *) p, p += 4 * BT * g->config.padded_vocab_size;
  memcpy (&g->loss, p, 4), p += 4;
  g->grads = (const float *) p, p += 4 * g->num_params;
  g->step_losses = (const float *) p, p += 4 * g->steps;
  g->step_norms = (const float *) p, p += 4 * g->steps;
  g_assert_cmpuint ((gsize) (p - g->contents), ==, len);
  return TRUE;
}

/* Tolerances against PyTorch (float64 there, float32 here): logits and loss are O(1) sums of ~100
 * products; gradients are small (|g| up to ~0.1), so they get an absolute floor; the 10 AdamW steps
 * compound rounding, and the update divides by sqrt(v) + eps, so the losses get a looser bound. */
#define LOGITS_ATOL 2e-5
#define LOGITS_RTOL 1e-4
#define LOSS_RTOL 1e-5
#define GRAD_ATOL 2e-6
#define GRAD_RTOL 1e-3
#define STEP_LOSS_RTOL 5e-5
#define STEP_NORM_RTOL 1e-4

static void
test_golden (void)
{
  Golden g;

  load_golden (&g);
  for (int d = 0; d < n_device_specs; d++)
    {
      const char *spec = device_specs[d];
      FtcBackend *be = open_backend (spec);
      FtcGpt2 *model = NULL;
      int B = g.B, T = g.T, V = g.config.vocab_size, Vp = g.config.padded_vocab_size;
      size_t BT = (size_t) B * T;
      float loss = 0;
      g_autofree float *logits = g_new (float, BT * Vp);
      g_autofree float *got_real = g_new (float, BT * V), *want_real = g_new (float, BT * V);
      g_autofree float *grads = g_new (float, g.num_params);
      g_autofree char *what = NULL;

      g_test_message ("device %s", spec);
      OK (be, ftc_gpt2_new (be, &g.config, &model));
      g_assert_cmpuint (ftc_gpt2_num_params (model), ==, g.num_params);
      OK (be, ftc_gpt2_write_params (model, g.params, g.num_params));
      OK (be, ftc_gpt2_forward (model, g.inputs, g.targets, g.weights, B, T, &loss));
      OK (be, ftc_gpt2_read_logits (model, logits, BT * Vp));
      /* the padded columns are not part of the contract; compare the V real ones */
      for (size_t r = 0; r < BT; r++)
        {
          memcpy (got_real + r * V, logits + r * Vp, V * sizeof (float));
          memcpy (want_real + r * V, g.logits + r * Vp, V * sizeof (float));
        }
      what = g_strdup_printf ("%s logits vs PyTorch", spec);
      check_close (what, got_real, want_real, BT * V, LOGITS_ATOL, LOGITS_RTOL);
      g_clear_pointer (&what, g_free);
      what = g_strdup_printf ("%s loss vs PyTorch", spec);
      check_close (what, &loss, &g.loss, 1, 0, LOSS_RTOL);
      g_clear_pointer (&what, g_free);

      OK (be, ftc_gpt2_zero_grad (model));
      OK (be, ftc_gpt2_backward (model));
      OK (be, ftc_gpt2_read_grads (model, grads, g.num_params));
      const FtcGpt2Tensor *tensors = ftc_gpt2_tensors (model);
      for (int i = 0; i < FTC_GPT2_NUM_TENSORS; i++)
        {
          what = g_strdup_printf ("%s gradient of %s vs PyTorch", spec, tensors[i].name);
          check_close (what, grads + tensors[i].offset, g.grads + tensors[i].offset, tensors[i].size,
                       GRAD_ATOL, GRAD_RTOL);
          g_clear_pointer (&what, g_free);
        }
      ftc_gpt2_free (model);

      /* 10 steps of clipping + AdamW on a fresh model */
      FtcAdamWConfig opt = { g.lr, g.beta1, g.beta2, g.eps, g.weight_decay, g.max_grad_norm };
      g_autofree float *step_losses = g_new (float, g.steps), *step_norms = g_new (float, g.steps);
      OK (be, ftc_gpt2_new (be, &g.config, &model));
      OK (be, ftc_gpt2_write_params (model, g.params, g.num_params));
      for (int step = 1; step <= g.steps; step++)
        {
          OK (be, ftc_gpt2_zero_grad (model));
          OK (be, ftc_gpt2_forward (model, g.inputs, g.targets, g.weights, B, T, &step_losses[step - 1]));
          OK (be, ftc_gpt2_backward (model));
          OK (be, ftc_gpt2_update (model, &opt, step, &step_norms[step - 1]));
        }
      what = g_strdup_printf ("%s losses of %d AdamW steps vs PyTorch", spec, g.steps);
      check_close (what, step_losses, g.step_losses, g.steps, 0, STEP_LOSS_RTOL);
      g_clear_pointer (&what, g_free);
      what = g_strdup_printf ("%s gradient norms of %d AdamW steps vs PyTorch", spec, g.steps);
      check_close (what, step_norms, g.step_norms, g.steps, 0, STEP_NORM_RTOL);
      g_clear_pointer (&what, g_free);
      /* the loss must really have moved, or the steps compared nothing */
      g_assert_cmpfloat (step_losses[g.steps - 1], <, 0.8 * step_losses[0]);
      ftc_gpt2_free (model);
      ftc_backend_free (be);
    }
  g_free (g.contents);
}

/* ---- a tiny model ---- */

static const FtcGpt2Config tiny = { .max_seq_len = 8, .vocab_size = 11, .padded_vocab_size = 16,
                                    .num_layers = 2, .num_heads = 2, .channels = 8 };

static void
tiny_batch (GRand *rng, int B, int T, int V, int32_t *inputs, int32_t *targets, float *weights)
{
  int count = 0;

  for (int i = 0; i < B * T; i++)
    {
      inputs[i] = g_rand_int_range (rng, 0, V);
      targets[i] = g_rand_int_range (rng, 0, V);
      weights[i] = (i % T) >= 1 ? 1.0f : 0.0f;   /* the first token of each row is "prompt" */
      count += weights[i] > 0;
    }
  for (int i = 0; i < B * T; i++)
    weights[i] /= count;
}

/* Central differences in float on the tiny model, for the largest gradient of every tensor and a few
 * random elements: h = 1e-3 keeps the rounding of the O(1) loss (~1e-7) at ~1e-4 in the quotient, the
 * truncation error is O(h^2). Tolerance: 2e-4 + 2% of the analytic gradient. */
static void
test_finite_differences (void)
{
  g_autoptr (GRand) rng = g_rand_new_with_seed (31);
  const int B = 2, T = 5;
  int32_t inputs[10], targets[10];
  float weights[10];

  tiny_batch (rng, B, T, tiny.vocab_size, inputs, targets, weights);
  for (int d = 0; d < n_device_specs; d++)
    {
      FtcBackend *be = open_backend (device_specs[d]);
      FtcGpt2 *model = NULL;
      float loss;
      int checked = 0;

      OK (be, ftc_gpt2_new (be, &tiny, &model));
      size_t n = ftc_gpt2_num_params (model);
      g_autofree float *params = g_new (float, n), *grads = g_new (float, n);
      OK (be, ftc_gpt2_init_random (model, 7));
      OK (be, ftc_gpt2_read_params (model, params, n));
      /* a random init scaled up, so that every path carries a gradient worth checking */
      for (size_t i = 0; i < n; i++)
        params[i] = params[i] * 3.0f + (float) g_rand_double_range (rng, -0.05, 0.05);
      for (size_t i = (size_t) tiny.vocab_size * tiny.channels; i < (size_t) 16 * tiny.channels; i++)
        params[i] = 0.0f;   /* wte padding rows */
      OK (be, ftc_gpt2_write_params (model, params, n));
      OK (be, ftc_gpt2_zero_grad (model));
      OK (be, ftc_gpt2_forward (model, inputs, targets, weights, B, T, &loss));
      OK (be, ftc_gpt2_backward (model));
      OK (be, ftc_gpt2_read_grads (model, grads, n));

      const FtcGpt2Tensor *tensors = ftc_gpt2_tensors (model);
      for (int t = 0; t < FTC_GPT2_NUM_TENSORS; t++)
        {
          size_t picks[4], largest = tensors[t].offset;
          size_t size = tensors[t].name[1] == 't' && tensors[t].name[0] == 'w' ? (size_t) tiny.vocab_size * tiny.channels
                                                                               : tensors[t].size;
          for (size_t i = tensors[t].offset; i < tensors[t].offset + size; i++)
            if (fabsf (grads[i]) > fabsf (grads[largest]))
              largest = i;
          picks[0] = largest;
          for (int k = 1; k < 4; k++)
            picks[k] = tensors[t].offset + g_rand_int_range (rng, 0, (gint32) size);
          for (int k = 0; k < 4; k++)
            {
              size_t i = picks[k];
              const float h = 1e-3f;
              float saved = params[i], lp, lm;
              params[i] = saved + h;
              OK (be, ftc_gpt2_write_params (model, params, n));
              OK (be, ftc_gpt2_forward (model, inputs, targets, weights, B, T, &lp));
              params[i] = saved - h;
              OK (be, ftc_gpt2_write_params (model, params, n));
              OK (be, ftc_gpt2_forward (model, inputs, targets, weights, B, T, &lm));
              params[i] = saved;
              double fd = ((double) lp - (double) lm) / (2.0 * h);
              double tol = 2e-4 + 0.02 * fabs (grads[i]);
              g_test_message ("%s %s[%zu]: analytic %.6g, finite difference %.6g", device_specs[d], tensors[t].name,
                              i - tensors[t].offset, grads[i], fd);
              if (fabs (fd - grads[i]) > tol)
                g_error ("%s: gradient of %s[%zu] is %.6g, finite difference %.6g (tolerance %.3g)",
                         device_specs[d], tensors[t].name, i - tensors[t].offset, grads[i], fd, tol);
              checked++;
            }
          /* every tensor carries some gradient on this batch */
          g_assert_cmpfloat (fabsf (grads[largest]), >, 1e-4f);
        }
      g_assert_cmpint (checked, ==, 4 * FTC_GPT2_NUM_TENSORS);
      ftc_gpt2_free (model);
      ftc_backend_free (be);
    }
}

/* A tiny model memorises one fixed batch: the masked loss falls from ~log V to near zero. */
static void
test_overfit (void)
{
  const FtcGpt2Config config = { .max_seq_len = 16, .vocab_size = 32, .num_layers = 2, .num_heads = 2,
                                 .channels = 32 };
  const int B = 4, T = 16;
  g_autoptr (GRand) rng = g_rand_new_with_seed (41);
  int32_t inputs[64], targets[64];
  float weights[64];

  tiny_batch (rng, B, T, config.vocab_size, inputs, targets, weights);
  for (int d = 0; d < n_device_specs; d++)
    {
      FtcBackend *be = open_backend (device_specs[d]);
      FtcGpt2 *model = NULL;
      FtcAdamWConfig opt = { 1e-2f, 0.9f, 0.999f, 1e-8f, 0.0f, 1.0f };
      float first = 0, loss = 0;

      OK (be, ftc_gpt2_new (be, &config, &model));
      OK (be, ftc_gpt2_init_random (model, 1));
      for (int step = 1; step <= 300; step++)
        {
          OK (be, ftc_gpt2_zero_grad (model));
          OK (be, ftc_gpt2_forward (model, inputs, targets, weights, B, T, &loss));
          OK (be, ftc_gpt2_backward (model));
          OK (be, ftc_gpt2_update (model, &opt, step, NULL));
          if (step == 1)
            first = loss;
          if (loss < 0.02f)
            break;
        }
      g_test_message ("%s: overfit loss %.4f -> %.4f", device_specs[d], first, loss);
      g_assert_cmpfloat (first, >, 3.0f);   /* log 32 = 3.47 */
      if (!(loss < 0.02f))
        g_error ("%s: the tiny model did not overfit one batch: loss %.4f -> %.4f after 300 steps",
                 device_specs[d], first, loss);
      ftc_gpt2_free (model);
      ftc_backend_free (be);
    }
}

/* zero_grad, then forward+backward on two halves (weights normalised over the whole batch), gives the
 * gradient of one pass over the whole batch. */
static void
test_accumulation (void)
{
  g_autoptr (GRand) rng = g_rand_new_with_seed (51);
  const int B = 4, T = 6;
  int32_t inputs[24], targets[24];
  float weights[24];

  tiny_batch (rng, B, T, tiny.vocab_size, inputs, targets, weights);
  for (int d = 0; d < n_device_specs; d++)
    {
      FtcBackend *be = open_backend (device_specs[d]);
      FtcGpt2 *model = NULL;
      float whole, half1, half2;

      OK (be, ftc_gpt2_new (be, &tiny, &model));
      OK (be, ftc_gpt2_init_random (model, 3));
      size_t n = ftc_gpt2_num_params (model);
      g_autofree float *g_whole = g_new (float, n), *g_parts = g_new (float, n);
      OK (be, ftc_gpt2_zero_grad (model));
      OK (be, ftc_gpt2_forward (model, inputs, targets, weights, B, T, &whole));
      OK (be, ftc_gpt2_backward (model));
      OK (be, ftc_gpt2_read_grads (model, g_whole, n));
      OK (be, ftc_gpt2_zero_grad (model));
      OK (be, ftc_gpt2_forward (model, inputs, targets, weights, B / 2, T, &half1));
      OK (be, ftc_gpt2_backward (model));
      OK (be, ftc_gpt2_forward (model, inputs + 12, targets + 12, weights + 12, B / 2, T, &half2));
      OK (be, ftc_gpt2_backward (model));
      OK (be, ftc_gpt2_read_grads (model, g_parts, n));
      float sum = half1 + half2;
      check_close ("accumulated loss", &sum, &whole, 1, 1e-6, 1e-5);
      check_close ("accumulated gradients", g_parts, g_whole, n, 5e-7, 1e-4);
      ftc_gpt2_free (model);
      ftc_backend_free (be);
    }
}

/* The same seed gives the same losses, bit for bit; another seed gives others. */
static void
train_losses (const char *spec, uint64_t seed, float losses[5])
{
  const FtcGpt2Config config = { .max_seq_len = 8, .vocab_size = 20, .num_layers = 2, .num_heads = 4,
                                 .channels = 16 };
  g_autoptr (GRand) rng = g_rand_new_with_seed (61);
  int32_t inputs[16], targets[16];
  float weights[16];
  FtcBackend *be = open_backend (spec);
  FtcGpt2 *model = NULL;
  FtcAdamWConfig opt = { 1e-3f, 0.9f, 0.999f, 1e-8f, 0.1f, 1.0f };

  tiny_batch (rng, 2, 8, config.vocab_size, inputs, targets, weights);
  OK (be, ftc_gpt2_new (be, &config, &model));
  OK (be, ftc_gpt2_init_random (model, seed));
  for (int step = 1; step <= 5; step++)
    {
      OK (be, ftc_gpt2_zero_grad (model));
      OK (be, ftc_gpt2_forward (model, inputs, targets, weights, 2, 8, &losses[step - 1]));
      OK (be, ftc_gpt2_backward (model));
      OK (be, ftc_gpt2_update (model, &opt, step, NULL));
    }
  ftc_gpt2_free (model);
  ftc_backend_free (be);
}

static void
test_deterministic (void)
{
  for (int d = 0; d < n_device_specs; d++)
    {
      float a[5], b[5], c[5];
      train_losses (device_specs[d], 1234, a);
      train_losses (device_specs[d], 1234, b);
      train_losses (device_specs[d], 1235, c);
      g_assert_cmpmem (a, sizeof a, b, sizeof b);
      g_assert_cmpfloat (a[0], !=, c[0]);
      g_assert_cmpfloat (a[4], <, a[0]);
    }
}

/* ---- bad input ---- */

static void
expect_invalid (FtcGpt2Config c, const char *needle)
{
  char err[256] = "";
  g_assert_cmpint (ftc_gpt2_config_validate (&c, err, sizeof err), ==, FTC_ERR_INVALID_ARG);
  if (strstr (err, needle) == NULL)
    g_error ("config error '%s' does not mention '%s'", err, needle);
}

static void
test_invalid (void)
{
  FtcGpt2Config ok = tiny;
  FtcGpt2Config c;
  FtcBackend *be = open_backend (device_specs[0]);
  FtcGpt2 *model = (FtcGpt2 *) 0x1;
  char err[256];

  g_assert_cmpint (ftc_gpt2_config_validate (&ok, err, sizeof err), ==, FTC_OK);
  c = ok, c.num_heads = 3, expect_invalid (c, "does not divide channels");
  c = ok, c.num_heads = 0, expect_invalid (c, "num_heads");
  c = ok, c.channels = 0, expect_invalid (c, "channels");
  c = ok, c.num_layers = 0, expect_invalid (c, "num_layers");
  c = ok, c.vocab_size = 0, expect_invalid (c, "vocab_size");
  c = ok, c.max_seq_len = -1, expect_invalid (c, "max_seq_len");
  c = ok, c.padded_vocab_size = 5, expect_invalid (c, "padded_vocab_size");
  c = ok, c.num_heads = 3;
  g_assert_cmpint (ftc_gpt2_new (be, &c, &model), ==, FTC_ERR_INVALID_ARG);
  g_assert_null (model);
  g_assert_nonnull (strstr (ftc_backend_last_error (be), "num_heads 3"));

  /* Vp defaults to V rounded up to 64; GPT-2 124M has 124,475,904 parameters with Vp = 50304 */
  FtcGpt2Tensor tensors[FTC_GPT2_NUM_TENSORS];
  FtcGpt2Config gpt2 = { .max_seq_len = 1024, .vocab_size = 50257, .num_layers = 12, .num_heads = 12,
                         .channels = 768 };
  g_assert_cmpuint (ftc_gpt2_layout (&gpt2, tensors), ==, 124475904);
  g_assert_cmpint (tensors[0].shape[0], ==, 50304);
  g_assert_cmpstr (tensors[15].name, ==, "lnfb");
  g_assert_true (tensors[4].decay && !tensors[5].decay && tensors[0].decay && !tensors[2].decay);

  OK (be, ftc_gpt2_new (be, &tiny, &model));
  OK (be, ftc_gpt2_init_random (model, 5));
  int32_t inputs[16] = { 0 }, targets[16] = { 0 };
  float weights[16], loss;
  for (int i = 0; i < 16; i++)
    weights[i] = 1.0f / 16;
  /* context beyond the position table */
  g_assert_cmpint (ftc_gpt2_forward (model, inputs, targets, weights, 1, 9, &loss), ==, FTC_ERR_INVALID_ARG);
  g_assert_nonnull (strstr (ftc_backend_last_error (be), "position table"));
  inputs[3] = 11;
  g_assert_cmpint (ftc_gpt2_forward (model, inputs, targets, weights, 2, 8, &loss), ==, FTC_ERR_INVALID_ARG);
  g_assert_nonnull (strstr (ftc_backend_last_error (be), "input token 11"));
  inputs[3] = 1;
  g_assert_cmpint (ftc_gpt2_forward (model, inputs, targets, NULL, 2, 8, &loss), ==, FTC_ERR_INVALID_ARG);
  g_assert_cmpint (ftc_gpt2_backward (model), ==, FTC_ERR_INVALID_ARG);   /* no forward with targets */

  /* a huge loss weight on one token: the loss is finite, the gradients overflow */
  for (int i = 0; i < 16; i++)
    weights[i] = 0.0f;
  weights[5] = 1e37f;
  size_t n = ftc_gpt2_num_params (model);
  g_autofree float *before = g_new (float, n), *after = g_new (float, n);
  FtcAdamWConfig opt = { 1e-3f, 0.9f, 0.999f, 1e-8f, 0.1f, 1.0f };
  float norm;
  OK (be, ftc_gpt2_read_params (model, before, n));
  OK (be, ftc_gpt2_zero_grad (model));
  OK (be, ftc_gpt2_forward (model, inputs, targets, weights, 2, 8, &loss));
  OK (be, ftc_gpt2_backward (model));
  g_assert_cmpint (ftc_gpt2_update (model, &opt, 7, &norm), ==, FTC_ERR_NOT_FINITE);
  g_test_message ("%s", ftc_backend_last_error (be));
  g_assert_nonnull (strstr (ftc_backend_last_error (be), "step 7: the gradient of "));
  OK (be, ftc_gpt2_read_params (model, after, n));
  g_assert_cmpmem (before, n * sizeof (float), after, n * sizeof (float));

  /* NaN parameters: the loss is not finite, and the error names the step */
  before[tensors[0].offset] = NAN;
  OK (be, ftc_gpt2_write_params (model, before, n - 0));
  inputs[0] = 0;
  weights[5] = 1.0f;
  g_assert_cmpint (ftc_gpt2_forward (model, inputs, targets, weights, 2, 8, &loss), ==, FTC_ERR_NOT_FINITE);
  g_assert_nonnull (strstr (ftc_backend_last_error (be), "step 1: the loss is not finite"));
  g_assert_cmpint (ftc_gpt2_write_params (model, before, n - 1), ==, FTC_ERR_INVALID_ARG);
  ftc_gpt2_free (model);
  ftc_backend_free (be);
}

static void
test_schedule (void)
{
  FtcSchedule s = { FTC_SCHEDULE_COSINE, 1e-3f, 1e-4f, 10, 110 };
  FtcScheduleKind kind;
  char err[256];

  g_assert_cmpint (ftc_schedule_validate (&s, err, sizeof err), ==, FTC_OK);
  g_assert_cmpfloat_with_epsilon (ftc_schedule_lr (&s, 1), 1e-4, 1e-9);
  g_assert_cmpfloat_with_epsilon (ftc_schedule_lr (&s, 10), 1e-3, 1e-9);
  g_assert_cmpfloat_with_epsilon (ftc_schedule_lr (&s, 60), 0.5 * (1e-3 + 1e-4), 1e-9);
  g_assert_cmpfloat_with_epsilon (ftc_schedule_lr (&s, 110), 1e-4, 1e-9);
  g_assert_cmpfloat_with_epsilon (ftc_schedule_lr (&s, 500), 1e-4, 1e-9);
  s.kind = FTC_SCHEDULE_LINEAR;
  g_assert_cmpfloat_with_epsilon (ftc_schedule_lr (&s, 35), 1e-3 - 0.25 * 9e-4, 1e-9);
  s.kind = FTC_SCHEDULE_CONSTANT;
  g_assert_cmpfloat_with_epsilon (ftc_schedule_lr (&s, 5), 5e-4, 1e-9);
  g_assert_cmpfloat_with_epsilon (ftc_schedule_lr (&s, 1000), 1e-3, 1e-9);
  s.kind = FTC_SCHEDULE_LINEAR, s.warmup_steps = 200;
  g_assert_cmpint (ftc_schedule_validate (&s, err, sizeof err), ==, FTC_ERR_INVALID_ARG);
  g_assert_nonnull (strstr (err, "warmup_steps 200 exceeds total_steps 110"));
  s.warmup_steps = 0, s.lr = -1;
  g_assert_cmpint (ftc_schedule_validate (&s, err, sizeof err), ==, FTC_ERR_INVALID_ARG);
  g_assert_cmpint (ftc_schedule_kind_parse ("cosine", &kind), ==, FTC_OK);
  g_assert_cmpint (kind, ==, FTC_SCHEDULE_COSINE);
  g_assert_cmpint (ftc_schedule_kind_parse ("exp", &kind), ==, FTC_ERR_INVALID_ARG);
}

int
main (int argc, char **argv)
{
  const char *spec = g_getenv ("FTCOT_TEST_DEVICE");

  /* --device SPEC, taken out before g_test_init sees it */
  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--device") == 0 && i + 1 < argc)
      {
        spec = argv[i + 1];
        memmove (&argv[i], &argv[i + 2], (argc - i - 1) * sizeof (char *));
        argc -= 2;
        break;
      }
  if (spec != NULL && spec[0] != '\0')
    device_specs[n_device_specs++] = spec;
  else
    {
      device_specs[n_device_specs++] = "cpu";
      device_specs[n_device_specs++] = "cpu:naive";
    }
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gpt2/golden", test_golden);
  g_test_add_func ("/gpt2/finite-differences", test_finite_differences);
  g_test_add_func ("/gpt2/overfit", test_overfit);
  g_test_add_func ("/gpt2/accumulation", test_accumulation);
  g_test_add_func ("/gpt2/deterministic", test_deterministic);
  g_test_add_func ("/gpt2/invalid", test_invalid);
  g_test_add_func ("/gpt2/schedule", test_schedule);
  return g_test_run ();
}
