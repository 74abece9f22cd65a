/* ftc-cli.h: what the ftcot subcommands share. Each subcommand is one ftc-cmd-*.c file with an entry
 * point `int ftc_cmd_NAME (int argc, char **argv)` that parses its own options (GOptionContext) and
 * returns the process exit status. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum {
  FTC_EXIT_OK = 0,
  FTC_EXIT_FAILURE = 1,   /* the job failed: bad input file, network, compute */
  FTC_EXIT_USAGE = 2,     /* bad command line */
  FTC_EXIT_CANCELLED = 130,
} FtcExit;

typedef struct {
  const char *name;
  const char *summary;
  int (*run) (int argc, char **argv);
} FtcCommand;

/* Parses argv with entries; on error prints "ftcot NAME: message" and returns FALSE. */
gboolean ftc_cli_parse (const char *name, const char *parameter_string, const char *summary,
                        GOptionEntry *entries, int *argc, char ***argv);
/* Prints "ftcot NAME: message" to stderr, and for an engine error of a code the user can act on
 * (FtcErrorCode: out of device memory, device lost, no such device) a line "ftcot NAME: hint: ..."; returns
 * FTC_EXIT_FAILURE. */
int ftc_cli_error (const char *name, const GError *error);
int ftc_cli_usage_error (const char *name, const char *fmt, ...) G_GNUC_PRINTF (2, 3);
/* Prints node as pretty JSON on stdout, followed by a newline. */
void ftc_cli_print_json (JsonNode *node);
/* TRUE when stdout is a terminal (progress bars are drawn only then). */
gboolean ftc_cli_stdout_is_tty (void);

/* subcommands */
int ftc_cmd_version (int argc, char **argv);
int ftc_cmd_run (int argc, char **argv);
int ftc_cmd_demo (int argc, char **argv);
int ftc_cmd_score (int argc, char **argv);
int ftc_cmd_tokenize (int argc, char **argv);
int ftc_cmd_tasks (int argc, char **argv);
int ftc_cmd_bench (int argc, char **argv);
int ftc_cmd_report (int argc, char **argv);
int ftc_cmd_teach (int argc, char **argv);
int ftc_cmd_devices (int argc, char **argv);
int ftc_cmd_tune (int argc, char **argv);
int ftc_cmd_generate (int argc, char **argv);
int ftc_cmd_export (int argc, char **argv);

G_END_DECLS
