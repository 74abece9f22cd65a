/* ftc-dataset.c: the twelve paper datasets from their raw files, formatted as Zero-shot-CoT's data_reader
 * formats them, split as Reasoning Teachers' split files split them. */
#include "core/tasks/ftc-dataset.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "core/ftc-error.h"
#include "core/ftc-json-in.h"
#include "core/ftc-jsonl.h"
#include "core/ftc-read.h"
#include "core/tasks/ftc-benchmark.h"
#include "core/tasks/ftc-task-registry.h"

/* GResource compiled from data/splits/ftc-splits.gresource.xml */
extern GResource *ftc_splits_get_resource (void);

static const FtcDatasetFile dataset_files[] = {
  { "single_eq", "questions.json", FALSE },
  { "addsub", "AddSub.json", FALSE },
  { "multiarith", "MultiArith.json", FALSE },
  { "gsm8k", "train.jsonl", TRUE },
  { "gsm8k", "test.jsonl", FALSE },
  { "aqua", "train.json", TRUE },
  { "aqua", "test.json", FALSE },
  { "svamp", "SVAMP.json", FALSE },
  { "date_understanding", "task.json", FALSE },
  { "tracking_shuffled_objects", "task.json", FALSE },
  { "coin_flip", "coin_flip.json", FALSE },
  { "last_letter_concatenation", "last_letters.json", FALSE },
  { "commonsense_qa", "train_rand_split.jsonl", FALSE },
  { "commonsense_qa", "dev_rand_split.jsonl", FALSE },
  { "strategy_qa", "task.json", FALSE },
  /* the reasoning benchmarks (ftc-benchmark.c) */
  { "aime_2024", "test.jsonl", FALSE },
  { "aime_2025", "test.jsonl", FALSE },
  { "amc23", "test.jsonl", FALSE },
  { "math500", "test.jsonl", FALSE },
  { "math_train", "train.jsonl", FALSE },
  { "olympiadbench", "test.jsonl", FALSE },
  { "arc_challenge", "train.jsonl", FALSE },
  { "arc_challenge", "validation.jsonl", FALSE },
  { "arc_challenge", "test.jsonl", FALSE },
};

/* Sizes of the train parts that open the index spaces of gsm8k and aqua (SOURCES of the split files). */
#define GSM8K_TRAIN_ROWS 7473
#define AQUA_TRAIN_ROWS 97467

const FtcDatasetFile *
ftc_dataset_files (guint *n_out)
{
  *n_out = G_N_ELEMENTS (dataset_files);
  return dataset_files;
}

gboolean
ftc_dataset_is_known (const char *key)
{
  for (guint i = 0; key != NULL && i < G_N_ELEMENTS (dataset_files); i++)
    if (strcmp (dataset_files[i].key, key) == 0)
      return TRUE;
  return FALSE;
}

char *
ftc_dataset_data_dir (void)
{
  const char *env = g_getenv ("FTCOT_DATA_DIR");

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  return g_build_filename (g_get_user_data_dir (), "ftcot", "datasets", NULL);
}

char *
ftc_dataset_dir (const char *key)
{
  g_autofree char *base = ftc_dataset_data_dir ();

  return g_build_filename (base, key, NULL);
}

gboolean
ftc_dataset_available (const char *key, const char *dir, char **missing_out)
{
  g_autofree char *default_dir = dir == NULL ? ftc_dataset_dir (key) : NULL;
  gboolean known = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (dataset_files); i++)
    {
      if (strcmp (dataset_files[i].key, key) != 0)
        continue;
      known = TRUE;
      if (dataset_files[i].optional)
        continue;
      g_autofree char *path = g_build_filename (dir != NULL ? dir : default_dir, dataset_files[i].name, NULL);
      /* present as anything: a FIFO or a device in its place is refused, with its reason, when read */
      if (!ftc_path_exists (path))
        {
          if (missing_out != NULL)
            *missing_out = g_strdup (dataset_files[i].name);
          return FALSE;
        }
    }
  return known;
}

GBytes *
ftc_dataset_split_bytes (const char *key, FtcSplitKind kind)
{
  g_autofree char *path = g_strdup_printf ("/org/ftcot/splits/%s__%s.json", key,
                                           kind == FTC_SPLIT_TEMPLATE ? "template" : "default");

  return g_resource_lookup_data (ftc_splits_get_resource (), path, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
}

/* ---- text helpers reproducing Python's behaviour ---- */

/* Python's str.strip(): Unicode whitespace at both ends. */
static char *
py_strip (const char *s)
{
  const char *start = s;
  const char *end = s + strlen (s);

  while (*start != '\0' && g_unichar_isspace (g_utf8_get_char (start)))
    start = g_utf8_next_char (start);
  while (end > start)
    {
      const char *prev = g_utf8_prev_char (end);
      if (!g_unichar_isspace (g_utf8_get_char (prev)))
        break;
      end = prev;
    }
  return g_strndup (start, end - start);
}

/* Python's repr of a float: the shortest decimal string that reads back as the same double. */
static char *
py_float_str (double v)
{
  char buf[64];

  if (!isfinite (v))
    return g_strdup (isnan (v) ? "nan" : v > 0 ? "inf" : "-inf");
  if (v == floor (v) && fabs (v) < 1e16)
    {
      g_snprintf (buf, sizeof buf, "%.1f", v);
      return g_strdup (buf);
    }
  for (int precision = 1; precision <= 17; precision++)
    {
      char fmt[16];
      g_snprintf (fmt, sizeof fmt, "%%.%dg", precision);
      g_ascii_formatd (buf, sizeof buf, fmt, v);
      if (g_ascii_strtod (buf, NULL) == v)
        break;
    }
  return g_strdup (buf);
}

static char *
strip_point_zero (char *s)
{
  gsize n = strlen (s);

  if (n >= 2 && strcmp (s + n - 2, ".0") == 0)
    s[n - 2] = '\0';
  return s;
}

char *
ftc_dataset_format_number (double value)
{
  return strip_point_zero (py_float_str (value));
}

/* A gold number in canonical form: commas removed, surrounding space removed. */
static char *
canonical_number (const char *s)
{
  g_autofree char *stripped = py_strip (s);
  GString *out = g_string_new (NULL);

  for (const char *p = stripped; *p != '\0'; p++)
    if (*p != ',')
      g_string_append_c (out, *p);
  return g_string_free (out, FALSE);
}

static gboolean
is_number (const char *s)
{
  char *end = NULL;

  if (s == NULL || *s == '\0')
    return FALSE;
  g_ascii_strtod (s, &end);
  return end != NULL && *end == '\0';
}

/* ---- Python's random: MT19937 seeded like random.seed(int), and random.shuffle ---- */

typedef struct {
  guint32 mt[624];
  int mti;
} PyRandom;

static void
py_random_seed (PyRandom *r, guint32 seed)
{
  /* random.seed(n) for 0 <= n < 2^32 calls init_by_array with the one-word key [n] */
  guint32 *mt = r->mt;
  guint32 key = seed;
  int i = 1, j = 0;

  mt[0] = 19650218U;
  for (int k = 1; k < 624; k++)
    mt[k] = 1812433253U * (mt[k - 1] ^ (mt[k - 1] >> 30)) + k;
  for (int k = 624; k > 0; k--)
    {
      mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1664525U)) + key + j;
      i++;
      j = 0;   /* the key has one word */
      if (i >= 624)
        {
          mt[0] = mt[623];
          i = 1;
        }
    }
  for (int k = 623; k > 0; k--)
    {
      mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1566083941U)) - i;
      i++;
      if (i >= 624)
        {
          mt[0] = mt[623];
          i = 1;
        }
    }
  mt[0] = 0x80000000U;
  r->mti = 624;
}

static guint32
py_random_u32 (PyRandom *r)
{
  guint32 y;

  if (r->mti >= 624)
    {
      int k;
      for (k = 0; k < 624 - 397; k++)
        {
          y = (r->mt[k] & 0x80000000U) | (r->mt[k + 1] & 0x7fffffffU);
          r->mt[k] = r->mt[k + 397] ^ (y >> 1) ^ ((y & 1U) ? 0x9908b0dfU : 0U);
        }
      for (; k < 623; k++)
        {
          y = (r->mt[k] & 0x80000000U) | (r->mt[k + 1] & 0x7fffffffU);
          r->mt[k] = r->mt[k + (397 - 624)] ^ (y >> 1) ^ ((y & 1U) ? 0x9908b0dfU : 0U);
        }
      y = (r->mt[623] & 0x80000000U) | (r->mt[0] & 0x7fffffffU);
      r->mt[623] = r->mt[396] ^ (y >> 1) ^ ((y & 1U) ? 0x9908b0dfU : 0U);
      r->mti = 0;
    }
  y = r->mt[r->mti++];
  y ^= (y >> 11);
  y ^= (y << 7) & 0x9d2c5680U;
  y ^= (y << 15) & 0xefc60000U;
  y ^= (y >> 18);
  return y;
}

/* random._randbelow (getrandbits with rejection) for n < 2^32 */
static guint32
py_random_below (PyRandom *r, guint32 n)
{
  int k = g_bit_storage (n);
  guint32 v;

  do
    v = py_random_u32 (r) >> (32 - k);
  while (v >= n);
  return v;
}

static void
py_random_shuffle (PyRandom *r, gpointer *items, guint n)
{
  for (guint i = n - 1; n > 1 && i >= 1; i--)
    {
      guint j = py_random_below (r, i + 1);
      gpointer t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
}

/* ---- reading files ---- */

static JsonNode *
parse_json_file (const char *path, GError **error)
{
  return ftc_json_read_file (path, FTC_INPUT_DATA, error);
}

typedef gboolean (*RecordFunc) (JsonObject *record, const char *where, gpointer data, GError **error);

/* Calls func for every line of a JSON Lines file; where is "FILE:LINE". */
static gboolean
foreach_jsonl (const char *path, RecordFunc func, gpointer data, GError **error)
{
  g_autoptr (FtcJsonlReader) reader = ftc_jsonl_reader_open (path, error);
  g_autoptr (GError) local = NULL;
  JsonObject *record;

  if (reader == NULL)
    return FALSE;
  /* a published file: a malformed last line is an error, not a torn append */
  ftc_jsonl_reader_set_ignore_torn (reader, FALSE);
  while ((record = ftc_jsonl_reader_next (reader, &local)) != NULL)
    {
      g_autofree char *where = g_strdup_printf ("%s:%u", path, ftc_jsonl_reader_get_line (reader));
      gboolean ok = func (record, where, data, error);

      json_object_unref (record);
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

static const char *
get_string (JsonObject *obj, const char *field, const char *where, GError **error)
{
  JsonNode *node = json_object_get_member (obj, field);

  if (node == NULL)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: missing field '%s'", where, field);
      return NULL;
    }
  if (json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: field '%s' is not a string", where, field);
      return NULL;
    }
  return json_node_get_string (node);
}

static JsonObject *
get_object (JsonObject *obj, const char *field, const char *where, GError **error)
{
  JsonNode *node = json_object_get_member (obj, field);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: field '%s' is %s", where, field,
                   node == NULL ? "missing" : "not an object");
      return NULL;
    }
  return json_node_get_object (node);
}

static JsonArray *
get_array (JsonObject *obj, const char *field, const char *where, GError **error)
{
  JsonNode *node = json_object_get_member (obj, field);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: field '%s' is %s", where, field,
                   node == NULL ? "missing" : "not an array");
      return NULL;
    }
  return json_node_get_array (node);
}

/* str(x) of a JSON number or string as Python prints it, then Kojima's ".0" removal. */
static char *
number_text (JsonNode *node, const char *field, const char *where, GError **error)
{
  GType type = node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;

  if (type == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  if (type == G_TYPE_DOUBLE)
    return strip_point_zero (py_float_str (json_node_get_double (node)));
  if (type == G_TYPE_STRING)
    {
      char *s = strip_point_zero (g_strdup (json_node_get_string (node)));
      g_autofree char *canon = canonical_number (s);
      if (!is_number (canon))
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: field '%s' is not a number: '%s'", where,
                       field, s);
          g_free (s);
          return NULL;
        }
      g_free (s);
      return g_steal_pointer (&canon);
    }
  g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: field '%s' is %s", where, field,
               node == NULL ? "missing" : "not a number");
  return NULL;
}

static FtcSample *
sample_new (FtcTask *task, int index, char *question, char *answer, FtcAnswerType type)
{
  FtcSample *s = ftc_sample_new ();

  s->index = index;
  s->id = g_strdup_printf ("%s-%d", task->key, index);
  s->question = question;
  s->answer = answer;
  s->answer_type = type;
  ftc_task_add_sample (task, s);
  return s;
}

/* ---- the loaders, one per raw format ---- */

typedef struct {
  FtcTask *task;
  int next_index;
} Loader;

/* SingleEq, AddSub, MultiArith: JSON array of {sQuestion, lSolutions}. */
static gboolean
load_equations (Loader *l, const char *path, GError **error)
{
  g_autoptr (JsonNode) root = parse_json_file (path, error);
  JsonArray *array;

  if (root == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: expected a JSON array", path);
      return FALSE;
    }
  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *where = g_strdup_printf ("%s: record %u", path, i);
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *obj = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *q;
      JsonArray *solutions;
      char *answer;

      if (obj == NULL)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: expected an object", where);
          return FALSE;
        }
      if ((q = get_string (obj, "sQuestion", where, error)) == NULL
          || (solutions = get_array (obj, "lSolutions", where, error)) == NULL)
        return FALSE;
      if (json_array_get_length (solutions) == 0)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: 'lSolutions' is empty", where);
          return FALSE;
        }
      answer = number_text (json_array_get_element (solutions, 0), "lSolutions", where, error);
      if (answer == NULL)
        return FALSE;
      sample_new (l->task, l->next_index++, py_strip (q), answer, FTC_ANSWER_NUMBER);
    }
  return TRUE;
}

static gboolean
load_svamp (Loader *l, const char *path, GError **error)
{
  g_autoptr (JsonNode) root = parse_json_file (path, error);
  JsonArray *array;

  if (root == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: expected a JSON array", path);
      return FALSE;
    }
  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *where = g_strdup_printf ("%s: record %u", path, i);
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *obj = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *body, *question;
      char *answer;

      if (obj == NULL)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: expected an object", where);
          return FALSE;
        }
      if ((body = get_string (obj, "Body", where, error)) == NULL
          || (question = get_string (obj, "Question", where, error)) == NULL
          || (answer = number_text (json_object_get_member (obj, "Answer"), "Answer", where, error)) == NULL)
        return FALSE;
      g_autofree char *b = py_strip (body);
      g_autofree char *q = py_strip (question);
      sample_new (l->task, l->next_index++, g_strconcat (b, " ", q, NULL), answer, FTC_ANSWER_NUMBER);
    }
  return TRUE;
}

static gboolean
gsm8k_record (JsonObject *obj, const char *where, gpointer data, GError **error)
{
  Loader *l = data;
  const char *q, *a, *mark;
  char *answer;

  if ((q = get_string (obj, "question", where, error)) == NULL
      || (a = get_string (obj, "answer", where, error)) == NULL)
    return FALSE;
  /* answer.split("#### ")[-1] */
  mark = g_strrstr (a, "#### ");
  if (mark == NULL)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: 'answer' has no '#### N' line", where);
      return FALSE;
    }
  answer = canonical_number (mark + strlen ("#### "));
  if (!is_number (answer))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: final answer '%s' is not a number", where, answer);
      g_free (answer);
      return FALSE;
    }
  sample_new (l->task, l->next_index++, py_strip (q), answer, FTC_ANSWER_NUMBER);
  return TRUE;
}

static gboolean
aqua_record (JsonObject *obj, const char *where, gpointer data, GError **error)
{
  Loader *l = data;
  const char *q, *correct;
  JsonArray *options;
  g_autoptr (GString) joined = g_string_new ("(");
  g_autoptr (GString) choice = g_string_new ("Answer Choices:");
  g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *stem = NULL;
  FtcSample *s;

  if ((q = get_string (obj, "question", where, error)) == NULL
      || (options = get_array (obj, "options", where, error)) == NULL
      || (correct = get_string (obj, "correct", where, error)) == NULL)
    return FALSE;
  if (strlen (correct) != 1 || correct[0] < 'A' || correct[0] >= 'A' + (int) json_array_get_length (options))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: 'correct' is not one of the option letters", where);
      return FALSE;
    }
  /* choice = "(" + "(".join(options); then every "(" -> " (" and ")" -> ") ", as Kojima's reader does */
  for (guint i = 0; i < json_array_get_length (options); i++)
    {
      JsonNode *o = json_array_get_element (options, i);
      const char *text;
      if (json_node_get_value_type (o) != G_TYPE_STRING)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: option %u is not a string", where, i);
          return FALSE;
        }
      text = json_node_get_string (o);
      if (i > 0)
        g_string_append_c (joined, '(');
      g_string_append (joined, text);
      /* the option text after its "X)" label */
      g_ptr_array_add (texts, py_strip (strlen (text) >= 2 && text[1] == ')' ? text + 2 : text));
    }
  for (const char *p = joined->str; *p != '\0'; p++)
    {
      if (*p == '(')
        g_string_append (choice, " (");
      else if (*p == ')')
        g_string_append (choice, ") ");
      else
        g_string_append_c (choice, *p);
    }
  stem = py_strip (q);
  s = sample_new (l->task, l->next_index++, g_strconcat (stem, " ", choice->str, NULL), g_strdup (correct),
                  FTC_ANSWER_CHOICE);
  g_ptr_array_add (texts, NULL);
  s->choices = (char **) g_ptr_array_free (g_steal_pointer (&texts), FALSE);
  return TRUE;
}

static gboolean
csqa_record (JsonObject *obj, const char *where, gpointer data, GError **error)
{
  Loader *l = data;
  JsonObject *question;
  JsonArray *choices;
  const char *stem, *key;
  g_autoptr (GString) choice = g_string_new ("Answer Choices:");
  g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *stripped = NULL;
  gboolean key_found = FALSE;
  FtcSample *s;

  if ((question = get_object (obj, "question", where, error)) == NULL
      || (stem = get_string (question, "stem", where, error)) == NULL
      || (choices = get_array (question, "choices", where, error)) == NULL
      || (key = get_string (obj, "answerKey", where, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (choices); i++)
    {
      JsonNode *c = json_array_get_element (choices, i);
      const char *label, *text;
      if (!JSON_NODE_HOLDS_OBJECT (c)
          || (label = get_string (json_node_get_object (c), "label", where, error)) == NULL
          || (text = get_string (json_node_get_object (c), "text", where, error)) == NULL)
        {
          if (!JSON_NODE_HOLDS_OBJECT (c))
            g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: choice %u is not an object", where, i);
          return FALSE;
        }
      g_string_append_printf (choice, " (%s) %s", label, text);
      g_ptr_array_add (texts, g_strdup (text));
      key_found |= strcmp (label, key) == 0;
    }
  if (!key_found)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: 'answerKey' %s is not a choice label", where, key);
      return FALSE;
    }
  stripped = py_strip (stem);
  s = sample_new (l->task, l->next_index++, g_strconcat (stripped, " ", choice->str, NULL), g_strdup (key),
                  FTC_ANSWER_CHOICE);
  g_ptr_array_add (texts, NULL);
  s->choices = (char **) g_ptr_array_free (g_steal_pointer (&texts), FALSE);
  return TRUE;
}

/* The "examples" array of a BIG-bench task.json or of Kojima's coin_flip/last_letters files. */
static JsonArray *
examples_of (JsonNode *root, const char *path, GError **error)
{
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: expected a JSON object", path);
      return NULL;
    }
  return get_array (json_node_get_object (root), "examples", path, error);
}

typedef enum { BIGBENCH_STRATEGY, BIGBENCH_DATE, BIGBENCH_TRACKING } BigbenchKind;

static gboolean
load_bigbench (Loader *l, const char *path, BigbenchKind kind, GError **error)
{
  g_autoptr (JsonNode) root = parse_json_file (path, error);
  JsonArray *examples;
  PyRandom rng;

  if (root == NULL || (examples = examples_of (root, path, error)) == NULL)
    return FALSE;
  /* Kojima's main.py seeds Python's random with 1 (fix_seed(args.random_seed)) right before reading the
   * data; date_understanding then draws three shuffles per example (shuffleDict) */
  py_random_seed (&rng, 1);

  for (guint i = 0; i < json_array_get_length (examples); i++)
    {
      g_autofree char *where = g_strdup_printf ("%s: example %u", path, i);
      JsonNode *node = json_array_get_element (examples, i);
      JsonObject *obj = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonObject *scores;
      const char *input;
      g_autofree char *q = NULL;

      if (obj == NULL)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: expected an object", where);
          return FALSE;
        }
      if ((input = get_string (obj, "input", where, error)) == NULL
          || (scores = get_object (obj, "target_scores", where, error)) == NULL)
        return FALSE;
      q = py_strip (input);

      if (kind == BIGBENCH_STRATEGY)
        {
          JsonNode *yes = json_object_get_member (scores, "Yes");
          if (yes == NULL || !JSON_NODE_HOLDS_VALUE (yes))
            {
              g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: 'target_scores' has no 'Yes'", where);
              return FALSE;
            }
          /* int(target_scores["Yes"]) == 1 */
          double v = json_node_get_value_type (yes) == G_TYPE_INT64 ? json_node_get_int (yes)
                   : json_node_get_value_type (yes) == G_TYPE_DOUBLE ? json_node_get_double (yes)
                   : json_node_get_value_type (yes) == G_TYPE_BOOLEAN ? json_node_get_boolean (yes) : -1;
          if (v < 0)
            {
              g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: 'target_scores.Yes' is not a number", where);
              return FALSE;
            }
          sample_new (l->task, l->next_index++, g_steal_pointer (&q), g_strdup ((int) v == 1 ? "yes" : "no"),
                      FTC_ANSWER_YESNO);
          continue;
        }

      /* member order as in the file (Python dicts keep it); date_understanding shuffles it */
      g_autoptr (GList) members = json_object_get_members (scores);
      g_autoptr (GPtrArray) keys = g_ptr_array_new ();
      for (GList *m = members; m != NULL; m = m->next)
        g_ptr_array_add (keys, m->data);
      if (keys->len < 2 || keys->len > 26)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: %u choices", where, keys->len);
          return FALSE;
        }
      if (kind == BIGBENCH_DATE)
        for (int round = 0; round < 3; round++)
          py_random_shuffle (&rng, keys->pdata, keys->len);

      g_autoptr (GString) text = g_string_new (q);
      g_string_append (text, kind == BIGBENCH_DATE ? " Answer Choices:" : " \nWhich choice is true ? Answer Choices:");
      char answer[2] = { 0, 0 };
      char **choices = g_new0 (char *, keys->len + 1);
      for (guint c = 0; c < keys->len; c++)
        {
          const char *key = keys->pdata[c];
          JsonNode *value = json_object_get_member (scores, key);
          g_string_append_printf (text, " (%c) %s", 'A' + c, key);
          choices[c] = g_strdup (key);
          /* the last choice scored 1 wins, as in the reference loop */
          if (JSON_NODE_HOLDS_VALUE (value)
              && ((json_node_get_value_type (value) == G_TYPE_INT64 && json_node_get_int (value) == 1)
                  || (json_node_get_value_type (value) == G_TYPE_DOUBLE && json_node_get_double (value) == 1.0)))
            answer[0] = 'A' + c;
        }
      if (answer[0] == 0)
        {
          g_strfreev (choices);
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: no choice scores 1", where);
          return FALSE;
        }
      FtcSample *s = sample_new (l->task, l->next_index++, g_string_free (g_steal_pointer (&text), FALSE),
                                 g_strdup (answer), FTC_ANSWER_CHOICE);
      s->choices = choices;
    }
  return TRUE;
}

/* Kojima's own synthetic sets: {"examples": [{"question", "answer"}]}, used as they are. */
static gboolean
load_examples (Loader *l, const char *path, FtcAnswerType type, GError **error)
{
  g_autoptr (JsonNode) root = parse_json_file (path, error);
  JsonArray *examples;

  if (root == NULL || (examples = examples_of (root, path, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (examples); i++)
    {
      g_autofree char *where = g_strdup_printf ("%s: example %u", path, i);
      JsonNode *node = json_array_get_element (examples, i);
      JsonObject *obj = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *q, *a;

      if (obj == NULL)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: expected an object", where);
          return FALSE;
        }
      if ((q = get_string (obj, "question", where, error)) == NULL
          || (a = get_string (obj, "answer", where, error)) == NULL)
        return FALSE;
      if (type == FTC_ANSWER_YESNO && strcmp (a, "yes") != 0 && strcmp (a, "no") != 0)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: 'answer' is '%s', not yes or no", where, a);
          return FALSE;
        }
      sample_new (l->task, l->next_index++, g_strdup (q), g_strdup (a), type);
    }
  return TRUE;
}

/* ---- splits ---- */

static int
compare_int (gconstpointer a, gconstpointer b)
{
  int x = *(const int *) a, y = *(const int *) b;

  return (x > y) - (x < y);
}

gboolean
ftc_task_apply_split (FtcTask *task, GBytes *split_json, const char *split_name, int index_space,
                      int absent_from, int absent_to, guint *skipped_out, GError **error)
{
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) local = NULL;
  g_autoptr (GHashTable) seen = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr (GArray) train = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr (GArray) test = g_array_new (FALSE, FALSE, sizeof (int));
  GArray *lists[2] = { train, test };
  static const char *const parts[2] = { "train", "test" };
  const char *name = split_name != NULL ? split_name : "split";
  gsize len;
  const char *data = g_bytes_get_data (split_json, &len);
  guint skipped = 0;

  root = ftc_json_parse (data, len, name, &local);
  if (root == NULL)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "split file %s", local->message);
      return FALSE;
    }
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "split file %s: expected {\"train\": [...], \"test\": [...]}",
                   name);
      return FALSE;
    }
  for (int p = 0; p < 2; p++)
    {
      JsonNode *node = json_object_get_member (json_node_get_object (root), parts[p]);
      JsonArray *array;

      if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "split file %s: '%s' is %s", name, parts[p],
                       node == NULL ? "missing" : "not an array");
          return FALSE;
        }
      array = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *e = json_array_get_element (array, i);
          gint64 index;
          int pos;

          if (json_node_get_value_type (e) != G_TYPE_INT64)
            {
              g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "split file %s: %s[%u] is not an integer", name,
                           parts[p], i);
              return FALSE;
            }
          index = json_node_get_int (e);
          if (index < 0 || index >= index_space)
            {
              g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH,
                           "split file %s does not match the data of %s: %s index %" G_GINT64_FORMAT
                           " is out of range (the dataset has %d samples)", name, task->key, parts[p], index,
                           index_space);
              return FALSE;
            }
          if (g_hash_table_contains (seen, GINT_TO_POINTER ((int) index)))
            {
              int before = GPOINTER_TO_INT (g_hash_table_lookup (seen, GINT_TO_POINTER ((int) index)));
              g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH,
                           "split file %s: index %" G_GINT64_FORMAT " appears twice (%s)", name, index,
                           before - 1 != p ? "train and test overlap" : "a duplicate");
              return FALSE;
            }
          g_hash_table_insert (seen, GINT_TO_POINTER ((int) index), GINT_TO_POINTER (p + 1));
          pos = ftc_task_find_index (task, index);
          if (pos < 0)
            {
              if (index >= absent_from && index < absent_to)
                {
                  skipped++;
                  continue;
                }
              g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH,
                           "split file %s does not match the data of %s: no sample for %s index %" G_GINT64_FORMAT,
                           name, task->key, parts[p], index);
              return FALSE;
            }
          g_array_append_val (lists[p], pos);
        }
    }
  g_array_sort (lists[0], compare_int);
  g_array_sort (lists[1], compare_int);
  g_array_set_size (task->train, 0);
  g_array_set_size (task->test, 0);
  g_array_append_vals (task->train, lists[0]->data, lists[0]->len);
  g_array_append_vals (task->test, lists[1]->data, lists[1]->len);
  g_free (task->split_name);
  task->split_name = g_strdup (split_name);
  if (skipped_out != NULL)
    *skipped_out = skipped;
  return TRUE;
}

/* ---- entry point ---- */

static gboolean
load_part_jsonl (Loader *l, const char *dir, const char *name, RecordFunc func, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  return foreach_jsonl (path, func, l, error);
}

FtcTask *
ftc_dataset_load (const char *key, const char *dir, FtcSplitKind kind, GError **error)
{
  const FtcTaskInfo *info = ftc_task_info_lookup (key);
  g_autofree char *default_dir = NULL;
  g_autoptr (FtcTask) task = NULL;
  g_autoptr (GBytes) split = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *split_name = NULL;
  g_autofree char *missing_train = NULL;
  Loader l = { 0 };
  int index_space, absent_from = 0, absent_to = 0;
  gboolean ok = FALSE;
  guint skipped = 0;

  if (info == NULL || !ftc_dataset_is_known (key))
    {
      const char *suggestion = ftc_task_key_suggest (key);
      if (suggestion != NULL)
        g_set_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND, "unknown dataset '%s'; did you mean '%s'?", key,
                     suggestion);
      else
        g_set_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND, "unknown dataset '%s'", key);
      return NULL;
    }
  if (dir == NULL)
    dir = default_dir = ftc_dataset_dir (key);
  if (!ftc_dataset_available (key, dir, &missing))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND,
                   "dataset %s is not installed: %s is missing in %s (run 'ftcot tasks fetch %s')", key, missing,
                   dir, key);
      return NULL;
    }
  if (ftc_benchmark_lookup (key) != NULL)
    return ftc_benchmark_load (key, dir, kind, error);
  split = kind == FTC_SPLIT_VALIDATION ? NULL : ftc_dataset_split_bytes (key, kind);
  if (split == NULL)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND, "dataset %s has no %s split", key,
                   kind == FTC_SPLIT_TEMPLATE ? "template" : kind == FTC_SPLIT_VALIDATION ? "validation" : "default");
      return NULL;
    }

  task = ftc_task_new (key, info->title, info->answer_type);
  task->n_choices = info->n_choices;
  task->answer_trigger = g_strdup (info->answer_trigger);
  l.task = task;

  if (strcmp (key, "single_eq") == 0 || strcmp (key, "addsub") == 0 || strcmp (key, "multiarith") == 0)
    {
      const char *name = strcmp (key, "single_eq") == 0 ? "questions.json"
                       : strcmp (key, "addsub") == 0 ? "AddSub.json" : "MultiArith.json";
      g_autofree char *path = g_build_filename (dir, name, NULL);
      ok = load_equations (&l, path, error);
    }
  else if (strcmp (key, "svamp") == 0)
    {
      g_autofree char *path = g_build_filename (dir, "SVAMP.json", NULL);
      ok = load_svamp (&l, path, error);
    }
  else if (strcmp (key, "gsm8k") == 0 || strcmp (key, "aqua") == 0)
    {
      gboolean gsm = strcmp (key, "gsm8k") == 0;
      const char *train = gsm ? "train.jsonl" : "train.json";
      int train_rows = gsm ? GSM8K_TRAIN_ROWS : AQUA_TRAIN_ROWS;
      RecordFunc func = gsm ? gsm8k_record : aqua_record;
      g_autofree char *train_path = g_build_filename (dir, train, NULL);

      if (ftc_path_exists (train_path))
        {
          if (!load_part_jsonl (&l, dir, train, func, error))
            return NULL;
          if (l.next_index != train_rows)
            {
              g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH,
                           "%s has %d records; the reference split of %s expects %d", train_path, l.next_index,
                           key, train_rows);
              return NULL;
            }
        }
      else
        {
          /* the test part keeps its place in the index space */
          l.next_index = train_rows;
          absent_from = 0;
          absent_to = train_rows;
          missing_train = g_strdup (train);
        }
      ok = load_part_jsonl (&l, dir, gsm ? "test.jsonl" : "test.json", func, error);
    }
  else if (strcmp (key, "commonsense_qa") == 0)
    ok = load_part_jsonl (&l, dir, "train_rand_split.jsonl", csqa_record, error)
         && load_part_jsonl (&l, dir, "dev_rand_split.jsonl", csqa_record, error);
  else if (strcmp (key, "strategy_qa") == 0 || strcmp (key, "date_understanding") == 0
           || strcmp (key, "tracking_shuffled_objects") == 0)
    {
      g_autofree char *path = g_build_filename (dir, "task.json", NULL);
      BigbenchKind bk = key[0] == 's' ? BIGBENCH_STRATEGY : key[0] == 'd' ? BIGBENCH_DATE : BIGBENCH_TRACKING;
      ok = load_bigbench (&l, path, bk, error);
    }
  else if (strcmp (key, "coin_flip") == 0)
    {
      g_autofree char *path = g_build_filename (dir, "coin_flip.json", NULL);
      ok = load_examples (&l, path, FTC_ANSWER_YESNO, error);
    }
  else if (strcmp (key, "last_letter_concatenation") == 0)
    {
      g_autofree char *path = g_build_filename (dir, "last_letters.json", NULL);
      ok = load_examples (&l, path, FTC_ANSWER_TEXT, error);
    }
  if (!ok)
    return NULL;

  index_space = l.next_index;
  split_name = g_strdup_printf ("%s__%s.json", key, kind == FTC_SPLIT_TEMPLATE ? "template" : "default");
  if (!ftc_task_apply_split (task, split, split_name, index_space, absent_from, absent_to, &skipped, error))
    return NULL;
  g_free (task->split_name);
  task->split_name = g_strdup (kind == FTC_SPLIT_TEMPLATE ? "template" : "default");
  if (missing_train != NULL)
    task->note = g_strdup_printf ("the train split (%u samples) is unavailable: it needs %s, which is not "
                                  "installed in %s", skipped, missing_train, dir);
  return g_steal_pointer (&task);
}
