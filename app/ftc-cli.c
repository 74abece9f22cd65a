#include "app/ftc-cli.h"

#include <stdio.h>
#include <unistd.h>

#include "core/ftc-json-out.h"
#include "ftc-config.h"

gboolean
ftc_cli_parse (const char *name, const char *parameter_string, const char *summary,
               GOptionEntry *entries, int *argc, char ***argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new (parameter_string);
  g_autoptr (GError) error = NULL;
  g_autofree char *prgname = g_strdup_printf ("ftcot %s", name);

  g_set_prgname (prgname);
  if (summary != NULL)
    g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("ftcot %s: %s\nRun 'ftcot %s --help' for usage.\n", name, error->message, name);
      return FALSE;
    }
  return TRUE;
}

int
ftc_cli_error (const char *name, const GError *error)
{
  g_printerr ("ftcot %s: %s\n", name, error->message);
  return FTC_EXIT_FAILURE;
}

int
ftc_cli_usage_error (const char *name, const char *fmt, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, fmt);
  message = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_printerr ("ftcot %s: %s\nRun 'ftcot %s --help' for usage.\n", name, message, name);
  return FTC_EXIT_USAGE;
}

void
ftc_cli_print_json (JsonNode *node)
{
  g_autofree char *text = ftc_json_to_pretty_string (node);

  fputs (text, stdout);
  fflush (stdout);
}

gboolean
ftc_cli_stdout_is_tty (void)
{
  return isatty (fileno (stdout));
}

int
ftc_cmd_version (int argc, char **argv)
{
  g_print ("ftcot %s\n", FTC_VERSION);
  return FTC_EXIT_OK;
}
