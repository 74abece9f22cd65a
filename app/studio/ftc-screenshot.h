/* ftc-screenshot.h: renders widgets to PNG through the window's own renderer (no X server tricks), and
 * walks the main window's views saving one picture each: `ftcot-studio --screenshot-dir DIR FOLDER`. */
#pragma once

#include <gtk/gtk.h>

#include "app/studio/ftc-window.h"

G_BEGIN_DECLS

/* The widget as drawn now (it must be mapped), written to path as PNG. */
gboolean ftc_screenshot_widget (GtkWidget *widget, const char *path, GError **error);

/* Waits until the window is shown and its views have loaded, then shows each view in turn and saves
 * DIR/01-experiment.png ... DIR/05-evaluation.png. The task's source object is the window. */
void ftc_screenshot_views_async (FtcWindow *window, const char *dir, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
gboolean ftc_screenshot_views_finish (GAsyncResult *result, GError **error);

G_END_DECLS
