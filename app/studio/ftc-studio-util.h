/* ftc-studio-util.h: small helpers the studio views share: JSONL reading, tolerant field access, atomic
 * writes, resource registration. Nothing here touches widgets, so worker threads may call all of it. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define FTC_STUDIO_APP_ID "io.github.ftcot.Studio"
#define FTC_STUDIO_RESOURCE_PATH "/io/github/ftcot/Studio"

/* Registers the compiled GResource (once) and, when a display exists, the application stylesheet. */
void ftc_studio_init (void);

/* Called for each JSON object line; line_no counts from 1 (from the offset when reading on). Return FALSE
 * with error set to fail, FALSE without an error to stop reading early (not a failure). */
typedef gboolean (*FtcJsonlFunc) (JsonObject *obj, guint line_no, gpointer user_data, GError **error);

/* Reads a JSONL file line by line through core's reader (core/ftc-jsonl.h). Blank lines are skipped. A
 * malformed line is an error naming the file and line, except a last line without its newline when
 * tolerate_partial_tail is set (an append log cut short by a crash): that one is ignored. If offset is not
 * NULL, reading starts there, a last line without its newline is left for the next read (the file is being
 * written) and *offset is set to the end of the last complete line read, for incremental re-reads of a
 * growing file. A missing file is G_IO_ERROR_NOT_FOUND. */
gboolean ftc_studio_read_jsonl (const char *path, goffset *offset, gboolean tolerate_partial_tail,
                                FtcJsonlFunc func, gpointer user_data, GCancellable *cancellable,
                                GError **error);

/* Field access that never fails: fallback when the member is absent, null or of another type. */
const char *ftc_json_string (JsonObject *obj, const char *name, const char *fallback);
gint64 ftc_json_int (JsonObject *obj, const char *name, gint64 fallback);
double ftc_json_double (JsonObject *obj, const char *name, double fallback);
gboolean ftc_json_bool (JsonObject *obj, const char *name, gboolean fallback);
JsonObject *ftc_json_object (JsonObject *obj, const char *name);   /* NULL if absent or not an object */
gboolean ftc_json_has_number (JsonObject *obj, const char *name);

/* Writes contents atomically (temp file, fsync, rename). */
gboolean ftc_studio_write_atomic (const char *path, const char *contents, gssize len, GError **error);

/* Sorted list of the .jsonl files of dir (full paths); empty when dir does not exist. The teach job's
 * request caches (NAME.requests.jsonl) are not completion records and are left out. */
GPtrArray *ftc_studio_list_jsonl (const char *dir);
/* The task key a records file is named after: "coin_flip" for teacher/coin_flip.train.jsonl or
 * teacher/coin_flip.jsonl (task keys hold no dots). */
char *ftc_studio_task_of_file (const char *path);

/* "Fine-tune-CoT (D=2)" for "ft_cot_d2", "Teacher" for "teacher", ...: what a user reads for a method key. */
char *ftc_studio_method_title (const char *method);
/* Orders method keys as the reports do: teacher, random, zero-shot, vanilla, then Fine-tune-CoT by D. */
int ftc_studio_method_compare (const char *a, const char *b);
/* D of a Fine-tune-CoT method key ("ft_cot" -> 1, "ft_cot_d4" -> 4), 0 for other methods. */
int ftc_studio_method_diversity (const char *method);

G_END_DECLS
