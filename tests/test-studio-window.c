/* The main window: the five views from their templates on one experiment, view switching, the
 * shortcuts window, light and dark styles, preferences, and the German translation end to end. */
#include <locale.h>
#include <string.h>

#include <glib/gi18n.h>

#include "app/studio/ftc-application.h"
#include "app/studio/ftc-chart-view.h"
#include "app/studio/ftc-eval-page.h"
#include "app/studio/ftc-review-page.h"
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

  /* the classroom demo waits for the pipeline: insensitive, and it says why */
  demo = ftc_test_studio_find_action (gtk_window_get_titlebar (GTK_WINDOW (window)), "win.classroom-demo");
  g_assert_nonnull (demo);
  g_assert_false (gtk_widget_is_sensitive (demo));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (demo), "pipeline"));

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
  FtcChartOptions opt;

  ftc_chart_view_get_options (chart, &opt);
  return opt.dark;
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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ftc_test_studio_init ();
  g_test_add_func ("/studio/window/views", test_views);
  g_test_add_func ("/studio/window/shortcuts-window", test_shortcuts_window);
  g_test_add_func ("/studio/window/styles", test_styles);
  g_test_add_func ("/studio/window/german", test_german);
  return g_test_run ();
}
