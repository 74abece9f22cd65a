#include "core/method/ftc-finetune.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "core/ftc-error.h"
#include "core/ftc-json-in.h"
#include "core/ftc-json-out.h"
#include "core/ftc-jsonl.h"

void
ftc_finetune_sample_free (FtcFinetuneSample *sample)
{
  if (sample == NULL)
    return;
  g_free (sample->sample_id);
  g_free (sample->prompt);
  g_free (sample->completion);
  g_free (sample);
}

static char *
stripped (const char *s)
{
  return g_strstrip (g_strdup (s != NULL ? s : ""));
}

static const char *const format_names[] = { "paper", "chatml", "llama3" };
static const char *const format_stops[] = { FTC_FINETUNE_STOP, "<|im_end|>", "<|eot_id|>" };

const char *
ftc_prompt_format_to_string (FtcPromptFormat format)
{
  return format_names[format];
}

gboolean
ftc_prompt_format_parse (const char *name, FtcPromptFormat *format)
{
  for (gsize i = 0; name != NULL && i < G_N_ELEMENTS (format_names); i++)
    if (strcmp (name, format_names[i]) == 0)
      {
        *format = (FtcPromptFormat) i;
        return TRUE;
      }
  return FALSE;
}

const char *
ftc_prompt_format_stop (FtcPromptFormat format)
{
  return format_stops[format];
}

char *
ftc_finetune_prompt_as (FtcPromptFormat prompt_format, const char *question)
{
  g_autofree char *q = stripped (question);

  switch (prompt_format)
    {
    case FTC_PROMPT_CHATML:
      return g_strconcat ("<|im_start|>user\n", q, "<|im_end|>\n<|im_start|>assistant\n", NULL);
    case FTC_PROMPT_LLAMA3:
      return g_strconcat ("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n", q,
                          "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n", NULL);
    case FTC_PROMPT_PAPER:
    default:
      return g_strconcat (q, FTC_FINETUNE_PROMPT_SUFFIX, NULL);
    }
}

char *
ftc_finetune_prompt (const char *question)
{
  return ftc_finetune_prompt_as (FTC_PROMPT_PAPER, question);
}

FtcFinetuneSample *
ftc_finetune_sample_new_as (FtcPromptFormat prompt_format, FtcFinetuneFormat format, const char *sample_id,
                            int completion_index, const char *question, const char *rationale, const char *answer)
{
  FtcFinetuneSample *sample = g_new0 (FtcFinetuneSample, 1);
  g_autofree char *a = stripped (answer);
  /* the paper's completion starts with a space after " ###"; a chat turn starts the text right away */
  const char *lead = prompt_format == FTC_PROMPT_PAPER ? " " : "";
  const char *stop = ftc_prompt_format_stop (prompt_format);

  sample->sample_id = g_strdup (sample_id);
  sample->completion_index = completion_index;
  sample->prompt = ftc_finetune_prompt_as (prompt_format, question);
  if (format == FTC_FINETUNE_COT)
    {
      g_autofree char *r = stripped (rationale);
      sample->completion = g_strconcat (lead, r, FTC_FINETUNE_ANSWER_MARK, a, stop, NULL);
    }
  else
    sample->completion = g_strconcat (lead, a, stop, NULL);
  return sample;
}

FtcFinetuneSample *
ftc_finetune_sample_new (FtcFinetuneFormat format, const char *sample_id, int completion_index,
                         const char *question, const char *rationale, const char *answer)
{
  return ftc_finetune_sample_new_as (FTC_PROMPT_PAPER, format, sample_id, completion_index, question, rationale,
                                     answer);
}

char *
ftc_finetune_strip_stop (const char *completion)
{
  const char *cut = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (format_stops); i++)
    {
      const char *hit = strstr (completion, format_stops[i]);
      if (hit != NULL && (cut == NULL || hit < cut))
        cut = hit;
    }
  return cut != NULL ? g_strndup (completion, cut - completion) : g_strdup (completion);
}

gboolean
ftc_finetune_save (GPtrArray *samples, const char *path, GError **error)
{
  g_autoptr (GString) out = g_string_new (NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  for (guint i = 0; i < samples->len; i++)
    {
      FtcFinetuneSample *s = g_ptr_array_index (samples, i);
      g_autoptr (JsonObject) o = json_object_new ();
      g_autofree char *line = NULL;

      json_object_set_string_member (o, "sample_id", s->sample_id);
      json_object_set_int_member (o, "completion_index", s->completion_index);
      json_object_set_string_member (o, "prompt", s->prompt);
      json_object_set_string_member (o, "completion", s->completion);
      line = ftc_json_object_to_line (o);
      g_string_append (out, line);
      g_string_append_c (out, '\n');
    }
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: %s", dir, g_strerror (errno));
      return FALSE;
    }
  return ftc_file_write_atomic (path, out->str, out->len, error);
}

GPtrArray *
ftc_finetune_load (const char *path, GError **error)
{
  g_autoptr (GPtrArray) samples = g_ptr_array_new_with_free_func ((GDestroyNotify) ftc_finetune_sample_free);
  g_autoptr (FtcJsonlReader) reader = ftc_jsonl_reader_open (path, error);
  g_autoptr (GError) local = NULL;
  JsonObject *o;

  if (reader == NULL)
    return NULL;
  while ((o = ftc_jsonl_reader_next (reader, &local)) != NULL)
    {
      g_autoptr (JsonObject) owned = o;
      const char *sample_id = NULL, *prompt = NULL, *completion = NULL;
      gint64 completion_index = 0;
      FtcFinetuneSample *s;

      if (!ftc_json_get_string (o, "sample_id", NULL, &sample_id, &local)
          || !ftc_json_get_int (o, "completion_index", NULL, 0, G_MAXINT, &completion_index, &local)
          || !ftc_json_get_string (o, "prompt", NULL, &prompt, &local)
          || !ftc_json_get_string (o, "completion", NULL, &completion, &local))
        {
          ftc_jsonl_reader_propagate (reader, error, g_steal_pointer (&local));
          return NULL;
        }
      if (prompt == NULL || completion == NULL)
        {
          ftc_jsonl_reader_fail (reader, error, FTC_ERROR_INVALID, "\"prompt\" and \"completion\" must be strings");
          return NULL;
        }
      s = g_new0 (FtcFinetuneSample, 1);
      s->sample_id = g_strdup (sample_id != NULL ? sample_id : "");
      s->completion_index = (int) completion_index;
      s->prompt = g_strdup (prompt);
      s->completion = g_strdup (completion);
      g_ptr_array_add (samples, s);
    }
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  return g_steal_pointer (&samples);
}
