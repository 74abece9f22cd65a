/* test-datasets: the twelve paper datasets against the reference split files, the reference counts,
 * Kojima's data_reader output and the questions the real teacher saw. */
#include "core/tasks/ftc-dataset.h"
#include "core/ftc-error.h"
#include "core/tasks/ftc-task-registry.h"
#include "tests/ftc-test-util.h"

#include <string.h>

#include <json-glib/json-glib.h>

typedef struct {
  const char *key;
  int n_samples;      /* samples loaded from shared/datasets */
  int n_train;
  int n_test;
  /* SHA-256 over "question\tanswer\n" of every sample in index order, from an independent Python
   * transcription of Kojima et al.'s data_reader (random.seed(1) for the date shuffle; gold numbers with
   * commas removed) */
  const char *sha256;
} Expected;

static const Expected expected[] = {
  { "single_eq", 508, 356, 152, "ef780de1f602f48728b76f5b0f3dc29451c1bb1e4bd15baaeeafb37ce7460e15" },
  { "addsub", 395, 276, 119, "2e76c58addef28a29da21dec09ff2e579e24d134296fa782f4e53d9e14650292" },
  { "multiarith", 600, 420, 180, "43b6b2bfdd4716130475d56ec8d8d8a4d97843578a79fd12dace17cd169d8e2a" },
  { "gsm8k", 8792, 7473, 1319, "04458418ca30417d7aac4c9c16237da2888138b126f981bec093f72c6e215f6d" },
  /* aqua: only the test part is in shared/datasets; train needs AQuA train.json */
  { "aqua", 254, 0, 254, "ba92f6f0e8fcd00404adfd720d975f717b8435ae2a45731a9e492018c83712ba" },
  { "svamp", 1000, 700, 300, "cf144705689e5ffe36dc2f5e57f330d257f204b90520118857c5132df349e183" },
  { "date_understanding", 369, 258, 111, "69ef7109be34f2fc14923654e671f0f021b0007544bd96fdddd7353aa2f321be" },
  { "tracking_shuffled_objects", 750, 525, 225, "8a073669bd54ecc1629815524096dde24af3d82009a1821e7fe568108ba1f07d" },
  { "coin_flip", 500, 350, 150, "0e98c7b2318f3ee3544091a11103e405d88459202983b973d37bed7dc4a5a6bc" },
  { "last_letter_concatenation", 500, 350, 150, "2a4770e93b2f4ba1c91c35bce6aed7f6ffdec630f99aa202cbc50fd1f7f98457" },
  { "commonsense_qa", 10962, 9741, 1221, "f16a666af89eea9b5f856b8841eceb18843e0c7f70a0de44d8997dd3ed8db6f8" },
  { "strategy_qa", 2290, 1603, 687, "c0520c45bb84dd589a0082a8a86c19ecc90163412ab3020606d4cc992caf449a" },
};

static FtcTask *
load_shared (const char *key, FtcSplitKind kind)
{
  g_autofree char *dir = ftc_test_shared_path ("datasets", key, NULL);
  g_autoptr (GError) error = NULL;
  FtcTask *task;

  if (dir == NULL)
    return NULL;
  task = ftc_dataset_load (key, dir, kind, &error);
  g_assert_no_error (error);
  g_assert_nonnull (task);
  return task;
}

/* The sorted indices (index space) of one part of a split file. */
static GArray *
split_indices (const char *path, const char *part)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  GArray *out = g_array_new (FALSE, FALSE, sizeof (int));
  JsonArray *array;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  array = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), part);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      int v = json_array_get_int_element (array, i);
      g_array_append_val (out, v);
    }
  return out;
}

static int
compare_int (gconstpointer a, gconstpointer b)
{
  return *(const int *) a - *(const int *) b;
}

/* The task's train or test membership as sorted indices of the index space. */
static GArray *
task_indices (FtcTask *task, GArray *positions)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (int));

  for (guint i = 0; i < positions->len; i++)
    {
      FtcSample *s = g_ptr_array_index (task->samples, g_array_index (positions, int, i));
      g_array_append_val (out, s->index);
    }
  g_array_sort (out, compare_int);
  return out;
}

static void
assert_membership (FtcTask *task, const char *split_path, int absent_below)
{
  static const char *const parts[] = { "train", "test" };

  for (int p = 0; p < 2; p++)
    {
      g_autoptr (GArray) want_all = split_indices (split_path, parts[p]);
      g_autoptr (GArray) want = g_array_new (FALSE, FALSE, sizeof (int));
      g_autoptr (GArray) got = task_indices (task, p == 0 ? task->train : task->test);

      for (guint i = 0; i < want_all->len; i++)
        if (g_array_index (want_all, int, i) >= absent_below)
          g_array_append_val (want, g_array_index (want_all, int, i));
      g_array_sort (want, compare_int);
      g_assert_cmpuint (got->len, ==, want->len);
      g_assert_cmpmem (got->data, got->len * sizeof (int), want->data, want->len * sizeof (int));
    }
}

static void
test_dataset (gconstpointer data)
{
  const Expected *e = data;
  g_autoptr (FtcTask) task = load_shared (e->key, FTC_SPLIT_DEFAULT);
  g_autofree char *split_path = NULL;
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *split_file = g_strdup_printf ("%s__default.json", e->key);
  g_autoptr (GBytes) embedded = NULL;
  g_autofree char *shared_split = NULL;
  gsize shared_len;
  const FtcTaskInfo *info = ftc_task_info_lookup (e->key);

  if (task == NULL)
    return;
  split_path = ftc_test_shared_path ("datasets", e->key, split_file, NULL);

  /* the embedded split file is the reference file, byte for byte */
  embedded = ftc_dataset_split_bytes (e->key, FTC_SPLIT_DEFAULT);
  g_assert_nonnull (embedded);
  g_assert_true (g_file_get_contents (split_path, &shared_split, &shared_len, NULL));
  g_assert_cmpmem (g_bytes_get_data (embedded, NULL), g_bytes_get_size (embedded), shared_split, shared_len);

  g_assert_cmpint (task->samples->len, ==, e->n_samples);
  g_assert_cmpint (task->train->len, ==, e->n_train);
  g_assert_cmpint (task->test->len, ==, e->n_test);
  g_assert_cmpint (task->answer_type, ==, info->answer_type);
  g_assert_cmpstr (task->answer_trigger, ==, info->answer_trigger);
  g_assert_cmpstr (task->split_name, ==, "default");

  if (strcmp (e->key, "aqua") == 0)
    {
      /* only the test part: AQuA train.json (97,467 rows) is not in the shared data */
      g_test_message ("aqua: the test part is checked; the train split needs AQuA train.json");
      g_assert_nonnull (task->note);
      g_assert_nonnull (strstr (task->note, "train.json"));
      g_assert_nonnull (strstr (task->note, "10000"));
      assert_membership (task, split_path, 97467);
    }
  else
    {
      g_assert_null (task->note);
      assert_membership (task, split_path, 0);
      /* the default splits cover every sample, 70/30 */
      g_assert_cmpint (task->train->len + task->test->len, ==, task->samples->len);
    }

  for (guint i = 0; i < task->samples->len; i++)
    {
      FtcSample *s = g_ptr_array_index (task->samples, i);
      g_autofree char *id = g_strdup_printf ("%s-%d", e->key, s->index);

      g_assert_cmpstr (s->id, ==, id);
      if (i > 0)
        g_assert_cmpint (s->index, >, ((FtcSample *) g_ptr_array_index (task->samples, i - 1))->index);
      g_assert_true (g_utf8_validate (s->question, -1, NULL));
      g_assert_cmpuint (strlen (s->question), >, 10);
      g_assert_cmpint (s->answer_type, ==, info->answer_type);
      switch (s->answer_type)
        {
        case FTC_ANSWER_NUMBER:
          {
            char *end = NULL;
            g_ascii_strtod (s->answer, &end);
            g_assert_true (*s->answer != '\0' && *end == '\0');
            g_assert_null (strchr (s->answer, ','));
            g_assert_false (g_str_has_suffix (s->answer, ".0"));
            g_assert_null (s->choices);
            break;
          }
        case FTC_ANSWER_CHOICE:
          {
            guint n = g_strv_length (s->choices);
            g_autofree char *letters = g_strdup_printf ("(%c) ", 'A' + n - 1);
            g_assert_cmpuint (strlen (s->answer), ==, 1);
            g_assert_cmpint (s->answer[0], >=, 'A');
            g_assert_cmpint (s->answer[0], <, 'A' + (int) n);
            if (info->n_choices > 0)
              g_assert_cmpuint (n, <=, info->n_choices);
            g_assert_nonnull (strstr (s->question, "Answer Choices: (A) "));
            g_assert_nonnull (strstr (s->question, letters));
            break;
          }
        case FTC_ANSWER_YESNO:
          g_assert_true (strcmp (s->answer, "yes") == 0 || strcmp (s->answer, "no") == 0);
          break;
        case FTC_ANSWER_MATH:
          g_assert_cmpstr (s->answer, !=, "");
          break;
        case FTC_ANSWER_TEXT:
          /* four letters, not all ASCII lower case: "yaeA" (a name "A"), "m\u00e9yl" ("Jos\u00e9") */
          g_assert_cmpint (g_utf8_strlen (s->answer, -1), ==, 4);
          for (const char *p = s->answer; *p; p = g_utf8_next_char (p))
            g_assert_true (g_unichar_isalpha (g_utf8_get_char (p)));
          break;
        }
      g_checksum_update (sum, (const guchar *) s->question, -1);
      g_checksum_update (sum, (const guchar *) "\t", 1);
      g_checksum_update (sum, (const guchar *) s->answer, -1);
      g_checksum_update (sum, (const guchar *) "\n", 1);
    }
  g_assert_cmpstr (g_checksum_get_string (sum), ==, e->sha256);
}

static void
test_template_splits (void)
{
  const char *keys[] = { "date_understanding", "multiarith" };

  for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
    {
      g_autoptr (FtcTask) task = load_shared (keys[k], FTC_SPLIT_TEMPLATE);
      g_autofree char *file = g_strdup_printf ("%s__template.json", keys[k]);
      g_autofree char *path = NULL;

      if (task == NULL)
        return;
      path = ftc_test_shared_path ("datasets", keys[k], file, NULL);
      assert_membership (task, path, 0);
      g_assert_cmpstr (task->split_name, ==, "template");
    }
  g_assert_null (ftc_dataset_split_bytes ("gsm8k", FTC_SPLIT_TEMPLATE));
}

/* Kojima's logged prompts for date_understanding (log/date_understanding_zero_shot_cot.log): the choice
 * shuffle of random.seed(1) reproduced exactly. */
static void
test_date_shuffle (void)
{
  static const struct { int index; const char *question; const char *answer; } cases[] = {
    { 324, "It was Sept. 1st, 2021 a week ago. What is the date today in MM/DD/YYYY? Answer Choices: (A) 09/22/2021 "
           "(B) 09/09/2021 (C) 09/08/2006 (D) 09/08/2021 (E) 09/07/2021 (F) 08/11/2021", "D" },
    { 201, "May 6, 1992 is like yesterday to Jane, but that is actually ten years ago. What is the date 10 days ago "
           "in MM/DD/YYYY? Answer Choices: (A) 08/26/2001 (B) 04/26/2007 (C) 05/01/2002 (D) 04/25/2002 "
           "(E) 04/18/2002 (F) 04/26/2002", "F" },
    { 225, "This is the last day of 1899. What is the date today in MM/DD/YYYY? Answer Choices: (A) 09/26/1899 "
           "(B) 11/30/1899 (C) 12/22/1899 (D) 01/09/1900 (E) 12/31/1885 (F) 12/31/1899", "F" },
  };
  g_autoptr (FtcTask) task = load_shared ("date_understanding", FTC_SPLIT_DEFAULT);

  if (task == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      FtcSample *s = g_ptr_array_index (task->samples, cases[i].index);
      g_assert_cmpstr (s->question, ==, cases[i].question);
      g_assert_cmpstr (s->answer, ==, cases[i].answer);
    }
}

static char *
normalise (const char *s)
{
  GString *out = g_string_new (NULL);
  gboolean space = FALSE;

  for (const char *p = s; *p; p++)
    {
      if (g_ascii_isspace (*p))
        space = TRUE;
      else
        {
          if (space && out->len > 0)
            g_string_append_c (out, ' ');
          space = FALSE;
          g_string_append_c (out, *p);
        }
    }
  return g_string_free (out, FALSE);
}

/* The real teacher's questions (Kojima's formatting) are the loaded questions. */
static void
test_teacher_questions (gconstpointer data)
{
  const char *key = data;
  g_autoptr (FtcTask) task = load_shared (key, FTC_SPLIT_DEFAULT);
  g_autofree char *file = g_strdup_printf ("%s.jsonl", key);
  g_autofree char *path = ftc_test_shared_path ("teacher", "text-davinci-002", file, NULL);
  g_autoptr (GHashTable) questions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  guint n = 0, found = 0, gold_ok = 0;

  if (task == NULL || path == NULL)
    return;
  for (guint i = 0; i < task->samples->len; i++)
    {
      FtcSample *s = g_ptr_array_index (task->samples, i);
      g_hash_table_insert (questions, normalise (s->question), s);
    }
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *q = NULL;
      JsonObject *obj;
      FtcSample *s;

      if (*lines[i] == '\0')
        continue;
      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      obj = json_node_get_object (json_parser_get_root (parser));
      n++;
      q = normalise (json_object_get_string_member (obj, "question"));
      s = g_hash_table_lookup (questions, q);
      if (s != NULL)
        {
          g_autofree char *gold = g_strdup (json_object_get_string_member (obj, "gold"));
          GString *canon = g_string_new (NULL);
          found++;
          for (const char *p = g_strstrip (gold); *p; p++)
            if (*p != ',')
              g_string_append_c (canon, *p);
          gold_ok += strcmp (canon->str, s->answer) == 0;
          g_string_free (canon, TRUE);
        }
    }
  g_test_message ("%s: %u of %u teacher questions found among the loaded samples, %u with the same gold",
                  key, found, n, gold_ok);
  g_assert_cmpuint (n, >, 200);
  g_assert_cmpuint (found, ==, n);   /* every one, whitespace normalised */
  g_assert_cmpuint (gold_ok, ==, found);
}

/* A fresh dataset folder holding copies of some shared files. */
static char *
copy_dataset (const char *key, const char *const *names)
{
  g_autofree char *dir = ftc_test_tmpdir ();

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *from = ftc_test_shared_path ("datasets", key, names[i], NULL);
      g_autofree char *to = g_build_filename (dir, names[i], NULL);
      g_autofree char *contents = NULL;
      gsize len;

      if (from == NULL)
        return NULL;
      g_assert_true (g_file_get_contents (from, &contents, &len, NULL));
      g_assert_true (g_file_set_contents (to, contents, len, NULL));
    }
  return g_steal_pointer (&dir);
}

static void
test_gsm8k_without_train (void)
{
  const char *names[] = { "test.jsonl", NULL };
  g_autofree char *dir = copy_dataset ("gsm8k", names);
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTask) task = NULL;

  if (dir == NULL)
    return;
  task = ftc_dataset_load ("gsm8k", dir, FTC_SPLIT_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (task->samples->len, ==, 1319);
  g_assert_cmpuint (task->train->len, ==, 0);
  g_assert_cmpuint (task->test->len, ==, 1319);
  g_assert_cmpint (((FtcSample *) g_ptr_array_index (task->samples, 0))->index, ==, 7473);
  g_assert_nonnull (strstr (task->note, "train.jsonl"));
}

static void
test_missing_and_unknown (void)
{
  g_autofree char *empty = ftc_test_tmpdir ();
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTask) task = ftc_dataset_load ("svamp", empty, FTC_SPLIT_DEFAULT, &error);

  g_assert_null (task);
  g_assert_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "SVAMP.json"));
  g_assert_nonnull (strstr (error->message, "ftcot tasks fetch svamp"));
  g_clear_error (&error);

  task = ftc_dataset_load ("gsm8kk", empty, FTC_SPLIT_DEFAULT, &error);
  g_assert_null (task);
  g_assert_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "unknown dataset 'gsm8kk'; did you mean 'gsm8k'?");
  g_clear_error (&error);

  task = ftc_dataset_load ("svamp", empty, FTC_SPLIT_TEMPLATE, &error);
  g_assert_null (task);
  g_assert_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND);
}

static void
test_bad_raw_files (void)
{
  static const struct { const char *key, *name, *contents; int code; const char *where; } cases[] = {
    { "svamp", "SVAMP.json", "[{\"Body\": \"a\", \"Question\": \"b\",\n \"Answer\": 3.0}, {\"Body\": ", FTC_ERROR_PARSE,
      "SVAMP.json:2:" },
    { "svamp", "SVAMP.json", "[{\"Body\": \"a\", \"Answer\": 3.0}]", FTC_ERROR_INVALID, "missing field 'Question'" },
    { "svamp", "SVAMP.json", "[{\"Body\": \"a\", \"Question\": 7, \"Answer\": 3.0}]", FTC_ERROR_INVALID,
      "field 'Question' is not a string" },
    { "svamp", "SVAMP.json", "", FTC_ERROR_PARSE, "SVAMP.json" },
    { "svamp", "SVAMP.json", "{\"x\": 1}", FTC_ERROR_INVALID, "expected a JSON array" },
    { "svamp", "SVAMP.json", "[{\"Body\": \"caf\xc3\x28\", \"Question\": \"b\", \"Answer\": 1}]", FTC_ERROR_PARSE,
      "invalid UTF-8" },
    { "coin_flip", "coin_flip.json", "{\"examples\": [{\"question\": \"q\", \"answer\": \"maybe\"}]}",
      FTC_ERROR_INVALID, "not yes or no" },
    { "gsm8k", "test.jsonl", "{\"question\": \"q\", \"answer\": \"so #### 4\"}\n{\"question\": \"q\"\n",
      FTC_ERROR_PARSE, "test.jsonl:2:" },
    { "gsm8k", "test.jsonl", "{\"question\": \"q\", \"answer\": \"no final line\"}\n", FTC_ERROR_INVALID,
      "test.jsonl:1: 'answer' has no '#### N' line" },
    { "strategy_qa", "task.json", "{\"examples\": [{\"input\": \"q\", \"target_scores\": {\"No\": 1}}]}",
      FTC_ERROR_INVALID, "has no 'Yes'" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *dir = ftc_test_tmpdir ();
      g_autofree char *path = g_build_filename (dir, cases[i].name, NULL);
      g_autoptr (GError) error = NULL;
      g_autoptr (FtcTask) task = NULL;

      g_assert_true (g_file_set_contents (path, cases[i].contents, -1, NULL));
      task = ftc_dataset_load (cases[i].key, dir, FTC_SPLIT_DEFAULT, &error);
      g_assert_null (task);
      g_assert_error (error, FTC_ERROR, cases[i].code);
      if (strstr (error->message, cases[i].where) == NULL)
        g_error ("case %u: '%s' lacks '%s'", i, error->message, cases[i].where);
    }
}

/* A split that does not fit the data is an error, never silently applied. */
static void
test_split_mismatch (void)
{
  static const struct { const char *json; int code; const char *what; } cases[] = {
    { "{\"train\": [0, 1, 2], \"test\": [3, 10]}", FTC_ERROR_MISMATCH, "index 10 is out of range" },
    { "{\"train\": [0, 1, 2], \"test\": [2, 3]}", FTC_ERROR_MISMATCH, "train and test overlap" },
    { "{\"train\": [0, 1, 1], \"test\": [3]}", FTC_ERROR_MISMATCH, "a duplicate" },
    { "{\"train\": [0, -1], \"test\": [3]}", FTC_ERROR_MISMATCH, "out of range" },
    { "{\"train\": [0, \"1\"], \"test\": [3]}", FTC_ERROR_INVALID, "train[1] is not an integer" },
    { "{\"train\": [0, 1]}", FTC_ERROR_INVALID, "'test' is missing" },
    { "[1, 2]", FTC_ERROR_INVALID, "expected" },
    { "{\"train\": [0, 1", FTC_ERROR_PARSE, "x.json" },
  };
  g_autoptr (FtcTask) task = ftc_task_new ("t", "T", FTC_ANSWER_NUMBER);

  for (int i = 0; i < 5; i++)
    {
      FtcSample *s = ftc_sample_new ();
      s->index = i;
      s->question = g_strdup_printf ("q%d", i);
      s->answer = g_strdup_printf ("%d", i);
      ftc_task_add_sample (task, s);
    }
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GBytes) bytes = g_bytes_new_static (cases[i].json, strlen (cases[i].json));
      g_autoptr (GError) error = NULL;

      g_assert_false (ftc_task_apply_split (task, bytes, "x.json", 5, 0, 0, NULL, &error));
      g_assert_error (error, FTC_ERROR, cases[i].code);
      if (strstr (error->message, cases[i].what) == NULL)
        g_error ("case %u: '%s' lacks '%s'", i, error->message, cases[i].what);
      /* nothing half-applied */
      g_assert_cmpuint (task->train->len, ==, 0);
    }

  /* an index without a sample outside the tolerated range is a mismatch */
  {
    g_autoptr (FtcTask) holes = ftc_task_new ("h", "H", FTC_ANSWER_NUMBER);
    static const char json[] = "{\"train\": [0, 1], \"test\": [2]}";
    g_autoptr (GBytes) bytes = g_bytes_new_static (json, strlen (json));
    g_autoptr (GError) error = NULL;
    guint skipped = 99;
    FtcSample *s = ftc_sample_new ();

    s->index = 2;
    ftc_task_add_sample (holes, s);
    g_assert_false (ftc_task_apply_split (holes, bytes, "h.json", 3, 0, 0, NULL, &error));
    g_assert_error (error, FTC_ERROR, FTC_ERROR_MISMATCH);
    g_assert_nonnull (strstr (error->message, "no sample for train index 0"));
    g_clear_error (&error);
    g_assert_true (ftc_task_apply_split (holes, bytes, "h.json", 3, 0, 2, &skipped, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (skipped, ==, 2);
    g_assert_cmpuint (holes->test->len, ==, 1);
  }
}

static void
test_number_format (void)
{
  static const struct { double v; const char *s; } cases[] = {
    { 3.0, "3" }, { 0.7, "0.7" }, { 11.5, "11.5" }, { 9.43, "9.43" }, { -2.0, "-2" }, { 0.1 + 0.2, "0.30000000000000004" },
    { 1234567.0, "1234567" }, { 2.5e-05, "2.5e-05" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *s = ftc_dataset_format_number (cases[i].v);
      g_assert_cmpstr (s, ==, cases[i].s);
    }
}

static void
test_data_dir (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *key_dir = NULL;

  g_setenv ("FTCOT_DATA_DIR", "/some/where", TRUE);
  dir = ftc_dataset_data_dir ();
  key_dir = ftc_dataset_dir ("svamp");
  g_assert_cmpstr (dir, ==, "/some/where");
  g_assert_true (g_str_has_suffix (key_dir, "svamp"));
  g_unsetenv ("FTCOT_DATA_DIR");
  g_free (dir);
  dir = ftc_dataset_data_dir ();
  g_assert_true (g_str_has_prefix (dir, g_get_user_data_dir ()));
  g_assert_true (g_str_has_suffix (dir, "datasets"));
}

int
main (int argc, char **argv)
{
  static const char *const teacher_keys[] = {
    "aqua", "coin_flip", "commonsense_qa", "gsm8k", "last_letter_concatenation", "multiarith", "single_eq",
    "strategy_qa", "tracking_shuffled_objects",
  };

  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *name = g_strdup_printf ("/datasets/load/%s", expected[i].key);
      g_test_add_data_func (name, &expected[i], test_dataset);
    }
  for (guint i = 0; i < G_N_ELEMENTS (teacher_keys); i++)
    {
      g_autofree char *name = g_strdup_printf ("/datasets/teacher-questions/%s", teacher_keys[i]);
      g_test_add_data_func (name, teacher_keys[i], test_teacher_questions);
    }
  g_test_add_func ("/datasets/template-splits", test_template_splits);
  g_test_add_func ("/datasets/date-shuffle", test_date_shuffle);
  g_test_add_func ("/datasets/gsm8k-without-train", test_gsm8k_without_train);
  g_test_add_func ("/datasets/missing-and-unknown", test_missing_and_unknown);
  g_test_add_func ("/datasets/bad-raw-files", test_bad_raw_files);
  g_test_add_func ("/datasets/split-mismatch", test_split_mismatch);
  g_test_add_func ("/datasets/number-format", test_number_format);
  g_test_add_func ("/datasets/data-dir", test_data_dir);
  return g_test_run ();
}
