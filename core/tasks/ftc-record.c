/* ftc-record.c: completion records as JSON lines. One table of fields drives reading and writing. */
#include "core/tasks/ftc-record.h"

#include <math.h>
#include <string.h>

#include "core/ftc-error.h"
#include "core/ftc-json-in.h"
#include "core/ftc-json-out.h"
#include "core/ftc-jsonl.h"

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
                   name, node_is (node, G_TYPE_INT64) ? "a negative number" : ftc_json_node_type_name (node));
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
               ftc_json_node_type_name (node));
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

char *
ftc_record_to_json_line (const FtcRecord *record)
{
  g_autoptr (JsonObject) o = json_object_new ();

  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      const FieldRow *row = &fields[i];

      switch (row->kind)
        {
        case FIELD_STRING:
        case FIELD_GOLD:
          {
            const char *s = *FIELD_PTR (record, row, char *);
            if (s != NULL)
              json_object_set_string_member (o, row->name, s);
            break;
          }
        case FIELD_INDEX:
          {
            gint64 v = *FIELD_PTR (record, row, gint64);
            if (v >= 0)
              json_object_set_int_member (o, row->name, v);
            break;
          }
        case FIELD_BOOL:
          if (record->has_correct)
            json_object_set_boolean_member (o, row->name, record->correct);
          break;
        case FIELD_USAGE:
          if (record->prompt_tokens >= 0 || record->completion_tokens >= 0 || record->reasoning_tokens >= 0)
            {
              JsonObject *usage = json_object_new ();
              if (record->prompt_tokens >= 0)
                json_object_set_int_member (usage, "prompt_tokens", record->prompt_tokens);
              if (record->completion_tokens >= 0)
                json_object_set_int_member (usage, "completion_tokens", record->completion_tokens);
              if (record->reasoning_tokens >= 0)
                json_object_set_int_member (usage, "reasoning_tokens", record->reasoning_tokens);
              json_object_set_object_member (o, row->name, usage);
            }
          break;
        case FIELD_OBJECT:
          {
            JsonObject *object = *FIELD_PTR (record, row, JsonObject *);
            if (object != NULL)
              json_object_set_object_member (o, row->name, json_object_ref (object));
            break;
          }
        }
    }
  return ftc_json_object_to_line (o);
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

/* ---- the streaming reader: core/ftc-jsonl.h and the fields above ---- */

struct _FtcRecordReader {
  FtcJsonlReader *lines;
  gboolean allow_empty;
};

static FtcRecordReader *
reader_wrap (FtcJsonlReader *lines)
{
  FtcRecordReader *reader = g_new0 (FtcRecordReader, 1);

  reader->lines = lines;
  ftc_jsonl_reader_set_max_line (lines, FTC_RECORD_MAX_LINE_DEFAULT);
  return reader;
}

FtcRecordReader *
ftc_record_reader_new (GInputStream *stream, const char *name)
{
  return reader_wrap (ftc_jsonl_reader_new_for_stream (stream, name));
}

FtcRecordReader *
ftc_record_reader_open (const char *path, GError **error)
{
  FtcJsonlReader *lines = ftc_jsonl_reader_open (path, error);

  return lines != NULL ? reader_wrap (lines) : NULL;
}

void
ftc_record_reader_set_max_line (FtcRecordReader *reader, gsize max_line)
{
  ftc_jsonl_reader_set_max_line (reader->lines, max_line);
}

void
ftc_record_reader_set_allow_empty (FtcRecordReader *reader, gboolean allow_empty)
{
  reader->allow_empty = allow_empty;
}

guint
ftc_record_reader_get_line (FtcRecordReader *reader)
{
  return ftc_jsonl_reader_get_line (reader->lines);
}

void
ftc_record_reader_free (FtcRecordReader *reader)
{
  if (reader == NULL)
    return;
  ftc_jsonl_reader_free (reader->lines);
  g_free (reader);
}

FtcRecord *
ftc_record_reader_next (FtcRecordReader *reader, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (JsonObject) object = ftc_jsonl_reader_next (reader->lines, &local);
  FtcRecord *record;

  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  if (object == NULL)
    {
      if (ftc_jsonl_reader_get_count (reader->lines) == 0 && !reader->allow_empty)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: empty file (no records)",
                       ftc_jsonl_reader_get_name (reader->lines));
          /* once: the next call reads the end again */
          reader->allow_empty = TRUE;
        }
      return NULL;
    }
  record = ftc_record_from_json (object, &local);
  if (record == NULL)
    {
      ftc_jsonl_reader_fail (reader->lines, error, FTC_ERROR_INVALID, "%s", local->message);
      return NULL;
    }
  return record;
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
