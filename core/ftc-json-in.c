/* ftc-json-in.c: JSON text to json-glib trees, checked first; typed getters with range checks. */
#include "core/ftc-json-in.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "core/ftc-error.h"
#include "core/ftc-json-check.h"
#include "core/ftc-json-out.h"

/* 1-based line and column of byte offset in text */
static void
locate (const char *text, gsize offset, guint *line, gsize *column)
{
  const char *line_start = text;

  *line = 1;
  for (const char *p = text; p < text + offset; p++)
    if (*p == '\n')
      {
        (*line)++;
        line_start = p + 1;
      }
  *column = (gsize) (text + offset - line_start) + 1;
}

/* nothing but JSON whitespace (text need not be NUL-terminated) */
static gboolean
is_blank (const char *text, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\n')
      return FALSE;
  return TRUE;
}

/* A copy of text in which every integer beyond 64 bits becomes a double ("...656" -> "...656.0"):
 * tokenizer_config.json files say "model_max_length": 1000000000000000019884624838656. json-glib would
 * wrap such an integer; as a double it keeps its value, and a getter that wants an integer refuses it by
 * its field's range. text has passed the check in every other respect. */
static char *
big_integers_as_doubles (const char *text, gsize len, gsize *out_len)
{
  GString *out = g_string_sized_new (len + 16);
  gboolean in_string = FALSE;

  for (gsize i = 0; i < len; i++)
    {
      const char c = text[i];

      if (in_string)
        {
          g_string_append_c (out, c);
          if (c == '\\' && i + 1 < len)
            g_string_append_c (out, text[++i]);
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      if (c == '"')
        in_string = TRUE;
      if (c == '-' || g_ascii_isdigit (c))
        {
          gsize j = i + (c == '-');
          gboolean integer = TRUE;
          g_autofree char *digits = NULL;

          while (j < len && (g_ascii_isdigit (text[j]) || text[j] == '.' || text[j] == 'e' || text[j] == 'E'
                             || ((text[j] == '+' || text[j] == '-') && (text[j - 1] == 'e' || text[j - 1] == 'E'))))
            {
              integer &= g_ascii_isdigit (text[j]);
              j++;
            }
          g_string_append_len (out, text + i, (gssize) (j - i));
          digits = g_strndup (text + i, j - i);
          errno = 0;
          if (integer && j - i > 18 && (g_ascii_strtoll (digits, NULL, 10), errno == ERANGE))
            g_string_append (out, ".0");
          i = j - 1;
          continue;
        }
      g_string_append_c (out, c);
    }
  *out_len = out->len;
  return g_string_free (out, FALSE);
}

/* line 0: text is a whole file, lines are counted in it; else text is that line of a JSONL file */
static JsonNode *
parse (const char *text, gsize len, const char *name, guint line, gboolean wide, GError **error)
{
  g_autofree char *widened = NULL;
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) local = NULL;
  g_autofree char *what = NULL;
  g_autofree char *field = NULL;
  const char *bad = NULL;
  gsize offset = 0, column;
  guint at_line;

  if (len >= 3 && memcmp (text, "\xef\xbb\xbf", 3) == 0)
    {
      /* a byte order mark */
      text += 3;
      len -= 3;
    }
  if (!g_utf8_validate_len (text, len, &bad))
    {
      locate (text, (gsize) (bad - text), &at_line, &column);
      g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "%s:%u: %s at %s %" G_GSIZE_FORMAT, name,
                   line > 0 ? line : at_line, *bad == '\0' ? "NUL byte" : "invalid UTF-8",
                   *bad == '\0' ? "column" : "byte", column);
      return NULL;
    }
  what = ftc_json_check (text, len, FTC_JSON_MAX_DEPTH, &offset, &field);
  if (wide && what != NULL && strcmp (what, "integer out of the 64-bit range") == 0)
    {
      g_clear_pointer (&what, g_free);
      g_clear_pointer (&field, g_free);
      widened = big_integers_as_doubles (text, len, &len);
      text = widened;
      what = ftc_json_check (text, len, FTC_JSON_MAX_DEPTH, &offset, &field);
    }
  if (what != NULL)
    {
      locate (text, offset, &at_line, &column);
      if (is_blank (text, len))
        g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "%s: empty (no JSON value)", name);
      else if (strcmp (what, "number out of range") == 0)
        /* well-formed, but json-glib would read infinity, which no JSON writer can write back */
        g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s:%u: field '%s': number out of range (beyond "
                     "1.8e308, at column %" G_GSIZE_FORMAT ")", name, line > 0 ? line : at_line,
                     field != NULL ? field : "(top level)", column);
      else if (field != NULL)
        g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "%s:%u: malformed JSON at column %" G_GSIZE_FORMAT
                     ": %s (field '%s')", name, line > 0 ? line : at_line, column, what, field);
      else
        g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "%s:%u: malformed JSON at column %" G_GSIZE_FORMAT
                     ": %s", name, line > 0 ? line : at_line, column, what);
      return NULL;
    }
  /* the check passed: json-glib recurses at most FTC_JSON_MAX_DEPTH deep and sees only plain JSON */
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, text, (gssize) len, &local) || json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "%s: malformed JSON: %s", name,
                   local != NULL ? local->message : "no value");
      return NULL;
    }
  return json_parser_steal_root (parser);
}

JsonNode *
ftc_json_parse (const char *text, gsize len, const char *name, GError **error)
{
  return parse (text, len, name, 0, FALSE, error);
}

JsonNode *
ftc_json_parse_line (const char *text, gsize len, const char *name, guint line, GError **error)
{
  return parse (text, len, name, MAX (line, 1), FALSE, error);
}

static JsonObject *
object_of (JsonNode *node, const char *name, GError **error)
{
  JsonObject *object;

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "%s: expected a JSON object, not %s", name,
                   ftc_json_node_type_name (node));
      json_node_unref (node);
      return NULL;
    }
  object = json_object_ref (json_node_get_object (node));
  json_node_unref (node);
  return object;
}

JsonObject *
ftc_json_parse_object (const char *text, gsize len, const char *name, GError **error)
{
  return object_of (ftc_json_parse (text, len, name, error), name, error);
}

JsonNode *
ftc_json_read_file (const char *path, FtcInputKind kind, GError **error)
{
  g_autofree char *text = NULL;
  gsize len = 0;

  if (!ftc_file_read (path, kind, &text, &len, error))
    return NULL;
  return ftc_json_parse (text, len, path, error);
}

JsonObject *
ftc_json_read_object_file (const char *path, FtcInputKind kind, GError **error)
{
  return object_of (ftc_json_read_file (path, kind, error), path, error);
}

JsonNode *
ftc_json_parse_wide (const char *text, gsize len, const char *name, GError **error)
{
  return parse (text, len, name, 0, TRUE, error);
}

JsonObject *
ftc_json_read_object_file_wide (const char *path, FtcInputKind kind, GError **error)
{
  g_autofree char *text = NULL;
  gsize len = 0;

  if (!ftc_file_read (path, kind, &text, &len, error))
    return NULL;
  return object_of (parse (text, len, path, 0, TRUE, error), path, error);
}

/* ---- getters ---- */

const char *
ftc_json_node_type_name (JsonNode *node)
{
  if (node == NULL)
    return "nothing";
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      return "an object";
    case JSON_NODE_ARRAY:
      return "an array";
    case JSON_NODE_NULL:
      return "null";
    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          return "a string";
        case G_TYPE_BOOLEAN:
          return "a boolean";
        default:
          return "a number";
        }
    default:
      return "unknown";
    }
}

static gboolean
is_number (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node)
         && (json_node_get_value_type (node) == G_TYPE_INT64 || json_node_get_value_type (node) == G_TYPE_DOUBLE);
}

char *
ftc_json_node_describe (JsonNode *node)
{
  char buf[40];

  if (is_number (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  if (is_number (node))
    return g_strdup (ftc_json_format_double (json_node_get_double (node), buf, sizeof buf));
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return g_strdup (json_node_get_boolean (node) ? "true" : "false");
  return g_strdup (ftc_json_node_type_name (node));
}

static char *
int_range (gint64 min, gint64 max)
{
  if (min == G_MININT64 && max == G_MAXINT64)
    return g_strdup ("an integer");
  if (min == 0 && max == G_MAXINT64)
    return g_strdup ("a non-negative integer");
  if (min == 1 && max == G_MAXINT64)
    return g_strdup ("a positive integer");
  if (max == G_MAXINT64)
    return g_strdup_printf ("an integer of at least %" G_GINT64_FORMAT, min);
  if (min == G_MININT64)
    return g_strdup_printf ("an integer of at most %" G_GINT64_FORMAT, max);
  return g_strdup_printf ("an integer from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT, min, max);
}

gboolean
ftc_json_node_get_int (JsonNode *node, const char *field, gint64 min, gint64 max, gint64 *out, GError **error)
{
  gint64 v = 0;
  gboolean ok = FALSE;

  if (is_number (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    {
      v = json_node_get_int (node);
      ok = TRUE;
    }
  else if (is_number (node))
    {
      /* 3.0 or 1e3: an integral double strictly inside the 64-bit range (2^63 itself is not) */
      double d = json_node_get_double (node);
      if (isfinite (d) && d == floor (d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0)
        {
          v = (gint64) d;
          ok = TRUE;
        }
    }
  if (!ok || v < min || v > max)
    {
      g_autofree char *expected = int_range (min, max);
      g_autofree char *got = ftc_json_node_describe (node);
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "field '%s' must be %s, not %s", field, expected, got);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

gboolean
ftc_json_node_get_double (JsonNode *node, const char *field, double min, double max, double *out, GError **error)
{
  double v = is_number (node) ? json_node_get_double (node) : NAN;

  if (!isfinite (v) || v < min || v > max)
    {
      g_autofree char *got = ftc_json_node_describe (node);
      char lo[40], hi[40];
      if (isinf (min) && isinf (max))
        g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "field '%s' must be a number, not %s", field, got);
      else if (isinf (max))
        g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "field '%s' must be a number of at least %s, not %s", field,
                     ftc_json_format_double (min, lo, sizeof lo), got);
      else if (isinf (min))
        g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "field '%s' must be a number of at most %s, not %s", field,
                     ftc_json_format_double (max, hi, sizeof hi), got);
      else
        g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "field '%s' must be a number from %s to %s, not %s", field,
                     ftc_json_format_double (min, lo, sizeof lo), ftc_json_format_double (max, hi, sizeof hi), got);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

/* the member, NULL when absent or null */
static JsonNode *
member (JsonObject *object, const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && !JSON_NODE_HOLDS_NULL (node) ? node : NULL;
}

static gboolean
wrong_type (JsonNode *node, const char *field, const char *expected, GError **error)
{
  g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "field '%s' must be %s, not %s", field, expected,
               ftc_json_node_type_name (node));
  return FALSE;
}

gboolean
ftc_json_get_int (JsonObject *object, const char *name, const char *field, gint64 min, gint64 max, gint64 *out,
                  GError **error)
{
  JsonNode *node = member (object, name);

  return node == NULL || ftc_json_node_get_int (node, field != NULL ? field : name, min, max, out, error);
}

gboolean
ftc_json_get_double (JsonObject *object, const char *name, const char *field, double min, double max, double *out,
                     GError **error)
{
  JsonNode *node = member (object, name);

  return node == NULL || ftc_json_node_get_double (node, field != NULL ? field : name, min, max, out, error);
}

gboolean
ftc_json_get_bool (JsonObject *object, const char *name, const char *field, gboolean *out, GError **error)
{
  JsonNode *node = member (object, name);

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return wrong_type (node, field != NULL ? field : name, "true or false", error);
  *out = json_node_get_boolean (node);
  return TRUE;
}

gboolean
ftc_json_get_string (JsonObject *object, const char *name, const char *field, const char **out, GError **error)
{
  JsonNode *node = member (object, name);

  *out = NULL;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return wrong_type (node, field != NULL ? field : name, "a string", error);
  *out = json_node_get_string (node);
  return TRUE;
}

gboolean
ftc_json_get_object (JsonObject *object, const char *name, const char *field, JsonObject **out, GError **error)
{
  JsonNode *node = member (object, name);

  *out = NULL;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return wrong_type (node, field != NULL ? field : name, "an object", error);
  *out = json_node_get_object (node);
  return TRUE;
}

gboolean
ftc_json_get_array (JsonObject *object, const char *name, const char *field, JsonArray **out, GError **error)
{
  JsonNode *node = member (object, name);

  *out = NULL;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return wrong_type (node, field != NULL ? field : name, "an array", error);
  *out = json_node_get_array (node);
  return TRUE;
}

gboolean
ftc_json_require (JsonObject *object, const char *name, const char *field, GError **error)
{
  if (member (object, name) != NULL)
    return TRUE;
  g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "field '%s' is missing", field != NULL ? field : name);
  return FALSE;
}
