/* ftc-hf-tokenizer.h: Hugging Face fast-tokenizer files (tokenizer.json) of byte-level BPE, as the LLaMA
 * family ships them (Llama 3, SmolLM2, Qwen2.5, Qwen3) and GPT-2's.
 *
 * Supported: normalizer null or NFC (alone or in a Sequence); pre_tokenizer ByteLevel (use_regex: GPT-2's
 * pattern) or a Sequence of Split (a Regex or String pattern, behavior Isolated, not inverted) followed by
 * ByteLevel (use_regex false): Qwen's single digits, Llama 3's groups of 1-3 digits; model BPE with
 * ignore_merges; added_tokens (special or not) matched in the raw text before anything else, the longest
 * at the leftmost position first; post_processor ByteLevel and TemplateProcessing (its single-sequence
 * special tokens, e.g. Llama 3's <|begin_of_text|>), added only when asked; decoder ByteLevel. Anything
 * else (Unigram or WordPiece models, other normalizers and pre-tokenizers, lstrip/rstrip/single_word
 * added tokens, byte_fallback) is refused with an error naming the file and the field. The file is read
 * bounded (size, nesting) and checked before use. */
#pragma once

#include <glib.h>

#include "core/students/ftc-bpe.h"

G_BEGIN_DECLS

typedef struct FtcHfTokenizer FtcHfTokenizer;

/* Reads path (tokenizer.json) and, beside it, tokenizer_config.json if present (its eos_token). */
FtcHfTokenizer *ftc_hf_tokenizer_load (const char *path, GError **error);
void ftc_hf_tokenizer_free (FtcHfTokenizer *tok);
/* Writes the files it was read from (tokenizer.json, tokenizer_config.json) into dir, atomically. */
gboolean ftc_hf_tokenizer_save (FtcHfTokenizer *tok, const char *dir, GError **error);

/* Appends the ids of text (valid UTF-8, else FTC_ERROR_PARSE) to ids; with add_special the
 * post-processor's special tokens around them, as tokenizer(text)["input_ids"] in transformers. */
gboolean ftc_hf_tokenizer_encode (FtcHfTokenizer *tok, const char *text, gssize len, gboolean add_special,
                                  GArray *ids, GError **error);
/* The bytes of ids (added tokens as their text), NUL-terminated; an id outside the vocabulary is an error. */
char *ftc_hf_tokenizer_decode (FtcHfTokenizer *tok, const gint32 *ids, gsize n_ids, gsize *len_out, GError **error);

/* Largest id + 1 over the BPE vocabulary and the added tokens. */
guint ftc_hf_tokenizer_vocab_size (FtcHfTokenizer *tok);
/* The id of an added token or vocabulary entry with this exact text, or -1. */
gint32 ftc_hf_tokenizer_token_id (FtcHfTokenizer *tok, const char *content);
/* tokenizer_config.json's eos_token, else <|endoftext|> or <|end_of_text|>; -1 if none. */
gint32 ftc_hf_tokenizer_eos_id (FtcHfTokenizer *tok);

/* For exporters (GGUF): the BPE model, the added tokens, and llama.cpp's name for the pre-tokenizer ("qwen2",
 * "llama-bpe", "gpt-2"; NULL for a pattern llama.cpp does not know). */
FtcBpe *ftc_hf_tokenizer_bpe (FtcHfTokenizer *tok);
guint ftc_hf_tokenizer_n_added (FtcHfTokenizer *tok);
void ftc_hf_tokenizer_added (FtcHfTokenizer *tok, guint i, gint32 *id, const char **content, gboolean *special);
const char *ftc_hf_tokenizer_pre_name (FtcHfTokenizer *tok);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcHfTokenizer, ftc_hf_tokenizer_free)

G_END_DECLS
