#include "app/studio/ftc-studio-util.h"

#include <string.h>

#include <gdk/gdk.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <gtk/gtk.h>

#include "core/ftc-error.h"
#include "core/ftc-json-in.h"
#include "core/ftc-json-out.h"
#include "core/ftc-jsonl.h"

void ftc_studio_register_resource (void);

void
ftc_studio_init (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      ftc_studio_register_resource ();
      if (gdk_display_get_default () != NULL)
        {
          GtkCssProvider *css = gtk_css_provider_new ();
          gtk_css_provider_load_from_resource (css, FTC_STUDIO_RESOURCE_PATH "/style.css");
          gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                                      GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
          g_object_unref (css);
          gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                            FTC_STUDIO_RESOURCE_PATH "/icons");
        }
      g_once_init_leave (&once, 1);
    }
}

gboolean
ftc_studio_read_jsonl (const char *path, goffset *offset, gboolean tolerate_partial_tail,
                       FtcJsonlFunc func, gpointer user_data, GCancellable *cancellable, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (FtcJsonlReader) reader = NULL;
  JsonObject *obj;

  /* core's one JSONL reader: regular files only, bounded lines, strict JSON */
  reader = ftc_jsonl_reader_open_at (path, offset != NULL ? (guint64) *offset : 0, 1, &local);
  if (reader == NULL)
    {
      if (g_error_matches (local, FTC_ERROR, FTC_ERROR_NOT_FOUND))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s", local->message);
      else
        g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  /* reading on from an offset follows a file being written: its unfinished last line waits */
  ftc_jsonl_reader_set_follow (reader, offset != NULL);
  ftc_jsonl_reader_set_ignore_torn (reader, tolerate_partial_tail);
  while ((obj = ftc_jsonl_reader_next (reader, &local)) != NULL)
    {
      g_autoptr (JsonObject) owned = obj;
      g_autoptr (GError) func_error = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!func (obj, ftc_jsonl_reader_get_line (reader), user_data, &func_error))
        {
          if (func_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&func_error));
              return FALSE;
            }
          break;   /* the callback has seen enough */
        }
      if (offset != NULL)
        *offset = (goffset) ftc_jsonl_reader_get_offset (reader);
    }
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (offset != NULL)
    *offset = (goffset) ftc_jsonl_reader_get_offset (reader);
  return TRUE;
}

const char *
ftc_json_string (JsonObject *obj, const char *name, const char *fallback)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, name) : NULL;

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE || json_node_get_value_type (node) != G_TYPE_STRING)
    return fallback;
  return json_node_get_string (node);
}

gboolean
ftc_json_has_number (JsonObject *obj, const char *name)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, name) : NULL;
  GType t;

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE)
    return FALSE;
  t = json_node_get_value_type (node);
  return t == G_TYPE_INT64 || t == G_TYPE_DOUBLE;
}

gint64
ftc_json_int (JsonObject *obj, const char *name, gint64 fallback)
{
  if (!ftc_json_has_number (obj, name))
    return fallback;
  return json_object_get_int_member (obj, name);
}

double
ftc_json_double (JsonObject *obj, const char *name, double fallback)
{
  if (!ftc_json_has_number (obj, name))
    return fallback;
  return json_object_get_double_member (obj, name);
}

gboolean
ftc_json_bool (JsonObject *obj, const char *name, gboolean fallback)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, name) : NULL;

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return fallback;
  return json_node_get_boolean (node);
}

JsonObject *
ftc_json_object (JsonObject *obj, const char *name)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

gboolean
ftc_studio_write_atomic (const char *path, const char *contents, gssize len, GError **error)
{
  return ftc_file_write_atomic (path, contents, len, error);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

GPtrArray *
ftc_studio_list_jsonl (const char *dir)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return paths;
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".jsonl") && !g_str_has_suffix (name, ".requests.jsonl"))
      g_ptr_array_add (paths, g_build_filename (dir, name, NULL));
  g_ptr_array_sort (paths, compare_strings);
  return paths;
}

char *
ftc_studio_task_of_file (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  char *dot = strchr (base, '.');

  return g_strndup (base, dot != NULL ? (gsize) (dot - base) : strlen (base));
}

int
ftc_studio_method_diversity (const char *method)
{
  if (g_strcmp0 (method, "ft_cot") == 0)
    return 1;
  if (method != NULL && g_str_has_prefix (method, "ft_cot_d"))
    {
      gint64 d = g_ascii_strtoll (method + strlen ("ft_cot_d"), NULL, 10);
      return d > 0 && d < 100000 ? (int) d : 0;
    }
  return 0;
}

char *
ftc_studio_method_title (const char *method)
{
  int d = ftc_studio_method_diversity (method);

  if (d > 1)
    return g_strdup_printf (_("Fine-tune-CoT (D=%d)"), d);
  if (d == 1)
    return g_strdup (_("Fine-tune-CoT"));
  if (g_strcmp0 (method, "teacher") == 0)
    return g_strdup (_("Teacher"));
  if (g_strcmp0 (method, "random") == 0)
    return g_strdup (_("Random"));
  if (g_strcmp0 (method, "zero_shot") == 0)
    return g_strdup (_("Zero-shot student"));
  if (g_strcmp0 (method, "vanilla") == 0)
    return g_strdup (_("Vanilla fine-tuning"));
  return g_strdup (method != NULL ? method : "");
}

static int
method_rank (const char *m)
{
  static const char *const order[] = { "teacher", "random", "zero_shot", "vanilla" };
  int d = ftc_studio_method_diversity (m);

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    if (g_strcmp0 (m, order[i]) == 0)
      return (int) i;
  if (d > 0)
    return 10 + d;
  return 1000000;
}

int
ftc_studio_method_compare (const char *a, const char *b)
{
  int ra = method_rank (a), rb = method_rank (b);

  if (ra != rb)
    return ra < rb ? -1 : 1;
  return g_strcmp0 (a, b);
}
