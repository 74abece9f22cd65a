#include "core/students/ftc-gguf.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "core/ftc-error.h"
#include "core/students/ftc-hf-tokenizer.h"

#define ALIGN 32

enum { GT_UINT32 = 4, GT_INT32 = 5, GT_FLOAT32 = 6, GT_BOOL = 7, GT_STRING = 8, GT_ARRAY = 9, GT_UINT64 = 10 };
enum { GGML_F32 = 0, GGML_F16 = 1 };

guint16
ftc_f32_to_f16 (float f)
{
  guint32 x;
  memcpy (&x, &f, 4);
  guint32 sign = (x >> 16) & 0x8000, mant = x & 0x7fffff;
  int exp = (int) ((x >> 23) & 0xff);

  if (exp == 0xff)
    return (guint16) (sign | 0x7c00 | (mant ? 0x200 : 0));
  exp = exp - 127 + 15;
  if (exp >= 0x1f)
    return (guint16) (sign | 0x7c00);
  if (exp <= 0)
    {
      /* subnormal half (or zero): shift the implicit 1 in, round to nearest even */
      if (exp < -10)
        return (guint16) sign;
      mant |= 0x800000;
      int shift = 14 - exp;
      guint32 half = mant >> shift, rest = mant & ((1u << shift) - 1), mid = 1u << (shift - 1);
      if (rest > mid || (rest == mid && (half & 1)))
        half++;
      return (guint16) (sign | half);
    }
  guint32 half = sign | ((guint32) exp << 10) | (mant >> 13), rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest == 0x1000 && (half & 1)))
    half++;   /* may carry into the exponent, which is right */
  return (guint16) half;
}

/* ---- a growing header ---- */

typedef struct {
  GByteArray *kv;
  guint64 n_kv;
} Meta;

static void
put (GByteArray *b, const void *p, gsize n)
{
  g_byte_array_append (b, p, n);
}

static void
put_u32 (GByteArray *b, guint32 v)
{
  v = GUINT32_TO_LE (v);
  put (b, &v, 4);
}

static void
put_u64 (GByteArray *b, guint64 v)
{
  v = GUINT64_TO_LE (v);
  put (b, &v, 8);
}

static void
put_str (GByteArray *b, const char *s)
{
  put_u64 (b, strlen (s));
  put (b, s, strlen (s));
}

static void
kv_key (Meta *m, const char *key, guint32 type)
{
  put_str (m->kv, key);
  put_u32 (m->kv, type);
  m->n_kv++;
}

static void
kv_u32 (Meta *m, const char *key, guint32 v)
{
  kv_key (m, key, GT_UINT32);
  put_u32 (m->kv, v);
}

static void
kv_f32 (Meta *m, const char *key, float v)
{
  kv_key (m, key, GT_FLOAT32);
  put (m->kv, &v, 4);   /* little-endian hosts only, as the engine */
}

static void
kv_bool (Meta *m, const char *key, gboolean v)
{
  guint8 b = v ? 1 : 0;
  kv_key (m, key, GT_BOOL);
  put (m->kv, &b, 1);
}

static void
kv_str (Meta *m, const char *key, const char *v)
{
  kv_key (m, key, GT_STRING);
  put_str (m->kv, v);
}

typedef struct {
  char *name;
  const float *data;   /* engine rows, (rows, cols) or (cols) */
  gint64 rows, cols;   /* cols 0: a vector of rows */
  int permute_heads;   /* > 0: llama.cpp's interleaved RoPE order for that many heads */
  float *owned;        /* data made here (rope_freqs) */
  guint32 type;
  guint64 offset, bytes;
} Tensor;

static void
tensor_clear (gpointer p)
{
  Tensor *t = p;
  g_free (t->name);
  g_free (t->owned);
}

/* One source row r of the permuted matrix: convert_hf_to_gguf's
 * w.reshape(n_head, 2, rows / n_head / 2, cols).swapaxes(1, 2) */
static gint64
permuted_row (gint64 r, gint64 rows, int heads)
{
  gint64 per = rows / heads, half = per / 2;
  gint64 h = r / per, within = r % per;
  gint64 i = within / 2, j = within % 2;   /* output (h, i, j) reads input (h, j, i) */
  return h * per + j * half + i;
}

static const FtcGpt2Tensor *
find_tensor (const FtcGpt2Tensor *t, int n, const char *name)
{
  for (int i = 0; i < n; i++)
    if (strcmp (t[i].name, name) == 0)
      return &t[i];
  return NULL;
}

gboolean
ftc_gguf_export (const FtcModelSpec *spec, const float *params, gsize n_params, FtcTokenizer *tokenizer,
                 FtcGgufType type, const char *name, const char *path, GError **error)
{
  const FtcLlamaConfig *c = &spec->llama.config;
  const char *arch = spec->llama.model_type;
  FtcHfTokenizer *hf = tokenizer != NULL ? ftc_tokenizer_hf (tokenizer) : NULL;
  FtcGpt2Tensor lt[FTC_LLAMA_MAX_TENSORS];
  int n_lt;
  g_autoptr (GArray) tensors = g_array_new (FALSE, TRUE, sizeof (Tensor));
  Meta m = { g_byte_array_new (), 0 };
  g_autoptr (GByteArray) head = g_byte_array_new ();
  g_autofree char *tmp = g_strconcat (path, ".tmp", NULL);
  const char *pre;
  gint64 C = c->channels, D = c->head_dim, NH = c->num_heads, NKV = c->num_kv_heads, F = c->intermediate;
  guint64 offset = 0;
  FILE *f = NULL;
  gboolean ok = FALSE;
  char key[128];

  if (spec->family != FTC_MODEL_LLAMA)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: GGUF export takes LLaMA-family students (llama, qwen2, "
                   "qwen3)", path);
      goto out;
    }
  if (hf == NULL)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: GGUF export needs the student's tokenizer.json", path);
      goto out;
    }
  pre = ftc_hf_tokenizer_pre_name (hf);
  if (pre == NULL)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: the tokenizer's pre-tokenizer pattern is not one llama.cpp "
                   "knows (Qwen2/3's, Llama 3's or GPT-2's)", path);
      goto out;
    }
  if (ftc_llama_layout (c, lt, &n_lt) != n_params)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "%s: %" G_GSIZE_FORMAT " parameters for this config", path,
                   n_params);
      goto out;
    }
  g_array_set_clear_func (tensors, tensor_clear);

  /* ---- tensors: engine slices in llama.cpp's names ---- */
#define FIND(nm) find_tensor (lt, n_lt, nm)
#define ADD(nm, ptr, r, cc, perm) do { Tensor t_ = { g_strdup (nm), (ptr), (r), (cc), (perm), NULL, 0, 0, 0 }; \
                                      g_array_append_val (tensors, t_); } while (0)
  {
    const gboolean perm = strcmp (arch, "llama") == 0;
    const FtcGpt2Tensor *wte = FIND ("wte"), *ln1 = FIND ("ln1w"), *qkvw = FIND ("qkvw"), *qkvb = FIND ("qkvb");
    const FtcGpt2Tensor *qn = FIND ("qnormw"), *kn = FIND ("knormw"), *o = FIND ("attprojw"), *ln2 = FIND ("ln2w");
    const FtcGpt2Tensor *gu = FIND ("gateupw"), *down = FIND ("downw"), *lnf = FIND ("lnfw"), *head_t = FIND ("lmhead");
    gint64 QKV = (NH + 2 * NKV) * D;

    ADD ("token_embd.weight", params + wte->offset, c->vocab_size, C, 0);
    if (c->rope_kind == FTC_ROPE_LLAMA3)
      {
        /* convert_hf_to_gguf: one factor per frequency, which llama.cpp divides the base frequency by */
        float *factors = g_new (float, D / 2);
        for (int i = 0; i < D / 2; i++)
          {
            double freq = 1.0 / pow (c->rope_theta, 2.0 * i / D), wavelen = 2 * M_PI / freq;
            double lo = c->rope_original_max_pos / c->rope_low_freq_factor;
            double hi = c->rope_original_max_pos / c->rope_high_freq_factor;
            if (wavelen < hi)
              factors[i] = 1.0f;
            else if (wavelen > lo)
              factors[i] = c->rope_factor;
            else
              {
                double smooth = (c->rope_original_max_pos / wavelen - c->rope_low_freq_factor)
                                / (c->rope_high_freq_factor - c->rope_low_freq_factor);
                factors[i] = (float) (1.0 / ((1 - smooth) / c->rope_factor + smooth));
              }
          }
        ADD ("rope_freqs.weight", factors, D / 2, 0, 0);
        g_array_index (tensors, Tensor, tensors->len - 1).owned = factors;
      }
    for (int l = 0; l < c->num_layers; l++)
      {
        const float *qkv = params + qkvw->offset + (gsize) l * QKV * C;
#define NM(s) (g_snprintf (key, sizeof key, "blk.%d." s, l), key)
        ADD (NM ("attn_norm.weight"), params + ln1->offset + (gsize) l * C, C, 0, 0);
        ADD (NM ("attn_q.weight"), qkv, NH * D, C, perm ? (int) NH : 0);
        ADD (NM ("attn_k.weight"), qkv + NH * D * C, NKV * D, C, perm ? (int) NKV : 0);
        ADD (NM ("attn_v.weight"), qkv + (NH + NKV) * D * C, NKV * D, C, 0);
        if (qkvb != NULL)
          {
            const float *b = params + qkvb->offset + (gsize) l * QKV;
            ADD (NM ("attn_q.bias"), b, NH * D, 0, perm ? (int) NH : 0);
            ADD (NM ("attn_k.bias"), b + NH * D, NKV * D, 0, perm ? (int) NKV : 0);
            ADD (NM ("attn_v.bias"), b + (NH + NKV) * D, NKV * D, 0, 0);
          }
        if (qn != NULL)
          {
            ADD (NM ("attn_q_norm.weight"), params + qn->offset + (gsize) l * D, D, 0, 0);
            ADD (NM ("attn_k_norm.weight"), params + kn->offset + (gsize) l * D, D, 0, 0);
          }
        ADD (NM ("attn_output.weight"), params + o->offset + (gsize) l * C * NH * D, C, NH * D, 0);
        ADD (NM ("ffn_norm.weight"), params + ln2->offset + (gsize) l * C, C, 0, 0);
        ADD (NM ("ffn_gate.weight"), params + gu->offset + (gsize) l * 2 * F * C, F, C, 0);
        ADD (NM ("ffn_up.weight"), params + gu->offset + (gsize) l * 2 * F * C + F * C, F, C, 0);
        ADD (NM ("ffn_down.weight"), params + down->offset + (gsize) l * C * F, C, F, 0);
#undef NM
      }
    ADD ("output_norm.weight", params + lnf->offset, C, 0, 0);
    if (head_t != NULL)
      ADD ("output.weight", params + head_t->offset, c->vocab_size, C, 0);
  }
#undef ADD
#undef FIND

  /* ---- metadata ---- */
  kv_str (&m, "general.architecture", arch);
  kv_str (&m, "general.name", name != NULL ? name : "ftcot student");
  kv_u32 (&m, "general.file_type", type == FTC_GGUF_F16 ? 1 : 0);
  kv_u32 (&m, "general.quantization_version", 2);
#define AK(s) (g_snprintf (key, sizeof key, "%s." s, arch), key)
  kv_u32 (&m, AK ("context_length"), (guint32) c->max_seq_len);
  kv_u32 (&m, AK ("embedding_length"), (guint32) C);
  kv_u32 (&m, AK ("block_count"), (guint32) c->num_layers);
  kv_u32 (&m, AK ("feed_forward_length"), (guint32) F);
  kv_u32 (&m, AK ("attention.head_count"), (guint32) NH);
  kv_u32 (&m, AK ("attention.head_count_kv"), (guint32) NKV);
  kv_u32 (&m, AK ("attention.key_length"), (guint32) D);
  kv_u32 (&m, AK ("attention.value_length"), (guint32) D);
  kv_u32 (&m, AK ("rope.dimension_count"), (guint32) D);
  kv_f32 (&m, AK ("rope.freq_base"), c->rope_theta);
  kv_f32 (&m, AK ("attention.layer_norm_rms_epsilon"), c->rms_eps);
  if (strcmp (arch, "llama") == 0)
    kv_u32 (&m, AK ("vocab_size"), (guint32) c->vocab_size);
#undef AK
  {
    FtcBpe *bpe = ftc_hf_tokenizer_bpe (hf);
    guint nb = ftc_bpe_vocab_size (bpe), V = (guint) c->vocab_size;
    g_autofree const char **tok = g_new0 (const char *, V);
    g_autofree gint32 *ttype = g_new (gint32, V);
    g_autoptr (GPtrArray) pads = g_ptr_array_new_with_free_func (g_free);

    for (guint i = 0; i < V; i++)
      {
        tok[i] = i < nb ? ftc_bpe_token (bpe, (gint32) i) : NULL;
        ttype[i] = 1;   /* normal */
      }
    for (guint i = 0; i < ftc_hf_tokenizer_n_added (hf); i++)
      {
        gint32 id;
        const char *content;
        gboolean special;
        ftc_hf_tokenizer_added (hf, i, &id, &content, &special);
        if (id >= 0 && (guint) id < V)
          {
            tok[id] = content;
            ttype[id] = special ? 3 : 4;   /* control, user-defined */
          }
      }
    for (guint i = 0; i < V; i++)
      if (tok[i] == NULL)
        {
          /* the embedding's rows past the tokenizer's tokens, as convert_hf_to_gguf pads them */
          char *p = g_strdup_printf ("[PAD%u]", i);
          g_ptr_array_add (pads, p);
          tok[i] = p;
          ttype[i] = 5;   /* unused */
        }
    kv_str (&m, "tokenizer.ggml.model", "gpt2");
    kv_str (&m, "tokenizer.ggml.pre", pre);
    kv_key (&m, "tokenizer.ggml.tokens", GT_ARRAY);
    put_u32 (m.kv, GT_STRING);
    put_u64 (m.kv, V);
    for (guint i = 0; i < V; i++)
      put_str (m.kv, tok[i]);
    kv_key (&m, "tokenizer.ggml.token_type", GT_ARRAY);
    put_u32 (m.kv, GT_INT32);
    put_u64 (m.kv, V);
    for (guint i = 0; i < V; i++)
      put_u32 (m.kv, (guint32) ttype[i]);
    kv_key (&m, "tokenizer.ggml.merges", GT_ARRAY);
    put_u32 (m.kv, GT_STRING);
    put_u64 (m.kv, ftc_bpe_n_merges (bpe));
    for (guint r = 0; r < ftc_bpe_n_merges (bpe); r++)
      {
        const char *a, *b;
        g_autofree char *s = NULL;
        ftc_bpe_merge (bpe, r, &a, &b);
        s = g_strconcat (a, " ", b, NULL);
        put_str (m.kv, s);
      }
    if (spec->llama.n_eos > 0)
      kv_u32 (&m, "tokenizer.ggml.eos_token_id", (guint32) spec->llama.eos_ids[0]);
    else if (ftc_tokenizer_eot_id (tokenizer) >= 0)
      kv_u32 (&m, "tokenizer.ggml.eos_token_id", (guint32) ftc_tokenizer_eot_id (tokenizer));
    if (spec->llama.bos_id >= 0)
      kv_u32 (&m, "tokenizer.ggml.bos_token_id", (guint32) spec->llama.bos_id);
    kv_bool (&m, "tokenizer.ggml.add_bos_token", FALSE);
  }

  /* ---- header: magic, version, counts, metadata, tensor infos (dims innermost first) ---- */
  put (head, "GGUF", 4);
  put_u32 (head, 3);
  put_u64 (head, tensors->len);
  put_u64 (head, m.n_kv);
  put (head, m.kv->data, m.kv->len);
  for (guint i = 0; i < tensors->len; i++)
    {
      Tensor *t = &g_array_index (tensors, Tensor, i);
      gboolean matrix = t->cols > 0;
      t->type = matrix && type == FTC_GGUF_F16 ? GGML_F16 : GGML_F32;
      t->bytes = (guint64) t->rows * (matrix ? t->cols : 1) * (t->type == GGML_F16 ? 2 : 4);
      t->offset = offset;
      offset += (t->bytes + ALIGN - 1) / ALIGN * ALIGN;
      put_str (head, t->name);
      put_u32 (head, matrix ? 2 : 1);
      if (matrix)
        {
          put_u64 (head, t->cols);
          put_u64 (head, t->rows);
        }
      else
        put_u64 (head, t->rows);
      put_u32 (head, t->type);
      put_u64 (head, t->offset);
    }
  while (head->len % ALIGN != 0)
    g_byte_array_append (head, (const guint8 *) "", 1);

  /* ---- data ---- */
  f = g_fopen (tmp, "wb");
  if (f == NULL || fwrite (head->data, 1, head->len, f) != head->len)
    goto io_error;
  for (guint i = 0; i < tensors->len; i++)
    {
      Tensor *t = &g_array_index (tensors, Tensor, i);
      gint64 cols = t->cols > 0 ? t->cols : 1;
      g_autofree guint8 *row = g_malloc (cols * 4);
      static const guint8 zeros[ALIGN] = { 0 };
      for (gint64 r = 0; r < t->rows; r++)
        {
          /* a permuted vector (bias) moves single values: each "row" of one */
          gint64 src = t->permute_heads > 0 ? permuted_row (r, t->rows, t->permute_heads) : r;
          const float *x = t->data + src * cols;
          gsize nbytes;
          if (t->type == GGML_F16)
            {
              guint16 *h = (guint16 *) row;
              for (gint64 k = 0; k < cols; k++)
                h[k] = GUINT16_TO_LE (ftc_f32_to_f16 (x[k]));
              nbytes = cols * 2;
            }
          else
            {
              memcpy (row, x, cols * 4);
              nbytes = cols * 4;
            }
          if (fwrite (row, 1, nbytes, f) != nbytes)
            goto io_error;
        }
      if (t->bytes % ALIGN != 0 && fwrite (zeros, 1, ALIGN - t->bytes % ALIGN, f) != ALIGN - t->bytes % ALIGN)
        goto io_error;
    }
  if (fflush (f) != 0 || fsync (fileno (f)) != 0 || fclose (f) != 0)
    {
      f = NULL;
      goto io_error;
    }
  f = NULL;
  if (g_rename (tmp, path) != 0)
    goto io_error;
  ok = TRUE;
  goto out;

io_error:
  {
    int saved = errno;
    g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: cannot write: %s", path, g_strerror (saved));
    if (f != NULL)
      fclose (f);
    g_unlink (tmp);
  }
out:
  g_byte_array_unref (m.kv);
  return ok;
}
