/* ftcot-studio: the GTK 4 application. `ftcot-studio [EXPERIMENT-FOLDER] [--screenshot-dir DIR]` */
#include <locale.h>

#include <glib/gi18n.h>

#include "app/studio/ftc-application.h"
#include "app/studio/ftc-studio-util.h"
#include "core/ftc-user-dirs.h"
#include "ftc-config.h"

int
main (int argc, char **argv)
{
  g_autoptr (FtcApplication) app = NULL;
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, FTC_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  ftc_user_dirs_apply ();

  app = ftc_application_new ();
  status = g_application_run (G_APPLICATION (app), argc, argv);
  if (status == 0 && g_object_get_data (G_OBJECT (app), "failed") != NULL)
    status = 1;
  return status;
}
