/* test-record: completion records, JSONL reading and writing, and every kind of bad input. */
#include <string.h>

#include <glib/gstdio.h>

#include "core/ftc-error.h"
#include "core/tasks/ftc-record.h"
#include "tests/ftc-test-util.h"

#define OK_LINE "{\"question\": \"q\", \"gold\": \"1\", \"answer_text\": \" 1\"}\n"

/* ---- a stream that serves one endless line and counts what it served ---- */

typedef struct {
  GInputStream parent;
  goffset total;
  goffset served;
} EndlessStream;

typedef struct {
  GInputStreamClass parent_class;
} EndlessStreamClass;

GType endless_stream_get_type (void);
G_DEFINE_TYPE (EndlessStream, endless_stream, G_TYPE_INPUT_STREAM)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EndlessStream, g_object_unref)

static const char endless_prefix[] = "{\"question\": \"";

static gssize
endless_stream_read (GInputStream *stream, void *buffer, gsize count, GCancellable *cancellable,
                     GError **error)
{
  EndlessStream *self = (EndlessStream *) stream;
  gsize n = MIN (count, (gsize) (self->total - self->served));
  char *out = buffer;

  for (gsize i = 0; i < n; i++)
    {
      goffset pos = self->served + i;
      out[i] = pos < (goffset) strlen (endless_prefix) ? endless_prefix[pos] : 'a';
    }
  self->served += n;
  return n;
}

static void
endless_stream_class_init (EndlessStreamClass *klass)
{
  G_INPUT_STREAM_CLASS (klass)->read_fn = endless_stream_read;
}

static void
endless_stream_init (EndlessStream *self)
{
}

/* ---- helpers ---- */

static GPtrArray *
read_string (const char *contents, gssize len, GError **error)
{
  g_autofree char *path = ftc_test_write_tmp ("records.jsonl", contents, len);
  return ftc_record_read_file (path, error);
}

static FtcRecord *
full_record (int i)
{
  FtcRecord *r = ftc_record_new ();
  g_autoptr (JsonParser) parser = json_parser_new ();

  r->task = g_strdup ("gsm8k");
  r->sample_id = g_strdup_printf ("gsm8k-%d", i);
  r->sample_index = i;
  r->completion_index = 3;
  r->question = g_strdup ("Janet\xe2\x80\x99s ducks lay 16 eggs. \"How many\"? \\ tab\there");
  r->gold = g_strdup ("18");
  r->reasoning_prompt = g_strdup ("Q: Janet\nA: Let's think step by step.");
  r->rationale = g_strdup (" 16 - 3 - 4 = 9.\n9 * 2 = 18.\x01");
  r->answer_trigger = g_strdup ("Therefore, the answer (arabic numerals) is");
  r->answer_prompt = g_strdup ("Q: Janet\nA: Let's think step by step. 16 - 3 - 4 = 9.\nTherefore, the answer "
                               "(arabic numerals) is");
  r->answer_text = g_strdup (" $18.");
  r->completion = g_strdup (" 16 - 3 - 4 = 9 --> 18 END");
  r->prediction = g_strdup ("18");
  r->has_correct = TRUE;
  r->correct = i % 2 == 0;
  r->finish_reason = g_strdup ("stop");
  r->prompt_tokens = 57 + i;
  r->completion_tokens = 12;
  r->model = g_strdup ("text-davinci-002");
  g_assert_true (json_parser_load_from_data (parser,
      "{\"temperature\": 0.7, \"max_tokens\": 128, \"stop\": [\"END\", \"\\n\"], \"top_p\": 1.0, "
      "\"nested\": {\"a\": true, \"b\": null, \"c\": -2.5e-08}}", -1, NULL));
  r->params = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
  return r;
}

static void
assert_records_equal (const FtcRecord *a, const FtcRecord *b)
{
  g_autofree char *la = ftc_record_to_json_line (a);
  g_autofree char *lb = ftc_record_to_json_line (b);

  g_assert_cmpstr (a->task, ==, b->task);
  g_assert_cmpstr (a->sample_id, ==, b->sample_id);
  g_assert_cmpint (a->sample_index, ==, b->sample_index);
  g_assert_cmpint (a->completion_index, ==, b->completion_index);
  g_assert_cmpstr (a->question, ==, b->question);
  g_assert_cmpstr (a->gold, ==, b->gold);
  g_assert_cmpstr (a->reasoning_prompt, ==, b->reasoning_prompt);
  g_assert_cmpstr (a->rationale, ==, b->rationale);
  g_assert_cmpstr (a->answer_trigger, ==, b->answer_trigger);
  g_assert_cmpstr (a->answer_prompt, ==, b->answer_prompt);
  g_assert_cmpstr (a->answer_text, ==, b->answer_text);
  g_assert_cmpstr (a->completion, ==, b->completion);
  g_assert_cmpstr (a->prediction, ==, b->prediction);
  g_assert_cmpint (a->has_correct, ==, b->has_correct);
  g_assert_cmpint (a->correct, ==, b->correct);
  g_assert_cmpstr (a->finish_reason, ==, b->finish_reason);
  g_assert_cmpint (a->prompt_tokens, ==, b->prompt_tokens);
  g_assert_cmpint (a->completion_tokens, ==, b->completion_tokens);
  g_assert_cmpstr (a->model, ==, b->model);
  g_assert_cmpint (a->params != NULL, ==, b->params != NULL);
  if (a->params != NULL)
    {
      g_autoptr (JsonNode) na = json_node_init_object (json_node_alloc (), a->params);
      g_autoptr (JsonNode) nb = json_node_init_object (json_node_alloc (), b->params);
      g_assert_true (json_node_equal (na, nb));
    }
  g_assert_cmpstr (la, ==, lb);
}

/* ---- round trip ---- */

static void
test_round_trip (void)
{
  g_autoptr (GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) ftc_record_free);
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "teacher.jsonl", NULL);
  g_autoptr (GPtrArray) back = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  g_autofree char *sparse_line = NULL;
  FtcRecord *sparse;

  for (int i = 0; i < 3; i++)
    g_ptr_array_add (records, full_record (i));
  /* a sparse record: unset fields stay unset */
  sparse = ftc_record_new ();
  sparse->question = g_strdup ("q");
  sparse->gold = g_strdup ("yes");
  sparse->completion = g_strdup (" --> yes END");
  g_ptr_array_add (records, sparse);

  g_assert_true (ftc_record_write_file (path, records, &error));
  g_assert_no_error (error);
  back = ftc_record_read_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->len, ==, records->len);
  for (guint i = 0; i < records->len; i++)
    assert_records_equal (g_ptr_array_index (records, i), g_ptr_array_index (back, i));

  /* one line per record, numbers written the short way */
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, records->len + 1);
  g_assert_nonnull (strstr (contents, "\"temperature\": 0.7,"));
  g_assert_nonnull (strstr (contents, "\"top_p\": 1.0,"));
  g_assert_nonnull (strstr (contents, "\"usage\": {\"prompt_tokens\": 57, \"completion_tokens\": 12}"));
  sparse_line = ftc_record_to_json_line (sparse);
  g_assert_cmpstr (sparse_line, ==, lines[3]);
  g_assert_cmpstr (sparse_line, ==, "{\"completion_index\": 0, \"question\": \"q\", \"gold\": \"yes\", "
                                    "\"completion\": \" --> yes END\"}");
  g_assert_cmpint (((FtcRecord *) g_ptr_array_index (back, 3))->sample_index, ==, -1);
  g_assert_false (((FtcRecord *) g_ptr_array_index (back, 3))->has_correct);
}

/* ---- the published teacher files' names and minimal records ---- */

static void
test_aliases (void)
{
  const char *line = "{\"dataset\": \"aqua\", \"index\": 7, \"question\": \"Q?\", \"prompt\": \"Q: Q?\\nA: Let's "
                     "think step by step.\", \"rationale\": \" r\", \"answer_trigger\": \"Therefore, among A through "
                     "E, the answer is\", \"answer_text\": \" D.\", \"prediction\": \"D\", \"gold\": \"E\", "
                     "\"correct\": false}\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) records = read_string (line, -1, &error);
  FtcRecord *r;

  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 1);
  r = g_ptr_array_index (records, 0);
  g_assert_cmpstr (r->task, ==, "aqua");
  g_assert_cmpint (r->sample_index, ==, 7);
  g_assert_cmpstr (r->reasoning_prompt, ==, "Q: Q?\nA: Let's think step by step.");
  g_assert_cmpstr (r->answer_trigger, ==, "Therefore, among A through E, the answer is");
  g_assert_cmpstr (r->answer_text, ==, " D.");
  g_assert_cmpstr (r->prediction, ==, "D");
  g_assert_cmpstr (r->gold, ==, "E");
  g_assert_true (r->has_correct);
  g_assert_false (r->correct);
}

static void
test_minimal (void)
{
  const char *contents = "{\"question\": \"q1\", \"completion\": \" 2 --> 2 END\", \"gold\": \"2\"}\r\n"
                         "\n"
                         "   \n"
                         "{\"question\": \"q2\", \"answer_text\": \" 42\", \"gold\": 42}\n"
                         "{\"question\": \"q3\", \"answer_text\": \" 3.5\", \"gold\": 3.5, \"prediction\": null}";
  g_autofree char *path = ftc_test_write_tmp ("minimal.jsonl", contents, -1);
  g_autoptr (FtcRecordReader) reader = ftc_record_reader_open (path, NULL);
  g_autoptr (GError) error = NULL;
  const char *golds[] = { "2", "42", "3.5" };
  const guint lines[] = { 1, 4, 5 };

  g_assert_nonnull (reader);
  for (int i = 0; i < 3; i++)
    {
      g_autoptr (FtcRecord) r = ftc_record_reader_next (reader, &error);
      g_assert_no_error (error);
      g_assert_nonnull (r);
      g_assert_cmpstr (r->gold, ==, golds[i]);
      g_assert_cmpuint (ftc_record_reader_get_line (reader), ==, lines[i]);
      g_assert_null (r->prediction);
      g_assert_cmpint (r->completion_index, ==, 0);
    }
  g_assert_null (ftc_record_reader_next (reader, &error));
  g_assert_no_error (error);
}

static void
test_bom (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) records = read_string ("\xef\xbb\xbf" OK_LINE, -1, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 1);
}

/* ---- bad input ---- */

typedef struct {
  const char *contents;
  gssize len;
  FtcErrorCode code;
  const char *where;     /* ":LINE:" */
  const char *message;   /* a part of the message */
} BadCase;

#define NUL_LINE "{\"question\": \"a\0b\", \"gold\": \"1\", \"answer_text\": \"1\"}\n"

static const BadCase bad_cases[] = {
  { OK_LINE "{\"question\": \"q\", \"gold\": \n", -1, FTC_ERROR_PARSE, ":2:", "malformed JSON" },
  { OK_LINE "not json at all\n", -1, FTC_ERROR_PARSE, ":2:", "malformed JSON at column 1: unexpected word" },
  { OK_LINE OK_LINE "{\"question\": \"q\", \"answer_text\": \"1\"}\n", -1, FTC_ERROR_INVALID, ":3:",
    "missing field 'gold'" },
  { "{\"gold\": \"1\", \"answer_text\": \"1\"}\n", -1, FTC_ERROR_INVALID, ":1:", "missing field 'question'" },
  { "{\"question\": \"q\", \"gold\": \"1\"}\n", -1, FTC_ERROR_INVALID, ":1:",
    "missing field 'answer_text' or 'completion'" },
  { "{\"question\": \"q\", \"gold\": null, \"completion\": \"1\"}\n", -1, FTC_ERROR_INVALID, ":1:",
    "missing field 'gold'" },
  { "{\"question\": 5, \"gold\": \"1\", \"answer_text\": \"1\"}\n", -1, FTC_ERROR_INVALID, ":1:",
    "field 'question' must be a string, not a number" },
  { "{\"question\": \"q\", \"gold\": [1], \"answer_text\": \"1\"}\n", -1, FTC_ERROR_INVALID, ":1:",
    "field 'gold' must be a string or a number, not an array" },
  { "{\"question\": \"q\", \"gold\": true, \"answer_text\": \"1\"}\n", -1, FTC_ERROR_INVALID, ":1:",
    "field 'gold' must be a string or a number, not a boolean" },
  { "{\"question\": \"q\", \"gold\": \"1\", \"answer_text\": {}}\n", -1, FTC_ERROR_INVALID, ":1:",
    "field 'answer_text' must be a string, not an object" },
  { "{\"question\": \"q\", \"gold\": \"1\", \"answer_text\": \"1\", \"correct\": \"yes\"}\n", -1, FTC_ERROR_INVALID,
    ":1:", "field 'correct' must be a boolean, not a string" },
  { "{\"question\": \"q\", \"gold\": \"1\", \"answer_text\": \"1\", \"completion_index\": -1}\n", -1,
    FTC_ERROR_INVALID, ":1:", "field 'completion_index' must be a non-negative integer, not a negative number" },
  { "{\"question\": \"q\", \"gold\": \"1\", \"answer_text\": \"1\", \"completion_index\": 1.5}\n", -1,
    FTC_ERROR_INVALID, ":1:", "field 'completion_index' must be a non-negative integer, not a number" },
  { "{\"dataset\": 3, \"question\": \"q\", \"gold\": \"1\", \"answer_text\": \"1\"}\n", -1, FTC_ERROR_INVALID,
    ":1:", "field 'dataset' must be a string, not a number" },
  { "{\"question\": \"q\", \"gold\": \"1\", \"answer_text\": \"1\", \"usage\": {\"prompt_tokens\": \"x\"}}\n", -1,
    FTC_ERROR_INVALID, ":1:", "field 'usage.prompt_tokens' must be a non-negative integer, not a string" },
  { "{\"question\": \"q\", \"gold\": \"1\", \"answer_text\": \"1\", \"usage\": 3}\n", -1, FTC_ERROR_INVALID, ":1:",
    "field 'usage' must be an object, not a number" },
  { "{\"question\": \"q\", \"gold\": \"1\", \"answer_text\": \"1\", \"params\": [1]}\n", -1, FTC_ERROR_INVALID,
    ":1:", "field 'params' must be an object, not an array" },
  { "{\"question\": \"q\", \"gold\": \"1\", \"answer_text\": \"1\", \"params\": {\"t\": [1e999]}}\n", -1,
    FTC_ERROR_INVALID, ":1:", "field 'params.t[0]': number out of range" },
  { OK_LINE "{\"question\": \"\xff\xfe\", \"gold\": \"1\", \"answer_text\": \"1\"}\n", -1, FTC_ERROR_PARSE, ":2:",
    "invalid UTF-8 at byte 15" },
  { "{\"question\": \"\xc3\", \"gold\": \"1\", \"answer_text\": \"1\"}\n", -1, FTC_ERROR_PARSE, ":1:",
    "invalid UTF-8 at byte 15" },
  { NUL_LINE, sizeof (NUL_LINE) - 1, FTC_ERROR_PARSE, ":1:", "NUL byte at column 16" },
  { "[1, 2]\n", -1, FTC_ERROR_PARSE, ":1:", "expected a JSON object, not an array" },
  { "\"text\"\n", -1, FTC_ERROR_PARSE, ":1:", "expected a JSON object, not a string" },
  { "{} {}\n", -1, FTC_ERROR_PARSE, ":1:", "malformed JSON at column 4: more than one value" },
  { "{},{}\n", -1, FTC_ERROR_PARSE, ":1:", "malformed JSON at column 3: more than one value" },
  /* what json-glib alone would accept or read wrongly */
  { "{'question': 'q', 'gold': '1', 'answer_text': '1'}\n", -1, FTC_ERROR_PARSE, ":1:",
    "column 2: expected a member name in double quotes" },
  { "{\"question\": \"q\", /* c */ \"gold\": \"1\", \"answer_text\": \"1\"}\n", -1, FTC_ERROR_PARSE, ":1:",
    "column 19: expected a member name" },
  { "{\"question\": \"q\", \"gold\": 0x10, \"answer_text\": \"1\"}\n", -1, FTC_ERROR_PARSE, ":1:",
    "column 28: expected ',' or '}'" },
  { "{\"question\": \"q\", \"gold\": 01, \"answer_text\": \"1\"}\n", -1, FTC_ERROR_PARSE, ":1:",
    "column 28: expected ',' or '}'" },
  { "{\"question\": \"q\", \"gold\": .5, \"answer_text\": \"1\"}\n", -1, FTC_ERROR_PARSE, ":1:",
    "column 27: unexpected character" },
  { "{\"question\": \"q\", \"gold\": 1., \"answer_text\": \"1\"}\n", -1, FTC_ERROR_PARSE, ":1:", "invalid number" },
  { "{\"question\": \"q\", \"gold\": 99999999999999999999, \"answer_text\": \"1\"}\n", -1, FTC_ERROR_PARSE, ":1:",
    "column 27: integer out of the 64-bit range" },
  { "{\"question\": \"a\\u0000b\", \"gold\": \"1\", \"answer_text\": \"1\"}\n", -1, FTC_ERROR_PARSE, ":1:",
    "\\u0000 in a string" },
  { "{\"question\": \"\\ud800\", \"gold\": \"1\", \"answer_text\": \"1\"}\n", -1, FTC_ERROR_PARSE, ":1:",
    "lone high surrogate" },
  { "{\"question\": \"\\udc00\", \"gold\": \"1\", \"answer_text\": \"1\"}\n", -1, FTC_ERROR_PARSE, ":1:",
    "lone low surrogate" },
  { "{\"question\": \"a\tb\", \"gold\": \"1\", \"answer_text\": \"1\"}\n", -1, FTC_ERROR_PARSE, ":1:",
    "column 16: control character in a string" },
  { "{\"question\": \"\\x41\", \"gold\": \"1\", \"answer_text\": \"1\"}\n", -1, FTC_ERROR_PARSE, ":1:",
    "invalid escape" },
  { "{\"question\": \"q\", \"gold\": \"1\", \"answer_text\": \"1\",}\n", -1, FTC_ERROR_PARSE, ":1:",
    "expected a member name" },
  { "{\"question\": \"q\"\n", -1, FTC_ERROR_PARSE, ":1:", "expected ',' or '}'" },
  { "{\"question\": \"q\n", -1, FTC_ERROR_PARSE, ":1:", "unterminated string" },
  { "{\"question\": tru}\n", -1, FTC_ERROR_PARSE, ":1:", "column 14: unexpected word" },
  { "\n\n{\"question\": \"q\",\n", -1, FTC_ERROR_PARSE, ":3:", "malformed JSON" },
  { "", -1, FTC_ERROR_INVALID, NULL, "empty file (no records)" },
  { "\n  \n\r\n", -1, FTC_ERROR_INVALID, NULL, "empty file (no records)" },
};

static void
test_bad_input (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      const BadCase *c = &bad_cases[i];
      g_autofree char *path = ftc_test_write_tmp ("bad.jsonl", c->contents, c->len);
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) records = ftc_record_read_file (path, &error);
      g_autofree char *where = c->where != NULL ? g_strconcat (path, c->where, NULL) : g_strconcat (path, ": ", NULL);

      if (records != NULL || error == NULL)
        g_error ("bad case %" G_GSIZE_FORMAT " was accepted", i);
      if (!g_error_matches (error, FTC_ERROR, c->code) || !g_str_has_prefix (error->message, where)
          || strstr (error->message, c->message) == NULL)
        g_error ("bad case %" G_GSIZE_FORMAT ": got \"%s\" (code %d), expected \"%s...%s\" (code %d)", i,
                 error->message, error->code, where, c->message, c->code);
    }
}

/* A million levels of nesting would overflow json-glib's stack; quotes and comments that json-glib reads
 * differently from JSON must not hide the brackets from the check. */
static void
test_deep_nesting (void)
{
  const char *prefixes[] = { "{\"params\": ", "{\"a\": '\"', \"params\": ", "{/* \" */ \"params\": " };
  const char *messages[] = { "nested too deep", "unexpected character", "expected a member name" };
  gsize depth = 1000000;

  for (gsize i = 0; i < G_N_ELEMENTS (prefixes); i++)
    {
      GString *line = g_string_new (prefixes[i]);
      g_autofree char *path = NULL;
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) records = NULL;

      for (gsize d = 0; d < depth; d++)
        g_string_append_c (line, '[');
      for (gsize d = 0; d < depth; d++)
        g_string_append_c (line, ']');
      g_string_append (line, "}\n");
      path = ftc_test_write_tmp ("deep.jsonl", line->str, line->len);
      g_string_free (line, TRUE);
      records = ftc_record_read_file (path, &error);
      g_assert_null (records);
      g_assert_error (error, FTC_ERROR, FTC_ERROR_PARSE);
      g_assert_nonnull (strstr (error->message, ":1: malformed JSON at column"));
      g_assert_nonnull (strstr (error->message, messages[i]));
    }
}

static void
test_missing_file (void)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "absent.jsonl", NULL);
  g_autoptr (GError) error = NULL;

  g_assert_null (ftc_record_read_file (path, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, path));
}

/* After an error the reader stops instead of reading on from the middle. */
static void
test_stops_after_error (void)
{
  g_autofree char *path = ftc_test_write_tmp ("stop.jsonl", OK_LINE "{oops\n" OK_LINE, -1);
  g_autoptr (FtcRecordReader) reader = ftc_record_reader_open (path, NULL);
  g_autoptr (FtcRecord) first = ftc_record_reader_next (reader, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) again = NULL;

  g_assert_nonnull (first);
  g_assert_null (ftc_record_reader_next (reader, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_PARSE);
  g_assert_null (ftc_record_reader_next (reader, &again));
  g_assert_nonnull (again);
}

static void
test_allow_empty (void)
{
  g_autofree char *path = ftc_test_write_tmp ("empty.jsonl", "", 0);
  g_autoptr (FtcRecordReader) reader = ftc_record_reader_open (path, NULL);
  g_autoptr (GError) error = NULL;

  ftc_record_reader_set_allow_empty (reader, TRUE);
  g_assert_null (ftc_record_reader_next (reader, &error));
  g_assert_no_error (error);
}

/* A 50 MB line is refused once the limit is passed: the reader never asks for much more than that. */
static void
test_huge_line_stream (void)
{
  g_autoptr (EndlessStream) stream = g_object_new (endless_stream_get_type (), NULL);
  g_autoptr (FtcRecordReader) reader = NULL;
  g_autoptr (GError) error = NULL;

  stream->total = 50 * 1024 * 1024;
  reader = ftc_record_reader_new (G_INPUT_STREAM (stream), "endless.jsonl");
  g_assert_null (ftc_record_reader_next (reader, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_PARSE);
  g_assert_true (g_str_has_prefix (error->message, "endless.jsonl:1: line longer than"));
  g_assert_cmpint (stream->served, >, FTC_RECORD_MAX_LINE_DEFAULT);
  g_assert_cmpint (stream->served, <=, FTC_RECORD_MAX_LINE_DEFAULT + 2 * 65536);
}

/* The same through a real 50 MB file, and a small limit on an ordinary line. */
static void
test_huge_line_file (void)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "huge.jsonl", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) small_error = NULL;
  gsize size = 50 * 1024 * 1024;
  g_autofree char *contents = g_malloc (size);
  g_autofree char *small = ftc_test_write_tmp ("small.jsonl", OK_LINE OK_LINE, -1);
  g_autoptr (FtcRecordReader) reader = ftc_record_reader_open (small, NULL);
  g_autoptr (FtcRecord) first = NULL;

  memcpy (contents, OK_LINE, strlen (OK_LINE));
  memcpy (contents + strlen (OK_LINE), endless_prefix, strlen (endless_prefix));
  memset (contents + strlen (OK_LINE) + strlen (endless_prefix), 'a',
          size - strlen (OK_LINE) - strlen (endless_prefix));
  g_assert_true (g_file_set_contents (path, contents, size, NULL));
  g_clear_pointer (&contents, g_free);
  g_assert_null (ftc_record_read_file (path, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "huge.jsonl:2: line longer than"));
  g_unlink (path);

  ftc_record_reader_set_max_line (reader, strlen (OK_LINE) - 1);   /* the line without its newline fits */
  first = ftc_record_reader_next (reader, NULL);
  g_assert_nonnull (first);
  ftc_record_reader_set_max_line (reader, 20);
  g_assert_null (ftc_record_reader_next (reader, &small_error));
  g_assert_error (small_error, FTC_ERROR, FTC_ERROR_PARSE);
  g_assert_nonnull (strstr (small_error->message, ":2: line longer than 20 bytes"));
}

/* Every published teacher file reads completely, with the fields scoring needs. */
static void
test_shared_teacher_files (void)
{
  g_autofree char *dir = ftc_test_shared_path ("teacher", "text-davinci-002", NULL);
  g_autoptr (GDir) d = NULL;
  const char *name;
  guint n_files = 0;

  if (dir == NULL)
    return;
  d = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) records = NULL;

      if (!g_str_has_suffix (name, ".jsonl"))
        continue;
      records = ftc_record_read_file (path, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (records->len, >=, 253);
      for (guint i = 0; i < records->len; i++)
        {
          FtcRecord *r = g_ptr_array_index (records, i);
          g_autofree char *line = ftc_record_to_json_line (r);
          g_autoptr (JsonParser) parser = json_parser_new ();
          g_autoptr (FtcRecord) back = NULL;

          g_assert_nonnull (r->task);
          g_assert_nonnull (r->answer_text);
          g_assert_nonnull (r->rationale);
          g_assert_true (r->has_correct);
          /* the log positions, increasing (a few unparsable log blocks are missing) */
          if (i > 0)
            g_assert_cmpint (r->sample_index, >, ((FtcRecord *) g_ptr_array_index (records, i - 1))->sample_index);
          else
            g_assert_cmpint (r->sample_index, >=, 1);
          /* and survives a write/read round trip */
          g_assert_true (json_parser_load_from_data (parser, line, -1, NULL));
          back = ftc_record_from_json (json_node_get_object (json_parser_get_root (parser)), NULL);
          g_assert_nonnull (back);
          assert_records_equal (r, back);
        }
      n_files++;
    }
  g_assert_cmpuint (n_files, ==, 9);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/record/round-trip", test_round_trip);
  g_test_add_func ("/record/aliases", test_aliases);
  g_test_add_func ("/record/minimal", test_minimal);
  g_test_add_func ("/record/bom", test_bom);
  g_test_add_func ("/record/bad-input", test_bad_input);
  g_test_add_func ("/record/deep-nesting", test_deep_nesting);
  g_test_add_func ("/record/missing-file", test_missing_file);
  g_test_add_func ("/record/stops-after-error", test_stops_after_error);
  g_test_add_func ("/record/allow-empty", test_allow_empty);
  g_test_add_func ("/record/huge-line-stream", test_huge_line_stream);
  g_test_add_func ("/record/huge-line-file", test_huge_line_file);
  g_test_add_func ("/record/shared-teacher-files", test_shared_teacher_files);
  return g_test_run ();
}
