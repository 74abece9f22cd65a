/* ftc-application.h: the GtkApplication (id io.github.ftcot.Studio): actions, preferences (GSettings),
 * light/dark style, and the --screenshot-dir mode that renders every view to PNG and quits. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define FTC_TYPE_APPLICATION (ftc_application_get_type ())
G_DECLARE_FINAL_TYPE (FtcApplication, ftc_application, FTC, APPLICATION, GtkApplication)

FtcApplication *ftc_application_new (void);

/* The application's settings, or NULL when the schema is not installed (running from a build folder
 * without GSETTINGS_SCHEMA_DIR): preferences are then not remembered. */
GSettings *ftc_application_get_settings (void);

/* Applies a style: "system" (the desktop's preference), "light" or "dark". */
void ftc_application_apply_style (const char *style);

G_END_DECLS
