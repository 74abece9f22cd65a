/* ftc-safetensors.h: the safetensors format (8-byte little-endian header length, a JSON header, raw
 * little-endian data), read memory-mapped and written atomically.
 *
 * Reading validates the whole header before anything large is allocated: the header length against the
 * file size (and at most 100 MB), the JSON, each tensor's dtype (F32, F16 and BF16 are read, converted to
 * float; the other dtypes of the format are listed, so that buffers such as GPT-2's attention masks can be
 * skipped, but reading one is an error naming it; an unknown dtype is rejected at open), shape (at most 8 dimensions, product * dtype size
 * equal to the data_offsets span, no overflow), offsets inside the file and no two tensors overlapping.
 * "__metadata__" (string -> string) is allowed. Errors name the file and the tensor. Writing is F32 only,
 * header padded with spaces to a multiple of 8 bytes, tensors in name order. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  FTC_DTYPE_F32,
  FTC_DTYPE_F16,
  FTC_DTYPE_BF16,
  FTC_DTYPE_UNSUPPORTED,  /* a known safetensors dtype ftcot does not read (I64, U8, BOOL, F64, ...) */
} FtcDtype;

#define FTC_SAFETENSORS_MAX_DIMS 8
#define FTC_SAFETENSORS_MAX_HEADER (100 * 1024 * 1024)

typedef struct {
  const char *name;
  FtcDtype dtype;
  const char *dtype_name; /* "F32", "U8", ... as in the header */
  int ndim;
  gint64 shape[FTC_SAFETENSORS_MAX_DIMS];
  guint64 numel;
  guint64 begin, end;     /* byte offsets into the data section */
} FtcSafetensorsTensor;

typedef struct FtcSafetensors FtcSafetensors;

/* Maps path and validates its header. */
FtcSafetensors *ftc_safetensors_open (const char *path, GError **error);
/* The same over bytes in memory (borrowed: they must outlive the result); `what` names them in errors. */
FtcSafetensors *ftc_safetensors_open_data (const guint8 *data, gsize len, const char *what, GError **error);
void ftc_safetensors_free (FtcSafetensors *st);

const char *ftc_safetensors_path (FtcSafetensors *st);
guint ftc_safetensors_n_tensors (FtcSafetensors *st);
/* Tensors in data order (by begin offset). */
const FtcSafetensorsTensor *ftc_safetensors_tensor (FtcSafetensors *st, guint i);
/* NULL if there is no tensor of that name. */
const FtcSafetensorsTensor *ftc_safetensors_lookup (FtcSafetensors *st, const char *name);
/* A __metadata__ value, or NULL. */
const char *ftc_safetensors_metadata (FtcSafetensors *st, const char *key);

/* Converts tensor t to float into out, which holds n == t->numel floats. */
gboolean ftc_safetensors_read_f32 (FtcSafetensors *st, const FtcSafetensorsTensor *t, float *out, gsize n,
                                   GError **error);

/* ---- writing ---- */

typedef struct FtcSafetensorsWriter FtcSafetensorsWriter;

FtcSafetensorsWriter *ftc_safetensors_writer_new (void);
void ftc_safetensors_writer_free (FtcSafetensorsWriter *w);
/* Adds an F32 tensor; data is borrowed until ftc_safetensors_writer_write returns. */
void ftc_safetensors_writer_add (FtcSafetensorsWriter *w, const char *name, const float *data, int ndim,
                                 const gint64 *shape);
/* Adds the transpose of data (rows, cols), stored as an F32 tensor of shape (cols, rows); data is borrowed. */
void ftc_safetensors_writer_add_transposed (FtcSafetensorsWriter *w, const char *name, const float *data,
                                            gint64 rows, gint64 cols);
void ftc_safetensors_writer_set_metadata (FtcSafetensorsWriter *w, const char *key, const char *value);
/* Writes path atomically: a temporary file in the same folder, fsync, rename. */
gboolean ftc_safetensors_writer_write (FtcSafetensorsWriter *w, const char *path, GError **error);

/* Half-precision values to float (exact: every F16 and BF16 value is a float). */
float ftc_f16_to_f32 (guint16 h);
float ftc_bf16_to_f32 (guint16 h);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcSafetensors, ftc_safetensors_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcSafetensorsWriter, ftc_safetensors_writer_free)

G_END_DECLS
