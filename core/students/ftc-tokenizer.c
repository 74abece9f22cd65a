#include "core/students/ftc-tokenizer.h"

#include <json-glib/json-glib.h>

#include "core/students/ftc-bpe-train.h"
#include "core/students/ftc-hf-tokenizer.h"
#include "core/ftc-error.h"
#include "core/ftc-json-in.h"

struct FtcTokenizer {
  FtcTokenizerKind kind;
  FtcBpe *bpe;
  FtcCharTokenizer *chars;
  FtcHfTokenizer *hf;
};

FtcTokenizer *
ftc_tokenizer_new_bpe (FtcBpe *bpe)
{
  FtcTokenizer *tok = g_new0 (FtcTokenizer, 1);
  tok->kind = FTC_TOKENIZER_BPE;
  tok->bpe = bpe;
  return tok;
}

FtcTokenizer *
ftc_tokenizer_new_char (FtcCharTokenizer *chars)
{
  FtcTokenizer *tok = g_new0 (FtcTokenizer, 1);
  tok->kind = FTC_TOKENIZER_CHAR;
  tok->chars = chars;
  return tok;
}

FtcTokenizer *
ftc_tokenizer_train_bpe (const char *const *texts, gsize n_texts, guint vocab_size, GError **error)
{
  FtcBpe *bpe = ftc_bpe_train (texts, n_texts, vocab_size, NULL, error);
  return bpe != NULL ? ftc_tokenizer_new_bpe (bpe) : NULL;
}

void
ftc_tokenizer_free (FtcTokenizer *tok)
{
  if (tok == NULL)
    return;
  ftc_bpe_free (tok->bpe);
  ftc_char_tokenizer_free (tok->chars);
  ftc_hf_tokenizer_free (tok->hf);
  g_free (tok);
}

/* TRUE when dir/tokenizer_config.json says "ftcot_tokenizer": "char". */
static gboolean
is_char_dir (const char *dir, GError **error)
{
  g_autofree char *path = g_build_filename (dir, "tokenizer_config.json", NULL);
  g_autoptr (JsonObject) config = NULL;

  if (!ftc_path_exists (path))
    return FALSE;
  /* written by other programs too (the Hugging Face hub's files): big integers are no error here */
  config = ftc_json_read_object_file_wide (path, FTC_INPUT_CONFIG, error);
  return config != NULL
         && g_strcmp0 (json_object_get_string_member_with_default (config, "ftcot_tokenizer", ""), "char") == 0;
}

FtcTokenizer *
ftc_tokenizer_load (const char *dir, GError **error)
{
  g_autofree char *vocab = g_build_filename (dir, "vocab.json", NULL);
  g_autofree char *merges = g_build_filename (dir, "merges.txt", NULL);
  g_autofree char *tokenizer_json = g_build_filename (dir, "tokenizer.json", NULL);
  GError *local = NULL;
  gboolean is_char = is_char_dir (dir, &local);

  if (local != NULL)
    {
      g_propagate_error (error, local);
      return NULL;
    }
  if (is_char)
    {
      FtcCharTokenizer *chars = ftc_char_tokenizer_load (vocab, error);
      return chars != NULL ? ftc_tokenizer_new_char (chars) : NULL;
    }
  if (g_file_test (vocab, G_FILE_TEST_EXISTS) && g_file_test (merges, G_FILE_TEST_EXISTS))
    {
      FtcBpe *bpe = ftc_bpe_load (vocab, merges, error);
      return bpe != NULL ? ftc_tokenizer_new_bpe (bpe) : NULL;
    }
  if (g_file_test (tokenizer_json, G_FILE_TEST_EXISTS))
    {
      FtcHfTokenizer *hf = ftc_hf_tokenizer_load (tokenizer_json, error);
      FtcTokenizer *tok;
      if (hf == NULL)
        return NULL;
      tok = g_new0 (FtcTokenizer, 1);
      tok->kind = FTC_TOKENIZER_HF;
      tok->hf = hf;
      return tok;
    }
  g_set_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND, "%s: no tokenizer (expected vocab.json + merges.txt, "
               "tokenizer.json, or a character vocabulary)", dir);
  return NULL;
}

gboolean
ftc_tokenizer_save (FtcTokenizer *tok, const char *dir, GError **error)
{
  if (tok->kind == FTC_TOKENIZER_HF)
    return ftc_hf_tokenizer_save (tok->hf, dir, error);
  return tok->kind == FTC_TOKENIZER_BPE ? ftc_bpe_save (tok->bpe, dir, error)
                                        : ftc_char_tokenizer_save (tok->chars, dir, error);
}

FtcTokenizerKind
ftc_tokenizer_kind (FtcTokenizer *tok)
{
  return tok->kind;
}

guint
ftc_tokenizer_vocab_size (FtcTokenizer *tok)
{
  if (tok->kind == FTC_TOKENIZER_HF)
    return ftc_hf_tokenizer_vocab_size (tok->hf);
  return tok->kind == FTC_TOKENIZER_BPE ? ftc_bpe_vocab_size (tok->bpe)
                                        : ftc_char_tokenizer_vocab_size (tok->chars);
}

gint32
ftc_tokenizer_eot_id (FtcTokenizer *tok)
{
  if (tok->kind == FTC_TOKENIZER_HF)
    return ftc_hf_tokenizer_eos_id (tok->hf);
  return tok->kind == FTC_TOKENIZER_BPE ? ftc_bpe_eot_id (tok->bpe) : FTC_CHAR_EOT_ID;
}

gboolean
ftc_tokenizer_encode (FtcTokenizer *tok, const char *text, gssize len, GArray *ids, GError **error)
{
  if (tok->kind == FTC_TOKENIZER_HF)
    return ftc_hf_tokenizer_encode (tok->hf, text, len, FALSE, ids, error);
  return tok->kind == FTC_TOKENIZER_BPE ? ftc_bpe_encode (tok->bpe, text, len, ids, error)
                                        : ftc_char_tokenizer_encode (tok->chars, text, len, ids, error);
}

char *
ftc_tokenizer_decode (FtcTokenizer *tok, const gint32 *ids, gsize n_ids, gsize *len_out, GError **error)
{
  if (tok->kind == FTC_TOKENIZER_HF)
    return ftc_hf_tokenizer_decode (tok->hf, ids, n_ids, len_out, error);
  return tok->kind == FTC_TOKENIZER_BPE ? ftc_bpe_decode (tok->bpe, ids, n_ids, len_out, error)
                                        : ftc_char_tokenizer_decode (tok->chars, ids, n_ids, len_out, error);
}

gboolean
ftc_tokenizer_encode_special (FtcTokenizer *tok, const char *text, gssize len, GArray *ids, GError **error)
{
  if (tok->kind == FTC_TOKENIZER_HF)
    return ftc_hf_tokenizer_encode (tok->hf, text, len, TRUE, ids, error);
  return ftc_tokenizer_encode (tok, text, len, ids, error);
}

char *
ftc_tokenizer_decode_text (FtcTokenizer *tok, const gint32 *ids, gsize n_ids, GError **error)
{
  gsize len;
  g_autofree char *bytes = ftc_tokenizer_decode (tok, ids, n_ids, &len, error);

  if (bytes == NULL)
    return NULL;
  return g_utf8_make_valid (bytes, len);
}

FtcHfTokenizer *
ftc_tokenizer_hf (FtcTokenizer *tok)
{
  return tok->kind == FTC_TOKENIZER_HF ? tok->hf : NULL;
}
