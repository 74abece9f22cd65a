/* test-cpu-ops: every op of the cpu backend, on "cpu" (CBLAS) and "cpu:naive" (the reference GEMM),
 * against textbook double-precision forwards written here, backward ops against central finite
 * differences of those forwards, and cpu against cpu:naive. Random non-zero inputs, several shapes
 * including odd ones; tensors sit at non-zero offsets inside their buffers. Tolerances per check. */
#include <math.h>
#include <string.h>

#include <glib.h>
#ifdef _OPENMP
#include <omp.h>
#else
static void omp_set_num_threads (int n) { (void) n; }
static int omp_get_max_threads (void) { return 1; }
#endif

#include "compute/ftc-backend.h"

static const char *specs[] = { "cpu", "cpu:naive" };
#define N_SPECS 2
#define OFF 3   /* every tensor starts 3 elements into its buffer */

/* ---- helpers ---- */

static FtcBackend *
open_backend (const char *spec)
{
  char err[256];
  FtcBackend *be = NULL;
  FtcStatus status = ftc_backend_open (spec, &be, err, sizeof err);

  if (status != FTC_OK)
    g_error ("cannot open %s: %s", spec, err);
  return be;
}

static void
fill_random (GRand *rng, double *x, size_t n, double lo, double hi)
{
  for (size_t i = 0; i < n; i++)
    x[i] = g_rand_double_range (rng, lo, hi);
}

/* A buffer with n floats at offset OFF holding x (converted to float), padded on both sides. */
static FtcView
upload (FtcBackend *be, const double *x, size_t n)
{
  FtcBuf *buf = NULL;
  g_autofree float *f = g_new (float, n);

  g_assert_cmpint (ftc_buf_new (be, n + OFF + 5, &buf), ==, FTC_OK);
  for (size_t i = 0; i < n; i++)
    f[i] = (float) x[i];
  g_assert_cmpint (ftc_buf_write (ftc_view (buf, OFF), f, n), ==, FTC_OK);
  return ftc_view (buf, OFF);
}

static FtcView
upload_int (FtcBackend *be, const int32_t *x, size_t n)
{
  FtcBuf *buf = NULL;

  g_assert_cmpint (ftc_buf_new (be, n + OFF + 5, &buf), ==, FTC_OK);
  g_assert_cmpint (ftc_buf_write (ftc_view (buf, OFF), x, n), ==, FTC_OK);
  return ftc_view (buf, OFF);
}

static float *
download (FtcView v, size_t n)
{
  float *f = g_new (float, n);
  g_assert_cmpint (ftc_buf_read (v, f, n), ==, FTC_OK);
  return f;
}

/* Fails, naming the worst element, when |got - want| > atol + rtol |want| anywhere. */
static void
check_close (const char *what, const float *got, const double *want, size_t n, double atol, double rtol)
{
  size_t worst = 0;
  double worst_excess = -INFINITY;

  for (size_t i = 0; i < n; i++)
    {
      double excess = fabs ((double) got[i] - want[i]) - (atol + rtol * fabs (want[i]));
      if (isnan (got[i]) || isnan (want[i]))
        excess = INFINITY;
      if (excess > worst_excess)
        {
          worst_excess = excess;
          worst = i;
        }
    }
  g_test_message ("%s: worst element %zu of %zu: got %.9g, want %.9g (atol %g, rtol %g)",
                  what, worst, n, got[worst], want[worst], atol, rtol);
  if (worst_excess > 0)
    g_error ("%s: element %zu of %zu is %.9g, want %.9g (|diff| %.3g > atol %g + rtol %g)",
             what, worst, n, got[worst], want[worst], fabs (got[worst] - want[worst]), atol, rtol);
}

static void
check_close_f (const char *what, const float *got, const float *want, size_t n, double atol, double rtol)
{
  g_autofree double *w = g_new (double, n);
  for (size_t i = 0; i < n; i++)
    w[i] = want[i];
  check_close (what, got, w, n, atol, rtol);
}

static void
free_view (FtcView v)
{
  ftc_buf_free (v.buf);
}

/* Central differences of f at x (n elements, perturbed in place), h = 1e-5 in double. */
typedef double (*LossFn) (void *ctx);

static double *
fd_grad (LossFn f, void *ctx, double *x, size_t n)
{
  const double h = 1e-5;
  double *grad = g_new (double, n);

  for (size_t i = 0; i < n; i++)
    {
      double saved = x[i];
      x[i] = saved + h;
      double plus = f (ctx);
      x[i] = saved - h;
      double minus = f (ctx);
      x[i] = saved;
      grad[i] = (plus - minus) / (2 * h);
    }
  return grad;
}

/* want = g0 + fd: backward ops accumulate into what the gradient held before */
static double *
plus (const double *g0, const double *fd, size_t n)
{
  double *sum = g_new (double, n);
  for (size_t i = 0; i < n; i++)
    sum[i] = g0[i] + fd[i];
  return sum;
}

/* Tolerances. Forward: float op vs double reference on O(1) values. Backward: float op vs double
 * finite differences (h = 1e-5, truncation error ~1e-9), so the float rounding dominates. */
#define FWD_ATOL 2e-5
#define FWD_RTOL 2e-4
#define BWD_ATOL 1e-4
#define BWD_RTOL 1e-3
/* cpu vs cpu:naive: the same float code except the GEMM's summation order */
#define PAIR_ATOL 1e-5
#define PAIR_RTOL 1e-4

/* ---- GEMM ---- */

static void
ref_gemm (int ta, int tb, int M, int N, int K, double alpha, const double *A, int lda, const double *B, int ldb,
          double beta, double *C, int ldc)
{
  for (int i = 0; i < M; i++)
    for (int j = 0; j < N; j++)
      {
        double sum = 0;
        for (int k = 0; k < K; k++)
          sum += (ta ? A[k * lda + i] : A[i * lda + k]) * (tb ? B[j * ldb + k] : B[k * ldb + j]);
        C[i * ldc + j] = alpha * sum + beta * C[i * ldc + j];
      }
}

static void
test_gemm (void)
{
  /* the last two are large enough for ftc_cpu_gemm to split them over threads: by rows, then by columns */
  static const int shapes[][3] = { { 1, 1, 1 }, { 7, 5, 3 }, { 33, 17, 65 }, { 64, 128, 48 }, { 3, 70, 129 },
                                   { 300, 130, 70 }, { 70, 300, 130 } };
  g_autoptr (GRand) rng = g_rand_new_with_seed (11);

  for (gsize s = 0; s < G_N_ELEMENTS (shapes); s++)
    for (int ta = 0; ta < 2; ta++)
      for (int tb = 0; tb < 2; tb++)
        {
          int M = shapes[s][0], N = shapes[s][1], K = shapes[s][2], batch = 3;
          int lda = (ta ? M : K) + 2, ldb = (tb ? K : N) + 1, ldc = N + 3;
          size_t sa = (size_t) (ta ? K : M) * lda + 1, sb = (size_t) (tb ? N : K) * ldb, sc = (size_t) M * ldc + 2;
          size_t na = sa * batch, nb = sb * batch, nc = sc * batch;
          g_autofree double *A = g_new (double, na), *Bm = g_new (double, nb), *C0 = g_new (double, nc);
          g_autofree double *want = g_new (double, nc);
          float *results[N_SPECS] = { NULL };
          float *batched[N_SPECS] = { NULL };
          g_autofree double *want1 = g_new (double, nc);

          fill_random (rng, A, na, -1, 1);
          fill_random (rng, Bm, nb, -1, 1);
          fill_random (rng, C0, nc, -1, 1);
          memcpy (want1, C0, nc * sizeof (double));
          ref_gemm (ta, tb, M, N, K, 0.7, A, lda, Bm, ldb, 0.3, want1, ldc);
          memcpy (want, C0, nc * sizeof (double));
          for (int b = 0; b < batch; b++)
            ref_gemm (ta, tb, M, N, K, 0.7, A + b * sa, lda, Bm + b * sb, ldb, 0.3, want + b * sc, ldc);

          for (int e = 0; e < N_SPECS; e++)
            {
              FtcBackend *be = open_backend (specs[e]);
              FtcView a = upload (be, A, na), b = upload (be, Bm, nb), c = upload (be, C0, nc);
              FtcView c1 = upload (be, C0, nc);
              g_autofree char *what = g_strdup_printf ("%s gemm ta=%d tb=%d M=%d N=%d K=%d", specs[e], ta, tb, M, N, K);

              g_assert_cmpint (ftc_gemm (be, ta, tb, M, N, K, 0.7f, a, lda, b, ldb, 0.3f, c1, ldc), ==, FTC_OK);
              results[e] = download (c1, nc);
              check_close (what, results[e], want1, nc, FWD_ATOL, FWD_RTOL);
              g_assert_cmpint (ftc_gemm_strided_batched (be, ta, tb, M, N, K, 0.7f, a, lda, sa, b, ldb, sb,
                                                         0.3f, c, ldc, sc, batch), ==, FTC_OK);
              batched[e] = download (c, nc);
              check_close (what, batched[e], want, nc, FWD_ATOL, FWD_RTOL);
              free_view (a); free_view (b); free_view (c); free_view (c1);
              ftc_backend_free (be);
            }
          check_close_f ("gemm cpu vs naive", results[0], results[1], nc, PAIR_ATOL, PAIR_RTOL);
          check_close_f ("batched gemm cpu vs naive", batched[0], batched[1], nc, PAIR_ATOL, PAIR_RTOL);
          for (int e = 0; e < N_SPECS; e++)
            g_free (results[e]), g_free (batched[e]);
        }
}

/* ---- encoder ---- */

typedef struct {
  int B, T, C, V;
  const int32_t *inp;
  double *wte, *wpe, *r;
} EncoderCtx;

static void
ref_encoder (double *out, const EncoderCtx *c)
{
  for (int b = 0; b < c->B; b++)
    for (int t = 0; t < c->T; t++)
      for (int i = 0; i < c->C; i++)
        out[(b * c->T + t) * c->C + i] = c->wte[c->inp[b * c->T + t] * c->C + i] + c->wpe[t * c->C + i];
}

static double
encoder_loss (void *ctx)
{
  EncoderCtx *c = ctx;
  size_t n = (size_t) c->B * c->T * c->C;
  g_autofree double *out = g_new (double, n);
  double loss = 0;

  ref_encoder (out, c);
  for (size_t i = 0; i < n; i++)
    loss += c->r[i] * out[i];
  return loss;
}

static void
test_encoder (void)
{
  static const int shapes[][4] = { { 2, 5, 7, 11 }, { 3, 9, 64, 4 }, { 1, 1, 1, 1 } };
  g_autoptr (GRand) rng = g_rand_new_with_seed (12);

  for (gsize s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      int B = shapes[s][0], T = shapes[s][1], C = shapes[s][2], V = shapes[s][3];
      size_t n = (size_t) B * T * C;
      g_autofree int32_t *inp = g_new (int32_t, B * T);
      g_autofree double *wte = g_new (double, V * C), *wpe = g_new (double, T * C), *r = g_new (double, n);
      g_autofree double *want = g_new (double, n);
      g_autofree double *g0te = g_new (double, V * C), *g0pe = g_new (double, T * C);
      EncoderCtx ctx = { B, T, C, V, inp, wte, wpe, r };

      for (int i = 0; i < B * T; i++)
        inp[i] = g_rand_int_range (rng, 0, V);   /* repeats on purpose: the scatter must add them up */
      fill_random (rng, wte, V * C, -1, 1);
      fill_random (rng, wpe, T * C, -1, 1);
      fill_random (rng, r, n, -1, 1);
      fill_random (rng, g0te, V * C, -1, 1);
      fill_random (rng, g0pe, T * C, -1, 1);
      ref_encoder (want, &ctx);
      g_autofree double *fd_te = fd_grad (encoder_loss, &ctx, wte, V * C);
      g_autofree double *fd_pe = fd_grad (encoder_loss, &ctx, wpe, T * C);
      g_autofree double *want_te = plus (g0te, fd_te, V * C), *want_pe = plus (g0pe, fd_pe, T * C);

      for (int e = 0; e < N_SPECS; e++)
        {
          FtcBackend *be = open_backend (specs[e]);
          FtcView out = upload (be, want, n), vi = upload_int (be, inp, B * T);
          FtcView vte = upload (be, wte, V * C), vpe = upload (be, wpe, T * C), dout = upload (be, r, n);
          FtcView dte = upload (be, g0te, V * C), dpe = upload (be, g0pe, T * C);
          ftc_buf_fill (out, 123.0f, n);

          g_assert_cmpint (ftc_encoder_forward (be, out, vi, vte, vpe, B, T, C), ==, FTC_OK);
          g_autofree float *got = download (out, n);
          check_close ("encoder_forward", got, want, n, FWD_ATOL, FWD_RTOL);
          g_assert_cmpint (ftc_encoder_backward (be, dte, dpe, dout, vi, B, T, C), ==, FTC_OK);
          g_autofree float *gte = download (dte, V * C), *gpe = download (dpe, T * C);
          check_close ("encoder_backward dwte", gte, want_te, V * C, BWD_ATOL, BWD_RTOL);
          check_close ("encoder_backward dwpe", gpe, want_pe, T * C, BWD_ATOL, BWD_RTOL);
          free_view (out); free_view (vi); free_view (vte); free_view (vpe); free_view (dout);
          free_view (dte); free_view (dpe);
          ftc_backend_free (be);
        }
    }
}

/* ---- layernorm ---- */

typedef struct {
  int N, C;
  double *inp, *w, *b, *r;
} LayernormCtx;

static void
ref_layernorm (double *out, double *mean, double *rstd, const LayernormCtx *c)
{
  for (int n = 0; n < c->N; n++)
    {
      const double *x = c->inp + n * c->C;
      double m = 0, v = 0;
      for (int i = 0; i < c->C; i++)
        m += x[i];
      m /= c->C;
      for (int i = 0; i < c->C; i++)
        v += (x[i] - m) * (x[i] - m);
      v /= c->C;
      double s = 1.0 / sqrt (v + 1e-5);
      for (int i = 0; i < c->C; i++)
        out[n * c->C + i] = (x[i] - m) * s * c->w[i] + c->b[i];
      if (mean != NULL)
        {
          mean[n] = m;
          rstd[n] = s;
        }
    }
}

static double
layernorm_loss (void *ctx)
{
  LayernormCtx *c = ctx;
  size_t n = (size_t) c->N * c->C;
  g_autofree double *out = g_new (double, n);
  double loss = 0;

  ref_layernorm (out, NULL, NULL, c);
  for (size_t i = 0; i < n; i++)
    loss += c->r[i] * out[i];
  return loss;
}

static void
test_layernorm (void)
{
  static const int shapes[][2] = { { 1, 2 }, { 7, 13 }, { 33, 64 }, { 5, 257 } };
  g_autoptr (GRand) rng = g_rand_new_with_seed (13);

  for (gsize s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      int N = shapes[s][0], C = shapes[s][1];
      size_t n = (size_t) N * C;
      g_autofree double *inp = g_new (double, n), *w = g_new (double, C), *b = g_new (double, C);
      g_autofree double *r = g_new (double, n), *want = g_new (double, n);
      g_autofree double *mean = g_new (double, N), *rstd = g_new (double, N);
      g_autofree double *g0i = g_new (double, n), *g0w = g_new (double, C), *g0b = g_new (double, C);
      LayernormCtx ctx = { N, C, inp, w, b, r };

      fill_random (rng, inp, n, -2, 3);
      fill_random (rng, w, C, 0.5, 1.5);
      fill_random (rng, b, C, -0.5, 0.5);
      fill_random (rng, r, n, -1, 1);
      fill_random (rng, g0i, n, -1, 1);
      fill_random (rng, g0w, C, -1, 1);
      fill_random (rng, g0b, C, -1, 1);
      ref_layernorm (want, mean, rstd, &ctx);
      g_autofree double *fd_i = fd_grad (layernorm_loss, &ctx, inp, n);
      g_autofree double *fd_w = fd_grad (layernorm_loss, &ctx, w, C);
      g_autofree double *fd_b = fd_grad (layernorm_loss, &ctx, b, C);
      g_autofree double *want_i = plus (g0i, fd_i, n), *want_w = plus (g0w, fd_w, C), *want_b = plus (g0b, fd_b, C);

      for (int e = 0; e < N_SPECS; e++)
        {
          FtcBackend *be = open_backend (specs[e]);
          FtcView out = upload (be, r, n), vm = upload (be, r, N), vr = upload (be, r, N);
          FtcView vi = upload (be, inp, n), vw = upload (be, w, C), vb = upload (be, b, C), dout = upload (be, r, n);
          FtcView di = upload (be, g0i, n), dw = upload (be, g0w, C), db = upload (be, g0b, C);

          g_assert_cmpint (ftc_layernorm_forward (be, out, vm, vr, vi, vw, vb, N, C), ==, FTC_OK);
          g_autofree float *got = download (out, n), *gm = download (vm, N), *gr = download (vr, N);
          check_close ("layernorm_forward out", got, want, n, FWD_ATOL, FWD_RTOL);
          check_close ("layernorm_forward mean", gm, mean, N, FWD_ATOL, FWD_RTOL);
          check_close ("layernorm_forward rstd", gr, rstd, N, FWD_ATOL, FWD_RTOL);
          g_assert_cmpint (ftc_layernorm_backward (be, di, dw, db, dout, vi, vw, vm, vr, N, C), ==, FTC_OK);
          g_autofree float *gi = download (di, n), *gw = download (dw, C), *gb = download (db, C);
          check_close ("layernorm_backward dinp", gi, want_i, n, BWD_ATOL, BWD_RTOL);
          check_close ("layernorm_backward dweight", gw, want_w, C, BWD_ATOL, BWD_RTOL);
          check_close ("layernorm_backward dbias", gb, want_b, C, BWD_ATOL, BWD_RTOL);
          free_view (out); free_view (vm); free_view (vr); free_view (vi); free_view (vw); free_view (vb);
          free_view (dout); free_view (di); free_view (dw); free_view (db);
          ftc_backend_free (be);
        }
    }
}

/* ---- matmul ---- */

typedef struct {
  int N, IC, OC;
  double *inp, *w, *b, *r;   /* b may be NULL */
} MatmulCtx;

static void
ref_matmul (double *out, const MatmulCtx *c)
{
  for (int n = 0; n < c->N; n++)
    for (int o = 0; o < c->OC; o++)
      {
        double sum = c->b != NULL ? c->b[o] : 0.0;
        for (int i = 0; i < c->IC; i++)
          sum += c->inp[n * c->IC + i] * c->w[o * c->IC + i];
        out[n * c->OC + o] = sum;
      }
}

static double
matmul_loss (void *ctx)
{
  MatmulCtx *c = ctx;
  size_t n = (size_t) c->N * c->OC;
  g_autofree double *out = g_new (double, n);
  double loss = 0;

  ref_matmul (out, c);
  for (size_t i = 0; i < n; i++)
    loss += c->r[i] * out[i];
  return loss;
}

static void
test_matmul (void)
{
  static const int shapes[][3] = { { 1, 1, 1 }, { 7, 13, 5 }, { 33, 64, 17 }, { 12, 24, 70 }, { 65, 9, 33 } };
  g_autoptr (GRand) rng = g_rand_new_with_seed (14);

  for (gsize s = 0; s < G_N_ELEMENTS (shapes); s++)
    for (int with_bias = 0; with_bias < 2; with_bias++)
      {
        int N = shapes[s][0], IC = shapes[s][1], OC = shapes[s][2];
        size_t ni = (size_t) N * IC, no = (size_t) N * OC, nw = (size_t) OC * IC;
        g_autofree double *inp = g_new (double, ni), *w = g_new (double, nw), *b = g_new (double, OC);
        g_autofree double *r = g_new (double, no), *want = g_new (double, no);
        g_autofree double *g0i = g_new (double, ni), *g0w = g_new (double, nw), *g0b = g_new (double, OC);
        float *outs[N_SPECS] = { NULL }, *dws[N_SPECS] = { NULL };
        MatmulCtx ctx = { N, IC, OC, inp, w, with_bias ? b : NULL, r };

        fill_random (rng, inp, ni, -1, 1);
        fill_random (rng, w, nw, -1, 1);
        fill_random (rng, b, OC, -1, 1);
        fill_random (rng, r, no, -1, 1);
        fill_random (rng, g0i, ni, -1, 1);
        fill_random (rng, g0w, nw, -1, 1);
        fill_random (rng, g0b, OC, -1, 1);
        ref_matmul (want, &ctx);
        g_autofree double *fd_i = fd_grad (matmul_loss, &ctx, inp, ni);
        g_autofree double *fd_w = fd_grad (matmul_loss, &ctx, w, nw);
        g_autofree double *fd_b = fd_grad (matmul_loss, &ctx, b, OC);
        g_autofree double *want_i = plus (g0i, fd_i, ni), *want_w = plus (g0w, fd_w, nw);
        g_autofree double *want_b = plus (g0b, fd_b, OC);

        for (int e = 0; e < N_SPECS; e++)
          {
            FtcBackend *be = open_backend (specs[e]);
            FtcView out = upload (be, r, no), vi = upload (be, inp, ni), vw = upload (be, w, nw);
            FtcView vb = with_bias ? upload (be, b, OC) : FTC_VIEW_NULL, dout = upload (be, r, no);
            FtcView di = upload (be, g0i, ni), dw = upload (be, g0w, nw), db = upload (be, g0b, OC);

            g_assert_cmpint (ftc_matmul_forward (be, out, vi, vw, vb, N, IC, OC), ==, FTC_OK);
            outs[e] = download (out, no);
            check_close ("matmul_forward", outs[e], want, no, FWD_ATOL, FWD_RTOL);
            /* with bias: every gradient; without: dinp and dbias skipped */
            g_assert_cmpint (ftc_matmul_backward (be, with_bias ? di : FTC_VIEW_NULL, dw,
                                                  with_bias ? db : FTC_VIEW_NULL, dout, vi, vw, N, IC, OC), ==, FTC_OK);
            g_autofree float *gi = download (di, ni), *gb = download (db, OC);
            dws[e] = download (dw, nw);
            check_close ("matmul_backward dweight", dws[e], want_w, nw, BWD_ATOL, BWD_RTOL);
            check_close ("matmul_backward dinp", gi, with_bias ? want_i : g0i, ni, BWD_ATOL, BWD_RTOL);
            check_close ("matmul_backward dbias", gb, with_bias ? want_b : g0b, OC, BWD_ATOL, BWD_RTOL);
            free_view (out); free_view (vi); free_view (vw); free_view (dout); free_view (di); free_view (dw);
            free_view (db);
            if (with_bias)
              free_view (vb);
            ftc_backend_free (be);
          }
        check_close_f ("matmul_forward cpu vs naive", outs[0], outs[1], no, PAIR_ATOL, PAIR_RTOL);
        check_close_f ("matmul_backward dweight cpu vs naive", dws[0], dws[1], nw, PAIR_ATOL, PAIR_RTOL);
        for (int e = 0; e < N_SPECS; e++)
          g_free (outs[e]), g_free (dws[e]);
      }
}

/* ---- attention ---- */

typedef struct {
  int B, T, C, NH;
  double *inp, *r;
} AttentionCtx;

/* textbook causal attention, one (b, t, h) at a time, as llm.c's CPU attention_forward */
static void
ref_attention (double *out, double *att, const AttentionCtx *c)
{
  int B = c->B, T = c->T, C = c->C, NH = c->NH, HS = C / NH;
  double scale = 1.0 / sqrt (HS);
  g_autofree double *w = g_new (double, T);

  for (int b = 0; b < B; b++)
    for (int t = 0; t < T; t++)
      for (int h = 0; h < NH; h++)
        {
          const double *q = c->inp + (b * T + t) * 3 * C + h * HS;
          double maxval = -INFINITY, sum = 0;
          for (int t2 = 0; t2 <= t; t2++)
            {
              const double *k = c->inp + (b * T + t2) * 3 * C + C + h * HS;
              double dot = 0;
              for (int i = 0; i < HS; i++)
                dot += q[i] * k[i];
              w[t2] = dot * scale;
              maxval = MAX (maxval, w[t2]);
            }
          for (int t2 = 0; t2 <= t; t2++)
            {
              w[t2] = exp (w[t2] - maxval);
              sum += w[t2];
            }
          double *o = out + (b * T + t) * C + h * HS;
          for (int i = 0; i < HS; i++)
            o[i] = 0;
          for (int t2 = 0; t2 < T; t2++)
            {
              double a = t2 <= t ? w[t2] / sum : 0.0;
              if (att != NULL)
                att[((b * NH + h) * T + t) * T + t2] = a;
              if (t2 > t)
                continue;
              const double *v = c->inp + (b * T + t2) * 3 * C + 2 * C + h * HS;
              for (int i = 0; i < HS; i++)
                o[i] += a * v[i];
            }
        }
}

static double
attention_loss (void *ctx)
{
  AttentionCtx *c = ctx;
  size_t n = (size_t) c->B * c->T * c->C;
  g_autofree double *out = g_new (double, n);
  double loss = 0;

  ref_attention (out, NULL, c);
  for (size_t i = 0; i < n; i++)
    loss += c->r[i] * out[i];
  return loss;
}

static void
test_attention (void)
{
  static const int shapes[][4] = { { 1, 1, 4, 1 }, { 2, 5, 12, 3 }, { 1, 7, 20, 4 }, { 2, 17, 32, 2 } };
  g_autoptr (GRand) rng = g_rand_new_with_seed (15);

  for (gsize s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      int B = shapes[s][0], T = shapes[s][1], C = shapes[s][2], NH = shapes[s][3];
      size_t n = (size_t) B * T * C, n3 = 3 * n, na = (size_t) B * NH * T * T;
      g_autofree double *inp = g_new (double, n3), *r = g_new (double, n), *want = g_new (double, n);
      g_autofree double *att = g_new (double, na), *g0 = g_new (double, n3);
      float *outs[N_SPECS] = { NULL }, *grads[N_SPECS] = { NULL };
      AttentionCtx ctx = { B, T, C, NH, inp, r };

      fill_random (rng, inp, n3, -1.5, 1.5);
      fill_random (rng, r, n, -1, 1);
      fill_random (rng, g0, n3, -1, 1);
      ref_attention (want, att, &ctx);
      g_autofree double *fd = fd_grad (attention_loss, &ctx, inp, n3);
      g_autofree double *want_d = plus (g0, fd, n3);

      for (int e = 0; e < N_SPECS; e++)
        {
          FtcBackend *be = open_backend (specs[e]);
          FtcView out = upload (be, r, n), vi = upload (be, inp, n3), dout = upload (be, r, n);
          FtcView qkvr = upload (be, inp, n3), vatt = upload (be, att, na), di = upload (be, g0, n3);
          FtcView dqkvr = upload (be, inp, n3), datt = upload (be, att, na), scratch = upload (be, r, n);

          g_assert_cmpint (ftc_attention_forward (be, out, qkvr, vatt, vi, B, T, C, NH), ==, FTC_OK);
          outs[e] = download (out, n);
          g_autofree float *gatt = download (vatt, na);
          check_close ("attention_forward out", outs[e], want, n, FWD_ATOL, FWD_RTOL);
          check_close ("attention_forward att", gatt, att, na, FWD_ATOL, FWD_RTOL);
          g_assert_cmpint (ftc_attention_backward (be, di, dqkvr, datt, scratch, dout, qkvr, vatt, B, T, C, NH),
                           ==, FTC_OK);
          grads[e] = download (di, n3);
          check_close ("attention_backward dinp", grads[e], want_d, n3, BWD_ATOL, BWD_RTOL);
          /* the _set variant writes: dinp's old (non-zero) contents must not show */
          FtcView ds = upload (be, g0, n3);
          g_assert_cmpint (ftc_attention_backward_set (be, ds, dqkvr, datt, scratch, dout, qkvr, vatt, B, T, C, NH),
                           ==, FTC_OK);
          g_autofree float *gset = download (ds, n3);
          check_close ("attention_backward_set dinp", gset, fd, n3, BWD_ATOL, BWD_RTOL);
          free_view (ds);
          free_view (out); free_view (vi); free_view (dout); free_view (qkvr); free_view (vatt);
          free_view (di); free_view (dqkvr); free_view (datt); free_view (scratch);
          ftc_backend_free (be);
        }
      check_close_f ("attention_forward cpu vs naive", outs[0], outs[1], n, PAIR_ATOL, PAIR_RTOL);
      check_close_f ("attention_backward cpu vs naive", grads[0], grads[1], n3, PAIR_ATOL, PAIR_RTOL);
      for (int e = 0; e < N_SPECS; e++)
        g_free (outs[e]), g_free (grads[e]);
    }
}

/* ---- GELU, residual, accumulate ---- */

static double
ref_gelu (double x)
{
  return 0.5 * x * (1 + tanh (sqrt (2 / G_PI) * (x + 0.044715 * x * x * x)));
}

typedef struct {
  size_t N;
  double *inp, *r;
} GeluCtx;

static double
gelu_loss (void *ctx)
{
  GeluCtx *c = ctx;
  double loss = 0;
  for (size_t i = 0; i < c->N; i++)
    loss += c->r[i] * ref_gelu (c->inp[i]);
  return loss;
}

static void
test_elementwise (void)
{
  static const size_t sizes[] = { 1, 7, 1000, 4099 };
  g_autoptr (GRand) rng = g_rand_new_with_seed (16);

  for (gsize s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      size_t N = sizes[s];
      g_autofree double *inp = g_new (double, N), *r = g_new (double, N), *g0 = g_new (double, N);
      g_autofree double *want = g_new (double, N), *sum = g_new (double, N);
      GeluCtx ctx = { N, inp, r };

      fill_random (rng, inp, N, -4, 4);
      fill_random (rng, r, N, -1, 1);
      fill_random (rng, g0, N, -1, 1);
      for (size_t i = 0; i < N; i++)
        {
          want[i] = ref_gelu (inp[i]);
          sum[i] = inp[i] + r[i];
        }
      g_autofree double *fd = fd_grad (gelu_loss, &ctx, inp, N);
      g_autofree double *want_d = plus (g0, fd, N), *want_acc = plus (g0, r, N);

      for (int e = 0; e < N_SPECS; e++)
        {
          FtcBackend *be = open_backend (specs[e]);
          FtcView out = upload (be, r, N), vi = upload (be, inp, N), dout = upload (be, r, N), di = upload (be, g0, N);

          g_assert_cmpint (ftc_gelu_forward (be, out, vi, N), ==, FTC_OK);
          g_autofree float *got = download (out, N);
          check_close ("gelu_forward", got, want, N, FWD_ATOL, FWD_RTOL);
          g_assert_cmpint (ftc_gelu_backward (be, di, vi, dout, N), ==, FTC_OK);
          g_autofree float *gd = download (di, N);
          check_close ("gelu_backward", gd, want_d, N, BWD_ATOL, BWD_RTOL);
          /* the _set variant writes: dinp's old (non-zero) contents must not show */
          FtcView ds = upload (be, g0, N);
          g_assert_cmpint (ftc_gelu_backward_set (be, ds, vi, dout, N), ==, FTC_OK);
          g_autofree float *gset = download (ds, N);
          check_close ("gelu_backward_set", gset, fd, N, BWD_ATOL, BWD_RTOL);
          free_view (ds);
          g_assert_cmpint (ftc_residual_forward (be, out, vi, dout, N), ==, FTC_OK);
          g_autofree float *gs = download (out, N);
          check_close ("residual_forward", gs, sum, N, FWD_ATOL, FWD_RTOL);
          FtcView acc = upload (be, g0, N);
          g_assert_cmpint (ftc_accumulate (be, acc, dout, N), ==, FTC_OK);
          g_autofree float *ga = download (acc, N);
          check_close ("accumulate", ga, want_acc, N, FWD_ATOL, FWD_RTOL);
          free_view (out); free_view (vi); free_view (dout); free_view (di); free_view (acc);
          ftc_backend_free (be);
        }
    }
}

/* GELU at the edges: NaN stays NaN (so the model's NaN checks see it), large inputs saturate */
static void
test_gelu_edges (void)
{
  const float inp[4] = { NAN, 50.0f, -50.0f, 1e-6f };
  const float dout[4] = { 1.0f, 1.0f, 1.0f, 1.0f };

  for (int e = 0; e < N_SPECS; e++)
    {
      FtcBackend *be = open_backend (specs[e]);
      FtcBuf *buf = NULL;
      float out[4], grad[4];

      g_assert_cmpint (ftc_buf_new (be, 16, &buf), ==, FTC_OK);
      ftc_buf_write (ftc_view (buf, 0), inp, 4);
      ftc_buf_write (ftc_view (buf, 4), dout, 4);
      g_assert_cmpint (ftc_gelu_forward (be, ftc_view (buf, 8), ftc_view (buf, 0), 4), ==, FTC_OK);
      g_assert_cmpint (ftc_gelu_backward (be, ftc_view (buf, 12), ftc_view (buf, 0), ftc_view (buf, 4), 4), ==, FTC_OK);
      ftc_buf_read (ftc_view (buf, 8), out, 4);
      ftc_buf_read (ftc_view (buf, 12), grad, 4);
      g_assert_true (isnan (out[0]) && isnan (grad[0]));
      g_assert_cmpfloat_with_epsilon (out[1], 50.0f, 1e-5f);
      g_assert_cmpfloat_with_epsilon (out[2], 0.0f, 1e-6f);
      g_assert_cmpfloat_with_epsilon (grad[1], 1.0f, 1e-6f);
      g_assert_cmpfloat_with_epsilon (grad[2], 0.0f, 1e-6f);
      g_assert_cmpfloat_with_epsilon (out[3], 0.5e-6f, 1e-9f);
      g_assert_cmpfloat_with_epsilon (grad[3], 0.5f, 1e-5f);
      ftc_buf_free (buf);
      ftc_backend_free (be);
    }
}

/* ---- cross-entropy ---- */

typedef struct {
  int N, V, Vp;
  double *logits, *w;
  const int32_t *targets;
} CrossentropyCtx;

static void
ref_crossentropy (double *losses, const CrossentropyCtx *c)
{
  for (int n = 0; n < c->N; n++)
    {
      const double *l = c->logits + n * c->Vp;
      double maxval = -INFINITY, sum = 0;
      for (int i = 0; i < c->V; i++)
        maxval = MAX (maxval, l[i]);
      for (int i = 0; i < c->V; i++)
        sum += exp (l[i] - maxval);
      losses[n] = log (sum) + maxval - l[c->targets[n]];
    }
}

static double
crossentropy_loss (void *ctx)
{
  CrossentropyCtx *c = ctx;
  g_autofree double *losses = g_new (double, c->N);
  double loss = 0;

  ref_crossentropy (losses, c);
  for (int n = 0; n < c->N; n++)
    loss += c->w[n] * losses[n];
  return loss;
}

static void
test_crossentropy (void)
{
  static const int shapes[][3] = { { 1, 1, 1 }, { 5, 7, 8 }, { 9, 67, 128 }, { 12, 300, 320 } };
  g_autoptr (GRand) rng = g_rand_new_with_seed (17);

  for (gsize s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      int N = shapes[s][0], V = shapes[s][1], Vp = shapes[s][2];
      size_t nl = (size_t) N * Vp;
      g_autofree double *logits = g_new (double, nl), *w = g_new (double, N), *want = g_new (double, N);
      g_autofree int32_t *targets = g_new (int32_t, N);
      CrossentropyCtx ctx = { N, V, Vp, logits, w, targets };

      fill_random (rng, logits, nl, -5, 5);
      for (int n = 0; n < N; n++)
        {
          targets[n] = g_rand_int_range (rng, 0, V);
          w[n] = n % 3 == 1 ? 0.0 : g_rand_double_range (rng, 0.1, 1.0);   /* some tokens masked out */
        }
      ref_crossentropy (want, &ctx);
      g_autofree double *fd = fd_grad (crossentropy_loss, &ctx, logits, nl);   /* padding: 0 */

      for (int e = 0; e < N_SPECS; e++)
        {
          FtcBackend *be = open_backend (specs[e]);
          FtcView losses = upload (be, w, N), vl = upload (be, logits, nl), vt = upload_int (be, targets, N);
          FtcView vw = upload (be, w, N);

          g_assert_cmpint (ftc_crossentropy_forward (be, losses, vl, vt, vw, N, V, Vp, 0), ==, FTC_OK);
          g_autofree float *got = download (losses, N), *same = download (vl, nl);
          check_close ("crossentropy losses", got, want, N, FWD_ATOL, FWD_RTOL);
          check_close ("crossentropy without grad keeps the logits", same, logits, nl, 1e-6, 1e-6);
          g_assert_cmpint (ftc_crossentropy_forward (be, losses, vl, vt, vw, N, V, Vp, 1), ==, FTC_OK);
          g_autofree float *got2 = download (losses, N), *grad = download (vl, nl);
          check_close ("crossentropy losses with grad", got2, want, N, FWD_ATOL, FWD_RTOL);
          check_close ("crossentropy dlogits", grad, fd, nl, BWD_ATOL, BWD_RTOL);
          free_view (losses); free_view (vl); free_view (vt); free_view (vw);
          ftc_backend_free (be);
        }
    }
}

/* ---- optimizer ---- */

static void
test_optimizer (void)
{
  const size_t N = 1031;
  const double lr = 1e-2, b1 = 0.9, b2 = 0.95, eps = 1e-8, wd = 0.1, gs = 0.5;
  g_autoptr (GRand) rng = g_rand_new_with_seed (18);
  g_autofree double *p = g_new (double, N), *g = g_new (double, N), *m = g_new0 (double, N), *v = g_new0 (double, N);
  g_autofree double *p0 = g_new (double, N), *scaled = g_new (double, N);
  double sumsq = 0;

  fill_random (rng, p, N, -1, 1);
  fill_random (rng, g, N, -1, 1);
  memcpy (p0, p, N * sizeof (double));
  for (size_t i = 0; i < N; i++)
    {
      sumsq += g[i] * g[i];
      scaled[i] = g[i] * 1.5;
    }
  for (int e = 0; e < N_SPECS; e++)
    {
      FtcBackend *be = open_backend (specs[e]);
      FtcView vp = upload (be, p0, N), vg = upload (be, g, N), vm = upload (be, m, N), vv = upload (be, v, N);
      FtcView out = upload (be, g, 1), vs = upload (be, g, N);
      float got_sumsq;
      g_autofree double *rp = g_memdup2 (p0, N * sizeof (double));
      g_autofree double *rm = g_new0 (double, N), *rv = g_new0 (double, N);

      g_assert_cmpint (ftc_norm_squared (be, out, vg, N), ==, FTC_OK);
      g_assert_cmpint (ftc_buf_read (out, &got_sumsq, 1), ==, FTC_OK);
      check_close ("norm_squared", &got_sumsq, &sumsq, 1, 0, 1e-5);
      g_assert_cmpint (ftc_scale (be, vs, 1.5f, N), ==, FTC_OK);
      g_autofree float *gs_got = download (vs, N);
      check_close ("scale", gs_got, scaled, N, 1e-6, 1e-6);

      /* three steps of PyTorch's AdamW, written out in double */
      for (int step = 1; step <= 3; step++)
        {
          g_assert_cmpint (ftc_adamw_update (be, vp, vg, vm, vv, N, lr, b1, b2, eps, wd, gs, step), ==, FTC_OK);
          for (size_t i = 0; i < N; i++)
            {
              double gi = g[i] * gs;
              rp[i] *= 1 - lr * wd;
              rm[i] = b1 * rm[i] + (1 - b1) * gi;
              rv[i] = b2 * rv[i] + (1 - b2) * gi * gi;
              double mhat = rm[i] / (1 - pow (b1, step)), vhat = rv[i] / (1 - pow (b2, step));
              rp[i] -= lr * mhat / (sqrt (vhat) + eps);
            }
        }
      g_autofree float *gp = download (vp, N), *gm = download (vm, N), *gv = download (vv, N);
      check_close ("adamw params", gp, rp, N, 1e-6, 1e-5);
      check_close ("adamw m", gm, rm, N, 1e-7, 1e-5);
      check_close ("adamw v", gv, rv, N, 1e-8, 1e-5);
      free_view (vp); free_view (vg); free_view (vm); free_view (vv); free_view (out); free_view (vs);
      ftc_backend_free (be);
    }
}

/* ---- buffers ---- */

static void
test_buffers (void)
{
  /* sizes on both sides of the threaded-fill threshold (2^18) */
  static const size_t sizes[] = { 1, 1000, 300007 };

  for (int e = 0; e < N_SPECS; e++)
    for (gsize s = 0; s < G_N_ELEMENTS (sizes); s++)
      {
        FtcBackend *be = open_backend (specs[e]);
        size_t n = sizes[s];
        FtcBuf *buf = NULL;
        g_autofree float *x = g_new (float, n), *y = g_new (float, n);

        g_assert_cmpint (ftc_buf_new (be, 2 * n + 1, &buf), ==, FTC_OK);
        for (size_t i = 0; i < n; i++)
          x[i] = (float) i * 0.5f - 3.0f;
        g_assert_cmpint (ftc_buf_write (ftc_view (buf, 1), x, n), ==, FTC_OK);
        g_assert_cmpint (ftc_buf_copy (ftc_view (buf, n + 1), ftc_view (buf, 1), n), ==, FTC_OK);
        g_assert_cmpint (ftc_buf_read (ftc_view (buf, n + 1), y, n), ==, FTC_OK);
        g_assert_cmpmem (x, n * sizeof (float), y, n * sizeof (float));
        for (int k = 0; k < 2; k++)
          {
            float value = k == 0 ? 2.5f : 0.0f;
            g_assert_cmpint (ftc_buf_fill (ftc_view (buf, 1), value, n), ==, FTC_OK);
            g_assert_cmpint (ftc_buf_read (ftc_view (buf, 0), y, 1), ==, FTC_OK);
            g_assert_cmpfloat (y[0], ==, 0.0f);   /* the element before the view: new buffers are zero */
            g_assert_cmpint (ftc_buf_read (ftc_view (buf, 1), y, n), ==, FTC_OK);
            for (size_t i = 0; i < n; i++)
              if (y[i] != value)
                g_error ("%s: fill of %zu with %g: element %zu is %g", specs[e], n, value, i, y[i]);
            /* the copy behind the filled range is untouched */
            g_assert_cmpint (ftc_buf_read (ftc_view (buf, n + 1), y, n), ==, FTC_OK);
            g_assert_cmpmem (x, n * sizeof (float), y, n * sizeof (float));
          }
        ftc_buf_free (buf);
        ftc_backend_free (be);
      }
}

/* ---- threaded against one thread ----
 * The small shapes above run on one thread (FTC_CPU_PARALLEL); here every op gets work large enough to
 * be split over threads, and must give what it gives on one thread (the serial code is the one checked
 * against finite differences above). */

#define N_OUTS 20

static void
run_threaded_ops (int nthreads, float *outs[N_OUTS], size_t lens[N_OUTS])
{
  const int B = 4, T = 64, C = 256, NH = 4, V = 700, Vp = 768, OC = 300;
  const size_t BT = (size_t) B * T, BTC = BT * C;
  g_autoptr (GRand) rng = g_rand_new_with_seed (99);
  FtcBackend *be = open_backend ("cpu");
  g_autofree double *x = g_new (double, 3 * BTC + 1);
  g_autofree int32_t *tokens = g_new (int32_t, BT);
  int k = 0;

  omp_set_num_threads (nthreads);
  fill_random (rng, x, 3 * BTC + 1, -1, 1);
  for (size_t i = 0; i < BT; i++)
    tokens[i] = g_rand_int_range (rng, 0, V);
  FtcView big1 = upload (be, x, 3 * BTC), big2 = upload (be, x + 1, 3 * BTC), big3 = upload (be, x, 3 * BTC);
  FtcView w = upload (be, x, (size_t) V * C), bias = upload (be, x + 7, (size_t) OC);
  FtcView tok = upload_int (be, tokens, BT), mean = upload (be, x, BT), rstd = upload (be, x, BT);
  FtcView out = upload (be, x, 3 * BTC), att = upload (be, x, (size_t) B * NH * T * T);
  FtcView datt = upload (be, x, (size_t) B * NH * T * T), qkvr = upload (be, x, 3 * BTC);
  FtcView dqkvr = upload (be, x, 3 * BTC), one = upload (be, x, 1);

#define KEEP(view, n) (outs[k] = download ((view), (n)), lens[k] = (n), k++)
  g_assert_cmpint (ftc_encoder_forward (be, out, tok, w, big2, B, T, C), ==, FTC_OK);
  KEEP (out, BTC);
  g_assert_cmpint (ftc_encoder_backward (be, big3, big2, big1, tok, B, T, C), ==, FTC_OK);
  KEEP (big3, (size_t) V * C);
  g_assert_cmpint (ftc_layernorm_forward (be, out, mean, rstd, big1, big2, big3, (int) BT, C), ==, FTC_OK);
  KEEP (out, BTC);
  g_assert_cmpint (ftc_layernorm_backward (be, big3, w, bias, big2, big1, big2, mean, rstd, (int) BT, C), ==, FTC_OK);
  KEEP (big3, BTC);
  KEEP (w, (size_t) C);
  g_assert_cmpint (ftc_matmul_forward (be, out, big1, w, bias, (int) BT, C, OC), ==, FTC_OK);
  KEEP (out, BT * OC);
  g_assert_cmpint (ftc_matmul_backward (be, big3, w, bias, big2, big1, w, (int) BT, C, OC), ==, FTC_OK);
  KEEP (big3, BTC);
  KEEP (bias, (size_t) OC);
  g_assert_cmpint (ftc_gelu_forward (be, out, big1, BTC), ==, FTC_OK);
  g_assert_cmpint (ftc_gelu_backward (be, big3, big1, big2, BTC), ==, FTC_OK);
  g_assert_cmpint (ftc_residual_forward (be, big2, out, big3, BTC), ==, FTC_OK);
  g_assert_cmpint (ftc_accumulate (be, big2, big1, BTC), ==, FTC_OK);
  KEEP (big2, BTC);
  g_assert_cmpint (ftc_attention_forward (be, out, qkvr, att, big1, B, T, C, NH), ==, FTC_OK);
  KEEP (out, BTC);
  g_assert_cmpint (ftc_attention_backward (be, big3, dqkvr, datt, out, big2, qkvr, att, B, T, C, NH), ==, FTC_OK);
  KEEP (big3, 3 * BTC);
  g_assert_cmpint (ftc_crossentropy_forward (be, mean, big1, tok, rstd, (int) BT, V, Vp, 1), ==, FTC_OK);
  KEEP (big1, BT * Vp);
  KEEP (mean, BT);
  g_assert_cmpint (ftc_norm_squared (be, one, big2, BTC), ==, FTC_OK);
  KEEP (one, 1);
  g_assert_cmpint (ftc_scale (be, big2, 0.5f, BTC), ==, FTC_OK);
  /* AdamW on fresh inputs: m / sqrt(v) would amplify the rounding of the GEMM outputs above */
  {
    g_autofree double *squares = g_new (double, BTC);
    for (size_t i = 0; i < BTC; i++)
      squares[i] = x[i] * x[i];
    FtcView p = upload (be, x, BTC), g = upload (be, x + 1, BTC), m = upload (be, x + 2, BTC);
    FtcView v = upload (be, squares, BTC);
    g_assert_cmpint (ftc_adamw_update (be, p, g, m, v, BTC, 1e-2f, 0.9f, 0.99f, 1e-8f, 0.1f, 0.7f, 2), ==, FTC_OK);
    KEEP (p, BTC);
    KEEP (v, BTC);
    free_view (p); free_view (g); free_view (m); free_view (v);
  }
#undef KEEP
  g_assert_cmpint (k, <=, N_OUTS);
  for (; k < N_OUTS; k++)
    outs[k] = NULL, lens[k] = 0;
  free_view (big1); free_view (big2); free_view (big3); free_view (w); free_view (bias); free_view (tok);
  free_view (mean); free_view (rstd); free_view (out); free_view (att); free_view (datt); free_view (qkvr);
  free_view (dqkvr); free_view (one);
  ftc_backend_free (be);
}

static void
test_threaded (void)
{
  float *serial[N_OUTS], *threaded[N_OUTS];
  size_t lens[N_OUTS], lens2[N_OUTS];
  int max_threads = omp_get_max_threads ();

  run_threaded_ops (1, serial, lens);
  run_threaded_ops (MAX (2, max_threads), threaded, lens2);
  omp_set_num_threads (max_threads);
  for (int k = 0; k < N_OUTS && serial[k] != NULL; k++)
    {
      g_autofree char *what = g_strdup_printf ("output %d on %d threads vs one", k, MAX (2, max_threads));
      g_assert_cmpuint (lens[k], ==, lens2[k]);
      /* the same arithmetic per element, except that OpenBLAS may block a slice differently from the
       * whole product, and dweight/dbias and the norm sum per-thread partials: rounding only (a race or a
       * wrong slice shows up as O(1) errors) */
      check_close_f (what, threaded[k], serial[k], lens[k], 1e-4, 1e-4);
      g_free (serial[k]);
      g_free (threaded[k]);
    }
}

/* ---- argument checks and devices ---- */

static void
test_bad_arguments (void)
{
  FtcBackend *be = open_backend ("cpu");
  FtcBackend *other = open_backend ("cpu");
  FtcBuf *buf = NULL, *foreign = NULL;
  char err[256];
  FtcBackend *none = (FtcBackend *) 0x1;

  g_assert_cmpint (ftc_buf_new (be, 100, &buf), ==, FTC_OK);
  g_assert_cmpint (ftc_buf_new (other, 100, &foreign), ==, FTC_OK);
  g_assert_cmpuint (ftc_buf_len (buf), ==, 100);

  {
    FtcBuf *empty = (FtcBuf *) 0x1;
    g_assert_cmpint (ftc_buf_new (be, 0, &empty), ==, FTC_ERR_INVALID_ARG);
    g_assert_null (empty);
  }
  g_assert_cmpint (ftc_gelu_forward (be, FTC_VIEW_NULL, ftc_view (buf, 0), 10), ==, FTC_ERR_INVALID_ARG);
  g_assert_nonnull (strstr (ftc_backend_last_error (be), "out is NULL"));
  g_assert_cmpint (ftc_gelu_forward (be, ftc_view (buf, 95), ftc_view (buf, 0), 10), ==, FTC_ERR_INVALID_ARG);
  g_assert_nonnull (strstr (ftc_backend_last_error (be), "holds 100"));
  g_assert_cmpint (ftc_gelu_forward (be, ftc_view (buf, 0), ftc_view (buf, 0), 0), ==, FTC_ERR_INVALID_ARG);
  g_assert_cmpint (ftc_gelu_forward (be, ftc_view (buf, 0), ftc_view (foreign, 0), 10), ==, FTC_ERR_INVALID_ARG);
  g_assert_nonnull (strstr (ftc_backend_last_error (be), "another backend"));
  g_assert_cmpint (ftc_layernorm_forward (be, ftc_view (buf, 0), ftc_view (buf, 0), ftc_view (buf, 0),
                                          ftc_view (buf, 0), ftc_view (buf, 0), ftc_view (buf, 0), 0, 4),
                   ==, FTC_ERR_INVALID_ARG);
  g_assert_nonnull (strstr (ftc_backend_last_error (be), "N must be positive"));
  g_assert_cmpint (ftc_attention_forward (be, ftc_view (buf, 0), ftc_view (buf, 0), ftc_view (buf, 0),
                                          ftc_view (buf, 0), 1, 2, 6, 4), ==, FTC_ERR_INVALID_ARG);
  g_assert_nonnull (strstr (ftc_backend_last_error (be), "do not divide"));
  /* C (10,10) needs 100 elements: from offset 0 it fits, from 1 it does not */
  g_assert_cmpint (ftc_gemm (be, 0, 0, 10, 10, 2, 1.0f, ftc_view (buf, 0), 2, ftc_view (buf, 0), 10,
                             0.0f, ftc_view (buf, 0), 10), ==, FTC_OK);
  g_assert_cmpint (ftc_gemm (be, 0, 0, 10, 10, 2, 1.0f, ftc_view (buf, 0), 2, ftc_view (buf, 0), 10,
                             0.0f, ftc_view (buf, 1), 10), ==, FTC_ERR_INVALID_ARG);
  g_assert_nonnull (strstr (ftc_backend_last_error (be), "C needs"));
  g_assert_cmpint (ftc_crossentropy_forward (be, ftc_view (buf, 0), ftc_view (buf, 0), ftc_view (buf, 0),
                                             ftc_view (buf, 0), 2, 9, 8, 0), ==, FTC_ERR_INVALID_ARG);
  {
    int32_t bad[2] = { 0, 5 };
    ftc_buf_write (ftc_view (buf, 50), bad, 2);
    /* a target beyond V */
    g_assert_cmpint (ftc_crossentropy_forward (be, ftc_view (buf, 0), ftc_view (buf, 2), ftc_view (buf, 50),
                                               ftc_view (buf, 60), 2, 5, 8, 0), ==, FTC_ERR_INVALID_ARG);
    g_assert_nonnull (strstr (ftc_backend_last_error (be), "target 5"));
  }
  g_assert_cmpint (ftc_adamw_update (be, ftc_view (buf, 0), ftc_view (buf, 0), ftc_view (buf, 0), ftc_view (buf, 0),
                                     10, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.0f, 1.0f, 0), ==, FTC_ERR_INVALID_ARG);
  g_assert_cmpint (ftc_buf_read (ftc_view (buf, 99), err, 2), ==, FTC_ERR_INVALID_ARG);
  g_assert_cmpint (ftc_buf_write (FTC_VIEW_NULL, err, 2), ==, FTC_ERR_INVALID_ARG);

  g_assert_cmpint (ftc_backend_open ("gpu9", &none, err, sizeof err), ==, FTC_ERR_INVALID_ARG);
  g_assert_null (none);
  g_assert_nonnull (strstr (err, "unknown device 'gpu9'"));
  g_assert_cmpint (ftc_backend_open ("opencl:x", &none, err, sizeof err), ==, FTC_ERR_INVALID_ARG);
  g_assert_cmpint (ftc_backend_open ("opencl:999", &none, err, sizeof err), ==, FTC_ERR_NO_DEVICE);
  g_assert_null (none);

  ftc_buf_free (buf);
  ftc_buf_free (foreign);
  ftc_backend_free (be);
  ftc_backend_free (other);
}

static void
test_devices (void)
{
  FtcDeviceInfo devices[16];
  int n = ftc_device_list (devices, 16);
  FtcBackend *be = open_backend ("cpu:naive");

  g_assert_cmpint (n, >=, 1);
  g_assert_cmpint (devices[0].kind, ==, FTC_DEVICE_CPU);
  g_assert_cmpstr (devices[0].spec, ==, "cpu");
  g_assert_true (g_str_has_prefix (devices[0].name, "CPU ("));
  g_assert_cmpuint (devices[0].global_mem_bytes, >, 1 << 20);
  for (int i = 1; i < n; i++)
    g_assert_cmpint (devices[i].kind, ==, FTC_DEVICE_OPENCL);
  g_assert_cmpstr (ftc_backend_device (be)->spec, ==, "cpu:naive");
  g_assert_cmpint (ftc_backend_finish (be), ==, FTC_OK);
  {
    char spec[32];

    g_setenv ("FTCOT_DEVICE", "cpu:naive", TRUE);
    g_assert_cmpstr (ftc_device_default_spec (spec, sizeof spec), ==, "cpu:naive");
    /* "auto" in the environment is no choice: the first OpenCL GPU, else cpu */
    g_setenv ("FTCOT_DEVICE", "auto", TRUE);
    ftc_device_default_spec (spec, sizeof spec);
    g_assert_true (strcmp (spec, "cpu") == 0 || g_str_has_prefix (spec, "opencl:"));
    g_unsetenv ("FTCOT_DEVICE");
  }
  g_assert_cmpstr (ftc_status_name (FTC_ERR_NOT_FINITE), ==, "not finite");
  ftc_backend_free (be);
}

/* The one parser of device specs: every accepted form, and the near misses it refuses. */
static void
test_device_specs (void)
{
  const struct { const char *spec; FtcDeviceSpecKind kind; int index; } good[] = {
    { NULL, FTC_DEVICE_SPEC_AUTO, 0 }, { "auto", FTC_DEVICE_SPEC_AUTO, 0 }, { "cpu", FTC_DEVICE_SPEC_CPU, 0 },
    { "cpu:naive", FTC_DEVICE_SPEC_CPU_NAIVE, 0 }, { "opencl", FTC_DEVICE_SPEC_OPENCL, 0 },
    { "opencl:0", FTC_DEVICE_SPEC_OPENCL_N, 0 }, { "opencl:17", FTC_DEVICE_SPEC_OPENCL_N, 17 },
    { "opencl:1023", FTC_DEVICE_SPEC_OPENCL_N, 1023 },
  };
  const char *bad[] = { "", "gpu", "CPU", "cpu:", "cpu:fast", "opencl:", "opencl:-1", "opencl:+1", "opencl: 1",
                        "opencl:1 ", "opencl:0x1", "opencl:1024", "opencl:99999999999", "opencl:1:2", "auto:0" };
  char err[256];

  for (size_t i = 0; i < G_N_ELEMENTS (good); i++)
    {
      FtcDeviceSpec parsed = { -1, -1 };

      g_assert_cmpint (ftc_device_spec_parse (good[i].spec, &parsed, err, sizeof err), ==, FTC_OK);
      g_assert_cmpint (parsed.kind, ==, good[i].kind);
      g_assert_cmpint (parsed.index, ==, good[i].index);
    }
  for (size_t i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      FtcDeviceSpec parsed;

      err[0] = '\0';
      g_assert_cmpint (ftc_device_spec_parse (bad[i], &parsed, err, sizeof err), ==, FTC_ERR_INVALID_ARG);
      g_assert_cmpstr (err, !=, "");
    }
  /* ftc_backend_open takes "auto" as the default device */
  {
    FtcBackend *be = NULL;

    g_setenv ("FTCOT_DEVICE", "cpu:naive", TRUE);
    g_assert_cmpint (ftc_backend_open ("auto", &be, err, sizeof err), ==, FTC_OK);
    g_assert_cmpstr (ftc_backend_device (be)->spec, ==, "cpu:naive");
    ftc_backend_free (be);
    g_unsetenv ("FTCOT_DEVICE");
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cpu-ops/gemm", test_gemm);
  g_test_add_func ("/cpu-ops/encoder", test_encoder);
  g_test_add_func ("/cpu-ops/layernorm", test_layernorm);
  g_test_add_func ("/cpu-ops/matmul", test_matmul);
  g_test_add_func ("/cpu-ops/attention", test_attention);
  g_test_add_func ("/cpu-ops/elementwise", test_elementwise);
  g_test_add_func ("/cpu-ops/gelu-edges", test_gelu_edges);
  g_test_add_func ("/cpu-ops/crossentropy", test_crossentropy);
  g_test_add_func ("/cpu-ops/optimizer", test_optimizer);
  g_test_add_func ("/cpu-ops/buffers", test_buffers);
  g_test_add_func ("/cpu-ops/threaded", test_threaded);
  g_test_add_func ("/cpu-ops/bad-arguments", test_bad_arguments);
  g_test_add_func ("/cpu-ops/devices", test_devices);
  g_test_add_func ("/cpu-ops/device-specs", test_device_specs);
  return g_test_run ();
}
