#include "core/method/ftc-curate.h"

#include <string.h>

char *
ftc_curate_reasoning_rationale (const char *trace, const char *answer, FtcCurationTarget target, int max_trace_chars)
{
  g_autofree char *t = g_strstrip (g_strdup (trace != NULL ? trace : ""));
  g_autofree char *a = g_strstrip (g_strdup (answer != NULL ? answer : ""));

  if (target == FTC_TARGET_ANSWER)
    return g_steal_pointer (&a);
  if (target == FTC_TARGET_TRIMMED && max_trace_chars > 0 && g_utf8_strlen (t, -1) > max_trace_chars)
    {
      /* whole characters, then back to the last paragraph break */
      char *para;
      *g_utf8_offset_to_pointer (t, max_trace_chars) = '\0';
      para = g_strrstr (t, "\n\n");
      if (para != NULL && para > t)
        *para = '\0';
      g_strchomp (t);
    }
  if (*a == '\0')
    return g_steal_pointer (&t);
  if (*t == '\0')
    return g_steal_pointer (&a);
  return g_strconcat (t, "\n\n", a, NULL);
}

GPtrArray *
ftc_curate (GPtrArray *records, const FtcExperimentCuration *curation, FtcReview *review, FtcCurateStats *stats)
{
  GPtrArray *kept = g_ptr_array_new ();

  memset (stats, 0, sizeof *stats);
  for (guint i = 0; i < records->len; i++)
    {
      FtcRecord *r = g_ptr_array_index (records, i);
      const FtcReviewDecision *d = NULL;
      /* cut at the token limit: the rationale (step 1) or the one-step completion */
      gboolean truncated = g_strcmp0 (r->reasoning_finish_reason, "length") == 0
                           || (r->reasoning_finish_reason == NULL && g_strcmp0 (r->finish_reason, "length") == 0);
      gboolean keep;

      stats->total++;
      stats->correct += r->correct;
      stats->truncated += truncated;
      if (review != NULL && r->task != NULL && r->sample_id != NULL)
        d = ftc_review_lookup (review, r->task, r->sample_id, r->completion_index);

      switch (curation->rule)
        {
        case FTC_CURATION_ALL:
          keep = TRUE;
          break;
        case FTC_CURATION_ACCEPTED:
          keep = d != NULL && d->state == FTC_REVIEW_ACCEPTED;
          break;
        case FTC_CURATION_CORRECT:
        default:
          /* a person who accepts (or edits) a rationale overrules the automatic filter */
          keep = r->correct || (d != NULL && d->state == FTC_REVIEW_ACCEPTED);
          break;
        }
      if (curation->drop_truncated && truncated && !(d != NULL && d->rationale != NULL))
        keep = FALSE;
      if (d != NULL && d->state == FTC_REVIEW_REJECTED)
        {
          stats->rejected += keep;
          keep = FALSE;
        }
      if (!keep)
        continue;
      if (d != NULL && d->rationale != NULL)
        {
          g_free (r->rationale);
          r->rationale = g_strdup (d->rationale);
          stats->edited++;
        }
      else if (r->completion != NULL && r->answer_text == NULL && r->rationale != NULL)
        {
          /* a reasoning model's record: what to learn of its thinking and its answer */
          char *learnt = ftc_curate_reasoning_rationale (r->rationale, r->completion, curation->target,
                                                         curation->max_trace_chars);
          g_free (r->rationale);
          r->rationale = learnt;
        }
      if ((curation->min_chars > 0 && g_utf8_strlen (r->rationale != NULL ? r->rationale : "", -1) < curation->min_chars)
          || (curation->max_chars > 0 && g_utf8_strlen (r->rationale != NULL ? r->rationale : "", -1) > curation->max_chars))
        {
          stats->length++;
          continue;
        }
      g_ptr_array_add (kept, r);
    }

  if (curation->max_per_question > 0)
    {
      g_autoptr (GHashTable) per_question = g_hash_table_new (g_str_hash, g_str_equal);
      GPtrArray *limited = g_ptr_array_new ();

      for (guint i = 0; i < kept->len; i++)
        {
          FtcRecord *r = g_ptr_array_index (kept, i);
          guint n = GPOINTER_TO_UINT (g_hash_table_lookup (per_question, r->sample_id));
          if ((int) n >= curation->max_per_question)
            continue;
          g_hash_table_insert (per_question, r->sample_id, GUINT_TO_POINTER (n + 1));
          g_ptr_array_add (limited, r);
        }
      g_ptr_array_unref (kept);
      kept = limited;
    }
  stats->kept = kept->len;
  return kept;
}

GPtrArray *
ftc_curate_finetune_samples (const FtcMethod *method, GPtrArray *train, GPtrArray *kept)
{
  return ftc_curate_finetune_samples_as (FTC_PROMPT_PAPER, method, train, kept);
}

GPtrArray *
ftc_curate_finetune_samples_as (FtcPromptFormat prompt_format, const FtcMethod *method, GPtrArray *train,
                                GPtrArray *kept)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) ftc_finetune_sample_free);

  if (method->kind == FTC_METHOD_VANILLA)
    for (guint i = 0; i < train->len; i++)
      {
        FtcSample *s = g_ptr_array_index (train, i);
        g_ptr_array_add (out, ftc_finetune_sample_new_as (prompt_format, FTC_FINETUNE_VANILLA, s->id, 0,
                                                          s->question, NULL, s->answer));
      }
  else if (method->kind == FTC_METHOD_FT_COT)
    for (guint i = 0; i < kept->len; i++)
      {
        FtcRecord *r = g_ptr_array_index (kept, i);
        if (r->completion_index >= method->diversity)
          continue;
        /* the question the teacher saw: its choice letters match the rationale */
        g_ptr_array_add (out, ftc_finetune_sample_new_as (prompt_format, FTC_FINETUNE_COT, r->sample_id,
                                                          (int) r->completion_index, r->question, r->rationale,
                                                          r->gold));
      }
  return out;
}
