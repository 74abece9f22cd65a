#include "tests/ftc-test-util.h"

#include <stdlib.h>

#include <glib/gstdio.h>

static GPtrArray *tmp_dirs;

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);
        if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
          remove_tree (child);
        else
          g_unlink (child);
      }
  g_rmdir (path);
}

static void
remove_tmp_dirs (void)
{
  if (g_getenv ("FTCOT_TEST_KEEP_TMP") != NULL)
    return;
  for (guint i = 0; tmp_dirs != NULL && i < tmp_dirs->len; i++)
    remove_tree (g_ptr_array_index (tmp_dirs, i));
}

const char *
ftc_test_shared_dir (void)
{
  static char *dir;

  if (dir == NULL)
    {
      const char *env = g_getenv ("FTCOT_SHARED");
      dir = env != NULL ? g_strdup (env) : g_build_filename (g_get_current_dir (), "..", "shared", NULL);
    }
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("the shared reference data folder is absent");
      return NULL;
    }
  return dir;
}

char *
ftc_test_shared_path (const char *first, ...)
{
  const char *dir = ftc_test_shared_dir ();
  g_autoptr (GPtrArray) parts = g_ptr_array_new ();
  va_list args;

  if (dir == NULL)
    return NULL;
  g_ptr_array_add (parts, (char *) dir);
  va_start (args, first);
  for (const char *p = first; p != NULL; p = va_arg (args, const char *))
    g_ptr_array_add (parts, (char *) p);
  va_end (args);
  g_ptr_array_add (parts, NULL);
  return g_build_filenamev ((char **) parts->pdata);
}

char *
ftc_test_tmpdir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("ftcot-test-XXXXXX", &error);

  g_assert_no_error (error);
  if (tmp_dirs == NULL)
    {
      tmp_dirs = g_ptr_array_new_with_free_func (g_free);
      atexit (remove_tmp_dirs);
    }
  g_ptr_array_add (tmp_dirs, g_strdup (dir));
  return dir;
}

char *
ftc_test_write_tmp (const char *name, const char *contents, gssize len)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, contents, len, &error);
  g_assert_no_error (error);
  return path;
}

GSubprocessLauncher *
ftc_test_cli_launcher (void)
{
  return g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                    | G_SUBPROCESS_FLAGS_STDERR_PIPE);
}

int
ftc_test_cli_run_va (GSubprocessLauncher *launcher, const char *input, char **out, char **err, const char *first,
                     va_list args)
{
  g_autofree char *exe = g_test_build_filename (G_TEST_BUILT, "..", "app", "ftcot", NULL);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GError) error = NULL;

  g_ptr_array_add (argv, exe);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) a);
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, input != NULL ? input : "", NULL, out, err, &error);
  g_assert_no_error (error);
  return g_subprocess_get_exit_status (proc);
}

int
ftc_test_cli_run (GSubprocessLauncher *launcher, const char *input, char **out, char **err, const char *first, ...)
{
  va_list args;
  int status;

  va_start (args, first);
  status = ftc_test_cli_run_va (launcher, input, out, err, first, args);
  va_end (args);
  return status;
}
