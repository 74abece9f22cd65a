#include "core/students/ftc-student.h"

#include "core/students/ftc-checkpoint.h"
#include "core/ftc-error.h"
#include "core/method/ftc-finetune.h"
#include "core/students/ftc-model-dir.h"

void
ftc_student_free (FtcStudent *student)
{
  if (student == NULL)
    return;
  ftc_model_free (student->model);
  ftc_tokenizer_free (student->tokenizer);
  g_free (student);
}

static gboolean
check_status (FtcBackend *be, FtcStatus status, const char *what, GError **error)
{
  if (status == FTC_OK)
    return TRUE;
  return ftc_error_set_compute (error, status, ftc_backend_last_error (be), "%s: %s", what,
                                ftc_status_name (status));
}

FtcStudent *
ftc_student_new_scratch (FtcBackend *be, const char *preset_name, FtcTokenizer *tokenizer, guint64 seed,
                         GError **error)
{
  const FtcModelPreset *preset = ftc_model_preset_lookup (preset_name);
  g_autoptr (FtcStudent) student = g_new0 (FtcStudent, 1);
  char err[512];

  student->be = be;
  student->tokenizer = tokenizer;
  if (preset == NULL)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND, "student: unknown preset '%s'", preset_name);
      return NULL;
    }
  student->spec = ftc_model_spec_gpt2 (&preset->config);
  student->spec.gpt2.vocab_size = (int) ftc_tokenizer_vocab_size (tokenizer);
  if (ftc_gpt2_config_validate (&student->spec.gpt2, err, sizeof err) != FTC_OK)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "student preset '%s': %s", preset_name, err);
      return NULL;
    }
  {
    FtcModelConfig config = ftc_model_spec_config (&student->spec);
    if (!check_status (be, ftc_model_new (be, &config, &student->model), "creating the student", error)
        || !check_status (be, ftc_model_init_random (student->model, seed), "initialising the student", error))
      return NULL;
  }
  student->spec.gpt2 = ftc_model_config (student->model)->gpt2;
  return g_steal_pointer (&student);
}

static FtcStudent *
student_from_model_dir (FtcBackend *be, FtcModelDir *md, GError **error)
{
  g_autoptr (FtcStudent) student = g_new0 (FtcStudent, 1);

  student->be = be;
  student->model = ftc_model_dir_to_engine (md, be, error);
  if (student->model == NULL)
    return NULL;
  student->tokenizer = g_steal_pointer (&md->tokenizer);
  student->spec = md->spec;
  if (student->tokenizer == NULL)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND, "%s: the model has no tokenizer files", md->path);
      return NULL;
    }
  return g_steal_pointer (&student);
}

FtcStudent *
ftc_student_new_pretrained (FtcBackend *be, const char *model_dir, GError **error)
{
  g_autoptr (FtcModelDir) md = ftc_model_dir_load (model_dir, error);

  return md != NULL ? student_from_model_dir (be, md, error) : NULL;
}

FtcStudent *
ftc_student_load_checkpoint (FtcBackend *be, const char *dir, gint64 *step, JsonObject **state, GError **error)
{
  g_autoptr (FtcCheckpoint) ckpt = ftc_checkpoint_load (dir, error);
  g_autoptr (FtcStudent) student = NULL;

  if (ckpt == NULL)
    return NULL;
  student = student_from_model_dir (be, ckpt->model, error);
  if (student == NULL)
    return NULL;
  if (!check_status (be, ftc_model_write_optimizer (student->model, ckpt->m, ckpt->v, ckpt->model->n_params),
                     "restoring the optimizer", error))
    return NULL;
  *step = ckpt->step;
  if (state != NULL)
    *state = ckpt->state != NULL ? json_object_ref (ckpt->state) : NULL;
  return g_steal_pointer (&student);
}

gboolean
ftc_student_save_checkpoint (FtcStudent *student, const char *dir, gint64 step, JsonObject *state,
                             GError **error)
{
  gsize n = ftc_model_num_params (student->model);
  g_autofree float *params = g_try_new (float, n);
  g_autofree float *m = g_try_new (float, n);
  g_autofree float *v = g_try_new (float, n);

  if (params == NULL || m == NULL || v == NULL)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "checkpoint: out of memory for %zu parameters", n);
      return FALSE;
    }
  if (!check_status (student->be, ftc_model_read_params (student->model, params, n), "reading parameters", error)
      || !check_status (student->be, ftc_model_read_optimizer (student->model, m, v, n), "reading the optimizer",
                        error))
    return FALSE;
  if (!ftc_checkpoint_save (dir, &student->spec, student->tokenizer, params, m, v, n, step, state, error))
    {
      /* the cause names a file of the temporary folder, gone by now: say which checkpoint it was */
      g_prefix_error (error, "saving checkpoint %s (step %" G_GINT64_FORMAT "; the previous one is kept): ", dir,
                      step);
      return FALSE;
    }
  return TRUE;
}

gboolean
ftc_student_export (FtcStudent *student, const char *dir, GError **error)
{
  gsize n = ftc_model_num_params (student->model);
  g_autofree float *params = g_try_new (float, n);

  if (params == NULL)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "export: out of memory for %zu parameters", n);
      return FALSE;
    }
  if (!check_status (student->be, ftc_model_read_params (student->model, params, n), "reading parameters", error))
    return FALSE;
  return ftc_model_dir_save (dir, &student->spec, params, n, student->tokenizer, error);
}

GPtrArray *
ftc_student_tokenize (FtcStudent *student, GPtrArray *samples, int max_len, guint *n_cut, GError **error)
{
  g_autoptr (GPtrArray) examples = g_ptr_array_new_with_free_func ((GDestroyNotify) ftc_train_example_free);
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint32));

  *n_cut = 0;
  for (guint i = 0; i < samples->len; i++)
    {
      FtcFinetuneSample *s = g_ptr_array_index (samples, i);
      FtcTrainExample *ex;
      guint n_prompt;

      g_array_set_size (ids, 0);
      if (!ftc_tokenizer_encode (student->tokenizer, s->prompt, -1, ids, error))
        return NULL;
      n_prompt = ids->len;
      if (!ftc_tokenizer_encode (student->tokenizer, s->completion, -1, ids, error))
        return NULL;
      if ((int) n_prompt >= max_len)
        {
          (*n_cut)++;
          continue;   /* nothing of the completion would be learnt */
        }
      if ((int) ids->len > max_len)
        {
          (*n_cut)++;
          g_array_set_size (ids, max_len);
        }
      ex = g_new0 (FtcTrainExample, 1);
      ex->n_ids = (int) ids->len;
      ex->n_prompt = (int) n_prompt;
      ex->ids = g_memdup2 (ids->data, sizeof (gint32) * ids->len);
      g_ptr_array_add (examples, ex);
    }
  return g_steal_pointer (&examples);
}

GPtrArray *
ftc_student_generate (FtcStudent *student, const char *const *prompts, guint n, const FtcGenerateOptions *options,
                      GError **error)
{
  static const char *const stop[] = { FTC_FINETUNE_STOP, NULL };
  g_autoptr (FtcGenerator) gen = ftc_generator_new (student->model, student->tokenizer, error);
  gint32 eos[FTC_LLAMA_MAX_EOS + 1];
  int n_eos = ftc_model_spec_eos_ids (&student->spec, student->tokenizer, eos, G_N_ELEMENTS (eos));
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  FtcGenerateOptions opts = *options;
  int ctx = ftc_model_max_seq_len (student->model);
  /* room to answer: a prompt longer than this keeps its end (the question's last words and " ###"),
   * as training cut its long examples; no question is left unanswered for its length */
  int keep = ctx - MAX (1, MIN (opts.max_new_tokens, ctx / 4));

  if (gen == NULL)
    return NULL;
  ftc_generator_set_eos (gen, eos, n_eos);
  if (opts.stop == NULL)
    opts.stop = stop;
  for (guint i = 0; i < n; i++)
    {
      GArray *a = g_array_new (FALSE, FALSE, sizeof (gint32));
      g_ptr_array_add (ids, a);
      if (!ftc_tokenizer_encode (student->tokenizer, prompts[i], -1, a, error))
        return NULL;
      if ((int) a->len > keep)
        g_array_remove_range (a, 0, a->len - keep);
    }
  return ftc_generator_run_ids (gen, (GArray *const *) ids->pdata, n, &opts, error);
}
