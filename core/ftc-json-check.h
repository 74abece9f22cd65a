/* ftc-json-check.h: a strict JSON syntax check (RFC 8259) before json-glib sees a text.
 *
 * json-glib 1.6 recurses without a limit (deep nesting overflows the stack), accepts extensions that other
 * JSON readers refuse (single quotes, comments, hex numbers, "01", ".5"), reads "\u0000" as the end of a
 * string, wraps integers beyond 64 bits, reads 1e999 as infinity and keeps one of two members of the same
 * name. Checking first makes all of these clear errors. Only core/ftc-json-in.c calls this; everything else
 * reads JSON through it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* NULL when text[0..len) is exactly one JSON value (surrounded by optional whitespace) nested at most
 * max_depth arrays/objects deep, with integers inside the 64-bit range, other numbers finite and no
 * member name twice in one object; else what is wrong ("unterminated string"), with, in *offset (may be
 * NULL), the 0-based byte offset where it was found and, in *field (may be NULL; free it), the member
 * path of the value at fault ("training.epochs", "steps[2].op"), NULL at the top level. A number beyond
 * the range of a double (1e999) is "number out of range". */
char *ftc_json_check (const char *text, gsize len, int max_depth, gsize *offset, char **field);

G_END_DECLS
