/* ftc-window.h: the main window: a sidebar of the five views (Experiment, Teacher, Review, Training,
 * Evaluation) and a header bar with open/new experiment actions. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define FTC_TYPE_WINDOW (ftc_window_get_type ())
G_DECLARE_FINAL_TYPE (FtcWindow, ftc_window, FTC, WINDOW, GtkApplicationWindow)

FtcWindow *ftc_window_new (GtkApplication *app);

/* Opens an experiment directory in every view (each loads in the background). */
void ftc_window_open_experiment (FtcWindow *self, const char *dir);
const char *ftc_window_get_experiment (FtcWindow *self);
/* TRUE while any view is still loading. */
gboolean ftc_window_get_loading (FtcWindow *self);
/* "experiment", "teacher", "review", "training", "evaluation". */
void ftc_window_show_view (FtcWindow *self, const char *name);
const char *ftc_window_get_view (FtcWindow *self);
GtkWidget *ftc_window_get_page (FtcWindow *self, const char *name);

G_END_DECLS
