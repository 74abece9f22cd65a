/* ftc-dataset-fetch.h: installing the raw files of the paper datasets into the data dir.
 *
 * Every file comes from a raw-file URL of its origin repository at a pinned commit (Zero-shot-CoT
 * kojima-takeshi188/zero_shot_cot, GSM8K openai/grade-school-math) and is pinned by size and SHA-256.
 * Downloads go to "<file>.part", resume from its length with an HTTP Range request, are verified, fsync'ed
 * and renamed into place: a file that fails verification is removed and never installed. A mirror (a base
 * URL with the layout <base>/<key>/<file>, e.g. a copy of the data dir served over HTTP) replaces the
 * origin URLs; so does $FTCOT_DATASET_MIRROR. A local copy imports with the same verification. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  const char *key;      /* dataset key */
  const char *name;     /* file name in the dataset folder */
  const char *url;      /* raw-file URL at the pinned commit */
  gint64 size;          /* bytes */
  const char *sha256;   /* lower-case hex */
} FtcDatasetSource;

/* All pinned files; *n_out gets the count. AQuA's train.json has no pinned source (it is in neither
 * origin repository); copy it into the aqua folder by hand to get aqua's train split. */
const FtcDatasetSource *ftc_dataset_sources (guint *n_out);

/* Called as bytes arrive (done of total for one file; total -1 when unknown). */
typedef void (*FtcFetchProgress) (const char *key, const char *name, gint64 done, gint64 total,
                                  gpointer user_data);

typedef struct {
  const char *mirror;          /* base URL replacing the origin URLs; NULL: $FTCOT_DATASET_MIRROR if set */
  const char *data_dir;        /* where <key>/<file> go; NULL: ftc_dataset_data_dir () */
  guint retries;               /* extra attempts after a network failure or truncation (each resumes) */
  glong timeout_s;             /* abort a file when no byte arrived for this long; 0: 60 s */
  FtcFetchProgress progress;
  gpointer user_data;
  GCancellable *cancellable;
} FtcFetchOptions;

/* Downloads every pinned file of key that is not installed and verified yet. options may be NULL.
 * Errors: FTC_ERROR_NOT_FOUND (unknown key), FTC_ERROR_NETWORK (HTTP status, connection, truncation),
 * FTC_ERROR_MISMATCH (size or checksum), FTC_ERROR_CANCELLED, FTC_ERROR_FAILED (files). */
gboolean ftc_dataset_fetch (const char *key, const FtcFetchOptions *options, GError **error);

/* Copies key's files from a local folder (from_dir/<key>/<file> or from_dir/<file>), verified like a
 * download. data_dir NULL: ftc_dataset_data_dir (). */
gboolean ftc_dataset_import_dir (const char *key, const char *from_dir, const char *data_dir, GError **error);

/* TRUE when path has the pinned size and SHA-256 of source; else FALSE with FTC_ERROR_MISMATCH. */
gboolean ftc_dataset_verify_file (const FtcDatasetSource *source, const char *path, GError **error);

G_END_DECLS
