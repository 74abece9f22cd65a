#include "core/students/ftc-bpe.h"
#include "core/ftc-json-in.h"
#include "core/ftc-json-out.h"
#include "core/ftc-read.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "core/ftc-error.h"

#define CACHE_MAX_ENTRIES 65536
#define CACHE_MAX_PIECE 128

typedef struct {
  guint32 rank;
  gint32 merged;
} FtcMerge;

struct FtcBpe {
  guint n_vocab;
  char **tokens;               /* id -> token in the byte alphabet (UTF-8) */
  GHashTable *token_ids;       /* token -> id + 1 (borrowed keys) */
  guint8 *token_bytes;         /* all tokens' decoded bytes, back to back */
  gsize *token_offsets;        /* n_vocab + 1 offsets into token_bytes */
  gint32 byte_ids[256];        /* the single-byte token of each byte */
  GHashTable *merges;          /* (a << 32 | b) -> FtcMerge* */
  gint32 *merge_pairs;         /* rank -> pair (2 ids), for saving */
  guint n_merges;
  gint32 eot_id;
  GMutex cache_lock;
  GHashTable *cache;           /* piece -> gint32 array: [n, ids...] */
};

/* ---- the byte alphabet (GPT-2's bytes_to_unicode) ---- */

static gunichar byte_to_char[256];
static gint16 char_to_byte[324];   /* code points < 324 cover the whole alphabet */

static void
byte_alphabet_init (void)
{
  static gsize done;

  if (g_once_init_enter (&done))
    {
      int n = 0;
      for (int i = 0; i < 324; i++)
        char_to_byte[i] = -1;
      for (int b = 0; b < 256; b++)
        {
          if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF))
            byte_to_char[b] = b;
          else
            byte_to_char[b] = 256 + n++;
          char_to_byte[byte_to_char[b]] = b;
        }
      g_once_init_leave (&done, 1);
    }
}

/* ---- pre-tokenisation ---- */

typedef enum { CLASS_LETTER, CLASS_NUMBER, CLASS_SPACE, CLASS_OTHER } CharClass;

static CharClass
char_class (gunichar c)
{
  if (c < 0x80)
    {
      if (g_ascii_isalpha (c))
        return CLASS_LETTER;
      if (g_ascii_isdigit (c))
        return CLASS_NUMBER;
      if (c == ' ' || (c >= 0x09 && c <= 0x0D))
        return CLASS_SPACE;
      return CLASS_OTHER;
    }
  if (c == 0x85)
    return CLASS_SPACE;
  switch (g_unichar_type (c))
    {
    case G_UNICODE_LOWERCASE_LETTER:
    case G_UNICODE_MODIFIER_LETTER:
    case G_UNICODE_OTHER_LETTER:
    case G_UNICODE_TITLECASE_LETTER:
    case G_UNICODE_UPPERCASE_LETTER:
      return CLASS_LETTER;
    case G_UNICODE_DECIMAL_NUMBER:
    case G_UNICODE_LETTER_NUMBER:
    case G_UNICODE_OTHER_NUMBER:
      return CLASS_NUMBER;
    case G_UNICODE_SPACE_SEPARATOR:
    case G_UNICODE_LINE_SEPARATOR:
    case G_UNICODE_PARAGRAPH_SEPARATOR:
      return CLASS_SPACE;
    default:
      return CLASS_OTHER;
    }
}

/* The class of the character at p (< end), and its byte length. Text is valid UTF-8 (NULs allowed). */
static inline CharClass
class_at (const char *p, const char *end, gsize *clen)
{
  guchar b = (guchar) *p;
  if (b < 0x80)
    {
      *clen = 1;
      return char_class (b);
    }
  const char *next = g_utf8_next_char (p);
  *clen = MIN (next, end) - p;
  return char_class (g_utf8_get_char (p));
}

/* End of the run of class cls starting at p. */
static const char *
run_end (const char *p, const char *end, CharClass cls)
{
  while (p < end)
    {
      gsize clen;
      if (class_at (p, end, &clen) != cls)
        break;
      p += clen;
    }
  return p;
}

void
ftc_bpe_pretokenize (const char *text, gsize len,
                     void (*piece) (const char *start, gsize len, gpointer user_data), gpointer user_data)
{
  const char *p = text, *end = text + len;

  while (p < end)
    {
      gsize clen;
      CharClass cls;
      const char *q;

      /* 's|'t|'re|'ve|'m|'ll|'d */
      if (*p == '\'' && p + 1 < end)
        {
          char c1 = p[1], c2 = p + 2 < end ? p[2] : 0;
          gsize n = 0;
          if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd')
            n = 2;
          else if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l'))
            n = 3;
          if (n > 0)
            {
              piece (p, n, user_data);
              p += n;
              continue;
            }
        }
      /*  ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+ with the leading space */
      if (*p == ' ' && p + 1 < end)
        {
          cls = class_at (p + 1, end, &clen);
          if (cls != CLASS_SPACE)
            {
              q = run_end (p + 1 + clen, end, cls);
              piece (p, q - p, user_data);
              p = q;
              continue;
            }
        }
      cls = class_at (p, end, &clen);
      if (cls != CLASS_SPACE)
        {
          q = run_end (p + clen, end, cls);
          piece (p, q - p, user_data);
          p = q;
          continue;
        }
      /* \s+(?!\S)|\s+ : a run of white space keeps its last character for the next word, unless the run
       * ends the text or is a single character */
      {
        const char *last = p;
        q = p;
        while (q < end)
          {
            if (class_at (q, end, &clen) != CLASS_SPACE)
              break;
            last = q;
            q += clen;
          }
        if (q < end && last > p)
          q = last;
        piece (p, q - p, user_data);
        p = q;
      }
    }
}

/* ---- loading ---- */

static guint64
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

typedef struct {
  guint64 key;
  FtcMerge merge;
} FtcMergeEntry;

void
ftc_bpe_free (FtcBpe *bpe)
{
  if (bpe == NULL)
    return;
  for (guint i = 0; bpe->tokens != NULL && i < bpe->n_vocab; i++)
    g_free (bpe->tokens[i]);
  g_free (bpe->tokens);
  g_clear_pointer (&bpe->token_ids, g_hash_table_unref);
  g_free (bpe->token_bytes);
  g_free (bpe->token_offsets);
  g_clear_pointer (&bpe->merges, g_hash_table_unref);
  g_free (bpe->merge_pairs);
  g_clear_pointer (&bpe->cache, g_hash_table_unref);
  g_mutex_clear (&bpe->cache_lock);
  g_free (bpe);
}

static FtcBpe *
bpe_alloc (void)
{
  FtcBpe *bpe = g_new0 (FtcBpe, 1);
  g_mutex_init (&bpe->cache_lock);
  bpe->merges = g_hash_table_new_full (pair_hash, pair_equal, g_free, NULL);
  bpe->cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  bpe->eot_id = -1;
  return bpe;
}

/* Fills tokens/token_ids from a JSON object token -> id; ids must be 0..n-1, each once. */
static gboolean
bpe_set_vocab (FtcBpe *bpe, JsonObject *vocab, const char *what, GError **error)
{
  g_autoptr (GList) members = json_object_get_members (vocab);
  guint n = g_list_length (members);
  GString *bytes;

  byte_alphabet_init ();
  if (n == 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: the vocabulary is empty", what);
      return FALSE;
    }
  bpe->n_vocab = n;
  bpe->tokens = g_new0 (char *, n);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *token = l->data;
      JsonNode *node = json_object_get_member (vocab, token);
      gint64 id;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: the id of token \"%s\" is not an integer",
                       what, token);
          return FALSE;
        }
      id = json_node_get_int (node);
      if (id < 0 || id >= n)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID,
                       "%s: token \"%s\" has id %" G_GINT64_FORMAT ", outside 0..%u (ids must be dense)",
                       what, token, id, n - 1);
          return FALSE;
        }
      if (bpe->tokens[id] != NULL)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: id %" G_GINT64_FORMAT " is given to both "
                       "\"%s\" and \"%s\"", what, id, bpe->tokens[id], token);
          return FALSE;
        }
      bpe->tokens[id] = g_strdup (token);
    }

  bpe->token_ids = g_hash_table_new (g_str_hash, g_str_equal);
  bpe->token_offsets = g_new (gsize, n + 1);
  bytes = g_string_new (NULL);
  for (guint id = 0; id < n; id++)
    {
      const char *t = bpe->tokens[id];
      g_hash_table_insert (bpe->token_ids, (gpointer) t, GINT_TO_POINTER (id + 1));
      bpe->token_offsets[id] = bytes->len;
      /* chars of the byte alphabet become their byte; any other character (an added token) stays UTF-8 */
      for (const char *p = t; *p != '\0'; p = g_utf8_next_char (p))
        {
          gunichar c = g_utf8_get_char (p);
          if (c < G_N_ELEMENTS (char_to_byte) && char_to_byte[c] >= 0)
            g_string_append_c (bytes, (char) char_to_byte[c]);
          else
            g_string_append_len (bytes, p, g_utf8_next_char (p) - p);
        }
    }
  bpe->token_offsets[n] = bytes->len;
  bpe->token_bytes = (guint8 *) g_string_free (bytes, FALSE);

  for (int b = 0; b < 256; b++)
    {
      char buf[8];
      gpointer v;
      buf[g_unichar_to_utf8 (byte_to_char[b], buf)] = '\0';
      v = g_hash_table_lookup (bpe->token_ids, buf);
      if (v == NULL)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: the vocabulary has no token for byte 0x%02x "
                       "(\"%s\")", what, b, buf);
          return FALSE;
        }
      bpe->byte_ids[b] = GPOINTER_TO_INT (v) - 1;
    }
  bpe->eot_id = ftc_bpe_token_id (bpe, "<|endoftext|>");
  return TRUE;
}

/* Adds merge (a, b) at the next rank; `where` names the file and line in errors. */
static gboolean
bpe_add_merge (FtcBpe *bpe, const char *a, const char *b, guint *alloc, const char *where, GError **error)
{
  gint32 ia = ftc_bpe_token_id (bpe, a), ib = ftc_bpe_token_id (bpe, b), im;
  g_autofree char *merged = g_strconcat (a, b, NULL);
  guint64 key;

  if (ia < 0 || ib < 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: merge \"%s %s\" references unknown token \"%s\"",
                   where, a, b, ia < 0 ? a : b);
      return FALSE;
    }
  im = ftc_bpe_token_id (bpe, merged);
  if (im < 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: merge \"%s %s\" makes \"%s\", which is not in "
                   "the vocabulary", where, a, b, merged);
      return FALSE;
    }
  key = pair_key (ia, ib);
  if (g_hash_table_contains (bpe->merges, &key))
    return TRUE;   /* a repeated pair keeps its first (best) rank */
  if (bpe->n_merges == *alloc)
    {
      *alloc = MAX (1024, *alloc * 2);
      bpe->merge_pairs = g_renew (gint32, bpe->merge_pairs, 2 * (gsize) *alloc);
    }
  {
    FtcMergeEntry *e = g_new (FtcMergeEntry, 1);
    e->key = key;
    e->merge.rank = bpe->n_merges;
    e->merge.merged = im;
    g_hash_table_insert (bpe->merges, &e->key, e);
  }
  bpe->merge_pairs[2 * bpe->n_merges] = ia;
  bpe->merge_pairs[2 * bpe->n_merges + 1] = ib;
  bpe->n_merges++;
  return TRUE;
}

static JsonNode *
parse_json (const char *data, gsize len, const char *what, GError **error)
{
  return ftc_json_parse (data, len, what, error);
}

FtcBpe *
ftc_bpe_new_from_data (const char *vocab_json, gsize vocab_len, const char *merges_txt, gsize merges_len,
                       const char *what, GError **error)
{
  g_autoptr (FtcBpe) bpe = bpe_alloc ();
  g_autoptr (JsonNode) root = parse_json (vocab_json, vocab_len, what, error);
  guint alloc = 0, line_no = 0;
  const char *p = merges_txt, *end = merges_txt + merges_len;

  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: vocab.json is not a JSON object", what);
      return NULL;
    }
  if (!bpe_set_vocab (bpe, json_node_get_object (root), what, error))
    return NULL;

  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *line_end = nl != NULL ? nl : end;
      g_autofree char *line = g_strndup (p, line_end - p);
      g_autofree char *where = NULL;
      char *space;

      line_no++;
      p = nl != NULL ? nl + 1 : end;
      g_strchomp (line);
      if (line[0] == '\0' || (line_no == 1 && g_str_has_prefix (line, "#version")))
        continue;
      where = g_strdup_printf ("%s: merges.txt:%u", what, line_no);
      if (!g_utf8_validate (line, -1, NULL))
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "%s: invalid UTF-8", where);
          return NULL;
        }
      space = strchr (line, ' ');
      if (space == NULL || space == line || space[1] == '\0' || strchr (space + 1, ' ') != NULL)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "%s: expected two tokens separated by one space",
                       where);
          return NULL;
        }
      *space = '\0';
      if (!bpe_add_merge (bpe, line, space + 1, &alloc, where, error))
        return NULL;
    }
  return g_steal_pointer (&bpe);
}

FtcBpe *
ftc_bpe_load (const char *vocab_path, const char *merges_path, GError **error)
{
  g_autofree char *vocab = NULL, *merges = NULL;
  gsize vocab_len, merges_len;
  g_autofree char *dir = g_path_get_dirname (vocab_path);

  if (!ftc_file_read (vocab_path, FTC_INPUT_TOKENIZER, &vocab, &vocab_len, error)
      || !ftc_file_read (merges_path, FTC_INPUT_TOKENIZER, &merges, &merges_len, error))
    return NULL;
  return ftc_bpe_new_from_data (vocab, vocab_len, merges, merges_len, dir, error);
}

FtcBpe *
ftc_bpe_new_from_json_model (JsonObject *model, const char *what, GError **error)
{
  g_autoptr (FtcBpe) bpe = bpe_alloc ();
  JsonArray *merges;
  guint alloc = 0;

  if (model == NULL || !json_object_has_member (model, "vocab") || !json_object_has_member (model, "merges")
      || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (model, "vocab"))
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (model, "merges")))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: expected model.vocab (object) and model.merges "
                   "(array)", what);
      return NULL;
    }
  if (json_object_has_member (model, "type") && g_strcmp0 (json_object_get_string_member_with_default (
                                                   model, "type", ""), "BPE") != 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: model.type is not BPE", what);
      return NULL;
    }
  if (!bpe_set_vocab (bpe, json_object_get_object_member (model, "vocab"), what, error))
    return NULL;
  merges = json_object_get_array_member (model, "merges");
  for (guint i = 0; i < json_array_get_length (merges); i++)
    {
      JsonNode *m = json_array_get_element (merges, i);
      g_auto (GStrv) parts = NULL;
      const char *a = NULL, *b = NULL;

      if (JSON_NODE_HOLDS_VALUE (m) && json_node_get_value_type (m) == G_TYPE_STRING)
        {
          parts = g_strsplit (json_node_get_string (m), " ", -1);
          if (g_strv_length (parts) == 2)
            a = parts[0], b = parts[1];
        }
      else if (JSON_NODE_HOLDS_ARRAY (m) && json_array_get_length (json_node_get_array (m)) == 2)
        {
          JsonArray *pair = json_node_get_array (m);
          JsonNode *na = json_array_get_element (pair, 0), *nb = json_array_get_element (pair, 1);
          if (JSON_NODE_HOLDS_VALUE (na) && json_node_get_value_type (na) == G_TYPE_STRING
              && JSON_NODE_HOLDS_VALUE (nb) && json_node_get_value_type (nb) == G_TYPE_STRING)
            a = json_node_get_string (na), b = json_node_get_string (nb);
        }
      if (a == NULL || b == NULL || *a == '\0' || *b == '\0')
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "%s: model.merges[%u]: expected \"a b\" or [\"a\", \"b\"]",
                       what, i);
          return NULL;
        }
      {
        g_autofree char *where = g_strdup_printf ("%s: model.merges[%u]", what, i);
        if (!bpe_add_merge (bpe, a, b, &alloc, where, error))
          return NULL;
      }
    }
  return g_steal_pointer (&bpe);
}

FtcBpe *
ftc_bpe_load_tokenizer_json (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  gsize len;
  g_autoptr (JsonNode) root = NULL;

  if (!ftc_file_read (path, FTC_INPUT_TOKENIZER, &data, &len, error))
    return NULL;
  root = parse_json (data, len, path, error);
  if (root == NULL)
    return NULL;
  return ftc_bpe_new_from_json_model (JSON_NODE_HOLDS_OBJECT (root) && json_object_has_member (json_node_get_object (root), "model")
                                      && JSON_NODE_HOLDS_OBJECT (json_object_get_member (json_node_get_object (root), "model"))
                                      ? json_object_get_object_member (json_node_get_object (root), "model") : NULL,
                                      path, error);
}

/* ---- encoding ---- */

typedef struct {
  guint32 rank;
  gint32 pos;       /* left symbol */
  gint32 left, right;
} HeapItem;

static inline gboolean
heap_less (const HeapItem *a, const HeapItem *b)
{
  return a->rank < b->rank || (a->rank == b->rank && a->pos < b->pos);
}

static void
heap_push (GArray *heap, HeapItem item)
{
  HeapItem *h;
  guint i;

  g_array_append_val (heap, item);
  h = (HeapItem *) heap->data;
  for (i = heap->len - 1; i > 0;)
    {
      guint parent = (i - 1) / 2;
      if (!heap_less (&h[i], &h[parent]))
        break;
      HeapItem t = h[i]; h[i] = h[parent]; h[parent] = t;
      i = parent;
    }
}

static HeapItem
heap_pop (GArray *heap)
{
  HeapItem *h = (HeapItem *) heap->data, top = h[0];
  guint n = heap->len - 1, i = 0;

  h[0] = h[n];
  g_array_set_size (heap, n);
  for (;;)
    {
      guint l = 2 * i + 1, r = l + 1, m = i;
      if (l < n && heap_less (&h[l], &h[m]))
        m = l;
      if (r < n && heap_less (&h[r], &h[m]))
        m = r;
      if (m == i)
        break;
      HeapItem t = h[i]; h[i] = h[m]; h[m] = t;
      i = m;
    }
  return top;
}

static void
push_pair (FtcBpe *bpe, GArray *heap, const gint32 *sym, gint32 pos, gint32 next)
{
  guint64 key = pair_key (sym[pos], sym[next]);
  const FtcMergeEntry *e = g_hash_table_lookup (bpe->merges, &key);
  if (e != NULL)
    {
      HeapItem item = { e->merge.rank, pos, sym[pos], sym[next] };
      heap_push (heap, item);
    }
}

/* Merges the bytes of one piece by rank, lowest first and leftmost first among equals (the order of
 * Hugging Face tokenizers); appends the ids to out. */
static void
bpe_piece (FtcBpe *bpe, const guint8 *bytes, gsize n, GArray *out)
{
  g_autofree gint32 *sym = g_new (gint32, n);
  g_autofree gint32 *next = g_new (gint32, n);
  g_autofree gint32 *prev = g_new (gint32, n);
  g_autoptr (GArray) heap = g_array_sized_new (FALSE, FALSE, sizeof (HeapItem), n);

  for (gsize i = 0; i < n; i++)
    {
      sym[i] = bpe->byte_ids[bytes[i]];
      next[i] = i + 1 < n ? (gint32) i + 1 : -1;
      prev[i] = (gint32) i - 1;
    }
  for (gsize i = 0; i + 1 < n; i++)
    push_pair (bpe, heap, sym, i, i + 1);
  while (heap->len > 0)
    {
      HeapItem it = heap_pop (heap);
      gint32 r = next[it.pos];
      guint64 key;
      const FtcMergeEntry *e;

      /* stale: the left symbol was merged away or either side changed since the push */
      if (sym[it.pos] != it.left || r < 0 || sym[r] != it.right)
        continue;
      key = pair_key (it.left, it.right);
      e = g_hash_table_lookup (bpe->merges, &key);
      sym[it.pos] = e->merge.merged;
      sym[r] = -1;
      next[it.pos] = next[r];
      if (next[r] >= 0)
        prev[next[r]] = it.pos;
      if (prev[it.pos] >= 0)
        push_pair (bpe, heap, sym, prev[it.pos], it.pos);
      if (next[it.pos] >= 0)
        push_pair (bpe, heap, sym, it.pos, next[it.pos]);
    }
  for (gint32 i = 0; i >= 0; i = next[i])
    g_array_append_val (out, sym[i]);
}

typedef struct {
  FtcBpe *bpe;
  GArray *ids;
} EncodeState;

static void
encode_piece (const char *start, gsize len, gpointer user_data)
{
  EncodeState *st = user_data;
  FtcBpe *bpe = st->bpe;
  char key[CACHE_MAX_PIECE + 1];
  gboolean cacheable = len <= CACHE_MAX_PIECE && memchr (start, '\0', len) == NULL;
  guint first = st->ids->len;

  if (len == 1)
    {
      g_array_append_val (st->ids, bpe->byte_ids[(guint8) start[0]]);
      return;
    }
  if (cacheable)
    {
      const gint32 *hit;
      memcpy (key, start, len);
      key[len] = '\0';
      g_mutex_lock (&bpe->cache_lock);
      hit = g_hash_table_lookup (bpe->cache, key);
      if (hit != NULL)
        g_array_append_vals (st->ids, hit + 1, hit[0]);
      g_mutex_unlock (&bpe->cache_lock);
      if (hit != NULL)
        return;
    }
  bpe_piece (bpe, (const guint8 *) start, len, st->ids);
  if (cacheable)
    {
      guint n = st->ids->len - first;
      gint32 *value = g_new (gint32, n + 1);
      value[0] = n;
      memcpy (value + 1, &g_array_index (st->ids, gint32, first), n * sizeof (gint32));
      g_mutex_lock (&bpe->cache_lock);
      if (g_hash_table_size (bpe->cache) >= CACHE_MAX_ENTRIES)
        g_hash_table_remove_all (bpe->cache);
      g_hash_table_replace (bpe->cache, g_strdup (key), value);
      g_mutex_unlock (&bpe->cache_lock);
    }
}

/* Valid UTF-8, where (unlike g_utf8_validate) a NUL is a character like any other. */
static gboolean
validate_utf8 (const char *text, gsize len, gsize *bad_offset)
{
  const char *p = text, *end = text + len;

  if (g_utf8_validate_len (text, len, NULL))
    return TRUE;
  while (p < end)
    {
      gunichar c = *p == '\0' ? 0 : g_utf8_get_char_validated (p, end - p);
      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          *bad_offset = p - text;
          return FALSE;
        }
      p = c == 0 ? p + 1 : g_utf8_next_char (p);
    }
  return TRUE;
}

gboolean
ftc_bpe_encode (FtcBpe *bpe, const char *text, gssize len, GArray *ids, GError **error)
{
  gsize n = len < 0 ? strlen (text) : (gsize) len, bad = 0;
  EncodeState st = { bpe, ids };

  g_return_val_if_fail (g_array_get_element_size (ids) == sizeof (gint32), FALSE);
  if (!validate_utf8 (text, n, &bad))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "invalid UTF-8 at byte %" G_GSIZE_FORMAT " of the text",
                   bad);
      return FALSE;
    }
  ftc_bpe_pretokenize (text, n, encode_piece, &st);
  return TRUE;
}

/* ---- decoding and the rest ---- */

char *
ftc_bpe_decode (FtcBpe *bpe, const gint32 *ids, gsize n_ids, gsize *len_out, GError **error)
{
  GString *out = g_string_sized_new (n_ids * 4 + 1);

  for (gsize i = 0; i < n_ids; i++)
    {
      gint32 id = ids[i];
      if (id < 0 || (guint) id >= bpe->n_vocab)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "token id %d at position %" G_GSIZE_FORMAT
                       " is outside the vocabulary (0..%u)", id, i, bpe->n_vocab - 1);
          g_string_free (out, TRUE);
          return NULL;
        }
      g_string_append_len (out, (const char *) bpe->token_bytes + bpe->token_offsets[id],
                           bpe->token_offsets[id + 1] - bpe->token_offsets[id]);
    }
  if (len_out != NULL)
    *len_out = out->len;
  return g_string_free (out, FALSE);
}

guint
ftc_bpe_vocab_size (FtcBpe *bpe)
{
  return bpe->n_vocab;
}

gint32
ftc_bpe_token_id (FtcBpe *bpe, const char *token)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (bpe->token_ids, token)) - 1;
}

gint32
ftc_bpe_eot_id (FtcBpe *bpe)
{
  return bpe->eot_id;
}

gboolean
ftc_bpe_save (FtcBpe *bpe, const char *dir, GError **error)
{
  g_autoptr (JsonObject) tokens = json_object_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *vocab = NULL;
  g_autofree char *vocab_path = g_build_filename (dir, "vocab.json", NULL);
  g_autofree char *merges_path = g_build_filename (dir, "merges.txt", NULL);
  g_autoptr (GString) merges = g_string_new ("#version: 0.2\n");

  for (guint id = 0; id < bpe->n_vocab; id++)
    json_object_set_int_member (tokens, bpe->tokens[id], id);
  root = json_node_init_object (json_node_alloc (), tokens);
  /* on one line, as Hugging Face writes it */
  vocab = ftc_json_to_compact (root);
  for (guint r = 0; r < bpe->n_merges; r++)
    g_string_append_printf (merges, "%s %s\n", bpe->tokens[bpe->merge_pairs[2 * r]],
                            bpe->tokens[bpe->merge_pairs[2 * r + 1]]);
  return ftc_file_write_atomic (vocab_path, vocab, strlen (vocab), error)
         && ftc_file_write_atomic (merges_path, merges->str, merges->len, error);
}

void
ftc_bpe_encode_piece (FtcBpe *bpe, const char *piece, gsize len, gboolean ignore_merges, GArray *ids)
{
  EncodeState st = { bpe, ids };

  if (len == 0)
    return;
  if (ignore_merges)
    {
      /* the whole piece, in the byte alphabet, when the vocabulary has it (Llama 3) */
      GString *s = g_string_sized_new (len * 2);
      gpointer id;
      for (gsize i = 0; i < len; i++)
        g_string_append_unichar (s, byte_to_char[(guint8) piece[i]]);
      if (g_hash_table_lookup_extended (bpe->token_ids, s->str, NULL, &id))
        {
          gint32 v = GPOINTER_TO_INT (id) - 1;   /* the table stores id + 1 */
          g_array_append_val (ids, v);
          g_string_free (s, TRUE);
          return;
        }
      g_string_free (s, TRUE);
    }
  encode_piece (piece, len, &st);
}

const char *
ftc_bpe_token (FtcBpe *bpe, gint32 id)
{
  return id >= 0 && (guint) id < bpe->n_vocab ? bpe->tokens[id] : NULL;
}

guint
ftc_bpe_n_merges (FtcBpe *bpe)
{
  return bpe->n_merges;
}

void
ftc_bpe_merge (FtcBpe *bpe, guint rank, const char **a, const char **b)
{
  *a = bpe->tokens[bpe->merge_pairs[2 * rank]];
  *b = bpe->tokens[bpe->merge_pairs[2 * rank + 1]];
}
