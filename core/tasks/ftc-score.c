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

/* ---- several samples per question ---- */

typedef struct {
  gint64 completion_index;
  guint order;            /* file order, for ties */
  char *prediction;
  gboolean correct;
} Sample;

typedef struct {
  GArray *samples;        /* Sample */
} Question;

struct _FtcScoreSamples {
  FtcAnswerFormat format;
  GHashTable *by_key;     /* key -> Question* */
  GPtrArray *questions;   /* Question*, first-seen order */
  guint added;
};

static void
question_free (gpointer p)
{
  Question *q = p;
  for (guint i = 0; i < q->samples->len; i++)
    g_free (g_array_index (q->samples, Sample, i).prediction);
  g_array_unref (q->samples);
  g_free (q);
}

FtcScoreSamples *
ftc_score_samples_new (const FtcAnswerFormat *format)
{
  FtcScoreSamples *s = g_new0 (FtcScoreSamples, 1);

  s->format = *format;
  s->by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  s->questions = g_ptr_array_new_with_free_func (question_free);
  return s;
}

void
ftc_score_samples_free (FtcScoreSamples *samples)
{
  if (samples == NULL)
    return;
  g_hash_table_unref (samples->by_key);
  g_ptr_array_unref (samples->questions);
  g_free (samples);
}

void
ftc_score_samples_add (FtcScoreSamples *samples, const FtcRecord *record, const char *prediction,
                       gboolean correct)
{
  g_autofree char *key = record->sample_id != NULL ? g_strconcat ("id:", record->sample_id, NULL)
                         : record->sample_index >= 0 ? g_strdup_printf ("index:%" G_GINT64_FORMAT, record->sample_index)
                         : g_strconcat ("question:", record->question, NULL);
  Question *q = g_hash_table_lookup (samples->by_key, key);
  Sample sample = { record->completion_index, samples->added++, g_strdup (prediction), correct };

  if (q == NULL)
    {
      q = g_new0 (Question, 1);
      q->samples = g_array_new (FALSE, FALSE, sizeof (Sample));
      g_hash_table_insert (samples->by_key, g_steal_pointer (&key), q);
      g_ptr_array_add (samples->questions, q);
    }
  g_array_append_val (q->samples, sample);
}

guint
ftc_score_samples_questions (const FtcScoreSamples *samples)
{
  return samples->questions->len;
}

guint
ftc_score_samples_min (const FtcScoreSamples *samples)
{
  guint n = samples->questions->len > 0 ? G_MAXUINT : 0;

  for (guint i = 0; i < samples->questions->len; i++)
    n = MIN (n, ((Question *) samples->questions->pdata[i])->samples->len);
  return n;
}

guint
ftc_score_samples_max (const FtcScoreSamples *samples)
{
  guint n = 0;

  for (guint i = 0; i < samples->questions->len; i++)
    n = MAX (n, ((Question *) samples->questions->pdata[i])->samples->len);
  return n;
}

static int
compare_samples (gconstpointer a, gconstpointer b)
{
  const Sample *x = a, *y = b;

  if (x->completion_index != y->completion_index)
    return x->completion_index < y->completion_index ? -1 : 1;
  return (x->order > y->order) - (x->order < y->order);
}

void
ftc_score_samples_metrics (const FtcScoreSamples *samples, int k, FtcSampledMetrics *out)
{
  guint n = samples->questions->len;
  g_autofree FtcSampledQuestion *questions = g_new0 (FtcSampledQuestion, MAX (n, 1));
  g_autoptr (GPtrArray) keep = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < n; i++)
    {
      Question *q = samples->questions->pdata[i];
      guint m = q->samples->len;
      gboolean *correct = g_new0 (gboolean, m);
      const char **answers = g_new0 (const char *, m + 1);
      char **votes;

      g_array_sort (q->samples, compare_samples);
      for (guint j = 0; j < m; j++)
        {
          correct[j] = g_array_index (q->samples, Sample, j).correct;
          answers[j] = g_array_index (q->samples, Sample, j).prediction;
        }
      /* equivalent answers vote together */
      votes = ftc_answer_votes (&samples->format, answers, m);
      g_ptr_array_add (keep, correct);
      g_ptr_array_add (keep, answers);
      g_ptr_array_add (keep, votes);
      for (guint j = 0; j < m; j++)
        g_ptr_array_add (keep, votes[j]);
      questions[i] = (FtcSampledQuestion) { (int) m, correct, (const char *const *) votes };
    }
  ftc_sampled_metrics_compute (questions, (int) n, k, out);
}
