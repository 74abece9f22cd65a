#include "app/studio/ftc-review-store.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "app/studio/ftc-studio-util.h"
#include "core/ftc-error.h"
#include "core/method/ftc-curate.h"
#include "core/tasks/ftc-record.h"
#include "core/method/ftc-review.h"

#ifdef G_OS_UNIX
#include <unistd.h>
#endif

typedef struct {
  const char *path;
  char *file_task;         /* task from the file name, for records that do not name theirs */
  GPtrArray *items;
  GHashTable *by_key;      /* key -> item (borrowed) */
  GHashTable *per_sample;  /* "task\tsample" -> count, for records without a completion index */
} LoadState;

static gboolean
add_record (JsonObject *obj, guint line_no, gpointer user_data, GError **error)
{
  LoadState *st = user_data;
  g_autoptr (GError) local = NULL;
  /* the completion record's own reader (core/tasks/ftc-record.h): its field names, aliases and checks */
  g_autoptr (FtcRecord) rec = ftc_record_from_json (obj, &local);
  const char *task;
  g_autofree char *fallback_id = NULL;
  const char *sample_id;
  g_autofree char *sample_key = NULL;
  guint seen;
  int completion_index;
  const char *rationale;
  g_autofree char *joined = NULL;
  g_autoptr (FtcRationaleItem) item = NULL;
  char *key;

  if (rec == NULL)
    {
      g_set_error (error, FTC_ERROR, local->code, "%s:%u: %s", st->path, line_no, local->message);
      return FALSE;
    }
  rationale = rec->rationale != NULL ? rec->rationale : rec->completion;
  /* a reasoning model's record: its thinking and the answer it wrote after it, as curation joins them */
  if (rec->rationale != NULL && rec->completion != NULL && rec->answer_text == NULL)
    rationale = joined = ftc_curate_reasoning_rationale (rec->rationale, rec->completion, FTC_TARGET_TRACE_ANSWER, 0);
  if (rationale == NULL)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s:%u: a teacher record needs \"rationale\"", st->path,
                   line_no);
      return FALSE;
    }
  task = rec->task != NULL ? rec->task : st->file_task;
  fallback_id = rec->sample_index >= 0 ? g_strdup_printf ("%s-%" G_GINT64_FORMAT, task, rec->sample_index)
                                       : g_strdup_printf ("%s-line%u", task, line_no);
  sample_id = rec->sample_id != NULL ? rec->sample_id : fallback_id;
  sample_key = g_strdup_printf ("%s\t%s", task, sample_id);
  seen = GPOINTER_TO_UINT (g_hash_table_lookup (st->per_sample, sample_key));
  /* files without completion indices (the published teacher files) number a sample's records in order */
  completion_index = json_object_has_member (obj, "completion_index") ? (int) rec->completion_index : (int) seen;
  g_hash_table_insert (st->per_sample, g_steal_pointer (&sample_key), GUINT_TO_POINTER (seen + 1));

  item = ftc_rationale_item_new (task, sample_id, (int) rec->sample_index, completion_index);
  ftc_rationale_item_set_record (item, rec->question, rationale, rec->gold, rec->prediction,
                                 rec->has_correct && rec->correct, rec->finish_reason);
  key = ftc_rationale_item_dup_key (item);
  /* A store may hold a record twice after a crash; the later one wins, the row stays where it was. */
  if (g_hash_table_contains (st->by_key, key))
    {
      FtcRationaleItem *old = g_hash_table_lookup (st->by_key, key);
      ftc_rationale_item_set_record (old, rec->question, rationale, rec->gold, rec->prediction,
                                     rec->has_correct && rec->correct, rec->finish_reason);
      g_free (key);
      return TRUE;
    }
  g_hash_table_insert (st->by_key, key, item);
  g_ptr_array_add (st->items, g_steal_pointer (&item));
  return TRUE;
}

/* The teach job writes teacher/TASK.SPLIT.jsonl (with TASK.SPLIT.json and TASK.SPLIT.summary.json beside
 * it, not records); curation uses the train split's rationales, so the review shows those: TASK.train.jsonl
 * and the published teacher files' TASK.jsonl, never the teacher baseline's TASK.test.jsonl. */
gboolean
ftc_review_store_is_review_file (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  g_auto (GStrv) parts = NULL;

  if (!g_str_has_suffix (base, ".jsonl"))
    return FALSE;
  base[strlen (base) - strlen (".jsonl")] = '\0';
  parts = g_strsplit (base, ".", -1);
  if (parts[0] == NULL || parts[0][0] == '\0')
    return FALSE;
  return parts[1] == NULL || (g_strcmp0 (parts[1], "train") == 0 && parts[2] == NULL);
}

GPtrArray *
ftc_review_store_load (const char *dir, GCancellable *cancellable, GError **error)
{
  g_autofree char *teacher_dir = g_build_filename (dir, "teacher", NULL);
  g_autofree char *review_path = g_build_filename (dir, "review.jsonl", NULL);
  g_autoptr (GPtrArray) files = ftc_studio_list_jsonl (teacher_dir);
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GHashTable) by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GHashTable) per_sample = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  LoadState st = { NULL, NULL, items, by_key, per_sample };
  g_autoptr (FtcReview) review = NULL;

  for (guint i = 0; i < files->len; i++)
    {
      gboolean ok;

      if (!ftc_review_store_is_review_file (files->pdata[i]))
        continue;
      st.path = files->pdata[i];
      st.file_task = ftc_studio_task_of_file (st.path);
      ok = ftc_studio_read_jsonl (st.path, NULL, FALSE, add_record, &st, cancellable, error);
      g_clear_pointer (&st.file_task, g_free);
      if (!ok)
        return NULL;
    }
  /* the decisions through core's reader, the one curation applies: both see the same review */
  review = ftc_review_load (review_path, error);
  if (review == NULL)
    return NULL;
  for (guint i = 0; i < items->len; i++)
    {
      FtcRationaleItem *item = items->pdata[i];
      /* a decision about a record no longer in the store stays on disk, not shown */
      const FtcReviewDecision *d = ftc_review_lookup (review, ftc_rationale_item_get_task (item),
                                                      ftc_rationale_item_get_sample_id (item),
                                                      ftc_rationale_item_get_completion_index (item));
      if (d != NULL)
        {
          ftc_rationale_item_set_state (item, d->state);
          ftc_rationale_item_set_edited_rationale (item, d->rationale);
        }
    }
  return g_steal_pointer (&items);
}

static void
load_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *items = ftc_review_store_load (task_data, cancellable, &error);

  if (items == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, items, (GDestroyNotify) g_ptr_array_unref);
}

void
ftc_review_store_load_async (const char *dir, GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, ftc_review_store_load_async);
  g_task_set_task_data (task, g_strdup (dir), g_free);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, load_thread);
}

GPtrArray *
ftc_review_store_load_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
ftc_review_store_line (FtcRationaleItem *item, const char *time)
{
  return ftc_review_decision_to_line (ftc_rationale_item_get_task (item), ftc_rationale_item_get_sample_id (item),
                                      ftc_rationale_item_get_completion_index (item),
                                      ftc_rationale_item_get_state (item),
                                      ftc_rationale_item_get_edited (item)
                                      ? ftc_rationale_item_get_edited_rationale (item) : NULL, time);
}

struct _FtcReviewLog
{
  char *path;
  GThreadPool *pool;      /* one thread: lines land in the order they were queued */
  GMutex lock;
  GCond done;
  guint pending;
  GError *error;          /* first failure since the last flush */
  GMainContext *context;
  FtcReviewLogErrorFunc on_error;
  GObject *owner;         /* not a reference: only handed to a weak reference */
  gboolean checked_tail;  /* only the writer thread touches it */
};

typedef struct {
  FtcReviewLogErrorFunc on_error;
  GWeakRef owner;          /* the log may be gone when this runs; its owner too */
  char *message;
} ErrorReport;

static gboolean
report_error (gpointer data)
{
  ErrorReport *r = data;
  g_autoptr (GObject) owner = g_weak_ref_get (&r->owner);

  if (owner != NULL && r->on_error != NULL)
    r->on_error (r->message, owner);
  g_weak_ref_clear (&r->owner);
  g_free (r->message);
  g_free (r);
  return G_SOURCE_REMOVE;
}

static gboolean
append_line (const char *path, const char *line, GError **error)
{
  int fd = g_open (path, O_WRONLY | O_CREAT | O_APPEND, 0644);
  gsize len = strlen (line), done = 0;

  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "%s: %s", path, g_strerror (e));
      return FALSE;
    }
  while (done < len)
    {
      gssize n = write (fd, line + done, len - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int e = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "%s: %s", path, g_strerror (e));
          close (fd);
          return FALSE;
        }
      done += (gsize) n;
    }
#ifdef G_OS_UNIX
  fsync (fd);
#endif
  return g_close (fd, error);
}

/* A crash in the middle of an append leaves a line without its newline; it was never acknowledged, so it
 * is cut off before the first new line goes in (else both would be lost in one malformed line). */
static gboolean
drop_torn_tail (const char *path, GError **error)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileIOStream) io = NULL;
  g_autoptr (GError) local = NULL;
  GSeekable *seek;
  goffset size, end;
  char buf[4096];

  io = g_file_open_readwrite (file, NULL, &local);
  if (io == NULL)
    {
      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  seek = G_SEEKABLE (io);
  if (!g_seekable_seek (seek, 0, G_SEEK_END, NULL, error))
    return FALSE;
  size = g_seekable_tell (seek);
  end = size;
  while (end > 0)
    {
      gsize n = (gsize) MIN ((goffset) sizeof buf, end);
      gsize got = 0;

      if (!g_seekable_seek (seek, end - (goffset) n, G_SEEK_SET, NULL, error) ||
          !g_input_stream_read_all (g_io_stream_get_input_stream (G_IO_STREAM (io)), buf, n, &got, NULL, error))
        return FALSE;
      for (gsize i = got; i > 0; i--)
        if (buf[i - 1] == '\n')
          {
            end = end - (goffset) n + (goffset) i;
            goto found;
          }
      end -= (goffset) n;
    }
found:
  if (end < size && !g_seekable_truncate (seek, end, NULL, error))
    return FALSE;
  return g_io_stream_close (G_IO_STREAM (io), NULL, error);
}

static void
write_thread (gpointer data, gpointer user_data)
{
  FtcReviewLog *log = user_data;
  g_autofree char *line = data;
  GError *error = NULL;

  if (!log->checked_tail)
    {
      log->checked_tail = TRUE;
      if (!drop_torn_tail (log->path, &error))
        g_clear_error (&error);   /* the append below reports what is wrong with the file */
    }
  if (!append_line (log->path, line, &error))
    {
      ErrorReport *r = g_new0 (ErrorReport, 1);
      r->on_error = log->on_error;
      g_weak_ref_init (&r->owner, log->owner);
      r->message = g_strdup (error->message);
      g_main_context_invoke (log->context, report_error, r);
    }
  g_mutex_lock (&log->lock);
  if (error != NULL && log->error == NULL)
    log->error = error;
  else
    g_clear_error (&error);
  log->pending--;
  g_cond_broadcast (&log->done);
  g_mutex_unlock (&log->lock);
}

FtcReviewLog *
ftc_review_log_new (const char *dir, FtcReviewLogErrorFunc on_error, GObject *owner)
{
  FtcReviewLog *log = g_new0 (FtcReviewLog, 1);

  log->path = g_build_filename (dir, "review.jsonl", NULL);
  g_mutex_init (&log->lock);
  g_cond_init (&log->done);
  log->pool = g_thread_pool_new (write_thread, log, 1, FALSE, NULL);
  log->context = g_main_context_ref_thread_default ();
  log->on_error = on_error;
  log->owner = owner;
  return log;
}

void
ftc_review_log_append (FtcReviewLog *log, FtcRationaleItem *item)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *time = g_date_time_format_iso8601 (now);
  char *line = ftc_review_store_line (item, time);
  char *with_newline = g_strconcat (line, "\n", NULL);

  g_free (line);
  g_mutex_lock (&log->lock);
  log->pending++;
  g_mutex_unlock (&log->lock);
  g_thread_pool_push (log->pool, with_newline, NULL);
}

gboolean
ftc_review_log_flush (FtcReviewLog *log, GError **error)
{
  gboolean ok;

  g_mutex_lock (&log->lock);
  while (log->pending > 0)
    g_cond_wait (&log->done, &log->lock);
  ok = log->error == NULL;
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&log->error));
  g_mutex_unlock (&log->lock);
  return ok;
}

void
ftc_review_log_free (FtcReviewLog *log)
{
  if (log == NULL)
    return;
  /* Waits for the queued lines: a decision made is a decision saved. */
  g_thread_pool_free (log->pool, FALSE, TRUE);
  g_clear_error (&log->error);
  g_mutex_clear (&log->lock);
  g_cond_clear (&log->done);
  g_main_context_unref (log->context);
  g_free (log->path);
  g_free (log);
}
