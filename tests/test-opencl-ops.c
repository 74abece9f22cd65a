/* test-opencl-ops: every op of the opencl backend ("opencl:0", PoCL in CI) against the cpu backend's
 * reference ("cpu:naive") through the public ftc-backend.h API, on random non-zero inputs of several
 * shapes, including sizes that are not multiples of the work-group size (64) and tensors at non-zero
 * offsets. Also: the program binary cache (hit, mismatch, corrupted file), build failures carrying the
 * build log, device out-of-memory messages, error-name mapping and CLBlast parameter sets.
 * Tolerances are stated per check: |opencl - cpu| <= atol + rtol |cpu|. */
#include <math.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "compute/ftc-backend.h"
#include "compute/models/ftc-gpt2.h"
#include "compute/backends/opencl/ftc-cl-gemm.h"
#include "compute/backends/opencl/ftc-cl-runtime.h"
#include "compute/backends/opencl/ftc-opencl.h"
#include "tests/ftc-test-util.h"

#define OFF 3   /* every tensor starts 3 elements into its buffer */

static FtcBackend *ocl;   /* opencl:0 */
static FtcBackend *ref;   /* cpu:naive */
static GPtrArray *bufs;   /* every buffer a test made, freed after it */

/* A tensor on both backends: [0] opencl, [1] reference. */
typedef struct {
  FtcView v[2];
  size_t n;
} Pair;

static FtcView
make_view (FtcBackend *be, size_t n)
{
  FtcBuf *buf = NULL;

  g_assert_cmpint (ftc_buf_new (be, n + OFF + 5, &buf), ==, FTC_OK);
  g_ptr_array_add (bufs, buf);
  return ftc_view (buf, OFF);
}

static Pair
pair_write (const void *data, size_t n)
{
  Pair p = { { make_view (ocl, n), make_view (ref, n) }, n };

  g_assert_cmpint (ftc_buf_write (p.v[0], data, n), ==, FTC_OK);
  g_assert_cmpint (ftc_buf_write (p.v[1], data, n), ==, FTC_OK);
  return p;
}

/* Uniform random floats in [lo, hi), the same on both backends. */
static Pair
pair_random (GRand *rng, size_t n, double lo, double hi)
{
  g_autofree float *x = g_new (float, n);

  for (size_t i = 0; i < n; i++)
    x[i] = (float) g_rand_double_range (rng, lo, hi);
  return pair_write (x, n);
}

static Pair
pair_tokens (GRand *rng, size_t n, int V)
{
  g_autofree int32_t *x = g_new (int32_t, n);

  for (size_t i = 0; i < n; i++)
    x[i] = g_rand_int_range (rng, 0, V);
  return pair_write (x, n);
}

static const FtcView NULLS[2] = { { NULL, 0 }, { NULL, 0 } };

/* Fails naming the worst element when |opencl - cpu| > atol + rtol |cpu| anywhere, or when the reference
 * is all zeros (a check on zeros proves nothing). */
static void
pair_check (const char *what, Pair p, double atol, double rtol)
{
  g_autofree float *a = g_new (float, p.n);
  g_autofree float *b = g_new (float, p.n);
  size_t worst = 0, nonzero = 0;
  double worst_excess = -INFINITY;

  g_assert_cmpint (ftc_buf_read (p.v[0], a, p.n), ==, FTC_OK);
  g_assert_cmpint (ftc_buf_read (p.v[1], b, p.n), ==, FTC_OK);
  for (size_t i = 0; i < p.n; i++)
    {
      double excess = fabs ((double) a[i] - b[i]) - (atol + rtol * fabs (b[i]));

      if (!isfinite (a[i]) || !isfinite (b[i]))
        excess = INFINITY;
      if (b[i] != 0.0f)
        nonzero++;
      if (excess > worst_excess)
        {
          worst_excess = excess;
          worst = i;
        }
    }
  if (nonzero == 0)
    g_error ("%s: the reference is all zeros", what);
  if (worst_excess > 0)
    g_error ("%s: element %zu of %zu: opencl %.9g, cpu %.9g (atol %g, rtol %g)", what, worst, p.n,
             a[worst], b[worst], atol, rtol);
}

static void
free_bufs (void)
{
  g_assert_cmpint (ftc_backend_finish (ocl), ==, FTC_OK);
  for (guint i = 0; i < bufs->len; i++)
    ftc_buf_free (bufs->pdata[i]);
  g_ptr_array_set_size (bufs, 0);
}

#define BOTH(call_ocl, call_ref)                                 \
  do {                                                           \
    FtcStatus st_ = (call_ocl);                                  \
    if (st_ != FTC_OK)                                           \
      g_error ("opencl: %s", ftc_backend_last_error (ocl));      \
    g_assert_cmpint ((call_ref), ==, FTC_OK);                    \
  } while (0)

/* Same call on both backends: E(i) expands to the call with views [i]. */
#define RUN(be_call) BOTH (be_call (ocl, 0), be_call (ref, 1))

/* ---- memory ---- */

static void
test_memory (void)
{
  GRand *rng = g_rand_new_with_seed (1);
  const size_t n = 1000;
  Pair a = pair_random (rng, n, -1, 1);
  Pair b = pair_random (rng, n, -1, 1);

  for (int i = 0; i < 2; i++)
    {
      g_assert_cmpint (ftc_buf_fill (ftc_view_at (a.v[i], 7), 2.5f, 333), ==, FTC_OK);
      g_assert_cmpint (ftc_buf_copy (ftc_view_at (b.v[i], 11), ftc_view_at (a.v[i], 100), 517), ==, FTC_OK);
    }
  pair_check ("fill", a, 0, 0);
  pair_check ("copy", b, 0, 0);
  {
    /* a fresh buffer reads back as zeros, and a read at an offset sees the right elements */
    FtcView z = make_view (ocl, 77);
    float got[77], x[5] = { 1, 2, 3, 4, 5 };

    g_assert_cmpint (ftc_buf_read (z, got, 77), ==, FTC_OK);
    for (int i = 0; i < 77; i++)
      g_assert_cmpfloat (got[i], ==, 0.0f);
    g_assert_cmpint (ftc_buf_write (ftc_view_at (z, 70), x, 5), ==, FTC_OK);
    g_assert_cmpint (ftc_buf_read (ftc_view_at (z, 71), got, 4), ==, FTC_OK);
    g_assert_cmpfloat (got[0], ==, 2.0f);
    g_assert_cmpfloat (got[3], ==, 5.0f);
  }
  free_bufs ();
  g_rand_free (rng);
}

/* ---- GEMM ---- */

static void
test_gemm (void)
{
  GRand *rng = g_rand_new_with_seed (2);
  const int shapes[][3] = { { 1, 1, 1 }, { 5, 7, 3 }, { 67, 33, 65 }, { 128, 192, 64 }, { 130, 70, 257 } };

  for (size_t s = 0; s < G_N_ELEMENTS (shapes); s++)
    for (int ta = 0; ta < 2; ta++)
      for (int tb = 0; tb < 2; tb++)
        {
          const int M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
          /* leading dimensions larger than needed, to exercise them */
          const int lda = (ta ? M : K) + 3, ldb = (tb ? K : N) + 1, ldc = N + 2;
          Pair A = pair_random (rng, (size_t) (ta ? K : M) * lda, -1, 1);
          Pair B = pair_random (rng, (size_t) (tb ? N : K) * ldb, -1, 1);
          Pair C = pair_random (rng, (size_t) M * ldc, -1, 1);
          char what[64];

#define CALL(be, i) ftc_gemm (be, ta, tb, M, N, K, 0.7f, A.v[i], lda, B.v[i], ldb, 0.5f, C.v[i], ldc)
          RUN (CALL);
#undef CALL
          g_snprintf (what, sizeof what, "gemm %dx%dx%d ta=%d tb=%d", M, N, K, ta, tb);
          /* float sums of K products of magnitude <= 1 */
          pair_check (what, C, 1e-5 * K, 1e-4);
          free_bufs ();
        }
  {
    const int M = 33, N = 17, K = 65, batch = 5;
    Pair A = pair_random (rng, (size_t) batch * M * K, -1, 1);
    Pair B = pair_random (rng, (size_t) batch * N * K, -1, 1);
    Pair C = pair_random (rng, (size_t) batch * M * N, -1, 1);

#define CALL(be, i) ftc_gemm_strided_batched (be, 0, 1, M, N, K, 1.0f, A.v[i], K, (size_t) M * K, \
                                              B.v[i], K, (size_t) N * K, 1.0f, C.v[i], N, (size_t) M * N, batch)
    RUN (CALL);
#undef CALL
    pair_check ("gemm_strided_batched", C, 1e-5 * K, 1e-4);
    free_bufs ();
  }
  g_rand_free (rng);
}

/* A tensor of n floats starting `off` elements into a buffer of its own, on both backends. */
static Pair
pair_random_at (GRand *rng, size_t off, size_t n)
{
  g_autofree float *x = g_new (float, n);
  Pair p = { { FTC_VIEW_NULL, FTC_VIEW_NULL }, n };

  for (size_t i = 0; i < n; i++)
    x[i] = (float) g_rand_double_range (rng, -1, 1);
  for (int i = 0; i < 2; i++)
    {
      FtcBuf *buf = NULL;

      g_assert_cmpint (ftc_buf_new (i == 0 ? ocl : ref, off + n + 7, &buf), ==, FTC_OK);
      g_ptr_array_add (bufs, buf);
      p.v[i] = ftc_view (buf, off);
      g_assert_cmpint (ftc_buf_write (p.v[i], x, n), ==, FTC_OK);
    }
  return p;
}

/* The opencl GEMM hands views at aligned offsets to CLBlast as sub-buffers, and tile-sized, tightly packed
 * matrices take CLBlast's path without scratch copies: every transpose pair there, at offset 0, at aligned
 * offsets (32 and 1024 floats, the sub-buffer path) and at an unaligned one, with beta 0 (C's old contents
 * must not leak in) and beta != 0, and that the elements around C are left alone. */
static void
test_gemm_aligned (void)
{
  GRand *rng = g_rand_new_with_seed (12);
  /* the last: K in chunks of 1024 for A^T B */
  const int shapes[][3] = { { 128, 192, 64 }, { 64, 64, 320 }, { 192, 64, 128 }, { 64, 128, 3072 } };
  const size_t offs[] = { 0, 32, 1024, 5 };

  for (size_t s = 0; s < G_N_ELEMENTS (shapes); s++)
    for (size_t o = 0; o < G_N_ELEMENTS (offs); o++)
      for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++)
          {
            const int M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
            const int lda = ta ? M : K, ldb = tb ? K : N, ldc = N;
            const float beta = (ta + tb + o) % 2 ? 0.0f : 0.75f;
            /* C's guard elements (the 7 past it, and those before it) must come out unchanged */
            Pair A = pair_random_at (rng, offs[o], (size_t) M * K);
            Pair B = pair_random_at (rng, offs[(o + 1) % G_N_ELEMENTS (offs)], (size_t) K * N);
            Pair C = pair_random_at (rng, offs[(o + 2) % G_N_ELEMENTS (offs)], (size_t) M * N + 7);
            char what[96];

#define CALL(be, i) ftc_gemm (be, ta, tb, M, N, K, 0.9f, A.v[i], lda, B.v[i], ldb, beta, C.v[i], ldc)
            RUN (CALL);
#undef CALL
            g_snprintf (what, sizeof what, "gemm %dx%dx%d ta=%d tb=%d at offset %zu, beta %g", M, N, K, ta, tb,
                        offs[o], beta);
            pair_check (what, C, 1e-5 * K, 1e-4);
            free_bufs ();
          }
  /* the batched product the same way: tile-sized heads, tightly packed, at aligned and unaligned offsets */
  for (size_t o = 0; o < G_N_ELEMENTS (offs); o++)
    for (int ta = 0; ta < 2; ta++)
      for (int tb = 0; tb < 2; tb++)
        {
          const int M = 64, N = 128, K = 64, batch = 3;
          const int lda = ta ? M : K, ldb = tb ? K : N, ldc = N;
          /* at one offset, gaps between the matrices (strides beyond their packed size) */
          const size_t gap = o == 2 ? 64 : 0, sa = (size_t) M * K + gap, sb = (size_t) K * N + gap;
          const size_t sc = (size_t) M * N + gap;
          const float beta = (ta + tb) % 2 ? 0.0f : 0.5f;
          Pair A = pair_random_at (rng, offs[o], batch * sa);
          Pair B = pair_random_at (rng, offs[(o + 1) % G_N_ELEMENTS (offs)], batch * sb);
          Pair C = pair_random_at (rng, offs[(o + 3) % G_N_ELEMENTS (offs)], batch * sc + 7);
          char what[96];

#define CALL(be, i) ftc_gemm_strided_batched (be, ta, tb, M, N, K, 1.1f, A.v[i], lda, sa, \
                                              B.v[i], ldb, sb, beta, C.v[i], ldc, sc, batch)
          RUN (CALL);
#undef CALL
          g_snprintf (what, sizeof what, "batched gemm ta=%d tb=%d at offset %zu, beta %g", ta, tb, offs[o], beta);
          pair_check (what, C, 1e-5 * K, 1e-4);
          free_bufs ();
        }
  g_rand_free (rng);
}

/* A whole forward and backward of a 2-layer GPT-2 whose attention products are exactly CLBlast's tile
 * size (T = HS = 64), so that they take its copy-free path at the later layer's offsets: the loss and every
 * parameter gradient against cpu:naive. */
static void
test_gpt2_tile_shapes (void)
{
  const FtcGpt2Config config = { .max_seq_len = 64, .vocab_size = 61, .padded_vocab_size = 64, .num_layers = 2,
                                 .num_heads = 1, .channels = 64 };
  const int B = 2, T = 64;
  int32_t inputs[2 * 64], targets[2 * 64];
  float weights[2 * 64], loss[2];
  FtcGpt2 *model[2] = { NULL, NULL };
  g_autofree float *grads[2] = { NULL, NULL };
  GRand *rng = g_rand_new_with_seed (13);
  size_t n = 0, worst = 0;
  double worst_excess = -INFINITY, max_abs = 0;

  for (int i = 0; i < B * T; i++)
    {
      inputs[i] = g_rand_int_range (rng, 0, config.vocab_size);
      targets[i] = g_rand_int_range (rng, 0, config.vocab_size);
      weights[i] = g_rand_boolean (rng) ? 1.0f / (B * T) : 0.0f;
    }
  for (int i = 0; i < 2; i++)
    {
      FtcBackend *be = i == 0 ? ocl : ref;

      g_assert_cmpint (ftc_gpt2_new (be, &config, &model[i]), ==, FTC_OK);
      g_assert_cmpint (ftc_gpt2_init_random (model[i], 5), ==, FTC_OK);
      g_assert_cmpint (ftc_gpt2_zero_grad (model[i]), ==, FTC_OK);
      if (ftc_gpt2_forward (model[i], inputs, targets, weights, B, T, &loss[i]) != FTC_OK
          || ftc_gpt2_backward (model[i]) != FTC_OK)
        g_error ("%s: %s", i == 0 ? "opencl" : "cpu", ftc_backend_last_error (be));
      n = ftc_gpt2_num_params (model[i]);
      grads[i] = g_new (float, n);
      g_assert_cmpint (ftc_gpt2_read_grads (model[i], grads[i], n), ==, FTC_OK);
    }
  g_assert_cmpfloat_with_epsilon (loss[0], loss[1], 1e-4);
  for (size_t j = 0; j < n; j++)
    {
      /* float sums over at most 128 tokens of 64-term products: 1e-4 of the largest gradient, plus 2% */
      double excess = fabs ((double) grads[0][j] - grads[1][j]) - (2e-6 + 2e-2 * fabs (grads[1][j]));

      max_abs = MAX (max_abs, fabs (grads[1][j]));
      if (!isfinite (grads[0][j]))
        excess = INFINITY;
      if (excess > worst_excess)
        worst_excess = excess, worst = j;
    }
  g_assert_cmpfloat (max_abs, >, 0);
  if (worst_excess > 1e-4 * max_abs)
    g_error ("gradient %zu of %zu: opencl %.9g, cpu %.9g", worst, n, grads[0][worst], grads[1][worst]);
  ftc_gpt2_free (model[0]);
  ftc_gpt2_free (model[1]);
  g_rand_free (rng);
}

/* ---- layers ---- */

static void
test_encoder (void)
{
  GRand *rng = g_rand_new_with_seed (3);
  const int shapes[][4] = { { 1, 1, 1, 3 }, { 2, 5, 7, 11 }, { 3, 17, 65, 50 }, { 2, 64, 96, 200 } };

  for (size_t s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      const int B = shapes[s][0], T = shapes[s][1], C = shapes[s][2], V = shapes[s][3], maxT = T + 2;
      Pair inp = pair_tokens (rng, (size_t) B * T, V);
      Pair wte = pair_random (rng, (size_t) V * C, -1, 1);
      Pair wpe = pair_random (rng, (size_t) maxT * C, -1, 1);
      Pair out = pair_random (rng, (size_t) B * T * C, -1, 1);
      Pair dwte = pair_random (rng, (size_t) V * C, -1, 1);
      Pair dwpe = pair_random (rng, (size_t) maxT * C, -1, 1);
      Pair dout = pair_random (rng, (size_t) B * T * C, -1, 1);

#define CALL(be, i) ftc_encoder_forward (be, out.v[i], inp.v[i], wte.v[i], wpe.v[i], B, T, C)
      RUN (CALL);
#undef CALL
#define CALL(be, i) ftc_encoder_backward (be, dwte.v[i], dwpe.v[i], dout.v[i], inp.v[i], B, T, C)
      RUN (CALL);
#undef CALL
      pair_check ("encoder_forward out", out, 1e-6, 1e-6);
      /* sums of up to B*T terms, in another order */
      pair_check ("encoder_backward dwte", dwte, 1e-5, 1e-5);
      pair_check ("encoder_backward dwpe", dwpe, 1e-5, 1e-5);
      free_bufs ();
    }
  g_rand_free (rng);
}

static void
test_layernorm (void)
{
  GRand *rng = g_rand_new_with_seed (4);
  const int shapes[][2] = { { 1, 1 }, { 5, 7 }, { 33, 130 }, { 67, 256 }, { 9, 1000 }, { 1000, 37 } };

  for (size_t s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      const int N = shapes[s][0], C = shapes[s][1];
      Pair inp = pair_random (rng, (size_t) N * C, -2, 3);
      Pair w = pair_random (rng, C, 0.5, 1.5);
      Pair b = pair_random (rng, C, -0.5, 0.5);
      Pair out = pair_random (rng, (size_t) N * C, -1, 1);
      Pair mean = pair_random (rng, N, -1, 1);
      Pair rstd = pair_random (rng, N, -1, 1);
      Pair dout = pair_random (rng, (size_t) N * C, -1, 1);
      Pair dinp = pair_random (rng, (size_t) N * C, -1, 1);
      Pair dw = pair_random (rng, C, -1, 1);
      Pair db = pair_random (rng, C, -1, 1);

#define CALL(be, i) ftc_layernorm_forward (be, out.v[i], mean.v[i], rstd.v[i], inp.v[i], w.v[i], b.v[i], N, C)
      RUN (CALL);
#undef CALL
#define CALL(be, i) ftc_layernorm_backward (be, dinp.v[i], dw.v[i], db.v[i], dout.v[i], inp.v[i], w.v[i], \
                                            mean.v[i], rstd.v[i], N, C)
      RUN (CALL);
#undef CALL
      if (C > 1)
        {
          /* C = 1 normalises to exactly 0: only the mean and the gradients mean anything there */
          pair_check ("layernorm_forward out", out, 1e-4, 1e-4);
          pair_check ("layernorm_forward rstd", rstd, 1e-4, 1e-4);
          pair_check ("layernorm_backward dinp", dinp, 1e-3, 1e-3);
        }
      pair_check ("layernorm_forward mean", mean, 1e-5, 1e-5);
      pair_check ("layernorm_backward dweight", dw, 1e-4 * sqrt (N), 1e-4);
      pair_check ("layernorm_backward dbias", db, 1e-5 * sqrt (N), 1e-5);
      free_bufs ();
    }
  g_rand_free (rng);
}

static void
test_matmul (void)
{
  GRand *rng = g_rand_new_with_seed (5);
  const int shapes[][3] = { { 1, 1, 1 }, { 5, 7, 9 }, { 67, 33, 65 }, { 128, 64, 192 }, { 100, 130, 70 }, { 1001, 24, 37 } };

  for (size_t s = 0; s < G_N_ELEMENTS (shapes); s++)
    for (int with_bias = 0; with_bias < 2; with_bias++)
      {
        const int N = shapes[s][0], IC = shapes[s][1], OC = shapes[s][2];
        Pair inp = pair_random (rng, (size_t) N * IC, -1, 1);
        Pair w = pair_random (rng, (size_t) OC * IC, -1, 1);
        Pair bias = pair_random (rng, OC, -1, 1);
        Pair out = pair_random (rng, (size_t) N * OC, -1, 1);
        Pair dout = pair_random (rng, (size_t) N * OC, -1, 1);
        Pair dinp = pair_random (rng, (size_t) N * IC, -1, 1);
        Pair dw = pair_random (rng, (size_t) OC * IC, -1, 1);
        Pair dbias = pair_random (rng, OC, -1, 1);
        const FtcView *bv = with_bias ? bias.v : NULLS, *dbv = with_bias ? dbias.v : NULLS;
        const FtcView *dinpv = with_bias ? dinp.v : NULLS;   /* without bias, skip dinp too */

#define CALL(be, i) ftc_matmul_forward (be, out.v[i], inp.v[i], w.v[i], bv[i], N, IC, OC)
        RUN (CALL);
#undef CALL
#define CALL(be, i) ftc_matmul_backward (be, dinpv[i], dw.v[i], dbv[i], dout.v[i], inp.v[i], w.v[i], N, IC, OC)
        RUN (CALL);
#undef CALL
        pair_check ("matmul_forward out", out, 1e-5 * IC, 1e-4);
        pair_check ("matmul_backward dweight", dw, 1e-5 * N, 1e-4);
        if (with_bias)
          {
            pair_check ("matmul_backward dinp", dinp, 1e-5 * OC, 1e-4);
            pair_check ("matmul_backward dbias", dbias, 1e-5 * N, 1e-5);
          }
        free_bufs ();
      }
  g_rand_free (rng);
}

static void
test_attention (void)
{
  GRand *rng = g_rand_new_with_seed (6);
  /* B, T, C, NH: T = 1, T below, at and above the work-group size of 64 */
  const int shapes[][4] = { { 1, 1, 4, 1 }, { 1, 5, 8, 2 }, { 2, 17, 24, 3 }, { 2, 64, 64, 4 }, { 1, 130, 32, 2 } };

  for (size_t s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      const int B = shapes[s][0], T = shapes[s][1], C = shapes[s][2], NH = shapes[s][3];
      const size_t btc = (size_t) B * T * C, att_n = (size_t) B * NH * T * T;
      Pair inp = pair_random (rng, 3 * btc, -2, 2);
      Pair out = pair_random (rng, btc, -1, 1);
      Pair qkvr = pair_random (rng, 3 * btc, -1, 1);
      Pair att = pair_random (rng, att_n, -1, 1);
      Pair dout = pair_random (rng, btc, -1, 1);
      Pair dinp = pair_random (rng, 3 * btc, -1, 1);
      Pair dqkvr = pair_random (rng, 3 * btc, -1, 1);
      Pair datt = pair_random (rng, att_n, -1, 1);
      Pair scratch = pair_random (rng, btc, -1, 1);

#define CALL(be, i) ftc_attention_forward (be, out.v[i], qkvr.v[i], att.v[i], inp.v[i], B, T, C, NH)
      RUN (CALL);
#undef CALL
#define CALL(be, i) ftc_attention_backward (be, dinp.v[i], dqkvr.v[i], datt.v[i], scratch.v[i], dout.v[i], \
                                            qkvr.v[i], att.v[i], B, T, C, NH)
      RUN (CALL);
#undef CALL
      pair_check ("attention_forward out", out, 1e-5, 1e-4);
      pair_check ("attention_forward att", att, 1e-6, 1e-4);
      /* gradients through softmax and two products of length T or HS */
      pair_check ("attention_backward dinp", dinp, 1e-5 * (T + C), 1e-4);
      {
        /* the _set variant over non-zero old contents, which must not show (cpu:naive's _set writes) */
        Pair dset = pair_random (rng, 3 * btc, -1, 1);

#define CALL(be, i) ftc_attention_backward_set (be, dset.v[i], dqkvr.v[i], datt.v[i], scratch.v[i], dout.v[i], \
                                                qkvr.v[i], att.v[i], B, T, C, NH)
        RUN (CALL);
#undef CALL
        pair_check ("attention_backward_set dinp", dset, 1e-5 * (T + C), 1e-4);
      }
      free_bufs ();
    }
  g_rand_free (rng);
}

static void
test_elementwise (void)
{
  GRand *rng = g_rand_new_with_seed (7);
  const size_t sizes[] = { 1, 63, 1000, 4099 };

  for (size_t s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      const size_t N = sizes[s];
      Pair x = pair_random (rng, N, -4, 4);
      Pair y = pair_random (rng, N, -1, 1);
      Pair out = pair_random (rng, N, -1, 1);
      Pair dinp = pair_random (rng, N, -1, 1);
      Pair dout = pair_random (rng, N, -1, 1);
      Pair acc = pair_random (rng, N, -1, 1);
      Pair sc = pair_random (rng, N, -1, 1);

#define CALL(be, i) ftc_gelu_forward (be, out.v[i], x.v[i], N)
      RUN (CALL);
#undef CALL
#define CALL(be, i) ftc_gelu_backward (be, dinp.v[i], x.v[i], dout.v[i], N)
      RUN (CALL);
#undef CALL
      /* the _set variant over non-zero old contents, which must not show (cpu:naive's _set writes) */
      Pair dset = pair_random (rng, N, -1, 1);
#define CALL(be, i) ftc_gelu_backward_set (be, dset.v[i], x.v[i], dout.v[i], N)
      RUN (CALL);
#undef CALL
#define CALL(be, i) ftc_residual_forward (be, y.v[i], x.v[i], y.v[i], N)
      RUN (CALL);
#undef CALL
#define CALL(be, i) ftc_accumulate (be, acc.v[i], x.v[i], N)
      RUN (CALL);
#undef CALL
#define CALL(be, i) ftc_scale (be, sc.v[i], -0.37f, N)
      RUN (CALL);
#undef CALL
      /* the device's tanh/cosh may differ from libm by a few ulp */
      pair_check ("gelu_forward", out, 1e-6, 1e-5);
      pair_check ("gelu_backward", dinp, 1e-6, 1e-5);
      pair_check ("gelu_backward_set", dset, 1e-6, 1e-5);
      pair_check ("residual_forward", y, 0, 1e-7);
      pair_check ("accumulate", acc, 0, 1e-7);
      pair_check ("scale", sc, 0, 1e-7);
      free_bufs ();
    }
  g_rand_free (rng);
}

static void
test_crossentropy (void)
{
  GRand *rng = g_rand_new_with_seed (8);
  /* N, V, Vp */
  const int shapes[][3] = { { 1, 2, 2 }, { 5, 7, 8 }, { 33, 100, 128 }, { 17, 1000, 1024 }, { 4, 50257, 50304 } };

  for (size_t s = 0; s < G_N_ELEMENTS (shapes); s++)
    for (int write_grad = 0; write_grad < 2; write_grad++)
      {
        const int N = shapes[s][0], V = shapes[s][1], Vp = shapes[s][2];
        Pair logits = pair_random (rng, (size_t) N * Vp, -5, 5);
        Pair targets = pair_tokens (rng, N, V);
        Pair weights = pair_random (rng, N, 0.1, 1.0);
        Pair losses = pair_random (rng, N, -1, 1);

#define CALL(be, i) ftc_crossentropy_forward (be, losses.v[i], logits.v[i], targets.v[i], weights.v[i], N, V, Vp, write_grad)
        RUN (CALL);
#undef CALL
        pair_check ("crossentropy losses", losses, 1e-5, 1e-5);
        if (write_grad)
          pair_check ("crossentropy dlogits", logits, 1e-7, 1e-4);
        free_bufs ();
      }
  g_rand_free (rng);
}

static void
test_optimizer (void)
{
  GRand *rng = g_rand_new_with_seed (9);
  const size_t sizes[] = { 1, 1001, 100003 };

  for (size_t s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      const size_t N = sizes[s];
      Pair x = pair_random (rng, N, -1, 1);
      Pair sq = pair_random (rng, 1, -1, 1);
      Pair p = pair_random (rng, N, -1, 1);
      Pair g = pair_random (rng, N, -1, 1);
      Pair m = pair_random (rng, N, -0.1, 0.1);
      Pair v = pair_random (rng, N, 0.0, 0.01);

#define CALL(be, i) ftc_norm_squared (be, sq.v[i], x.v[i], N)
      RUN (CALL);
#undef CALL
      /* float sums of N squares in different orders */
      pair_check ("norm_squared", sq, 0, 1e-5);
      for (int step = 1; step <= 3; step++)
        {
#define CALL(be, i) ftc_adamw_update (be, p.v[i], g.v[i], m.v[i], v.v[i], N, 1e-3f, 0.9f, 0.95f, 1e-8f, 0.1f, 0.8f, step)
          RUN (CALL);
#undef CALL
        }
      pair_check ("adamw params", p, 1e-6, 1e-5);
      pair_check ("adamw m", m, 1e-7, 1e-5);
      pair_check ("adamw v", v, 1e-9, 1e-5);
      free_bufs ();
    }
  g_rand_free (rng);
}

/* The row kernels (layernorm, softmax, cross-entropy) come in two variants, one work-group per row (GPUs)
 * and one item per row (CPU drivers); the device picks one, this runs the layer tests on the other. */
static void
test_other_row_kernels (void)
{
  FtcBackend *saved = ocl, *other = NULL;
  char err[512];

  g_setenv ("FTCOT_CL_ROW_KERNELS", ftc_backend_device (ocl)->is_gpu ? "items" : "groups", TRUE);
  if (ftc_backend_open ("opencl:0", &other, err, sizeof err) != FTC_OK)
    g_error ("%s", err);
  g_unsetenv ("FTCOT_CL_ROW_KERNELS");
  ocl = other;
  test_layernorm ();
  test_attention ();
  test_crossentropy ();
  ocl = saved;
  ftc_backend_free (other);
}

/* ---- failures ---- */

static void
test_device_memory (void)
{
  const FtcDeviceInfo *d = ftc_backend_device (ocl);
  FtcBuf *buf = NULL;
  const char *msg;

  g_assert_cmpint (ftc_buf_new (ocl, (size_t) (d->global_mem_bytes / 4) + 1024, &buf), ==, FTC_ERR_DEVICE_MEMORY);
  g_assert_null (buf);
  msg = ftc_backend_last_error (ocl);
  g_test_message ("%s", msg);
  g_assert_nonnull (strstr (msg, "asked"));
  g_assert_nonnull (strstr (msg, "the device has"));
  g_assert_nonnull (strstr (msg, "smaller batch"));
  /* the backend still works afterwards */
  g_assert_cmpint (ftc_buf_new (ocl, 16, &buf), ==, FTC_OK);
  ftc_buf_free (buf);
}

static void
test_error_names (void)
{
  GHashTable *seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_cmpstr (ftc_cl_error_name (0), ==, "CL_SUCCESS");
  g_assert_cmpstr (ftc_cl_error_name (-4), ==, "CL_MEM_OBJECT_ALLOCATION_FAILURE");
  g_assert_cmpstr (ftc_cl_error_name (-11), ==, "CL_BUILD_PROGRAM_FAILURE");
  g_assert_cmpstr (ftc_cl_error_name (-52), ==, "CL_INVALID_KERNEL_ARGS");
  g_assert_cmpstr (ftc_cl_error_name (-54), ==, "CL_INVALID_WORK_GROUP_SIZE");
  g_assert_cmpstr (ftc_cl_error_name (-69), ==, "CL_INVALID_PIPE_SIZE");
  g_assert_cmpstr (ftc_cl_error_name (-72), ==, "CL_MAX_SIZE_RESTRICTION_EXCEEDED");
  g_assert_cmpstr (ftc_cl_error_name (-1001), ==, "CL_PLATFORM_NOT_FOUND_KHR");
  g_assert_cmpstr (ftc_cl_error_name (-12345), ==, "CL_UNKNOWN_ERROR");
  /* every core code of OpenCL 1.2, 2.x and 3.0 has its own name */
  for (int code = 0; code >= -72; code--)
    {
      const char *name = ftc_cl_error_name (code);

      if (code < -19 && code > -30)
        continue;   /* -20..-29 are unassigned */
      g_assert_cmpstr (name, !=, "CL_UNKNOWN_ERROR");
      g_assert_true (g_str_has_prefix (name, "CL_"));
      g_assert_false (g_hash_table_contains (seen, name));
      g_hash_table_add (seen, (gpointer) name);
    }
  /* the codes a lost device answers with, and not the ordinary failures */
  g_assert_true (ftc_cl_error_is_device_lost (-2));
  g_assert_true (ftc_cl_error_is_device_lost (-14));
  g_assert_true (ftc_cl_error_is_device_lost (-1121));
  g_assert_true (ftc_cl_error_is_device_lost (-9999));
  g_assert_false (ftc_cl_error_is_device_lost (-4));
  g_assert_false (ftc_cl_error_is_device_lost (-52));
  g_assert_cmpstr (ftc_clblast_status_name (CLBlastInvalidLeadDimA), ==, "CLBlastInvalidLeadDimA");
  g_assert_cmpstr (ftc_clblast_status_name (CLBlastMissingOverrideParameter), ==, "CLBlastMissingOverrideParameter");
  g_assert_cmpstr (ftc_clblast_status_name (CLBlastOpenCLBuildProgramFailure), ==, "CLBlastOpenCLBuildProgramFailure");
  g_assert_cmpstr (ftc_clblast_status_name ((CLBlastStatusCode) -57), ==, "CLBlastInvalidEventWaitList");
  g_hash_table_unref (seen);
}

static FtcClRuntime *
open_runtime (void)
{
  FtcClRuntime *rt = NULL;
  char err[512];

  if (ftc_cl_runtime_open (ftc_backend_device (ocl)->index, &rt, err, sizeof err) != FTC_OK)
    g_error ("%s", err);
  return rt;
}

/* The only .bin file in dir. */
static char *
only_cache_file (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;
  char *found = NULL;
  int n = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".bin"))
      {
        g_free (found);
        found = g_build_filename (dir, name, NULL);
        n++;
      }
  g_dir_close (d);
  g_assert_cmpint (n, ==, 1);
  return found;
}

/* Builds the source and runs it: dst[i] = i * k. */
static void
build_and_run (FtcClRuntime *rt, const char *source, FtcClProgramOrigin want_origin, const char *why)
{
  FtcClProgramOrigin origin;
  cl_program program = NULL;
  cl_kernel kernel;
  cl_mem mem;
  cl_int rc;
  char err[4096];
  float k = 3.0f, got[10];
  size_t global = 10;

  if (ftc_cl_program_build (rt, "cachetest", NULL, source, strlen (source), "-DK_ADD=1", &program, &origin, err,
                            sizeof err) != FTC_OK)
    g_error ("%s: %s", why, err);
  if (origin != want_origin)
    g_error ("%s: the program was %s", why, origin == FTC_CL_PROGRAM_BUILT ? "built" : "loaded from the cache");
  kernel = clCreateKernel (program, "times", &rc);
  g_assert_cmpint (rc, ==, CL_SUCCESS);
  mem = clCreateBuffer (rt->context, CL_MEM_READ_WRITE, sizeof got, NULL, &rc);
  g_assert_cmpint (rc, ==, CL_SUCCESS);
  clSetKernelArg (kernel, 0, sizeof mem, &mem);
  clSetKernelArg (kernel, 1, sizeof k, &k);
  g_assert_cmpint (clEnqueueNDRangeKernel (rt->queue, kernel, 1, NULL, &global, NULL, 0, NULL, NULL), ==, CL_SUCCESS);
  g_assert_cmpint (clEnqueueReadBuffer (rt->queue, mem, CL_TRUE, 0, sizeof got, got, 0, NULL, NULL), ==, CL_SUCCESS);
  for (int i = 0; i < 10; i++)
    g_assert_cmpfloat (got[i], ==, i * k + 1);
  clReleaseMemObject (mem);
  clReleaseKernel (kernel);
  clReleaseProgram (program);
}

static void
test_program_cache (void)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *file = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *source = NULL;
  gsize len = 0;
  FtcClRuntime *rt = open_runtime ();
  /* a unique source, so that no earlier run's driver-side cache can matter */
  source = g_strdup_printf ("/* %u */ __kernel void times (__global float *d, const float k) "
                            "{ const int i = get_global_id (0); d[i] = i * k + K_ADD; }", g_random_int ());

  ftc_cl_set_cache_dir (dir);
  build_and_run (rt, source, FTC_CL_PROGRAM_BUILT, "first build");
  file = only_cache_file (dir);
  build_and_run (rt, source, FTC_CL_PROGRAM_CACHED, "second build (cache hit)");

  /* corrupted binary: one byte flipped in the middle fails the checksum */
  g_assert_true (g_file_get_contents (file, &contents, &len, NULL));
  contents[len / 2] ^= 0x5a;
  g_assert_true (g_file_set_contents (file, contents, len, NULL));
  build_and_run (rt, source, FTC_CL_PROGRAM_BUILT, "after corrupting the binary");
  build_and_run (rt, source, FTC_CL_PROGRAM_CACHED, "after the rebuild rewrote the file");

  /* truncated file */
  g_free (contents);
  g_assert_true (g_file_get_contents (file, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (file, contents, len / 3, NULL));
  build_and_run (rt, source, FTC_CL_PROGRAM_BUILT, "after truncating the file");

  /* garbage of the right length with a valid header for another key: a key mismatch */
  g_free (contents);
  g_assert_true (g_file_get_contents (file, &contents, &len, NULL));
  contents[20] ^= 0x01;   /* inside the key hash, bytes 16..23 */
  g_assert_true (g_file_set_contents (file, contents, len, NULL));
  build_and_run (rt, source, FTC_CL_PROGRAM_BUILT, "after changing the stored key");

  /* pure garbage */
  g_assert_true (g_file_set_contents (file, "not a program binary", -1, NULL));
  build_and_run (rt, source, FTC_CL_PROGRAM_BUILT, "after replacing the file with text");
  build_and_run (rt, source, FTC_CL_PROGRAM_CACHED, "final hit");

  /* other build options are another key: built, and a second file appears */
  {
    FtcClProgramOrigin origin;
    cl_program program = NULL;
    char err[1024];

    g_assert_cmpint (ftc_cl_program_build (rt, "cachetest", NULL, source, strlen (source), "-DK_ADD=2", &program,
                                           &origin, err, sizeof err), ==, FTC_OK);
    g_assert_cmpint (origin, ==, FTC_CL_PROGRAM_BUILT);
    clReleaseProgram (program);
  }
  ftc_cl_set_cache_dir (NULL);
  ftc_cl_runtime_free (rt);
}

/* Every kernel program is built behind kernels/prelude.cl: the cache key covers the prelude, so a changed
 * prelude is another key (built, a second file) while the same one hits. */
static void
test_prelude_cache_key (void)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *changed = NULL;
  const FtcClSource *prelude = ftc_cl_source_find ("prelude");
  const FtcClSource *norm = ftc_cl_source_find ("norm");
  FtcClRuntime *rt = open_runtime ();
  FtcClProgramOrigin origin;
  cl_program program = NULL;
  char err[4096];
  GDir *d;
  int n = 0;

  g_assert_nonnull (prelude);
  g_assert_nonnull (norm);
  /* the kernels no longer carry their own copies of the reductions */
  g_assert_null (strstr (norm->source, "wg_sum (float x"));
  g_assert_nonnull (strstr (prelude->source, "wg_sum (float x"));
  ftc_cl_set_cache_dir (dir);
  for (int i = 0; i < 2; i++)
    {
      g_assert_cmpint (ftc_cl_program_build_embedded (rt, "norm", "-DFTC_WG=64", &program, &origin, err, sizeof err),
                       ==, FTC_OK);
      g_assert_cmpint (origin, ==, i == 0 ? FTC_CL_PROGRAM_BUILT : FTC_CL_PROGRAM_CACHED);
      clReleaseProgram (program);
    }
  /* the same source behind the same prelude, given by hand: the same key */
  g_assert_cmpint (ftc_cl_program_build (rt, "norm", prelude->source, norm->source, norm->length, "-DFTC_WG=64",
                                         &program, &origin, err, sizeof err), ==, FTC_OK);
  g_assert_cmpint (origin, ==, FTC_CL_PROGRAM_CACHED);
  clReleaseProgram (program);
  /* a changed prelude: built again, into a second file */
  changed = g_strconcat (prelude->source, "\n/* changed */\n", NULL);
  g_assert_cmpint (ftc_cl_program_build (rt, "norm", changed, norm->source, norm->length, "-DFTC_WG=64",
                                         &program, &origin, err, sizeof err), ==, FTC_OK);
  g_assert_cmpint (origin, ==, FTC_CL_PROGRAM_BUILT);
  clReleaseProgram (program);
  d = g_dir_open (dir, 0, NULL);
  for (const char *name; (name = g_dir_read_name (d)) != NULL;)
    n += g_str_has_suffix (name, ".bin");
  g_dir_close (d);
  g_assert_cmpint (n, ==, 2);
  /* behind a prelude, the compiler still names the source's own line numbers */
  {
    const char *broken = "\n\n__kernel void broken (__global float *x) { x[0] = no_such_variable_here; }\n";
    g_assert_cmpint (ftc_cl_program_build (rt, "broken", prelude->source, broken, strlen (broken), "", &program, NULL,
                                           err, sizeof err), ==, FTC_ERR_BUILD);
    g_test_message ("%s", err);
    g_assert_nonnull (strstr (err, ":3:"));
  }
  ftc_cl_set_cache_dir (NULL);
  ftc_cl_runtime_free (rt);
}

static void
test_build_failure (void)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  FtcClRuntime *rt = open_runtime ();
  const char *broken = "__kernel void broken (__global float *x) { x[0] = no_such_variable_here * 2.0f; }";
  cl_program program = NULL;
  char err[8192];
  FtcStatus st;

  ftc_cl_set_cache_dir (dir);
  st = ftc_cl_program_build (rt, "broken", NULL, broken, strlen (broken), "", &program, NULL, err, sizeof err);
  g_test_message ("%s", err);
  g_assert_cmpint (st, ==, FTC_ERR_BUILD);
  g_assert_null (program);
  g_assert_nonnull (strstr (err, "broken.cl"));
  g_assert_nonnull (strstr (err, "build log"));
  g_assert_nonnull (strstr (err, "no_such_variable_here"));   /* the compiler's own words */
  ftc_cl_set_cache_dir (NULL);
  ftc_cl_runtime_free (rt);
}

/* ---- CLBlast parameter sets ---- */

static void
test_gemm_params (void)
{
  const FtcDeviceInfo *d = ftc_backend_device (ocl);
  g_autofree char *dir = ftc_test_tmpdir ();
  FtcClGemmParams p = { .GEMMK = 0, .KREG = 1, .KWG = 32, .KWI = 2, .MDIMA = 8, .MDIMC = 8, .MWG = 32,
                        .NDIMB = 8, .NDIMC = 8, .NWG = 32, .SA = 1, .SB = 0, .STRM = 0, .STRN = 0,
                        .VWM = 4, .VWN = 2, .min_indirect_size = 16 };
  FtcClGemmParams q, bad = p;
  FtcDeviceInfo other = *d;
  char err[512], path[1200];
  const char *why = NULL;
  double gf = 0;
  GRand *rng = g_rand_new_with_seed (10);

  /* validity */
  g_assert_true (ftc_cl_gemm_params_valid (&p, 4096, 65536, NULL));
  bad.MWG = 48;   /* not a multiple of MDIMC*VWM = 32 */
  g_assert_false (ftc_cl_gemm_params_valid (&bad, 4096, 65536, &why));
  g_assert_nonnull (why);
  bad = p;
  bad.KWI = 3;
  g_assert_false (ftc_cl_gemm_params_valid (&bad, 4096, 65536, NULL));
  g_assert_false (ftc_cl_gemm_params_valid (&p, 32, 65536, NULL));      /* 64 threads > 32 */
  g_assert_false (ftc_cl_gemm_params_valid (&p, 4096, 1024, NULL));     /* 4 KiB of tiles > 1 KiB */

  /* the built-in set is in use on PoCL unless a tuned file says otherwise */
  if (strstr (d->platform, "Portable Computing Language") != NULL && !d->is_gpu)
    {
      g_assert_nonnull (ftc_cl_gemm_params_builtin (d));
      g_assert_cmpint (ftc_opencl_gemm_params (ocl, &q), !=, FTC_CL_TUNING_CLBLAST);
    }

  /* save and load round trip; another driver version does not load it */
  ftc_cl_set_config_dir (dir);
  g_assert_cmpint (ftc_cl_gemm_tuning_load (d, &q, NULL, err, sizeof err), ==, FTC_ERR_IO);
  g_assert_cmpint (ftc_cl_gemm_tuning_save (d, &p, 42.5, err, sizeof err), ==, FTC_OK);
  memset (&q, 0, sizeof q);
  g_assert_cmpint (ftc_cl_gemm_tuning_load (d, &q, &gf, err, sizeof err), ==, FTC_OK);
  g_assert_cmpint (memcmp (&p, &q, sizeof p), ==, 0);
  g_assert_cmpfloat (gf, ==, 42.5);
  g_strlcpy (other.driver_version, "another driver", sizeof other.driver_version);
  g_assert_cmpint (ftc_cl_gemm_tuning_load (&other, &q, NULL, err, sizeof err), ==, FTC_ERR_IO);
  /* a malformed file is refused with the line named */
  g_assert_nonnull (ftc_cl_gemm_tuning_path (d, path, sizeof path));
  g_assert_true (g_file_set_contents (path, "device=x\nKWG=sixty-four\n", -1, NULL));
  g_assert_cmpint (ftc_cl_gemm_tuning_load (d, &q, NULL, err, sizeof err), ==, FTC_ERR_IO);
  g_assert_nonnull (strstr (err, ":2:"));
  /* a saved set is what a new backend starts with */
  g_assert_cmpint (ftc_cl_gemm_tuning_save (d, &p, 42.5, err, sizeof err), ==, FTC_OK);
  {
    FtcBackend *be2 = NULL;

    g_assert_cmpint (ftc_backend_open (d->spec, &be2, err, sizeof err), ==, FTC_OK);
    memset (&q, 0, sizeof q);
    g_assert_cmpint (ftc_opencl_gemm_params (be2, &q), ==, FTC_CL_TUNING_FILE);
    g_assert_cmpint (memcmp (&p, &q, sizeof p), ==, 0);
    ftc_backend_free (be2);
    /* and with tuning switched off, nothing is applied */
    ftc_opencl_set_tuning_enabled (0);
    g_assert_cmpint (ftc_backend_open (d->spec, &be2, err, sizeof err), ==, FTC_OK);
    g_assert_cmpint (ftc_opencl_gemm_params (be2, &q), ==, FTC_CL_TUNING_CLBLAST);
    ftc_backend_free (be2);
    ftc_opencl_set_tuning_enabled (1);
  }
  ftc_cl_set_config_dir (NULL);

  /* GEMMs stay correct under another parameter set (CLBlast recompiles its kernels) */
  g_assert_cmpint (ftc_opencl_set_gemm_params (ocl, &p), ==, FTC_OK);
  g_assert_cmpint (ftc_opencl_gemm_params (ocl, &q), ==, FTC_CL_TUNING_EXPLICIT);
  {
    const int M = 70, N = 45, K = 100;
    Pair A = pair_random (rng, (size_t) M * K, -1, 1);
    Pair B = pair_random (rng, (size_t) N * K, -1, 1);
    Pair C = pair_random (rng, (size_t) M * N, -1, 1);

#define CALL(be, i) ftc_gemm (be, 0, 1, M, N, K, 1.0f, A.v[i], K, B.v[i], K, 0.0f, C.v[i], N)
    RUN (CALL);
#undef CALL
    pair_check ("gemm with explicit parameters", C, 1e-5 * K, 1e-4);
    free_bufs ();
  }
  /* an invalid set is refused and names the constraint */
  g_assert_cmpint (ftc_opencl_set_gemm_params (ocl, &bad), ==, FTC_ERR_INVALID_ARG);
  g_assert_nonnull (strstr (ftc_backend_last_error (ocl), "KWI"));
  {
    const FtcClGemmParams *builtin = ftc_cl_gemm_params_builtin (d);
    if (builtin != NULL)
      g_assert_cmpint (ftc_opencl_set_gemm_params (ocl, builtin), ==, FTC_OK);
  }
  g_rand_free (rng);
}

int
main (int argc, char **argv)
{
  char err[512];
  int rc;

  g_test_init (&argc, &argv, NULL);
  if (ftc_backend_open ("opencl:0", &ocl, err, sizeof err) != FTC_OK)
    {
      /* no OpenCL device on this machine: nothing here can run */
      g_print ("1..0 # SKIP no OpenCL device: %s\n", err);
      return 0;
    }
  if (ftc_backend_open ("cpu:naive", &ref, err, sizeof err) != FTC_OK)
    g_error ("cpu:naive: %s", err);
  g_test_message ("opencl:0 is %s (%s)", ftc_backend_device (ocl)->name, ftc_backend_device (ocl)->platform);
  bufs = g_ptr_array_new ();

  g_test_add_func ("/opencl/memory", test_memory);
  g_test_add_func ("/opencl/gemm", test_gemm);
  g_test_add_func ("/opencl/gemm-aligned", test_gemm_aligned);
  g_test_add_func ("/opencl/gpt2-tile-shapes", test_gpt2_tile_shapes);
  g_test_add_func ("/opencl/encoder", test_encoder);
  g_test_add_func ("/opencl/layernorm", test_layernorm);
  g_test_add_func ("/opencl/matmul", test_matmul);
  g_test_add_func ("/opencl/attention", test_attention);
  g_test_add_func ("/opencl/elementwise", test_elementwise);
  g_test_add_func ("/opencl/crossentropy", test_crossentropy);
  g_test_add_func ("/opencl/optimizer", test_optimizer);
  g_test_add_func ("/opencl/other-row-kernels", test_other_row_kernels);
  g_test_add_func ("/opencl/device-memory", test_device_memory);
  g_test_add_func ("/opencl/error-names", test_error_names);
  g_test_add_func ("/opencl/program-cache", test_program_cache);
  g_test_add_func ("/opencl/prelude-cache-key", test_prelude_cache_key);
  g_test_add_func ("/opencl/build-failure", test_build_failure);
  g_test_add_func ("/opencl/gemm-params", test_gemm_params);
  rc = g_test_run ();
  g_ptr_array_free (bufs, TRUE);
  ftc_backend_free (ocl);
  ftc_backend_free (ref);
  return rc;
}
