/* ftc-jsonl.h: the one JSONL reader (completion records, review.jsonl, fine-tuning samples, metrics.jsonl,
 * task imports, dataset files).
 *
 * One JSON object per line, parsed by core/ftc-json-in.h; one line in memory at a time, never longer than
 * the line limit. Blank lines are skipped; a trailing CR is dropped. A last line without its newline that
 * does not parse is a torn append (a writer killed mid-line) and is ignored unless told otherwise; one
 * that parses is read.
 * Errors say "NAME:LINE: what" (FTC_ERROR_PARSE); after one the reader stops. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define FTC_JSONL_MAX_LINE (16u * 1024 * 1024)

typedef struct _FtcJsonlReader FtcJsonlReader;

/* path must be a regular file (core/ftc-read.h, FTC_INPUT_JSONL); FTC_ERROR_NOT_FOUND when it is missing. */
FtcJsonlReader *ftc_jsonl_reader_open (const char *path, GError **error);
/* Reads on from byte offset of path, counting lines from first_line: for files that grow (the studio
 * follows metrics.jsonl and teacher records this way, with ftc_jsonl_reader_get_offset). */
FtcJsonlReader *ftc_jsonl_reader_open_at (const char *path, guint64 offset, guint first_line, GError **error);
/* Reads stream; name is what errors call it. */
FtcJsonlReader *ftc_jsonl_reader_new_for_stream (GInputStream *stream, const char *name);
/* Reads data[0..len), which must outlive the reader. */
FtcJsonlReader *ftc_jsonl_reader_new_for_data (const char *data, gsize len, const char *name);
void ftc_jsonl_reader_free (FtcJsonlReader *reader);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcJsonlReader, ftc_jsonl_reader_free)

void ftc_jsonl_reader_set_max_line (FtcJsonlReader *reader, gsize max_line);
/* Following a file that is being written: a last line without its newline is left unread (it may be
 * complete later) instead of being read or dropped. */
void ftc_jsonl_reader_set_follow (FtcJsonlReader *reader, gboolean follow);

/* Whether a torn last line is ignored (the default: files that are appended to) or an error (files that
 * are written whole, such as imports, where a malformed last line is a mistake to report). */
void ftc_jsonl_reader_set_ignore_torn (FtcJsonlReader *reader, gboolean ignore);

/* The next object (unref it); NULL at the end (error unset) or on error. */
JsonObject *ftc_jsonl_reader_next (FtcJsonlReader *reader, GError **error);

const char *ftc_jsonl_reader_get_name (FtcJsonlReader *reader);
/* The line the last object came from (1-based). */
guint ftc_jsonl_reader_get_line (FtcJsonlReader *reader);
/* Bytes of the input consumed so far (from the start of the file, also when opened at an offset), up to
 * the end of the last line read: where a later ftc_jsonl_reader_open_at goes on. */
guint64 ftc_jsonl_reader_get_offset (FtcJsonlReader *reader);
/* Lines consumed so far (counting those before the offset given to ftc_jsonl_reader_open_at). */
guint ftc_jsonl_reader_get_line_count (FtcJsonlReader *reader);
/* Whether a torn last line was ignored, and its length in bytes. */
gsize ftc_jsonl_reader_get_torn (FtcJsonlReader *reader);
/* The number of objects read so far. */
guint ftc_jsonl_reader_get_count (FtcJsonlReader *reader);

/* Sets error to "NAME:LINE: message" for the line of the last object (a field the caller refuses), with
 * code, and stops the reader. Returns FALSE. */
gboolean ftc_jsonl_reader_fail (FtcJsonlReader *reader, GError **error, int code, const char *format, ...)
  G_GNUC_PRINTF (4, 5);
/* Prefixes local's message with "NAME:LINE: " and moves it into error; stops the reader. Returns FALSE. */
gboolean ftc_jsonl_reader_propagate (FtcJsonlReader *reader, GError **error, GError *local);

G_END_DECLS
