#include "core/method/ftc-review.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "core/ftc-error.h"

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

/* An integer-valued JSON number (a string or a fraction would otherwise read as 0). */
static gboolean
member_is_integer (JsonObject *obj, const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  return json_node_get_value_type (node) == G_TYPE_INT64;
}

FtcReview *
ftc_review_load (const char *path, GError **error)
{
  g_autoptr (FtcReview) review = g_new0 (FtcReview, 1);
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GError) local = NULL;
  guint n_lines;

  review->decisions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) decision_free);
  if (!g_file_get_contents (path, &contents, &len, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&review);
      g_set_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND, "%s: %s", path, local->message);
      return NULL;
    }
  if (!g_utf8_validate (contents, len, NULL))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "%s: not valid UTF-8", path);
      return NULL;
    }
  lines = g_strsplit (contents, "\n", -1);
  n_lines = g_strv_length (lines);
  for (guint i = 0; i < n_lines; i++)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      JsonObject *obj;
      FtcReviewState state;
      const char *task, *sample_id;
      gboolean last = i + 1 == n_lines || (i + 2 == n_lines && lines[i + 1][0] == '\0');
      FtcReviewDecision *d;

      if (g_strstrip (lines[i])[0] == '\0')
        continue;
      if (!json_parser_load_from_data (parser, lines[i], -1, NULL)
          || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          if (last && !g_str_has_suffix (contents, "\n"))
            break;   /* a torn append */
          g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "%s:%u: not a JSON object", path, i + 1);
          return NULL;
        }
      obj = json_node_get_object (json_parser_get_root (parser));
      task = json_object_get_string_member_with_default (obj, "task", NULL);
      sample_id = json_object_get_string_member_with_default (obj, "sample_id", NULL);
      if (task == NULL || sample_id == NULL || !member_is_integer (obj, "completion_index"))
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID,
                       "%s:%u: a decision needs \"task\", \"sample_id\" (strings) and \"completion_index\" (an integer)",
                       path, i + 1);
          return NULL;
        }
      if (!ftc_review_state_from_string (json_object_get_string_member_with_default (obj, "state", NULL), &state))
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID,
                       "%s:%u: \"state\" must be \"pending\", \"accepted\" or \"rejected\"", path, i + 1);
          return NULL;
        }
      if (json_object_has_member (obj, "rationale") && !JSON_NODE_HOLDS_NULL (json_object_get_member (obj, "rationale"))
          && json_node_get_value_type (json_object_get_member (obj, "rationale")) != G_TYPE_STRING)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s:%u: \"rationale\" must be a string", path, i + 1);
          return NULL;
        }
      d = g_new0 (FtcReviewDecision, 1);
      d->state = state;
      d->rationale = g_strdup (json_object_get_string_member_with_default (obj, "rationale", NULL));
      g_hash_table_replace (review->decisions,
                            review_key (task, sample_id, json_object_get_int_member (obj, "completion_index")), d);
    }
  return g_steal_pointer (&review);
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
