#include "core/students/ftc-bpe-train.h"

#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "core/ftc-error.h"
#include "core/ftc-json-out.h"

#define EOT_TOKEN "<|endoftext|>"

/* One distinct pre-token piece: its current tokens and how often it occurs in the texts. */
typedef struct {
  gint32 *sym;
  guint len;
  guint stamp;          /* the last merge step that rewrote this word */
  gint64 freq;
} Word;

/* The adjacent pair (a, b): its count and the words that may hold it (duplicates and words that no longer
 * hold it are allowed: merging checks). */
typedef struct {
  guint64 key;
  gint64 count;
  guint pushed_step;    /* the last merge step that queued this pair */
  gboolean merged;      /* already in the merges */
  GArray *words;        /* guint32 word indices */
} PairInfo;

typedef struct {
  gint64 count;
  gint32 a, b;
} HeapEntry;

typedef struct {
  GPtrArray *tokens;         /* id -> byte-alphabet string */
  GHashTable *token_ids;     /* string -> id + 1 (borrowed keys) */
  GHashTable *pairs;         /* &PairInfo.key -> PairInfo* */
  GArray *heap;              /* HeapEntry, max-heap by count, then smallest pair; entries may be stale */
  GArray *increased;         /* guint64: pairs whose count grew in this step */
  Word *words;
  guint n_words;
  guint step;
} Trainer;

static inline guint64
pair_key (gint32 a, gint32 b)
{
  return ((guint64) (guint32) a << 32) | (guint32) b;
}

static guint
pair_hash (gconstpointer key)
{
  guint64 k = *(const guint64 *) key;
  k ^= k >> 33;
  k *= G_GUINT64_CONSTANT (0xff51afd7ed558ccd);
  k ^= k >> 33;
  return (guint) k;
}

static gboolean
pair_equal (gconstpointer a, gconstpointer b)
{
  return *(const guint64 *) a == *(const guint64 *) b;
}

static void
pair_info_free (gpointer p)
{
  PairInfo *info = p;
  g_array_unref (info->words);
  g_free (info);
}

/* GPT-2's bytes_to_unicode (as in ftc-bpe.c, which keeps its table private): printable bytes stand for
 * themselves, the others become U+0100 onwards in byte order. Ids follow the alphabet's code point order,
 * which is GPT-2's own id order for the byte tokens. */
static void
byte_alphabet (gunichar byte_to_char[256], gint32 byte_ids[256])
{
  int n = 0, id = 0;

  for (int b = 0; b < 256; b++)
    {
      gboolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      byte_to_char[b] = printable ? (gunichar) b : (gunichar) (256 + n++);
    }
  for (int pass = 0; pass < 2; pass++)
    for (int b = 0; b < 256; b++)
      if ((byte_to_char[b] < 256) == (pass == 0))
        byte_ids[b] = id++;
}

static void
trainer_add_token (Trainer *t, char *token)
{
  g_ptr_array_add (t->tokens, token);
  g_hash_table_insert (t->token_ids, token, GINT_TO_POINTER (t->tokens->len));
}

/* ---- the queue of pairs ---- */

static inline gboolean
heap_better (const Trainer *t, const HeapEntry *x, const HeapEntry *y)
{
  int c;

  if (x->count != y->count)
    return x->count > y->count;
  c = strcmp (g_ptr_array_index (t->tokens, x->a), g_ptr_array_index (t->tokens, y->a));
  if (c != 0)
    return c < 0;
  return strcmp (g_ptr_array_index (t->tokens, x->b), g_ptr_array_index (t->tokens, y->b)) < 0;
}

static void
heap_push (Trainer *t, gint64 count, guint64 key)
{
  HeapEntry e = { count, (gint32) (key >> 32), (gint32) (guint32) key };
  HeapEntry *h;
  guint i;

  g_array_append_val (t->heap, e);
  h = (HeapEntry *) t->heap->data;
  for (i = t->heap->len - 1; i > 0;)
    {
      guint parent = (i - 1) / 2;
      if (!heap_better (t, &h[i], &h[parent]))
        break;
      HeapEntry tmp = h[i]; h[i] = h[parent]; h[parent] = tmp;
      i = parent;
    }
}

static HeapEntry
heap_pop (Trainer *t)
{
  HeapEntry *h = (HeapEntry *) t->heap->data, top = h[0];
  guint n = t->heap->len - 1, i = 0;

  h[0] = h[n];
  g_array_set_size (t->heap, n);
  for (;;)
    {
      guint l = 2 * i + 1, r = l + 1, m = i;
      if (l < n && heap_better (t, &h[l], &h[m]))
        m = l;
      if (r < n && heap_better (t, &h[r], &h[m]))
        m = r;
      if (m == i)
        break;
      HeapEntry tmp = h[i]; h[i] = h[m]; h[m] = tmp;
      i = m;
    }
  return top;
}

/* The best pair with its exact count, or FALSE when none is left. Counts only fall after a pair was
 * queued, except for pairs queued again when they grow (trainer_change), so an entry whose count is
 * still exact is the true best. */
static gboolean
trainer_best (Trainer *t, HeapEntry *best)
{
  while (t->heap->len > 0)
    {
      HeapEntry e = heap_pop (t);
      guint64 key = pair_key (e.a, e.b);
      PairInfo *info = g_hash_table_lookup (t->pairs, &key);

      if (info == NULL || info->count <= 0)
        continue;
      if (info->count != e.count)
        {
          heap_push (t, info->count, key);
          continue;
        }
      *best = e;
      return TRUE;
    }
  return FALSE;
}

/* ---- pair counts ---- */

/* Adds delta occurrences of pair key, found in word w. */
static void
trainer_change (Trainer *t, guint64 key, gint64 delta, guint32 w)
{
  PairInfo *info = g_hash_table_lookup (t->pairs, &key);

  if (info == NULL)
    {
      info = g_new0 (PairInfo, 1);
      info->key = key;
      info->pushed_step = G_MAXUINT;
      info->words = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_hash_table_insert (t->pairs, &info->key, info);
    }
  info->count += delta;
  if (delta > 0)
    {
      if (info->words->len == 0 || g_array_index (info->words, guint32, info->words->len - 1) != w)
        g_array_append_val (info->words, w);
      if (info->pushed_step != t->step)
        {
          info->pushed_step = t->step;
          g_array_append_val (t->increased, key);
        }
    }
}

/* Replaces (a, b) by m in word w, left to right, and updates the counts of the pairs around each
 * replacement: x a b y becomes x m y. x is the symbol already written (m itself when two replacements
 * touch, as in a b a b -> m m), y the next one still to read. */
static void
trainer_merge_word (Trainer *t, guint32 w, gint32 a, gint32 b, gint32 m)
{
  Word *word = &t->words[w];
  gint32 *sym = word->sym;
  gint64 f = word->freq;
  guint i, j;

  for (i = 0, j = 0; i < word->len;)
    {
      if (i + 1 < word->len && sym[i] == a && sym[i + 1] == b)
        {
          trainer_change (t, pair_key (a, b), -f, w);
          if (j > 0)
            {
              trainer_change (t, pair_key (sym[j - 1], a), -f, w);
              trainer_change (t, pair_key (sym[j - 1], m), f, w);
            }
          if (i + 2 < word->len)
            {
              trainer_change (t, pair_key (b, sym[i + 2]), -f, w);
              trainer_change (t, pair_key (m, sym[i + 2]), f, w);
            }
          sym[j++] = m;
          i += 2;
        }
      else
        sym[j++] = sym[i++];
    }
  word->len = j;
}

/* ---- counting the words ---- */

typedef struct {
  GHashTable *counts;   /* piece -> gint64* */
  GString *buf;         /* the piece being looked up, NUL-terminated */
} CountState;

static void
count_piece (const char *start, gsize len, gpointer user_data)
{
  CountState *st = user_data;
  gint64 *n;

  g_string_truncate (st->buf, 0);
  g_string_append_len (st->buf, start, len);
  n = g_hash_table_lookup (st->counts, st->buf->str);
  if (n == NULL)
    {
      n = g_new0 (gint64, 1);
      g_hash_table_insert (st->counts, g_strndup (start, len), n);
    }
  (*n)++;
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* ---- the result ---- */

static FtcBpe *
trainer_build (Trainer *t, GArray *merges, GError **error)
{
  g_autoptr (JsonObject) tokens = json_object_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GString) merges_txt = g_string_new ("#version: 0.2\n");
  g_autofree char *vocab = NULL;

  for (guint id = 0; id < t->tokens->len; id++)
    json_object_set_int_member (tokens, g_ptr_array_index (t->tokens, id), id);
  json_object_set_int_member (tokens, EOT_TOKEN, t->tokens->len);
  root = json_node_init_object (json_node_alloc (), tokens);
  vocab = ftc_json_to_compact (root);

  for (guint r = 0; r < merges->len; r++)
    {
      guint64 key = g_array_index (merges, guint64, r);
      g_string_append_printf (merges_txt, "%s %s\n", (char *) g_ptr_array_index (t->tokens, key >> 32),
                              (char *) g_ptr_array_index (t->tokens, (guint32) key));
    }
  return ftc_bpe_new_from_data (vocab, strlen (vocab), merges_txt->str, merges_txt->len, "trained BPE", error);
}

FtcBpe *
ftc_bpe_train (const char *const *texts, gsize n_texts, guint vocab_size, const FtcBpeTrainOptions *opts,
               GError **error)
{
  guint min_frequency = opts != NULL ? MAX (opts->min_frequency, 1) : FTC_BPE_TRAIN_DEFAULT_MIN_FREQUENCY;
  gunichar byte_to_char[256];
  gint32 byte_ids[256];
  g_autoptr (GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree const char **pieces = NULL;
  g_autoptr (GArray) merges = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr (GString) piece_buf = g_string_new (NULL);
  CountState count_state = { counts, piece_buf };
  Trainer t = { 0 };
  FtcBpe *bpe = NULL;
  guint n_pieces;

  if (vocab_size < FTC_BPE_TRAIN_MIN_VOCAB)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "vocabulary size %u is too small: a byte-level BPE "
                   "needs at least %d tokens (256 bytes and %s)", vocab_size, FTC_BPE_TRAIN_MIN_VOCAB,
                   EOT_TOKEN);
      return NULL;
    }
  for (gsize i = 0; i < n_texts; i++)
    {
      const char *bad = NULL;
      if (!g_utf8_validate (texts[i], -1, &bad))
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "text %" G_GSIZE_FORMAT ": invalid UTF-8 at byte %"
                       G_GSIZE_FORMAT, i, (gsize) (bad - texts[i]));
          return NULL;
        }
      ftc_bpe_pretokenize (texts[i], strlen (texts[i]), count_piece, &count_state);
    }

  byte_alphabet (byte_to_char, byte_ids);
  t.tokens = g_ptr_array_new_with_free_func (g_free);
  t.token_ids = g_hash_table_new (g_str_hash, g_str_equal);
  t.pairs = g_hash_table_new_full (pair_hash, pair_equal, NULL, pair_info_free);
  t.heap = g_array_new (FALSE, FALSE, sizeof (HeapEntry));
  t.increased = g_array_new (FALSE, FALSE, sizeof (guint64));
  {
    gunichar by_id[256];
    for (int b = 0; b < 256; b++)
      by_id[byte_ids[b]] = byte_to_char[b];
    for (int id = 0; id < 256; id++)
      {
        char buf[8];
        buf[g_unichar_to_utf8 (by_id[id], buf)] = '\0';
        trainer_add_token (&t, g_strdup (buf));
      }
  }

  /* the distinct pieces in a fixed order, so that the pairs' word lists do not depend on hashing */
  pieces = (const char **) g_hash_table_get_keys_as_array (counts, &n_pieces);
  qsort (pieces, n_pieces, sizeof (char *), cmp_str);
  t.n_words = n_pieces;
  t.words = g_new0 (Word, MAX (n_pieces, 1));
  t.step = 0;
  for (guint w = 0; w < n_pieces; w++)
    {
      Word *word = &t.words[w];
      word->len = strlen (pieces[w]);
      word->sym = g_new (gint32, word->len);
      word->freq = *(gint64 *) g_hash_table_lookup (counts, pieces[w]);
      for (guint i = 0; i < word->len; i++)
        word->sym[i] = byte_ids[(guint8) pieces[w][i]];
      for (guint i = 0; i + 1 < word->len; i++)
        trainer_change (&t, pair_key (word->sym[i], word->sym[i + 1]), word->freq, w);
    }
  for (guint i = 0; i < t.increased->len; i++)
    {
      guint64 key = g_array_index (t.increased, guint64, i);
      PairInfo *info = g_hash_table_lookup (t.pairs, &key);
      heap_push (&t, info->count, key);
    }
  g_array_set_size (t.increased, 0);

  /* one token is kept for <|endoftext|> */
  while (t.tokens->len < vocab_size - 1)
    {
      HeapEntry best;
      guint64 key;
      PairInfo *info;
      g_autoptr (GArray) list = NULL;
      g_autofree char *merged = NULL;
      gint32 m;

      if (!trainer_best (&t, &best) || best.count < (gint64) min_frequency)
        break;
      key = pair_key (best.a, best.b);
      info = g_hash_table_lookup (t.pairs, &key);
      merged = g_strconcat (g_ptr_array_index (t.tokens, best.a), g_ptr_array_index (t.tokens, best.b), NULL);
      m = GPOINTER_TO_INT (g_hash_table_lookup (t.token_ids, merged)) - 1;
      if (m < 0)
        {
          m = t.tokens->len;
          trainer_add_token (&t, g_steal_pointer (&merged));
        }
      /* A pair can come back only when a later merge rebuilt an existing token (the same string from
       * another pair). Its merge is already ranked, and encoding applies it wherever it appears, so the
       * words are merged again but merges.txt keeps one line per pair (loaders disagree on duplicates). */
      if (!info->merged)
        g_array_append_val (merges, key);
      info->merged = TRUE;

      t.step++;
      list = info->words;   /* merging never adds (a, b) back, so the list is not appended to meanwhile */
      info->words = g_array_new (FALSE, FALSE, sizeof (guint32));
      for (guint i = 0; i < list->len; i++)
        {
          guint32 w = g_array_index (list, guint32, i);
          if (t.words[w].stamp == t.step)
            continue;
          t.words[w].stamp = t.step;
          trainer_merge_word (&t, w, best.a, best.b, m);
        }
      for (guint i = 0; i < t.increased->len; i++)
        {
          guint64 k = g_array_index (t.increased, guint64, i);
          PairInfo *p = g_hash_table_lookup (t.pairs, &k);
          if (p->count > 0)
            heap_push (&t, p->count, k);
        }
      g_array_set_size (t.increased, 0);
    }

  bpe = trainer_build (&t, merges, error);

  for (guint w = 0; w < t.n_words; w++)
    g_free (t.words[w].sym);
  g_free (t.words);
  g_hash_table_unref (t.token_ids);
  g_ptr_array_unref (t.tokens);
  g_hash_table_unref (t.pairs);
  g_array_unref (t.heap);
  g_array_unref (t.increased);
  return bpe;
}
