/* test-devices: the compute devices behind core's API (core/ftc-devices.h): listing, blocking and on a
 * worker thread (as the studio does), the same from many threads at once while another changes the
 * engine's directories, spec checks, opening with errors; compute failures as errors (core/ftc-error.h):
 * the code of every status, the message with the backend's words, a real failure of the engine (a buffer
 * larger than the device) arriving as FTC_ERROR_DEVICE_MEMORY, and the CLI's hint for a missing device. */
#include <string.h>

#include <glib.h>

#include "compute/ftc-backend.h"
#include "core/ftc-devices.h"
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

static void
assert_same_devices (const FtcDevices *a, const FtcDevices *b)
{
  g_assert_cmpuint (a->n_devices, ==, b->n_devices);
  g_assert_cmpstr (a->default_spec, ==, b->default_spec);
  for (guint i = 0; i < a->n_devices; i++)
    {
      g_assert_cmpstr (a->devices[i].spec, ==, b->devices[i].spec);
      g_assert_cmpstr (a->devices[i].name, ==, b->devices[i].name);
    }
}

static void
test_enumerate (void)
{
  g_autoptr (FtcDevices) devices = ftc_devices_enumerate ();
  FtcDeviceInfo raw[80];
  int n = ftc_device_list (raw, 80);
  const FtcDeviceInfo *def;

  g_assert_cmpuint (devices->n_devices, ==, (guint) n);
  g_assert_cmpuint (devices->n_devices, >=, 1);
  g_assert_cmpstr (devices->devices[0].spec, ==, "cpu");
  for (guint i = 1; i < devices->n_devices; i++)
    g_assert_cmpint (devices->devices[i].kind, ==, FTC_DEVICE_OPENCL);
  /* "auto" is a listed device (main unsets $FTCOT_DEVICE) */
  def = ftc_devices_find (devices, "auto");
  g_assert_nonnull (def);
  g_assert_cmpstr (def->spec, ==, devices->default_spec);
  g_assert_true (ftc_devices_find (devices, "cpu") == &devices->devices[0]);
  g_assert_null (ftc_devices_find (devices, "opencl:1023"));
}

static void
enumerated (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FtcDevices **out = user_data;
  g_autoptr (GError) error = NULL;

  *out = ftc_devices_enumerate_finish (result, &error);
  g_assert_no_error (error);
}

static void
cancelled (GObject *source, GAsyncResult *result, gpointer user_data)
{
  gboolean *done = user_data;
  g_autoptr (GError) error = NULL;

  g_assert_null (ftc_devices_enumerate_finish (result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  *done = TRUE;
}

/* As the studio lists them: on a worker thread, the answer back in the main context. */
static void
test_enumerate_async (void)
{
  g_autoptr (FtcDevices) sync = ftc_devices_enumerate ();
  g_autoptr (FtcDevices) async = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  GThread *self = g_thread_self ();
  gboolean done = FALSE;

  ftc_devices_enumerate_async (NULL, enumerated, &async);
  while (async == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_thread_self () == self);
  assert_same_devices (sync, async);
  /* a cancelled listing answers with G_IO_ERROR_CANCELLED, never with a list */
  g_cancellable_cancel (cancellable);
  ftc_devices_enumerate_async (cancellable, cancelled, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

typedef struct {
  const FtcDevices *want;
  gint failures;
  gint stop;
} Race;

static gpointer
enumerate_many (gpointer data)
{
  Race *race = data;

  for (int i = 0; i < 20; i++)
    {
      g_autoptr (FtcDevices) got = ftc_devices_enumerate ();
      char spec[32];

      if (got->n_devices != race->want->n_devices || g_strcmp0 (got->default_spec, race->want->default_spec) != 0
          || g_strcmp0 (ftc_device_default_spec (spec, sizeof spec), race->want->default_spec) != 0)
        g_atomic_int_inc (&race->failures);
    }
  return NULL;
}

static gpointer
change_dirs (gpointer data)
{
  Race *race = data;
  g_autofree char *dir = ftc_test_tmpdir ();

  while (!g_atomic_int_get (&race->stop))
    {
      ftc_backend_set_user_dirs (dir, dir);
      ftc_backend_set_user_dirs (NULL, NULL);
    }
  return NULL;
}

/* Listing from four threads at once, and opening backends, while a fifth keeps changing the engine's
 * directories: every thread sees the same devices and default. */
static void
test_threads (void)
{
  g_autoptr (FtcDevices) want = ftc_devices_enumerate ();
  Race race = { want, 0, 0 };
  GThread *threads[4], *dirs;

  dirs = g_thread_new ("dirs", change_dirs, &race);
  for (int i = 0; i < 4; i++)
    threads[i] = g_thread_new ("enumerate", enumerate_many, &race);
  for (guint i = 0; i < want->n_devices; i++)
    {
      g_autoptr (GError) error = NULL;
      FtcBackend *be = ftc_device_open (want->devices[i].spec, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (ftc_backend_device (be)->spec, ==, want->devices[i].spec);
      ftc_backend_free (be);
    }
  for (int i = 0; i < 4; i++)
    g_thread_join (threads[i]);
  g_atomic_int_set (&race.stop, 1);
  g_thread_join (dirs);
  g_assert_cmpint (race.failures, ==, 0);
}

static void
test_specs_and_open (void)
{
  g_autoptr (GError) error = NULL;
  FtcBackend *be;

  g_assert_true (ftc_device_spec_check ("auto", NULL));
  g_assert_true (ftc_device_spec_check ("opencl:3", NULL));
  g_assert_false (ftc_device_spec_check ("gpu9", &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "gpu9"));
  g_clear_error (&error);

  be = ftc_device_open ("cpu", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ftc_backend_device (be)->spec, ==, "cpu");
  ftc_backend_free (be);
  g_assert_null (ftc_device_open ("opencl:1023", &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_NO_DEVICE);
  g_assert_nonnull (strstr (error->message, "opencl:1023"));
  g_clear_error (&error);
  g_assert_null (ftc_device_open ("opencl:x", &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
}

static int
run_cli (char **out, char **err, const char *first, ...)
{
  g_autoptr (GSubprocessLauncher) launcher = ftc_test_cli_launcher ();
  va_list args;
  int status;

  va_start (args, first);
  status = ftc_test_cli_run_va (launcher, NULL, out, err, first, args);
  va_end (args);
  return status;
}

/* The CLI says what to do about a device that does not exist. */
static void
test_cli_hint (void)
{
  g_autofree char *out = NULL, *err = NULL;
  int status;

  status = run_cli (&out, &err, "bench", "train", "--preset", "small", "--steps", "1",
                             "--device", "opencl:1023", NULL);
  g_test_message ("%s", err);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "opencl:1023"));
  g_assert_nonnull (strstr (err, "hint: 'ftcot devices' lists the devices"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_unsetenv ("FTCOT_DEVICE");
  g_test_add_func ("/devices/enumerate", test_enumerate);
  g_test_add_func ("/devices/enumerate-async", test_enumerate_async);
  g_test_add_func ("/devices/threads", test_threads);
  g_test_add_func ("/devices/specs-and-open", test_specs_and_open);
  g_test_add_func ("/devices/cli-hint", test_cli_hint);
  g_test_add_func ("/devices/error-codes", test_error_codes);
  g_test_add_func ("/devices/error-message", test_error_message);
  g_test_add_func ("/devices/real-device-memory", test_real_device_memory);
  return g_test_run ();
}
