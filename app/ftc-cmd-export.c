/* ftc-cmd-export.c: `ftcot export --model DIR --format hf|gguf --out PATH`: a model folder (a fine-tuned
 * student's checkpoint, or any folder ftcot reads) as a clean Hugging Face folder, or as one GGUF file for
 * llama.cpp and Ollama (core/students/ftc-gguf.h), optionally with an Ollama Modelfile beside it. */
#include <string.h>

#include "app/ftc-cli.h"
#include "core/ftc-error.h"
#include "core/ftc-json-out.h"
#include "core/students/ftc-gguf.h"
#include "core/students/ftc-model-dir.h"

int
ftc_cmd_export (int argc, char **argv)
{
  g_autofree char *model_dir = NULL, *format = NULL, *out = NULL, *type = NULL;
  gboolean modelfile = FALSE;
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_dir, "Model folder (config.json, weights, tokenizer)", "DIR" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "hf (a Hugging Face folder) or gguf (one file)", "FORMAT" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "The folder (hf) or file (gguf) to write", "PATH" },
    { "type", 't', 0, G_OPTION_ARG_STRING, &type, "gguf: f32 (default) or f16 matrices", "TYPE" },
    { "modelfile", 0, 0, G_OPTION_ARG_NONE, &modelfile, "gguf: also write an Ollama Modelfile beside the file",
      NULL },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcModelDir) md = NULL;
  FtcGgufType gtype = FTC_GGUF_F32;

  if (!ftc_cli_parse ("export", "", "Write a model folder as a Hugging Face folder or a GGUF file.", entries,
                      &argc, &argv))
    return FTC_EXIT_USAGE;
  if (model_dir == NULL || out == NULL || format == NULL)
    return ftc_cli_usage_error ("export", "--model DIR, --format hf|gguf and --out PATH are required");
  if (strcmp (format, "hf") != 0 && strcmp (format, "gguf") != 0)
    return ftc_cli_usage_error ("export", "unknown --format '%s': use hf or gguf", format);
  if (type != NULL && strcmp (type, "f32") != 0 && strcmp (type, "f16") != 0)
    return ftc_cli_usage_error ("export", "unknown --type '%s': use f32 or f16", type);
  if (type != NULL && strcmp (type, "f16") == 0)
    gtype = FTC_GGUF_F16;
  if ((md = ftc_model_dir_load (model_dir, &error)) == NULL)
    return ftc_cli_error ("export", error);
  if (strcmp (format, "hf") == 0)
    {
      if (!ftc_model_dir_save (out, &md->spec, md->params, md->n_params, md->tokenizer, &error))
        return ftc_cli_error ("export", error);
      return FTC_EXIT_OK;
    }
  {
    g_autofree char *name = g_path_get_basename (model_dir);
    if (!ftc_gguf_export (&md->spec, md->params, md->n_params, md->tokenizer, gtype, name, out, &error))
      return ftc_cli_error ("export", error);
  }
  if (modelfile)
    {
      g_autofree char *dir = g_path_get_dirname (out);
      g_autofree char *base = g_path_get_basename (out);
      g_autofree char *path = g_build_filename (dir, "Modelfile", NULL);
      /* greedy, as ftcot evaluates; the prompt is passed through as written (the student's own format) */
      g_autofree char *text = g_strdup_printf ("FROM ./%s\nTEMPLATE \"{{ .Prompt }}\"\nPARAMETER temperature 0\n", base);
      if (!ftc_file_write_atomic (path, text, -1, &error))
        return ftc_cli_error ("export", error);
    }
  return FTC_EXIT_OK;
}
