/* ftc-json-check.h: a strict JSON syntax check (RFC 8259) before json-glib sees a text.
 *
 * json-glib 1.6 recurses without a limit (deep nesting overflows the stack), accepts extensions that other
 * JSON readers refuse (single quotes, comments, hex numbers, "01", ".5"), reads "\u0000" as the end of a
 * string, and wraps integers beyond 64 bits. Checking first makes all of these clear errors. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* NULL when text[0..len) is exactly one JSON value (surrounded by optional whitespace) nested at most
 * max_depth arrays/objects deep; else what is wrong ("unterminated string") and, in *column, the 1-based
 * byte column where it was found. */
char *ftc_json_check (const char *text, gsize len, int max_depth, gsize *column);

G_END_DECLS
