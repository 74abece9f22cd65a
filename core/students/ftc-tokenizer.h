/* ftc-tokenizer.h: the one tokenizer interface over GPT-2 byte-level BPE (ftc-bpe.h; pretrained, or
 * trained on a task's own text by ftc-bpe-train.h), Hugging Face tokenizer.json files (ftc-hf-tokenizer.h:
 * the LLaMA family's byte-level BPE with their own pre-tokenizers and added tokens) and the character
 * vocabulary of from-scratch students (ftc-char-tokenizer.h). A model directory says which it holds:
 * tokenizer_config.json with "ftcot_tokenizer": "char" is a character vocabulary; otherwise vocab.json +
 * merges.txt is GPT-2 BPE, else tokenizer.json. */
#pragma once

#include <glib.h>

#include "core/students/ftc-bpe.h"
#include "core/students/ftc-char-tokenizer.h"

G_BEGIN_DECLS

typedef enum {
  FTC_TOKENIZER_BPE,
  FTC_TOKENIZER_CHAR,
  FTC_TOKENIZER_HF,
} FtcTokenizerKind;

typedef struct FtcTokenizer FtcTokenizer;

/* Loads the tokenizer files of dir (see above); FTC_ERROR_NOT_FOUND when dir has none. */
FtcTokenizer *ftc_tokenizer_load (const char *dir, GError **error);
/* Take ownership of bpe / tok. */
FtcTokenizer *ftc_tokenizer_new_bpe (FtcBpe *bpe);
FtcTokenizer *ftc_tokenizer_new_char (FtcCharTokenizer *tok);
/* A byte-level BPE of vocab_size tokens learned from texts (ftc-bpe-train.h, default options): the
 * tokenizer of students trained from scratch; it saves and loads as any GPT-2 BPE. */
FtcTokenizer *ftc_tokenizer_train_bpe (const char *const *texts, gsize n_texts, guint vocab_size,
                                       GError **error);
void ftc_tokenizer_free (FtcTokenizer *tok);
/* Writes the tokenizer files into dir (vocab.json + merges.txt, or vocab.json + tokenizer_config.json). */
gboolean ftc_tokenizer_save (FtcTokenizer *tok, const char *dir, GError **error);

FtcTokenizerKind ftc_tokenizer_kind (FtcTokenizer *tok);
guint ftc_tokenizer_vocab_size (FtcTokenizer *tok);
/* The end-of-text id (appended after each training sample, stops generation); -1 if none. */
gint32 ftc_tokenizer_eot_id (FtcTokenizer *tok);

/* Appends the ids (gint32) of text to ids; invalid UTF-8 is FTC_ERROR_PARSE. */
gboolean ftc_tokenizer_encode (FtcTokenizer *tok, const char *text, gssize len, GArray *ids, GError **error);
/* The same with the special tokens the tokenizer adds around a text (tokenizer.json's post-processor, e.g.
 * Llama 3's <|begin_of_text|>): tokenizer(text)["input_ids"] in transformers. */
gboolean ftc_tokenizer_encode_special (FtcTokenizer *tok, const char *text, gssize len, GArray *ids,
                                       GError **error);
/* The bytes of ids, NUL-terminated (may be invalid UTF-8 for a partial character); an id outside the
 * vocabulary is FTC_ERROR_INVALID. */
char *ftc_tokenizer_decode (FtcTokenizer *tok, const gint32 *ids, gsize n_ids, gsize *len_out, GError **error);
/* As decode, but always valid UTF-8: invalid sequences become U+FFFD (for display and JSON). */
char *ftc_tokenizer_decode_text (FtcTokenizer *tok, const gint32 *ids, gsize n_ids, GError **error);

/* The tokenizer.json behind an FTC_TOKENIZER_HF tokenizer, else NULL (for exporters). */
struct FtcHfTokenizer *ftc_tokenizer_hf (FtcTokenizer *tok);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcTokenizer, ftc_tokenizer_free)

G_END_DECLS
