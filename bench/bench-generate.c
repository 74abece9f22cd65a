/* bench-generate: tokens per second of batched greedy generation with the KV cache, random weights.
 *
 *   bench-generate [--preset gpt2|tiny] [--batch B] [--prompt-len P] [--new N] [--device D] [--no-cache]
 *
 * Every prompt has P random tokens; each row generates exactly N tokens (no end-of-text stop). Prints one
 * JSON object (tokens_per_s counts generated tokens only, prefill included in the time). */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "core/students/ftc-generate.h"
#include "core/students/ftc-model-dir.h"

int
main (int argc, char **argv)
{
  g_autofree char *preset = g_strdup ("tiny"), *device = g_strdup ("cpu");
  int batch = 8, prompt_len = 32, n_new = 32;
  gboolean no_cache = FALSE;
  GOptionEntry entries[] = {
    { "preset", 0, 0, G_OPTION_ARG_STRING, &preset, "gpt2 (124M shapes) or tiny (L=2, C=128, V=128)", "P" },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch, "Prompts", "B" },
    { "prompt-len", 0, 0, G_OPTION_ARG_INT, &prompt_len, "Tokens per prompt", "P" },
    { "new", 0, 0, G_OPTION_ARG_INT, &n_new, "Tokens generated per prompt", "N" },
    { "device", 0, 0, G_OPTION_ARG_STRING, &device, "Device spec", "D" },
    { "no-cache", 0, 0, G_OPTION_ARG_NONE, &no_cache, "Full forward every step", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("");
  g_autoptr (GError) error = NULL;
  const FtcModelPreset *p;
  FtcGpt2Config c;
  FtcBackend *be = NULL;
  FtcModel *model = NULL;
  FtcModelConfig mc;
  char err[512];
  const char *chars[] = { "ab" };
  g_autoptr (FtcTokenizer) tok = NULL;
  g_autoptr (FtcGenerator) gen = NULL;
  g_autoptr (GPtrArray) prompts = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr (GPtrArray) out = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (1);
  FtcGenerateOptions o;
  gint64 t0, t1;
  guint generated = 0;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("bench-generate: %s\n", error->message);
      return 2;
    }
  p = ftc_model_preset_lookup (preset);
  if (p == NULL)
    {
      g_printerr ("bench-generate: unknown preset %s\n", preset);
      return 2;
    }
  c = p->config;
  if (c.vocab_size == 0)
    c.vocab_size = 128;
  if (ftc_backend_open (device, &be, err, sizeof err) != FTC_OK || (mc = ftc_model_config_gpt2 (&c), ftc_model_new (be, &mc, &model)) != FTC_OK
      || ftc_model_init_random (model, 42) != FTC_OK)
    {
      g_printerr ("bench-generate: %s\n", be != NULL ? ftc_backend_last_error (be) : err);
      return 1;
    }
  /* the tokenizer only decodes text here; ids beyond it are generated all the same */
  tok = ftc_tokenizer_new_char (ftc_char_tokenizer_build (chars, 1, NULL));
  gen = ftc_generator_new (model, tok, &error);
  for (int b = 0; b < batch; b++)
    {
      GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint32));
      for (int t = 0; t < prompt_len; t++)
        {
          gint32 id = g_rand_int_range (rand, 1, c.vocab_size);
          g_array_append_val (ids, id);
        }
      g_ptr_array_add (prompts, ids);
    }
  ftc_generate_options_init (&o);
  o.max_new_tokens = n_new;
  o.stop_at_eot = FALSE;
  o.batch_size = batch;
  o.use_cache = !no_cache;
  t0 = g_get_monotonic_time ();
  out = ftc_generator_run_ids (gen, (GArray *const *) prompts->pdata, prompts->len, &o, &error);
  t1 = g_get_monotonic_time ();
  if (out == NULL)
    {
      g_printerr ("bench-generate: %s\n", error->message);
      return 1;
    }
  for (guint i = 0; i < out->len; i++)
    generated += ((FtcGeneration *) g_ptr_array_index (out, i))->generated_ids->len;
  printf ("{\"peer\": \"ftcot %s%s\", \"preset\": \"%s\", \"batch\": %d, \"prompt_len\": %d, \"new_tokens\": %d, "
          "\"seconds\": %.4f, \"tokens_per_s\": %.2f}\n", ftc_backend_device (be)->spec, no_cache ? " no-cache" : "",
          preset, batch, prompt_len, n_new, (t1 - t0) / 1e6, generated / ((t1 - t0) / 1e6));
  g_clear_pointer (&gen, ftc_generator_free);
  ftc_model_free (model);
  ftc_backend_free (be);
  return 0;
}
