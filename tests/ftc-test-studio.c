#include "tests/ftc-test-studio.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "app/studio/ftc-studio-util.h"
#include "tests/ftc-test-util.h"

void
ftc_test_studio_init (void)
{
  gtk_init ();
  ftc_studio_init ();
}

static void
copy_tree (const char *from, const char *to)
{
  g_autoptr (GDir) dir = g_dir_open (from, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  g_assert_cmpint (g_mkdir_with_parents (to, 0755), ==, 0);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *src = g_build_filename (from, name, NULL);
      g_autofree char *dst = g_build_filename (to, name, NULL);

      if (g_file_test (src, G_FILE_TEST_IS_DIR))
        copy_tree (src, dst);
      else
        {
          g_autofree char *contents = NULL;
          gsize len;
          g_assert_true (g_file_get_contents (src, &contents, &len, NULL));
          g_assert_true (g_file_set_contents (dst, contents, (gssize) len, NULL));
        }
    }
}

char *
ftc_test_studio_copy_experiment (void)
{
  const char *root = g_getenv ("FTCOT_SOURCE_ROOT");
  g_autofree char *src = NULL;
  g_autofree char *tmp = ftc_test_tmpdir ();
  char *dst;

  g_assert_nonnull (root);
  src = g_build_filename (root, "tests", "data", "experiment-small", NULL);
  dst = g_build_filename (tmp, "experiment-small", NULL);
  copy_tree (src, dst);
  return dst;
}

static gboolean
deadline_passed (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

void
ftc_test_studio_wait (gboolean (*pred) (gpointer data), gpointer data, guint timeout_ms)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add (timeout_ms, deadline_passed, &expired);

  while (!pred (data) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  g_assert_false (expired);
}

static gboolean
not_loading (gpointer object)
{
  gboolean loading = TRUE;

  g_object_get (object, "loading", &loading, NULL);
  return !loading;
}

void
ftc_test_studio_wait_loaded (gpointer object)
{
  ftc_test_studio_wait (not_loading, object, 20000);
}

void
ftc_test_studio_spin (guint ms)
{
  gboolean expired = FALSE;

  g_timeout_add (ms, deadline_passed, &expired);
  while (!expired)
    g_main_context_iteration (NULL, TRUE);
}

GtkWidget *
ftc_test_studio_show (GtkWidget *widget, int width, int height)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_set_child (GTK_WINDOW (window), widget);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

GtkWidget *
ftc_test_studio_find (GtkWidget *root, GType type)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;
      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        return child;
      found = ftc_test_studio_find (child, type);
      if (found != NULL)
        return found;
    }
  return NULL;
}

GtkWidget *
ftc_test_studio_find_action (GtkWidget *root, const char *action)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;
      if (GTK_IS_ACTIONABLE (child) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (child)), action) == 0)
        return child;
      found = ftc_test_studio_find_action (child, action);
      if (found != NULL)
        return found;
    }
  return NULL;
}

GPtrArray *
ftc_test_studio_read_jsonl (const char *path)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      if (*lines[i] == '\0')
        continue;
      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, NULL));
      g_ptr_array_add (out, json_object_ref (json_node_get_object (json_parser_get_root (parser))));
    }
  return out;
}
