/* test-llama-ops: the LLaMA-family ops of ftc-backend.h (embedding, RMSNorm, q/k/v head split, RoPE,
 * grouped-query attention, SwiGLU, KV-cache decoding) on one device against textbook double-precision
 * forwards written here, and every backward against central finite differences of those forwards.
 * The device: $FTCOT_TEST_DEVICE ("cpu", "cpu:naive", "opencl:0"), "cpu" by default; meson runs all
 * three. Random non-zero inputs, several shapes including odd ones and sizes past the work-group size;
 * tensors sit at non-zero offsets in their buffers. Tolerances are stated per check. */
#include <math.h>
#include <string.h>

#include <glib.h>

#include "compute/ftc-backend.h"

#define OFF 3
static FtcBackend *be;
static GPtrArray *bufs;

#define OK(expr) \
  G_STMT_START { FtcStatus s_ = (expr); \
    if (s_ != FTC_OK) g_error ("%s failed: %s: %s", #expr, ftc_status_name (s_), ftc_backend_last_error (be)); \
  } G_STMT_END

/* Forward tolerances: float op vs double on O(1) values. Backward: vs double finite differences. */
#define FWD_ATOL 2e-5
#define FWD_RTOL 2e-4
#define BWD_ATOL 2e-4
#define BWD_RTOL 2e-3

static FtcView
make (size_t n)
{
  FtcBuf *buf;
  OK (ftc_buf_new (be, n + OFF + 5, &buf));
  g_ptr_array_add (bufs, buf);
  return ftc_view (buf, OFF);
}

static FtcView
up (const double *x, size_t n)
{
  FtcView v = make (n);
  g_autofree float *f = g_new (float, n);
  for (size_t i = 0; i < n; i++)
    f[i] = (float) x[i];
  OK (ftc_buf_write (v, f, n));
  return v;
}

static FtcView
up_int (const int32_t *x, size_t n)
{
  FtcView v = make (n);
  OK (ftc_buf_write (v, x, n));
  return v;
}

static double *
rnd (GRand *r, size_t n, double lo, double hi)
{
  double *x = g_new (double, n);
  for (size_t i = 0; i < n; i++)
    x[i] = (float) g_rand_double_range (r, lo, hi);   /* representable: the device sees the same value */
  return x;
}

/* Fails naming the worst element when |got - want| > atol + rtol |want|, or when want is all zeros. */
static void
check (const char *what, FtcView v, const double *want, size_t n, double atol, double rtol)
{
  g_autofree float *got = g_new (float, n);
  size_t worst = 0, nonzero = 0;
  double excess_max = -INFINITY;

  OK (ftc_buf_read (v, got, n));
  for (size_t i = 0; i < n; i++)
    {
      double e = fabs (got[i] - want[i]) - (atol + rtol * fabs (want[i]));
      if (!isfinite (got[i]))
        e = INFINITY;
      nonzero += want[i] != 0.0;
      if (e > excess_max)
        excess_max = e, worst = i;
    }
  if (nonzero == 0)
    g_error ("%s: the reference is all zeros", what);
  if (excess_max > 0)
    g_error ("%s on %s: element %zu of %zu is %.9g, want %.9g (atol %g, rtol %g)", what,
             ftc_backend_device (be)->spec, worst, n, got[worst], want[worst], atol, rtol);
}

static void
free_bufs (void)
{
  OK (ftc_backend_finish (be));
  g_ptr_array_set_size (bufs, 0);
}

/* ---- finite differences of a scalar loss L(x) = sum(f(x) * w) ---- */

typedef void (*Fwd) (void *ctx, double *out);

static double *
fd (Fwd f, void *ctx, double *x, size_t n, const double *w, size_t n_out)
{
  const double h = 1e-6;
  double *g = g_new (double, n);
  g_autofree double *out = g_new (double, n_out);
  for (size_t i = 0; i < n; i++)
    {
      double saved = x[i], lp = 0, lm = 0;
      x[i] = saved + h;
      f (ctx, out);
      for (size_t j = 0; j < n_out; j++)
        lp += out[j] * w[j];
      x[i] = saved - h;
      f (ctx, out);
      for (size_t j = 0; j < n_out; j++)
        lm += out[j] * w[j];
      x[i] = saved;
      g[i] = (lp - lm) / (2 * h);
    }
  return g;
}

/* ---- embedding ---- */

static void
test_embedding (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (1);
  const int shapes[][3] = { { 1, 1, 3 }, { 7, 5, 11 }, { 70, 96, 50 }, { 300, 33, 20 } };

  for (gsize s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      int N = shapes[s][0], C = shapes[s][1], V = shapes[s][2];
      g_autofree int32_t *inp = g_new (int32_t, N);
      g_autofree double *wte = rnd (r, (size_t) V * C, -1, 1), *dout = rnd (r, (size_t) N * C, -1, 1);
      g_autofree double *dw = rnd (r, (size_t) V * C, -1, 1), *out = g_new (double, (size_t) N * C);
      g_autofree double *dw_want = g_memdup2 (dw, sizeof (double) * V * C);
      for (int n = 0; n < N; n++)
        inp[n] = g_rand_int_range (r, 0, V);
      FtcView vi = up_int (inp, N), vw = up (wte, (size_t) V * C), vo = make ((size_t) N * C);
      FtcView vd = up (dout, (size_t) N * C), vdw = up (dw, (size_t) V * C);
      OK (ftc_embedding_forward (be, vo, vi, vw, N, C));
      OK (ftc_embedding_backward (be, vdw, vd, vi, N, C));
      for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++)
          {
            out[(size_t) n * C + c] = wte[(size_t) inp[n] * C + c];
            dw_want[(size_t) inp[n] * C + c] += dout[(size_t) n * C + c];
          }
      check ("embedding_forward", vo, out, (size_t) N * C, 1e-7, 1e-6);
      /* a token's sum over up to N rows */
      check ("embedding_backward (+=)", vdw, dw_want, (size_t) V * C, 1e-6 * N, 1e-6);
      free_bufs ();
    }
}

/* ---- RMSNorm ---- */

typedef struct { int N, C; double eps; double *x, *w; } NormCtx;

static void
ref_rmsnorm (void *p, double *out)
{
  NormCtx *c = p;
  for (int n = 0; n < c->N; n++)
    {
      const double *x = c->x + (size_t) n * c->C;
      double ss = 0;
      for (int i = 0; i < c->C; i++)
        ss += x[i] * x[i];
      double rs = 1.0 / sqrt (ss / c->C + c->eps);
      for (int i = 0; i < c->C; i++)
        out[(size_t) n * c->C + i] = c->w[i] * x[i] * rs;
    }
}

static void
test_rmsnorm (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (2);
  const int shapes[][2] = { { 1, 1 }, { 5, 7 }, { 33, 130 }, { 9, 1000 }, { 700, 16 } };

  for (gsize s = 0; s < G_N_ELEMENTS (shapes); s++)
    for (int acc = 0; acc < 2; acc++)
      {
        int N = shapes[s][0], C = shapes[s][1];
        size_t n = (size_t) N * C;
        NormCtx c = { N, C, s % 2 ? 1e-6 : 1e-5, rnd (r, n, -2, 2), rnd (r, C, 0.5, 1.5) };
        g_autofree double *out = g_new (double, n), *rstd = g_new (double, N);
        g_autofree double *dout = rnd (r, n, -1, 1), *dx0 = rnd (r, n, -1, 1), *dw0 = rnd (r, C, -1, 1);
        FtcView vx = up (c.x, n), vw = up (c.w, C), vo = make (n), vr = make (N);
        FtcView vdo = up (dout, n), vdx = up (dx0, n), vdw = up (dw0, C);

        ref_rmsnorm (&c, out);
        for (int i = 0; i < N; i++)
          {
            double ss = 0;
            for (int j = 0; j < C; j++)
              ss += c.x[(size_t) i * C + j] * c.x[(size_t) i * C + j];
            rstd[i] = 1.0 / sqrt (ss / C + c.eps);
          }
        OK (ftc_rmsnorm_forward (be, vo, vr, vx, vw, N, C, (float) c.eps));
        check ("rmsnorm_forward out", vo, out, n, FWD_ATOL, FWD_RTOL);
        check ("rmsnorm_forward rstd", vr, rstd, N, FWD_ATOL, FWD_RTOL);
        if (acc)
          OK (ftc_rmsnorm_backward (be, vdx, vdw, vdo, vx, vw, vr, N, C));
        else
          OK (ftc_rmsnorm_backward_set (be, vdx, vdw, vdo, vx, vw, vr, N, C));
        g_autofree double *gx = fd (ref_rmsnorm, &c, c.x, n, dout, n);
        g_autofree double *gw = fd (ref_rmsnorm, &c, c.w, C, dout, n);
        for (size_t i = 0; i < n; i++)
          gx[i] += acc ? dx0[i] : 0.0;
        for (int i = 0; i < C; i++)
          gw[i] += dw0[i];
        if (C > 1)   /* C = 1 normalises to +-1: its dinp is 0 up to rounding */
          check (acc ? "rmsnorm_backward dinp" : "rmsnorm_backward_set dinp", vdx, gx, n, BWD_ATOL, BWD_RTOL);
        check ("rmsnorm_backward dweight", vdw, gw, C, BWD_ATOL * sqrt (N), BWD_RTOL);
        g_free (c.x);
        g_free (c.w);
        free_bufs ();
      }
}

/* ---- q/k/v head split ---- */

static const int gqa_shapes[][5] = {
  /* B, T, NH, NKV, D */
  { 1, 1, 1, 1, 2 }, { 2, 5, 4, 2, 8 }, { 1, 17, 6, 2, 16 }, { 2, 33, 4, 1, 8 }, { 1, 70, 2, 2, 4 }, { 1, 9, 14, 2, 64 },
};

static void
test_qkv_permute (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (3);
  for (gsize s = 0; s < G_N_ELEMENTS (gqa_shapes); s++)
    {
      int B = gqa_shapes[s][0], T = gqa_shapes[s][1], NH = gqa_shapes[s][2], NKV = gqa_shapes[s][3];
      int D = gqa_shapes[s][4], H = NH + 2 * NKV;
      size_t n = (size_t) B * T * H * D;
      g_autofree double *qkv = rnd (r, n, -1, 1), *want = g_new (double, n);
      FtcView vq = up (qkv, n), vr = make (n), vback = make (n);
      size_t Q = (size_t) B * NH * T * D, K = (size_t) B * NKV * T * D;

      for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++)
          for (int j = 0; j < H; j++)
            for (int d = 0; d < D; d++)
              {
                double x = qkv[(((size_t) b * T + t) * H + j) * D + d];
                if (j < NH)
                  want[(((size_t) b * NH + j) * T + t) * D + d] = x;
                else if (j < NH + NKV)
                  want[Q + (((size_t) b * NKV + j - NH) * T + t) * D + d] = x;
                else
                  want[Q + K + (((size_t) b * NKV + j - NH - NKV) * T + t) * D + d] = x;
              }
      OK (ftc_qkv_permute_forward (be, vr, vq, B, T, NH, NKV, D));
      check ("qkv_permute_forward", vr, want, n, 0, 0);
      OK (ftc_qkv_permute_backward_set (be, vback, vr, B, T, NH, NKV, D));
      check ("qkv_permute_backward_set", vback, qkv, n, 0, 0);
      free_bufs ();
    }
}

/* ---- RoPE ---- */

typedef struct { int B, H, T, D; const int32_t *pos; const double *table; double *x; int inverse; } RopeCtx;

static void
ref_rope (void *p, double *out)
{
  RopeCtx *c = p;
  int half = c->D / 2;
  for (int row = 0; row < c->B * c->H * c->T; row++)
    {
      int t = row % c->T, b = row / (c->H * c->T), pp = t + (c->pos ? c->pos[b] : 0);
      const double *x = c->x + (size_t) row * c->D;
      for (int i = 0; i < half; i++)
        {
          double co = c->table[(size_t) pp * c->D + i], si = c->table[(size_t) pp * c->D + half + i];
          if (c->inverse)
            si = -si;
          out[(size_t) row * c->D + i] = x[i] * co - x[i + half] * si;
          out[(size_t) row * c->D + i + half] = x[i + half] * co + x[i] * si;
        }
    }
}

static void
test_rope (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (4);
  const int shapes[][4] = { { 1, 1, 1, 2 }, { 2, 3, 5, 8 }, { 1, 14, 33, 64 }, { 3, 2, 70, 6 } };

  for (gsize s = 0; s < G_N_ELEMENTS (shapes); s++)
    for (int with_pos = 0; with_pos < 2; with_pos++)
      {
        int B = shapes[s][0], H = shapes[s][1], T = shapes[s][2], D = shapes[s][3], P = T + 40;
        size_t n = (size_t) B * H * T * D;
        g_autofree double *table = g_new (double, (size_t) P * D);
        g_autofree int32_t *pos = g_new (int32_t, B);
        /* a table of real angles: cos and sin of p * theta^(-2i/D) */
        for (int p = 0; p < P; p++)
          for (int i = 0; i < D / 2; i++)
            {
              double a = p * pow (10000.0, -2.0 * i / D);
              table[(size_t) p * D + i] = cos (a);
              table[(size_t) p * D + D / 2 + i] = sin (a);
            }
        for (int b = 0; b < B; b++)
          pos[b] = g_rand_int_range (r, 0, P - T + 1);
        RopeCtx c = { B, H, T, D, with_pos ? pos : NULL, table, rnd (r, n, -1, 1), 0 };
        g_autofree double *out = g_new (double, n), *dout = rnd (r, n, -1, 1);
        FtcView vt = up (table, (size_t) P * D), vp = with_pos ? up_int (pos, B) : FTC_VIEW_NULL;
        FtcView vx = up (c.x, n), vo = make (n), vd = up (dout, n);

        ref_rope (&c, out);
        OK (ftc_rope_forward (be, vo, vx, vt, vp, B, H, T, D, P));
        check ("rope_forward", vo, out, n, 1e-6, 1e-5);
        /* in place */
        OK (ftc_rope_forward (be, vx, vx, vt, vp, B, H, T, D, P));
        check ("rope_forward in place", vx, out, n, 1e-6, 1e-5);
        /* backward: the transpose of the rotation, in place */
        g_autofree double *g = fd (ref_rope, &c, c.x, n, dout, n);
        OK (ftc_rope_backward (be, vd, vd, vt, vp, B, H, T, D, P));
        check ("rope_backward", vd, g, n, 1e-5, 1e-4);
        g_free (c.x);
        free_bufs ();
      }
}

/* ---- grouped-query attention ---- */

typedef struct { int B, T, NH, NKV, D; double *qkvr; } AttCtx;

/* out (B,T,NH*D) from the planes; att (B,NH,T,T) if not NULL */
static void
ref_gqa_att (const AttCtx *c, double *out, double *att_out)
{
  int B = c->B, T = c->T, NH = c->NH, NKV = c->NKV, D = c->D, G = NH / NKV;
  size_t Q = (size_t) B * NH * T * D, K = (size_t) B * NKV * T * D;
  g_autofree double *a = g_new (double, T);
  for (int b = 0; b < B; b++)
    for (int h = 0; h < NH; h++)
      for (int t = 0; t < T; t++)
        {
          const double *q = c->qkvr + (((size_t) b * NH + h) * T + t) * D;
          const double *k = c->qkvr + Q + ((size_t) b * NKV + h / G) * T * D;
          const double *v = c->qkvr + Q + K + ((size_t) b * NKV + h / G) * T * D;
          double m = -INFINITY, sum = 0;
          for (int j = 0; j <= t; j++)
            {
              double s = 0;
              for (int d = 0; d < D; d++)
                s += q[d] * k[(size_t) j * D + d];
              a[j] = s / sqrt (D);
              m = MAX (m, a[j]);
            }
          for (int j = 0; j <= t; j++)
            sum += (a[j] = exp (a[j] - m));
          for (int d = 0; d < D; d++)
            {
              double o = 0;
              for (int j = 0; j <= t; j++)
                o += a[j] / sum * v[(size_t) j * D + d];
              out[((size_t) b * T + t) * NH * D + (size_t) h * D + d] = o;
            }
          for (int j = 0; att_out != NULL && j < T; j++)
            att_out[(((size_t) b * NH + h) * T + t) * T + j] = j <= t ? a[j] / sum : 0.0;
        }
}

static void
ref_gqa (void *p, double *out)
{
  ref_gqa_att (p, out, NULL);
}

static void
test_gqa_attention (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (5);
  /* all but the last shape: finite differences over every input of a 14-head layer take minutes */
  for (gsize s = 0; s + 1 < G_N_ELEMENTS (gqa_shapes); s++)
    {
      int B = gqa_shapes[s][0], T = gqa_shapes[s][1], NH = gqa_shapes[s][2], NKV = gqa_shapes[s][3];
      int D = gqa_shapes[s][4];
      size_t n = (size_t) B * T * (NH + 2 * NKV) * D, no = (size_t) B * T * NH * D, na = (size_t) B * NH * T * T;
      AttCtx c = { B, T, NH, NKV, D, rnd (r, n, -1.5, 1.5) };
      g_autofree double *out = g_new (double, no), *att = g_new (double, na), *dout = rnd (r, no, -1, 1);
      FtcView vq = up (c.qkvr, n), vo = make (no), va = make (na), vs = make (no), vd = up (dout, no);
      FtcView vdq = up (dout, MIN (no, n)), vda = make (na);

      vdq = make (n);
      OK (ftc_buf_fill (vdq, 7.0f, n));   /* junk: the op writes */
      ref_gqa_att (&c, out, att);
      OK (ftc_gqa_attention_forward (be, vo, va, vs, vq, B, T, NH, NKV, D));
      check ("gqa_attention_forward out", vo, out, no, FWD_ATOL, FWD_RTOL);
      check ("gqa_attention_forward att", va, att, na, 1e-6, FWD_RTOL);
      OK (ftc_gqa_attention_backward_set (be, vdq, vda, vs, vd, vq, va, B, T, NH, NKV, D));
      g_autofree double *g = fd (ref_gqa, &c, c.qkvr, n, dout, no);
      check ("gqa_attention_backward_set dqkvr", vdq, g, n, BWD_ATOL, BWD_RTOL);
      g_free (c.qkvr);
      free_bufs ();
    }
}

/* ---- SwiGLU ---- */

typedef struct { int N, I; double *x; } SwiCtx;

static void
ref_swiglu (void *p, double *out)
{
  SwiCtx *c = p;
  for (int n = 0; n < c->N; n++)
    for (int i = 0; i < c->I; i++)
      {
        double g = c->x[(size_t) n * 2 * c->I + i], u = c->x[(size_t) n * 2 * c->I + c->I + i];
        out[(size_t) n * c->I + i] = g / (1 + exp (-g)) * u;
      }
}

static void
test_swiglu (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (6);
  const int shapes[][2] = { { 1, 1 }, { 7, 5 }, { 64, 130 }, { 3, 4864 } };

  for (gsize s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      int N = shapes[s][0], I = shapes[s][1];
      size_t n = (size_t) N * 2 * I, no = (size_t) N * I;
      SwiCtx c = { N, I, rnd (r, n, -6, 6) };
      g_autofree double *out = g_new (double, no), *dout = rnd (r, no, -1, 1);
      FtcView vx = up (c.x, n), vo = make (no), vd = up (dout, no), vdx = make (n);

      ref_swiglu (&c, out);
      OK (ftc_swiglu_forward (be, vo, vx, N, I));
      check ("swiglu_forward", vo, out, no, FWD_ATOL, FWD_RTOL);
      OK (ftc_buf_fill (vdx, -3.0f, n));
      OK (ftc_swiglu_backward_set (be, vdx, vx, vd, N, I));
      g_autofree double *g = fd (ref_swiglu, &c, c.x, n, dout, no);
      check ("swiglu_backward_set", vdx, g, n, BWD_ATOL, BWD_RTOL);
      g_free (c.x);
      free_bufs ();
    }
}

/* ---- KV-cache decoding against the training forward ---- */

static void
test_gqa_cached (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (7);
  const int shapes[][5] = { { 1, 6, 2, 1, 4 }, { 3, 20, 4, 2, 8 }, { 2, 9, 14, 2, 64 } };

  for (gsize s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      /* each row b is a sequence of T tokens; rows prefill Tp[b] tokens then decode the rest one at a time */
      int B = shapes[s][0], T = shapes[s][1], NH = shapes[s][2], NKV = shapes[s][3], D = shapes[s][4];
      int Tc = T + 3, W = (NH + 2 * NKV) * D;
      size_t n = (size_t) B * T * W, no = (size_t) B * T * NH * D;
      AttCtx c = { B, T, NH, NKV, D, NULL };
      g_autofree double *qkv = rnd (r, n, -1.5, 1.5), *full = g_new (double, no);
      g_autofree double *planes = g_new (double, n), *got = g_new (double, no);
      size_t Q = (size_t) B * NH * T * D, K = (size_t) B * NKV * T * D;
      FtcView kc = make ((size_t) B * NKV * Tc * D), vc = make ((size_t) B * NKV * Tc * D);
      FtcView att = make ((size_t) B * NH * T * Tc), out = make (no), vpos = make (B);
      int prefill = T / 2;

      /* the planes of the whole sequences, as the training forward sees them */
      for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++)
          for (int j = 0; j < NH + 2 * NKV; j++)
            for (int d = 0; d < D; d++)
              {
                double x = qkv[(((size_t) b * T + t) * (NH + 2 * NKV) + j) * D + d];
                size_t dst = j < NH ? (((size_t) b * NH + j) * T + t) * D
                           : j < NH + NKV ? Q + (((size_t) b * NKV + j - NH) * T + t) * D
                           : Q + K + (((size_t) b * NKV + j - NH - NKV) * T + t) * D;
                planes[dst + d] = x;
              }
      c.qkvr = planes;
      ref_gqa (&c, full);
      /* prefill the first `prefill` tokens of every row at position 0, then one token per step */
      for (int start = 0; start < T;)
        {
          int step = start == 0 ? prefill : 1;
          size_t sn = (size_t) B * step * W;
          g_autofree double *chunk = g_new (double, sn);
          g_autofree int32_t *pos = g_new (int32_t, B);
          g_autofree float *o = g_new (float, (size_t) B * step * NH * D);
          for (int b = 0; b < B; b++)
            {
              pos[b] = start;
              memcpy (chunk + (size_t) b * step * W, qkv + ((size_t) b * T + start) * W, sizeof (double) * step * W);
            }
          FtcView vchunk = up (chunk, sn), vr = make (sn);
          OK (ftc_buf_write (vpos, pos, B));
          OK (ftc_qkv_permute_forward (be, vr, vchunk, B, step, NH, NKV, D));
          OK (ftc_gqa_attention_forward_cached (be, out, kc, vc, att, vr, vpos, B, step, NH, NKV, D, Tc));
          OK (ftc_buf_read (out, o, (size_t) B * step * NH * D));
          for (int b = 0; b < B; b++)
            for (int t = 0; t < step; t++)
              for (int i = 0; i < NH * D; i++)
                got[((size_t) b * T + start + t) * NH * D + i] = o[((size_t) b * step + t) * NH * D + i];
          start += step;
        }
      {
        FtcView vgot = up (got, no);
        check ("gqa_attention_forward_cached (prefill + decode) vs the full forward", vgot, full, no, FWD_ATOL,
               FWD_RTOL);
      }
      free_bufs ();
    }
}

static void
test_bad_arguments (void)
{
  FtcView a = make (64), b = make (64);
  g_assert_cmpint (ftc_gqa_attention_forward (be, a, a, a, b, 1, 2, 3, 2, 2), ==, FTC_ERR_INVALID_ARG);
  g_assert_nonnull (strstr (ftc_backend_last_error (be), "do not divide"));
  g_assert_cmpint (ftc_rope_forward (be, a, a, b, FTC_VIEW_NULL, 1, 1, 4, 3, 8), ==, FTC_ERR_INVALID_ARG);
  g_assert_cmpint (ftc_rope_forward (be, a, a, b, FTC_VIEW_NULL, 1, 1, 9, 2, 8), ==, FTC_ERR_INVALID_ARG);
  g_assert_cmpint (ftc_rmsnorm_forward (be, a, b, a, b, 2, 4, 0.0f), ==, FTC_ERR_INVALID_ARG);
  g_assert_cmpint (ftc_swiglu_forward (be, a, b, 40, 1), ==, FTC_ERR_INVALID_ARG);   /* inp past its buffer */
  free_bufs ();
}

int
main (int argc, char **argv)
{
  const char *spec = g_getenv ("FTCOT_TEST_DEVICE") ? g_getenv ("FTCOT_TEST_DEVICE") : "cpu";
  char err[512];
  int rc;

  g_test_init (&argc, &argv, NULL);
  if (ftc_backend_open (spec, &be, err, sizeof err) != FTC_OK)
    g_error ("cannot open %s: %s", spec, err);
  bufs = g_ptr_array_new_with_free_func ((GDestroyNotify) ftc_buf_free);
  g_test_add_func ("/llama-ops/embedding", test_embedding);
  g_test_add_func ("/llama-ops/rmsnorm", test_rmsnorm);
  g_test_add_func ("/llama-ops/qkv-permute", test_qkv_permute);
  g_test_add_func ("/llama-ops/rope", test_rope);
  g_test_add_func ("/llama-ops/gqa-attention", test_gqa_attention);
  g_test_add_func ("/llama-ops/swiglu", test_swiglu);
  g_test_add_func ("/llama-ops/gqa-cached", test_gqa_cached);
  g_test_add_func ("/llama-ops/bad-arguments", test_bad_arguments);
  rc = g_test_run ();
  g_ptr_array_unref (bufs);
  ftc_backend_free (be);
  return rc;
}
