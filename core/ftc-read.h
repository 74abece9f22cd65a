/* ftc-read.h: the one bounded way to read a file of outside data.
 *
 * A path is opened without blocking (O_NONBLOCK: a FIFO can neither hang the open nor a read), checked to
 * be a regular file after links are followed (a FIFO, a device such as /dev/zero, a socket or a directory
 * is refused), and read up to a stated limit for its kind of input. Errors name the path and say what is
 * wrong: FTC_ERROR_NOT_FOUND when the path does not exist, FTC_ERROR_INVALID when it is not a regular file
 * or larger than its limit, FTC_ERROR_FAILED when reading fails. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  FTC_INPUT_CONFIG,      /* experiment.json, config.json, tokenizer_config.json, trainer_state.json, teach
                            manifests and summaries, price files, split files, report summaries: 16 MiB */
  FTC_INPUT_TOKENIZER,   /* vocab.json, merges.txt, tokenizer.json: 64 MiB */
  FTC_INPUT_DATA,        /* files read whole: dataset files, task imports, replay files, `ftcot generate
                            --input`, `ftcot tokenize` input, CSV: 1 GiB */
  FTC_INPUT_JSONL,       /* files read a line at a time (core/ftc-jsonl.h; each line at most 16 MiB):
                            completion records, review.jsonl, fine-tuning samples, metrics.jsonl: 64 GiB */
  FTC_INPUT_KEY,         /* an API key file: 64 KiB */
  FTC_INPUT_WEIGHTS,     /* model.safetensors and optimizer state, mapped rather than read: 256 GiB */
  FTC_INPUT_HTTP_BODY,   /* one answer from a teacher's server: 64 MiB */
} FtcInputKind;

/* The size limit of a kind of input, in bytes. */
guint64 ftc_input_limit (FtcInputKind kind);
/* What the kind is called in messages ("a configuration file"). */
const char *ftc_input_name (FtcInputKind kind);

/* A file descriptor open for reading on path (close it), a regular file; *size (may be NULL) is its size
 * when opened. A file larger than the kind's limit is refused. */
int ftc_file_open_regular (const char *path, FtcInputKind kind, guint64 *size, GError **error);

/* The whole file in *contents (NUL-terminated; free it), its length in *len (may be NULL). Never reads
 * more than the kind's limit, even from a file that grows while it is read. */
gboolean ftc_file_read (const char *path, FtcInputKind kind, char **contents, gsize *len, GError **error);

/* All of an open descriptor (standard input, a pipe) up to the kind's limit; name is what errors call it.
 * size_hint (may be 0) is how much to expect. */
gboolean ftc_fd_read (int fd, const char *name, FtcInputKind kind, guint64 size_hint, char **contents, gsize *len,
                      GError **error);

/* The file mapped read-only (unref it); an empty file maps to no bytes. */
GMappedFile *ftc_file_map (const char *path, FtcInputKind kind, GError **error);

/* TRUE when path exists (as anything: a FIFO or a link to a device exists too, and is refused when read). */
gboolean ftc_path_exists (const char *path);

G_END_DECLS
