/* ftc-error.h: the one GError domain of core/. Messages name the file, line or field at fault. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FTC_ERROR (ftc_error_quark ())
GQuark ftc_error_quark (void);

typedef enum {
  FTC_ERROR_FAILED,          /* anything else */
  FTC_ERROR_PARSE,           /* malformed JSON/JSONL/CSV, invalid UTF-8; message has file:line */
  FTC_ERROR_INVALID,         /* a missing field, a wrong type, an impossible value */
  FTC_ERROR_NOT_FOUND,       /* unknown task key, missing file, no such model */
  FTC_ERROR_MISMATCH,        /* data disagrees with a split file, a checksum, a config */
  FTC_ERROR_NETWORK,         /* HTTP failures after retries */
  FTC_ERROR_CANCELLED,       /* the user stopped it */
  FTC_ERROR_BUDGET,          /* a cost or token budget was reached */
  FTC_ERROR_COMPUTE,         /* the compute engine failed; message from the backend */
  FTC_ERROR_BUSY,            /* another process is working in the same directory */
} FtcErrorCode;

G_END_DECLS
