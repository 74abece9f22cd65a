#include "core/students/ftc-generate.h"

#include <math.h>
#include <string.h>

#include "core/ftc-error.h"

struct FtcGenerator {
  FtcModel *model;
  FtcTokenizer *tokenizer;
  FtcBackend *be;
  int V, Vp, maxT;
  gint32 eos[16];                   /* the ids a row stops at (stop_at_eot) */
  int n_eos;
  float *host_logits;
  size_t host_logits_len;
  gboolean no_cache_ops;            /* the backend lacks the KV-cache ops */
};

void
ftc_generate_options_init (FtcGenerateOptions *o)
{
  memset (o, 0, sizeof *o);
  o->max_new_tokens = 128;
  o->temperature = 0.0f;
  o->top_p = 1.0f;
  o->stop_at_eot = TRUE;
  o->batch_size = 8;
  o->use_cache = TRUE;
}

void
ftc_generation_free (FtcGeneration *g)
{
  if (g == NULL)
    return;
  g_array_unref (g->prompt_ids);
  g_array_unref (g->generated_ids);
  g_free (g->text);
  if (g->logits != NULL)
    g_array_unref (g->logits);
  g_free (g);
}

void
ftc_generator_free (FtcGenerator *gen)
{
  if (gen == NULL)
    return;
  /* the model keeps its decoding caches for the next generator; they go with the model */
  g_free (gen->host_logits);
  g_free (gen);
}

static gboolean
compute_error (FtcGenerator *gen, FtcStatus status, GError **error)
{
  return ftc_error_set_compute (error, status, ftc_backend_last_error (gen->be), "generation: %s",
                                ftc_status_name (status));
}

FtcGenerator *
ftc_generator_new (FtcModel *model, FtcTokenizer *tokenizer, GError **error)
{
  FtcGenerator *gen;

  if (ftc_tokenizer_vocab_size (tokenizer) > (guint) ftc_model_vocab_size (model))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "generate: the tokenizer has %u tokens, the model only "
                   "%d", ftc_tokenizer_vocab_size (tokenizer), ftc_model_vocab_size (model));
      return NULL;
    }
  gen = g_new0 (FtcGenerator, 1);
  gen->model = model;
  gen->tokenizer = tokenizer;
  gen->be = ftc_model_backend (model);
  gen->V = ftc_model_vocab_size (model);
  gen->Vp = ftc_model_padded_vocab_size (model);
  gen->maxT = ftc_model_max_seq_len (model);
  if (ftc_tokenizer_eot_id (tokenizer) >= 0)
    gen->eos[gen->n_eos++] = ftc_tokenizer_eot_id (tokenizer);
  return gen;
}

void
ftc_generator_set_eos (FtcGenerator *gen, const gint32 *ids, int n)
{
  gen->n_eos = 0;
  for (int i = 0; i < n && gen->n_eos < (int) G_N_ELEMENTS (gen->eos); i++)
    gen->eos[gen->n_eos++] = ids[i];
}

#define CHECK(expr) do { FtcStatus s_ = (expr); if (s_ != FTC_OK) return s_; } while (0)

/* Runs T tokens per row through the model at positions pos[b].., extending the cache, and leaves in
 * host_logits (B,Vp) the logits after token last[b] of each row. */
static FtcStatus
pass_forward (FtcGenerator *gen, const gint32 *inp, const gint32 *pos, const int *last, int B, int T)
{
  if (gen->host_logits_len < (size_t) B * gen->Vp)
    {
      g_free (gen->host_logits);
      gen->host_logits = g_new (float, (size_t) B * gen->Vp);
      gen->host_logits_len = (size_t) B * gen->Vp;
    }
  return ftc_model_decode (gen->model, inp, pos, last, B, T, gen->host_logits);
}

/* ---- sampling ---- */

static guint64
splitmix64 (guint64 *state)
{
  guint64 z = (*state += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

static double
uniform (guint64 *state)
{
  return (splitmix64 (state) >> 11) * (1.0 / 9007199254740992.0);
}

typedef struct {
  float logit;
  gint32 id;
} Candidate;

static int
compare_candidates (gconstpointer a, gconstpointer b)
{
  const Candidate *x = a, *y = b;
  if (x->logit != y->logit)
    return x->logit > y->logit ? -1 : 1;
  return x->id - y->id;
}

static gint32
sample (const float *logits, int V, const FtcGenerateOptions *o, guint64 *rng, Candidate *scratch)
{
  int n = V;
  double total = 0, u, acc = 0;

  if (o->temperature <= 0.0f)
    {
      gint32 best = 0;
      for (int i = 1; i < V; i++)
        if (logits[i] > logits[best])
          best = i;
      return best;
    }
  for (int i = 0; i < V; i++)
    scratch[i] = (Candidate) { logits[i] / o->temperature, i };
  if ((o->top_k > 0 && o->top_k < V) || o->top_p < 1.0f)
    {
      qsort (scratch, V, sizeof (Candidate), compare_candidates);
      if (o->top_k > 0 && o->top_k < V)
        n = o->top_k;
    }
  {
    float maxval = -INFINITY;
    for (int i = 0; i < n; i++)
      maxval = MAX (maxval, scratch[i].logit);
    for (int i = 0; i < n; i++)
      {
        scratch[i].logit = expf (scratch[i].logit - maxval);
        total += scratch[i].logit;
      }
  }
  if (o->top_p < 1.0f)
    {
      /* the smallest prefix of the sorted tokens whose probability reaches top_p */
      double cum = 0;
      int keep = 0;
      while (keep < n)
        {
          cum += scratch[keep++].logit / total;
          if (cum >= o->top_p)
            break;
        }
      n = MAX (keep, 1);
      total = 0;
      for (int i = 0; i < n; i++)
        total += scratch[i].logit;
    }
  u = uniform (rng) * total;
  for (int i = 0; i < n; i++)
    {
      acc += scratch[i].logit;
      if (u < acc)
        return scratch[i].id;
    }
  return scratch[n - 1].id;
}

/* ---- rows ---- */

typedef struct {
  FtcGeneration *out;
  GString *raw;         /* generated bytes so far (stop strings are searched here) */
  guint64 rng;
  int len;              /* prompt length */
  int max_new;          /* within the context */
  gboolean done;
} Row;

static const char *
find_bytes (const char *hay, gsize hay_len, const char *needle, gsize needle_len)
{
  if (needle_len == 0 || needle_len > hay_len)
    return NULL;
  for (gsize i = 0; i + needle_len <= hay_len; i++)
    if (hay[i] == needle[0] && memcmp (hay + i, needle, needle_len) == 0)
      return hay + i;
  return NULL;
}

/* Records token id for row r; returns TRUE when the row is finished. */
static gboolean
row_push (FtcGenerator *gen, Row *r, gint32 id, const float *logits, const FtcGenerateOptions *o)
{
  gsize before = r->raw->len;

  g_array_append_val (r->out->generated_ids, id);
  if (o->keep_logits)
    g_array_append_vals (r->out->logits, logits, gen->V);
  for (int i = 0; o->stop_at_eot && i < gen->n_eos; i++)
    if (id == gen->eos[i])
      {
        r->out->finish_reason = "eot";
        return TRUE;
      }
  if (id < (gint32) ftc_tokenizer_vocab_size (gen->tokenizer))
    {
      gsize n;
      g_autofree char *bytes = ftc_tokenizer_decode (gen->tokenizer, &id, 1, &n, NULL);
      g_string_append_len (r->raw, bytes, n);
    }
  for (int s = 0; o->stop != NULL && o->stop[s] != NULL; s++)
    {
      gsize sl = strlen (o->stop[s]);
      gsize from = before >= sl ? before - sl + 1 : 0;
      const char *hit = find_bytes (r->raw->str + from, r->raw->len - from, o->stop[s], sl);
      if (hit != NULL)
        {
          g_string_truncate (r->raw, hit - r->raw->str);
          r->out->finish_reason = "stop";
          return TRUE;
        }
    }
  if ((int) r->out->generated_ids->len >= r->max_new)
    {
      r->out->finish_reason = "length";
      return TRUE;
    }
  return FALSE;
}

static int
argmax_row_len (Row *rows, int B)
{
  int m = 0;
  for (int b = 0; b < B; b++)
    m = MAX (m, rows[b].len);
  return m;
}

/* One batch of rows with the KV cache. */
static gboolean
run_cached (FtcGenerator *gen, Row *rows, int B, const FtcGenerateOptions *o, GError **error)
{
  int Vp = gen->Vp, V = gen->V;
  int Tp = argmax_row_len (rows, B), Tc = 0, active = B;
  g_autofree gint32 *inp = g_new0 (gint32, (size_t) B * Tp);
  g_autofree gint32 *pos = g_new0 (gint32, B);
  g_autofree int *last = g_new (int, B);
  g_autofree int *zero = g_new0 (int, B);
  g_autofree Candidate *scratch = g_new (Candidate, V);
  FtcStatus s;

  for (int b = 0; b < B; b++)
    {
      Tc = MAX (Tc, rows[b].len + rows[b].max_new);
      memcpy (inp + (size_t) b * Tp, rows[b].out->prompt_ids->data, rows[b].len * sizeof (gint32));
      last[b] = rows[b].len - 1;
    }
  Tc = MIN (Tc, gen->maxT);
  /* prefill: every prompt in one pass (right-padded with token 0: the padding's keys and values land in
   * slots each row overwrites before it reads them) */
  if ((s = ftc_model_decode_begin (gen->model, B, Tc)) != FTC_OK || (s = pass_forward (gen, inp, pos, last, B, Tp)) != FTC_OK)
    {
      if (s == FTC_ERR_UNSUPPORTED)
        {
          /* a backend without the KV-cache ops: the full forward every step still works */
          gen->no_cache_ops = TRUE;
          return TRUE;
        }
      return compute_error (gen, s, error);
    }

  while (active > 0)
    {
      for (int b = 0; b < B; b++)
        {
          Row *r = &rows[b];
          const float *logits = gen->host_logits + (size_t) b * Vp;
          if (r->done)
            continue;
          gint32 id = sample (logits, V, o, &r->rng, scratch);
          if (row_push (gen, r, id, logits, o))
            {
              r->done = TRUE;
              active--;
            }
          /* a finished row keeps rewriting its last slot, which nobody reads any more */
          inp[b] = id;
          pos[b] = MIN (r->len + (int) r->out->generated_ids->len - 1, Tc - 1);
        }
      if (active == 0)
        break;
      if ((s = pass_forward (gen, inp, pos, zero, B, 1)) != FTC_OK)
        return compute_error (gen, s, error);
    }
  return TRUE;
}

/* One row without a cache: the whole sequence through ftc_gpt2_forward every step (the reference). */
static gboolean
run_uncached (FtcGenerator *gen, Row *r, const FtcGenerateOptions *o, GError **error)
{
  int Vp = gen->Vp, V = gen->V;
  g_autoptr (GArray) seq = g_array_copy (r->out->prompt_ids);
  g_autofree Candidate *scratch = g_new (Candidate, V);
  g_autofree float *logits = NULL;
  FtcStatus s;

  for (;;)
    {
      int T = seq->len;
      g_free (logits);
      logits = g_new (float, (size_t) T * Vp);
      if ((s = ftc_model_forward (gen->model, (gint32 *) seq->data, NULL, NULL, 1, T, NULL)) != FTC_OK
          || (s = ftc_model_read_logits (gen->model, logits, (size_t) T * Vp)) != FTC_OK)
        return compute_error (gen, s, error);
      const float *row = logits + (size_t) (T - 1) * Vp;
      gint32 id = sample (row, V, o, &r->rng, scratch);
      if (row_push (gen, r, id, row, o))
        return TRUE;
      g_array_append_val (seq, id);
    }
}

static int
compare_rows_by_len (gconstpointer a, gconstpointer b)
{
  const Row *x = *(Row *const *) a, *y = *(Row *const *) b;
  return x->len - y->len;
}

GPtrArray *
ftc_generator_run_ids (FtcGenerator *gen, GArray *const *prompts, guint n, const FtcGenerateOptions *o,
                       GError **error)
{
  g_autoptr (GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) ftc_generation_free);
  g_autofree Row *rows = g_new0 (Row, MAX (n, 1));
  g_autofree Row **order = g_new (Row *, MAX (n, 1));
  int maxT = gen->maxT, batch = MAX (o->batch_size, 1);
  gboolean ok = TRUE;

  if (o->temperature < 0 || o->top_p <= 0 || o->top_p > 1 || o->top_k < 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "temperature must be >= 0, top_p in (0, 1], "
                   "top_k >= 0");
      return NULL;
    }
  for (guint i = 0; i < n; i++)
    {
      Row *r = &rows[i];
      GArray *ids = prompts[i];
      if (ids->len == 0)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "prompt %u is empty", i);
          return NULL;
        }
      if ((int) ids->len >= maxT)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "prompt %u has %u tokens; the model's "
                       "context is %d tokens, so at most %d fit with room to generate", i, ids->len, maxT,
                       maxT - 1);
          return NULL;
        }
      for (guint j = 0; j < ids->len; j++)
        if (g_array_index (ids, gint32, j) < 0 || g_array_index (ids, gint32, j) >= gen->V)
          {
            g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "prompt %u: token %d at position %u is "
                         "outside the vocabulary", i, g_array_index (ids, gint32, j), j);
            return NULL;
          }
      r->out = g_new0 (FtcGeneration, 1);
      r->out->prompt_ids = g_array_copy (ids);
      r->out->generated_ids = g_array_new (FALSE, FALSE, sizeof (gint32));
      r->out->logits = o->keep_logits ? g_array_new (FALSE, FALSE, sizeof (float)) : NULL;
      r->out->finish_reason = "length";
      r->raw = g_string_new (NULL);
      r->rng = o->seeds != NULL ? o->seeds[i] ^ G_GUINT64_CONSTANT (0xD1B54A32D192ED03)
                                : o->seed ^ (G_GUINT64_CONSTANT (0xD1B54A32D192ED03) * (i + 1));
      r->len = ids->len;
      r->max_new = MIN (o->max_new_tokens, maxT - r->len);
      r->done = r->max_new <= 0;
      g_ptr_array_add (results, r->out);
      order[i] = r;
    }

  /* similar lengths together: less padding in the prefill */
  qsort (order, n, sizeof (Row *), compare_rows_by_len);
  for (guint start = 0; ok && start < n; start += batch)
    {
      int B = MIN ((guint) batch, n - start);
      if (o->max_new_tokens <= 0)
        break;
      if (o->use_cache)
        {
          g_autofree Row *chunk = g_new (Row, B);
          for (int b = 0; b < B; b++)
            chunk[b] = *order[start + b];
          if (!gen->no_cache_ops)
            ok = run_cached (gen, chunk, B, o, error);
          if (gen->no_cache_ops)
            for (int b = 0; ok && b < B; b++)
              ok = run_uncached (gen, &chunk[b], o, error);
          for (int b = 0; b < B; b++)
            *order[start + b] = chunk[b];
        }
      else
        for (int b = 0; ok && b < B; b++)
          ok = run_uncached (gen, order[start + b], o, error);
    }
  for (guint i = 0; i < n; i++)
    {
      rows[i].out->text = g_utf8_make_valid (rows[i].raw->str, rows[i].raw->len);
      g_string_free (rows[i].raw, TRUE);
    }
  return ok ? g_steal_pointer (&results) : NULL;
}

GPtrArray *
ftc_generator_run (FtcGenerator *gen, const char *const *prompts, guint n, const FtcGenerateOptions *o,
                   GError **error)
{
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);

  for (guint i = 0; i < n; i++)
    {
      GArray *a = g_array_new (FALSE, FALSE, sizeof (gint32));
      g_autoptr (GError) local = NULL;
      g_ptr_array_add (ids, a);
      if (!ftc_tokenizer_encode (gen->tokenizer, prompts[i], -1, a, &local))
        {
          g_set_error (error, FTC_ERROR, local->code, "prompt %u: %s", i, local->message);
          return NULL;
        }
    }
  return ftc_generator_run_ids (gen, (GArray *const *) ids->pdata, n, o, error);
}
