/* ftc-task-import.c: tasks from JSONL and CSV (RFC 4180), tasks to JSONL. */
#include "core/tasks/ftc-task-import.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "core/tasks/ftc-dataset.h"
#include "core/ftc-error.h"
#include "core/tasks/ftc-synthetic-steps.h"
#include "core/ftc-json-in.h"
#include "core/ftc-json-out.h"
#include "core/ftc-jsonl.h"
#include "core/ftc-read.h"

typedef struct {
  FtcTask *task;
  const char *name;
  GHashTable *ids;          /* id -> NULL */
  GArray *splits;           /* int per sample: -1 none, 0 train, 1 test */
  int max_letter;           /* highest choice letter seen, -1 none */
  gboolean mixed_types;
} Import;

static gboolean
fail (GError **error, int code, const char *where, const char *fmt, ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail (GError **error, int code, const char *where, const char *fmt, ...)
{
  va_list args;
  g_autofree char *msg = NULL;

  va_start (args, fmt);
  msg = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_set_error (error, FTC_ERROR, code, "%s: %s", where, msg);
  return FALSE;
}

static char *
canonical_number (const char *s)
{
  g_autofree char *copy = g_strstrip (g_strdup (s));
  GString *out = g_string_new (NULL);
  char *end = NULL;

  for (const char *p = copy; *p; p++)
    if (*p != ',')
      g_string_append_c (out, *p);
  if (out->len == 0 || (g_ascii_strtod (out->str, &end), *end != '\0'))
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

/* The gold answer of a record in canonical form, or NULL with an error. */
static char *
answer_of (JsonNode *node, FtcAnswerType type, int n_choices, const char *where, GError **error)
{
  GType vt = node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
  g_autofree char *text = NULL;

  if (node == NULL)
    return fail (error, FTC_ERROR_INVALID, where, "missing field 'answer'"), NULL;
  if (vt == G_TYPE_STRING)
    text = g_strstrip (g_strdup (json_node_get_string (node)));
  else if (vt == G_TYPE_INT64)
    text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  else if (vt == G_TYPE_DOUBLE)
    text = ftc_dataset_format_number (json_node_get_double (node));
  else if (vt == G_TYPE_BOOLEAN && type == FTC_ANSWER_YESNO)
    text = g_strdup (json_node_get_boolean (node) ? "yes" : "no");
  else
    return fail (error, FTC_ERROR_INVALID, where, "field 'answer' must be a string or a number"), NULL;

  switch (type)
    {
    case FTC_ANSWER_NUMBER:
      {
        char *n = canonical_number (text);
        if (n == NULL)
          fail (error, FTC_ERROR_INVALID, where, "answer '%s' is not a number", text);
        return n;
      }
    case FTC_ANSWER_CHOICE:
      {
        const char *t = text;
        gsize n = strlen (t);
        char label;
        /* "B" or "(B)" */
        if (n == 3 && t[0] == '(' && t[2] == ')')
          t++, n = 1;
        /* a numbered choice, "1" for the first (ARC numbers some items' choices) */
        if ((n == 1 && t[0] >= '1' && t[0] <= '9') || (n == 2 && g_ascii_isdigit (t[0]) && g_ascii_isdigit (t[1])))
          {
            int v = n == 1 ? t[0] - '0' : (t[0] - '0') * 10 + (t[1] - '0');
            if (v < 1 || v > 26)
              return fail (error, FTC_ERROR_INVALID, where, "answer '%s' is not a choice label", text), NULL;
            label = (char) ('A' + v - 1);
            t = &label;
            n = 1;
          }
        if (n != 1 || !g_ascii_isalpha (t[0]))
          return fail (error, FTC_ERROR_INVALID, where, "answer '%s' is not a choice letter", text), NULL;
        char letter = g_ascii_toupper (t[0]);
        if (n_choices > 0 && letter - 'A' >= n_choices)
          return fail (error, FTC_ERROR_INVALID, where, "answer '%c' is beyond the %d choices", letter,
                       n_choices), NULL;
        return g_strndup (&letter, 1);
      }
    case FTC_ANSWER_YESNO:
      {
        g_autofree char *lower = g_ascii_strdown (text, -1);
        if (strcmp (lower, "yes") != 0 && strcmp (lower, "no") != 0)
          return fail (error, FTC_ERROR_INVALID, where, "answer '%s' is not yes or no", text), NULL;
        return g_steal_pointer (&lower);
      }
    case FTC_ANSWER_TEXT:
    default:
      if (*text == '\0')
        return fail (error, FTC_ERROR_INVALID, where, "field 'answer' is empty"), NULL;
      return g_steal_pointer (&text);
    }
}

static const char *
string_member (JsonObject *obj, const char *field, gboolean required, const char *where, GError **error)
{
  JsonNode *node = json_object_get_member (obj, field);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        fail (error, FTC_ERROR_INVALID, where, "missing field '%s'", field);
      return NULL;
    }
  if (json_node_get_value_type (node) != G_TYPE_STRING)
    {
      fail (error, FTC_ERROR_INVALID, where, "field '%s' must be a string", field);
      return NULL;
    }
  return json_node_get_string (node);
}

/* One record (a JSON object; CSV rows are converted to one) to a sample. */
static gboolean
add_record (Import *im, JsonObject *obj, const char *where, GError **error)
{
  g_autoptr (FtcSample) s = ftc_sample_new ();
  GError *local = NULL;
  const char *question, *type_name, *split;
  JsonNode *id_node, *choices_node, *steps_node;
  g_autoptr (GPtrArray) choices = NULL;
  int split_value = -1;

  question = string_member (obj, "question", TRUE, where, &local);
  if (local == NULL)
    type_name = string_member (obj, "answer_type", TRUE, where, &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  if (*question == '\0' || strspn (question, " \t\r\n") == strlen (question))
    return fail (error, FTC_ERROR_INVALID, where, "field 'question' is empty");
  if (!ftc_answer_type_from_string (type_name, &s->answer_type))
    return fail (error, FTC_ERROR_INVALID, where,
                 "field 'answer_type' must be one of number, choice, yesno, text (got '%s')", type_name);

  choices_node = json_object_get_member (obj, "choices");
  if (choices_node != NULL && !JSON_NODE_HOLDS_NULL (choices_node))
    {
      JsonArray *array;
      if (!JSON_NODE_HOLDS_ARRAY (choices_node))
        return fail (error, FTC_ERROR_INVALID, where, "field 'choices' must be an array of strings");
      array = json_node_get_array (choices_node);
      choices = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *c = json_array_get_element (array, i);
          if (json_node_get_value_type (c) != G_TYPE_STRING)
            return fail (error, FTC_ERROR_INVALID, where, "choice %u must be a string", i + 1);
          g_ptr_array_add (choices, g_strstrip (g_strdup (json_node_get_string (c))));
        }
      if (choices->len > 26)
        return fail (error, FTC_ERROR_INVALID, where, "%u choices; at most 26 (A..Z)", choices->len);
      if (choices->len < 2)
        return fail (error, FTC_ERROR_INVALID, where, "field 'choices' needs at least 2 choices");
      if (s->answer_type != FTC_ANSWER_CHOICE)
        return fail (error, FTC_ERROR_INVALID, where, "field 'choices' is given for answer_type '%s'", type_name);
    }

  s->answer = answer_of (json_object_get_member (obj, "answer"), s->answer_type,
                         choices != NULL ? (int) choices->len : 0, where, error);
  if (s->answer == NULL)
    return FALSE;

  split = string_member (obj, "split", FALSE, where, &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  if (split != NULL)
    {
      if (strcmp (split, "train") == 0)
        split_value = 0;
      else if (strcmp (split, "test") == 0)
        split_value = 1;
      else
        return fail (error, FTC_ERROR_INVALID, where, "field 'split' must be \"train\" or \"test\" (got '%s')", split);
    }
  if (im->splits->len > 0 && (split_value < 0) != (g_array_index (im->splits, int, 0) < 0))
    return fail (error, FTC_ERROR_INVALID, where,
                 "field 'split' must be given for every record or for none");
  g_array_append_val (im->splits, split_value);

  id_node = json_object_get_member (obj, "id");
  s->index = im->task->samples->len;
  if (id_node == NULL || JSON_NODE_HOLDS_NULL (id_node)
      || (json_node_get_value_type (id_node) == G_TYPE_STRING && *json_node_get_string (id_node) == '\0'))
    s->id = g_strdup_printf ("%s-%d", im->task->key, s->index);
  else if (json_node_get_value_type (id_node) == G_TYPE_STRING)
    s->id = g_strdup (json_node_get_string (id_node));
  else if (json_node_get_value_type (id_node) == G_TYPE_INT64)
    s->id = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (id_node));
  else
    return fail (error, FTC_ERROR_INVALID, where, "field 'id' must be a string or an integer");
  if (g_hash_table_contains (im->ids, s->id))
    return fail (error, FTC_ERROR_INVALID, where, "id '%s' is used twice", s->id);
  g_hash_table_add (im->ids, g_strdup (s->id));

  /* solution steps for the scripted teacher: checked here, so that a file that imports also teaches */
  steps_node = json_object_get_member (obj, "steps");
  if (steps_node != NULL && !JSON_NODE_HOLDS_NULL (steps_node))
    {
      g_autoptr (GError) bad = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (steps_node))
        return fail (error, FTC_ERROR_INVALID, where, "field 'steps' must be an object (a synthetic solution, "
                     "docs/tasks.md)");
      /* steps that name a family are a synthetic solution; others are the user's own notes, kept as they are
       * (the scripted teacher refuses them when asked to teach from them) */
      if (json_object_has_member (json_node_get_object (steps_node), "family")
          && !ftc_synthetic_steps_check (json_node_get_object (steps_node), s->answer, &bad))
        return fail (error, FTC_ERROR_INVALID, where, "field 'steps': %s", bad->message);
      s->steps_json = ftc_json_to_compact (steps_node);
    }

  if (choices != NULL && strstr (question, "Answer Choices:") == NULL)
    {
      /* the reference formatting, so the teacher sees the options */
      GString *q = g_string_new (question);
      g_string_truncate (q, strlen (g_strchomp (q->str)));
      g_string_append (q, " Answer Choices:");
      for (guint i = 0; i < choices->len; i++)
        g_string_append_printf (q, " (%c) %s", 'A' + i, (const char *) g_ptr_array_index (choices, i));
      s->question = g_string_free (q, FALSE);
    }
  else
    s->question = g_strdup (question);
  if (choices != NULL)
    {
      im->max_letter = MAX (im->max_letter, (int) choices->len - 1);
      g_ptr_array_add (choices, NULL);
      s->choices = (char **) g_ptr_array_free (g_steal_pointer (&choices), FALSE);
    }
  else if (s->answer_type == FTC_ANSWER_CHOICE)
    im->max_letter = MAX (im->max_letter, s->answer[0] - 'A');

  if (im->task->samples->len == 0)
    im->task->answer_type = s->answer_type;
  else if (s->answer_type != im->task->answer_type)
    im->mixed_types = TRUE;
  ftc_task_add_sample (im->task, g_steal_pointer (&s));
  return TRUE;
}

/* ---- JSONL ---- */

static gboolean
import_jsonl (Import *im, const char *data, gsize len, GError **error)
{
  g_autoptr (FtcJsonlReader) reader = ftc_jsonl_reader_new_for_data (data, len, im->name);
  g_autoptr (GError) local = NULL;
  JsonObject *obj;

  /* a file written whole: a malformed last line is a mistake to report, not a torn append */
  ftc_jsonl_reader_set_ignore_torn (reader, FALSE);
  ftc_jsonl_reader_set_max_line (reader, FTC_IMPORT_MAX_RECORD);
  while ((obj = ftc_jsonl_reader_next (reader, &local)) != NULL)
    {
      g_autofree char *where = g_strdup_printf ("%s:%u", im->name, ftc_jsonl_reader_get_line (reader));
      gboolean ok = add_record (im, obj, where, error);

      json_object_unref (obj);
      if (!ok)
        return FALSE;
    }
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return TRUE;
}

/* ---- CSV (RFC 4180) ---- */

typedef struct {
  const char *data;
  gsize len;
  gsize pos;
  int line;
  const char *name;
} Csv;

/* Reads one record into fields; FALSE at the end of the data (no error) or on an error. */
static gboolean
csv_record (Csv *c, GPtrArray *fields, int *start_line, GError **error)
{
  gsize record_start = c->pos;
  GString *field = g_string_new (NULL);

  g_ptr_array_set_size (fields, 0);
  *start_line = c->line;
  if (c->pos >= c->len)
    {
      g_string_free (field, TRUE);
      return FALSE;
    }
  for (;;)
    {
      g_autofree char *where = NULL;

      if (c->pos - record_start > FTC_IMPORT_MAX_RECORD)
        {
          where = g_strdup_printf ("%s:%d", c->name, *start_line);
          g_string_free (field, TRUE);
          return fail (error, FTC_ERROR_PARSE, where, "record longer than %d bytes", FTC_IMPORT_MAX_RECORD);
        }
      if (c->pos < c->len && c->data[c->pos] == '"')
        {
          int opened = c->line;
          c->pos++;
          for (;;)
            {
              if (c->pos >= c->len)
                {
                  where = g_strdup_printf ("%s:%d", c->name, opened);
                  g_string_free (field, TRUE);
                  return fail (error, FTC_ERROR_PARSE, where, "unterminated quoted field");
                }
              char ch = c->data[c->pos];
              if (ch == '"')
                {
                  if (c->pos + 1 < c->len && c->data[c->pos + 1] == '"')
                    {
                      g_string_append_c (field, '"');
                      c->pos += 2;
                      continue;
                    }
                  c->pos++;
                  break;
                }
              if (ch == '\n')
                c->line++;
              g_string_append_c (field, ch);
              c->pos++;
              if (c->pos - record_start > FTC_IMPORT_MAX_RECORD)
                {
                  where = g_strdup_printf ("%s:%d", c->name, *start_line);
                  g_string_free (field, TRUE);
                  return fail (error, FTC_ERROR_PARSE, where, "record longer than %d bytes", FTC_IMPORT_MAX_RECORD);
                }
            }
          if (c->pos < c->len && c->data[c->pos] != ',' && c->data[c->pos] != '\n'
              && !(c->data[c->pos] == '\r' && c->pos + 1 < c->len && c->data[c->pos + 1] == '\n'))
            {
              where = g_strdup_printf ("%s:%d", c->name, c->line);
              g_string_free (field, TRUE);
              return fail (error, FTC_ERROR_PARSE, where, "unexpected character after a closing quote");
            }
        }
      else
        {
          while (c->pos < c->len && c->data[c->pos] != ',' && c->data[c->pos] != '\n'
                 && !(c->data[c->pos] == '\r' && c->pos + 1 < c->len && c->data[c->pos + 1] == '\n'))
            {
              if (c->data[c->pos] == '"')
                {
                  where = g_strdup_printf ("%s:%d", c->name, c->line);
                  g_string_free (field, TRUE);
                  return fail (error, FTC_ERROR_PARSE, where, "a quote inside an unquoted field");
                }
              if (c->pos - record_start > FTC_IMPORT_MAX_RECORD)
                {
                  where = g_strdup_printf ("%s:%d", c->name, *start_line);
                  g_string_free (field, TRUE);
                  return fail (error, FTC_ERROR_PARSE, where, "record longer than %d bytes", FTC_IMPORT_MAX_RECORD);
                }
              g_string_append_c (field, c->data[c->pos]);
              c->pos++;
            }
        }
      g_ptr_array_add (fields, g_strndup (field->str, field->len));
      g_string_truncate (field, 0);
      if (c->pos >= c->len)
        break;
      if (c->data[c->pos] == ',')
        {
          c->pos++;
          continue;
        }
      /* end of the record: "\n" or "\r\n" */
      c->pos += c->data[c->pos] == '\r' ? 2 : 1;
      c->line++;
      break;
    }
  g_string_free (field, TRUE);
  return TRUE;
}

/* Column index of choice letter i in a CSV header ("A", "choice_a", "option_a"), or -1. */
static int
choice_column (GPtrArray *header, int letter)
{
  for (guint i = 0; i < header->len; i++)
    {
      const char *h = g_ptr_array_index (header, i);
      if ((strlen (h) == 1 && g_ascii_toupper (h[0]) == 'A' + letter)
          || ((g_ascii_strncasecmp (h, "choice_", 7) == 0 || g_ascii_strncasecmp (h, "option_", 7) == 0)
              && strlen (h) == 8 && g_ascii_toupper (h[7]) == 'A' + letter))
        return i;
    }
  return -1;
}

static gboolean
import_csv (Import *im, const char *data, gsize len, GError **error)
{
  Csv c = { data, len, 0, 1, im->name };
  g_autoptr (GPtrArray) header = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  int line;
  int choices_col = -1;
  int letter_cols[26];
  int n_letter_cols = 0;

  if (!csv_record (&c, header, &line, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "%s: empty file", im->name);
      return FALSE;
    }
  for (guint i = 0; i < header->len; i++)
    {
      char *h = g_ptr_array_index (header, i);
      g_strstrip (h);
      for (guint j = 0; j < i; j++)
        if (*h != '\0' && strcmp (h, g_ptr_array_index (header, j)) == 0)
          {
            g_autofree char *where = g_strdup_printf ("%s:%d", im->name, line);
            return fail (error, FTC_ERROR_PARSE, where, "column '%s' appears twice in the header", h);
          }
      if (strcmp (h, "choices") == 0)
        choices_col = i;
    }
  for (int l = 0; l < 26; l++)
    {
      letter_cols[l] = choice_column (header, l);
      if (letter_cols[l] < 0)
        break;
      n_letter_cols++;
    }

  while (csv_record (&c, fields, &line, error))
    {
      g_autofree char *where = g_strdup_printf ("%s:%d", im->name, line);
      g_autoptr (JsonObject) obj = json_object_new ();
      JsonArray *choices = NULL;

      if (fields->len == 1 && *(char *) g_ptr_array_index (fields, 0) == '\0')
        continue;   /* an empty line */
      if (fields->len != header->len)
        return fail (error, FTC_ERROR_PARSE, where, "%u fields, the header has %u", fields->len, header->len);
      for (guint i = 0; i < header->len; i++)
        {
          const char *h = g_ptr_array_index (header, i);
          const char *v = g_ptr_array_index (fields, i);
          if ((int) i == choices_col || *h == '\0')
            continue;
          if ((strcmp (h, "split") == 0 || strcmp (h, "id") == 0) && *v == '\0')
            continue;
          json_object_set_string_member (obj, h, v);
        }
      if (choices_col >= 0 && *(char *) g_ptr_array_index (fields, choices_col) != '\0')
        {
          g_auto (GStrv) parts = g_strsplit (g_ptr_array_index (fields, choices_col), "|", -1);
          choices = json_array_new ();
          for (guint i = 0; parts[i] != NULL; i++)
            json_array_add_string_element (choices, g_strstrip (parts[i]));
        }
      else if (n_letter_cols > 0)
        {
          choices = json_array_new ();
          for (int l = 0; l < n_letter_cols; l++)
            {
              const char *v = g_ptr_array_index (fields, letter_cols[l]);
              if (*v == '\0')
                break;   /* fewer choices in this row */
              json_array_add_string_element (choices, v);
            }
          if (json_array_get_length (choices) == 0)
            g_clear_pointer (&choices, json_array_unref);
        }
      if (choices != NULL)
        json_object_set_array_member (obj, "choices", choices);
      if (!add_record (im, obj, where, error))
        return FALSE;
    }
  return error == NULL || *error == NULL;
}

/* ---- entry points ---- */

static const char *
trigger_for (FtcTask *task, int max_letter, gboolean mixed)
{
  if (mixed)
    return "Therefore, the answer is";
  switch (task->answer_type)
    {
    case FTC_ANSWER_NUMBER: return "Therefore, the answer (arabic numerals) is";
    case FTC_ANSWER_YESNO: return "Therefore, the answer (Yes or No) is";
    case FTC_ANSWER_CHOICE: return max_letter >= 1 ? NULL : "Therefore, the answer is";
    default: return "Therefore, the answer is";
    }
}

FtcTask *
ftc_task_import_data (const char *data, gsize len, FtcImportFormat format, const char *name, GError **error)
{
  g_autoptr (FtcTask) task = NULL;
  g_autoptr (GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GArray) splits = g_array_new (FALSE, FALSE, sizeof (int));
  g_autofree char *base = g_path_get_basename (name != NULL ? name : "task");
  const char *end = NULL;
  const char *trigger;
  char *dot;
  Import im = { 0 };
  gboolean ok;

  if (!g_utf8_validate (data, len, &end))
    {
      int line = 1;
      for (const char *p = data; p < end; p++)
        line += *p == '\n';
      g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "%s:%d: invalid UTF-8 (or a NUL byte)", name, line);
      return NULL;
    }
  /* a UTF-8 byte order mark is not data */
  if (len >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    data += 3, len -= 3;

  if (format == FTC_IMPORT_AUTO)
    {
      g_autofree char *lower = g_ascii_strdown (base, -1);
      if (g_str_has_suffix (lower, ".csv"))
        format = FTC_IMPORT_CSV;
      else if (g_str_has_suffix (lower, ".jsonl") || g_str_has_suffix (lower, ".json")
               || g_str_has_suffix (lower, ".ndjson"))
        format = FTC_IMPORT_JSONL;
      else
        {
          gsize i = 0;
          while (i < len && g_ascii_isspace (data[i]))
            i++;
          format = i < len && data[i] == '{' ? FTC_IMPORT_JSONL : FTC_IMPORT_CSV;
        }
    }

  if ((dot = strrchr (base, '.')) != NULL && dot != base)
    *dot = '\0';
  task = ftc_task_new (base, base, FTC_ANSWER_TEXT);
  im.task = task;
  im.name = name != NULL ? name : "task";
  im.ids = ids;
  im.splits = splits;
  im.max_letter = -1;

  ok = format == FTC_IMPORT_CSV ? import_csv (&im, data, len, error) : import_jsonl (&im, data, len, error);
  if (!ok)
    return NULL;
  if (task->samples->len == 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "%s: empty file (no records)", im.name);
      return NULL;
    }

  trigger = trigger_for (task, im.max_letter, im.mixed_types);
  if (trigger != NULL)
    task->answer_trigger = g_strdup (trigger);
  else
    task->answer_trigger = g_strdup_printf ("Therefore, among A through %c, the answer is", 'A' + im.max_letter);
  if (task->answer_type == FTC_ANSWER_CHOICE && !im.mixed_types)
    task->n_choices = im.max_letter + 1;

  if (g_array_index (splits, int, 0) >= 0)
    {
      for (guint i = 0; i < splits->len; i++)
        {
          int pos = i;
          g_array_append_val (g_array_index (splits, int, i) == 0 ? task->train : task->test, pos);
        }
      task->split_name = g_strdup ("file");
    }
  else
    ftc_task_split_seeded (task, 0.7, 0);
  return g_steal_pointer (&task);
}

FtcTask *
ftc_task_import_file (const char *path, FtcImportFormat format, GError **error)
{
  g_autoptr (GMappedFile) file = ftc_file_map (path, FTC_INPUT_DATA, error);

  if (file == NULL)
    return NULL;
  if (g_mapped_file_get_length (file) == 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "%s: empty file", path);
      return NULL;
    }
  return ftc_task_import_data (g_mapped_file_get_contents (file), g_mapped_file_get_length (file), format, path,
                               error);
}

gboolean
ftc_task_save_jsonl (FtcTask *task, const char *path, GError **error)
{
  g_autoptr (GString) out = g_string_new (NULL);
  g_autofree signed char *split = g_new0 (signed char, MAX (task->samples->len, 1));

  for (guint i = 0; i < task->samples->len; i++)
    split[i] = -1;
  for (guint i = 0; i < task->train->len; i++)
    split[g_array_index (task->train, int, i)] = 0;
  for (guint i = 0; i < task->test->len; i++)
    split[g_array_index (task->test, int, i)] = 1;

  for (guint i = 0; i < task->samples->len; i++)
    {
      FtcSample *s = g_ptr_array_index (task->samples, i);
      g_autoptr (JsonObject) o = json_object_new ();
      g_autofree char *line = NULL;

      json_object_set_string_member (o, "id", s->id);
      json_object_set_string_member (o, "question", s->question);
      json_object_set_string_member (o, "answer", s->answer);
      json_object_set_string_member (o, "answer_type", ftc_answer_type_to_string (s->answer_type));
      if (s->choices != NULL)
        {
          JsonArray *choices = json_array_new ();
          for (char **c = s->choices; *c != NULL; c++)
            json_array_add_string_element (choices, *c);
          json_object_set_array_member (o, "choices", choices);
        }
      if (split[i] >= 0)
        json_object_set_string_member (o, "split", split[i] == 0 ? "train" : "test");
      if (s->steps_json != NULL)
        {
          /* written by the importer or a generator: valid JSON */
          JsonNode *steps = ftc_json_parse (s->steps_json, strlen (s->steps_json), "steps", NULL);
          if (steps != NULL)
            json_object_set_member (o, "steps", steps);
        }
      line = ftc_json_object_to_line (o);
      g_string_append (out, line);
      g_string_append_c (out, '\n');
    }
  return ftc_file_write_atomic (path, out->str, out->len, error);
}
