/* test-benchmarks: the reasoning benchmarks (AIME 2024/2025, AMC23, MATH-500, MATH train, OlympiadBench,
 * ARC-Challenge) from excerpts of their published files (tests/data/benchmarks/): questions, gold answers,
 * splits; malformed files; downloads from a local server, a plain pinned file and the Hugging Face rows
 * API (paged, checked by row count, its checksum recorded at the first download and kept to after). */
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "core/ftc-error.h"
#include "core/tasks/ftc-answer.h"
#include "core/tasks/ftc-benchmark.h"
#include "core/tasks/ftc-dataset-fetch.h"
#include "core/tasks/ftc-task-open.h"
#include "core/tasks/ftc-task-registry.h"
#include "tests/ftc-test-server.h"
#include "tests/ftc-test-util.h"

static char *
excerpts_dir (void)
{
  const char *root = g_getenv ("FTCOT_SOURCE_ROOT");
  return g_build_filename (root != NULL ? root : ".", "tests", "data", "benchmarks", NULL);
}

static FtcTask *
open_task (const char *spec, const char *data_dir)
{
  FtcTaskOpenOptions options = { 0 };
  g_autoptr (GError) error = NULL;
  FtcTask *task;

  options.data_dir = data_dir;
  task = ftc_task_open (spec, &options, &error);
  g_assert_no_error (error);
  return task;
}

typedef struct {
  const char *key;
  guint train, test;
  const char *question_start;   /* of the first test (else train) question */
  const char *answer;           /* its gold */
} LoadCase;

static void
test_load (void)
{
  g_autofree char *dir = excerpts_dir ();
  static const LoadCase cases[] = {
    { "aime_2024", 0, 2, "Every morning Aya goes for a $9$-kilometer-long walk", "204" },
    { "aime_2025", 0, 2, "Find the sum of all integer bases $b>9$ for which $17_b$ is a divisor of $97_b.$", "70" },
    /* AMC's answers are floats in the file: 27.0 is "27" */
    { "amc23", 0, 2, "Cities $A$ and $B$ are $45$ miles apart.", "27" },
    { "math500", 0, 3, "Convert the point $(0,3)$ in rectangular coordinates to polar coordinates.",
      "\\left( 3, \\frac{\\pi}{2} \\right)" },
    { "math_train", 1, 0, "When the base-12 integer $1531_{12}$ is divided by $8$", "5" },
    { "olympiadbench", 0, 4, "Xenia and Sergey play the following game.", "2" },
    { "arc_challenge", 1, 1, "Rocks are classified as igneous, metamorphic, or sedimentary according to Answer "
      "Choices: (A) their color (B) their shape (C) how they formed (D) the minerals they contain", "C" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const LoadCase *c = &cases[i];
      g_autoptr (FtcTask) task = open_task (c->key, dir);
      const FtcTaskInfo *info = ftc_task_info_lookup (c->key);
      FtcSample *first;

      g_assert_cmpstr (task->key, ==, c->key);
      g_assert_cmpint (task->answer_type, ==, info->answer_type);
      g_assert_cmpuint (task->train->len, ==, c->train);
      g_assert_cmpuint (task->test->len, ==, c->test);
      first = c->test > 0 ? ftc_task_test_sample (task, 0) : ftc_task_train_sample (task, 0);
      if (!g_str_has_prefix (first->question, c->question_start))
        g_error ("%s: question \"%.80s\"", c->key, first->question);
      g_assert_cmpstr (first->answer, ==, c->answer);
      {
        g_autofree char *id = g_strdup_printf ("%s-%d", c->key, first->index);
        g_assert_cmpstr (first->id, ==, id);
      }
      /* test sets say why they have no training questions */
      g_assert_true ((task->train->len == 0) == (task->note != NULL));
      /* every gold is its own equal, and a boxed response states it */
      for (guint s = 0; s < task->samples->len; s++)
        {
          FtcSample *sample = task->samples->pdata[s];
          FtcAnswerFormat format = ftc_answer_format_for_task (task);
          g_autofree char *response = g_strdup_printf ("Long reasoning. So the answer is $\\boxed{%s}$.", sample->answer);
          g_autofree char *prediction = NULL;

          if (format.type == FTC_ANSWER_CHOICE)
            format.n_choices = ftc_answer_count_choices (sample->question);
          prediction = ftc_answer_extract (&format, response, FTC_EXTRACT_COMPLETION);
          if (!ftc_answer_match_format (&format, prediction, sample->answer))
            g_error ("%s: gold %s, prediction %s", sample->id, sample->answer, prediction ? prediction : "NULL");
        }
    }
}

static void
test_olympiad_answers (void)
{
  g_autofree char *dir = excerpts_dir ();
  g_autoptr (FtcTask) task = open_task ("olympiadbench", dir);

  /* several answers in one: "$(1,8,19), (2,7,13), (4,5,7)$" without its $ */
  g_assert_cmpstr (ftc_task_test_sample (task, 2)->answer, ==, "(1,8,19), (2,7,13), (4,5,7)");
  g_assert_cmpstr (ftc_task_test_sample (task, 1)->answer, ==, "\\frac{1}{2 n+2}");
  /* the solutions in another order are the same answer; a tuple's own order matters */
  g_assert_true (ftc_answer_match (FTC_ANSWER_MATH, "(4,5,7), (1,8,19), (2,7,13)", ftc_task_test_sample (task, 2)->answer));
  g_assert_false (ftc_answer_match (FTC_ANSWER_MATH, "(7,5,4), (1,8,19), (2,7,13)", ftc_task_test_sample (task, 2)->answer));
  g_assert_true (ftc_answer_match (FTC_ANSWER_MATH, "\\dfrac{1}{2n + 2}", ftc_task_test_sample (task, 1)->answer));
}

static void
test_arc (void)
{
  g_autofree char *dir = excerpts_dir ();
  g_autoptr (FtcTask) task = open_task ("arc_challenge", dir);
  g_autoptr (FtcTask) validation = open_task ("arc_challenge:split=validation", dir);
  FtcSample *train = ftc_task_train_sample (task, 0);
  FtcSample *test = ftc_task_test_sample (task, 0);
  FtcAnswerFormat format = { FTC_ANSWER_CHOICE, 4, 0.0 };
  g_autofree char *numbered = ftc_answer_extract (&format, "The rocks formed ... \\boxed{3}", FTC_EXTRACT_COMPLETION);

  /* the index space is train, validation, test in order */
  g_assert_cmpint (train->index, ==, 0);
  g_assert_cmpint (test->index, ==, 2);
  g_assert_cmpstr (train->answer, ==, "A");
  g_assert_cmpuint (g_strv_length (test->choices), ==, 4);
  g_assert_cmpstr (test->choices[2], ==, "how they formed");
  /* numbered choices (1-4) are lettered; "3" in a box is C */
  g_assert_cmpstr (numbered, ==, "C");
  g_assert_true (ftc_answer_match (FTC_ANSWER_CHOICE, numbered, test->answer));
  /* the validation split: its row becomes the test split */
  g_assert_cmpuint (validation->test->len, ==, 1);
  g_assert_cmpint (ftc_task_test_sample (validation, 0)->index, ==, 1);
  g_assert_true (g_str_has_prefix (ftc_task_test_sample (validation, 0)->question, "Which of the following statements"));
  g_assert_cmpstr (ftc_task_test_sample (validation, 0)->answer, ==, "B");
  g_assert_cmpstr (validation->split_name, ==, "validation");
}

/* Broken files: the error names the file and line; nothing is read past its bounds. */
static void
test_malformed (void)
{
  static const struct {
    const char *key, *file, *contents, *message;
  } cases[] = {
    { "aime_2024", "test.jsonl", "{\"problem\": \"p\", \"answer\": \"1\"}\n{\"problem\": \"q\"\n", "test.jsonl:2: malformed JSON" },
    { "aime_2024", "test.jsonl", "{\"problem\": \"p\"}\n", "test.jsonl:1: field 'answer' is missing" },
    { "aime_2024", "test.jsonl", "[1, 2]\n", "test.jsonl:1: expected a JSON object" },
    { "math500", "test.jsonl", "{\"problem\": [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]], \"answer\": \"1\"}\n", "malformed JSON" },
    { "olympiadbench", "test.jsonl", "{\"question\": \"q\", \"final_answer\": []}\n", "'final_answer' is not a list of answers" },
    { "arc_challenge", "test.jsonl",
      "{\"id\": \"x\", \"question\": \"q\", \"choices\": {\"text\": [\"a\", \"b\"], \"label\": [\"A\", \"B\"]}, \"answerKey\": \"C\"}\n",
      "answerKey 'C' is none of the choices' labels" },
    { "arc_challenge", "test.jsonl", "{\"id\": \"x\", \"question\": \"q\", \"choices\": {\"text\": [\"a\"], \"label\": [\"A\"]}, "
      "\"answerKey\": \"A\"}\n", "2 to 26 choices" },
  };
  g_autofree char *src = excerpts_dir ();

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *root = ftc_test_tmpdir ();
      g_autofree char *dir = g_build_filename (root, cases[i].key, NULL);
      g_autofree char *path = g_build_filename (dir, cases[i].file, NULL);
      FtcTaskOpenOptions options = { 0 };
      g_autoptr (GError) error = NULL;
      g_autoptr (FtcTask) task = NULL;

      g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
      /* ARC's other files intact */
      if (strcmp (cases[i].key, "arc_challenge") == 0)
        for (int f = 0; f < 2; f++)
          {
            const char *name = f == 0 ? "train.jsonl" : "validation.jsonl";
            g_autofree char *from = g_build_filename (src, "arc_challenge", name, NULL);
            g_autofree char *to = g_build_filename (dir, name, NULL);
            g_autofree char *text = NULL;
            g_assert_true (g_file_get_contents (from, &text, NULL, NULL));
            g_assert_true (g_file_set_contents (to, text, -1, NULL));
          }
      g_assert_true (g_file_set_contents (path, cases[i].contents, -1, NULL));
      options.data_dir = root;
      task = ftc_task_open (cases[i].key, &options, &error);
      g_assert_null (task);
      g_assert_nonnull (error);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("case %" G_GSIZE_FORMAT ": \"%s\" does not say \"%s\"", i, error->message, cases[i].message);
    }
  /* not installed: the fetch command is named */
  {
    g_autofree char *root = ftc_test_tmpdir ();
    FtcTaskOpenOptions options = { 0 };
    g_autoptr (GError) error = NULL;
    options.data_dir = root;
    g_assert_null (ftc_task_open ("math500", &options, &error));
    g_assert_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND);
    g_assert_nonnull (strstr (error->message, "ftcot tasks fetch math500"));
  }
}

/* The pins: commits, sizes and checksums of the real files (they cannot be downloaded here), the rows
 * API entries pinned by row count only. */
static void
test_sources_table (void)
{
  guint n, n_files, seen = 0;
  const FtcDatasetSource *s = ftc_dataset_sources (&n);
  const FtcDatasetFile *files = ftc_dataset_files (&n_files);
  g_autoptr (GRegex) commit = g_regex_new ("/[0-9a-f]{40}/", 0, 0, NULL);
  g_autoptr (GRegex) sha = g_regex_new ("^[0-9a-f]{64}$", 0, 0, NULL);

  for (guint i = 0; i < n; i++)
    {
      const FtcBenchmarkInfo *bench = ftc_benchmark_lookup (s[i].key);
      gboolean listed = FALSE;

      if (bench == NULL)
        continue;
      seen++;
      for (guint j = 0; j < n_files; j++)
        listed |= strcmp (files[j].key, s[i].key) == 0 && strcmp (files[j].name, s[i].name) == 0;
      g_assert_true (listed);
      if (s[i].rows > 0)
        {
          g_assert_true (g_str_has_prefix (s[i].url, "https://datasets-server.huggingface.co/rows?dataset=allenai%2Fai2_arc"));
          g_assert_null (s[i].sha256);
          g_assert_cmpint (s[i].size, ==, -1);
          g_assert_cmpint (s[i].rows, ==, strcmp (s[i].name, "train.jsonl") == 0 ? bench->train
                                           : strcmp (s[i].name, "test.jsonl") == 0 ? bench->test : bench->validation);
        }
      else
        {
          g_assert_true (g_str_has_prefix (s[i].url, "https://raw.githubusercontent.com/")
                         || g_str_has_prefix (s[i].url, "https://media.githubusercontent.com/media/"));
          g_assert_true (g_regex_match (commit, s[i].url, 0, NULL));
          g_assert_true (g_regex_match (sha, s[i].sha256, 0, NULL));
          g_assert_cmpint (s[i].size, >, 10000);
        }
    }
  /* six files and ARC's three */
  g_assert_cmpuint (seen, ==, 9);
}

/* ---- downloads ---- */

static void
sha256_of (const char *path, char **sha, gint64 *size)
{
  g_autofree char *text = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &text, &len, NULL));
  *sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) text, len);
  *size = (gint64) len;
}

typedef struct {
  char *root;
  gboolean corrupt;
} Files;

static void
files_handler (const FtcTestRequest *req, FtcTestResponse *resp, gpointer user_data)
{
  Files *f = user_data;

  ftc_test_server_serve_files (req, resp, f->root);
  if (f->corrupt && resp->body != NULL && g_bytes_get_size (resp->body) > 0)
    {
      gsize n;
      guint8 *data = g_bytes_unref_to_data (resp->body, &n);
      data[n / 2] ^= 0x20;
      resp->body = g_bytes_new_take (data, n);
    }
}

/* A pinned file from a server: installed when it matches, removed when it does not. */
static void
test_fetch_pinned (void)
{
  Files files = { excerpts_dir (), FALSE };
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTestServer) server = ftc_test_server_new (files_handler, &files, &error);
  g_autofree char *data_dir = ftc_test_tmpdir ();
  g_autofree char *local = g_build_filename (files.root, "math500", "test.jsonl", NULL);
  g_autofree char *url = NULL, *sha = NULL, *dest = NULL;
  FtcDatasetSource source = { "math500", "test.jsonl", NULL, 0, NULL, 0 };
  FtcFetchOptions options = { 0 };
  g_autoptr (FtcTask) task = NULL;

  g_assert_no_error (error);
  sha256_of (local, &sha, &source.size);
  source.sha256 = sha;
  source.url = url = g_strdup_printf ("%s/math500/test.jsonl", ftc_test_server_url (server));
  options.data_dir = data_dir;
  options.timeout_s = 20;
  dest = g_build_filename (data_dir, "math500", "test.jsonl", NULL);

  files.corrupt = TRUE;
  g_assert_false (ftc_dataset_fetch_source (&source, &options, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_MISMATCH);
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  files.corrupt = FALSE;
  g_assert_true (ftc_dataset_fetch_source (&source, &options, &error));
  g_assert_no_error (error);
  g_assert_true (ftc_dataset_verify_file (&source, dest, NULL));
  task = open_task ("math500", data_dir);
  g_assert_cmpuint (task->test->len, ==, 3);
  g_free (files.root);
}

/* ---- the rows API ---- */

typedef struct {
  JsonArray *splits[3];      /* train, validation, test rows */
  int total_offset;          /* added to num_rows_total (a dataset that changed) */
  gboolean truncate;         /* mark the cells of the first row truncated */
  GPtrArray *queries;        /* every request's query */
} Rows;

static const char *const split_names[3] = { "train", "validation", "test" };

/* As the Hub's rows API answers: at most 2 rows a page here, whatever length asks, so that paging is used */
static void
rows_handler (const FtcTestRequest *req, FtcTestResponse *resp, gpointer user_data)
{
  Rows *r = user_data;
  const char *query = strchr (req->path, '?');
  g_autoptr (GHashTable) params = NULL;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  JsonArray *rows = NULL;
  gint64 offset;
  char *text;

  g_ptr_array_add (r->queries, g_strdup (query != NULL ? query + 1 : ""));
  if (!g_str_has_prefix (req->path, "/rows?") || query == NULL)
    {
      resp->status = 404;
      return;
    }
  params = g_uri_parse_params (query + 1, -1, "&", G_URI_PARAMS_NONE, NULL);
  for (int i = 0; i < 3; i++)
    if (g_strcmp0 (g_hash_table_lookup (params, "split"), split_names[i]) == 0)
      rows = r->splits[i];
  if (rows == NULL || g_strcmp0 (g_hash_table_lookup (params, "dataset"), "allenai/ai2_arc") != 0
      || g_strcmp0 (g_hash_table_lookup (params, "config"), "ARC-Challenge") != 0)
    {
      resp->status = 404;
      return;
    }
  offset = g_ascii_strtoll (g_hash_table_lookup (params, "offset"), NULL, 10);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "features");
  json_builder_begin_array (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "rows");
  json_builder_begin_array (b);
  for (gint64 i = offset; i < offset + 2 && i < json_array_get_length (rows); i++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "row_idx");
      json_builder_add_int_value (b, i);
      json_builder_set_member_name (b, "row");
      json_builder_add_value (b, json_node_copy (json_array_get_element (rows, i)));
      json_builder_set_member_name (b, "truncated_cells");
      json_builder_begin_array (b);
      if (r->truncate && i == 0)
        json_builder_add_string_value (b, "question");
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "num_rows_total");
  json_builder_add_int_value (b, json_array_get_length (rows) + r->total_offset);
  json_builder_set_member_name (b, "num_rows_per_page");
  json_builder_add_int_value (b, 100);
  json_builder_set_member_name (b, "partial");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  resp->body = g_bytes_new_take (text, strlen (text));
}

static JsonArray *
rows_of (const char *file)
{
  g_autofree char *dir = excerpts_dir ();
  g_autofree char *path = g_build_filename (dir, "arc_challenge", file, NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  JsonArray *rows = json_array_new ();

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0')
      {
        g_autoptr (JsonParser) p = json_parser_new ();
        g_assert_true (json_parser_load_from_data (p, lines[i], -1, NULL));
        json_array_add_element (rows, json_node_copy (json_parser_get_root (p)));
      }
  return rows;
}

static void
test_fetch_rows (void)
{
  Rows r = { { NULL } };
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTestServer) server = NULL;
  g_autofree char *data_dir = ftc_test_tmpdir ();
  g_autofree char *dest = g_build_filename (data_dir, "arc_challenge", "train.jsonl", NULL);
  g_autofree char *recorded = g_strconcat (dest, ".sha256", NULL);
  g_autofree char *first_sha = NULL;
  FtcDatasetSource sources[3];
  g_autofree char *urls[3] = { NULL };
  FtcFetchOptions options = { 0 };
  g_autoptr (FtcTask) task = NULL;
  gint64 size;

  /* three rows in train (two pages), one in each of the others */
  r.splits[0] = rows_of ("train.jsonl");
  {
    g_autoptr (JsonArray) more = rows_of ("test.jsonl");
    g_autoptr (JsonArray) again = rows_of ("validation.jsonl");
    json_array_add_element (r.splits[0], json_node_copy (json_array_get_element (again, 0)));
    json_array_add_element (r.splits[0], json_node_copy (json_array_get_element (more, 0)));
  }
  r.splits[1] = rows_of ("validation.jsonl");
  r.splits[2] = rows_of ("test.jsonl");
  r.queries = g_ptr_array_new_with_free_func (g_free);
  server = ftc_test_server_new (rows_handler, &r, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 3; i++)
    {
      urls[i] = g_strdup_printf ("%s/rows?dataset=allenai%%2Fai2_arc&config=ARC-Challenge&split=%s",
                                 ftc_test_server_url (server), split_names[i]);
      sources[i] = (FtcDatasetSource) { "arc_challenge", NULL, urls[i], -1, NULL,
                                        json_array_get_length (r.splits[i]) };
    }
  sources[0].name = "train.jsonl";
  sources[1].name = "validation.jsonl";
  sources[2].name = "test.jsonl";
  options.data_dir = data_dir;
  options.timeout_s = 20;

  for (int i = 0; i < 3; i++)
    {
      g_assert_true (ftc_dataset_fetch_source (&sources[i], &options, &error));
      g_assert_no_error (error);
    }
  /* train took two pages: offsets 0 and 2, pages of 100 asked */
  g_assert_cmpstr (r.queries->pdata[0], ==, "dataset=allenai%2Fai2_arc&config=ARC-Challenge&split=train&offset=0&length=100");
  g_assert_cmpstr (r.queries->pdata[1], ==, "dataset=allenai%2Fai2_arc&config=ARC-Challenge&split=train&offset=2&length=100");
  task = open_task ("arc_challenge", data_dir);
  g_assert_cmpuint (task->train->len, ==, 3);
  g_assert_cmpuint (task->test->len, ==, 1);
  g_assert_cmpstr (ftc_task_test_sample (task, 0)->answer, ==, "C");
  g_assert_cmpstr (ftc_task_train_sample (task, 2)->answer, ==, "C");
  /* the checksum of the first download is recorded beside the file */
  sha256_of (dest, &first_sha, &size);
  {
    g_autofree char *text = NULL;
    g_assert_true (g_file_get_contents (recorded, &text, NULL, NULL));
    g_assert_cmpstr (g_strstrip (text), ==, first_sha);
  }
  g_assert_true (ftc_dataset_verify_file (&sources[0], dest, NULL));
  /* installed and intact: nothing is asked again */
  {
    guint before = ftc_test_server_request_count (server);
    g_assert_true (ftc_dataset_fetch_source (&sources[0], &options, &error));
    g_assert_cmpuint (ftc_test_server_request_count (server), ==, before);
  }

  /* the server's rows changed: a new download does not match what was recorded, and is not installed */
  g_assert_cmpint (g_unlink (dest), ==, 0);
  json_object_set_string_member (json_array_get_object_element (r.splits[0], 0), "question", "Something else?");
  g_assert_false (ftc_dataset_fetch_source (&sources[0], &options, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_MISMATCH);
  g_assert_nonnull (strstr (error->message, "recorded at its first download"));
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  /* a split of another size than pinned, and truncated cells, are refused */
  {
    g_autofree char *fresh = ftc_test_tmpdir ();
    options.data_dir = fresh;
    r.total_offset = 1;
    g_assert_false (ftc_dataset_fetch_source (&sources[2], &options, &error));
    g_assert_error (error, FTC_ERROR, FTC_ERROR_MISMATCH);
    g_assert_nonnull (strstr (error->message, "the dataset changed"));
    g_clear_error (&error);
    r.total_offset = 0;
    r.truncate = TRUE;
    g_assert_false (ftc_dataset_fetch_source (&sources[2], &options, &error));
    g_assert_error (error, FTC_ERROR, FTC_ERROR_MISMATCH);
    g_assert_nonnull (strstr (error->message, "truncated"));
    g_clear_error (&error);
  }
  for (int i = 0; i < 3; i++)
    json_array_unref (r.splits[i]);
  g_ptr_array_unref (r.queries);
}

static int
run_cli (GSubprocessLauncher *launcher, char **out, char **err, const char *first, ...)
{
  va_list args;
  int status;

  va_start (args, first);
  status = ftc_test_cli_run_va (launcher, NULL, out, err, first, args);
  va_end (args);
  return status;
}

/* `ftcot tasks --json` lists the benchmarks with their published sizes. */
static void
test_cli_list (void)
{
  g_autoptr (GSubprocessLauncher) launcher = ftc_test_cli_launcher ();
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *dir = excerpts_dir ();
  guint n_bench, found = 0;
  const FtcBenchmarkInfo *list = ftc_benchmark_list (&n_bench);
  JsonArray *tasks;

  g_subprocess_launcher_setenv (launcher, "FTCOT_DATA_DIR", dir, TRUE);
  g_assert_cmpint (run_cli (launcher, &out, &err, "tasks", "--json", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
  tasks = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "tasks");
  for (guint i = 0; i < json_array_get_length (tasks); i++)
    {
      JsonObject *t = json_array_get_object_element (tasks, i);
      const FtcBenchmarkInfo *bench = ftc_benchmark_lookup (json_object_get_string_member (t, "key"));

      if (bench == NULL)
        continue;
      found++;
      g_assert_cmpstr (json_object_get_string_member (t, "source"), ==, "benchmark");
      g_assert_cmpint (json_object_get_int_member (t, "train"), ==, bench->train);
      g_assert_cmpint (json_object_get_int_member (t, "test"), ==, bench->test);
      g_assert_cmpint (json_object_get_int_member (t, "validation"), ==, bench->validation);
      g_assert_cmpstr (json_object_get_string_member (t, "licence"), ==, bench->licence);
      /* the excerpts are installed in that data folder */
      g_assert_cmpstr (json_object_get_string_member (t, "available"), ==, "yes");
      g_assert_cmpstr (json_object_get_string_member (t, "answer_type"), ==,
                       strcmp (bench->key, "arc_challenge") == 0 ? "choice" : "math");
    }
  g_assert_cmpuint (found, ==, n_bench);
  g_assert_cmpuint (n_bench, ==, 7);
  (void) list;
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/benchmarks/load", test_load);
  g_test_add_func ("/benchmarks/olympiad-answers", test_olympiad_answers);
  g_test_add_func ("/benchmarks/arc", test_arc);
  g_test_add_func ("/benchmarks/malformed", test_malformed);
  g_test_add_func ("/benchmarks/sources-table", test_sources_table);
  g_test_add_func ("/benchmarks/fetch-pinned", test_fetch_pinned);
  g_test_add_func ("/benchmarks/fetch-rows", test_fetch_rows);
  g_test_add_func ("/benchmarks/cli-list", test_cli_list);
  return g_test_run ();
}
