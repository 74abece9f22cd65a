/* The one way ftcot reads and writes JSON: bounded file reading (core/ftc-read.h), the strict parser
 * (core/ftc-json-in.h), the JSONL reader (core/ftc-jsonl.h) and the writer (core/ftc-json-out.h); and every
 * number kind written and read back, unchanged, through every writer of ftcot's files. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "compute/models/ftc-gpt2.h"
#include "core/ftc-error.h"
#include "core/ftc-json-in.h"
#include "core/ftc-json-out.h"
#include "core/ftc-jsonl.h"
#include "core/ftc-read.h"
#include "core/method/ftc-experiment.h"
#include "core/results/ftc-metrics-log.h"
#include "core/results/ftc-report.h"
#include "core/students/ftc-char-tokenizer.h"
#include "core/students/ftc-checkpoint.h"
#include "core/students/ftc-model-dir.h"
#include "core/students/ftc-tokenizer.h"
#include "core/tasks/ftc-record.h"
#include "core/tasks/ftc-synthetic.h"
#include "core/teach/ftc-completion-store.h"
#include "core/teach/ftc-teach-job.h"
#include "core/teach/ftc-teacher-scripted.h"
#include "tests/ftc-test-util.h"

/* ---- the kinds of number every writer must keep ---- */

#define TWO_53_PLUS_1 G_GINT64_CONSTANT (9007199254740993)

static const double doubles[] = {
  5e-324,                      /* the smallest subnormal */
  2.2250738585072014e-308,     /* the smallest normal */
  1e-8,                        /* "1e-08", which json-glib printed as 1e-08.0 */
  3e-4,                        /* json-glib: 0.00029999999999999997 */
  0.7,                         /* json-glib: 0.69999999999999996 */
  0.30000000000000004,         /* 0.1 + 0.2: all 17 digits are needed */
  1.7976931348623157e308,      /* the largest double */
  -0.0,
  3.0,                         /* an integer stored as a double */
  1e20,                        /* a large integer stored as a double */
  9007199254740992.0,          /* 2^53 as a double */
  -2.5e-7,
  123456789.125,
};

static const gint64 integers[] = { 0, -1, 42, TWO_53_PLUS_1, G_MAXINT64, G_MININT64 };

/* The same value and the same JSON type, to the bit. */
static void
assert_same_double (JsonNode *node, double want, const char *where)
{
  double got;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_DOUBLE)
    g_error ("%s: %.17g came back as %s, not as a double", where, want, ftc_json_node_type_name (node));
  got = json_node_get_double (node);
  if (memcmp (&got, &want, sizeof got) != 0)
    g_error ("%s: wrote %.17g, read %.17g", where, want, got);
}

static void
assert_same_int (JsonNode *node, gint64 want, const char *where)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    g_error ("%s: %" G_GINT64_FORMAT " came back as %s, not as an integer", where, want,
             ftc_json_node_type_name (node));
  if (json_node_get_int (node) != want)
    g_error ("%s: wrote %" G_GINT64_FORMAT ", read %" G_GINT64_FORMAT, where, want, json_node_get_int (node));
}

static void
assert_bits (double got, double want, const char *where)
{
  if (memcmp (&got, &want, sizeof got) != 0)
    g_error ("%s: wrote %.17g, read %.17g", where, want, got);
}

/* {"d0": ..., "i0": ..., "all": [every kind]} */
static JsonObject *
number_object (void)
{
  JsonObject *o = json_object_new ();
  JsonArray *all = json_array_new ();

  for (gsize i = 0; i < G_N_ELEMENTS (doubles); i++)
    {
      g_autofree char *name = g_strdup_printf ("d%" G_GSIZE_FORMAT, i);
      json_object_set_double_member (o, name, doubles[i]);
      json_array_add_double_element (all, doubles[i]);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (integers); i++)
    {
      g_autofree char *name = g_strdup_printf ("i%" G_GSIZE_FORMAT, i);
      json_object_set_int_member (o, name, integers[i]);
      json_array_add_int_element (all, integers[i]);
    }
  json_object_set_array_member (o, "all", all);
  return o;
}

static void
assert_number_object (JsonObject *o, const char *where)
{
  JsonArray *all = json_object_get_array_member (o, "all");

  g_assert_nonnull (all);
  g_assert_cmpuint (json_array_get_length (all), ==, G_N_ELEMENTS (doubles) + G_N_ELEMENTS (integers));
  for (gsize i = 0; i < G_N_ELEMENTS (doubles); i++)
    {
      g_autofree char *name = g_strdup_printf ("d%" G_GSIZE_FORMAT, i);
      g_autofree char *at = g_strdup_printf ("%s: %s", where, name);
      assert_same_double (json_object_get_member (o, name), doubles[i], at);
      assert_same_double (json_array_get_element (all, i), doubles[i], at);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (integers); i++)
    {
      g_autofree char *name = g_strdup_printf ("i%" G_GSIZE_FORMAT, i);
      g_autofree char *at = g_strdup_printf ("%s: %s", where, name);
      assert_same_int (json_object_get_member (o, name), integers[i], at);
      assert_same_int (json_array_get_element (all, G_N_ELEMENTS (doubles) + i), integers[i], at);
    }
}

/* ---- the writer ---- */

static void
test_format_double (void)
{
  static const struct {
    double value;
    const char *text;
  } cases[] = {
    { 1e-8, "1e-08" }, { 0.7, "0.7" }, { 3e-4, "0.0003" }, { 3.0, "3.0" }, { -0.0, "-0.0" }, { 0.0, "0.0" },
    { 100.0, "100.0" }, { 1e20, "1e+20" }, { 1e15, "1e+15" }, { 123456789012345.0, "123456789012345.0" },
    { 0.30000000000000004, "0.30000000000000004" }, { 5e-324, "5e-324" },
    { 1.7976931348623157e308, "1.7976931348623157e+308" }, { -2.5e-7, "-2.5e-07" }, { 1e-5, "0.00001" },
    { NAN, "null" }, { INFINITY, "null" },
  };
  char buf[40];

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpstr (ftc_json_format_double (cases[i].value, buf, sizeof buf), ==, cases[i].text);
  /* every double of a random sample reads back to itself, and no shorter text would */
  {
    g_autoptr (GRand) rand = g_rand_new_with_seed (7);
    for (int i = 0; i < 20000; i++)
      {
        guint64 bits = ((guint64) g_rand_int (rand) << 32) | g_rand_int (rand);
        double v;
        memcpy (&v, &bits, sizeof v);
        if (!isfinite (v))
          continue;
        ftc_json_format_double (v, buf, sizeof buf);
        assert_bits (g_ascii_strtod (buf, NULL), v, buf);
        g_assert_null (strstr (buf, "e-0.") );
        g_assert_true (strchr (buf, '.') != NULL || strchr (buf, 'e') != NULL);
      }
  }
}

static void
test_styles (void)
{
  g_autoptr (JsonObject) o = json_object_new ();
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *pretty = NULL, *line = NULL, *compact = NULL;
  JsonArray *a = json_array_new ();

  json_object_set_string_member (o, "s", "a\"b\\c\n\t\x01\x7f é");
  json_array_add_int_element (a, 1);
  json_array_add_double_element (a, 0.5);
  json_object_set_array_member (o, "a", a);
  json_object_set_object_member (o, "e", json_object_new ());
  json_object_set_null_member (o, "n");
  json_object_set_boolean_member (o, "b", TRUE);
  node = json_node_init_object (json_node_alloc (), o);
  pretty = ftc_json_to_pretty_string (node);
  line = ftc_json_to_line (node);
  compact = ftc_json_to_compact (node);
  g_assert_cmpstr (pretty, ==, "{\n  \"s\": \"a\\\"b\\\\c\\n\\t\\u0001\\u007f é\",\n  \"a\": [1, 0.5],\n  \"e\": {},\n"
                               "  \"n\": null,\n  \"b\": true\n}\n");
  g_assert_cmpstr (line, ==, "{\"s\": \"a\\\"b\\\\c\\n\\t\\u0001\\u007f é\", \"a\": [1, 0.5], \"e\": {}, \"n\": null, "
                             "\"b\": true}");
  g_assert_cmpstr (compact, ==, "{\"s\":\"a\\\"b\\\\c\\n\\t\\u0001\\u007f é\",\"a\":[1,0.5],\"e\":{},\"n\":null,"
                                "\"b\":true}");
  /* invalid UTF-8 from a model is repaired, so that the strict reader takes the file back */
  {
    g_autoptr (JsonNode) bad = json_node_new (JSON_NODE_VALUE);
    g_autofree char *text = NULL;
    g_autoptr (JsonNode) back = NULL;
    json_node_set_string (bad, "a\xc3(\xff");
    text = ftc_json_to_line (bad);
    back = ftc_json_parse (text, strlen (text), "repaired", NULL);
    g_assert_nonnull (back);
    g_assert_true (g_utf8_validate (json_node_get_string (back), -1, NULL));
  }
}

/* The request-key text is json-glib 1.6's compact output, byte for byte, so that answer stores written
 * before keep their keys. Checked against json-glib's own generator on random identities. */
static void
test_key_text (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (19);

  for (int round = 0; round < 300; round++)
    {
      g_autoptr (JsonObject) o = json_object_new ();
      g_autoptr (JsonNode) node = NULL;
      g_autoptr (JsonGenerator) gen = json_generator_new ();
      g_autofree char *ours = NULL, *theirs = NULL;
      GString *s = g_string_new (NULL);
      JsonArray *messages = json_array_new ();

      for (int i = 0; i < 40; i++)
        {
          /* printable text, control characters, DEL and multi-byte characters */
          int c = g_rand_int_range (rand, 1, 0x90);
          if (c >= 0x80)
            g_string_append (s, "é");
          else
            g_string_append_c (s, (char) c);
        }
      json_object_set_string_member (o, "url", "http://127.0.0.1:8080/v1/completions");
      json_object_set_string_member (o, "prompt", s->str);
      json_object_set_double_member (o, "temperature", round < (int) G_N_ELEMENTS (doubles) ? doubles[round]
                                                       : g_rand_double_range (rand, 0, 2));
      json_object_set_int_member (o, "max_tokens", g_rand_int_range (rand, 0, 4096));
      json_array_add_string_element (messages, s->str);
      json_object_set_array_member (o, "messages", messages);
      json_object_set_object_member (o, "empty", json_object_new ());
      json_object_set_boolean_member (o, "b", round % 2);
      json_object_set_null_member (o, "z");
      g_string_free (s, TRUE);
      node = json_node_init_object (json_node_alloc (), json_object_ref (o));
      json_generator_set_root (gen, node);
      theirs = json_generator_to_data (gen, NULL);
      ours = ftc_json_to_key_text (node);
      g_assert_cmpstr (ours, ==, theirs);
    }
}

/* ---- bounded files ---- */

static void
test_read_regular_only (void)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *fifo = g_build_filename (dir, "config.json", NULL);
  g_autofree char *zero = g_build_filename (dir, "vocab.json", NULL);
  g_autofree char *missing = g_build_filename (dir, "absent.json", NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GMappedFile) mapped = NULL;
  GError *error = NULL;
  gint64 start = g_get_monotonic_time ();

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_cmpint (symlink ("/dev/zero", zero), ==, 0);
  /* a FIFO nobody writes to: refused at once, never waited on */
  g_assert_false (ftc_file_read (fifo, FTC_INPUT_CONFIG, &contents, NULL, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, fifo));
  g_assert_nonnull (strstr (error->message, "FIFO"));
  g_clear_error (&error);
  mapped = ftc_file_map (fifo, FTC_INPUT_WEIGHTS, &error);
  g_assert_null (mapped);
  g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
  g_clear_error (&error);
  /* a link to /dev/zero: never read */
  g_assert_false (ftc_file_read (zero, FTC_INPUT_TOKENIZER, &contents, NULL, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "character device"));
  g_clear_error (&error);
  g_assert_false (ftc_file_read (dir, FTC_INPUT_CONFIG, &contents, NULL, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "a directory"));
  g_clear_error (&error);
  g_assert_false (ftc_file_read (missing, FTC_INPUT_CONFIG, &contents, NULL, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (ftc_jsonl_reader_open (fifo, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
}

static void
test_read_limits (void)
{
  gsize limit = ftc_input_limit (FTC_INPUT_KEY);
  g_autofree char *fill = g_malloc (limit + 1);
  g_autofree char *at_limit = NULL, *over = NULL, *contents = NULL;
  GError *error = NULL;
  gsize len = 0;
  int fd;

  memset (fill, 'k', limit + 1);
  at_limit = ftc_test_write_tmp ("key", fill, limit);
  over = ftc_test_write_tmp ("key", fill, limit + 1);
  g_assert_true (ftc_file_read (at_limit, FTC_INPUT_KEY, &contents, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (len, ==, limit);
  g_assert_cmpint (contents[len], ==, '\0');
  g_clear_pointer (&contents, g_free);
  g_assert_false (ftc_file_read (over, FTC_INPUT_KEY, &contents, &len, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
  g_assert_cmpstr (strstr (error->message, ": larger than"), ==, ": larger than 64 KiB, the limit for a key file");
  g_assert_true (g_str_has_prefix (error->message, over));
  g_clear_error (&error);
  /* an endless stream (standard input from /dev/zero) stops at the limit */
  fd = open ("/dev/zero", O_RDONLY);
  g_assert_cmpint (fd, >=, 0);
  g_assert_false (ftc_fd_read (fd, "standard input", FTC_INPUT_KEY, 0, &contents, &len, &error));
  close (fd);
  g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "standard input: larger than 64 KiB"));
  g_clear_error (&error);
  g_assert_cmpuint (ftc_input_limit (FTC_INPUT_CONFIG), ==, 16u << 20);
  g_assert_cmpuint (ftc_input_limit (FTC_INPUT_TOKENIZER), ==, 64u << 20);
}

/* ---- the parser ---- */

static char *
nested (gsize depth, const char *inner)
{
  GString *s = g_string_new ("{\"x\": ");

  for (gsize i = 0; i < depth; i++)
    g_string_append_c (s, '[');
  g_string_append (s, inner);
  for (gsize i = 0; i < depth; i++)
    g_string_append_c (s, ']');
  g_string_append_c (s, '}');
  return g_string_free (s, FALSE);
}

static void
test_parse_depth (void)
{
  g_autofree char *ok = nested (FTC_JSON_MAX_DEPTH - 1, "1");
  g_autofree char *deep = nested (FTC_JSON_MAX_DEPTH, "1");
  g_autofree char *deeper = nested (1000000, "");
  g_autoptr (JsonNode) node = ftc_json_parse (ok, strlen (ok), "ok.json", NULL);
  GError *error = NULL;

  g_assert_nonnull (node);
  g_assert_null (ftc_json_parse (deep, strlen (deep), "deep.json", &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_PARSE);
  g_assert_cmpstr (error->message, ==, "deep.json:1: malformed JSON at column 70: arrays and objects nested too "
                                       "deep (field 'x[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
                                       "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
                                       "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]')");
  g_clear_error (&error);
  /* a million levels (2 MB): refused, never recursed into */
  g_assert_null (ftc_json_parse (deeper, strlen (deeper), "deeper.json", &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "nested too deep"));
  g_clear_error (&error);
}

typedef struct {
  const char *text;
  int code;
  const char *message;   /* the whole message after "t.json:" */
} ParseCase;

static const ParseCase parse_cases[] = {
  /* numbers that json-glib would wrap or turn into infinity */
  { "{\"a\": {\"b\": 99999999999999999999}}", FTC_ERROR_PARSE,
    "1: malformed JSON at column 13: integer out of the 64-bit range (field 'a.b')" },
  { "{\"answer\": 9223372036854775808}", FTC_ERROR_PARSE,
    "1: malformed JSON at column 12: integer out of the 64-bit range (field 'answer')" },
  { "{\"n\":\n [1, -9223372036854775809]}", FTC_ERROR_PARSE,
    "2: malformed JSON at column 6: integer out of the 64-bit range (field 'n[1]')" },
  { "{\"gold\": 1e999}", FTC_ERROR_INVALID, "1: field 'gold': number out of range (beyond 1.8e308, at column 10)" },
  { "[-1e999]", FTC_ERROR_INVALID, "1: field '[0]': number out of range (beyond 1.8e308, at column 2)" },
  /* strict UTF-8, no NUL */
  { "{\"q\": \"\xff\"}", FTC_ERROR_PARSE, "1: invalid UTF-8 at byte 8" },
  { "{\"q\":\n \"\xc3\"}", FTC_ERROR_PARSE, "2: invalid UTF-8 at byte 3" },
  /* RFC 8259, nothing more */
  { "{\"a\": 1, \"a\": 2}", FTC_ERROR_PARSE,
    "1: malformed JSON at column 10: the same member name twice in one object (field 'a')" },
  { "{'a': 1}", FTC_ERROR_PARSE, "1: malformed JSON at column 2: expected a member name in double quotes" },
  { "{\"a\": 01}", FTC_ERROR_PARSE, "1: malformed JSON at column 8: expected ',' or '}'" },
  { "{\"a\": .5}", FTC_ERROR_PARSE, "1: malformed JSON at column 7: unexpected character (expected a value) (field 'a')" },
  { "{\"a\": \"\\u0000\"}", FTC_ERROR_PARSE, "1: malformed JSON at column 14: \\u0000 in a string (field 'a')" },
  { "{} {}", FTC_ERROR_PARSE, "1: malformed JSON at column 4: more than one value" },
  { "{\"a\": [1, 2,]}", FTC_ERROR_PARSE,
    "1: malformed JSON at column 13: unexpected character (expected a value) (field 'a[2]')" },
};

static void
test_parse_errors (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (parse_cases); i++)
    {
      const ParseCase *c = &parse_cases[i];
      g_autoptr (GError) error = NULL;
      g_autofree char *want = g_strconcat ("t.json:", c->message, NULL);
      g_autoptr (JsonNode) node = ftc_json_parse (c->text, strlen (c->text), "t.json", &error);

      if (node != NULL || !g_error_matches (error, FTC_ERROR, c->code) || strcmp (error->message, want) != 0)
        g_error ("case %" G_GSIZE_FORMAT ": got \"%s\" (code %d), expected \"%s\" (code %d)", i,
                 error != NULL ? error->message : "(accepted)", error != NULL ? error->code : -1, want, c->code);
    }
  {
    /* a NUL byte inside (the text is not cut there) */
    static const char with_nul[] = "{\"q\": \"a\0b\"}";
    g_autoptr (GError) error = NULL;
    g_assert_null (ftc_json_parse (with_nul, sizeof with_nul - 1, "t.json", &error));
    g_assert_cmpstr (error->message, ==, "t.json:1: NUL byte at column 9");
  }
  {
    /* the limits themselves, a byte order mark, an underflow to zero */
    const char *text = "\xef\xbb\xbf{\"max\": 9223372036854775807, \"min\": -9223372036854775808, \"tiny\": 1e-999}";
    g_autoptr (GError) error = NULL;
    g_autoptr (JsonObject) o = ftc_json_parse_object (text, strlen (text), "t.json", &error);
    g_assert_no_error (error);
    g_assert_cmpint (json_object_get_int_member (o, "max"), ==, G_MAXINT64);
    g_assert_cmpint (json_object_get_int_member (o, "min"), ==, G_MININT64);
    g_assert_cmpfloat (json_object_get_double_member (o, "tiny"), ==, 0.0);
  }
  {
    /* only blanks after a byte order mark, in a buffer of exactly that size (found by fuzz-experiment:
     * the blank check read past the end) */
    g_autofree char *blank = g_memdup2 ("\xef\xbb\xbf  ", 5);
    g_autoptr (GError) error = NULL;
    g_assert_null (ftc_json_parse (blank, 5, "t.json", &error));
    g_assert_cmpstr (error->message, ==, "t.json: empty (no JSON value)");
  }
  {
    g_autoptr (GError) error = NULL;
    g_assert_null (ftc_json_parse_object ("[1]", 3, "t.json", &error));
    g_assert_cmpstr (error->message, ==, "t.json: expected a JSON object, not an array");
  }
}

static void
test_getters (void)
{
  const char *text = "{\"n\": 1e12, \"three\": 3.0, \"half\": 1.5, \"s\": \"x\", \"neg\": -5, \"big\": 9.3e18,"
                     " \"acc\": -5, \"z\": null, \"b\": 1}";
  g_autoptr (JsonObject) o = ftc_json_parse_object (text, strlen (text), "t.json", NULL);
  GError *error = NULL;
  gint64 v = 7;
  double d = 7;
  const char *s = NULL;
  gboolean b = FALSE;

  g_assert_false (ftc_json_get_int (o, "n", "tasks[0].n", 0, 1000, &v, &error));
  g_assert_cmpstr (error->message, ==, "field 'tasks[0].n' must be an integer from 0 to 1000, not 1000000000000.0");
  g_clear_error (&error);
  g_assert_true (ftc_json_get_int (o, "three", NULL, 0, 10, &v, &error));
  g_assert_cmpint (v, ==, 3);
  g_assert_false (ftc_json_get_int (o, "half", NULL, 0, 10, &v, &error));
  g_assert_cmpstr (error->message, ==, "field 'half' must be an integer from 0 to 10, not 1.5");
  g_clear_error (&error);
  g_assert_false (ftc_json_get_int (o, "s", NULL, 0, G_MAXINT64, &v, &error));
  g_assert_cmpstr (error->message, ==, "field 's' must be a non-negative integer, not a string");
  g_clear_error (&error);
  g_assert_false (ftc_json_get_int (o, "neg", "seeds", 0, G_MAXINT64, &v, &error));
  g_assert_cmpstr (error->message, ==, "field 'seeds' must be a non-negative integer, not -5");
  g_clear_error (&error);
  /* beyond 2^63 as a double: never cast */
  g_assert_false (ftc_json_get_int (o, "big", NULL, G_MININT64, G_MAXINT64, &v, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ftc_json_get_double (o, "acc", "test_accuracy", 0, 100, &d, &error));
  g_assert_cmpstr (error->message, ==, "field 'test_accuracy' must be a number from 0.0 to 100.0, not -5");
  g_clear_error (&error);
  g_assert_false (ftc_json_get_double (o, "s", NULL, -INFINITY, INFINITY, &d, &error));
  g_assert_cmpstr (error->message, ==, "field 's' must be a number, not a string");
  g_clear_error (&error);
  /* absent and null leave the value as it was */
  v = 7;
  g_assert_true (ftc_json_get_int (o, "z", NULL, 0, 1, &v, &error));
  g_assert_true (ftc_json_get_int (o, "absent", NULL, 0, 1, &v, &error));
  g_assert_cmpint (v, ==, 7);
  g_assert_false (ftc_json_require (o, "z", "training.epochs", &error));
  g_assert_cmpstr (error->message, ==, "field 'training.epochs' is missing");
  g_clear_error (&error);
  g_assert_false (ftc_json_get_bool (o, "b", NULL, &b, &error));
  g_assert_cmpstr (error->message, ==, "field 'b' must be true or false, not a number");
  g_clear_error (&error);
  g_assert_true (ftc_json_get_string (o, "s", NULL, &s, &error));
  g_assert_cmpstr (s, ==, "x");
}

/* ---- JSONL ---- */

static GPtrArray *
read_all (FtcJsonlReader *reader, GError **error)
{
  GPtrArray *objects = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  JsonObject *o;

  while ((o = ftc_jsonl_reader_next (reader, error)) != NULL)
    g_ptr_array_add (objects, o);
  return objects;
}

static void
test_jsonl (void)
{
  const char *text = "{\"i\": 1}\r\n\n   \n{\"i\": 2}\n{\"i\": 3}\n{\"i\": 4, \"torn";
  g_autofree char *path = ftc_test_write_tmp ("log.jsonl", text, -1);
  GError *error = NULL;

  /* blank lines skipped, CRLF taken, the torn last line ignored */
  {
    g_autoptr (FtcJsonlReader) reader = ftc_jsonl_reader_open (path, &error);
    g_autoptr (GPtrArray) objects = read_all (reader, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (objects->len, ==, 3);
    g_assert_cmpint (json_object_get_int_member (objects->pdata[2], "i"), ==, 3);
    g_assert_cmpuint (ftc_jsonl_reader_get_line (reader), ==, 5);
    g_assert_cmpuint (ftc_jsonl_reader_get_torn (reader), ==, strlen ("{\"i\": 4, \"torn"));
    g_assert_cmpuint (ftc_jsonl_reader_get_offset (reader), ==, strlen (text) - strlen ("{\"i\": 4, \"torn"));
  }
  /* a file written whole: the same tail is an error naming its line */
  {
    g_autoptr (FtcJsonlReader) reader = ftc_jsonl_reader_new_for_data (text, strlen (text), "import.jsonl");
    g_autoptr (GPtrArray) objects = NULL;
    ftc_jsonl_reader_set_ignore_torn (reader, FALSE);
    objects = read_all (reader, &error);
    g_assert_error (error, FTC_ERROR, FTC_ERROR_PARSE);
    g_assert_cmpstr (error->message, ==, "import.jsonl:6: malformed JSON at column 15: unterminated string");
    g_clear_error (&error);
  }
  /* a last line without its newline that parses is read */
  {
    const char *whole = "{\"i\": 1}\n{\"i\": 2}";
    g_autoptr (FtcJsonlReader) reader = ftc_jsonl_reader_new_for_data (whole, strlen (whole), "whole");
    g_autoptr (GPtrArray) objects = read_all (reader, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (objects->len, ==, 2);
  }
  /* following a file being written: its unfinished line waits, then is read with the right line number */
  {
    g_autoptr (FtcJsonlReader) first = ftc_jsonl_reader_open (path, &error);
    g_autoptr (GPtrArray) a = NULL, b = NULL;
    g_autoptr (FtcJsonlReader) second = NULL;
    g_autoptr (GString) grown = g_string_new (text);
    ftc_jsonl_reader_set_follow (first, TRUE);
    a = read_all (first, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (a->len, ==, 3);
    g_assert_cmpuint (ftc_jsonl_reader_get_torn (first), ==, 0);
    g_string_append (grown, "\": 5}\n{\"bad\"\n");
    g_assert_true (g_file_set_contents (path, grown->str, grown->len, NULL));
    second = ftc_jsonl_reader_open_at (path, ftc_jsonl_reader_get_offset (first),
                                       ftc_jsonl_reader_get_line_count (first) + 1, &error);
    g_assert_no_error (error);
    b = read_all (second, &error);
    g_assert_cmpuint (b->len, ==, 1);
    g_assert_cmpint (json_object_get_int_member (b->pdata[0], "torn"), ==, 5);
    g_assert_error (error, FTC_ERROR, FTC_ERROR_PARSE);
    g_assert_true (g_str_has_suffix (error->message, ":7: malformed JSON at column 7: expected ':' after a member name "
                                                      "(field 'bad')"));
    g_clear_error (&error);
    /* after an error the reader stops */
    g_assert_null (ftc_jsonl_reader_next (second, &error));
    g_assert_error (error, FTC_ERROR, FTC_ERROR_FAILED);
    g_clear_error (&error);
  }
  /* lines that are not objects, and lines over the limit */
  {
    const char *arrays = "{\"i\": 1}\n[1]\n";
    g_autoptr (FtcJsonlReader) reader = ftc_jsonl_reader_new_for_data (arrays, strlen (arrays), "a.jsonl");
    g_autoptr (GPtrArray) objects = read_all (reader, &error);
    g_assert_cmpstr (error->message, ==, "a.jsonl:2: expected a JSON object, not an array");
    g_clear_error (&error);
  }
  {
    const char *longer = "{\"i\": 1}\n{\"i\": 12345678}\n";
    g_autoptr (FtcJsonlReader) reader = ftc_jsonl_reader_new_for_data (longer, strlen (longer), "l.jsonl");
    g_autoptr (GPtrArray) objects = NULL;
    ftc_jsonl_reader_set_max_line (reader, 10);
    objects = read_all (reader, &error);
    g_assert_cmpuint (objects->len, ==, 1);
    g_assert_cmpstr (error->message, ==, "l.jsonl:2: line longer than 10 bytes");
    g_clear_error (&error);
  }
}

/* ---- every writer keeps every number ---- */

static void
test_round_trip_json_files (void)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "numbers.json", NULL);
  g_autofree char *lines_path = g_build_filename (dir, "numbers.jsonl", NULL);
  g_autoptr (JsonObject) o = number_object ();
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), json_object_ref (o));
  g_autoptr (GError) error = NULL;

  /* pretty files */
  g_assert_true (ftc_json_write_file (path, node, &error));
  {
    g_autoptr (JsonObject) back = ftc_json_read_object_file (path, FTC_INPUT_CONFIG, &error);
    g_assert_no_error (error);
    assert_number_object (back, "pretty file");
  }
  /* compact text */
  {
    g_autofree char *text = ftc_json_to_compact (node);
    g_autoptr (JsonObject) back = ftc_json_parse_object (text, strlen (text), "compact", &error);
    g_assert_no_error (error);
    assert_number_object (back, "compact text");
  }
  /* JSONL lines through the JSONL reader */
  {
    g_autofree char *line = ftc_json_to_line (node);
    g_autofree char *two = g_strconcat (line, "\n", line, "\n", NULL);
    g_autoptr (FtcJsonlReader) reader = NULL;
    g_autoptr (GPtrArray) back = NULL;
    g_assert_null (strchr (line, '\n'));
    g_assert_true (g_file_set_contents (lines_path, two, -1, NULL));
    reader = ftc_jsonl_reader_open (lines_path, &error);
    back = read_all (reader, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (back->len, ==, 2);
    assert_number_object (back->pdata[1], "JSONL line");
  }
}

static void
test_round_trip_records_and_store (void)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "records.jsonl", NULL);
  g_autofree char *store_path = g_build_filename (dir, "answers.jsonl", NULL);
  g_autoptr (GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) ftc_record_free);
  g_autoptr (GPtrArray) back = NULL;
  g_autoptr (GError) error = NULL;
  FtcRecord *r = ftc_record_new ();

  r->question = g_strdup ("q");
  r->gold = g_strdup ("1");
  r->answer_text = g_strdup ("1");
  r->prompt_tokens = TWO_53_PLUS_1;
  r->completion_tokens = G_MAXINT64;
  r->params = number_object ();
  g_ptr_array_add (records, r);
  g_assert_true (ftc_record_write_file (path, records, &error));
  back = ftc_record_read_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->len, ==, 1);
  r = back->pdata[0];
  g_assert_cmpint (r->prompt_tokens, ==, TWO_53_PLUS_1);
  g_assert_cmpint (r->completion_tokens, ==, G_MAXINT64);
  assert_number_object (r->params, "completion record");

  /* the teacher's answer store: appended lines, read back when it is opened again */
  {
    g_autoptr (FtcCompletionStore) store = ftc_completion_store_open (store_path, &error);
    g_autoptr (JsonObject) entry = number_object ();
    g_assert_no_error (error);
    g_assert_true (ftc_completion_store_append (store, "k1", entry, NULL, &error));
    g_assert_no_error (error);
  }
  {
    g_autoptr (FtcCompletionStore) store = ftc_completion_store_open (store_path, &error);
    g_assert_no_error (error);
    assert_number_object (ftc_completion_store_lookup (store, "k1"), "answer store");
  }
}

static void
test_round_trip_metrics (void)
{
  static const double losses[] = { 5e-324, 1e-8, 0.7, 1.7976931348623157e308, -0.0, 3.0, 1e20 };
  static const double accuracies[] = { 0.0, -0.0, 0.30000000000000004, 100.0, 5e-324, 33.333333333333336 };
  g_autofree char *path = ftc_test_write_tmp ("metrics.jsonl", "", 0);
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (FtcMetricsLog) log = NULL;
  g_autoptr (GError) error = NULL;
  FtcMetricsLine line;
  guint n = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (losses); i++)
    {
      g_autofree char *json = NULL;
      ftc_metrics_line_init (&line);
      line.task = (char *) "t";
      line.method = (char *) "ft_cot";
      line.step = i == 0 ? G_MAXINT32 : (gint64) i;
      line.epoch = 1;
      line.total_steps = G_MAXINT32;
      line.loss = losses[i];
      line.lr = losses[G_N_ELEMENTS (losses) - 1 - i];
      line.grad_norm = losses[i];
      line.tokens_per_s = losses[i];
      line.elapsed_s = losses[i];
      json = ftc_metrics_line_to_json (&line);
      g_string_append_printf (text, "%s\n", json);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (accuracies); i++)
    {
      g_autofree char *json = NULL;
      ftc_metrics_line_init (&line);
      line.task = (char *) "t";
      line.method = (char *) "ft_cot";
      line.step = 10;
      line.test_accuracy = accuracies[i];
      json = ftc_metrics_line_to_json (&line);
      g_string_append_printf (text, "%s\n", json);
    }
  g_assert_true (g_file_set_contents (path, text->str, text->len, NULL));
  log = ftc_metrics_log_open (path, &error);
  g_assert_no_error (error);
  ftc_metrics_line_init (&line);
  for (; ftc_metrics_log_next (log, &line, &error); n++)
    if (n < G_N_ELEMENTS (losses))
      {
        g_assert_cmpint (line.step, ==, n == 0 ? G_MAXINT32 : (gint64) n);
        g_assert_cmpint (line.total_steps, ==, G_MAXINT32);
        assert_bits (line.loss, losses[n], "metrics loss");
        assert_bits (line.lr, losses[G_N_ELEMENTS (losses) - 1 - n], "metrics lr");
        assert_bits (line.grad_norm, losses[n], "metrics grad_norm");
        assert_bits (line.tokens_per_s, losses[n], "metrics tokens_per_s");
        assert_bits (line.elapsed_s, losses[n], "metrics elapsed_s");
      }
    else
      assert_bits (line.test_accuracy, accuracies[n - G_N_ELEMENTS (losses)], "metrics test_accuracy");
  ftc_metrics_line_clear (&line);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (losses) + G_N_ELEMENTS (accuracies));
}

static void
test_round_trip_experiment (void)
{
  g_autofree char *src = g_build_filename (g_getenv ("FTCOT_SOURCE_ROOT"), "tests", "data", "experiment-tiny.json",
                                           NULL);
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "experiment.json", NULL);
  g_autoptr (GError) error = NULL;
  /* the kinds the schema's ranges allow: tiny, noisy in 17 digits, integral, negative zero, large */
  static const struct {
    double eps, weight_decay, grad_clip, budget_usd, learning_rate;
    gint64 budget_tokens;
  } kinds[] = {
    { 1e-30, 3.0, 5e-324, 1e9, 3e-4, G_GINT64_CONSTANT (1000000000000000) },
    { 1e-8, -0.0, 1.7976931348623157e-300, 0.30000000000000004, 0.7, TWO_53_PLUS_1 % 1000000000000000 },
    { 0.1, 0.69999999999999996, 1e9, 5e-324, 1e-8, 1 },
  };

  for (gsize k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autoptr (FtcExperiment) exp = ftc_experiment_load (src, &error);
      g_autoptr (FtcExperiment) back = NULL;
      g_autoptr (JsonObject) raw = NULL;

      g_assert_no_error (error);
      exp->training.eps = kinds[k].eps;
      exp->training.weight_decay = kinds[k].weight_decay;
      exp->training.grad_clip = kinds[k].grad_clip;
      exp->training.learning_rate = kinds[k].learning_rate;
      exp->teacher.budget_usd = kinds[k].budget_usd;
      exp->teacher.budget_tokens = kinds[k].budget_tokens;
      g_assert_true (ftc_experiment_save (exp, path, &error));
      g_assert_no_error (error);
      back = ftc_experiment_load (path, &error);
      g_assert_no_error (error);
      assert_bits (back->training.eps, kinds[k].eps, "experiment training.eps");
      assert_bits (back->training.weight_decay, kinds[k].weight_decay, "experiment training.weight_decay");
      assert_bits (back->training.grad_clip, kinds[k].grad_clip, "experiment training.grad_clip");
      assert_bits (back->training.learning_rate, kinds[k].learning_rate, "experiment training.learning_rate");
      assert_bits (back->teacher.budget_usd, kinds[k].budget_usd, "experiment teacher.budget_usd");
      g_assert_cmpint (back->teacher.budget_tokens, ==, kinds[k].budget_tokens);
      /* and the file says so in JSON types: doubles as doubles, integers as integers */
      raw = ftc_json_read_object_file (path, FTC_INPUT_CONFIG, &error);
      g_assert_no_error (error);
      assert_same_double (json_object_get_member (json_object_get_object_member (raw, "training"), "eps"),
                          kinds[k].eps, "experiment.json eps");
      assert_same_double (json_object_get_member (json_object_get_object_member (raw, "training"), "weight_decay"),
                          kinds[k].weight_decay, "experiment.json weight_decay");
      assert_same_int (json_object_get_member (json_object_get_object_member (raw, "teacher"), "budget_tokens"),
                       kinds[k].budget_tokens, "experiment.json budget_tokens");
    }
}

static void
test_round_trip_report (void)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "summary.json", NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (doubles); i++)
    {
      g_autoptr (FtcReport) report = ftc_report_new ("numbers");
      g_autoptr (FtcReport) back = NULL;
      g_autoptr (GError) error = NULL;
      FtcResult *r = ftc_result_new ("t", "ft_cot");

      if (!(doubles[i] > 0))
        continue;   /* the summary records a decoding temperature only when it samples */
      report->decoding_temperature = doubles[i];
      report->decoding_seed = (guint64) TWO_53_PLUS_1;
      r->sampled_temperature = doubles[i];
      r->sampled_k = 4;
      r->sampled_n = 8;
      /* percentages are written to 6 decimals by design: the kinds that survive that */
      ftc_result_set_accuracy (r, 1, 3);
      r->best_epoch_accuracy = i % 2 ? 100.0 : -0.0;
      ftc_report_add_result (report, r);
      g_assert_true (ftc_report_save_json (report, path, &error));
      back = ftc_report_load_json (path, &error);
      g_assert_no_error (error);
      assert_bits (back->decoding_temperature, doubles[i], "summary decoding temperature");
      g_assert_cmpuint (back->decoding_seed, ==, (guint64) TWO_53_PLUS_1);
      assert_bits (ftc_report_lookup (back, "t", "ft_cot")->best_epoch_accuracy, i % 2 ? 100.0 : -0.0,
                   "summary best_epoch_accuracy");
      assert_bits (ftc_report_lookup (back, "t", "ft_cot")->sampled_temperature, doubles[i],
                   "summary sampled temperature");
    }
}

static void
test_round_trip_checkpoint (void)
{
  const char *texts[] = { "Q: a coin ###", " heads --> yes END" };
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTokenizer) tok = ftc_tokenizer_new_char (ftc_char_tokenizer_build (texts, 2, &error));
  FtcGpt2Config c = ftc_model_preset_lookup ("tiny")->config;
  FtcGpt2Tensor tensors[FTC_GPT2_NUM_TENSORS];
  gsize n;
  g_autofree float *params = NULL, *m = NULL, *v = NULL;
  g_autofree char *root = ftc_test_tmpdir ();
  g_autofree char *dir = g_build_filename (root, "checkpoints", "t.ft_cot", NULL);
  g_autoptr (JsonObject) state = json_object_new ();
  g_autoptr (FtcCheckpoint) ck = NULL;

  c.vocab_size = ftc_tokenizer_vocab_size (tok);
  c.max_seq_len = 16;
  c.channels = 16;
  c.num_layers = 1;
  c.num_heads = 2;
  n = ftc_gpt2_layout (&c, tensors);
  params = g_new0 (float, n);
  m = g_new0 (float, n);
  v = g_new0 (float, n);
  json_object_set_int_member (state, "epoch", 2);
  json_object_set_double_member (state, "best_accuracy", 0.30000000000000004);
  json_object_set_object_member (state, "numbers", number_object ());
  {
    FtcModelSpec spec = ftc_model_spec_gpt2 (&c);
    g_assert_true (ftc_checkpoint_save (dir, &spec, tok, params, m, v, n, G_MAXINT32, state, &error));
  }
  g_assert_no_error (error);
  ck = ftc_checkpoint_load (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ck->step, ==, G_MAXINT32);
  assert_same_double (json_object_get_member (ck->state, "best_accuracy"), 0.30000000000000004,
                      "checkpoint best_accuracy");
  assert_number_object (json_object_get_object_member (ck->state, "numbers"), "checkpoint state");
}

static void
test_round_trip_teach_manifest (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (doubles); i++)
    {
      g_autofree char *out = ftc_test_tmpdir ();
      g_autoptr (GError) error = NULL;
      FtcTask *task = ftc_synthetic_generate ("synthetic_coin_flip", 10, 3, 0, &error);
      g_autoptr (FtcTeachJob) job = NULL;
      g_autofree char *manifest = NULL;
      g_autoptr (JsonObject) o = NULL;
      FtcTeachPlan plan;

      if (doubles[i] < 0 || signbit (doubles[i]) || doubles[i] > 2.0)
        continue;   /* temperatures the teacher takes */
      g_assert_no_error (error);
      ftc_teach_plan_init (&plan);
      plan.positions = g_array_copy (task->train);
      g_array_set_size (plan.positions, 2);
      plan.temperature = doubles[i];
      plan.samples = 2;
      job = ftc_teach_job_new (ftc_teacher_scripted_new (0.0, 5, &error), task, "train", &plan, out, &error);
      g_assert_no_error (error);
      g_assert_true (ftc_teach_job_run (job, NULL, &error));
      g_assert_no_error (error);
      manifest = ftc_teach_job_path (out, "synthetic_coin_flip", "train", ".json");
      o = ftc_json_read_object_file (manifest, FTC_INPUT_CONFIG, &error);
      g_assert_no_error (error);
      assert_same_double (json_object_get_member (o, "temperature"), doubles[i], "teach manifest temperature");
      assert_same_int (json_object_get_member (o, "samples"), 2, "teach manifest samples");
    }
}

/* Files other programs write may hold integers beyond 64 bits that ftcot never reads as integers: the wide
 * reader reads them as doubles, every other reader refuses them, and an integer getter refuses the double. */
static void
test_parse_wide (void)
{
  static const char text[] = "{\"model_max_length\": 1000000000000000019884624838656, \"name\": \"1234567890123456789012\", "
                             "\"n\": -99999999999999999999, \"ok\": 7}";
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) strict = ftc_json_parse (text, strlen (text), "t.json", &error);
  g_autoptr (JsonNode) wide = NULL;
  JsonObject *o;
  gint64 v = 0;

  g_assert_null (strict);
  g_assert_error (error, FTC_ERROR, FTC_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "integer out of the 64-bit range (field 'model_max_length')"));
  g_clear_error (&error);
  wide = ftc_json_parse_wide (text, strlen (text), "t.json", &error);
  g_assert_no_error (error);
  o = json_node_get_object (wide);
  g_assert_cmpfloat (json_object_get_double_member (o, "model_max_length"), ==, 1e30);
  g_assert_cmpfloat (json_object_get_double_member (o, "n"), ==, -1e20);
  /* strings are never touched, small integers stay integers */
  g_assert_cmpstr (json_object_get_string_member (o, "name"), ==, "1234567890123456789012");
  g_assert_cmpint (json_object_get_int_member (o, "ok"), ==, 7);
  g_assert_false (ftc_json_get_int (o, "model_max_length", "model_max_length", 0, G_MAXINT64, &v, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json/format-double", test_format_double);
  g_test_add_func ("/json/styles", test_styles);
  g_test_add_func ("/json/key-text", test_key_text);
  g_test_add_func ("/json/read-regular-only", test_read_regular_only);
  g_test_add_func ("/json/read-limits", test_read_limits);
  g_test_add_func ("/json/parse-depth", test_parse_depth);
  g_test_add_func ("/json/parse-errors", test_parse_errors);
  g_test_add_func ("/json/parse-wide", test_parse_wide);
  g_test_add_func ("/json/getters", test_getters);
  g_test_add_func ("/json/jsonl", test_jsonl);
  g_test_add_func ("/json/round-trip/files", test_round_trip_json_files);
  g_test_add_func ("/json/round-trip/records-and-store", test_round_trip_records_and_store);
  g_test_add_func ("/json/round-trip/metrics", test_round_trip_metrics);
  g_test_add_func ("/json/round-trip/experiment", test_round_trip_experiment);
  g_test_add_func ("/json/round-trip/report", test_round_trip_report);
  g_test_add_func ("/json/round-trip/checkpoint", test_round_trip_checkpoint);
  g_test_add_func ("/json/round-trip/teach-manifest", test_round_trip_teach_manifest);
  return g_test_run ();
}
