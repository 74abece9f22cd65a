/* test-cli-bench: `ftcot bench train --profile` as a user runs it on the first OpenCL device: the timing
 * line, then the device time per kernel and per GEMM shape; and a clear refusal on the cpu device. */
#include "tests/ftc-test-util.h"

#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

/* Runs ftcot with args; returns the exit status, stdout and stderr. */
static int
run (char **out, char **err, const char *first, ...)
{
  g_autoptr (GSubprocessLauncher) launcher = ftc_test_cli_launcher ();
  va_list args;
  int status;

  g_subprocess_launcher_unsetenv (launcher, "FTCOT_CL_PROFILE");
  va_start (args, first);
  status = ftc_test_cli_run_va (launcher, NULL, out, err, first, args);
  va_end (args);
  return status;
}

/* The milliseconds the report gives `name` (a line starting with it), or -1 when it has no such line. */
static double
report_ms (const char *report, const char *name)
{
  g_auto (GStrv) lines = g_strsplit (report, "\n", -1);

  for (int i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], name) && lines[i][strlen (name)] == ' ')
      return g_ascii_strtod (lines[i] + strlen (name), NULL);
  return -1;
}

static void
test_profile (void)
{
  g_autofree char *out = NULL, *err = NULL;
  double total, gemm, gelu;

  /* T = 64 with C = 256: tile-sized products, so our transposes show up too */
  g_assert_cmpint (run (&out, &err, "bench", "train", "--preset", "small", "--batch", "1", "--seq", "64",
                        "--steps", "1", "--device", "opencl:0", "--profile", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "ms/step"));
  g_assert_nonnull (strstr (out, "device time over 1 timed steps"));
  total = report_ms (out, "total");
  gemm = report_ms (out, "CLBlastSgemm");
  gelu = report_ms (out, "gelu_forward8");
  g_assert_cmpfloat (total, >, 0);
  g_assert_cmpfloat (gemm, >, 0);
  g_assert_cmpfloat (gelu, >, 0);
  g_assert_cmpfloat (gemm + gelu, <=, total + 0.2);
  g_assert_nonnull (strstr (out, "CLBlast calls by shape"));
  /* the LM head's forward product, M = B*T = 64, N = V = 512, K = C = 256 */
  g_assert_nonnull (strstr (out, "M=64    N=512   K=256"));
  g_assert_nonnull (strstr (out, "transp."));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* with --json, stdout stays one JSON object and the report goes to stderr */
  g_assert_cmpint (run (&out, &err, "bench", "train", "--preset", "small", "--batch", "1", "--seq", "8",
                        "--steps", "1", "--device", "opencl:0", "--profile", "--json", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (g_strstrip (out), "{"));
  g_assert_null (strstr (out, "CLBlastSgemm"));
  g_assert_nonnull (strstr (err, "CLBlastSgemm"));
}

static void
test_profile_needs_opencl (void)
{
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (run (&out, &err, "bench", "train", "--preset", "small", "--batch", "1", "--seq", "8",
                        "--steps", "1", "--device", "cpu", "--profile", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "--profile needs an opencl device"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli-bench/profile", test_profile);
  g_test_add_func ("/cli-bench/profile-needs-opencl", test_profile_needs_opencl);
  return g_test_run ();
}
