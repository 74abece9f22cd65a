/* ftc-task-open.c: resolves a task key (with parameters) or a file path to a task. */
#include "core/tasks/ftc-task-open.h"

#include <string.h>

#include "core/ftc-error.h"
#include "core/tasks/ftc-synthetic.h"
#include "core/tasks/ftc-task-import.h"
#include "core/tasks/ftc-task-registry.h"

gboolean
ftc_task_spec_is_path (const char *spec)
{
  g_autofree char *lower = g_ascii_strdown (spec, -1);

  if (strchr (spec, '/') != NULL || strchr (spec, G_DIR_SEPARATOR) != NULL)
    return TRUE;
  if (g_str_has_suffix (lower, ".jsonl") || g_str_has_suffix (lower, ".csv") || g_str_has_suffix (lower, ".json")
      || g_str_has_suffix (lower, ".ndjson"))
    return TRUE;
  /* a bare file name in the current folder, unless it is also a key */
  return ftc_task_info_lookup (spec) == NULL && strchr (spec, ':') == NULL
         && g_file_test (spec, G_FILE_TEST_IS_REGULAR);
}

static gboolean
parse_params (const char *key, const char *params, FtcTaskOpenOptions *o, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (params, ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *eq = strchr (parts[i], '=');
      guint64 v = 0;
      const char *name, *value;

      if (eq == NULL)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "task '%s': parameter '%s' is not NAME=VALUE", key,
                       parts[i]);
          return FALSE;
        }
      *eq = '\0';
      name = g_strstrip (parts[i]);
      value = g_strstrip (eq + 1);
      if (strcmp (name, "split") == 0)
        {
          if (strcmp (value, "default") == 0)
            o->split = FTC_SPLIT_DEFAULT;
          else if (strcmp (value, "template") == 0)
            o->split = FTC_SPLIT_TEMPLATE;
          else if (strcmp (value, "validation") == 0)
            o->split = FTC_SPLIT_VALIDATION;
          else
            {
              g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID,
                           "task '%s': split must be default, template or validation", key);
              return FALSE;
            }
          continue;
        }
      if (strcmp (name, "n") != 0 && strcmp (name, "seed") != 0 && strcmp (name, "size") != 0)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID,
                       "task '%s': unknown parameter '%s' (known: n, seed, size, split)", key, name);
          return FALSE;
        }
      if (!g_ascii_string_to_unsigned (value, 10, 0, strcmp (name, "seed") == 0 ? G_MAXUINT64 : G_MAXUINT, &v, NULL))
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "task '%s': %s must be a non-negative integer, not '%s'",
                       key, name, value);
          return FALSE;
        }
      if (strcmp (name, "n") == 0)
        o->n = v;
      else if (strcmp (name, "seed") == 0)
        o->seed = v;
      else
        o->size = v;
    }
  return TRUE;
}

FtcTask *
ftc_task_open (const char *spec, const FtcTaskOpenOptions *options, GError **error)
{
  FtcTaskOpenOptions o = { 0 };
  g_autofree char *key = NULL;
  const char *colon;
  const FtcTaskInfo *info;

  if (spec == NULL || *spec == '\0')
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "no task given");
      return NULL;
    }
  if (ftc_task_spec_is_path (spec))
    return ftc_task_import_file (spec, FTC_IMPORT_AUTO, error);

  if (options != NULL)
    o = *options;
  colon = strchr (spec, ':');
  key = colon != NULL ? g_strndup (spec, colon - spec) : g_strdup (spec);
  if (colon != NULL && !parse_params (key, colon + 1, &o, error))
    return NULL;

  info = ftc_task_info_lookup (key);
  if (info == NULL)
    {
      const char *suggestion = ftc_task_key_suggest (key);
      if (suggestion != NULL)
        g_set_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND, "unknown task '%s'; did you mean '%s'?", key, suggestion);
      else
        g_set_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND,
                     "unknown task '%s' (see 'ftcot tasks' for the list; a file needs a .jsonl or .csv name)", key);
      return NULL;
    }
  if (info->source == FTC_TASK_SYNTHETIC)
    return ftc_synthetic_generate (key, o.n > 0 ? o.n : FTC_TASK_OPEN_DEFAULT_N, o.seed, o.size, error);

  {
    g_autofree char *dir = o.data_dir != NULL ? g_build_filename (o.data_dir, key, NULL) : NULL;
    return ftc_dataset_load (key, dir, o.split, error);
  }
}
