/* test-bpe-train: byte-level BPE learned from a task's own text: hand-computed merges and tie-breaks,
 * byte-exact round trips and compression on the shared datasets and on synthetic tasks, determinism,
 * vocabulary sizes, saving and loading, bad input, and training speed. */
#include <string.h>
#include <time.h>

#include <json-glib/json-glib.h>

#include "core/students/ftc-bpe-train.h"
#include "core/ftc-error.h"
#include "core/tasks/ftc-synthetic.h"
#include "core/tasks/ftc-task-open.h"
#include "core/students/ftc-tokenizer.h"
#include "tests/ftc-test-util.h"

/* ---- helpers ---- */

static char *
read_file (const char *dir, const char *name, gsize *len)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;
  char *data = NULL;

  g_assert_true (g_file_get_contents (path, &data, len, &error));
  g_assert_no_error (error);
  return data;
}

/* The merges of a saved tokenizer (without the #version line), as a NULL-terminated array. */
static char **
saved_merges (FtcBpe *bpe)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autoptr (GError) error = NULL;
  g_autofree char *data = NULL;
  gsize len;
  char **lines;

  g_assert_true (ftc_bpe_save (bpe, dir, &error));
  g_assert_no_error (error);
  data = read_file (dir, "merges.txt", &len);
  g_assert_true (g_str_has_prefix (data, "#version: 0.2\n"));
  g_assert_true (g_str_has_suffix (data, "\n"));
  data[len - 1] = '\0';
  lines = g_strsplit (data + strlen ("#version: 0.2\n"), "\n", -1);
  if (lines[0] != NULL && lines[0][0] == '\0')
    {
      g_strfreev (lines);
      lines = g_new0 (char *, 1);
    }
  return lines;
}

static FtcBpe *
train (const char *const *texts, gsize n, guint vocab_size, guint min_frequency)
{
  FtcBpeTrainOptions opts = { .min_frequency = min_frequency };
  g_autoptr (GError) error = NULL;
  FtcBpe *bpe = ftc_bpe_train (texts, n, vocab_size, &opts, &error);

  g_assert_no_error (error);
  g_assert_nonnull (bpe);
  return bpe;
}

/* Every text round-trips byte-exactly; returns tokens per character over all of them. */
static double
round_trip_ratio (FtcTokenizer *tok, GPtrArray *texts)
{
  gsize n_tokens = 0, n_chars = 0;

  for (guint i = 0; i < texts->len; i++)
    {
      const char *text = texts->pdata[i];
      g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint32));
      g_autoptr (GError) error = NULL;
      g_autofree char *back = NULL;
      gsize len;

      g_assert_true (ftc_tokenizer_encode (tok, text, -1, ids, &error));
      g_assert_no_error (error);
      back = ftc_tokenizer_decode (tok, (gint32 *) ids->data, ids->len, &len, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (back, len, text, strlen (text));
      for (guint j = 0; j < ids->len; j++)
        g_assert_cmpint (g_array_index (ids, gint32, j), <, (gint) ftc_tokenizer_vocab_size (tok) - 1);
      n_tokens += ids->len;
      n_chars += g_utf8_strlen (text, -1);
    }
  g_assert_cmpuint (n_chars, >, 0);
  return (double) n_tokens / n_chars;
}

/* The questions of a synthetic task and, for each, its rationale (the steps' facts joined by spaces). */
static GPtrArray *
synthetic_texts (const char *spec)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTask) task = ftc_task_open (spec, NULL, &error);
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);

  g_assert_no_error (error);
  for (guint i = 0; i < task->samples->len; i++)
    {
      FtcSample *s = task->samples->pdata[i];
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_autoptr (GStrvBuilder) facts = g_strv_builder_new ();
      g_auto (GStrv) strv = NULL;
      JsonArray *array;

      g_ptr_array_add (texts, g_strdup (s->question));
      g_assert_nonnull (s->steps_json);
      g_assert_true (json_parser_load_from_data (parser, s->steps_json, -1, &error));
      g_assert_no_error (error);
      array = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "facts");
      g_assert_nonnull (array);
      for (guint j = 0; j < json_array_get_length (array); j++)
        g_strv_builder_add (facts, json_array_get_string_element (array, j));
      strv = g_strv_builder_end (facts);
      g_ptr_array_add (texts, g_strjoinv (" ", strv));
    }
  return texts;
}

/* The string fields `fields` of each line of a shared JSONL dataset file. */
static GPtrArray *
dataset_texts (const char *task, const char *file, const char *const *fields)
{
  g_autofree char *path = ftc_test_shared_path ("datasets", task, file, NULL);
  g_autofree char *data = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GError) error = NULL;
  GPtrArray *texts;

  if (path == NULL)
    return NULL;
  g_assert_true (g_file_get_contents (path, &data, NULL, &error));
  g_assert_no_error (error);
  texts = g_ptr_array_new_with_free_func (g_free);
  lines = g_strsplit (data, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      JsonObject *obj;

      if (lines[i][0] == '\0')
        continue;
      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, &error));
      g_assert_no_error (error);
      obj = json_node_get_object (json_parser_get_root (parser));
      for (guint f = 0; fields[f] != NULL; f++)
        if (json_object_has_member (obj, fields[f]))
          g_ptr_array_add (texts, g_strdup (json_object_get_string_member (obj, fields[f])));
    }
  g_assert_cmpuint (texts->len, >, 0);
  return texts;
}

/* ---- hand-computed merges ---- */

static void
assert_merges (FtcBpe *bpe, const char *const *want)
{
  g_auto (GStrv) got = saved_merges (bpe);
  g_assert_cmpstrv (got, want);
}

static void
test_hand_cases (void)
{
  /* pieces "ab", " ab" x2, " abc": a b (4) > Ġ a (3); then Ġ ab (3); ab c occurs once (< 2) */
  const char *t1[] = { "ab ab ab abc" };
  const char *m1[] = { "a b", "Ġ ab", NULL };
  /* every pair occurs once: ties go to the smallest pair in code point order (x < z < Ġ) */
  const char *t2[] = { "xy zw" };
  const char *m2[] = { "x y", "z w", "Ġ zw", NULL };
  /* "aaa" twice: a a occurs 2 x 2 times (overlaps count), merged left to right: [aa, a] */
  const char *t3[] = { "aaa", "aaa" };
  const char *m3[] = { "a a", "aa a", NULL };
  g_autoptr (FtcBpe) b1 = train (t1, 1, 1000, 2);
  g_autoptr (FtcBpe) b2 = train (t2, 1, 1000, 1);
  g_autoptr (FtcBpe) b3 = train (t3, 2, 1000, 1);
  g_autoptr (FtcBpe) b4 = train (t2, 1, 258, 1);
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint32));
  g_autoptr (GError) error = NULL;

  assert_merges (b1, m1);
  g_assert_cmpuint (ftc_bpe_vocab_size (b1), ==, 256 + 2 + 1);
  g_assert_cmpint (ftc_bpe_token_id (b1, "ab"), ==, 256);
  g_assert_cmpint (ftc_bpe_token_id (b1, "Ġab"), ==, 257);
  g_assert_cmpint (ftc_bpe_eot_id (b1), ==, 258);
  g_assert_true (ftc_bpe_encode (b1, "ab abc", -1, ids, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 3);
  g_assert_cmpint (g_array_index (ids, gint32, 0), ==, 256);
  g_assert_cmpint (g_array_index (ids, gint32, 1), ==, 257);
  g_assert_cmpint (g_array_index (ids, gint32, 2), ==, ftc_bpe_token_id (b1, "c"));

  assert_merges (b2, m2);
  assert_merges (b3, m3);
  g_assert_cmpint (ftc_bpe_token_id (b3, "aaa"), ==, 257);
  /* vocab 258: one merge only, the first of the tie-break order */
  {
    const char *m4[] = { "x y", NULL };
    assert_merges (b4, m4);
    g_assert_cmpuint (ftc_bpe_vocab_size (b4), ==, 258);
  }
}

/* The byte tokens have GPT-2's own ids; <|endoftext|> is last. */
static void
test_byte_alphabet (void)
{
  g_autofree char *dir = ftc_test_shared_path ("gpt2-tokenizer", NULL);
  g_autofree char *vocab = NULL, *merges = NULL;
  const char *texts[] = { "no merges at all" };
  g_autoptr (FtcBpe) bpe = train (texts, 1, FTC_BPE_TRAIN_MIN_VOCAB, 2);
  g_autoptr (FtcBpe) gpt2 = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint32));
  guint8 all[256];

  g_assert_cmpuint (ftc_bpe_vocab_size (bpe), ==, 257);
  g_assert_cmpint (ftc_bpe_eot_id (bpe), ==, 256);
  g_assert_cmpint (ftc_bpe_token_id (bpe, "<|endoftext|>"), ==, 256);
  g_assert_cmpint (ftc_bpe_token_id (bpe, "!"), ==, 0);
  g_assert_cmpint (ftc_bpe_token_id (bpe, "Ġ"), ==, 220);   /* the space, as in GPT-2 */
  /* no merges: text encodes to one token per byte */
  g_assert_true (ftc_bpe_encode (bpe, "héllo wörld", -1, ids, &error));
  g_assert_cmpuint (ids->len, ==, strlen ("héllo wörld"));
  if (dir == NULL)
    return;
  {
    g_autofree char *vp = g_build_filename (dir, "vocab.json", NULL);
    g_autofree char *mp = g_build_filename (dir, "merges.txt", NULL);
    gpt2 = ftc_bpe_load (vp, mp, &error);
    g_assert_no_error (error);
  }
  /* every byte alone: both give the same id */
  memset (all, 0, sizeof all);
  for (int b = 1; b < 256; b++)   /* byte 0 ends a C string: compared through the decoder below */
    {
      char one[2] = { (char) b, 0 };
      g_autoptr (GArray) a = g_array_new (FALSE, FALSE, sizeof (gint32));
      g_autoptr (GArray) g = g_array_new (FALSE, FALSE, sizeof (gint32));
      if (b >= 0x80)
        continue;   /* not valid UTF-8 alone */
      g_assert_true (ftc_bpe_encode (bpe, one, 1, a, NULL));
      g_assert_true (ftc_bpe_encode (gpt2, one, 1, g, NULL));
      g_assert_cmpint (g_array_index (a, gint32, 0), ==, g_array_index (g, gint32, 0));
    }
  for (gint32 id = 0; id < 256; id++)
    {
      gsize la, lg;
      g_autofree char *a = ftc_bpe_decode (bpe, &id, 1, &la, NULL);
      g_autofree char *g = ftc_bpe_decode (gpt2, &id, 1, &lg, NULL);
      g_assert_cmpmem (a, la, g, lg);
      g_assert_cmpuint (la, ==, 1);
      all[(guint8) a[0]] = 0xAA;   /* each byte exactly once */
    }
  for (int b = 0; b < 256; b++)
    g_assert_cmpuint (all[b], ==, 0xAA);
}

/* ---- real text ---- */

static void
test_synthetic (void)
{
  static const struct {
    const char *spec;
    double max_ratio;   /* tokens per character at vocab 512 */
  } cases[] = {
    { "synthetic_coin_flip:n=300,seed=1,size=8", 0.3 },
    { "synthetic_last_letters:n=300,seed=1,size=4", 0.5 },
    { "synthetic_arithmetic:n=300,seed=1,size=3", 0.5 },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr (GPtrArray) texts = synthetic_texts (cases[c].spec);
      g_autoptr (GError) error = NULL;
      g_autoptr (FtcTokenizer) tok = ftc_tokenizer_train_bpe ((const char *const *) texts->pdata, texts->len,
                                                              512, &error);
      double ratio;

      g_assert_no_error (error);
      g_assert_cmpint (ftc_tokenizer_kind (tok), ==, FTC_TOKENIZER_BPE);
      g_assert_cmpuint (ftc_tokenizer_vocab_size (tok), ==, 512);
      g_assert_cmpint (ftc_tokenizer_eot_id (tok), ==, 511);
      ratio = round_trip_ratio (tok, texts);
      g_test_message ("%s: %u texts, vocab 512: %.3f tokens per character", cases[c].spec, texts->len, ratio);
      g_assert_cmpfloat (ratio, <, cases[c].max_ratio);
      g_assert_cmpfloat (ratio, >, 0.05);
    }
}

static void
test_datasets (void)
{
  static const char *const unseen[] = { "aqua", "commonsense_qa", "strategy_qa", "date_understanding", "svamp",
                                        "last_letter_concatenation" };
  const char *q[] = { "question", NULL };
  g_autoptr (GPtrArray) gsm8k = dataset_texts ("gsm8k", "test.jsonl", q);
  g_autoptr (GPtrArray) other = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *data_dir = ftc_test_shared_path ("datasets", NULL);
  FtcTaskOpenOptions options = { .data_dir = data_dir };
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTokenizer) tok = NULL;
  double ratio, other_ratio;

  if (gsm8k == NULL)
    return;
  tok = ftc_tokenizer_train_bpe ((const char *const *) gsm8k->pdata, gsm8k->len, 1024, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ftc_tokenizer_vocab_size (tok), ==, 1024);
  ratio = round_trip_ratio (tok, gsm8k);
  g_assert_cmpfloat (ratio, <, 0.45);
  /* text it never saw (other characters, other words) still round-trips byte-exactly, compressed less */
  for (guint d = 0; d < G_N_ELEMENTS (unseen); d++)
    {
      g_autoptr (FtcTask) task = ftc_task_open (unseen[d], &options, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < task->samples->len; i++)
        g_ptr_array_add (other, g_strdup (((FtcSample *) task->samples->pdata[i])->question));
    }
  other_ratio = round_trip_ratio (tok, other);
  g_test_message ("gsm8k test questions (%u), vocab 1024: %.3f tokens per character; %u questions of other "
                  "datasets: %.3f", gsm8k->len, ratio, other->len, other_ratio);
  g_assert_cmpfloat (ratio, <, other_ratio);
}

/* ---- files ---- */

static void
test_deterministic_and_files (void)
{
  g_autoptr (GPtrArray) texts = synthetic_texts ("synthetic_arithmetic:n=200,seed=7,size=4");
  g_autoptr (GPtrArray) reversed = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTokenizer) a = NULL, b = NULL, c = NULL, loaded = NULL;
  g_autofree char *dir_a = ftc_test_tmpdir (), *dir_b = ftc_test_tmpdir (), *dir_c = ftc_test_tmpdir ();
  g_autofree char *dir_d = ftc_test_tmpdir ();
  const char *names[] = { "vocab.json", "merges.txt" };

  for (guint i = texts->len; i > 0; i--)
    g_ptr_array_add (reversed, texts->pdata[i - 1]);
  a = ftc_tokenizer_train_bpe ((const char *const *) texts->pdata, texts->len, 700, &error);
  g_assert_no_error (error);
  b = ftc_tokenizer_train_bpe ((const char *const *) texts->pdata, texts->len, 700, &error);
  g_assert_no_error (error);
  c = ftc_tokenizer_train_bpe ((const char *const *) reversed->pdata, reversed->len, 700, &error);
  g_assert_no_error (error);
  g_assert_true (ftc_tokenizer_save (a, dir_a, &error));
  g_assert_true (ftc_tokenizer_save (b, dir_b, &error));
  g_assert_true (ftc_tokenizer_save (c, dir_c, &error));
  g_assert_no_error (error);
  for (guint f = 0; f < G_N_ELEMENTS (names); f++)
    {
      gsize la, lb, lc;
      g_autofree char *fa = read_file (dir_a, names[f], &la);
      g_autofree char *fb = read_file (dir_b, names[f], &lb);
      g_autofree char *fc = read_file (dir_c, names[f], &lc);
      g_assert_cmpmem (fa, la, fb, lb);
      g_assert_cmpmem (fa, la, fc, lc);   /* the order of the texts does not matter */
    }

  /* save -> load: the same ids; saving the loaded one writes the same bytes */
  loaded = ftc_tokenizer_load (dir_a, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ftc_tokenizer_kind (loaded), ==, FTC_TOKENIZER_BPE);
  g_assert_cmpuint (ftc_tokenizer_vocab_size (loaded), ==, 700);
  g_assert_cmpint (ftc_tokenizer_eot_id (loaded), ==, 699);
  for (guint i = 0; i < texts->len; i++)
    {
      g_autoptr (GArray) x = g_array_new (FALSE, FALSE, sizeof (gint32));
      g_autoptr (GArray) y = g_array_new (FALSE, FALSE, sizeof (gint32));
      g_assert_true (ftc_tokenizer_encode (a, texts->pdata[i], -1, x, NULL));
      g_assert_true (ftc_tokenizer_encode (loaded, texts->pdata[i], -1, y, NULL));
      g_assert_cmpmem (x->data, x->len * 4, y->data, y->len * 4);
    }
  g_assert_true (ftc_tokenizer_save (loaded, dir_d, &error));
  g_assert_no_error (error);
  for (guint f = 0; f < G_N_ELEMENTS (names); f++)
    {
      gsize la, ld;
      g_autofree char *fa = read_file (dir_a, names[f], &la);
      g_autofree char *fd = read_file (dir_d, names[f], &ld);
      g_assert_cmpmem (fa, la, fd, ld);
    }
}

static void
test_vocab_sizes (void)
{
  g_autoptr (GPtrArray) texts = synthetic_texts ("synthetic_last_letters:n=100,seed=3,size=3");
  const guint sizes[] = { 257, 258, 300, 333, 600 };
  guint prev_tokens = G_MAXUINT;

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      g_autoptr (FtcBpe) bpe = train ((const char *const *) texts->pdata, texts->len, sizes[s], 2);
      g_autoptr (FtcTokenizer) tok = NULL;
      g_auto (GStrv) merges = saved_merges (bpe);
      guint n_tokens = 0;

      g_assert_cmpuint (ftc_bpe_vocab_size (bpe), ==, sizes[s]);
      g_assert_cmpint (ftc_bpe_eot_id (bpe), ==, sizes[s] - 1);
      g_assert_cmpuint (g_strv_length (merges), >=, sizes[s] - 257);
      tok = ftc_tokenizer_new_bpe (g_steal_pointer (&bpe));
      round_trip_ratio (tok, texts);
      for (guint i = 0; i < texts->len; i++)
        {
          g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint32));
          g_assert_true (ftc_tokenizer_encode (tok, texts->pdata[i], -1, ids, NULL));
          n_tokens += ids->len;
        }
      g_assert_cmpuint (n_tokens, <, prev_tokens);   /* each larger vocabulary compresses more */
      prev_tokens = n_tokens;
    }

  /* a huge vocab_size stops when no pair occurs min_frequency times; min_frequency 1 goes further */
  {
    g_autoptr (FtcBpe) two = train ((const char *const *) texts->pdata, texts->len, 100000, 2);
    g_autoptr (FtcBpe) one = train ((const char *const *) texts->pdata, texts->len, 100000, 1);
    g_autoptr (FtcBpe) fifty = train ((const char *const *) texts->pdata, texts->len, 100000, 50);
    g_assert_cmpuint (ftc_bpe_vocab_size (two), <, 100000);
    g_assert_cmpuint (ftc_bpe_vocab_size (one), >, ftc_bpe_vocab_size (two));
    g_assert_cmpuint (ftc_bpe_vocab_size (fifty), <, ftc_bpe_vocab_size (two));
    g_assert_cmpuint (ftc_bpe_vocab_size (fifty), >, 257);
    g_test_message ("last letters: vocabulary %u (min frequency 1), %u (2), %u (50)", ftc_bpe_vocab_size (one),
                    ftc_bpe_vocab_size (two), ftc_bpe_vocab_size (fifty));
  }
  /* no text at all: the bytes and <|endoftext|> */
  {
    g_autoptr (FtcBpe) empty = train (NULL, 0, 1000, 2);
    g_assert_cmpuint (ftc_bpe_vocab_size (empty), ==, 257);
  }
}

/* ---- bad input ---- */

static void
test_errors (void)
{
  const char *texts[] = { "fine text", "bad \xff byte", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcBpe) bpe = NULL;
  g_autoptr (FtcTokenizer) tok = NULL;
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *merges_path = g_build_filename (dir, "merges.txt", NULL);
  g_autofree char *merges = NULL;
  g_autoptr (GString) broken = NULL;

  bpe = ftc_bpe_train (texts, 1, 256, NULL, &error);
  g_assert_null (bpe);
  g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "256"));
  g_assert_nonnull (strstr (error->message, "257"));
  g_clear_error (&error);
  g_assert_null (ftc_tokenizer_train_bpe (texts, 1, 0, &error));
  g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
  g_clear_error (&error);

  bpe = ftc_bpe_train (texts, 2, 300, NULL, &error);
  g_assert_null (bpe);
  g_assert_error (error, FTC_ERROR, FTC_ERROR_PARSE);
  g_assert_cmpstr (error->message, ==, "text 1: invalid UTF-8 at byte 4");
  g_clear_error (&error);

  /* a saved tokenizer whose merges.txt names a token not in vocab.json */
  {
    const char *ok[] = { "the cat sat on the mat; the cat sat on the hat" };
    g_autoptr (FtcTokenizer) good = ftc_tokenizer_train_bpe (ok, 1, 280, &error);
    g_assert_no_error (error);
    g_assert_true (ftc_tokenizer_save (good, dir, &error));
    g_assert_no_error (error);
  }
  g_assert_true (g_file_get_contents (merges_path, &merges, NULL, NULL));
  broken = g_string_new (merges);
  g_string_append (broken, "Ġcat Ġnowhere\n");
  g_assert_true (g_file_set_contents (merges_path, broken->str, -1, NULL));
  tok = ftc_tokenizer_load (dir, &error);
  g_assert_null (tok);
  g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "merges.txt:"));
  g_assert_nonnull (strstr (error->message, "unknown token \"Ġnowhere\""));
  g_test_message ("%s", error->message);
  g_clear_error (&error);
}

/* ---- speed ---- */

static void
test_speed (void)
{
  const char *fields[] = { "question", "answer", NULL };
  g_autoptr (GPtrArray) texts = dataset_texts ("gsm8k", "train.jsonl", fields);
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcBpe) bpe = NULL;
  gsize bytes = 0;
  gint64 t0;
  clock_t c0;
  double seconds, cpu;

  if (texts == NULL)
    return;
  for (guint i = 0; i < texts->len; i++)
    bytes += strlen (texts->pdata[i]);
  t0 = g_get_monotonic_time ();
  c0 = clock ();
  bpe = ftc_bpe_train ((const char *const *) texts->pdata, texts->len, 4096, NULL, &error);
  cpu = (double) (clock () - c0) / CLOCKS_PER_SEC;
  seconds = (g_get_monotonic_time () - t0) / 1e6;
  g_assert_no_error (error);
  g_assert_cmpuint (ftc_bpe_vocab_size (bpe), ==, 4096);
  g_test_message ("gsm8k train questions and answers: %.2f MB, vocab 4096 trained in %.2f s (%.2f s of CPU)",
                  bytes / 1e6, seconds, cpu);
  /* generous: the machine is shared; a quadratic update would take minutes */
  g_assert_cmpfloat (seconds, <, 20.0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bpe-train/hand-cases", test_hand_cases);
  g_test_add_func ("/bpe-train/byte-alphabet", test_byte_alphabet);
  g_test_add_func ("/bpe-train/synthetic", test_synthetic);
  g_test_add_func ("/bpe-train/datasets", test_datasets);
  g_test_add_func ("/bpe-train/deterministic-and-files", test_deterministic_and_files);
  g_test_add_func ("/bpe-train/vocab-sizes", test_vocab_sizes);
  g_test_add_func ("/bpe-train/errors", test_errors);
  g_test_add_func ("/bpe-train/speed", test_speed);
  return g_test_run ();
}
