#include "app/studio/ftc-studio-util.h"

#include <string.h>

#include <gdk/gdk.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <gtk/gtk.h>

#include "core/ftc-error.h"
#include "core/ftc-json-out.h"

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

static gboolean
parse_line (JsonParser *parser, const char *path, guint line_no, const char *line, gsize len, FtcJsonlFunc func,
            gpointer user_data, gboolean *stop, GError **error)
{
  g_autoptr (GError) local = NULL;
  JsonNode *root;

  if (len > 0 && line[len - 1] == '\r')
    len--;
  if (strspn (line, " \t") >= len)
    return TRUE;
  if (!g_utf8_validate (line, (gssize) len, NULL))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "%s:%u: invalid UTF-8", path, line_no);
      return FALSE;
    }
  if (!json_parser_load_from_data (parser, line, (gssize) len, &local))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "%s:%u: %s", path, line_no, local->message);
      return FALSE;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "%s:%u: expected a JSON object", path, line_no);
      return FALSE;
    }
  if (!func (json_node_get_object (root), line_no, user_data, &local))
    {
      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      *stop = TRUE;   /* the callback has seen enough */
    }
  return TRUE;
}

gboolean
ftc_studio_read_jsonl (const char *path, goffset *offset, gboolean tolerate_partial_tail,
                       FtcJsonlFunc func, gpointer user_data, GCancellable *cancellable, GError **error)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileInputStream) in = NULL;
  g_autoptr (GByteArray) buf = g_byte_array_new ();
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  goffset start = offset != NULL ? *offset : 0;
  goffset consumed = 0;     /* bytes of complete lines handled, from start */
  guint line_no = 0;
  gboolean stop = FALSE;
  guint8 chunk[65536];

  in = g_file_read (file, cancellable, error);
  if (in == NULL)
    return FALSE;
  if (start > 0 && !g_seekable_seek (G_SEEKABLE (in), start, G_SEEK_SET, cancellable, error))
    return FALSE;
  /* one chunk at a time: a large file never sits in memory whole */
  while (!stop)
    {
      gssize n = g_input_stream_read (G_INPUT_STREAM (in), chunk, sizeof chunk, cancellable, error);
      gsize pos = 0;

      if (n < 0)
        return FALSE;
      if (n == 0)
        break;
      g_byte_array_append (buf, chunk, (guint) n);
      while (!stop && pos < buf->len)
        {
          const char *line = (const char *) buf->data + pos;
          const char *nl = memchr (line, '\n', buf->len - pos);
          gsize len;

          if (nl == NULL)
            break;
          len = (gsize) (nl - line);
          line_no++;
          if (!parse_line (parser, path, line_no, line, len, func, user_data, &stop, error))
            return FALSE;
          pos += len + 1;
          consumed += (goffset) (len + 1);
        }
      g_byte_array_remove_range (buf, 0, (guint) pos);
    }
  /* a last line without its newline: the tail of a file being written, or cut short by a crash */
  if (!stop && buf->len > 0 && offset == NULL && !tolerate_partial_tail)
    {
      line_no++;
      if (!parse_line (parser, path, line_no, (const char *) buf->data, buf->len, func, user_data, &stop, error))
        return FALSE;
      consumed += buf->len;
    }
  if (offset != NULL)
    *offset = start + consumed;
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
