#include "core/tasks/ftc-score.h"

char *
ftc_score_record (const FtcAnswerFormat *format, const FtcRecord *record, FtcExtractMode mode,
                  gboolean *correct)
{
  FtcAnswerFormat f = *format;
  const char *text;
  char *prediction;

  if (f.type == FTC_ANSWER_CHOICE && f.n_choices == 0)
    f.n_choices = ftc_answer_count_choices (record->question);
  if (mode == FTC_SCORE_MODE_AUTO)
    mode = record->answer_text != NULL ? FTC_EXTRACT_ANSWER_TEXT : FTC_EXTRACT_COMPLETION;
  if (mode == FTC_EXTRACT_ANSWER_TEXT)
    text = record->answer_text != NULL ? record->answer_text : record->completion;
  else
    text = record->completion != NULL ? record->completion : record->answer_text;
  prediction = ftc_answer_extract (&f, text, mode);
  if (correct != NULL)
    *correct = ftc_answer_match_format (&f, prediction, record->gold);
  return prediction;
}

gboolean
ftc_score_file (const FtcAnswerFormat *format, const char *path, FtcExtractMode mode, FtcScoreFunc each,
                gpointer user_data, FtcScoreTotals *totals, GError **error)
{
  g_autoptr (FtcRecordReader) reader = ftc_record_reader_open (path, error);
  g_autoptr (GError) local = NULL;
  FtcScoreTotals sum = { 0, 0 };

  if (reader == NULL)
    return FALSE;
  for (;;)
    {
      g_autoptr (FtcRecord) record = ftc_record_reader_next (reader, &local);
      g_autofree char *prediction = NULL;
      gboolean correct = FALSE;

      if (record == NULL)
        break;
      prediction = ftc_score_record (format, record, mode, &correct);
      sum.n++;
      sum.correct += correct ? 1 : 0;
      if (each != NULL)
        each (record, ftc_record_reader_get_line (reader), prediction, correct, user_data);
    }
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (totals != NULL)
    *totals = sum;
  return TRUE;
}

double
ftc_score_accuracy (const FtcScoreTotals *totals)
{
  return totals->n > 0 ? 100.0 * totals->correct / totals->n : 0.0;
}
