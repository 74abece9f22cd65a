/* ftc-devices.h: the compute devices, for the command line and the studio: listing them (blocking, or on a
 * worker thread as an _async/_finish pair), the device "auto" stands for, checking a device spec and
 * opening a device with failures as GError. Over compute's ftc-backend.h, whose parser is the one owner of
 * the spec syntax ("auto", "cpu", "cpu:naive", "opencl", "opencl:N"). Everything here is thread-safe. */
#pragma once

#include <gio/gio.h>

#include "compute/ftc-backend.h"

G_BEGIN_DECLS

typedef struct {
  FtcDeviceInfo *devices;    /* cpu first, then every OpenCL device */
  guint n_devices;
  char *default_spec;        /* the device "auto" (and no device at all) opens: ftc_device_default_spec */
} FtcDevices;

/* Lists the devices; OpenCL drivers may take a moment to load the first time, so a GUI calls
 * ftc_devices_enumerate_async instead. Never fails: without OpenCL, cpu is the one device. */
FtcDevices *ftc_devices_enumerate (void);
/* The same on a worker thread; callback runs in the caller's thread-default main context. */
void ftc_devices_enumerate_async (GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
/* NULL only when cancelled (error set). */
FtcDevices *ftc_devices_enumerate_finish (GAsyncResult *result, GError **error);
void ftc_devices_free (FtcDevices *devices);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcDevices, ftc_devices_free)

/* The listed device spec names ("auto" is the default device); NULL when it is not listed. */
const FtcDeviceInfo *ftc_devices_find (const FtcDevices *devices, const char *spec);

/* FTC_ERROR_INVALID with the parser's reason when spec is not a device spec; looks at no device. */
gboolean ftc_device_spec_check (const char *spec, GError **error);

/* Opens the device (NULL or "auto": the default one). Failures as ftc_error_set_compute makes them:
 * FTC_ERROR_INVALID for a malformed spec, FTC_ERROR_NO_DEVICE for a device this machine lacks, ... */
FtcBackend *ftc_device_open (const char *spec, GError **error);

G_END_DECLS
