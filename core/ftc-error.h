/* ftc-error.h: the one GError domain of core/. Messages name the file, line or field at fault. */
#pragma once

#include <glib.h>

#include "compute/ftc-status.h"

G_BEGIN_DECLS

#define FTC_ERROR (ftc_error_quark ())
GQuark ftc_error_quark (void);

typedef enum {
  FTC_ERROR_FAILED,          /* anything else */
  FTC_ERROR_PARSE,           /* malformed JSON/JSONL/CSV, invalid UTF-8; message has file:line */
  FTC_ERROR_INVALID,         /* a missing field, a wrong type, an impossible value; for the engine, an op
                              * given invalid input (sizes, a config) */
  FTC_ERROR_NOT_FOUND,       /* unknown task key, missing file, no such model */
  FTC_ERROR_MISMATCH,        /* data disagrees with a split file, a checksum, a config */
  FTC_ERROR_NETWORK,         /* HTTP failures after retries */
  FTC_ERROR_CANCELLED,       /* the user stopped it */
  FTC_ERROR_BUDGET,          /* a cost or token budget was reached */
  FTC_ERROR_COMPUTE,         /* the compute engine failed otherwise (kernel build, BLAS, driver error) */
  FTC_ERROR_BUSY,            /* another process is working in the same directory */
  FTC_ERROR_DEVICE_MEMORY,   /* the compute device ran out of memory: a smaller batch or student fits */
  FTC_ERROR_DEVICE_LOST,     /* the compute device stopped working (driver reset, crash, removed) */
  FTC_ERROR_NO_DEVICE,       /* the compute device asked for does not exist on this machine */
} FtcErrorCode;

/* The error code of a compute status: FTC_ERROR_DEVICE_MEMORY, FTC_ERROR_DEVICE_LOST, FTC_ERROR_INVALID
 * (invalid input), FTC_ERROR_NO_DEVICE, else FTC_ERROR_COMPUTE. */
FtcErrorCode ftc_error_code_from_status (FtcStatus status);

/* The one way core turns a compute failure into a GError: the code from ftc_error_code_from_status and the
 * message "CONTEXT: MESSAGE", MESSAGE being the backend's (ftc_backend_last_error, or the err text of
 * ftc_backend_open) or, when that is empty, the status's name. status must not be FTC_OK. Returns FALSE,
 * for `return ftc_error_set_compute (...)`. */
gboolean ftc_error_set_compute (GError **error, FtcStatus status, const char *backend_message,
                                const char *context_fmt, ...) G_GNUC_PRINTF (4, 5);

G_END_DECLS
