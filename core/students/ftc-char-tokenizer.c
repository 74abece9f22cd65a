#include "core/students/ftc-char-tokenizer.h"
#include "core/ftc-json-in.h"
#include "core/ftc-json-out.h"

#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "core/ftc-error.h"

struct FtcCharTokenizer {
  GPtrArray *tokens;          /* id -> token text */
  GHashTable *char_ids;       /* gunichar -> id (characters only, not the special tokens) */
};

void
ftc_char_tokenizer_free (FtcCharTokenizer *tok)
{
  if (tok == NULL)
    return;
  g_ptr_array_unref (tok->tokens);
  g_hash_table_unref (tok->char_ids);
  g_free (tok);
}

static FtcCharTokenizer *
char_tokenizer_alloc (void)
{
  FtcCharTokenizer *tok = g_new0 (FtcCharTokenizer, 1);
  tok->tokens = g_ptr_array_new_with_free_func (g_free);
  tok->char_ids = g_hash_table_new (NULL, NULL);
  g_ptr_array_add (tok->tokens, g_strdup (FTC_CHAR_EOT_TOKEN));
  g_ptr_array_add (tok->tokens, g_strdup (FTC_CHAR_UNK_TOKEN));
  return tok;
}

static int
compare_unichar (gconstpointer a, gconstpointer b)
{
  gunichar x = *(const gunichar *) a, y = *(const gunichar *) b;
  return x < y ? -1 : x > y;
}

static void
add_char (FtcCharTokenizer *tok, gunichar c)
{
  char buf[8];
  buf[g_unichar_to_utf8 (c, buf)] = '\0';
  g_hash_table_insert (tok->char_ids, GUINT_TO_POINTER (c), GUINT_TO_POINTER (tok->tokens->len));
  g_ptr_array_add (tok->tokens, g_strdup (buf));
}

FtcCharTokenizer *
ftc_char_tokenizer_build (const char *const *texts, gsize n_texts, GError **error)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (NULL, NULL);
  g_autoptr (GArray) chars = g_array_new (FALSE, FALSE, sizeof (gunichar));
  FtcCharTokenizer *tok;

  for (gsize i = 0; i < n_texts; i++)
    {
      const char *end;
      if (!g_utf8_validate (texts[i], -1, &end))
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "training text %" G_GSIZE_FORMAT ": invalid UTF-8 at "
                       "byte %" G_GSIZE_FORMAT, i, (gsize) (end - texts[i]));
          return NULL;
        }
      for (const char *p = texts[i]; *p != '\0'; p = g_utf8_next_char (p))
        {
          gunichar c = g_utf8_get_char (p);
          if (g_hash_table_add (seen, GUINT_TO_POINTER (c + 1)))
            g_array_append_val (chars, c);
        }
    }
  g_array_sort (chars, compare_unichar);
  tok = char_tokenizer_alloc ();
  for (guint i = 0; i < chars->len; i++)
    add_char (tok, g_array_index (chars, gunichar, i));
  return tok;
}

FtcCharTokenizer *
ftc_char_tokenizer_load (const char *vocab_path, GError **error)
{
  g_autoptr (FtcCharTokenizer) tok = NULL;
  g_autoptr (GList) members = NULL;
  g_autofree char **by_id = NULL;
  g_autoptr (JsonNode) root = ftc_json_read_file (vocab_path, FTC_INPUT_TOKENIZER, error);
  JsonObject *vocab;
  guint n;

  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: not a JSON object", vocab_path);
      return NULL;
    }
  vocab = json_node_get_object (root);
  members = json_object_get_members (vocab);
  n = g_list_length (members);
  by_id = g_new0 (char *, n + 1);
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (vocab, l->data);
      gint64 id = JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64
                  ? json_node_get_int (node) : -1;
      if (id < 0 || id >= n || by_id[id] != NULL)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: token \"%s\": the id is not a unique integer in "
                       "0..%u", vocab_path, (const char *) l->data, n - 1);
          return NULL;
        }
      by_id[id] = l->data;
    }
  if (n < 2 || g_strcmp0 (by_id[FTC_CHAR_EOT_ID], FTC_CHAR_EOT_TOKEN) != 0
      || g_strcmp0 (by_id[FTC_CHAR_UNK_ID], FTC_CHAR_UNK_TOKEN) != 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: ids 0 and 1 must be %s and %s", vocab_path,
                   FTC_CHAR_EOT_TOKEN, FTC_CHAR_UNK_TOKEN);
      return NULL;
    }
  tok = char_tokenizer_alloc ();
  for (guint id = 2; id < n; id++)
    {
      const char *t = by_id[id];
      if (*t == '\0' || *g_utf8_next_char (t) != '\0')
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: token \"%s\" (id %u) is not one character",
                       vocab_path, t, id);
          return NULL;
        }
      if (g_hash_table_contains (tok->char_ids, GUINT_TO_POINTER (g_utf8_get_char (t))))
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: token \"%s\" appears twice", vocab_path, t);
          return NULL;
        }
      add_char (tok, g_utf8_get_char (t));
    }
  return g_steal_pointer (&tok);
}

gboolean
ftc_char_tokenizer_save (FtcCharTokenizer *tok, const char *dir, GError **error)
{
  g_autoptr (JsonObject) vocab = json_object_new ();
  g_autoptr (JsonObject) config = json_object_new ();
  g_autoptr (JsonNode) vocab_node = NULL, config_node = NULL;
  g_autofree char *vocab_text = NULL, *config_text = NULL;
  g_autofree char *vocab_path = g_build_filename (dir, "vocab.json", NULL);
  g_autofree char *config_path = g_build_filename (dir, "tokenizer_config.json", NULL);

  for (guint id = 0; id < tok->tokens->len; id++)
    json_object_set_int_member (vocab, g_ptr_array_index (tok->tokens, id), id);
  json_object_set_string_member (config, "ftcot_tokenizer", "char");
  json_object_set_string_member (config, "eos_token", FTC_CHAR_EOT_TOKEN);
  json_object_set_string_member (config, "unk_token", FTC_CHAR_UNK_TOKEN);
  json_object_set_int_member (config, "vocab_size", tok->tokens->len);
  vocab_node = json_node_init_object (json_node_alloc (), vocab);
  config_node = json_node_init_object (json_node_alloc (), config);
  /* vocab.json on one line, as Hugging Face writes it */
  vocab_text = ftc_json_to_compact (vocab_node);
  config_text = ftc_json_to_pretty_string (config_node);
  return ftc_file_write_atomic (vocab_path, vocab_text, strlen (vocab_text), error)
         && ftc_file_write_atomic (config_path, config_text, strlen (config_text), error);
}

gboolean
ftc_char_tokenizer_encode (FtcCharTokenizer *tok, const char *text, gssize len, GArray *ids, GError **error)
{
  gsize n = len < 0 ? strlen (text) : (gsize) len;
  const char *p = text, *end = text + n;

  while (p < end)
    {
      gunichar c = *p == '\0' ? 0 : g_utf8_get_char_validated (p, end - p);
      gpointer v;
      gint32 id;

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "invalid UTF-8 at byte %" G_GSIZE_FORMAT " of the text",
                       (gsize) (p - text));
          return FALSE;
        }
      v = g_hash_table_lookup (tok->char_ids, GUINT_TO_POINTER (c));
      id = v != NULL ? GPOINTER_TO_INT (v) : FTC_CHAR_UNK_ID;
      g_array_append_val (ids, id);
      p = c == 0 ? p + 1 : g_utf8_next_char (p);
    }
  return TRUE;
}

char *
ftc_char_tokenizer_decode (FtcCharTokenizer *tok, const gint32 *ids, gsize n_ids, gsize *len_out,
                           GError **error)
{
  GString *out = g_string_sized_new (n_ids + 1);

  for (gsize i = 0; i < n_ids; i++)
    {
      if (ids[i] < 0 || (guint) ids[i] >= tok->tokens->len)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "token id %d at position %" G_GSIZE_FORMAT
                       " is outside the vocabulary (0..%u)", ids[i], i, tok->tokens->len - 1);
          g_string_free (out, TRUE);
          return NULL;
        }
      /* a NUL character is one byte of the text, not the end of the token */
      const char *t = g_ptr_array_index (tok->tokens, ids[i]);
      g_string_append_len (out, t, *t == '\0' ? 1 : (gssize) strlen (t));
    }
  if (len_out != NULL)
    *len_out = out->len;
  return g_string_free (out, FALSE);
}

guint
ftc_char_tokenizer_vocab_size (FtcCharTokenizer *tok)
{
  return tok->tokens->len;
}
