/* ftc-test-studio.h: helpers of the display tests (run under Xvfb): a private copy of the small finished
 * experiment, main-loop waits with a deadline, widget lookup. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* gtk_init, resources and stylesheet; call after g_test_init. */
void ftc_test_studio_init (void);
/* A fresh copy of tests/data/experiment-small in a temporary folder (removed at exit). */
char *ftc_test_studio_copy_experiment (void);
/* Iterates the main loop until pred(data) is TRUE; fails the test after timeout_ms. */
void ftc_test_studio_wait (gboolean (*pred) (gpointer data), gpointer data, guint timeout_ms);
/* Waits until the object's boolean "loading" property is FALSE. */
void ftc_test_studio_wait_loaded (gpointer object);
/* Runs the main loop for about ms milliseconds (lets frames and idles happen). */
void ftc_test_studio_spin (guint ms);
/* A toplevel window holding widget, shown. */
GtkWidget *ftc_test_studio_show (GtkWidget *widget, int width, int height);
/* The first descendant of root of the given type (depth first), or NULL. */
GtkWidget *ftc_test_studio_find (GtkWidget *root, GType type);
/* The first descendant GtkActionable whose action name is action, or NULL. */
GtkWidget *ftc_test_studio_find_action (GtkWidget *root, const char *action);
/* Reads a JSONL file into an array of JsonObject (for checks computed from the data itself). */
GPtrArray *ftc_test_studio_read_jsonl (const char *path);

G_END_DECLS
