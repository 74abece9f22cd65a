/* ftc-record.c: completion records as JSON lines. One table of fields drives reading and writing. */
#include "core/tasks/ftc-record.h"

#include <math.h>
#include <string.h>

#include "core/ftc-error.h"
#include "core/ftc-json-check.h"
#include "core/ftc-json-out.h"

#define READ_CHUNK 65536

typedef enum {
  FIELD_STRING,   /* string or null */
  FIELD_GOLD,     /* string or number */
  FIELD_INDEX,    /* non-negative integer */
  FIELD_BOOL,
  FIELD_USAGE,    /* {"prompt_tokens": n, "completion_tokens": n} */
  FIELD_OBJECT,   /* any JSON object */
} FieldKind;

typedef struct {
  const char *name;    /* written and read */
  const char *alias;   /* read only: the published teacher files' or reasoning-teacher's name */
  FieldKind kind;
  gsize offset;
} FieldRow;

#define F(field) G_STRUCT_OFFSET (FtcRecord, field)

static const FieldRow fields[] = {
  { "task", "dataset", FIELD_STRING, F (task) },
  { "sample_id", NULL, FIELD_STRING, F (sample_id) },
  { "sample_index", "index", FIELD_INDEX, F (sample_index) },
  { "completion_index", NULL, FIELD_INDEX, F (completion_index) },
  { "question", NULL, FIELD_STRING, F (question) },
  { "gold", "answer", FIELD_GOLD, F (gold) },
  { "reasoning_prompt", "prompt", FIELD_STRING, F (reasoning_prompt) },
  { "rationale", "reasoning_completion", FIELD_STRING, F (rationale) },
  { "answer_trigger", NULL, FIELD_STRING, F (answer_trigger) },
  { "answer_prompt", NULL, FIELD_STRING, F (answer_prompt) },
  { "answer_text", NULL, FIELD_STRING, F (answer_text) },
  { "completion", NULL, FIELD_STRING, F (completion) },
  { "prediction", NULL, FIELD_STRING, F (prediction) },
  { "correct", NULL, FIELD_BOOL, F (correct) },
  { "reasoning_finish_reason", NULL, FIELD_STRING, F (reasoning_finish_reason) },
  { "finish_reason", NULL, FIELD_STRING, F (finish_reason) },
  { "usage", NULL, FIELD_USAGE, 0 },
  { "model", NULL, FIELD_STRING, F (model) },
  { "params", NULL, FIELD_OBJECT, F (params) },
};

#undef F

#define FIELD_PTR(record, row, type) ((type *) G_STRUCT_MEMBER_P ((record), (row)->offset))

FtcRecord *
ftc_record_new (void)
{
  FtcRecord *record = g_new0 (FtcRecord, 1);

  record->sample_index = -1;
  record->prompt_tokens = -1;
  record->completion_tokens = -1;
  record->reasoning_tokens = -1;
  return record;
}

void
ftc_record_free (FtcRecord *record)
{
  if (record == NULL)
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    if (fields[i].kind == FIELD_STRING || fields[i].kind == FIELD_GOLD)
      g_free (*FIELD_PTR (record, &fields[i], char *));
  g_clear_pointer (&record->params, json_object_unref);
  g_free (record);
}

/* ---- reading one object ---- */

static const char *
node_type_name (JsonNode *node)
{
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
node_is (JsonNode *node, GType type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

/* Numbers the writer could not write back (json-glib reads 1e999 as inf) are refused. */
static gboolean
check_finite (JsonNode *node, const char *path, GError **error)
{
  if (node_is (node, G_TYPE_DOUBLE) && !isfinite (json_node_get_double (node)))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "field '%s': number out of range", path);
      return FALSE;
    }
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, &name, &member))
        {
          g_autofree char *child = g_strdup_printf ("%s.%s", path, name);
          if (!check_finite (member, child, error))
            return FALSE;
        }
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *child = g_strdup_printf ("%s[%u]", path, i);
          if (!check_finite (json_array_get_element (array, i), child, error))
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean
read_index (JsonNode *node, const char *name, gint64 *out, GError **error)
{
  if (!node_is (node, G_TYPE_INT64) || json_node_get_int (node) < 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "field '%s' must be a non-negative integer, not %s",
                   name, node_is (node, G_TYPE_INT64) ? "a negative number" : node_type_name (node));
      return FALSE;
    }
  *out = json_node_get_int (node);
  return TRUE;
}

static gboolean
read_field (FtcRecord *record, const FieldRow *row, const char *name, JsonNode *node, GError **error)
{
  switch (row->kind)
    {
    case FIELD_STRING:
      if (!node_is (node, G_TYPE_STRING))
        break;
      *FIELD_PTR (record, row, char *) = g_strdup (json_node_get_string (node));
      return TRUE;
    case FIELD_GOLD:
      if (node_is (node, G_TYPE_STRING))
        record->gold = g_strdup (json_node_get_string (node));
      else if (node_is (node, G_TYPE_INT64))
        record->gold = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      else if (node_is (node, G_TYPE_DOUBLE) && isfinite (json_node_get_double (node)))
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];
          record->gold = g_strdup (ftc_json_format_double (json_node_get_double (node), buf, sizeof buf));
        }
      else
        break;
      return TRUE;
    case FIELD_INDEX:
      return read_index (node, name, FIELD_PTR (record, row, gint64), error);
    case FIELD_BOOL:
      if (!node_is (node, G_TYPE_BOOLEAN))
        break;
      record->has_correct = TRUE;
      record->correct = json_node_get_boolean (node);
      return TRUE;
    case FIELD_USAGE:
      {
        JsonObject *usage;
        if (!JSON_NODE_HOLDS_OBJECT (node))
          break;
        usage = json_node_get_object (node);
        if (json_object_has_member (usage, "prompt_tokens")
            && !read_index (json_object_get_member (usage, "prompt_tokens"), "usage.prompt_tokens",
                            &record->prompt_tokens, error))
          return FALSE;
        if (json_object_has_member (usage, "completion_tokens")
            && !read_index (json_object_get_member (usage, "completion_tokens"), "usage.completion_tokens",
                            &record->completion_tokens, error))
          return FALSE;
        if (json_object_has_member (usage, "reasoning_tokens")
            && !read_index (json_object_get_member (usage, "reasoning_tokens"), "usage.reasoning_tokens",
                            &record->reasoning_tokens, error))
          return FALSE;
        return TRUE;
      }
    case FIELD_OBJECT:
      if (!JSON_NODE_HOLDS_OBJECT (node))
        break;
      if (!check_finite (node, name, error))
        return FALSE;
      *FIELD_PTR (record, row, JsonObject *) = json_object_ref (json_node_get_object (node));
      return TRUE;
    }
  g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "field '%s' must be %s, not %s", name,
               row->kind == FIELD_GOLD ? "a string or a number" : row->kind == FIELD_BOOL ? "a boolean"
               : row->kind == FIELD_STRING ? "a string" : "an object",
               node_type_name (node));
  return FALSE;
}

FtcRecord *
ftc_record_from_json (JsonObject *object, GError **error)
{
  g_autoptr (FtcRecord) record = ftc_record_new ();

  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      const FieldRow *row = &fields[i];
      const char *name = row->name;
      JsonNode *node = json_object_get_member (object, name);

      if (node == NULL && row->alias != NULL)
        node = json_object_get_member (object, name = row->alias);
      if (node == NULL || JSON_NODE_HOLDS_NULL (node))
        continue;
      if (!read_field (record, row, name, node, error))
        return NULL;
    }
  if (record->question == NULL)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "missing field 'question'");
      return NULL;
    }
  if (record->gold == NULL)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "missing field 'gold'");
      return NULL;
    }
  if (record->answer_text == NULL && record->completion == NULL)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "missing field 'answer_text' or 'completion'");
      return NULL;
    }
  return g_steal_pointer (&record);
}

/* ---- writing ---- */

static void
append_string (GString *out, const char *s)
{
  g_autofree char *valid = g_utf8_validate (s, -1, NULL) ? NULL : g_utf8_make_valid (s, -1);

  g_string_append_c (out, '"');
  for (const char *p = valid != NULL ? valid : s; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;
      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          if (c < 0x20 || c == 0x7f)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
        }
    }
  g_string_append_c (out, '"');
}

static void append_node (GString *out, JsonNode *node);

static void
append_object (GString *out, JsonObject *object)
{
  /* in the order the members were read or added */
  g_autoptr (GList) names = json_object_get_members (object);

  g_string_append_c (out, '{');
  for (GList *l = names; l != NULL; l = l->next)
    {
      if (l != names)
        g_string_append (out, ", ");
      append_string (out, l->data);
      g_string_append (out, ": ");
      append_node (out, json_object_get_member (object, l->data));
    }
  g_string_append_c (out, '}');
}

static void
append_node (GString *out, JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      append_object (out, json_node_get_object (node));
      return;
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        g_string_append_c (out, '[');
        for (guint i = 0; i < json_array_get_length (array); i++)
          {
            if (i > 0)
              g_string_append (out, ", ");
            append_node (out, json_array_get_element (array, i));
          }
        g_string_append_c (out, ']');
        return;
      }
    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          append_string (out, json_node_get_string (node));
          return;
        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
          return;
        case G_TYPE_INT64:
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
          return;
        case G_TYPE_DOUBLE:
          {
            /* the shortest exact text, "null" when not finite; integral values keep a ".0" */
            char buf[G_ASCII_DTOSTR_BUF_SIZE];
            g_string_append (out, ftc_json_format_double (json_node_get_double (node), buf, sizeof buf));
            return;
          }
        default:
          break;
        }
      break;
    case JSON_NODE_NULL:
    default:
      break;
    }
  g_string_append (out, "null");
}

char *
ftc_record_to_json_line (const FtcRecord *record)
{
  GString *out = g_string_new ("{");
  gboolean first = TRUE;

  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      const FieldRow *row = &fields[i];
      gsize mark = out->len;

      if (!first)
        g_string_append (out, ", ");
      append_string (out, row->name);
      g_string_append (out, ": ");
      switch (row->kind)
        {
        case FIELD_STRING:
        case FIELD_GOLD:
          {
            const char *s = *FIELD_PTR (record, row, char *);
            if (s == NULL)
              goto skip;
            append_string (out, s);
            break;
          }
        case FIELD_INDEX:
          {
            gint64 v = *FIELD_PTR (record, row, gint64);
            if (v < 0)
              goto skip;
            g_string_append_printf (out, "%" G_GINT64_FORMAT, v);
            break;
          }
        case FIELD_BOOL:
          if (!record->has_correct)
            goto skip;
          g_string_append (out, record->correct ? "true" : "false");
          break;
        case FIELD_USAGE:
          if (record->prompt_tokens < 0 && record->completion_tokens < 0)
            goto skip;
          g_string_append_c (out, '{');
          if (record->prompt_tokens >= 0)
            g_string_append_printf (out, "\"prompt_tokens\": %" G_GINT64_FORMAT, record->prompt_tokens);
          if (record->prompt_tokens >= 0 && record->completion_tokens >= 0)
            g_string_append (out, ", ");
          if (record->completion_tokens >= 0)
            g_string_append_printf (out, "\"completion_tokens\": %" G_GINT64_FORMAT, record->completion_tokens);
          if (record->reasoning_tokens >= 0)
            g_string_append_printf (out, "%s\"reasoning_tokens\": %" G_GINT64_FORMAT,
                                    record->prompt_tokens >= 0 || record->completion_tokens >= 0 ? ", " : "",
                                    record->reasoning_tokens);
          g_string_append_c (out, '}');
          break;
        case FIELD_OBJECT:
          {
            JsonObject *object = *FIELD_PTR (record, row, JsonObject *);
            if (object == NULL)
              goto skip;
            append_object (out, object);
            break;
          }
        }
      first = FALSE;
      continue;
    skip:
      g_string_truncate (out, mark);
    }
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

gboolean
ftc_record_write_file (const char *path, GPtrArray *records, GError **error)
{
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; i < records->len; i++)
    {
      g_autofree char *line = ftc_record_to_json_line (g_ptr_array_index (records, i));
      g_string_append (out, line);
      g_string_append_c (out, '\n');
    }
  return ftc_file_write_atomic (path, out->str, out->len, error);
}

/* ---- the streaming reader ---- */

struct _FtcRecordReader {
  GInputStream *stream;
  char *name;
  gsize max_line;
  gboolean allow_empty;
  guint line;          /* lines consumed so far */
  guint record_line;   /* the line of the last record */
  guint n_records;
  gboolean failed;
  gboolean eof;
  char *chunk;         /* read buffer */
  gsize chunk_len;
  gsize chunk_pos;
  GByteArray *text;    /* the current line */
};

FtcRecordReader *
ftc_record_reader_new (GInputStream *stream, const char *name)
{
  FtcRecordReader *reader = g_new0 (FtcRecordReader, 1);

  reader->stream = g_object_ref (stream);
  reader->name = g_strdup (name != NULL ? name : "<stream>");
  reader->max_line = FTC_RECORD_MAX_LINE_DEFAULT;
  reader->chunk = g_malloc (READ_CHUNK);
  reader->text = g_byte_array_new ();
  return reader;
}

FtcRecordReader *
ftc_record_reader_open (const char *path, GError **error)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GError) local = NULL;
  g_autoptr (GFileInputStream) stream = g_file_read (file, NULL, &local);

  if (stream == NULL)
    {
      g_set_error (error, FTC_ERROR,
                   g_error_matches (local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ? FTC_ERROR_NOT_FOUND
                   : FTC_ERROR_FAILED, "%s: %s", path, local->message);
      return NULL;
    }
  return ftc_record_reader_new (G_INPUT_STREAM (stream), path);
}

void
ftc_record_reader_set_max_line (FtcRecordReader *reader, gsize max_line)
{
  reader->max_line = MAX (max_line, 2);
}

void
ftc_record_reader_set_allow_empty (FtcRecordReader *reader, gboolean allow_empty)
{
  reader->allow_empty = allow_empty;
}

guint
ftc_record_reader_get_line (FtcRecordReader *reader)
{
  return reader->record_line;
}

void
ftc_record_reader_free (FtcRecordReader *reader)
{
  if (reader == NULL)
    return;
  g_object_unref (reader->stream);
  g_free (reader->name);
  g_free (reader->chunk);
  g_byte_array_unref (reader->text);
  g_free (reader);
}

static gboolean
fail (FtcRecordReader *reader, GError **error, FtcErrorCode code, const char *fmt, ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail (FtcRecordReader *reader, GError **error, FtcErrorCode code, const char *fmt, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, fmt);
  message = g_strdup_vprintf (fmt, args);
  va_end (args);
  reader->failed = TRUE;
  g_set_error (error, FTC_ERROR, code, "%s:%u: %s", reader->name, reader->line, message);
  return FALSE;
}

/* Reads the next line into reader->text (without its newline). FALSE at the end (error unset) or on
 * error. Never holds more than max_line bytes of a line plus one chunk. */
static gboolean
read_line (FtcRecordReader *reader, GError **error)
{
  g_byte_array_set_size (reader->text, 0);
  if (reader->eof)
    return FALSE;
  reader->line++;
  for (;;)
    {
      const char *start = reader->chunk + reader->chunk_pos;
      gsize avail = reader->chunk_len - reader->chunk_pos;
      const char *newline = memchr (start, '\n', avail);
      gsize take = newline != NULL ? (gsize) (newline - start) : avail;

      if (reader->text->len + take > reader->max_line)
        return fail (reader, error, FTC_ERROR_PARSE, "line longer than %" G_GSIZE_FORMAT " bytes",
                     reader->max_line);
      g_byte_array_append (reader->text, (const guint8 *) start, take);
      if (newline != NULL)
        {
          reader->chunk_pos += take + 1;
          return TRUE;
        }
      reader->chunk_pos = reader->chunk_len = 0;

      g_autoptr (GError) local = NULL;
      gssize n = g_input_stream_read (reader->stream, reader->chunk, READ_CHUNK, NULL, &local);
      if (n < 0)
        return fail (reader, error, FTC_ERROR_FAILED, "%s", local->message);
      if (n == 0)
        {
          reader->eof = TRUE;
          if (reader->text->len > 0)
            return TRUE;
          reader->line--;
          return FALSE;
        }
      reader->chunk_len = n;
    }
}

FtcRecord *
ftc_record_reader_next (FtcRecordReader *reader, GError **error)
{
  g_autoptr (GError) local = NULL;

  if (reader->failed)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: reading stopped at line %u after an error",
                   reader->name, reader->line);
      return NULL;
    }
  while (read_line (reader, &local))
    {
      char *text = (char *) reader->text->data;
      gsize len = reader->text->len;
      const char *bad = NULL;
      g_autoptr (JsonParser) parser = NULL;
      g_autofree char *syntax = NULL;
      gsize column = 0;
      JsonNode *root;
      FtcRecord *record;

      if (reader->line == 1 && len >= 3 && memcmp (text, "\xef\xbb\xbf", 3) == 0)
        {
          /* a byte order mark */
          text += 3;
          len -= 3;
        }
      if (len > 0 && text[len - 1] == '\r')
        len--;
      if (!g_utf8_validate_len (text, len, &bad))
        {
          if (*bad == '\0')
            fail (reader, error, FTC_ERROR_PARSE, "NUL byte at column %" G_GSIZE_FORMAT,
                  (gsize) (bad - text) + 1);
          else
            fail (reader, error, FTC_ERROR_PARSE, "invalid UTF-8 at byte %" G_GSIZE_FORMAT,
                  (gsize) (bad - text) + 1);
          return NULL;
        }
      /* blank lines are allowed (a final newline, spacing) */
      gsize blank = 0;
      while (blank < len && g_ascii_isspace (text[blank]))
        blank++;
      if (blank == len)
        continue;
      /* strict JSON first: json-glib alone would crash on deep nesting and accept non-JSON */
      syntax = ftc_json_check (text, len, FTC_RECORD_MAX_DEPTH, &column);
      if (syntax != NULL)
        {
          fail (reader, error, FTC_ERROR_PARSE, "malformed JSON at column %" G_GSIZE_FORMAT ": %s", column, syntax);
          return NULL;
        }
      parser = json_parser_new_immutable ();
      if (!json_parser_load_from_data (parser, text, len, &local))
        {
          fail (reader, error, FTC_ERROR_PARSE, "malformed JSON: %s", local->message);
          return NULL;
        }
      root = json_parser_get_root (parser);
      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        {
          fail (reader, error, FTC_ERROR_PARSE, "expected a JSON object, not %s",
                root != NULL ? node_type_name (root) : "nothing");
          return NULL;
        }
      record = ftc_record_from_json (json_node_get_object (root), &local);
      if (record == NULL)
        {
          fail (reader, error, FTC_ERROR_INVALID, "%s", local->message);
          return NULL;
        }
      reader->record_line = reader->line;
      reader->n_records++;
      return record;
    }
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  if (reader->n_records == 0 && !reader->allow_empty)
    {
      reader->failed = TRUE;
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: empty file (no records)", reader->name);
    }
  return NULL;
}

GPtrArray *
ftc_record_read_file (const char *path, GError **error)
{
  g_autoptr (FtcRecordReader) reader = ftc_record_reader_open (path, error);
  g_autoptr (GPtrArray) records = NULL;
  g_autoptr (GError) local = NULL;
  FtcRecord *record;

  if (reader == NULL)
    return NULL;
  records = g_ptr_array_new_with_free_func ((GDestroyNotify) ftc_record_free);
  while ((record = ftc_record_reader_next (reader, &local)) != NULL)
    g_ptr_array_add (records, record);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  return g_steal_pointer (&records);
}
