/* ftc-bpe-train.h: learns a GPT-2-style byte-level BPE from a task's own text, for students trained from
 * scratch (a character vocabulary makes the synthetic tasks' texts hundreds of tokens long).
 *
 * The result is an ordinary FtcBpe (ftc-bpe.h): ftc_bpe_save writes vocab.json + merges.txt that GPT-2
 * tokenizers read unchanged.
 *
 *   ids 0..255     the 256 byte tokens in GPT-2's byte alphabet, in GPT-2's order (code point order of the
 *                  alphabet: "!" = 0, ..., "Ġ" = 220 for the space, as in GPT-2's own vocab.json)
 *   ids 256..      one per learned merge, in the order learned (a merge whose concatenation is already a
 *                  token reuses that token's id and adds none)
 *   last id        <|endoftext|>
 *
 * Training: every text is split with ftc_bpe_pretokenize (exactly as encoding splits it), the distinct
 * pieces are counted once, and then the most frequent adjacent pair of tokens is merged, greedily, with
 * incremental pair-count updates. A pair's count is the number of adjacent occurrences summed over pieces
 * and their frequencies (in "aaa" the pair "a a" counts twice); a merge replaces occurrences left to
 * right. Ties go to the lexicographically smallest pair: the first token's byte-alphabet string (strcmp,
 * i.e. code point order), then the second's. Output depends only on the texts as a multiset (not their
 * order) and the options. */
#pragma once

#include <glib.h>

#include "core/students/ftc-bpe.h"

G_BEGIN_DECLS

typedef struct {
  guint min_frequency;   /* stop when the best pair occurs fewer times than this; 0 counts as 1 */
} FtcBpeTrainOptions;

#define FTC_BPE_TRAIN_DEFAULT_MIN_FREQUENCY 2
/* The smallest vocabulary: 256 byte tokens and <|endoftext|>. */
#define FTC_BPE_TRAIN_MIN_VOCAB 257

/* Learns merges until the vocabulary (byte tokens + merges + <|endoftext|>) has vocab_size tokens, or no
 * pair occurs min_frequency times (opts NULL: FTC_BPE_TRAIN_DEFAULT_MIN_FREQUENCY). Errors:
 * FTC_ERROR_INVALID for vocab_size below FTC_BPE_TRAIN_MIN_VOCAB; FTC_ERROR_PARSE for a text that is not
 * valid UTF-8 (naming the text's index and the byte offset). */
FtcBpe *ftc_bpe_train (const char *const *texts, gsize n_texts, guint vocab_size,
                       const FtcBpeTrainOptions *opts, GError **error);

G_END_DECLS
