/* ftc-json-in.h: the one entry point for reading JSON. json-glib's parser is reached only from here.
 *
 * A text is read in three steps: strict UTF-8 (no NUL byte, a leading byte order mark skipped), the strict
 * RFC 8259 check of core/ftc-json-check.h (nesting at most FTC_JSON_MAX_DEPTH deep, integers inside 64
 * bits, other numbers finite, no member name twice), then json-glib builds the tree. Errors are
 * FTC_ERROR_PARSE and say "NAME:LINE: malformed JSON at column COLUMN: what (field 'a.b[2]')".
 *
 * The getters below read one member with its type and range checked; their errors name the field and
 * what was expected ("field 'training.epochs' must be an integer from 1 to 1000, not 1e+12"), so a value
 * is never silently wrapped, truncated or replaced by a default. JSONL files are read with
 * core/ftc-jsonl.h, which parses each line here. */
#pragma once

#include <json-glib/json-glib.h>

#include "core/ftc-read.h"

G_BEGIN_DECLS

/* Arrays and objects nested deeper than this are refused: json-glib recurses once per level. */
#define FTC_JSON_MAX_DEPTH 64

/* Parses text[0..len) (need not be NUL-terminated) as one JSON value; name is what errors call it (a path,
 * "the answer of http://..."). Free the result with json_node_unref. */
JsonNode *ftc_json_parse (const char *text, gsize len, const char *name, GError **error);
/* The same for one line of a JSONL file: errors say "NAME:LINE: ...". */
JsonNode *ftc_json_parse_line (const char *text, gsize len, const char *name, guint line, GError **error);
/* The same, but the root must be an object ("NAME: expected a JSON object, not an array"). */
JsonObject *ftc_json_parse_object (const char *text, gsize len, const char *name, GError **error);

/* The file at path, read through core/ftc-read.h (a regular file, at most the kind's limit) and parsed. */
JsonNode *ftc_json_read_file (const char *path, FtcInputKind kind, GError **error);
JsonObject *ftc_json_read_object_file (const char *path, FtcInputKind kind, GError **error);

/* The same for files other programs write, whose integers beyond 64 bits ftcot never reads as integers
 * (tokenizer_config.json's "model_max_length": 1000000000000000019884624838656): such integers are read as
 * doubles, never wrapped; a getter that wants an integer still refuses them by its range. Every other
 * reader refuses them, so that no value changes on its way in. */
JsonNode *ftc_json_parse_wide (const char *text, gsize len, const char *name, GError **error);
JsonObject *ftc_json_read_object_file_wide (const char *path, FtcInputKind kind, GError **error);

/* "a string", "an array", "a number", "null", ...: what a node holds, for messages. */
const char *ftc_json_node_type_name (JsonNode *node);
/* The node as short JSON text for messages ("1e+12", "\"x\"", "[...]"). */
char *ftc_json_node_describe (JsonNode *node);

/* A number node as an integer in [min, max]: an integer, or a double with an integral value inside the
 * 64-bit range (3.0, 1e3). field names it in errors (FTC_ERROR_INVALID). */
gboolean ftc_json_node_get_int (JsonNode *node, const char *field, gint64 min, gint64 max, gint64 *out,
                                GError **error);
/* A number node as a finite double in [min, max]. */
gboolean ftc_json_node_get_double (JsonNode *node, const char *field, double min, double max, double *out,
                                   GError **error);

/* Members of object, read into *out when present and not null (then *out keeps its value and the result
 * is TRUE); field is what errors call the member (member itself when NULL). */
gboolean ftc_json_get_int (JsonObject *object, const char *member, const char *field, gint64 min, gint64 max,
                           gint64 *out, GError **error);
gboolean ftc_json_get_double (JsonObject *object, const char *member, const char *field, double min, double max,
                              double *out, GError **error);
gboolean ftc_json_get_bool (JsonObject *object, const char *member, const char *field, gboolean *out,
                            GError **error);
/* *out points into object (do not free), NULL when absent or null. */
gboolean ftc_json_get_string (JsonObject *object, const char *member, const char *field, const char **out,
                              GError **error);
/* *out points into object, NULL when absent or null. */
gboolean ftc_json_get_object (JsonObject *object, const char *member, const char *field, JsonObject **out,
                              GError **error);
gboolean ftc_json_get_array (JsonObject *object, const char *member, const char *field, JsonArray **out,
                             GError **error);

/* FALSE with "field 'NAME' is missing" when object has no such member (or it is null). */
gboolean ftc_json_require (JsonObject *object, const char *member, const char *field, GError **error);

G_END_DECLS
