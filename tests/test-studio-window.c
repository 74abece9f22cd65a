/* The main window: the five views from their templates on one experiment, view switching, the
 * shortcuts window, light and dark styles, preferences, and the German translation end to end. */
#include <locale.h>
#include <string.h>

#include <glib/gi18n.h>

#include "app/studio/ftc-application.h"
#include "app/studio/ftc-chart-view.h"
#include "app/studio/ftc-eval-page.h"
#include "app/studio/ftc-review-page.h"
#include "app/studio/ftc-train-page.h"
#include "app/studio/ftc-window.h"
#include "tests/ftc-test-studio.h"
#include "tests/ftc-test-util.h"

static gboolean
window_loaded (gpointer window)
{
  return !ftc_window_get_loading (window);
}

static void
test_views (void)
{
  g_autofree char *dir = ftc_test_studio_copy_experiment ();
  FtcWindow *window = ftc_window_new (NULL);
  const char *views[] = { "experiment", "teacher", "review", "training", "evaluation" };
  GSettings *settings = ftc_application_get_settings ();
  GtkWidget *demo;
  FtcReviewCounts counts;

  g_assert_nonnull (settings);
  gtk_window_present (GTK_WINDOW (window));
  ftc_window_open_experiment (window, dir);
  ftc_test_studio_wait (window_loaded, window, 20000);
  g_assert_cmpstr (ftc_window_get_experiment (window), ==, dir);
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.view", "s", views[i]));
      g_assert_cmpstr (ftc_window_get_view (window), ==, views[i]);
      g_assert_nonnull (ftc_window_get_page (window, views[i]));
    }
  /* every view got the experiment */
  ftc_review_page_get_counts (FTC_REVIEW_PAGE (ftc_window_get_page (window, "review")), &counts);
  g_assert_cmpuint (counts.total, >, 0);
  g_assert_nonnull (ftc_eval_page_get_tasks (FTC_EVAL_PAGE (ftc_window_get_page (window, "evaluation"))));

  /* the classroom demo is on, and says what it does */
  demo = ftc_test_studio_find_action (gtk_window_get_titlebar (GTK_WINDOW (window)), "win.classroom-demo");
  g_assert_nonnull (demo);
  g_assert_true (gtk_widget_is_sensitive (demo));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (demo), "demo"));

  /* closing remembers the experiment and the size */
  gtk_window_set_default_size (GTK_WINDOW (window), 1003, 701);
  gtk_window_close (GTK_WINDOW (window));
  {
    g_autofree char *last = g_settings_get_string (settings, "last-experiment");
    g_assert_cmpstr (last, ==, dir);
  }
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 1003);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 701);
}

static void
test_shortcuts_window (void)
{
  g_autoptr (GtkBuilder) builder = gtk_builder_new_from_resource ("/io/github/ftcot/Studio/gtk/help-overlay.ui");
  GObject *overlay = gtk_builder_get_object (builder, "help_overlay");

  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (overlay));
  gtk_window_destroy (GTK_WINDOW (overlay));
}

static gboolean
chart_dark (FtcChartView *chart)
{
  return ftc_chart_view_get_theme (chart) == FTC_CHART_THEME_DARK;
}

static void
test_styles (void)
{
  GtkWidget *chart = ftc_chart_view_new ();
  GtkWidget *window = ftc_test_studio_show (chart, 400, 300);
  gboolean dark = FALSE;

  ftc_application_apply_style ("dark");
  g_object_get (gtk_settings_get_default (), "gtk-application-prefer-dark-theme", &dark, NULL);
  g_assert_true (dark);
  ftc_test_studio_spin (100);
  /* the chart follows: light text on a dark background */
  g_assert_true (chart_dark (FTC_CHART_VIEW (chart)));
  ftc_application_apply_style ("light");
  g_object_get (gtk_settings_get_default (), "gtk-application-prefer-dark-theme", &dark, NULL);
  g_assert_false (dark);
  ftc_test_studio_spin (100);
  g_assert_false (chart_dark (FTC_CHART_VIEW (chart)));
  ftc_application_apply_style ("system");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_german (void)
{
  const char *locale_dir = g_getenv ("FTCOT_LOCALE_DIR");
  g_autofree char *mo = NULL;
  FtcWindow *window;
  GtkWidget *stack;

  if (setlocale (LC_ALL, "C.UTF-8") == NULL)
    {
      g_test_skip ("no C.UTF-8 locale");
      return;
    }
  g_assert_nonnull (locale_dir);
  mo = g_build_filename (locale_dir, "de", "LC_MESSAGES", "ftcot.mo", NULL);
  g_assert_true (g_file_test (mo, G_FILE_TEST_EXISTS));
  g_setenv ("LANGUAGE", "de", TRUE);
  bindtextdomain (GETTEXT_PACKAGE, locale_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_assert_cmpstr (_("Review"), ==, "Prüfung");
  /* the templates translate through the same catalogue */
  window = ftc_window_new (NULL);
  stack = gtk_widget_get_parent (ftc_window_get_page (window, "review"));
  g_assert_cmpstr (gtk_stack_page_get_title (gtk_stack_get_page (GTK_STACK (stack), ftc_window_get_page (window, "review"))),
                   ==, "Prüfung");
  g_assert_cmpstr (gtk_stack_page_get_title (gtk_stack_get_page (GTK_STACK (stack), ftc_window_get_page (window, "evaluation"))),
                   ==, "Auswertung");
  gtk_window_destroy (GTK_WINDOW (window));
  g_unsetenv ("LANGUAGE");
}

static void
record_view (GtkStack *stack, GParamSpec *pspec, GPtrArray *views)
{
  const char *name = gtk_stack_get_visible_child_name (stack);

  if (views->len == 0 || g_strcmp0 (views->pdata[views->len - 1], name) != 0)
    g_ptr_array_add (views, g_strdup (name));
}

static gboolean
demo_stopped (gpointer window)
{
  return !ftc_window_get_demo_running (window);
}

static gboolean
demo_has_stage (gpointer window)
{
  const char *stage = ftc_train_page_get_stage (FTC_TRAIN_PAGE (ftc_window_get_page (window, "training")));
  return stage != NULL && *stage != '\0';
}

static guint
index_of (GPtrArray *views, const char *name)
{
  guint i;
  g_assert_true (g_ptr_array_find_with_equal_func (views, name, g_str_equal, &i));
  return i;
}

/* The "Classroom demo" button on a tiny experiment in place of the demo's (the test hook
 * FTCOT_STUDIO_DEMO_EXPERIMENT), in FTCOT_STUDIO_DEMO_DIR: stopped once, then run again in the same folder
 * to the end, the window walking through Teacher, Review, Training and Evaluation. */
static void
test_classroom_demo (void)
{
  g_autofree char *tmp = ftc_test_tmpdir ();
  g_autofree char *dir = g_build_filename (tmp, "demo", NULL);
  g_autofree char *tiny = g_build_filename (g_getenv ("FTCOT_SOURCE_ROOT"), "tests", "data", "experiment-tiny.json", NULL);
  g_autofree char *summary = g_build_filename (dir, "report", "summary.json", NULL);
  g_autofree char *records = g_build_filename (dir, "teacher", "synthetic_coin_flip.train.jsonl", NULL);
  g_autoptr (GPtrArray) views = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) lines = NULL;
  FtcWindow *window = ftc_window_new (NULL);
  GtkWidget *stack = gtk_widget_get_parent (ftc_window_get_page (window, "experiment"));
  GtkWidget *demo;
  FtcReviewCounts counts;

  g_setenv ("FTCOT_STUDIO_DEMO_EXPERIMENT", tiny, TRUE);
  g_setenv ("FTCOT_STUDIO_DEMO_DIR", dir, TRUE);
  gtk_window_present (GTK_WINDOW (window));
  demo = ftc_test_studio_find_action (gtk_window_get_titlebar (GTK_WINDOW (window)), "win.classroom-demo");
  g_signal_connect (stack, "notify::visible-child-name", G_CALLBACK (record_view), views);

  /* started, then stopped by the same button as soon as the pipeline is under way */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.classroom-demo", NULL));
  g_assert_null (ftc_window_get_demo_error (window));
  g_assert_true (ftc_window_get_demo_running (window));
  g_assert_cmpstr (ftc_window_get_experiment (window), ==, dir);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (demo)), ==, _("Stop demo"));
  /* the Teacher view's own job waits: the pipeline writes those records now */
  g_assert_false (gtk_widget_is_sensitive (ftc_test_studio_find_action (ftc_window_get_page (window, "teacher"),
                                                                        "teacher.start")));
  ftc_test_studio_wait (demo_has_stage, window, 20000);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.classroom-demo", NULL));
  ftc_test_studio_wait (demo_stopped, window, 30000);
  g_assert_false (g_file_test (summary, G_FILE_TEST_EXISTS));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (demo)), ==, _("Classroom demo"));

  /* again, in the same folder: it goes on from there to the report */
  g_ptr_array_set_size (views, 0);
  g_ptr_array_add (views, g_strdup (ftc_window_get_view (window)));   /* (a view shown again is no change) */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.classroom-demo", NULL));
  g_assert_null (ftc_window_get_demo_error (window));
  ftc_test_studio_wait (demo_stopped, window, 60000);
  g_assert_true (g_file_test (summary, G_FILE_TEST_EXISTS));
  g_assert_cmpstr (ftc_window_get_view (window), ==, "evaluation");
  g_assert_cmpuint (index_of (views, "teacher"), <, index_of (views, "review"));
  g_assert_cmpuint (index_of (views, "review"), <, index_of (views, "training"));
  g_assert_cmpuint (index_of (views, "training"), <, index_of (views, "evaluation"));
  /* the views hold what the pipeline wrote */
  ftc_test_studio_wait (window_loaded, window, 20000);
  lines = ftc_test_studio_read_jsonl (records);
  ftc_review_page_get_counts (FTC_REVIEW_PAGE (ftc_window_get_page (window, "review")), &counts);
  g_assert_cmpuint (counts.total, ==, lines->len);
  g_assert_nonnull (ftc_eval_page_get_tasks (FTC_EVAL_PAGE (ftc_window_get_page (window, "evaluation"))));
  g_assert_cmpstr (ftc_eval_page_get_tasks (FTC_EVAL_PAGE (ftc_window_get_page (window, "evaluation")))[0], ==,
                   "synthetic_coin_flip");

  /* a folder holding another experiment is not overwritten: the demo says why it cannot start */
  g_setenv ("FTCOT_STUDIO_DEMO_DIR", tmp, TRUE);
  {
    g_autofree char *other = g_build_filename (tmp, "experiment.json", NULL);
    g_autofree char *contents = NULL;
    g_auto (GStrv) parts = NULL;
    g_autofree char *changed = NULL;

    g_assert_true (g_file_get_contents (tiny, &contents, NULL, NULL));
    parts = g_strsplit (contents, "\"epochs\": 1", 2);
    g_assert_nonnull (parts[1]);
    changed = g_strjoinv ("\"epochs\": 2", parts);
    g_assert_true (g_file_set_contents (other, changed, -1, NULL));
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.classroom-demo", NULL));
  g_assert_false (ftc_window_get_demo_running (window));
  g_assert_nonnull (ftc_window_get_demo_error (window));
  g_assert_nonnull (strstr (ftc_window_get_demo_error (window), "another experiment"));
  /* and that folder's experiment is as it was */
  {
    g_autofree char *other = g_build_filename (tmp, "experiment.json", NULL);
    g_autofree char *contents = NULL;
    g_assert_true (g_file_get_contents (other, &contents, NULL, NULL));
    g_assert_nonnull (strstr (contents, "\"epochs\": 2"));
  }
  g_unsetenv ("FTCOT_STUDIO_DEMO_EXPERIMENT");
  g_unsetenv ("FTCOT_STUDIO_DEMO_DIR");
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ftc_test_studio_init ();
  g_test_add_func ("/studio/window/views", test_views);
  g_test_add_func ("/studio/window/shortcuts-window", test_shortcuts_window);
  g_test_add_func ("/studio/window/styles", test_styles);
  g_test_add_func ("/studio/window/german", test_german);
  g_test_add_func ("/studio/window/classroom-demo", test_classroom_demo);
  return g_test_run ();
}
