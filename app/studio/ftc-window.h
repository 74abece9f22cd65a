/* ftc-window.h: the main window: a sidebar of the five views (Experiment, Teacher, Review, Training,
 * Evaluation) and a header bar with open/new experiment actions. */
#pragma once

#include <gtk/gtk.h>

#include "core/method/ftc-experiment.h"

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

/* The classroom demo: exp (taken) in dir (created, or reused when it holds the same experiment), opened
 * in every view and run by the Training page's pipeline; the window shows Teacher while teaching, Review
 * once curated, Training while training and Evaluation when the report exists. The "Classroom demo"
 * button runs ftc_window_demo_experiment (TRUE) in ftc_window_demo_directory (TRUE) and, while the demo
 * runs, stops it; the main menu's "Full classroom demo" the full one. */
gboolean ftc_window_start_demo (FtcWindow *self, const char *dir, FtcExperiment *exp, GError **error);
void ftc_window_stop_demo (FtcWindow *self);
gboolean ftc_window_get_demo_running (FtcWindow *self);
/* The message of the last demo that could not start (shown in a dialog too), or NULL. */
const char *ftc_window_get_demo_error (FtcWindow *self);
/* USER_DATA_DIR/ftcot/demo-quick (or demo); $FTCOT_STUDIO_DEMO_DIR when set. */
char *ftc_window_demo_directory (gboolean quick);
/* ftc_demo_experiment (quick); a test hook: $FTCOT_STUDIO_DEMO_EXPERIMENT, when set, names an
 * experiment.json to run instead (a tiny one in the display tests). */
FtcExperiment *ftc_window_demo_experiment (gboolean quick, GError **error);

G_END_DECLS
