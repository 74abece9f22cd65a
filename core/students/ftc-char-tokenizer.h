/* ftc-char-tokenizer.h: a character vocabulary for students trained from scratch, built from the training
 * text. Ids: 0 = <|endoftext|>, 1 = <|unk|> (any character not seen in the training text), then every
 * distinct Unicode character of the training text in code point order. Encoding is one id per character
 * (invalid UTF-8 is an error); decoding writes each token's text, so only text made of known characters
 * round-trips. Saved as vocab.json (token -> id) plus tokenizer_config.json with "ftcot_tokenizer": "char"
 * (docs/formats.md). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FTC_CHAR_EOT_TOKEN "<|endoftext|>"
#define FTC_CHAR_UNK_TOKEN "<|unk|>"
#define FTC_CHAR_EOT_ID 0
#define FTC_CHAR_UNK_ID 1

typedef struct FtcCharTokenizer FtcCharTokenizer;

/* Builds the vocabulary from n_texts texts (each valid UTF-8; the error names the text's index). */
FtcCharTokenizer *ftc_char_tokenizer_build (const char *const *texts, gsize n_texts, GError **error);
/* Loads vocab.json as written by ftc_char_tokenizer_save (errors name the file and token). */
FtcCharTokenizer *ftc_char_tokenizer_load (const char *vocab_path, GError **error);
void ftc_char_tokenizer_free (FtcCharTokenizer *tok);
/* Writes vocab.json and tokenizer_config.json into dir, each atomically. */
gboolean ftc_char_tokenizer_save (FtcCharTokenizer *tok, const char *dir, GError **error);

gboolean ftc_char_tokenizer_encode (FtcCharTokenizer *tok, const char *text, gssize len, GArray *ids,
                                    GError **error);
char *ftc_char_tokenizer_decode (FtcCharTokenizer *tok, const gint32 *ids, gsize n_ids, gsize *len_out,
                                 GError **error);
guint ftc_char_tokenizer_vocab_size (FtcCharTokenizer *tok);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcCharTokenizer, ftc_char_tokenizer_free)

G_END_DECLS
