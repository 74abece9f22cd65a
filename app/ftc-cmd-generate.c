/* ftcot generate: text from a model folder, one prompt or a JSONL file of prompts, with the KV cache. */
#include <stdio.h>
#include <string.h>

#include "app/ftc-cli.h"
#include "core/ftc-devices.h"
#include "core/ftc-error.h"
#include "core/ftc-json-out.h"
#include "core/ftc-jsonl.h"
#include "core/students/ftc-generate.h"
#include "core/students/ftc-model-dir.h"

static JsonNode *
ids_node (GArray *ids)
{
  JsonArray *a = json_array_sized_new (ids->len);
  for (guint i = 0; i < ids->len; i++)
    json_array_add_int_element (a, g_array_index (ids, gint32, i));
  return json_node_init_array (json_node_alloc (), a);
}

static JsonObject *
generation_object (FtcGeneration *g, JsonObject *input)
{
  JsonObject *o = json_object_new ();
  if (input != NULL && json_object_has_member (input, "id"))
    json_object_set_member (o, "id", json_node_copy (json_object_get_member (input, "id")));
  if (input != NULL)
    json_object_set_member (o, "prompt", json_node_copy (json_object_get_member (input, "prompt")));
  json_object_set_member (o, "prompt_ids", ids_node (g->prompt_ids));
  json_object_set_member (o, "generated_ids", ids_node (g->generated_ids));
  json_object_set_string_member (o, "text", g->text);
  json_object_set_string_member (o, "finish_reason", g->finish_reason);
  return o;
}

/* Reads {"prompt": ...} lines (other members such as "id" are carried over). */
static GPtrArray *
read_jsonl (const char *path, GError **error)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr (FtcJsonlReader) reader = ftc_jsonl_reader_open (path, error);
  g_autoptr (GError) local = NULL;
  JsonObject *obj;

  if (reader == NULL)
    return NULL;
  /* a file written whole: a malformed last line is reported */
  ftc_jsonl_reader_set_ignore_torn (reader, FALSE);
  while ((obj = ftc_jsonl_reader_next (reader, &local)) != NULL)
    {
      JsonNode *prompt = json_object_get_member (obj, "prompt");

      g_ptr_array_add (out, obj);
      if (prompt == NULL || !JSON_NODE_HOLDS_VALUE (prompt) || json_node_get_value_type (prompt) != G_TYPE_STRING)
        {
          ftc_jsonl_reader_fail (reader, error, FTC_ERROR_INVALID, "expected an object with a \"prompt\" string");
          return NULL;
        }
    }
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  return g_steal_pointer (&out);
}

int
ftc_cmd_generate (int argc, char **argv)
{
  g_autofree char *model_dir = NULL, *prompt = NULL, *input = NULL, *device = NULL;
  g_auto (GStrv) stop = NULL;
  int max_new = 128, top_k = 0, batch_size = 8;
  double temperature = 0, top_p = 1;
  gint64 seed = 0;
  gboolean json = FALSE, no_cache = FALSE, no_eot = FALSE;
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_dir, "Model folder (Hugging Face GPT-2 layout)", "DIR" },
    { "prompt", 'p', 0, G_OPTION_ARG_STRING, &prompt, "The prompt", "TEXT" },
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &input, "JSONL file of {\"prompt\": ...} lines; writes JSONL", "FILE" },
    { "max-new-tokens", 'n', 0, G_OPTION_ARG_INT, &max_new, "Tokens to generate at most (128)", "N" },
    { "temperature", 't', 0, G_OPTION_ARG_DOUBLE, &temperature, "Sampling temperature (0: greedy)", "T" },
    { "top-k", 0, 0, G_OPTION_ARG_INT, &top_k, "Sample among the K likeliest tokens (0: all)", "K" },
    { "top-p", 0, 0, G_OPTION_ARG_DOUBLE, &top_p, "Nucleus sampling mass (1: off)", "P" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Random seed for sampling (0)", "SEED" },
    { "stop", 0, 0, G_OPTION_ARG_STRING_ARRAY, &stop, "Stop before this text (repeatable), e.g. \" END\"", "TEXT" },
    { "no-eot-stop", 0, 0, G_OPTION_ARG_NONE, &no_eot, "Keep going past the end-of-text token", NULL },
    { "batch-size", 'b', 0, G_OPTION_ARG_INT, &batch_size, "Prompts per pass (8)", "N" },
    { "device", 'd', 0, G_OPTION_ARG_STRING, &device, "cpu, opencl, opencl:N (default: $FTCOT_DEVICE or the "
      "first GPU)", "SPEC" },
    { "no-cache", 0, 0, G_OPTION_ARG_NONE, &no_cache, "Recompute the whole sequence every step (slow; for checks)",
      NULL },
    { "json", 'j', 0, G_OPTION_ARG_NONE, &json, "Print one JSON object: prompt_ids, generated_ids, text", NULL },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcModelDir) md = NULL;
  g_autoptr (FtcGenerator) gen = NULL;
  g_autoptr (GPtrArray) inputs = NULL;
  g_autoptr (GPtrArray) prompts = g_ptr_array_new ();
  g_autoptr (GPtrArray) out = NULL;
  FtcBackend *be = NULL;
  FtcModel *model = NULL;
  gint32 eos[FTC_LLAMA_MAX_EOS + 1];
  FtcGenerateOptions o;

  if (!ftc_cli_parse ("generate", "", "Generate text from a model folder.", entries, &argc, &argv))
    return FTC_EXIT_USAGE;
  if (model_dir == NULL)
    return ftc_cli_usage_error ("generate", "--model DIR is required");
  if ((prompt == NULL) == (input == NULL))
    return ftc_cli_usage_error ("generate", "give exactly one of --prompt TEXT and --input FILE.jsonl");
  if (max_new < 0 || batch_size < 1 || temperature < 0 || top_k < 0 || top_p <= 0 || top_p > 1)
    return ftc_cli_usage_error ("generate", "need --max-new-tokens >= 0, --batch-size >= 1, --temperature >= 0, "
                                "--top-k >= 0 and --top-p in (0, 1]");

  if (input != NULL)
    {
      if ((inputs = read_jsonl (input, &error)) == NULL)
        return ftc_cli_error ("generate", error);
      for (guint i = 0; i < inputs->len; i++)
        g_ptr_array_add (prompts, (gpointer) json_object_get_string_member (g_ptr_array_index (inputs, i), "prompt"));
    }
  else
    g_ptr_array_add (prompts, prompt);

  if ((md = ftc_model_dir_load (model_dir, &error)) == NULL)
    return ftc_cli_error ("generate", error);
  if ((be = ftc_device_open (device, &error)) == NULL)
    return ftc_cli_error ("generate", error);
  if (md->tokenizer == NULL)
    {
      g_set_error (&error, FTC_ERROR, FTC_ERROR_NOT_FOUND, "%s: the model has no tokenizer files", model_dir);
      goto fail;
    }
  if ((model = ftc_model_dir_to_engine (md, be, &error)) == NULL
      || (gen = ftc_generator_new (model, md->tokenizer, &error)) == NULL)
    goto fail;
  ftc_generator_set_eos (gen, eos, ftc_model_spec_eos_ids (&md->spec, md->tokenizer, eos, G_N_ELEMENTS (eos)));

  ftc_generate_options_init (&o);
  o.max_new_tokens = max_new;
  o.temperature = temperature;
  o.top_k = top_k;
  o.top_p = top_p;
  o.seed = (guint64) seed;
  o.stop = (const char *const *) stop;
  o.stop_at_eot = !no_eot;
  o.batch_size = batch_size;
  o.use_cache = !no_cache;
  out = ftc_generator_run (gen, (const char *const *) prompts->pdata, prompts->len, &o, &error);
  if (out == NULL)
    goto fail;

  if (inputs != NULL)
    {
      for (guint i = 0; i < out->len; i++)
        {
          JsonObject *obj = generation_object (g_ptr_array_index (out, i), g_ptr_array_index (inputs, i));
          g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), obj);
          g_autofree char *line = NULL;
          json_object_unref (obj);
          line = ftc_json_to_compact (node);
          fputs (line, stdout);
          fputc ('\n', stdout);
        }
      fflush (stdout);
    }
  else if (json)
    {
      JsonObject *obj = generation_object (g_ptr_array_index (out, 0), NULL);
      g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), obj);
      json_object_unref (obj);
      ftc_cli_print_json (node);
    }
  else
    {
      FtcGeneration *g = g_ptr_array_index (out, 0);
      fputs (g->text, stdout);
      fputc ('\n', stdout);
      fflush (stdout);
    }
  g_clear_pointer (&gen, ftc_generator_free);
  ftc_model_free (model);
  ftc_backend_free (be);
  return FTC_EXIT_OK;

fail:
  g_clear_pointer (&gen, ftc_generator_free);
  ftc_model_free (model);
  ftc_backend_free (be);
  return ftc_cli_error ("generate", error);
}
