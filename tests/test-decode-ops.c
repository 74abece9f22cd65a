/* test-decode-ops: the two KV-cache ops of ftc-backend.h (encoder_forward_pos, attention_forward_cached)
 * against the training ops (encoder_forward, attention_forward) on random inputs: rows of different
 * lengths prefilled with padding, then decoded one token per step, each row at its own position.
 * The device: $FTCOT_TEST_DEVICE (e.g. "opencl:0"), "cpu" by default. */
#include <math.h>
#include <string.h>

#include <glib.h>

#include "compute/ftc-backend.h"

/* the cached path sums in a different order than the batched GEMMs */
#define ATOL 2e-5

static FtcBackend *be;

#define OK(expr) \
  G_STMT_START { FtcStatus s_ = (expr); \
    if (s_ != FTC_OK) g_error ("%s failed: %s: %s", #expr, ftc_status_name (s_), ftc_backend_last_error (be)); \
  } G_STMT_END

static FtcBuf *
upload (const void *data, size_t n)
{
  FtcBuf *buf;
  OK (ftc_buf_new (be, n, &buf));
  OK (ftc_buf_write (ftc_view (buf, 0), data, n));
  return buf;
}

static void
test_encoder_pos (void)
{
  const int B = 3, T = 4, C = 8, V = 11, maxT = 16;
  gint32 inp[12], pos[3] = { 0, 5, 12 };
  float wte[11 * 8], wpe[16 * 8], out[3 * 4 * 8];
  g_autoptr (GRand) r = g_rand_new_with_seed (5);
  FtcBuf *binp, *bpos, *bwte, *bwpe, *bout;

  for (int i = 0; i < B * T; i++)
    inp[i] = g_rand_int_range (r, 0, V);
  for (int i = 0; i < V * C; i++)
    wte[i] = g_rand_double_range (r, -1, 1);
  for (int i = 0; i < maxT * C; i++)
    wpe[i] = g_rand_double_range (r, -1, 1);
  binp = upload (inp, B * T);
  bpos = upload (pos, B);
  bwte = upload (wte, V * C);
  bwpe = upload (wpe, maxT * C);
  OK (ftc_buf_new (be, B * T * C, &bout));
  OK (ftc_encoder_forward_pos (be, ftc_view (bout, 0), ftc_view (binp, 0), ftc_view (bpos, 0), ftc_view (bwte, 0),
                               ftc_view (bwpe, 0), B, T, C));
  OK (ftc_buf_read (ftc_view (bout, 0), out, B * T * C));
  for (int b = 0; b < B; b++)
    for (int t = 0; t < T; t++)
      for (int c = 0; c < C; c++)
        g_assert_cmpfloat (out[(b * T + t) * C + c], ==, wte[inp[b * T + t] * C + c] + wpe[(pos[b] + t) * C + c]);
  ftc_buf_free (binp);
  ftc_buf_free (bpos);
  ftc_buf_free (bwte);
  ftc_buf_free (bwpe);
  ftc_buf_free (bout);
}

static void
test_attention_cached (void)
{
  const int B = 3, T = 13, C = 24, NH = 3, HS = C / NH;
  const int len[3] = { 5, 9, 2 };            /* prompt lengths; the rest of each row is decoded */
  const int Tp = 9, Tc = 13;
  g_autofree float *qkv = g_new (float, B * T * 3 * C), *ref = g_new (float, B * T * C);
  g_autofree float *out = g_new (float, B * T * C), *got = g_new (float, B * C);
  g_autofree float *prefill = g_new0 (float, B * Tp * 3 * C), *step = g_new (float, B * 3 * C);
  g_autoptr (GRand) r = g_rand_new_with_seed (11);
  FtcBuf *bqkv, *bout, *bqkvr, *batt, *kc, *vc, *bpre, *bpos, *bstep, *bo, *bscratch;
  double worst = 0;

  for (int i = 0; i < B * T * 3 * C; i++)
    qkv[i] = g_rand_double_range (r, -2, 2);
  /* the reference: the training op over each whole row */
  bqkv = upload (qkv, B * T * 3 * C);
  OK (ftc_buf_new (be, B * T * C, &bout));
  OK (ftc_buf_new (be, 3 * B * T * C, &bqkvr));
  OK (ftc_buf_new (be, B * NH * T * T, &batt));
  OK (ftc_attention_forward (be, ftc_view (bout, 0), ftc_view (bqkvr, 0), ftc_view (batt, 0), ftc_view (bqkv, 0),
                             B, T, C, NH));
  OK (ftc_buf_read (ftc_view (bout, 0), ref, B * T * C));

  /* prefill: rows right-padded with junk to Tp */
  for (int b = 0; b < B; b++)
    for (int t = 0; t < Tp; t++)
      for (int j = 0; j < 3 * C; j++)
        prefill[(b * Tp + t) * 3 * C + j] = t < len[b] ? qkv[(b * T + t) * 3 * C + j] : 100.0f + j;
  {
    gint32 pos[3] = { 0, 0, 0 };
    bpre = upload (prefill, B * Tp * 3 * C);
    bpos = upload (pos, B);
  }
  OK (ftc_buf_new (be, B * Tc * C, &kc));
  OK (ftc_buf_new (be, B * Tc * C, &vc));
  OK (ftc_buf_fill (ftc_view (kc, 0), NAN, B * Tc * C));  /* unwritten slots must never be read */
  OK (ftc_buf_fill (ftc_view (vc, 0), NAN, B * Tc * C));
  OK (ftc_buf_new (be, B * Tp * C, &bo));
  OK (ftc_buf_new (be, B * NH * Tp * Tc, &bscratch));
  OK (ftc_attention_forward_cached (be, ftc_view (bo, 0), ftc_view (kc, 0), ftc_view (vc, 0), ftc_view (bscratch, 0),
                                    ftc_view (bpre, 0), ftc_view (bpos, 0), B, Tp, C, NH, Tc));
  {
    g_autofree float *po = g_new (float, B * Tp * C);
    OK (ftc_buf_read (ftc_view (bo, 0), po, B * Tp * C));
    for (int b = 0; b < B; b++)
      for (int t = 0; t < len[b]; t++)
        for (int c = 0; c < C; c++)
          worst = MAX (worst, fabs (po[(b * Tp + t) * C + c] - ref[(b * T + t) * C + c]));
  }

  /* decode: one token per row per step, each at its own position, until every row reaches T */
  OK (ftc_buf_new (be, B * 3 * C, &bstep));
  for (int s = 0; s < T; s++)
    {
      gint32 pos[3];
      int any = 0;
      for (int b = 0; b < B; b++)
        {
          int p = MIN (len[b] + s, T - 1);   /* a finished row repeats its last token */
          pos[b] = p;
          any |= len[b] + s < T;
          memcpy (step + b * 3 * C, qkv + (b * T + p) * 3 * C, 3 * C * sizeof (float));
        }
      if (!any)
        break;
      OK (ftc_buf_write (ftc_view (bpos, 0), pos, B));
      OK (ftc_buf_write (ftc_view (bstep, 0), step, B * 3 * C));
      OK (ftc_attention_forward_cached (be, ftc_view (bo, 0), ftc_view (kc, 0), ftc_view (vc, 0),
                                        ftc_view (bscratch, 0), ftc_view (bstep, 0), ftc_view (bpos, 0), B, 1, C, NH,
                                        Tc));
      OK (ftc_buf_read (ftc_view (bo, 0), got, B * C));
      for (int b = 0; b < B; b++)
        for (int c = 0; c < C; c++)
          {
            double d = fabs (got[b * C + c] - ref[(b * T + pos[b]) * C + c]);
            worst = isfinite (got[b * C + c]) ? MAX (worst, d) : INFINITY;
          }
    }
  g_test_message ("cached attention vs attention_forward: max |diff| %.3g (tolerance %g), HS %d", worst, ATOL, HS);
  g_assert_cmpfloat (worst, <=, ATOL);

  /* T beyond the cache is refused */
  g_assert_cmpint (ftc_attention_forward_cached (be, ftc_view (bo, 0), ftc_view (kc, 0), ftc_view (vc, 0),
                                                 ftc_view (bscratch, 0), ftc_view (bpre, 0), ftc_view (bpos, 0), B,
                                                 Tc + 1, C, NH, Tc), ==, FTC_ERR_INVALID_ARG);
  for (FtcBuf **b = (FtcBuf *[]) { bqkv, bout, bqkvr, batt, kc, vc, bpre, bpos, bstep, bo, bscratch, NULL }; *b; b++)
    ftc_buf_free (*b);
}

int
main (int argc, char **argv)
{
  char err[512];
  const char *spec = g_getenv ("FTCOT_TEST_DEVICE");
  int ret;

  g_test_init (&argc, &argv, NULL);
  if (ftc_backend_open (spec != NULL ? spec : "cpu", &be, err, sizeof err) != FTC_OK)
    g_error ("cannot open device: %s", err);
  g_test_add_func ("/decode-ops/encoder-pos", test_encoder_pos);
  g_test_add_func ("/decode-ops/attention-cached", test_attention_cached);
  ret = g_test_run ();
  ftc_backend_free (be);
  return ret;
}
