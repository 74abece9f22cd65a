/* ftc-dataset-fetch.h: installing the raw files of the paper datasets and the reasoning benchmarks into the
 * data dir.
 *
 * Every file comes from a raw-file URL of its origin repository at a pinned commit (Zero-shot-CoT
 * kojima-takeshi188/zero_shot_cot, GSM8K openai/grade-school-math, QwenLM/Qwen2.5-Math, inclusionAI/AReaL,
 * openai/prm800k through GitHub's Git LFS media URLs) and is pinned by size and SHA-256. ARC-Challenge is
 * published only as Parquet: it is read page by page from the Hugging Face Hub's rows API and written as
 * one JSON row a line, checked against its pinned row count; no checksum of that file could be pinned
 * where this was written (docs/tasks.md), so the SHA-256 of its first download is recorded beside it
 * (<file>.sha256) and every later download or import must match that.
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
  const char *url;      /* raw-file URL at the pinned commit; with rows > 0, the rows API URL of a split
                         * ("...&split=test"), to which "&offset=O&length=N" is added */
  gint64 size;          /* bytes; -1: not pinned */
  const char *sha256;   /* lower-case hex; NULL: not pinned (the first download's is recorded) */
  gint64 rows;          /* > 0: read from the rows API, this many rows */
} FtcDatasetSource;

/* Rows asked per rows API request (the API's largest page). */
#define FTC_FETCH_ROWS_PER_PAGE 100
/* A download, or a rows API page, larger than this is refused. */
#define FTC_FETCH_MAX_BYTES (256 * 1024 * 1024)

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

/* TRUE when path has the pinned size and SHA-256 of source; else FALSE with FTC_ERROR_MISMATCH. An unpinned
 * source is checked against the SHA-256 recorded in path.sha256 when there is one. */
gboolean ftc_dataset_verify_file (const FtcDatasetSource *source, const char *path, GError **error);

/* Downloads one file of a source table (ftc_dataset_sources() or another of the same kind) into
 * <data dir>/<source->key>/<source->name>, as ftc_dataset_fetch does. */
gboolean ftc_dataset_fetch_source (const FtcDatasetSource *source, const FtcFetchOptions *options, GError **error);

G_END_DECLS
