/* ftc-json-out.h: the one JSON writer. Every JSON file, JSONL line and JSON text ftcot writes is printed
 * here; nothing in core/ or app/ prints JSON with json-glib's generator.
 *
 * Numbers: an integer (a JSON int64 node) prints as its digits ("9007199254740993"). A double prints as
 * the shortest decimal text that reads back as the same double ("0.7", "1e-08", "5e-324",
 * "1.7976931348623157e+308"; plain decimals from 1e-5 to 1e15: "0.0003", "1234.5"), never with noise
 * digits ("0.69999999999999996") or a point after an exponent ("1e-08.0"). A double with an integral
 * value keeps a decimal point ("3.0", "-0.0", "1e+20" has its exponent) so that it reads back as a
 * double: the JSON type of every value survives a write and a read. Non-finite numbers print as null
 * (JSON has no NaN). Strings: invalid UTF-8 is repaired (U+FFFD), control characters and DEL are escaped.
 *
 * Styles: pretty files (2-space indent, `"key": value`, short arrays of scalars on one line, members in
 * insertion order); JSONL lines (`{"a": 1, "b": [1, 2]}`, no newline); compact text without spaces (HTTP
 * bodies, command output). */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The shortest decimal text (at most 17 significant digits) that parses back to value; "null" if value
 * is not finite. Writes into buf (at least 32 bytes) and returns it. */
const char *ftc_json_format_double (double value, char *buf, gsize len);

/* node as pretty JSON text, ending in a newline. */
char *ftc_json_to_pretty_string (JsonNode *node);

/* node on one line without a newline: a JSONL line. */
char *ftc_json_to_line (JsonNode *node);
char *ftc_json_object_to_line (JsonObject *object);

/* node on one line without any space. */
char *ftc_json_to_compact (JsonNode *node);
char *ftc_json_object_to_compact (JsonObject *object);

/* The text a request key is hashed from (core/teach/ftc-completion-store.h): compact, with doubles and
 * string escapes exactly as json-glib 1.6's generator printed them when the first answer stores were
 * written (doubles with 17 significant digits: 0.7 is "0.69999999999999996"), so that their keys still
 * match. Never change it: a changed key makes ftcot pay again for answers it has. Not for files. */
char *ftc_json_to_key_text (JsonNode *node);

/* Writes node as pretty JSON to path atomically (temporary file, fsync, rename). Errors name the path. */
gboolean ftc_json_write_file (const char *path, JsonNode *node, GError **error);
gboolean ftc_json_write_object_file (const char *path, JsonObject *object, GError **error);

/* Writes contents to path atomically (temporary file, fsync, rename). Errors name the path. */
gboolean ftc_file_write_atomic (const char *path, const char *contents, gssize len, GError **error);

G_END_DECLS
