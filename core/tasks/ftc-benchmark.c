/* ftc-benchmark.c: the reasoning benchmarks' files (JSON lines) into tasks, one record reader per format. */
#include "core/tasks/ftc-benchmark.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "core/ftc-error.h"
#include "core/ftc-jsonl.h"
#include "core/tasks/ftc-task-registry.h"

static const FtcBenchmarkInfo benchmarks[] = {
  { "aime_2024", "problems (c) Mathematical Association of America; file MIT (Qwen2.5-Math evaluation)", 0, 0, 30 },
  { "aime_2025", "problems (c) Mathematical Association of America; file Apache-2.0 (AReaL)", 0, 0, 30 },
  { "amc23", "problems (c) Mathematical Association of America; file MIT (Qwen2.5-Math evaluation)", 0, 0, 40 },
  { "math500", "MIT (MATH, Hendrycks et al.; PRM800K split, OpenAI)", 0, 0, 500 },
  { "math_train", "MIT (MATH, Hendrycks et al.; PRM800K split, OpenAI)", 12000, 0, 0 },
  { "olympiadbench", "Apache-2.0 (OlympiadBench, He et al.); file MIT (Qwen2.5-Math evaluation)", 0, 0, 675 },
  { "arc_challenge", "CC BY-SA 4.0 (AI2 Reasoning Challenge, Clark et al.)", 1119, 299, 1172 },
};

const FtcBenchmarkInfo *
ftc_benchmark_list (guint *n_out)
{
  *n_out = G_N_ELEMENTS (benchmarks);
  return benchmarks;
}

const FtcBenchmarkInfo *
ftc_benchmark_lookup (const char *key)
{
  for (gsize i = 0; key != NULL && i < G_N_ELEMENTS (benchmarks); i++)
    if (strcmp (benchmarks[i].key, key) == 0)
      return &benchmarks[i];
  return NULL;
}

/* ---- reading: the one bounded JSON-lines reader of this module ---- */

typedef gboolean (*RecordFunc) (JsonObject *record, const char *where, gpointer data, GError **error);

/* Calls func for every line of a JSON Lines file, read through the one JSONL reader (core/ftc-jsonl.h: a
 * regular file, lines bounded, each parsed by the one JSON entry point); where is "FILE:LINE". A published
 * file is complete: a last line cut short is an error, not a torn append. */
static gboolean
read_jsonl (const char *path, RecordFunc func, gpointer data, GError **error)
{
  g_autoptr (FtcJsonlReader) reader = ftc_jsonl_reader_open (path, error);
  g_autoptr (GError) local = NULL;
  JsonObject *record;

  if (reader == NULL)
    return FALSE;
  ftc_jsonl_reader_set_ignore_torn (reader, FALSE);
  while ((record = ftc_jsonl_reader_next (reader, &local)) != NULL)
    {
      g_autoptr (JsonObject) owned = record;
      g_autofree char *where = g_strdup_printf ("%s:%u", path, ftc_jsonl_reader_get_line (reader));

      if (!func (owned, where, data, error))
        return FALSE;
    }
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return TRUE;
}

/* ---- fields ---- */

static const char *
string_field (JsonObject *obj, const char *field, const char *where, GError **error)
{
  JsonNode *node = json_object_get_member (obj, field);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: field '%s' is %s", where, field,
                   node == NULL ? "missing" : "not a string");
      return NULL;
    }
  return json_node_get_string (node);
}

/* An answer as text: a string as it is (trimmed), an integer, a float as Python prints it without ".0". */
static char *
answer_text (JsonObject *obj, const char *field, const char *where, GError **error)
{
  JsonNode *node = json_object_get_member (obj, field);
  GType type = node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
  char *text = NULL;

  if (type == G_TYPE_STRING)
    text = g_strstrip (g_strdup (json_node_get_string (node)));
  else if (type == G_TYPE_INT64)
    text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  else if (type == G_TYPE_DOUBLE)
    text = ftc_dataset_format_number (json_node_get_double (node));
  if (text == NULL || *text == '\0')
    {
      g_free (text);
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: field '%s' is %s", where, field,
                   node == NULL ? "missing" : "not an answer");
      return NULL;
    }
  return text;
}

typedef struct {
  FtcTask *task;
  GArray *split;          /* where the records of the file being read go (task->train or task->test), or NULL */
} Loader;

static FtcSample *
add_sample (Loader *l, char *question, char *answer)
{
  FtcSample *s = ftc_sample_new ();
  int pos = (int) l->task->samples->len;

  s->index = pos;
  s->id = g_strdup_printf ("%s-%d", l->task->key, pos);
  s->question = question;
  s->answer = answer;
  s->answer_type = l->task->answer_type;
  ftc_task_add_sample (l->task, s);
  if (l->split != NULL)
    g_array_append_val (l->split, pos);
  return s;
}

/* ---- the formats ---- */

/* AIME, AMC, MATH: {"problem", "answer", ...} (Qwen2.5-Math's copies also have "question") */
static gboolean
math_record (JsonObject *obj, const char *where, gpointer data, GError **error)
{
  const char *problem = json_object_has_member (obj, "problem") ? string_field (obj, "problem", where, error)
                                                                 : string_field (obj, "question", where, error);
  char *answer;

  if (problem == NULL || (answer = answer_text (obj, "answer", where, error)) == NULL)
    return FALSE;
  add_sample (data, g_strstrip (g_strdup (problem)), answer);
  return TRUE;
}

/* OlympiadBench: {"question", "context" (null or text), "final_answer": ["$...$", ...], ...} */
static gboolean
olympiad_record (JsonObject *obj, const char *where, gpointer data, GError **error)
{
  const char *question = string_field (obj, "question", where, error);
  JsonNode *context = json_object_get_member (obj, "context");
  JsonNode *finals = json_object_get_member (obj, "final_answer");
  g_autoptr (GString) answer = g_string_new (NULL);
  g_autofree char *stripped = NULL;
  char *text;

  if (question == NULL)
    return FALSE;
  if (finals == NULL || !JSON_NODE_HOLDS_ARRAY (finals) || json_array_get_length (json_node_get_array (finals)) == 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: field 'final_answer' is not a list of answers", where);
      return FALSE;
    }
  for (guint i = 0; i < json_array_get_length (json_node_get_array (finals)); i++)
    {
      JsonNode *e = json_array_get_element (json_node_get_array (finals), i);
      g_autofree char *one = NULL;
      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: final_answer[%u] is not a string", where, i);
          return FALSE;
        }
      /* "$2$" is 2: the $ are LaTeX's, not the answer's */
      one = g_strdup (json_node_get_string (e));
      {
        char *w = one;
        for (const char *r = one; *r != '\0'; r++)
          if (*r != '$')
            *w++ = *r;
        *w = '\0';
      }
      g_strstrip (one);
      if (answer->len > 0)
        g_string_append (answer, ", ");
      g_string_append (answer, one);
    }
  if (answer->len == 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: field 'final_answer' is empty", where);
      return FALSE;
    }
  stripped = g_strstrip (g_strdup (question));
  if (context != NULL && JSON_NODE_HOLDS_VALUE (context) && json_node_get_value_type (context) == G_TYPE_STRING
      && *json_node_get_string (context) != '\0')
    text = g_strconcat (json_node_get_string (context), "\n", stripped, NULL);
  else
    text = g_steal_pointer (&stripped);
  add_sample (data, text, g_string_free (g_steal_pointer (&answer), FALSE));
  return TRUE;
}

/* ARC, one row of the rows API: {"id", "question", "choices": {"text": [...], "label": [...]}, "answerKey"} */
static gboolean
arc_record (JsonObject *obj, const char *where, gpointer data, GError **error)
{
  const char *question = string_field (obj, "question", where, error);
  const char *key = question != NULL ? string_field (obj, "answerKey", where, error) : NULL;
  JsonNode *choices = json_object_get_member (obj, "choices");
  JsonArray *texts = NULL, *labels = NULL;
  g_autoptr (GString) text = NULL;
  g_auto (GStrv) choice_texts = NULL;
  char answer = 0;
  guint n;
  FtcSample *s;

  if (key == NULL)
    return FALSE;
  if (choices != NULL && JSON_NODE_HOLDS_OBJECT (choices))
    {
      JsonNode *t = json_object_get_member (json_node_get_object (choices), "text");
      JsonNode *lb = json_object_get_member (json_node_get_object (choices), "label");
      texts = t != NULL && JSON_NODE_HOLDS_ARRAY (t) ? json_node_get_array (t) : NULL;
      labels = lb != NULL && JSON_NODE_HOLDS_ARRAY (lb) ? json_node_get_array (lb) : NULL;
    }
  if (texts == NULL || labels == NULL || json_array_get_length (texts) != json_array_get_length (labels)
      || json_array_get_length (texts) < 2 || json_array_get_length (texts) > 26)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: field 'choices' is not {\"text\": [...], \"label\": [...]} "
                   "of 2 to 26 choices", where);
      return FALSE;
    }
  n = json_array_get_length (texts);
  text = g_string_new (NULL);
  {
    g_autofree char *stem = g_strstrip (g_strdup (question));
    g_string_append (text, stem);
  }
  g_string_append (text, " Answer Choices:");
  choice_texts = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *t = json_array_get_element (texts, i), *lb = json_array_get_element (labels, i);
      if (!JSON_NODE_HOLDS_VALUE (t) || json_node_get_value_type (t) != G_TYPE_STRING
          || !JSON_NODE_HOLDS_VALUE (lb) || json_node_get_value_type (lb) != G_TYPE_STRING)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: choice %u is not a string", where, i);
          return FALSE;
        }
      choice_texts[i] = g_strstrip (g_strdup (json_node_get_string (t)));
      /* the choices are lettered in order whatever their labels ("1".."4" on some items) */
      g_string_append_printf (text, " (%c) %s", 'A' + i, choice_texts[i]);
      if (strcmp (json_node_get_string (lb), key) == 0)
        answer = (char) ('A' + i);
    }
  if (answer == 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: answerKey '%s' is none of the choices' labels", where, key);
      return FALSE;
    }
  s = add_sample (data, g_string_free (g_steal_pointer (&text), FALSE), g_strndup (&answer, 1));
  s->choices = g_steal_pointer (&choice_texts);
  return TRUE;
}

/* ---- loading ---- */

static gboolean
read_part (Loader *l, const char *dir, const char *name, GArray *split, RecordFunc func, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  l->split = split;
  return read_jsonl (path, func, l, error);
}

FtcTask *
ftc_benchmark_load (const char *key, const char *dir, FtcSplitKind kind, GError **error)
{
  const FtcTaskInfo *info = ftc_task_info_lookup (key);
  const FtcBenchmarkInfo *bench = ftc_benchmark_lookup (key);
  g_autoptr (FtcTask) task = NULL;
  Loader l = { 0 };
  gboolean ok;

  if (info == NULL || bench == NULL)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND, "unknown benchmark '%s'", key);
      return NULL;
    }
  if (kind == FTC_SPLIT_TEMPLATE || (kind == FTC_SPLIT_VALIDATION && bench->validation == 0))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND, "%s has no %s split", key,
                   kind == FTC_SPLIT_TEMPLATE ? "template" : "validation");
      return NULL;
    }
  task = ftc_task_new (key, info->title, info->answer_type);
  task->n_choices = info->n_choices;
  task->answer_trigger = g_strdup (info->answer_trigger);
  l.task = task;
  if (strcmp (key, "arc_challenge") == 0)
    {
      /* train first, then validation, then test: the index space follows the published order */
      gboolean validation = kind == FTC_SPLIT_VALIDATION;
      ok = read_part (&l, dir, "train.jsonl", task->train, arc_record, error)
           && read_part (&l, dir, "validation.jsonl", validation ? task->test : NULL, arc_record, error)
           && read_part (&l, dir, "test.jsonl", validation ? NULL : task->test, arc_record, error);
    }
  else if (strcmp (key, "math_train") == 0)
    ok = read_part (&l, dir, "train.jsonl", task->train, math_record, error);
  else if (strcmp (key, "olympiadbench") == 0)
    ok = read_part (&l, dir, "test.jsonl", task->test, olympiad_record, error);
  else
    ok = read_part (&l, dir, "test.jsonl", task->test, math_record, error);
  if (!ok)
    return NULL;
  g_free (task->split_name);
  task->split_name = g_strdup (kind == FTC_SPLIT_VALIDATION ? "validation" : "default");
  if (task->train->len == 0)
    task->note = g_strdup_printf ("%s is an evaluation set without training questions: an experiment teaches "
                                  "another task's questions and evaluates on it (docs/experiment.md, "
                                  "\"train_task\")", info->title);
  return g_steal_pointer (&task);
}
