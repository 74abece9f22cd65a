/* ftcot: the command line. `ftcot COMMAND [OPTIONS]`; every command has --help. */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "app/ftc-cli.h"
#include "core/ftc-user-dirs.h"
#include "ftc-config.h"

static const FtcCommand commands[] = {
  /* commands: keep in the order a user meets them */
  { "demo", "Fine-tune-CoT offline: teacher, students, baselines and a report", ftc_cmd_demo },
  { "run", "Run or continue an experiment (experiment.json or its directory)", ftc_cmd_run },
  { "tasks", "List, show, generate, fetch and import tasks", ftc_cmd_tasks },
  { "teach", "Have a teacher answer a task's questions step by step", ftc_cmd_teach },
  { "score", "Score a file of completion records against a task's answers", ftc_cmd_score },
  { "report", "Re-render an experiment's report: table, CSV, charts", ftc_cmd_report },
  { "generate", "Generate text from a model folder", ftc_cmd_generate },
  { "export", "Write a model folder as a Hugging Face folder or a GGUF file", ftc_cmd_export },
  { "tokenize", "Encode text to token ids, or decode ids to text", ftc_cmd_tokenize },
  { "devices", "List the compute devices with their memory", ftc_cmd_devices },
  { "tune", "Tune CLBlast's GEMM for an OpenCL device", ftc_cmd_tune },
  { "bench", "Measure the engine's speed: GEMM and training steps", ftc_cmd_bench },
  { "version", "Print the version", ftc_cmd_version },
};

static void
print_help (FILE *stream)
{
  fprintf (stream, "Usage: ftcot COMMAND [OPTIONS]\n\n"
                   "Fine-tune-CoT: large language models teach small ones to reason.\n\nCommands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (stream, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf (stream, "\nRun 'ftcot COMMAND --help' for the options of a command.\n");
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, FTC_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  ftc_user_dirs_apply ();

  if (argc < 2)
    {
      print_help (stderr);
      return FTC_EXIT_USAGE;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "help") == 0)
    {
      print_help (stdout);
      return FTC_EXIT_OK;
    }
  if (strcmp (argv[1], "--version") == 0)
    return ftc_cmd_version (argc - 1, argv + 1);

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      return commands[i].run (argc - 1, argv + 1);

  g_printerr ("ftcot: unknown command '%s'\n", argv[1]);
  print_help (stderr);
  return FTC_EXIT_USAGE;
}
