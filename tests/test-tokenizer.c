/* test-tokenizer: GPT-2 byte-level BPE against the shared reference ids, round trips over the shared
 * datasets, the pre-tokeniser against GRegex, bad inputs, and the character vocabulary. */
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "core/ftc-error.h"
#include "core/students/ftc-tokenizer.h"
#include "tests/ftc-test-util.h"

#define GPT2_PATTERN "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"

static FtcTokenizer *gpt2;

static FtcTokenizer *
load_gpt2 (void)
{
  g_autofree char *dir = ftc_test_shared_path ("gpt2-tokenizer", NULL);
  g_autoptr (GError) error = NULL;

  if (dir == NULL)
    return NULL;
  if (gpt2 == NULL)
    {
      gpt2 = ftc_tokenizer_load (dir, &error);
      g_assert_no_error (error);
    }
  return gpt2;
}

static GArray *
encode (FtcTokenizer *tok, const char *text, gssize len)
{
  g_autoptr (GError) error = NULL;
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint32));

  g_assert_true (ftc_tokenizer_encode (tok, text, len, ids, &error));
  g_assert_no_error (error);
  return ids;
}

static void
assert_round_trip (FtcTokenizer *tok, const char *text, gsize len)
{
  g_autoptr (GArray) ids = encode (tok, text, len);
  g_autoptr (GError) error = NULL;
  gsize out_len;
  g_autofree char *out = ftc_tokenizer_decode (tok, (gint32 *) ids->data, ids->len, &out_len, &error);

  g_assert_no_error (error);
  g_assert_cmpmem (out, out_len, text, len);
}

static void
test_encode_cases (void)
{
  FtcTokenizer *tok = load_gpt2 ();
  g_autofree char *path = ftc_test_shared_path ("gpt2-tokenizer", "encode-cases.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonArray *cases;

  if (tok == NULL)
    return;
  g_assert_cmpuint (ftc_tokenizer_vocab_size (tok), ==, 50257);
  g_assert_cmpint (ftc_tokenizer_eot_id (tok), ==, 50256);
  g_assert_true (json_parser_load_from_file (parser, path, &error));
  cases = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (cases), >, 10);
  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      const char *text = json_object_get_string_member (c, "text");
      JsonArray *want = json_object_get_array_member (c, "ids");
      g_autoptr (GArray) ids = encode (tok, text, -1);

      if (ids->len != json_array_get_length (want))
        g_error ("case %u \"%s\": %u ids, want %u", i, text, ids->len, json_array_get_length (want));
      for (guint j = 0; j < ids->len; j++)
        if (g_array_index (ids, gint32, j) != json_array_get_int_element (want, j))
          g_error ("case %u \"%s\": id %u is %d, want %" G_GINT64_FORMAT, i, text, j,
                   g_array_index (ids, gint32, j), json_array_get_int_element (want, j));
      if (json_object_get_boolean_member_with_default (c, "roundtrip", TRUE))
        assert_round_trip (tok, text, strlen (text));
    }
}

static void
test_gsm8k_round_trip (void)
{
  FtcTokenizer *tok = load_gpt2 ();
  g_autofree char *path = ftc_test_shared_path ("datasets", "gsm8k", "test.jsonl", NULL);
  g_autofree char *data = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GError) error = NULL;
  guint n = 0;
  gsize total_ids = 0;

  if (tok == NULL)
    return;
  g_assert_true (g_file_get_contents (path, &data, NULL, &error));
  lines = g_strsplit (data, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      JsonObject *o;
      if (lines[i][0] == '\0')
        continue;
      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, &error));
      o = json_node_get_object (json_parser_get_root (parser));
      for (int f = 0; f < 2; f++)
        {
          const char *text = json_object_get_string_member (o, f == 0 ? "question" : "answer");
          g_autoptr (GArray) ids = encode (tok, text, -1);
          total_ids += ids->len;
          /* BPE compresses English: fewer ids than bytes */
          g_assert_cmpuint (ids->len, <, strlen (text));
          assert_round_trip (tok, text, strlen (text));
        }
      n++;
    }
  g_assert_cmpuint (n, ==, 1319);
  g_test_message ("gsm8k test: %u questions and answers, %" G_GSIZE_FORMAT " ids", n, total_ids);
}

/* Every raw dataset file, whole, as one text. */
static void
test_datasets_round_trip (void)
{
  FtcTokenizer *tok = load_gpt2 ();
  const char *files[][2] = {
    { "addsub", "AddSub.json" }, { "aqua", "test.json" }, { "coin_flip", "coin_flip.json" },
    { "commonsense_qa", "dev_rand_split.jsonl" }, { "date_understanding", "task.json" },
    { "last_letter_concatenation", "last_letters.json" }, { "multiarith", "MultiArith.json" },
    { "single_eq", "questions.json" }, { "strategy_qa", "task.json" }, { "svamp", "SVAMP.json" },
    { "tracking_shuffled_objects", "task.json" }, { "few_shot_cot_prompts", "few_shot_cot_prompts.json" },
  };

  if (tok == NULL)
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = ftc_test_shared_path ("datasets", files[i][0], files[i][1], NULL);
      g_autofree char *data = NULL;
      gsize len;
      g_autoptr (GError) error = NULL;

      g_assert_true (g_file_get_contents (path, &data, &len, &error));
      assert_round_trip (tok, data, len);
    }
}

typedef struct {
  GPtrArray *pieces;
} Pieces;

static void
collect_piece (const char *start, gsize len, gpointer user_data)
{
  g_ptr_array_add (user_data, g_strndup (start, len));
}

/* The hand-written pre-tokeniser splits exactly as the regular expression does (PCRE2 through GRegex). */
static void
assert_pretokenize_matches_regex (GRegex *regex, const char *text)
{
  g_autoptr (GPtrArray) mine = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GMatchInfo) match = NULL;
  guint i = 0;

  ftc_bpe_pretokenize (text, strlen (text), collect_piece, mine);
  g_regex_match (regex, text, 0, &match);
  for (; g_match_info_matches (match); g_match_info_next (match, NULL), i++)
    {
      g_autofree char *want = g_match_info_fetch (match, 0);
      if (i >= mine->len || strcmp (want, g_ptr_array_index (mine, i)) != 0)
        g_error ("piece %u of \"%.80s\": \"%s\", regex says \"%s\"", i, text,
                 i < mine->len ? (char *) g_ptr_array_index (mine, i) : "(none)", want);
    }
  g_assert_cmpuint (i, ==, mine->len);
}

static void
test_pretokenize_regex (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GRegex) regex = g_regex_new (GPT2_PATTERN, G_REGEX_OPTIMIZE, 0, &error);
  const char *cases[] = {
    "Hello world", "  multiple   spaces\n\nand\ttabs  ", "I'm sure they'll say we've done it; she'd agree.",
    "Ünïcödé: naïve café — “quotes” 😀 日本語", "x's 'S 'RE 'll'll '''", " \n \n\n  a", "a  \t\n b ", "   ",
    "3.14159 - 2,000,000 = -1,999,996.85841", "½ ² Ⅻ ٣٤ x²", "\u00a0a\u3000b\u2028c", "e\u0301 a\u0308",
    "tab\tend\t", "?!... ,;: --> END", "日本語のテキスト、句読点。", "",
  };
  g_autofree char *path = NULL;
  g_autofree char *data = NULL;
  g_auto (GStrv) lines = NULL;

  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_pretokenize_matches_regex (regex, cases[i]);

  /* random strings over a mixed alphabet */
  {
    const char *alphabet[] = { "a", "Z", "é", "日", "1", "٣", "½", " ", "  ", "\t", "\n", "\r\n", "'", "'s", "'ll",
                               ".", "—", "😀", "\u00a0", "\u3000", "-", "\u0301" };
    g_autoptr (GRand) rand = g_rand_new_with_seed (7);
    for (int n = 0; n < 2000; n++)
      {
        g_autoptr (GString) s = g_string_new (NULL);
        int len = g_rand_int_range (rand, 0, 24);
        for (int k = 0; k < len; k++)
          g_string_append (s, alphabet[g_rand_int_range (rand, 0, G_N_ELEMENTS (alphabet))]);
        assert_pretokenize_matches_regex (regex, s->str);
      }
  }

  path = ftc_test_shared_path ("datasets", "gsm8k", "test.jsonl", NULL);
  if (path == NULL)
    return;
  g_assert_true (g_file_get_contents (path, &data, NULL, &error));
  lines = g_strsplit (data, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    assert_pretokenize_matches_regex (regex, lines[i]);
}

static void
test_bad_input (void)
{
  FtcTokenizer *tok = load_gpt2 ();
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint32));
  g_autoptr (GError) error = NULL;
  gint32 bad_ids[] = { 15496, 50257 }, negative[] = { -1 };
  g_autofree char *text = NULL;

  if (tok == NULL)
    return;
  g_assert_false (ftc_tokenizer_encode (tok, "ok \xff\xfe", -1, ids, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "byte 3"));
  g_clear_error (&error);
  g_assert_false (ftc_tokenizer_encode (tok, "\xe6\x97", 2, ids, &error));   /* a truncated character */
  g_assert_error (error, FTC_ERROR, FTC_ERROR_PARSE);
  g_clear_error (&error);
  text = ftc_tokenizer_decode (tok, bad_ids, 2, NULL, &error);
  g_assert_null (text);
  g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "50257"));
  g_clear_error (&error);
  g_assert_null (ftc_tokenizer_decode (tok, negative, 1, NULL, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
  g_clear_error (&error);

  /* NUL is a character like any other; a split character decodes to bytes, and to U+FFFD as text */
  {
    g_autoptr (GArray) nul = encode (tok, "a\0b", 3);
    gsize len;
    g_autofree char *back = ftc_tokenizer_decode (tok, (gint32 *) nul->data, nul->len, &len, &error);
    g_autoptr (GArray) emoji = encode (tok, "😀", -1);
    g_autofree char *part = NULL;
    g_assert_cmpmem (back, len, "a\0b", 3);
    g_assert_cmpuint (emoji->len, >=, 2);
    part = ftc_tokenizer_decode_text (tok, (gint32 *) emoji->data, 1, &error);
    g_assert_no_error (error);
    g_assert_true (g_utf8_validate (part, -1, NULL));
    g_assert_nonnull (strstr (part, "\xef\xbf\xbd"));
  }
}

/* A small vocabulary in memory: bytes, plus merges that build "ab", "abc" */
static GString *
small_vocab (const char *extra_token)
{
  GString *v = g_string_new ("{");
  int id = 0;
  for (int b = 0; b < 256; b++)
    {
      gunichar c;
      char buf[8], esc[16];
      if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF))
        c = b;
      else
        {
          static int n = 0;
          c = 256 + (n++ % 68);
        }
      buf[g_unichar_to_utf8 (c, buf)] = '\0';
      if (b == '"' || b == '\\')
        g_snprintf (esc, sizeof esc, "\\%c", b);
      else
        g_strlcpy (esc, buf, sizeof esc);
      g_string_append_printf (v, "\"%s\": %d, ", esc, id++);
    }
  g_string_append_printf (v, "\"ab\": %d, \"abc\": %d", id, id + 1);
  id += 2;
  if (extra_token != NULL)
    g_string_append_printf (v, ", \"%s\": %d", extra_token, id);
  g_string_append (v, "}");
  return v;
}

static void
test_bad_files (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) vocab = small_vocab (NULL);
  const char *good = "#version: 0.2\na b\nab c\n";
  g_autoptr (FtcBpe) bpe = ftc_bpe_new_from_data (vocab->str, vocab->len, good, strlen (good), "small", &error);
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint32));
  g_autoptr (FtcBpe) b2 = NULL, b3 = NULL, b4 = NULL, b5 = NULL;

  g_assert_no_error (error);
  g_assert_true (ftc_bpe_encode (bpe, "abcab", -1, ids, &error));
  g_assert_cmpuint (ids->len, ==, 2);
  g_assert_cmpint (g_array_index (ids, gint32, 0), ==, ftc_bpe_token_id (bpe, "abc"));
  g_assert_cmpint (g_array_index (ids, gint32, 1), ==, ftc_bpe_token_id (bpe, "ab"));
  g_assert_cmpint (ftc_bpe_eot_id (bpe), ==, -1);

  /* merges naming an unknown token, or making one */
  b2 = ftc_bpe_new_from_data (vocab->str, vocab->len, "a b\nab zz\n", 10, "small", &error);
  g_assert_null (b2);
  g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "merges.txt:2"));
  g_assert_nonnull (strstr (error->message, "zz"));
  g_clear_error (&error);
  b3 = ftc_bpe_new_from_data (vocab->str, vocab->len, "b c\n", 4, "small", &error);
  g_assert_null (b3);
  g_assert_nonnull (strstr (error->message, "\"bc\""));
  g_clear_error (&error);
  b4 = ftc_bpe_new_from_data (vocab->str, vocab->len, "a b c\n", 6, "small", &error);
  g_assert_null (b4);
  g_assert_error (error, FTC_ERROR, FTC_ERROR_PARSE);
  g_clear_error (&error);
  /* ids with a gap; a missing byte; not JSON */
  b5 = ftc_bpe_new_from_data ("{\"a\": 0, \"b\": 2}", 16, "", 0, "gap", &error);
  g_assert_null (b5);
  g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (ftc_bpe_new_from_data ("{\"a\": 0, \"b\": 1}", 16, "", 0, "bytes", &error));
  g_assert_nonnull (strstr (error->message, "byte 0x00"));
  g_clear_error (&error);
  g_assert_null (ftc_bpe_new_from_data ("{\"a\": 0,", 8, "", 0, "broken", &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_PARSE);
  g_clear_error (&error);
  g_assert_null (ftc_bpe_new_from_data ("[1]", 3, "", 0, "array", &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
}

/* the characters of the byte alphabet that JSON strings must escape */
static char *
json_quote (const char *s)
{
  GString *out = g_string_new (NULL);
  for (; *s; s++)
    {
      if (*s == '"' || *s == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *s);
    }
  return g_string_free (out, FALSE);
}

/* tokenizer.json (both merge spellings) and save -> load give the same ids as vocab.json + merges.txt */
static void
test_tokenizer_json_and_save (void)
{
  FtcTokenizer *tok = load_gpt2 ();
  g_autofree char *dir = NULL, *vocab_path = NULL, *merges_path = NULL, *tj_path = NULL;
  g_autofree char *vocab = NULL, *merges = NULL;
  g_autoptr (GString) tj = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcBpe) from_json = NULL;
  g_autoptr (FtcTokenizer) saved = NULL;
  const char *text = "Q: Janet’s ducks lay 16 eggs per day. ### Let's think step by step. --> 18 END 😀";
  g_autoptr (GArray) want = NULL;

  if (tok == NULL)
    return;
  vocab_path = ftc_test_shared_path ("gpt2-tokenizer", "vocab.json", NULL);
  merges_path = ftc_test_shared_path ("gpt2-tokenizer", "merges.txt", NULL);
  g_assert_true (g_file_get_contents (vocab_path, &vocab, NULL, NULL));
  g_assert_true (g_file_get_contents (merges_path, &merges, NULL, NULL));
  want = encode (tok, text, -1);

  tj = g_string_new ("{\"version\": \"1.0\", \"model\": {\"type\": \"BPE\", \"vocab\": ");
  g_string_append (tj, vocab);
  g_string_append (tj, ", \"merges\": [");
  lines = g_strsplit (merges, "\n", -1);
  for (guint i = 1, n = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) pair = NULL;
      if (lines[i][0] == '\0')
        continue;
      pair = g_strsplit (lines[i], " ", 2);
      g_autofree char *a = json_quote (pair[0]), *b = json_quote (pair[1]);
      /* alternate the two spellings of a merge */
      if (n++ % 2 == 0)
        g_string_append_printf (tj, "%s\"%s %s\"", n > 1 ? ", " : "", a, b);
      else
        g_string_append_printf (tj, ", [\"%s\", \"%s\"]", a, b);
    }
  g_string_append (tj, "]}}");
  dir = ftc_test_tmpdir ();
  tj_path = g_build_filename (dir, "tokenizer.json", NULL);
  g_assert_true (g_file_set_contents (tj_path, tj->str, tj->len, NULL));
  from_json = ftc_bpe_load_tokenizer_json (tj_path, &error);
  g_assert_no_error (error);
  {
    g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint32));
    g_assert_true (ftc_bpe_encode (from_json, text, -1, ids, &error));
    g_assert_cmpmem (ids->data, ids->len * 4, want->data, want->len * 4);
  }

  g_assert_true (ftc_tokenizer_save (tok, dir, &error));
  g_assert_no_error (error);
  g_remove (tj_path);
  saved = ftc_tokenizer_load (dir, &error);
  g_assert_no_error (error);
  {
    g_autoptr (GArray) ids = encode (saved, text, -1);
    g_autofree char *merges2 = NULL, *merges2_path = g_build_filename (dir, "merges.txt", NULL);
    g_assert_cmpmem (ids->data, ids->len * 4, want->data, want->len * 4);
    /* the same merges, byte for byte */
    g_assert_true (g_file_get_contents (merges2_path, &merges2, NULL, NULL));
    g_assert_cmpstr (merges2, ==, merges);
  }
}

static void
test_char_tokenizer (void)
{
  const char *texts[] = { "Q: 2 + 3 = ? ###", " 2 plus 3 is 5. --> 5 END", "naïve 😀" };
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTokenizer) tok = ftc_tokenizer_new_char (ftc_char_tokenizer_build (texts, 3, &error));
  g_autoptr (FtcTokenizer) loaded = NULL;
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autoptr (GArray) ids = NULL, ids2 = NULL;
  g_autofree char *back = NULL;
  const char *bad[] = { "ok", "bad \xc3" };

  g_assert_no_error (error);
  g_assert_cmpint (ftc_tokenizer_kind (tok), ==, FTC_TOKENIZER_CHAR);
  g_assert_cmpint (ftc_tokenizer_eot_id (tok), ==, 0);
  /* distinct characters of the texts, plus two special tokens */
  {
    g_autoptr (GHashTable) set = g_hash_table_new (NULL, NULL);
    for (int i = 0; i < 3; i++)
      for (const char *p = texts[i]; *p; p = g_utf8_next_char (p))
        g_hash_table_add (set, GUINT_TO_POINTER (g_utf8_get_char (p)));
    g_assert_cmpuint (ftc_tokenizer_vocab_size (tok), ==, g_hash_table_size (set) + 2);
  }
  ids = encode (tok, texts[1], -1);
  g_assert_cmpuint (ids->len, ==, g_utf8_strlen (texts[1], -1));
  back = ftc_tokenizer_decode (tok, (gint32 *) ids->data, ids->len, NULL, &error);
  g_assert_cmpstr (back, ==, texts[1]);
  g_clear_pointer (&back, g_free);
  /* unknown characters become <|unk|> */
  ids2 = encode (tok, "2x", -1);
  g_assert_cmpint (g_array_index (ids2, gint32, 1), ==, FTC_CHAR_UNK_ID);

  g_assert_true (ftc_tokenizer_save (tok, dir, &error));
  g_assert_no_error (error);
  loaded = ftc_tokenizer_load (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ftc_tokenizer_kind (loaded), ==, FTC_TOKENIZER_CHAR);
  g_assert_cmpuint (ftc_tokenizer_vocab_size (loaded), ==, ftc_tokenizer_vocab_size (tok));
  for (int i = 0; i < 3; i++)
    {
      g_autoptr (GArray) a = encode (tok, texts[i], -1), b = encode (loaded, texts[i], -1);
      g_assert_cmpmem (a->data, a->len * 4, b->data, b->len * 4);
      assert_round_trip (loaded, texts[i], strlen (texts[i]));
    }
  g_assert_null (ftc_char_tokenizer_build (bad, 2, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "text 1"));
}

static void
count_piece (const char *start, gsize len, gpointer user_data)
{
  (*(guint *) user_data)++;
}

/* Encoding speed on gsm8k (reported, and a floor that catches a pathological slowdown) */
static void
test_speed (void)
{
  g_autofree char *dir = ftc_test_shared_path ("gpt2-tokenizer", NULL);
  g_autofree char *path = ftc_test_shared_path ("datasets", "gsm8k", "test.jsonl", NULL);
  g_autofree char *data = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTokenizer) tok = NULL;
  gsize len;
  gint64 t0, t1, t2;

  if (dir == NULL)
    return;
  tok = ftc_tokenizer_load (dir, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &data, &len, &error));
  t0 = g_get_monotonic_time ();
  g_autoptr (GArray) cold = encode (tok, data, len);
  t1 = g_get_monotonic_time ();
  g_autoptr (GArray) warm = encode (tok, data, len);
  t2 = g_get_monotonic_time ();
  g_assert_cmpmem (cold->data, cold->len * 4, warm->data, warm->len * 4);
  g_test_message ("encode gsm8k test.jsonl (%.2f MB, %u ids): %.1f MB/s with an empty cache, %.1f MB/s warm",
                  len / 1e6, cold->len, len / (double) (t1 - t0), len / (double) (t2 - t1));
  /* the pre-tokeniser alone, by hand and through GRegex (PCRE2), which split alike (pretokenize-regex) */
  {
    g_autoptr (GRegex) regex = g_regex_new (GPT2_PATTERN, G_REGEX_OPTIMIZE, 0, &error);
    g_autoptr (GMatchInfo) match = NULL;
    guint n_hand = 0, n_regex = 0;
    gint64 t3, t4, t5;
    t3 = g_get_monotonic_time ();
    ftc_bpe_pretokenize (data, len, count_piece, &n_hand);
    t4 = g_get_monotonic_time ();
    for (g_regex_match_full (regex, data, len, 0, 0, &match, NULL); g_match_info_matches (match);
         g_match_info_next (match, NULL))
      n_regex++;
    t5 = g_get_monotonic_time ();
    g_assert_cmpuint (n_hand, ==, n_regex);
    g_test_message ("pre-tokenise gsm8k test.jsonl: %.1f MB/s by hand, %.1f MB/s with GRegex", len / (double) (t4 - t3),
                    len / (double) (t5 - t4));
  }
  g_assert_cmpfloat (len / (double) (t2 - t1), >, 0.5);
}


/* tokenizer.json of the LLaMA family: Qwen3's real file (ids as transformers and @lenml/tokenizers give
 * them; tests/tokenizer-compare.mjs compares whole corpora), save -> load, and what is refused by name */
static void
test_hf_tokenizer (void)
{
  g_autofree char *dir = ftc_test_shared_path ("tokenizers", "qwen3", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTokenizer) tok = NULL, back = NULL;
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint32));
  g_autofree char *tmp = ftc_test_tmpdir ();
  static const gint32 want[] = { 9707, 1879, 0, 220, 16, 17, 18, 19, 20, 151644, 872, 198 };
  g_autofree char *text = NULL;

  if (dir == NULL)
    return;
  tok = ftc_tokenizer_load (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ftc_tokenizer_kind (tok), ==, FTC_TOKENIZER_HF);
  g_assert_cmpuint (ftc_tokenizer_vocab_size (tok), ==, 151669);
  g_assert_cmpint (ftc_tokenizer_eot_id (tok), ==, 151645);   /* tokenizer_config.json's eos_token <|im_end|> */
  g_assert_true (ftc_tokenizer_encode (tok, "Hello world! 12345<|im_start|>user\n", -1, ids, &error));
  g_assert_cmpmem (ids->data, ids->len * sizeof (gint32), want, sizeof want);
  text = ftc_tokenizer_decode_text (tok, (gint32 *) ids->data, ids->len, &error);
  g_assert_cmpstr (text, ==, "Hello world! 12345<|im_start|>user\n");
  g_assert_true (ftc_tokenizer_save (tok, tmp, &error));
  back = ftc_tokenizer_load (tmp, &error);
  g_assert_no_error (error);
  g_array_set_size (ids, 0);
  g_assert_true (ftc_tokenizer_encode (back, "Hello world! 12345<|im_start|>user\n", -1, ids, &error));
  g_assert_cmpmem (ids->data, ids->len * sizeof (gint32), want, sizeof want);
}

static void
expect_hf_error (const char *json, const char *needle)
{
  g_autofree char *path = ftc_test_write_tmp ("tokenizer.json", json, -1);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTokenizer) tok = ftc_tokenizer_load (dir, &error);

  g_assert_null (tok);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  if (strstr (error->message, needle) == NULL || strstr (error->message, "tokenizer.json") == NULL)
    g_error ("error \"%s\" does not say \"%s\" and name the file", error->message, needle);
}

static void
test_hf_tokenizer_refused (void)
{
#define VOCAB "\"vocab\": {\"a\": 0, \"b\": 1}, \"merges\": []"
  expect_hf_error ("{\"model\": {\"type\": \"Unigram\", \"vocab\": [[\"a\", 0.0]]}}", "model.type \"Unigram\" is not supported");
  expect_hf_error ("{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"a\": 0}}}", "model.type \"WordPiece\" is not supported");
  expect_hf_error ("{\"normalizer\": {\"type\": \"Lowercase\"}, \"model\": {\"type\": \"BPE\", " VOCAB "}}",
                   "normalizer.type \"Lowercase\" is not supported");
  expect_hf_error ("{\"pre_tokenizer\": {\"type\": \"Metaspace\"}, \"model\": {\"type\": \"BPE\", " VOCAB "}}",
                   "pre_tokenizer.type \"Metaspace\" is not supported");
  expect_hf_error ("{\"pre_tokenizer\": {\"type\": \"ByteLevel\"}, \"model\": {\"type\": \"BPE\", \"byte_fallback\": true, "
                   VOCAB "}}", "model.byte_fallback");
  expect_hf_error ("{\"model\": {\"type\": \"BPE\", " VOCAB "}, \"pre_tokenizer\": {\"type\": \"ByteLevel\"}, "
                   "\"added_tokens\": [{\"id\": 5, \"content\": \"<x>\", \"lstrip\": true}]}", "added_tokens[0].lstrip");
  expect_hf_error ("{\"model\": {\"type\": \"BPE\", " VOCAB "}, \"pre_tokenizer\": {\"type\": \"Sequence\", "
                   "\"pretokenizers\": [{\"type\": \"Split\", \"pattern\": {\"Regex\": \"(\"}, \"behavior\": \"Isolated\"}, "
                   "{\"type\": \"ByteLevel\", \"use_regex\": false}]}}", "pre_tokenizer Split.pattern");
  expect_hf_error ("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
                   "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "column");
#undef VOCAB
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tokenizer/encode-cases", test_encode_cases);
  g_test_add_func ("/tokenizer/gsm8k-round-trip", test_gsm8k_round_trip);
  g_test_add_func ("/tokenizer/datasets-round-trip", test_datasets_round_trip);
  g_test_add_func ("/tokenizer/pretokenize-regex", test_pretokenize_regex);
  g_test_add_func ("/tokenizer/bad-input", test_bad_input);
  g_test_add_func ("/tokenizer/bad-files", test_bad_files);
  g_test_add_func ("/tokenizer/tokenizer-json-and-save", test_tokenizer_json_and_save);
  g_test_add_func ("/tokenizer/hf-tokenizer", test_hf_tokenizer);
  g_test_add_func ("/tokenizer/hf-tokenizer-refused", test_hf_tokenizer_refused);
  g_test_add_func ("/tokenizer/char", test_char_tokenizer);
  g_test_add_func ("/tokenizer/speed", test_speed);
  ret = g_test_run ();
  ftc_tokenizer_free (gpt2);
  return ret;
}
