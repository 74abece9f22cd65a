/* fuzz-answer: answer extraction and comparison on arbitrary bytes. The first byte picks the answer type,
 * the mode and the choice count; the rest, split at the first NUL, is the text and a gold answer. */
#include <stdlib.h>
#include <string.h>

#include "core/tasks/ftc-answer.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
check (gboolean ok, const char *what, const char *text, const char *prediction)
{
  if (!ok)
    {
      g_printerr ("%s: text \"%s\", prediction \"%s\"\n", what, text, prediction ? prediction : "(null)");
      abort ();
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  static const FtcAnswerType types[] = { FTC_ANSWER_NUMBER, FTC_ANSWER_CHOICE, FTC_ANSWER_YESNO, FTC_ANSWER_TEXT };
  static const FtcExtractMode modes[] = { FTC_EXTRACT_ANSWER_TEXT, FTC_EXTRACT_ARROW, FTC_EXTRACT_THE_ANSWER_IS,
                                          FTC_EXTRACT_THEREFORE, FTC_EXTRACT_DIRECT, FTC_EXTRACT_COMPLETION };
  FtcAnswerFormat format = { 0 };
  FtcExtractMode mode;
  const char *rest = (const char *) data + 1;
  const char *nul;
  g_autofree char *text = NULL;
  g_autofree char *gold = NULL;
  g_autofree char *prediction = NULL;
  g_autoptr (GPtrArray) candidates = NULL;

  if (size < 1)
    return 0;
  format.type = types[data[0] & 3];
  /* text with the tolerance bit (which text ignores) is math */
  if (format.type == FTC_ANSWER_TEXT && (data[0] & 0x10))
    format.type = FTC_ANSWER_MATH;
  mode = modes[(data[0] >> 2) % G_N_ELEMENTS (modes)];
  format.n_choices = (data[0] >> 5) * 4;          /* 0, 4, .. 28: 27 and 28 fall back to A..Z */
  format.tolerance = (data[0] & 0x10) ? FTC_ANSWER_TOLERANCE_REFERENCE : 0.0;
  nul = memchr (rest, '\0', size - 1);
  text = g_strndup (rest, nul != NULL ? (gsize) (nul - rest) : size - 1);
  gold = nul != NULL ? g_strndup (nul + 1, size - 1 - (nul + 1 - rest)) : g_strdup ("");

  prediction = ftc_answer_extract (&format, text, mode);
  candidates = ftc_answer_candidates (&format, text);
  ftc_answer_match_format (&format, prediction, gold);
  ftc_answer_match (format.type, text, gold);
  ftc_answer_count_choices (text);
  if (prediction == NULL)
    return 0;
  check (*prediction != '\0', "empty prediction", text, prediction);
  check (g_utf8_validate (prediction, -1, NULL), "invalid UTF-8 prediction", text, prediction);
  /* a prediction always matches itself as gold */
  check (ftc_answer_match_format (&format, prediction, prediction), "prediction does not match itself", text,
         prediction);
  switch (format.type)
    {
    case FTC_ANSWER_CHOICE:
      check (strlen (prediction) == 1 && prediction[0] >= 'A' && prediction[0] <= 'Z', "not a letter", text,
             prediction);
      break;
    case FTC_ANSWER_YESNO:
      check (strcmp (prediction, "yes") == 0 || strcmp (prediction, "no") == 0, "not yes/no", text, prediction);
      break;
    case FTC_ANSWER_NUMBER:
      check (strspn (prediction, "-0123456789.") == strlen (prediction), "not a number", text, prediction);
      break;
    default:
      break;
    }
  return 0;
}
