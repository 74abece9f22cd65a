#include "core/method/ftc-review.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "core/ftc-error.h"
#include "core/ftc-json-in.h"
#include "core/ftc-json-out.h"
#include "core/ftc-jsonl.h"

struct _FtcReview {
  GHashTable *decisions;   /* "task\x1fsample_id\x1findex" -> FtcReviewDecision* */
};

static const char *const state_names[] = { "pending", "accepted", "rejected" };

static void
decision_free (FtcReviewDecision *d)
{
  g_free (d->rationale);
  g_free (d);
}

static char *
review_key (const char *task, const char *sample_id, gint64 completion_index)
{
  return g_strdup_printf ("%s\x1f%s\x1f%" G_GINT64_FORMAT, task, sample_id, completion_index);
}

void
ftc_review_free (FtcReview *review)
{
  if (review == NULL)
    return;
  g_hash_table_unref (review->decisions);
  g_free (review);
}

const char *
ftc_review_state_to_string (FtcReviewState state)
{
  return (guint) state < G_N_ELEMENTS (state_names) ? state_names[state] : "pending";
}

gboolean
ftc_review_state_from_string (const char *s, FtcReviewState *out)
{
  for (guint i = 0; s != NULL && i < G_N_ELEMENTS (state_names); i++)
    if (strcmp (s, state_names[i]) == 0)
      {
        *out = (FtcReviewState) i;
        return TRUE;
      }
  return FALSE;
}

/* One decision line; the reader's position names the line in errors. */
static gboolean
add_decision (FtcReview *review, FtcJsonlReader *reader, JsonObject *obj, GError **error)
{
  g_autoptr (GError) local = NULL;
  const char *task, *sample_id, *state_name, *rationale;
  gint64 completion_index = -1;
  FtcReviewState state;
  FtcReviewDecision *d;

  if (!ftc_json_get_string (obj, "task", NULL, &task, &local)
      || !ftc_json_get_string (obj, "sample_id", NULL, &sample_id, &local)
      || !ftc_json_get_int (obj, "completion_index", NULL, 0, G_MAXINT64, &completion_index, &local)
      || !ftc_json_get_string (obj, "state", NULL, &state_name, &local)
      || !ftc_json_get_string (obj, "rationale", NULL, &rationale, &local))
    return ftc_jsonl_reader_propagate (reader, error, g_steal_pointer (&local));
  if (task == NULL || sample_id == NULL || completion_index < 0)
    return ftc_jsonl_reader_fail (reader, error, FTC_ERROR_INVALID, "a decision needs \"task\", \"sample_id\" "
                                  "(strings) and \"completion_index\" (an integer)");
  if (!ftc_review_state_from_string (state_name, &state))
    return ftc_jsonl_reader_fail (reader, error, FTC_ERROR_INVALID,
                                  "\"state\" must be \"pending\", \"accepted\" or \"rejected\"");
  d = g_new0 (FtcReviewDecision, 1);
  d->state = state;
  d->rationale = g_strdup (rationale);
  g_hash_table_replace (review->decisions, review_key (task, sample_id, completion_index), d);
  return TRUE;
}

FtcReview *
ftc_review_load (const char *path, GError **error)
{
  g_autoptr (FtcReview) review = g_new0 (FtcReview, 1);
  g_autoptr (GError) local = NULL;
  g_autoptr (FtcJsonlReader) reader = NULL;
  JsonObject *obj;

  review->decisions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) decision_free);
  reader = ftc_jsonl_reader_open (path, &local);
  if (reader == NULL)
    {
      if (g_error_matches (local, FTC_ERROR, FTC_ERROR_NOT_FOUND))
        return g_steal_pointer (&review);
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  /* appended to by the studio: a torn last line is ignored */
  while ((obj = ftc_jsonl_reader_next (reader, &local)) != NULL)
    {
      gboolean ok = add_decision (review, reader, obj, error);
      json_object_unref (obj);
      if (!ok)
        return NULL;
    }
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  return g_steal_pointer (&review);
}

char *
ftc_review_decision_to_line (const char *task, const char *sample_id, gint64 completion_index,
                             FtcReviewState state, const char *rationale, const char *time)
{
  g_autoptr (JsonObject) o = json_object_new ();

  json_object_set_string_member (o, "task", task);
  json_object_set_string_member (o, "sample_id", sample_id);
  json_object_set_int_member (o, "completion_index", completion_index);
  json_object_set_string_member (o, "state", ftc_review_state_to_string (state));
  if (rationale != NULL)
    json_object_set_string_member (o, "rationale", rationale);
  if (time != NULL)
    json_object_set_string_member (o, "time", time);
  return ftc_json_object_to_line (o);
}

const FtcReviewDecision *
ftc_review_lookup (FtcReview *review, const char *task, const char *sample_id, gint64 completion_index)
{
  g_autofree char *key = review_key (task, sample_id, completion_index);

  return g_hash_table_lookup (review->decisions, key);
}

guint
ftc_review_count (FtcReview *review)
{
  return g_hash_table_size (review->decisions);
}

void
ftc_review_foreach (FtcReview *review, FtcReviewFunc func, gpointer user_data)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, review->decisions);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_auto (GStrv) parts = g_strsplit (key, "\x1f", 3);
      func (parts[0], parts[1], g_ascii_strtoll (parts[2], NULL, 10), value, user_data);
    }
}
