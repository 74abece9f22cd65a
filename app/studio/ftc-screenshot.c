#include "app/studio/ftc-screenshot.h"

#include "core/ftc-error.h"

gboolean
ftc_screenshot_widget (GtkWidget *widget, const char *path, GError **error)
{
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  g_autoptr (GdkPaintable) paintable = NULL;
  g_autoptr (GtkSnapshot) snapshot = NULL;
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  GtkNative *native = gtk_widget_get_native (widget);
  GskRenderer *renderer = native != NULL ? gtk_native_get_renderer (native) : NULL;

  if (!gtk_widget_get_mapped (widget) || w <= 0 || h <= 0 || renderer == NULL)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: the widget is not shown", path);
      return FALSE;
    }
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), w, h);
  node = gtk_snapshot_to_node (snapshot);
  if (node == NULL)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: nothing was drawn", path);
      return FALSE;
    }
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  if (texture == NULL || !gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: could not write the PNG file", path);
      return FALSE;
    }
  return TRUE;
}

static const char *const views[] = { "experiment", "teacher", "review", "training", "evaluation" };

typedef struct {
  char *dir;
  guint view;
  guint waited_ms;
  guint source;
} Walk;

static void
walk_free (Walk *walk)
{
  if (walk->source != 0)
    g_source_remove (walk->source);
  g_free (walk->dir);
  g_free (walk);
}

#define STEP_MS 100
#define SETTLE_MS 600      /* after a view switch: layout, fonts, the first frames */
#define LOAD_LIMIT_MS 60000

static gboolean
step (gpointer data)
{
  GTask *task = data;
  Walk *walk = g_task_get_task_data (task);
  FtcWindow *window = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;

  walk->waited_ms += STEP_MS;
  if (g_task_return_error_if_cancelled (task))
    goto done;
  if (!gtk_widget_get_mapped (GTK_WIDGET (window)) || ftc_window_get_loading (window))
    {
      if (walk->waited_ms < LOAD_LIMIT_MS)
        return G_SOURCE_CONTINUE;
      g_task_return_new_error (task, FTC_ERROR, FTC_ERROR_FAILED, "the views did not finish loading");
      goto done;
    }
  if (g_strcmp0 (ftc_window_get_view (window), views[walk->view]) != 0)
    {
      ftc_window_show_view (window, views[walk->view]);
      walk->waited_ms = 0;
      return G_SOURCE_CONTINUE;
    }
  if (walk->waited_ms < SETTLE_MS)
    return G_SOURCE_CONTINUE;
  {
    g_autofree char *name = g_strdup_printf ("%02u-%s.png", walk->view + 1, views[walk->view]);
    g_autofree char *path = g_build_filename (walk->dir, name, NULL);
    if (!ftc_screenshot_widget (GTK_WIDGET (window), path, &error))
      {
        g_task_return_error (task, g_steal_pointer (&error));
        goto done;
      }
  }
  walk->view++;
  walk->waited_ms = 0;
  if (walk->view < G_N_ELEMENTS (views))
    return G_SOURCE_CONTINUE;
  g_task_return_boolean (task, TRUE);
done:
  walk->source = 0;
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

void
ftc_screenshot_views_async (FtcWindow *window, const char *dir, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (window, cancellable, callback, user_data);
  Walk *walk = g_new0 (Walk, 1);
  GtkWidget *stack = gtk_widget_get_parent (ftc_window_get_page (window, "experiment"));

  walk->dir = g_strdup (dir);
  g_task_set_task_data (task, walk, (GDestroyNotify) walk_free);
  /* no cross-fade in pictures */
  gtk_stack_set_transition_type (GTK_STACK (stack), GTK_STACK_TRANSITION_TYPE_NONE);
  walk->source = g_timeout_add (STEP_MS, step, task);
}

gboolean
ftc_screenshot_views_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
