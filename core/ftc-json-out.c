#include "core/ftc-json-out.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/ftc-error.h"

const char *
ftc_json_format_double (double value, char *buf, gsize len)
{
  if (!isfinite (value))
    {
      g_strlcpy (buf, "null", len);
      return buf;
    }
  int digits;

  for (digits = 1; digits <= 17; digits++)
    {
      /* increasing precision: the first text that round-trips is the shortest */
      char format[8];
      g_snprintf (format, sizeof format, "%%.%dg", digits);
      g_ascii_formatd (buf, len, format, value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }
  /* %g writes 100 as "1e+02": people read plain decimals better where they are not long */
  if (strchr (buf, 'e') != NULL && value != 0.0 && fabs (value) >= 1e-5 && fabs (value) < 1e15)
    {
      char format[8], fixed[40];
      int exponent = (int) floor (log10 (fabs (value)));
      g_snprintf (format, sizeof format, "%%.%df", MAX (0, MIN (digits, 17) - 1 - exponent));
      g_ascii_formatd (fixed, sizeof fixed, format, value);
      if (g_ascii_strtod (fixed, NULL) == value)
        g_strlcpy (buf, fixed, len);
    }
  /* integral values keep a decimal point so they read back as doubles (the JSON type survives) */
  if (strpbrk (buf, ".eEn") == NULL && strlen (buf) + 2 < len)
    strcat (buf, ".0");
  return buf;
}

static void
append_string (GString *out, const char *s)
{
  /* the reader refuses invalid UTF-8: a string that is not (bytes a model produced) is repaired here */
  g_autofree char *valid = g_utf8_validate (s, -1, NULL) ? NULL : g_utf8_make_valid (s, -1);

  g_string_append_c (out, '"');
  for (const unsigned char *p = (const unsigned char *) (valid != NULL ? valid : s); *p != '\0'; p++)
    switch (*p)
      {
      case '"': g_string_append (out, "\\\""); break;
      case '\\': g_string_append (out, "\\\\"); break;
      case '\n': g_string_append (out, "\\n"); break;
      case '\r': g_string_append (out, "\\r"); break;
      case '\t': g_string_append (out, "\\t"); break;
      default:
        if (*p < 0x20 || *p == 0x7f)
          g_string_append_printf (out, "\\u%04x", *p);
        else
          g_string_append_c (out, (char) *p);
      }
  g_string_append_c (out, '"');
}

typedef enum {
  STYLE_PRETTY,    /* files: 2-space indents, short arrays of scalars on one line */
  STYLE_LINE,      /* JSONL: one line, `{"a": 1, "b": [1, 2]}` */
  STYLE_COMPACT,   /* one line without spaces: HTTP bodies, command output */
  STYLE_KEY,       /* compact, with json-glib 1.6's strings and doubles: see ftc_json_to_key_text */
} Style;

/* json-glib 1.6's string escapes: \u00XX for 0x01..0x1e and 0x7f (but not 0x1f), other bytes as they are */
static void
append_key_string (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (const unsigned char *p = (const unsigned char *) s; *p != '\0'; p++)
    switch (*p)
      {
      case '"': g_string_append (out, "\\\""); break;
      case '\\': g_string_append (out, "\\\\"); break;
      case '\b': g_string_append (out, "\\b"); break;
      case '\f': g_string_append (out, "\\f"); break;
      case '\n': g_string_append (out, "\\n"); break;
      case '\r': g_string_append (out, "\\r"); break;
      case '\t': g_string_append (out, "\\t"); break;
      default:
        if ((*p < 0x1f) || *p == 0x7f)
          g_string_append_printf (out, "\\u%04x", *p);
        else
          g_string_append_c (out, (char) *p);
      }
  g_string_append_c (out, '"');
}

static void
append_value (GString *out, JsonNode *node, Style style)
{
  char buf[40];

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_BOOLEAN:
      g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
      break;
    case G_TYPE_INT64:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
      break;
    case G_TYPE_DOUBLE:
      if (style == STYLE_KEY)
        {
          /* 17 significant digits, ".0" appended where there is no point (even after an exponent) */
          g_ascii_dtostr (buf, sizeof buf, json_node_get_double (node));
          g_string_append (out, buf);
          if (strchr (buf, '.') == NULL)
            g_string_append (out, ".0");
        }
      else
        g_string_append (out, ftc_json_format_double (json_node_get_double (node), buf, sizeof buf));
      break;
    case G_TYPE_STRING:
      if (style == STYLE_KEY)
        append_key_string (out, json_node_get_string (node));
      else
        append_string (out, json_node_get_string (node));
      break;
    default:
      g_string_append (out, "null");
    }
}

static gboolean
is_short_scalar_array (JsonArray *array)
{
  gsize total = 0;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *e = json_array_get_element (array, i);
      if (JSON_NODE_HOLDS_OBJECT (e) || JSON_NODE_HOLDS_ARRAY (e))
        return FALSE;
      if (JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING)
        total += strlen (json_node_get_string (e)) + 4;
      else
        total += 12;
    }
  return total <= 100;
}

static void
append_node (GString *out, JsonNode *node, int depth, Style style)
{
  gboolean pretty = style == STYLE_PRETTY;
  const char *comma = style == STYLE_LINE ? ", " : ",";

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        g_autoptr (GList) members = json_object_get_members (object);

        if (members == NULL)
          {
            g_string_append (out, "{}");
            break;
          }
        g_string_append (out, pretty ? "{\n" : "{");
        for (GList *l = members; l != NULL; l = l->next)
          {
            if (pretty)
              g_string_append_printf (out, "%*s", 2 * (depth + 1), "");
            if (style == STYLE_KEY)
              append_key_string (out, l->data);
            else
              append_string (out, l->data);
            g_string_append (out, pretty || style == STYLE_LINE ? ": " : ":");
            append_node (out, json_object_get_member (object, l->data), depth + 1, style);
            if (!pretty)
              g_string_append (out, l->next != NULL ? comma : "");
            else
              g_string_append (out, l->next != NULL ? ",\n" : "\n");
          }
        if (pretty)
          g_string_append_printf (out, "%*s", 2 * depth, "");
        g_string_append_c (out, '}');
        break;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);
        gboolean inline_ = !pretty || is_short_scalar_array (array);

        if (n == 0)
          {
            g_string_append (out, "[]");
            break;
          }
        g_string_append (out, inline_ ? "[" : "[\n");
        for (guint i = 0; i < n; i++)
          {
            if (!inline_)
              g_string_append_printf (out, "%*s", 2 * (depth + 1), "");
            append_node (out, json_array_get_element (array, i), depth + 1, style);
            if (i + 1 < n)
              g_string_append (out, !pretty ? comma : inline_ ? ", " : ",\n");
            else if (!inline_)
              g_string_append_c (out, '\n');
          }
        if (!inline_)
          g_string_append_printf (out, "%*s", 2 * depth, "");
        g_string_append_c (out, ']');
        break;
      }
    case JSON_NODE_VALUE:
      append_value (out, node, style);
      break;
    case JSON_NODE_NULL:
      g_string_append (out, "null");
      break;
    }
}

static char *
to_text (JsonNode *node, Style style)
{
  GString *out = g_string_new (NULL);

  append_node (out, node, 0, style);
  if (style == STYLE_PRETTY)
    g_string_append_c (out, '\n');
  return g_string_free (out, FALSE);
}

char *
ftc_json_to_pretty_string (JsonNode *node)
{
  return to_text (node, STYLE_PRETTY);
}

char *
ftc_json_to_line (JsonNode *node)
{
  return to_text (node, STYLE_LINE);
}

char *
ftc_json_object_to_line (JsonObject *object)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), object);

  return ftc_json_to_line (node);
}

char *
ftc_json_to_compact (JsonNode *node)
{
  return to_text (node, STYLE_COMPACT);
}

char *
ftc_json_object_to_compact (JsonObject *object)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), object);

  return ftc_json_to_compact (node);
}

char *
ftc_json_to_key_text (JsonNode *node)
{
  return to_text (node, STYLE_KEY);
}

gboolean
ftc_file_write_atomic (const char *path, const char *contents, gssize len, GError **error)
{
  g_autoptr (GError) local = NULL;

  if (!g_file_set_contents_full (path, contents, len,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0644, &local))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: cannot write: %s", path, local->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
ftc_json_write_file (const char *path, JsonNode *node, GError **error)
{
  g_autofree char *text = ftc_json_to_pretty_string (node);

  return ftc_file_write_atomic (path, text, -1, error);
}

gboolean
ftc_json_write_object_file (const char *path, JsonObject *object, GError **error)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), object);

  return ftc_json_write_file (path, node, error);
}
