/* ftc-devices.c: compute devices behind one thread-safe API for the CLI and the studio. */
#include "core/ftc-devices.h"

#include "core/ftc-error.h"

/* As many devices as any machine offers, with room to spare (ftc_device_list caps OpenCL at 64). */
#define MAX_DEVICES 80

FtcDevices *
ftc_devices_enumerate (void)
{
  FtcDevices *devices = g_new0 (FtcDevices, 1);
  char spec[64];

  devices->devices = g_new0 (FtcDeviceInfo, MAX_DEVICES);
  devices->n_devices = (guint) ftc_device_list (devices->devices, MAX_DEVICES);
  devices->default_spec = g_strdup (ftc_device_default_spec (spec, sizeof spec));
  return devices;
}

void
ftc_devices_free (FtcDevices *devices)
{
  if (devices == NULL)
    return;
  g_free (devices->devices);
  g_free (devices->default_spec);
  g_free (devices);
}

static void
enumerate_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  FtcDevices *devices = ftc_devices_enumerate ();

  if (g_task_return_error_if_cancelled (task))
    ftc_devices_free (devices);
  else
    g_task_return_pointer (task, devices, (GDestroyNotify) ftc_devices_free);
}

void
ftc_devices_enumerate_async (GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, ftc_devices_enumerate_async);
  g_task_run_in_thread (task, enumerate_thread);
}

FtcDevices *
ftc_devices_enumerate_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

const FtcDeviceInfo *
ftc_devices_find (const FtcDevices *devices, const char *spec)
{
  if (devices == NULL)
    return NULL;
  if (spec == NULL || g_strcmp0 (spec, "auto") == 0)
    spec = devices->default_spec;
  for (guint i = 0; i < devices->n_devices; i++)
    if (g_strcmp0 (devices->devices[i].spec, spec) == 0)
      return &devices->devices[i];
  return NULL;
}

gboolean
ftc_device_spec_check (const char *spec, GError **error)
{
  FtcDeviceSpec parsed;
  char err[256] = "";
  FtcStatus st = ftc_device_spec_parse (spec, &parsed, err, sizeof err);

  if (st != FTC_OK)
    return ftc_error_set_compute (error, st, err, "device");
  return TRUE;
}

FtcBackend *
ftc_device_open (const char *spec, GError **error)
{
  FtcBackend *be = NULL;
  char err[1024] = "";
  FtcStatus st = ftc_backend_open (spec, &be, err, sizeof err);

  if (st != FTC_OK)
    {
      ftc_error_set_compute (error, st, err, "device %s", spec != NULL ? spec : "auto");
      return NULL;
    }
  return be;
}
