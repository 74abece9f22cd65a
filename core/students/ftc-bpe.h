/* ftc-bpe.h: GPT-2's byte-level BPE tokenizer (vocab.json + merges.txt, or a Hugging Face tokenizer.json).
 *
 * Encoding: the text (valid UTF-8, else FTC_ERROR_PARSE naming the byte offset) is split by GPT-2's
 * pre-tokenisation pattern
 *   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 * (implemented by hand over GLib's Unicode tables: \p{L} = the L* general categories, \p{N} = N*, \s = the
 * Unicode White_Space property), each piece's bytes are mapped to GPT-2's printable byte alphabet and merged
 * by rank. Special tokens such as <|endoftext|> are NOT recognised in the text: they are plain characters
 * there, as in tiktoken's encode_ordinary; callers append ftc_bpe_eot_id() themselves.
 * Decoding concatenates each token's bytes: the result may be invalid UTF-8 when a multi-byte character is
 * split across a cut-off id sequence; an id outside the vocabulary is an error. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct FtcBpe FtcBpe;

/* Loads vocab.json (token -> id, ids dense from 0) and merges.txt ("#version" line optional, one "a b"
 * pair per line in rank order). Errors name the file and line: unknown tokens in merges, gaps or
 * duplicates in the ids, a byte without a token. */
FtcBpe *ftc_bpe_load (const char *vocab_path, const char *merges_path, GError **error);
/* Loads model.vocab and model.merges ("a b" strings or [a, b] pairs) of a tokenizer.json. */
FtcBpe *ftc_bpe_load_tokenizer_json (const char *path, GError **error);
/* The same from a tokenizer.json's "model" object; `what` names the source in errors. */
FtcBpe *ftc_bpe_new_from_json_model (JsonObject *model, const char *what, GError **error);
/* The same from memory; `what` names the source in errors. */
FtcBpe *ftc_bpe_new_from_data (const char *vocab_json, gsize vocab_len, const char *merges_txt,
                               gsize merges_len, const char *what, GError **error);
void ftc_bpe_free (FtcBpe *bpe);

/* Appends the ids (gint32) of text (len bytes, or -1 for NUL-terminated) to ids. */
gboolean ftc_bpe_encode (FtcBpe *bpe, const char *text, gssize len, GArray *ids, GError **error);
/* The bytes of ids (NUL-terminated; *len_out gets the length without the NUL). */
char *ftc_bpe_decode (FtcBpe *bpe, const gint32 *ids, gsize n_ids, gsize *len_out, GError **error);

/* Appends the ids of one pre-token (len bytes, already split): its bytes in the byte alphabet, merged by
 * rank; with ignore_merges, the whole piece's id when the vocabulary has it (tokenizer.json's
 * model.ignore_merges). */
void ftc_bpe_encode_piece (FtcBpe *bpe, const char *piece, gsize len, gboolean ignore_merges, GArray *ids);

guint ftc_bpe_vocab_size (FtcBpe *bpe);
/* Token id in the byte alphabet ("Ġthe"); NULL outside the vocabulary. */
const char *ftc_bpe_token (FtcBpe *bpe, gint32 id);
/* The merges in rank order: merge r joins tokens *a and *b. */
guint ftc_bpe_n_merges (FtcBpe *bpe);
void ftc_bpe_merge (FtcBpe *bpe, guint rank, const char **a, const char **b);
/* The id of token (in the byte alphabet, e.g. "Ġthe"), or -1. */
gint32 ftc_bpe_token_id (FtcBpe *bpe, const char *token);
/* The id of <|endoftext|>, or -1 when the vocabulary has none. */
gint32 ftc_bpe_eot_id (FtcBpe *bpe);

/* Writes vocab.json and merges.txt into dir (atomically each). */
gboolean ftc_bpe_save (FtcBpe *bpe, const char *dir, GError **error);

/* Splits text (valid UTF-8) into pre-tokens: calls piece(start, len, user_data) for each in order.
 * Exposed for tests, which compare it against GRegex on real text. */
void ftc_bpe_pretokenize (const char *text, gsize len,
                          void (*piece) (const char *start, gsize len, gpointer user_data),
                          gpointer user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcBpe, ftc_bpe_free)

G_END_DECLS
