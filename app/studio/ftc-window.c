#include "app/studio/ftc-window.h"

#include <glib/gi18n.h>

#include "app/studio/ftc-application.h"
#include "app/studio/ftc-eval-page.h"
#include "app/studio/ftc-experiment-page.h"
#include "app/studio/ftc-review-page.h"
#include "app/studio/ftc-teacher-page.h"
#include "app/studio/ftc-train-page.h"
#include "core/method/ftc-demo.h"
#include "core/method/ftc-experiment.h"

struct _FtcWindow
{
  GtkApplicationWindow parent_instance;

  GtkLabel *title_label;
  GtkLabel *subtitle_label;
  GtkStack *stack;
  GtkWidget *demo_button;
  FtcExperimentPage *experiment_page;
  FtcTeacherPage *teacher_page;
  FtcReviewPage *review_page;
  FtcTrainPage *train_page;
  FtcEvalPage *eval_page;

  char *experiment;
  GtkNativeDialog *chooser;

  gboolean demo;            /* the classroom demo runs: the views follow the pipeline's stage */
  char *demo_error;
  int demo_view, demo_target;   /* index in demo_views of the view shown and of the one the stage calls for */
  gint64 demo_shown_at;         /* monotonic time demo_view was shown */
  guint demo_walk_id;
};

/* The views the demo walks through, in order. */
static const char *const demo_views[] = { "teacher", "review", "training", "evaluation" };
/* Each view stays at least this long, so a class sees it even when its stage is over in a moment. */
#define DEMO_DWELL_MS 1500

G_DEFINE_FINAL_TYPE (FtcWindow, ftc_window, GTK_TYPE_APPLICATION_WINDOW)

static const char *const view_names[] = { "experiment", "teacher", "review", "training", "evaluation" };

void
ftc_window_open_experiment (FtcWindow *self, const char *dir)
{
  g_autofree char *base = NULL;
  GSettings *settings = ftc_application_get_settings ();

  g_free (self->experiment);
  self->experiment = g_strdup (dir);
  base = dir != NULL ? g_path_get_basename (dir) : NULL;
  gtk_label_set_text (self->subtitle_label, dir != NULL ? dir : "");
  gtk_widget_set_visible (GTK_WIDGET (self->subtitle_label), dir != NULL);
  if (base != NULL)
    {
      g_autofree char *title = g_strdup_printf (_("%s — ftcot Studio"), base);
      gtk_window_set_title (GTK_WINDOW (self), title);
      gtk_label_set_text (self->title_label, base);
    }
  ftc_experiment_page_set_directory (self->experiment_page, dir);
  ftc_teacher_page_set_directory (self->teacher_page, dir);
  ftc_review_page_set_directory (self->review_page, dir);
  ftc_train_page_set_directory (self->train_page, dir);
  ftc_eval_page_set_directory (self->eval_page, dir);
  if (settings != NULL && dir != NULL)
    g_settings_set_string (settings, "last-experiment", dir);
}

const char *ftc_window_get_experiment (FtcWindow *self) { return self->experiment; }

gboolean
ftc_window_get_loading (FtcWindow *self)
{
  return ftc_experiment_page_get_loading (self->experiment_page) ||
         ftc_teacher_page_get_loading (self->teacher_page) ||
         ftc_review_page_get_loading (self->review_page) ||
         ftc_train_page_get_loading (self->train_page) ||
         ftc_eval_page_get_loading (self->eval_page);
}

void
ftc_window_show_view (FtcWindow *self, const char *name)
{
  gtk_stack_set_visible_child_name (self->stack, name);
}

const char *
ftc_window_get_view (FtcWindow *self)
{
  return gtk_stack_get_visible_child_name (self->stack);
}

GtkWidget *
ftc_window_get_page (FtcWindow *self, const char *name)
{
  return gtk_stack_get_child_by_name (self->stack, name);
}

static void
chooser_response (GtkNativeDialog *dialog, int response, FtcWindow *self)
{
  gboolean create = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "create"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      g_autoptr (GError) error = NULL;

      if (path != NULL && create && !ftc_experiment_page_create (path, &error))
        {
          GtkWidget *msg = gtk_message_dialog_new (GTK_WINDOW (self), GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                                   GTK_MESSAGE_ERROR, GTK_BUTTONS_CLOSE,
                                                   _("Could not create the experiment"));
          gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (msg), "%s", error->message);
          g_signal_connect (msg, "response", G_CALLBACK (gtk_window_destroy), NULL);
          gtk_window_present (GTK_WINDOW (msg));
        }
      else if (path != NULL)
        {
          ftc_window_open_experiment (self, path);
          if (create)
            ftc_window_show_view (self, "experiment");
        }
    }
  g_clear_object (&self->chooser);
}

static void
choose_folder (FtcWindow *self, gboolean create)
{
  GtkFileChooserNative *chooser;

  if (self->chooser != NULL)
    return;
  chooser = gtk_file_chooser_native_new (create ? _("New Experiment Folder") : _("Open Experiment Folder"),
                                         GTK_WINDOW (self),
                                         create ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER
                                                : GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                         create ? _("_Create") : _("_Open"), _("_Cancel"));
  g_object_set_data (G_OBJECT (chooser), "create", GINT_TO_POINTER (create));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response), self);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

static void
open_action (GtkWidget *widget, const char *name, GVariant *param)
{
  choose_folder (FTC_WINDOW (widget), FALSE);
}

static void
new_action (GtkWidget *widget, const char *name, GVariant *param)
{
  choose_folder (FTC_WINDOW (widget), TRUE);
}

static void
view_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ftc_window_show_view (FTC_WINDOW (widget), g_variant_get_string (param, NULL));
}

static void
set_demo (FtcWindow *self, gboolean demo)
{
  self->demo = demo;
  gtk_button_set_label (GTK_BUTTON (self->demo_button), demo ? _("Stop demo") : _("Classroom demo"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.classroom-demo-full", !demo);
}

/* The demo walks through the views as the pipeline goes: Teacher while teaching, Review once curated,
 * Training while training, Evaluation when the report is written; one view after the other, each for at
 * least DEMO_DWELL_MS (the pipeline's stages can be over faster than its notifications come). Pages that
 * read a file once are reloaded when the walk reaches them. */
static void demo_walk (FtcWindow *self);

static gboolean
demo_walk_timeout (gpointer data)
{
  FtcWindow *self = data;

  self->demo_walk_id = 0;
  demo_walk (self);
  return G_SOURCE_REMOVE;
}

static void
demo_walk (FtcWindow *self)
{
  gint64 waited_ms = (g_get_monotonic_time () - self->demo_shown_at) / 1000;
  const char *view;

  if (self->demo_view == self->demo_target || self->demo_walk_id != 0)
    return;
  if (self->demo_view >= 0 && waited_ms < DEMO_DWELL_MS)
    {
      self->demo_walk_id = g_timeout_add ((guint) (DEMO_DWELL_MS - waited_ms), demo_walk_timeout, self);
      return;
    }
  /* forward one view at a time; back at once to Teacher when the next task is taught */
  self->demo_view = self->demo_target < self->demo_view ? self->demo_target : self->demo_view + 1;
  view = demo_views[self->demo_view];
  if (g_str_equal (view, "review"))
    ftc_review_page_set_directory (self->review_page, self->experiment);
  else if (g_str_equal (view, "evaluation"))
    ftc_eval_page_set_directory (self->eval_page, self->experiment);
  ftc_window_show_view (self, view);
  self->demo_shown_at = g_get_monotonic_time ();
  if (self->demo_view != self->demo_target)
    self->demo_walk_id = g_timeout_add (DEMO_DWELL_MS, demo_walk_timeout, self);
}

static void
demo_stage_changed (FtcWindow *self)
{
  const char *stage = ftc_train_page_get_stage (self->train_page);
  static const struct { const char *stage; int view; } steps[] = {
    { "teach", 0 }, { "curate", 0 }, { "finetune", 1 }, { "train", 2 }, { "evaluate", 2 }, { "report", 2 } };

  if (!self->demo || stage == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (g_str_equal (stage, steps[i].stage))
      {
        self->demo_target = steps[i].view;
        demo_walk (self);
      }
}

/* The pipeline and the Teacher view's teach job write the same teacher records: one at a time. */
static void
jobs_changed (FtcWindow *self)
{
  ftc_teacher_page_set_blocked (self->teacher_page, ftc_train_page_get_running (self->train_page)
                                ? _("The pipeline runs (Training view): it teaches; Start is back when it stops.")
                                : NULL);
  ftc_train_page_set_blocked (self->train_page, ftc_teacher_page_get_job_running (self->teacher_page)
                              ? _("The Teacher view's job is teaching: pause or cancel it first.") : NULL);
}

static void
demo_running_changed (FtcWindow *self)
{
  g_autofree char *summary = NULL;

  if (!self->demo || ftc_train_page_get_running (self->train_page))
    return;
  set_demo (self, FALSE);
  summary = g_build_filename (self->experiment, "report", "summary.json", NULL);
  if (g_file_test (summary, G_FILE_TEST_EXISTS))
    {
      self->demo_target = G_N_ELEMENTS (demo_views) - 1;
      demo_walk (self);
    }
}

gboolean
ftc_window_start_demo (FtcWindow *self, const char *dir, FtcExperiment *exp, GError **error)
{
  g_autoptr (FtcPipeline) check = NULL;

  g_clear_pointer (&self->demo_error, g_free);
  if (self->demo)
    {
      ftc_experiment_free (exp);
      return TRUE;
    }
  /* writes dir/experiment.json, or checks that the one there is this experiment (a reused folder) */
  check = ftc_pipeline_new (dir, exp, error);
  if (check == NULL)
    return FALSE;
  ftc_window_open_experiment (self, dir);
  g_clear_handle_id (&self->demo_walk_id, g_source_remove);
  self->demo_view = self->demo_target = -1;
  set_demo (self, TRUE);
  if (!ftc_train_page_start (self->train_page, error))
    {
      set_demo (self, FALSE);
      return FALSE;
    }
  demo_stage_changed (self);
  return TRUE;
}

void
ftc_window_stop_demo (FtcWindow *self)
{
  if (self->demo)
    ftc_train_page_stop (self->train_page);
}

/* running until the pipeline stopped and the walk reached its last view */
gboolean ftc_window_get_demo_running (FtcWindow *self) { return self->demo || self->demo_walk_id != 0; }
const char *ftc_window_get_demo_error (FtcWindow *self) { return self->demo_error; }

char *
ftc_window_demo_directory (gboolean quick)
{
  const char *dir = g_getenv ("FTCOT_STUDIO_DEMO_DIR");

  if (dir != NULL && *dir != '\0')
    return g_strdup (dir);
  return g_build_filename (g_get_user_data_dir (), "ftcot", quick ? "demo-quick" : "demo", NULL);
}

FtcExperiment *
ftc_window_demo_experiment (gboolean quick, GError **error)
{
  /* a test hook: another (tiny) experiment in place of the demo's */
  const char *path = g_getenv ("FTCOT_STUDIO_DEMO_EXPERIMENT");

  if (path != NULL && *path != '\0')
    return ftc_experiment_load (path, error);
  return ftc_demo_experiment (quick);
}

static void
show_demo_error (FtcWindow *self, const char *message)
{
  GtkWidget *msg = gtk_message_dialog_new (GTK_WINDOW (self), GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                           GTK_MESSAGE_ERROR, GTK_BUTTONS_CLOSE,
                                           _("Could not start the classroom demo"));

  g_free (self->demo_error);
  self->demo_error = g_strdup (message);
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (msg), "%s", message);
  g_signal_connect (msg, "response", G_CALLBACK (gtk_window_destroy), NULL);
  gtk_window_present (GTK_WINDOW (msg));
}

static void
run_demo (FtcWindow *self, gboolean quick)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  FtcExperiment *exp;

  if (self->demo)
    {
      ftc_window_stop_demo (self);
      return;
    }
  dir = ftc_window_demo_directory (quick);
  exp = ftc_window_demo_experiment (quick, &error);
  if (exp == NULL || !ftc_window_start_demo (self, dir, exp, &error))
    show_demo_error (self, error->message);
}

static void
demo_action (GtkWidget *widget, const char *name, GVariant *param)
{
  run_demo (FTC_WINDOW (widget), TRUE);
}

static void
demo_full_action (GtkWidget *widget, const char *name, GVariant *param)
{
  run_demo (FTC_WINDOW (widget), FALSE);
}

static gboolean
ftc_window_close_request (GtkWindow *window)
{
  FtcWindow *self = FTC_WINDOW (window);
  GSettings *settings = ftc_application_get_settings ();
  int w, h;

  if (settings != NULL)
    {
      gtk_window_get_default_size (window, &w, &h);
      g_settings_set_int (settings, "window-width", w);
      g_settings_set_int (settings, "window-height", h);
      g_settings_set_boolean (settings, "window-maximized", gtk_window_is_maximized (window));
    }
  ftc_review_page_flush (self->review_page, NULL);
  return GTK_WINDOW_CLASS (ftc_window_parent_class)->close_request (window);
}

static void
ftc_window_dispose (GObject *object)
{
  FtcWindow *self = FTC_WINDOW (object);

  g_clear_handle_id (&self->demo_walk_id, g_source_remove);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), FTC_TYPE_WINDOW);
  G_OBJECT_CLASS (ftc_window_parent_class)->dispose (object);
}

static void
ftc_window_finalize (GObject *object)
{
  g_free (FTC_WINDOW (object)->experiment);
  g_free (FTC_WINDOW (object)->demo_error);
  G_OBJECT_CLASS (ftc_window_parent_class)->finalize (object);
}

static void
ftc_window_class_init (FtcWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ftc_window_dispose;
  object_class->finalize = ftc_window_finalize;
  GTK_WINDOW_CLASS (klass)->close_request = ftc_window_close_request;

  g_type_ensure (FTC_TYPE_EXPERIMENT_PAGE);
  g_type_ensure (FTC_TYPE_TEACHER_PAGE);
  g_type_ensure (FTC_TYPE_REVIEW_PAGE);
  g_type_ensure (FTC_TYPE_TRAIN_PAGE);
  g_type_ensure (FTC_TYPE_EVAL_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/ftcot/Studio/ftc-window.ui");
  gtk_widget_class_bind_template_child (widget_class, FtcWindow, title_label);
  gtk_widget_class_bind_template_child (widget_class, FtcWindow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, FtcWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, FtcWindow, demo_button);
  gtk_widget_class_bind_template_child (widget_class, FtcWindow, experiment_page);
  gtk_widget_class_bind_template_child (widget_class, FtcWindow, teacher_page);
  gtk_widget_class_bind_template_child (widget_class, FtcWindow, review_page);
  gtk_widget_class_bind_template_child (widget_class, FtcWindow, train_page);
  gtk_widget_class_bind_template_child (widget_class, FtcWindow, eval_page);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.new", NULL, new_action);
  gtk_widget_class_install_action (widget_class, "win.view", "s", view_action);
  gtk_widget_class_install_action (widget_class, "win.classroom-demo", NULL, demo_action);
  gtk_widget_class_install_action (widget_class, "win.classroom-demo-full", NULL, demo_full_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.new", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (view_names); i++)
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_ALT_MASK, "win.view", "s",
                                         view_names[i]);
}

static void
ftc_window_init (FtcWindow *self)
{
  GSettings *settings = ftc_application_get_settings ();

  gtk_widget_init_template (GTK_WIDGET (self));
  self->demo_view = self->demo_target = -1;
  g_signal_connect_swapped (self->train_page, "notify::stage", G_CALLBACK (demo_stage_changed), self);
  g_signal_connect_swapped (self->train_page, "notify::running", G_CALLBACK (demo_running_changed), self);
  g_signal_connect_swapped (self->train_page, "notify::running", G_CALLBACK (jobs_changed), self);
  g_signal_connect_swapped (self->teacher_page, "notify::job-running", G_CALLBACK (jobs_changed), self);
  if (settings != NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (self), g_settings_get_int (settings, "window-width"),
                                   g_settings_get_int (settings, "window-height"));
      if (g_settings_get_boolean (settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
    }
}

FtcWindow *
ftc_window_new (GtkApplication *app)
{
  return g_object_new (FTC_TYPE_WINDOW, "application", app, NULL);
}
