#include "core/students/ftc-hf-tokenizer.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "core/ftc-error.h"
#include "core/ftc-json-in.h"
#include "core/ftc-read.h"
#include "core/ftc-json-out.h"
#include "core/students/ftc-bpe.h"

#define MAX_ADDED 65536
#define MAX_TEMPLATE 16

typedef struct {
  char *content;
  gsize len;
  gint32 id;
  gboolean special;
} Added;

struct FtcHfTokenizer {
  char *path;
  char *json_text;                 /* tokenizer.json as read, for saving */
  gsize json_len;
  char *config_text;               /* tokenizer_config.json as read, or NULL */
  gsize config_len;
  FtcBpe *bpe;
  gboolean nfc;
  GPtrArray *splits;               /* GRegex*, applied in order, each isolating its matches */
  GPtrArray *split_sources;        /* their patterns */
  gboolean gpt2_regex;             /* ByteLevel use_regex: GPT-2's pattern last */
  gboolean ignore_merges;
  GArray *added;                   /* Added, longest first */
  GHashTable *added_by_id;         /* id -> Added* */
  gint32 prefix[MAX_TEMPLATE], suffix[MAX_TEMPLATE];
  int n_prefix, n_suffix;
  guint vocab_size;
  gint32 eos_id;
};

void
ftc_hf_tokenizer_free (FtcHfTokenizer *tok)
{
  if (tok == NULL)
    return;
  g_free (tok->path);
  g_free (tok->json_text);
  g_free (tok->config_text);
  ftc_bpe_free (tok->bpe);
  if (tok->splits != NULL)
    g_ptr_array_unref (tok->splits);
  if (tok->split_sources != NULL)
    g_ptr_array_unref (tok->split_sources);
  if (tok->added != NULL)
    {
      for (guint i = 0; i < tok->added->len; i++)
        g_free (g_array_index (tok->added, Added, i).content);
      g_array_unref (tok->added);
    }
  g_clear_pointer (&tok->added_by_id, g_hash_table_unref);
  g_free (tok);
}

/* ---- reading ---- */

/* path's text through the one bounded reader (core/ftc-read.h): a regular file of at most kind's size */
static char *
read_bounded (const char *path, FtcInputKind kind, gsize *len, GError **error)
{
  char *text = NULL;

  if (!ftc_file_read (path, kind, &text, len, error))
    return NULL;
  return text;
}

/* text as a JSON object, through the one JSON entry point (core/ftc-json-in.h) */
static JsonNode *
parse (const char *path, const char *text, gsize len, GError **error)
{
  g_autoptr (JsonNode) root = ftc_json_parse (text, len, path, error);

  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: not a JSON object", path);
      return NULL;
    }
  return g_steal_pointer (&root);
}

static const char *
type_of (JsonNode *n)
{
  if (n == NULL || !JSON_NODE_HOLDS_OBJECT (n))
    return NULL;
  return json_object_get_string_member_with_default (json_node_get_object (n), "type", "");
}

static gboolean
unsupported (const char *path, const char *field, const char *what, GError **error)
{
  g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: %s \"%s\" is not supported (byte-level BPE tokenizers only)",
               path, field, what);
  return FALSE;
}

static gboolean
read_normalizer (FtcHfTokenizer *tok, JsonNode *n, const char *field, GError **error)
{
  const char *type;

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  type = type_of (n);
  if (g_strcmp0 (type, "NFC") == 0)
    {
      tok->nfc = TRUE;
      return TRUE;
    }
  if (g_strcmp0 (type, "Sequence") == 0)
    {
      JsonNode *list = json_object_get_member (json_node_get_object (n), "normalizers");
      if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
        return unsupported (tok->path, field, "Sequence without normalizers", error);
      for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
        if (!read_normalizer (tok, json_array_get_element (json_node_get_array (list), i), field, error))
          return FALSE;
      return TRUE;
    }
  return unsupported (tok->path, "normalizer.type", type != NULL ? type : "(not an object)", error);
}

static gboolean
read_byte_level (FtcHfTokenizer *tok, JsonObject *o, gboolean last, GError **error)
{
  if (json_object_get_boolean_member_with_default (o, "add_prefix_space", FALSE))
    return unsupported (tok->path, "pre_tokenizer ByteLevel.add_prefix_space", "true", error);
  if (!last)
    return unsupported (tok->path, "pre_tokenizer", "ByteLevel before another pre-tokenizer", error);
  tok->gpt2_regex = json_object_get_boolean_member_with_default (o, "use_regex", TRUE);
  return TRUE;
}

static gboolean
read_split (FtcHfTokenizer *tok, JsonObject *o, GError **error)
{
  JsonNode *pat = json_object_get_member (o, "pattern");
  const char *behavior = json_object_get_string_member_with_default (o, "behavior", "");
  g_autofree char *regex = NULL;
  g_autoptr (GError) local = NULL;
  GRegex *re;

  if (strcmp (behavior, "Isolated") != 0)
    return unsupported (tok->path, "pre_tokenizer Split.behavior", behavior, error);
  if (json_object_get_boolean_member_with_default (o, "invert", FALSE))
    return unsupported (tok->path, "pre_tokenizer Split.invert", "true", error);
  if (pat != NULL && JSON_NODE_HOLDS_OBJECT (pat)
      && json_object_has_member (json_node_get_object (pat), "Regex"))
    regex = g_strdup (json_object_get_string_member_with_default (json_node_get_object (pat), "Regex", ""));
  else if (pat != NULL && JSON_NODE_HOLDS_OBJECT (pat)
           && json_object_has_member (json_node_get_object (pat), "String"))
    regex = g_regex_escape_string (json_object_get_string_member_with_default (json_node_get_object (pat), "String",
                                                                               ""), -1);
  if (regex == NULL || regex[0] == '\0')
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: pre_tokenizer Split.pattern needs a Regex or a String",
                   tok->path);
      return FALSE;
    }
  re = g_regex_new (regex, G_REGEX_OPTIMIZE, 0, &local);
  if (re == NULL)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: pre_tokenizer Split.pattern: %s", tok->path,
                   local->message);
      return FALSE;
    }
  g_ptr_array_add (tok->splits, re);
  g_ptr_array_add (tok->split_sources, g_strdup (regex));
  return TRUE;
}

static gboolean
read_pre_tokenizer (FtcHfTokenizer *tok, JsonNode *n, GError **error)
{
  const char *type = type_of (n);

  if (g_strcmp0 (type, "ByteLevel") == 0)
    return read_byte_level (tok, json_node_get_object (n), TRUE, error);
  if (g_strcmp0 (type, "Sequence") == 0)
    {
      JsonNode *list = json_object_get_member (json_node_get_object (n), "pretokenizers");
      JsonArray *a;
      gboolean byte_level = FALSE;
      if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
        return unsupported (tok->path, "pre_tokenizer", "Sequence without pretokenizers", error);
      a = json_node_get_array (list);
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonNode *e = json_array_get_element (a, i);
          const char *t = type_of (e);
          if (g_strcmp0 (t, "Split") == 0 && !byte_level)
            {
              if (!read_split (tok, json_node_get_object (e), error))
                return FALSE;
            }
          else if (g_strcmp0 (t, "ByteLevel") == 0)
            {
              if (!read_byte_level (tok, json_node_get_object (e), i + 1 == json_array_get_length (a), error))
                return FALSE;
              byte_level = TRUE;
            }
          else
            return unsupported (tok->path, "pre_tokenizer.pretokenizers[].type", t != NULL ? t : "(none)", error);
        }
      if (!byte_level)
        return unsupported (tok->path, "pre_tokenizer", "Sequence without ByteLevel", error);
      return TRUE;
    }
  return unsupported (tok->path, "pre_tokenizer.type", type != NULL ? type : "null", error);
}

static gint32
find_id (FtcHfTokenizer *tok, const char *content)
{
  for (guint i = 0; i < tok->added->len; i++)
    if (strcmp (g_array_index (tok->added, Added, i).content, content) == 0)
      return g_array_index (tok->added, Added, i).id;
  return ftc_bpe_token_id (tok->bpe, content);
}

/* TemplateProcessing's single template: the special tokens before and after $A. */
static gboolean
read_template (FtcHfTokenizer *tok, JsonObject *o, GError **error)
{
  JsonNode *single = json_object_get_member (o, "single");
  JsonNode *specials = json_object_get_member (o, "special_tokens");
  gboolean seen_a = FALSE;

  if (single == NULL || !JSON_NODE_HOLDS_ARRAY (single))
    return unsupported (tok->path, "post_processor TemplateProcessing.single", "(not a list)", error);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (single)); i++)
    {
      JsonNode *item = json_array_get_element (json_node_get_array (single), i);
      JsonObject *io = JSON_NODE_HOLDS_OBJECT (item) ? json_node_get_object (item) : NULL;
      if (io != NULL && json_object_has_member (io, "Sequence"))
        {
          seen_a = TRUE;
          continue;
        }
      if (io == NULL || !json_object_has_member (io, "SpecialToken")
          || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (io, "SpecialToken")))
        return unsupported (tok->path, "post_processor TemplateProcessing.single[]", "(not a token)", error);
      {
        const char *name = json_object_get_string_member_with_default (
          json_object_get_object_member (io, "SpecialToken"), "id", "");
        JsonNode *ids = NULL;
        if (specials != NULL && JSON_NODE_HOLDS_OBJECT (specials)
            && json_object_has_member (json_node_get_object (specials), name)
            && JSON_NODE_HOLDS_OBJECT (json_object_get_member (json_node_get_object (specials), name)))
          ids = json_object_get_member (json_object_get_object_member (json_node_get_object (specials), name), "ids");
        if (ids == NULL || !JSON_NODE_HOLDS_ARRAY (ids))
          {
            g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: post_processor special token \"%s\" has no ids",
                         tok->path, name);
            return FALSE;
          }
        for (guint j = 0; j < json_array_get_length (json_node_get_array (ids)); j++)
          {
            JsonNode *e = json_array_get_element (json_node_get_array (ids), j);
            gint32 *dst = seen_a ? tok->suffix : tok->prefix;
            int *n = seen_a ? &tok->n_suffix : &tok->n_prefix;
            if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_INT64 || *n >= MAX_TEMPLATE
                || json_node_get_int (e) < 0 || json_node_get_int (e) >= (1 << 24))
              {
                g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: post_processor special token \"%s\": bad ids",
                             tok->path, name);
                return FALSE;
              }
            dst[(*n)++] = (gint32) json_node_get_int (e);
          }
      }
    }
  return TRUE;
}

static gboolean
read_post_processor (FtcHfTokenizer *tok, JsonNode *n, GError **error)
{
  const char *type;

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  type = type_of (n);
  if (g_strcmp0 (type, "ByteLevel") == 0)
    return TRUE;
  if (g_strcmp0 (type, "TemplateProcessing") == 0)
    return read_template (tok, json_node_get_object (n), error);
  if (g_strcmp0 (type, "Sequence") == 0)
    {
      JsonNode *list = json_object_get_member (json_node_get_object (n), "processors");
      if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
        return unsupported (tok->path, "post_processor", "Sequence without processors", error);
      for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
        if (!read_post_processor (tok, json_array_get_element (json_node_get_array (list), i), error))
          return FALSE;
      return TRUE;
    }
  return unsupported (tok->path, "post_processor.type", type != NULL ? type : "(not an object)", error);
}

static gboolean
read_decoder (FtcHfTokenizer *tok, JsonNode *n, GError **error)
{
  const char *type;

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  type = type_of (n);
  if (g_strcmp0 (type, "ByteLevel") == 0)
    return TRUE;
  if (g_strcmp0 (type, "Sequence") == 0)
    {
      JsonNode *list = json_object_get_member (json_node_get_object (n), "decoders");
      if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
        return unsupported (tok->path, "decoder", "Sequence without decoders", error);
      for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
        if (!read_decoder (tok, json_array_get_element (json_node_get_array (list), i), error))
          return FALSE;
      return TRUE;
    }
  return unsupported (tok->path, "decoder.type", type != NULL ? type : "(not an object)", error);
}

static int
compare_added (gconstpointer a, gconstpointer b)
{
  const Added *x = a, *y = b;
  return x->len != y->len ? (x->len > y->len ? -1 : 1) : (x->id - y->id);
}

static gboolean
read_added (FtcHfTokenizer *tok, JsonNode *n, GError **error)
{
  JsonArray *a;

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (n) || json_array_get_length (json_node_get_array (n)) > MAX_ADDED)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: added_tokens is not a list of at most %d", tok->path,
                   MAX_ADDED);
      return FALSE;
    }
  a = json_node_get_array (n);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *e = json_array_get_element (a, i);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (e) ? json_node_get_object (e) : NULL;
      JsonNode *id = o != NULL ? json_object_get_member (o, "id") : NULL;
      JsonNode *content = o != NULL ? json_object_get_member (o, "content") : NULL;
      Added ad;
      if (id == NULL || !JSON_NODE_HOLDS_VALUE (id) || json_node_get_value_type (id) != G_TYPE_INT64
          || json_node_get_int (id) < 0 || json_node_get_int (id) >= (1 << 24)
          || content == NULL || !JSON_NODE_HOLDS_VALUE (content) || json_node_get_value_type (content) != G_TYPE_STRING
          || json_node_get_string (content)[0] == '\0' || !g_utf8_validate (json_node_get_string (content), -1, NULL))
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: added_tokens[%u] needs an id and a non-empty content",
                       tok->path, i);
          return FALSE;
        }
      for (const char *const *f = (const char *const[]) { "lstrip", "rstrip", "single_word", NULL }; *f; f++)
        if (json_object_get_boolean_member_with_default (o, *f, FALSE))
          {
            g_autofree char *field = g_strdup_printf ("added_tokens[%u].%s", i, *f);
            return unsupported (tok->path, field, "true", error);
          }
      ad.content = g_strdup (json_node_get_string (content));
      ad.len = strlen (ad.content);
      ad.id = (gint32) json_node_get_int (id);
      ad.special = json_object_get_boolean_member_with_default (o, "special", FALSE);
      g_array_append_val (tok->added, ad);
    }
  g_array_sort (tok->added, compare_added);
  for (guint i = 0; i < tok->added->len; i++)
    {
      Added *ad = &g_array_index (tok->added, Added, i);
      g_hash_table_insert (tok->added_by_id, GINT_TO_POINTER (ad->id), ad);
      tok->vocab_size = MAX (tok->vocab_size, (guint) ad->id + 1);
    }
  return TRUE;
}

FtcHfTokenizer *
ftc_hf_tokenizer_load (const char *path, GError **error)
{
  g_autoptr (FtcHfTokenizer) tok = g_new0 (FtcHfTokenizer, 1);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *config_path = g_build_filename (dir, "tokenizer_config.json", NULL);
  g_autoptr (JsonNode) root = NULL;
  JsonObject *o, *model;
  JsonNode *mn;
  const char *type;
  g_autofree char *eos = NULL;

  tok->path = g_strdup (path);
  tok->splits = g_ptr_array_new_with_free_func ((GDestroyNotify) g_regex_unref);
  tok->split_sources = g_ptr_array_new_with_free_func (g_free);
  tok->added = g_array_new (FALSE, FALSE, sizeof (Added));
  tok->added_by_id = g_hash_table_new (g_direct_hash, g_direct_equal);
  tok->eos_id = -1;
  if ((tok->json_text = read_bounded (path, FTC_INPUT_TOKENIZER, &tok->json_len, error)) == NULL
      || (root = parse (path, tok->json_text, tok->json_len, error)) == NULL)
    return NULL;
  o = json_node_get_object (root);
  mn = json_object_get_member (o, "model");
  type = type_of (mn);
  if (type == NULL)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: field model is missing or not an object", path);
      return NULL;
    }
  model = json_node_get_object (mn);
  /* BPE files from older tokenizers omit model.type */
  if (type[0] != '\0' && strcmp (type, "BPE") != 0)
    return unsupported (path, "model.type", type, error), NULL;
  if (json_object_get_boolean_member_with_default (model, "byte_fallback", FALSE))
    return unsupported (path, "model.byte_fallback", "true", error), NULL;
  if (json_object_has_member (model, "dropout") && !JSON_NODE_HOLDS_NULL (json_object_get_member (model, "dropout")))
    return unsupported (path, "model.dropout", "(set)", error), NULL;
  for (const char *const *f = (const char *const[]) { "continuing_subword_prefix", "end_of_word_suffix", NULL }; *f; f++)
    if (json_object_has_member (model, *f) && !JSON_NODE_HOLDS_NULL (json_object_get_member (model, *f))
        && g_strcmp0 (json_object_get_string_member_with_default (model, *f, "x"), "") != 0)
      return unsupported (path, *f, json_object_get_string_member_with_default (model, *f, "?"), error), NULL;
  tok->ignore_merges = json_object_get_boolean_member_with_default (model, "ignore_merges", FALSE);
  /* what the text goes through first, so that an unsupported kind is named before the vocabulary is read */
  if (!read_normalizer (tok, json_object_get_member (o, "normalizer"), "normalizer", error)
      || !read_pre_tokenizer (tok, json_object_get_member (o, "pre_tokenizer"), error)
      || !read_decoder (tok, json_object_get_member (o, "decoder"), error)
      || !read_added (tok, json_object_get_member (o, "added_tokens"), error))
    return NULL;
  if ((tok->bpe = ftc_bpe_new_from_json_model (model, path, error)) == NULL)
    return NULL;
  tok->vocab_size = MAX (tok->vocab_size, ftc_bpe_vocab_size (tok->bpe));
  if (!read_post_processor (tok, json_object_get_member (o, "post_processor"), error))
    return NULL;
  if (g_file_test (config_path, G_FILE_TEST_EXISTS))
    {
      g_autoptr (JsonNode) cfg = NULL;
      JsonNode *e;
      if ((tok->config_text = read_bounded (config_path, FTC_INPUT_CONFIG, &tok->config_len, error)) == NULL)
        return NULL;
      /* "model_max_length": 1000000000000000019884624838656 and the like are read as doubles */
      if ((cfg = ftc_json_parse_wide (tok->config_text, tok->config_len, config_path, error)) == NULL)
        return NULL;
      if (!JSON_NODE_HOLDS_OBJECT (cfg))
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: not a JSON object", config_path);
          return NULL;
        }
      e = json_object_get_member (json_node_get_object (cfg), "eos_token");
      if (e != NULL && JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING)
        eos = g_strdup (json_node_get_string (e));
      else if (e != NULL && JSON_NODE_HOLDS_OBJECT (e))
        eos = g_strdup (json_object_get_string_member_with_default (json_node_get_object (e), "content", ""));
    }
  if (eos != NULL && eos[0] != '\0')
    tok->eos_id = find_id (tok, eos);
  if (tok->eos_id < 0)
    tok->eos_id = find_id (tok, "<|endoftext|>");
  if (tok->eos_id < 0)
    tok->eos_id = find_id (tok, "<|end_of_text|>");
  return g_steal_pointer (&tok);
}

gboolean
ftc_hf_tokenizer_save (FtcHfTokenizer *tok, const char *dir, GError **error)
{
  g_autofree char *json_path = g_build_filename (dir, "tokenizer.json", NULL);
  g_autofree char *config_path = g_build_filename (dir, "tokenizer_config.json", NULL);

  if (!ftc_file_write_atomic (json_path, tok->json_text, tok->json_len, error))
    return FALSE;
  return tok->config_text == NULL || ftc_file_write_atomic (config_path, tok->config_text, tok->config_len, error);
}

/* ---- encoding ---- */

typedef struct {
  FtcHfTokenizer *tok;
  GArray *ids;
} PieceState;

static void
byte_level_piece (const char *start, gsize len, gpointer data)
{
  PieceState *st = data;
  ftc_bpe_encode_piece (st->tok->bpe, start, len, st->tok->ignore_merges, st->ids);
}

/* Splits [text, text+len) by the regexes from index `level` on, each isolating its matches, then hands
 * each piece to the byte level. */
static void
split_and_encode (PieceState *st, const char *text, gsize len, guint level)
{
  GRegex *re;
  g_autoptr (GMatchInfo) mi = NULL;
  gsize pos = 0;

  if (len == 0)
    return;
  if (level == st->tok->splits->len)
    {
      if (st->tok->gpt2_regex)
        ftc_bpe_pretokenize (text, len, byte_level_piece, st);
      else
        byte_level_piece (text, len, st);
      return;
    }
  re = st->tok->splits->pdata[level];
  g_regex_match_full (re, text, len, 0, 0, &mi, NULL);
  while (g_match_info_matches (mi))
    {
      int s = 0, e = 0;
      g_match_info_fetch_pos (mi, 0, &s, &e);
      if (e > s)
        {
          split_and_encode (st, text + pos, (gsize) s - pos, level + 1);
          split_and_encode (st, text + s, (gsize) (e - s), level + 1);
          pos = (gsize) e;
        }
      g_match_info_next (mi, NULL);
    }
  split_and_encode (st, text + pos, len - pos, level + 1);
}

static void
encode_segment (PieceState *st, const char *text, gsize len)
{
  if (len == 0)
    return;
  if (st->tok->nfc)
    {
      g_autofree char *norm = g_utf8_normalize (text, len, G_NORMALIZE_NFC);
      split_and_encode (st, norm, strlen (norm), 0);
    }
  else
    split_and_encode (st, text, len, 0);
}

gboolean
ftc_hf_tokenizer_encode (FtcHfTokenizer *tok, const char *text, gssize len_in, gboolean add_special, GArray *ids,
                         GError **error)
{
  gsize len = len_in < 0 ? strlen (text) : (gsize) len_in;
  const char *bad = NULL;
  PieceState st = { tok, ids };
  gsize start = 0;

  if (!g_utf8_validate (text, len, &bad) || memchr (text, '\0', len) != NULL)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "text is not valid UTF-8 (byte %" G_GSIZE_FORMAT ")",
                   bad != NULL ? (gsize) (bad - text) : (gsize) ((const char *) memchr (text, '\0', len) - text));
      return FALSE;
    }
  if (add_special)
    g_array_append_vals (ids, tok->prefix, tok->n_prefix);
  /* added tokens first: at each position the longest that starts there */
  for (gsize i = 0; i < len;)
    {
      const Added *hit = NULL;
      for (guint k = 0; k < tok->added->len && hit == NULL; k++)
        {
          const Added *ad = &g_array_index (tok->added, Added, k);
          if (ad->len <= len - i && text[i] == ad->content[0] && memcmp (text + i, ad->content, ad->len) == 0)
            hit = ad;
        }
      if (hit == NULL)
        {
          i++;
          continue;
        }
      encode_segment (&st, text + start, i - start);
      g_array_append_val (ids, hit->id);
      i += hit->len;
      start = i;
    }
  encode_segment (&st, text + start, len - start);
  if (add_special)
    g_array_append_vals (ids, tok->suffix, tok->n_suffix);
  return TRUE;
}

char *
ftc_hf_tokenizer_decode (FtcHfTokenizer *tok, const gint32 *ids, gsize n_ids, gsize *len_out, GError **error)
{
  GString *out = g_string_new (NULL);
  guint bpe_n = ftc_bpe_vocab_size (tok->bpe);

  for (gsize i = 0; i < n_ids; i++)
    {
      const Added *ad = g_hash_table_lookup (tok->added_by_id, GINT_TO_POINTER (ids[i]));
      if (ad != NULL)
        g_string_append_len (out, ad->content, ad->len);
      else if (ids[i] >= 0 && (guint) ids[i] < bpe_n)
        {
          gsize n;
          g_autofree char *bytes = ftc_bpe_decode (tok->bpe, &ids[i], 1, &n, error);
          if (bytes == NULL)
            return g_string_free (out, TRUE), NULL;
          g_string_append_len (out, bytes, n);
        }
      else
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "token id %d is outside the vocabulary of %u", ids[i],
                       tok->vocab_size);
          return g_string_free (out, TRUE), NULL;
        }
    }
  if (len_out != NULL)
    *len_out = out->len;
  return g_string_free (out, FALSE);
}

guint ftc_hf_tokenizer_vocab_size (FtcHfTokenizer *tok) { return tok->vocab_size; }
gint32 ftc_hf_tokenizer_eos_id (FtcHfTokenizer *tok) { return tok->eos_id; }
gint32 ftc_hf_tokenizer_token_id (FtcHfTokenizer *tok, const char *content) { return find_id (tok, content); }

FtcBpe *ftc_hf_tokenizer_bpe (FtcHfTokenizer *tok) { return tok->bpe; }
guint ftc_hf_tokenizer_n_added (FtcHfTokenizer *tok) { return tok->added->len; }

void
ftc_hf_tokenizer_added (FtcHfTokenizer *tok, guint i, gint32 *id, const char **content, gboolean *special)
{
  const Added *ad = &g_array_index (tok->added, Added, i);
  *id = ad->id;
  *content = ad->content;
  *special = ad->special;
}

const char *
ftc_hf_tokenizer_pre_name (FtcHfTokenizer *tok)
{
  /* the patterns of Qwen2/2.5/3 and Llama 3 (also SmolLM's tokenizers use GPT-2's) */
  static const char qwen2[] = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
  static const char llama3[] = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

  if (tok->splits->len == 0 && tok->gpt2_regex)
    return "gpt-2";
  if (tok->splits->len == 1 && !tok->gpt2_regex)
    {
      const char *src = tok->split_sources->pdata[0];
      if (strcmp (src, qwen2) == 0)
        return "qwen2";
      if (strcmp (src, llama3) == 0)
        return "llama-bpe";
    }
  return NULL;
}
