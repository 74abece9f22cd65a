/* ftc-json-out.h: JSON text the way people read it, and atomic JSON files.
 *
 * json-glib prints doubles with 17 significant digits (3e-4 becomes 0.00029999999999999997); files that
 * people edit by hand (experiment.json) and read (report/summary.json) use the shortest text that reads
 * back as the same double instead. Output: 2-space indent, `"key": value`, short arrays of scalars on
 * one line, members in insertion order, non-finite numbers as null (JSON has no NaN). */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The shortest decimal text (at most 17 significant digits) that parses back to value; "null" if value
 * is not finite. Writes into buf (at least 32 bytes) and returns it. */
const char *ftc_json_format_double (double value, char *buf, gsize len);

/* node as pretty JSON text, ending in a newline. */
char *ftc_json_to_pretty_string (JsonNode *node);

/* node on one line without a newline, numbers as above: a JSONL line. */
char *ftc_json_to_line (JsonNode *node);
char *ftc_json_object_to_line (JsonObject *object);

/* Writes node as pretty JSON to path atomically (temporary file, fsync, rename). Errors name the path. */
gboolean ftc_json_write_file (const char *path, JsonNode *node, GError **error);

/* Writes contents to path atomically (temporary file, fsync, rename). Errors name the path. */
gboolean ftc_file_write_atomic (const char *path, const char *contents, gssize len, GError **error);

G_END_DECLS
