/* fuzz-experiment: experiment.json text to ftc_experiment_load_from_data (the strict parser, then the schema).
 * Any input gives an experiment or an error, never both, never a crash; an accepted experiment saved and
 * read again is accepted again and saves to the very same text (what ftcot writes, it reads back). */
#include <stdint.h>
#include <string.h>

#include "core/ftc-json-out.h"
#include "core/method/ftc-experiment.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  FtcExperiment *exp = ftc_experiment_load_from_data ((const char *) data, (gssize) size, "fuzz.json", "/nonexistent",
                                                      &error);

  if ((exp == NULL) == (error == NULL))
    __builtin_trap ();
  if (exp != NULL)
    {
      JsonNode *node = ftc_experiment_to_json (exp);
      char *text = ftc_json_to_pretty_string (node);
      FtcExperiment *again = ftc_experiment_load_from_data (text, -1, "saved.json", "/nonexistent", &error);
      JsonNode *node2;
      char *text2;

      if (again == NULL)
        {
          g_printerr ("a saved experiment does not load again: %s\n%s", error->message, text);
          __builtin_trap ();
        }
      node2 = ftc_experiment_to_json (again);
      text2 = ftc_json_to_pretty_string (node2);
      if (strcmp (text, text2) != 0)
        {
          g_printerr ("saving changed the experiment:\n%s\n%s", text, text2);
          __builtin_trap ();
        }
      g_free (text2);
      json_node_unref (node2);
      ftc_experiment_free (again);
      g_free (text);
      json_node_unref (node);
      ftc_experiment_free (exp);
    }
  g_clear_error (&error);
  return 0;
}
