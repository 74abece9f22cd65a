/* ftc-gguf.h: export of a LLaMA-family student (llama, qwen2, qwen3) as one GGUF file (version 3), the
 * format llama.cpp and Ollama load, with the tokenizer inside, as llama.cpp's convert_hf_to_gguf.py writes
 * it: general.* and ARCH.* metadata (context, widths, heads, head size, rope_theta, RMS epsilon),
 * tokenizer.ggml.* (model "gpt2", the pre-tokenizer's name, every token with its type, the merges, BOS/EOS
 * ids), then the tensors in llama.cpp's names (token_embd, blk.N.attn_q, ..., output_norm, output when
 * untied; for the llama architecture q and k are permuted to llama.cpp's interleaved RoPE and a llama3
 * rope_scaling becomes the rope_freqs tensor). Matrices are F32 or F16; vectors stay F32. */
#pragma once

#include <glib.h>

#include "core/students/ftc-model-dir.h"

G_BEGIN_DECLS

typedef enum {
  FTC_GGUF_F32,
  FTC_GGUF_F16,
} FtcGgufType;

/* params in the engine's layout (compute/models/ftc-llama.h); the tokenizer must be a tokenizer.json of a
 * pre-tokenizer llama.cpp knows. Writes path atomically. */
gboolean ftc_gguf_export (const FtcModelSpec *spec, const float *params, gsize n_params, FtcTokenizer *tokenizer,
                          FtcGgufType type, const char *name, const char *path, GError **error);

/* Float to IEEE half, round to nearest even (exported for tests). */
guint16 ftc_f32_to_f16 (float f);

G_END_DECLS
