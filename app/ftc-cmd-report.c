/* ftcot report DIR: re-renders an experiment's report (CSV, charts) from report/summary.json and the
 * training curves from metrics.jsonl, and prints the table (or the summary as JSON). */
#include <stdlib.h>

#include "app/ftc-cli.h"
#include "core/method/ftc-experiment.h"
#include "core/ftc-json-out.h"
#include "core/results/ftc-report.h"

int
ftc_cmd_report (int argc, char **argv)
{
  gboolean json = FALSE, dark = FALSE, quiet = FALSE;
  int width = 960, height = 600;
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcReport) report = NULL;
  g_autoptr (GPtrArray) written = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *report_dir = NULL, *summary = NULL, *metrics = NULL;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print report/summary.json instead of the table", NULL },
    { "dark", 0, 0, G_OPTION_ARG_NONE, &dark, "Draw the charts in the dark theme", NULL },
    { "width", 0, 0, G_OPTION_ARG_INT, &width, "Chart width in pixels (960)", "PX" },
    { "height", 0, 0, G_OPTION_ARG_INT, &height, "Chart height in pixels (600)", "PX" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Do not list the files written", NULL },
    { NULL }
  };

  if (!ftc_cli_parse ("report", "DIR", "Re-render an experiment's report: summary CSV and charts (PNG, SVG).",
                      entries, &argc, &argv))
    return FTC_EXIT_USAGE;
  if (argc != 2)
    return ftc_cli_usage_error ("report", "give one experiment directory");
  if (width < 200 || width > 8000 || height < 150 || height > 8000)
    return ftc_cli_usage_error ("report", "chart size %d x %d is out of range (200..8000 x 150..8000)", width, height);
  if (!g_file_test (argv[1], G_FILE_TEST_IS_DIR))
    {
      g_set_error (&error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s: not an experiment directory", argv[1]);
      return ftc_cli_error ("report", error);
    }

  report_dir = ftc_experiment_dir_report (argv[1]);
  summary = g_build_filename (report_dir, "summary.json", NULL);
  metrics = ftc_experiment_dir_metrics (argv[1]);
  if (!g_file_test (summary, G_FILE_TEST_EXISTS))
    {
      g_set_error (&error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   "%s: no results yet; 'ftcot run' writes it when the evaluation is done", summary);
      return ftc_cli_error ("report", error);
    }
  report = ftc_report_load_json (summary, &error);
  if (report == NULL)
    return ftc_cli_error ("report", error);
  if (!ftc_report_write (report, report_dir, metrics, width, height,
                         dark ? FTC_CHART_THEME_DARK : FTC_CHART_THEME_LIGHT, written, &error))
    return ftc_cli_error ("report", error);

  if (json)
    {
      /* the file's own formatting (shortest round-trip numbers), not json-glib's 17 digits */
      g_autoptr (JsonNode) root = ftc_report_to_json (report);
      g_autofree char *text = ftc_json_to_pretty_string (root);
      g_print ("%s", text);
    }
  else
    {
      g_autofree char *table = ftc_report_format_table (report);
      g_print ("%s", table);
      if (!quiet)
        {
          g_print ("\nWrote:\n");
          for (guint i = 0; i < written->len; i++)
            g_print ("  %s\n", (char *) g_ptr_array_index (written, i));
        }
    }
  return FTC_EXIT_OK;
}
