/* ftc-generate.h: text generation on the engine with a KV cache, batched over prompts of different
 * lengths.
 *
 * A batch is prefilled in one pass (prompts right-padded to the longest; the padding's keys and values
 * land in cache slots that each row overwrites before it reads them), then decoded one token per row per
 * step, every row at its own position. Sampling runs on the host: greedy (temperature 0), or softmax at a
 * temperature with optional top-k and top-p (nucleus) filtering, from a random stream per prompt derived
 * from the seed and the prompt's index, so a prompt's output does not depend on its batch. A row stops at
 * an end-of-sequence token, at a stop string (the text is cut before it), or after max_new_tokens (or at the
 * end of the model's context). */
#pragma once

#include <glib.h>

#include "compute/models/ftc-model.h"
#include "core/students/ftc-tokenizer.h"

G_BEGIN_DECLS

typedef struct {
  int max_new_tokens;       /* default 128 */
  float temperature;        /* 0 (default): greedy */
  int top_k;                /* 0: off */
  float top_p;              /* 1 (default): off */
  guint64 seed;
  const guint64 *seeds;     /* (n) a seed per prompt, or NULL: streams from seed and the prompt's index; a
                             * caller that splits its prompts over several calls gets the same answers */
  const char *const *stop;  /* NULL-terminated stop strings, or NULL */
  gboolean stop_at_eot;     /* default TRUE */
  int batch_size;           /* prompts per pass, default 8 */
  gboolean use_cache;       /* default TRUE; FALSE runs the whole sequence through the model every step */
  gboolean keep_logits;     /* keep each step's logits (vocab_size floats per generated token) */
} FtcGenerateOptions;

void ftc_generate_options_init (FtcGenerateOptions *options);

typedef struct {
  GArray *prompt_ids;       /* gint32 */
  GArray *generated_ids;    /* gint32: every sampled token, the end-of-text one included */
  char *text;               /* the generated text (valid UTF-8), cut before a stop string */
  const char *finish_reason;/* "eot", "stop" or "length" */
  GArray *logits;           /* float, with keep_logits: (generated, vocab_size) */
} FtcGeneration;

void ftc_generation_free (FtcGeneration *gen);

typedef struct FtcGenerator FtcGenerator;

/* model and tokenizer are borrowed; the tokenizer's vocabulary must fit the model's. Rows stop (with
 * stop_at_eot) at the tokenizer's end-of-text id, or at the ids set here (the LLaMA family's EOS ids from
 * generation_config.json). */
FtcGenerator *ftc_generator_new (FtcModel *model, FtcTokenizer *tokenizer, GError **error);
void ftc_generator_set_eos (FtcGenerator *gen, const gint32 *ids, int n);
void ftc_generator_free (FtcGenerator *gen);

/* Generates for n prompts (text); returns n FtcGeneration in prompt order. A prompt that is empty or does
 * not leave room for one new token in the context is an error naming it. */
GPtrArray *ftc_generator_run (FtcGenerator *gen, const char *const *prompts, guint n,
                              const FtcGenerateOptions *options, GError **error);
/* The same from token ids (GArray of gint32 each). */
GPtrArray *ftc_generator_run_ids (FtcGenerator *gen, GArray *const *prompts, guint n,
                                  const FtcGenerateOptions *options, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcGenerator, ftc_generator_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcGeneration, ftc_generation_free)

G_END_DECLS
