#include "core/students/ftc-checkpoint.h"
#include "core/ftc-json-in.h"
#include "core/ftc-json-out.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#include "core/ftc-error.h"
#include "core/students/ftc-safetensors.h"

void
ftc_checkpoint_free (FtcCheckpoint *ckpt)
{
  if (ckpt == NULL)
    return;
  ftc_model_dir_free (ckpt->model);
  g_free (ckpt->m);
  g_free (ckpt->v);
  if (ckpt->state != NULL)
    json_object_unref (ckpt->state);
  g_free (ckpt);
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static gboolean
rename_or_fail (const char *from, const char *to, GError **error)
{
  if (g_rename (from, to) == 0)
    return TRUE;
  int saved = errno;
  g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "cannot rename %s to %s: %s", from, to, g_strerror (saved));
  return FALSE;
}

gboolean
ftc_checkpoint_save (const char *dir, const FtcModelSpec *spec, FtcTokenizer *tokenizer, const float *params,
                     const float *m, const float *v, gsize n_params, gint64 step, JsonObject *state,
                     GError **error)
{
  g_autofree char *tmp = g_strconcat (dir, ".tmp-XXXXXX", NULL);
  g_autofree char *old = g_strconcat (dir, ".old", NULL);
  g_autofree char *opt_path = NULL, *state_path = NULL, *text = NULL;
  g_autoptr (FtcSafetensorsWriter) w = ftc_safetensors_writer_new ();
  g_autoptr (JsonObject) out = json_object_new ();
  gint64 shape[1] = { (gint64) n_params };
  g_autofree char *parent = g_path_get_dirname (dir);

  g_mkdir_with_parents (parent, 0755);
  if (g_mkdtemp (tmp) == NULL)
    {
      int saved = errno;
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: cannot create a temporary folder: %s", dir,
                   g_strerror (saved));
      return FALSE;
    }
  g_chmod (tmp, 0755);
  opt_path = g_build_filename (tmp, "optimizer.safetensors", NULL);
  state_path = g_build_filename (tmp, "trainer_state.json", NULL);

  ftc_safetensors_writer_add (w, "m", m, 1, shape);
  ftc_safetensors_writer_add (w, "v", v, 1, shape);
  ftc_safetensors_writer_set_metadata (w, "format", "ftcot-adamw");
  if (state != NULL)
    {
      g_autoptr (GList) members = json_object_get_members (state);
      for (GList *l = members; l != NULL; l = l->next)
        json_object_set_member (out, l->data, json_node_copy (json_object_get_member (state, l->data)));
    }
  json_object_set_string_member (out, "format", "ftcot-checkpoint");
  json_object_set_int_member (out, "version", 1);
  json_object_set_int_member (out, "step", step);
  {
    g_autoptr (JsonNode) root = json_node_init_object (json_node_alloc (), out);
    text = ftc_json_to_pretty_string (root);
  }

  if (!ftc_model_dir_save (tmp, spec, params, n_params, tokenizer, error)
      || !ftc_safetensors_writer_write (w, opt_path, error)
      || !ftc_file_write_atomic (state_path, text, strlen (text), error))
    {
      remove_tree (tmp);
      return FALSE;
    }
  /* swap: the old checkpoint stays whole until the new one has its name */
  remove_tree (old);
  if (g_file_test (dir, G_FILE_TEST_EXISTS) && !rename_or_fail (dir, old, error))
    {
      remove_tree (tmp);
      return FALSE;
    }
  if (!rename_or_fail (tmp, dir, error))
    {
      g_rename (old, dir);
      remove_tree (tmp);
      return FALSE;
    }
  remove_tree (old);
  return TRUE;
}

FtcCheckpoint *
ftc_checkpoint_load (const char *dir, GError **error)
{
  g_autoptr (FtcCheckpoint) ckpt = g_new0 (FtcCheckpoint, 1);
  g_autofree char *opt_path = g_build_filename (dir, "optimizer.safetensors", NULL);
  g_autofree char *state_path = g_build_filename (dir, "trainer_state.json", NULL);
  g_autofree char *old = g_strconcat (dir, ".old", NULL);
  g_autoptr (FtcSafetensors) st = NULL;
  g_autoptr (JsonObject) state = NULL;
  g_autoptr (GError) local = NULL;
  const FtcSafetensorsTensor *tm, *tv;
  const char *format = NULL;
  gint64 step = -1, count = 0;
  double accuracy = 0;
  gboolean finished = FALSE;

  /* interrupted between the two renames of a save: the previous checkpoint is whole under .old */
  if (!g_file_test (dir, G_FILE_TEST_EXISTS) && g_file_test (old, G_FILE_TEST_IS_DIR))
    return ftc_checkpoint_load (old, error);
  state = ftc_json_read_object_file (state_path, FTC_INPUT_CONFIG, error);
  if (state == NULL)
    return NULL;
  /* the step and the counts become C ints in the trainer: larger values are refused, never truncated */
  if (!ftc_json_get_string (state, "format", NULL, &format, &local)
      || !ftc_json_require (state, "step", NULL, &local)
      || !ftc_json_get_int (state, "step", NULL, 0, G_MAXINT32, &step, &local)
      || !ftc_json_get_int (state, "epoch", NULL, 0, G_MAXINT32, &count, &local)
      || !ftc_json_get_int (state, "epochs", NULL, 0, G_MAXINT32, &count, &local)
      || !ftc_json_get_int (state, "best_epoch", NULL, 0, G_MAXINT32, &count, &local)
      || !ftc_json_get_double (state, "best_accuracy", NULL, 0.0, 100.0, &accuracy, &local)
      || !ftc_json_get_bool (state, "finished", NULL, &finished, &local))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: %s", state_path, local->message);
      return NULL;
    }
  if (g_strcmp0 (format, "ftcot-checkpoint") != 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: not an ftcot checkpoint state (format, step)",
                   state_path);
      return NULL;
    }
  ckpt->state = g_steal_pointer (&state);
  ckpt->step = step;
  ckpt->model = ftc_model_dir_load (dir, error);
  if (ckpt->model == NULL)
    return NULL;
  st = ftc_safetensors_open (opt_path, error);
  if (st == NULL)
    return NULL;
  tm = ftc_safetensors_lookup (st, "m");
  tv = ftc_safetensors_lookup (st, "v");
  if (tm == NULL || tv == NULL || tm->numel != ckpt->model->n_params || tv->numel != ckpt->model->n_params)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH, "%s: needs tensors m and v of %" G_GSIZE_FORMAT
                   " values (the model's parameters)", opt_path, ckpt->model->n_params);
      return NULL;
    }
  ckpt->m = g_try_malloc_n (tm->numel, sizeof (float));
  ckpt->v = g_try_malloc_n (tv->numel, sizeof (float));
  if (ckpt->m == NULL || ckpt->v == NULL)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: out of memory", opt_path);
      return NULL;
    }
  if (!ftc_safetensors_read_f32 (st, tm, ckpt->m, tm->numel, error)
      || !ftc_safetensors_read_f32 (st, tv, ckpt->v, tv->numel, error))
    return NULL;
  return g_steal_pointer (&ckpt);
}

guint
ftc_checkpoint_remove_leftovers (const char *checkpoints_dir)
{
  g_autoptr (GDir) d = g_dir_open (checkpoints_dir, 0, NULL);
  const char *name;
  guint removed = 0;

  if (d == NULL)
    return 0;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (checkpoints_dir, name, NULL);

      /* ftc_checkpoint_save's temporary folders: "<checkpoint>.tmp-XXXXXX", never a checkpoint itself */
      if (strstr (name, ".tmp-") != NULL && g_file_test (path, G_FILE_TEST_IS_DIR)
          && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        {
          remove_tree (path);
          removed++;
        }
    }
  return removed;
}
