/* test-devices: compute failures as errors (core/ftc-error.h): the code of every status, the message with
 * the backend's words, and a real failure of the engine (a buffer larger than the device) arriving as
 * FTC_ERROR_DEVICE_MEMORY. */
#include <string.h>

#include <glib.h>

#include "compute/ftc-backend.h"
#include "core/ftc-error.h"
#include "tests/ftc-test-util.h"

static void
test_error_codes (void)
{
  /* the three a user acts on differently, and the rest */
  g_assert_cmpint (ftc_error_code_from_status (FTC_ERR_DEVICE_MEMORY), ==, FTC_ERROR_DEVICE_MEMORY);
  g_assert_cmpint (ftc_error_code_from_status (FTC_ERR_DEVICE_LOST), ==, FTC_ERROR_DEVICE_LOST);
  g_assert_cmpint (ftc_error_code_from_status (FTC_ERR_INVALID_ARG), ==, FTC_ERROR_INVALID);
  g_assert_cmpint (ftc_error_code_from_status (FTC_ERR_NO_DEVICE), ==, FTC_ERROR_NO_DEVICE);
  for (FtcStatus st = FTC_ERR_HOST_MEMORY; st <= FTC_ERR_DEVICE_LOST; st++)
    if (st != FTC_ERR_DEVICE_MEMORY && st != FTC_ERR_DEVICE_LOST && st != FTC_ERR_INVALID_ARG
        && st != FTC_ERR_NO_DEVICE)
      g_assert_cmpint (ftc_error_code_from_status (st), ==, FTC_ERROR_COMPUTE);
  g_assert_cmpstr (ftc_status_name (FTC_ERR_DEVICE_LOST), ==, "device lost");
}

static void
test_error_message (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) bare = NULL;

  g_assert_false (ftc_error_set_compute (&error, FTC_ERR_DEVICE_LOST, "clFinish on opencl:1 failed",
                                         "step %d", 7));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_DEVICE_LOST);
  g_assert_cmpstr (error->message, ==, "step 7: clFinish on opencl:1 failed");
  /* no message from the backend: the status names itself */
  ftc_error_set_compute (&bare, FTC_ERR_BLAS, "", "gemm");
  g_assert_error (bare, FTC_ERROR, FTC_ERROR_COMPUTE);
  g_assert_cmpstr (bare->message, ==, "gemm: BLAS error");
  /* a NULL error is allowed, as with every GError function */
  g_assert_false (ftc_error_set_compute (NULL, FTC_ERR_IO, NULL, "x"));
}

/* A buffer larger than the device, on every device: the backend's own failure through the one function. */
static void
test_real_device_memory (void)
{
  FtcDeviceInfo devices[16];
  int n = ftc_device_list (devices, 16);

  for (int i = 0; i < n; i++)
    {
      g_autoptr (GError) error = NULL;
      FtcBackend *be = NULL;
      FtcBuf *buf = NULL;
      char err[512];
      FtcStatus st;

      if (devices[i].kind == FTC_DEVICE_CPU)
        continue;   /* the host would try to allocate it */
      g_assert_cmpint (ftc_backend_open (devices[i].spec, &be, err, sizeof err), ==, FTC_OK);
      st = ftc_buf_new (be, (size_t) (devices[i].global_mem_bytes / 4) + 1024, &buf);
      g_assert_cmpint (st, !=, FTC_OK);
      ftc_error_set_compute (&error, st, ftc_backend_last_error (be), "%s", devices[i].spec);
      g_test_message ("%s", error->message);
      g_assert_error (error, FTC_ERROR, FTC_ERROR_DEVICE_MEMORY);
      g_assert_true (g_str_has_prefix (error->message, devices[i].spec));
      g_assert_nonnull (strstr (error->message, "smaller batch"));
      ftc_backend_free (be);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/devices/error-codes", test_error_codes);
  g_test_add_func ("/devices/error-message", test_error_message);
  g_test_add_func ("/devices/real-device-memory", test_real_device_memory);
  return g_test_run ();
}
