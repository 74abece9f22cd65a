#include "app/studio/ftc-application.h"

#include <glib/gi18n.h>

#include "app/studio/ftc-screenshot.h"
#include "app/studio/ftc-studio-util.h"
#include "app/studio/ftc-window.h"
#include "ftc-config.h"

struct _FtcApplication
{
  GtkApplication parent_instance;
  char *screenshot_dir;
};

G_DEFINE_FINAL_TYPE (FtcApplication, ftc_application, GTK_TYPE_APPLICATION)

static GSettings *settings;
static int system_prefers_dark = -1;   /* the desktop's own preference, read before we change it */

GSettings *
ftc_application_get_settings (void)
{
  if (settings == NULL)
    {
      GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
      g_autoptr (GSettingsSchema) schema = source != NULL
        ? g_settings_schema_source_lookup (source, FTC_STUDIO_APP_ID, TRUE) : NULL;
      if (schema != NULL)
        settings = g_settings_new_full (schema, NULL, NULL);
    }
  return settings;
}

void
ftc_application_apply_style (const char *style)
{
  GtkSettings *gtk = gtk_settings_get_default ();
  gboolean dark;

  if (gtk == NULL)
    return;
  if (system_prefers_dark < 0)
    {
      gboolean v = FALSE;
      g_object_get (gtk, "gtk-application-prefer-dark-theme", &v, NULL);
      system_prefers_dark = v;
    }
  if (g_strcmp0 (style, "dark") == 0)
    dark = TRUE;
  else if (g_strcmp0 (style, "light") == 0)
    dark = FALSE;
  else
    dark = system_prefers_dark;
  g_object_set (gtk, "gtk-application-prefer-dark-theme", dark, NULL);
}

static void
style_changed (GSettings *s, const char *key, gpointer data)
{
  g_autofree char *style = g_settings_get_string (s, "dark-style");

  ftc_application_apply_style (style);
}

static void
quit_action (GSimpleAction *action, GVariant *param, gpointer app)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));

  /* close (not destroy) so each window saves its state */
  while (windows != NULL)
    {
      GList *next = windows->next;
      gtk_window_close (windows->data);
      windows = next;
    }
}

static void
about_action (GSimpleAction *action, GVariant *param, gpointer app)
{
  static const char *developers[] = { "The ftcot developers", NULL };

  gtk_show_about_dialog (gtk_application_get_active_window (GTK_APPLICATION (app)),
                         "program-name", _("ftcot Studio"),
                         "logo-icon-name", FTC_STUDIO_APP_ID,
                         "version", FTC_VERSION,
                         "comments", _("Large language models teach small ones to reason (Fine-tune-CoT)."),
                         "license-type", GTK_LICENSE_MIT_X11,
                         "authors", developers,
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static FtcWindow *
ensure_window (FtcApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (ftc_window_new (GTK_APPLICATION (self)));
  return FTC_WINDOW (window);
}

static void
screenshot_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FtcApplication *self = user_data;
  g_autoptr (GError) error = NULL;

  if (!ftc_screenshot_views_finish (result, &error))
    {
      g_printerr ("ftcot-studio: %s\n", error->message);
      /* a failed screenshot run must show in the exit status */
      g_object_set_data (G_OBJECT (self), "failed", GINT_TO_POINTER (1));
    }
  gtk_window_destroy (GTK_WINDOW (source));
  g_application_release (G_APPLICATION (self));
}

static void
present (FtcApplication *self, const char *dir)
{
  FtcWindow *window = ensure_window (self);
  GSettings *s = ftc_application_get_settings ();

  if (dir != NULL)
    ftc_window_open_experiment (window, dir);
  else if (ftc_window_get_experiment (window) == NULL && s != NULL && self->screenshot_dir == NULL)
    {
      g_autofree char *last = g_settings_get_string (s, "last-experiment");
      if (*last != '\0' && g_file_test (last, G_FILE_TEST_IS_DIR))
        ftc_window_open_experiment (window, last);
    }
  gtk_window_present (GTK_WINDOW (window));
  if (self->screenshot_dir != NULL)
    {
      g_application_hold (G_APPLICATION (self));
      ftc_screenshot_views_async (window, self->screenshot_dir, NULL, screenshot_done, self);
    }
}

static void
ftc_application_activate (GApplication *app)
{
  present (FTC_APPLICATION (app), NULL);
}

static void
ftc_application_open (GApplication *app, GFile **files, int n_files, const char *hint)
{
  g_autofree char *path = n_files > 0 ? g_file_get_path (files[0]) : NULL;

  present (FTC_APPLICATION (app), path);
}

static int
ftc_application_handle_local_options (GApplication *app, GVariantDict *options)
{
  FtcApplication *self = FTC_APPLICATION (app);

  if (g_variant_dict_lookup (options, "screenshot-dir", "^ay", &self->screenshot_dir))
    {
      /* a screenshot run is its own process, never handed to a running instance */
      g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);
      g_mkdir_with_parents (self->screenshot_dir, 0755);
    }
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("ftcot-studio %s\n", FTC_VERSION);
      return 0;
    }
  return -1;
}

static void
ftc_application_startup (GApplication *app)
{
  static const GActionEntry entries[] = {
    { "quit", quit_action, NULL, NULL, NULL, { 0 } },
    { "about", about_action, NULL, NULL, NULL, { 0 } },
  };
  static const char *quit_accels[] = { "<Control>q", NULL };
  GSettings *s;

  G_APPLICATION_CLASS (ftc_application_parent_class)->startup (app);
  ftc_studio_init ();
  gtk_window_set_default_icon_name (FTC_STUDIO_APP_ID);
  g_action_map_add_action_entries (G_ACTION_MAP (app), entries, G_N_ELEMENTS (entries), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);

  s = ftc_application_get_settings ();
  if (s != NULL)
    {
      g_autoptr (GAction) style = g_settings_create_action (s, "dark-style");
      g_action_map_add_action (G_ACTION_MAP (app), style);
      g_signal_connect (s, "changed::dark-style", G_CALLBACK (style_changed), NULL);
      style_changed (s, "dark-style", NULL);
    }
}

static void
ftc_application_finalize (GObject *object)
{
  g_free (FTC_APPLICATION (object)->screenshot_dir);
  G_OBJECT_CLASS (ftc_application_parent_class)->finalize (object);
}

static void
ftc_application_class_init (FtcApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = ftc_application_finalize;
  app_class->activate = ftc_application_activate;
  app_class->open = ftc_application_open;
  app_class->startup = ftc_application_startup;
  app_class->handle_local_options = ftc_application_handle_local_options;
}

static void
ftc_application_init (FtcApplication *self)
{
  static const GOptionEntry options[] = {
    { "screenshot-dir", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Render every view to DIR/VIEW.png once loaded, then quit"), N_("DIR") },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[EXPERIMENT-FOLDER]"));
}

FtcApplication *
ftc_application_new (void)
{
  return g_object_new (FTC_TYPE_APPLICATION,
                       "application-id", FTC_STUDIO_APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", FTC_STUDIO_RESOURCE_PATH,
                       NULL);
}
