/* ftc-error.c: the error domain, and compute statuses as errors. */
#include "core/ftc-error.h"

G_DEFINE_QUARK (ftc-error-quark, ftc_error)

FtcErrorCode
ftc_error_code_from_status (FtcStatus status)
{
  switch (status)
    {
    case FTC_ERR_DEVICE_MEMORY: return FTC_ERROR_DEVICE_MEMORY;
    case FTC_ERR_DEVICE_LOST: return FTC_ERROR_DEVICE_LOST;
    case FTC_ERR_INVALID_ARG: return FTC_ERROR_INVALID;
    case FTC_ERR_NO_DEVICE: return FTC_ERROR_NO_DEVICE;
    case FTC_OK:
    case FTC_ERR_HOST_MEMORY:
    case FTC_ERR_DEVICE:
    case FTC_ERR_BUILD:
    case FTC_ERR_BLAS:
    case FTC_ERR_NOT_FINITE:
    case FTC_ERR_IO:
    case FTC_ERR_UNSUPPORTED:
      break;
    }
  return FTC_ERROR_COMPUTE;
}

gboolean
ftc_error_set_compute (GError **error, FtcStatus status, const char *backend_message, const char *context_fmt, ...)
{
  g_autofree char *context = NULL;
  va_list args;

  g_return_val_if_fail (status != FTC_OK, FALSE);
  va_start (args, context_fmt);
  context = g_strdup_vprintf (context_fmt, args);
  va_end (args);
  g_set_error (error, FTC_ERROR, ftc_error_code_from_status (status), "%s: %s", context,
               backend_message != NULL && backend_message[0] != '\0' ? backend_message : ftc_status_name (status));
  return FALSE;
}
