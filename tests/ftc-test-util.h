/* ftc-test-util.h: helpers every test program shares. */
#pragma once

#include <gio/gio.h>
#include <stdarg.h>

G_BEGIN_DECLS

/* The shared reference data folder ($FTCOT_SHARED, else ../shared from the source root), or skip the
 * calling test when it is absent. Returns NULL after g_test_skip. */
const char *ftc_test_shared_dir (void);
/* A path below the shared folder; NULL (and the test skipped) when the shared folder is absent. */
char *ftc_test_shared_path (const char *first, ...) G_GNUC_NULL_TERMINATED;
/* A fresh temporary directory, removed with its contents at process exit. */
char *ftc_test_tmpdir (void);
/* Writes contents to a new file in a fresh temporary directory and returns its path. */
char *ftc_test_write_tmp (const char *name, const char *contents, gssize len);

/* The built `ftcot` binary run as a user would: a launcher with standard input, output and error piped,
 * for the caller to set environment variables on; then the arguments from first to NULL, with input (NULL:
 * none) on standard input. Returns the exit status and the output and error text. */
GSubprocessLauncher *ftc_test_cli_launcher (void);
int ftc_test_cli_run_va (GSubprocessLauncher *launcher, const char *input, char **out, char **err,
                         const char *first, va_list args);
int ftc_test_cli_run (GSubprocessLauncher *launcher, const char *input, char **out, char **err,
                      const char *first, ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
