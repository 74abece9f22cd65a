/* ftc-review-store.h: the rationales of an experiment for review: loaded from the teacher's completion
 * records (teacher/TASK.jsonl) with the person's decisions (review.jsonl) applied, and decisions appended to
 * review.jsonl as they are made. The format is documented in docs/formats.md ("Review decisions"). */
#pragma once

#include <gio/gio.h>

#include "app/studio/ftc-rationale-item.h"

G_BEGIN_DECLS

/* Whether a file of teacher/ holds rationales to review: TASK.jsonl or the teach job's train split
 * TASK.train.jsonl (not TASK.test.jsonl, nor the .json manifests and summaries). */
gboolean ftc_review_store_is_review_file (const char *path);

/* Every completion record of dir/teacher/TASK.jsonl and TASK.train.jsonl as an FtcRationaleItem (in file order), with the last
 * decision of dir/review.jsonl for each applied (read by core/method/ftc-review.h, as curation reads it). A missing teacher folder gives an empty array. Safe on
 * a worker thread (the items are not yet shared). */
GPtrArray *ftc_review_store_load (const char *dir, GCancellable *cancellable, GError **error);
void ftc_review_store_load_async (const char *dir, GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data);
GPtrArray *ftc_review_store_load_finish (GAsyncResult *result, GError **error);

/* The review.jsonl line (without newline) for item's current decision; time is an ISO 8601 string. */
char *ftc_review_store_line (FtcRationaleItem *item, const char *time);

/* Appends decisions to dir/review.jsonl on one background thread, in order, each line flushed to disk
 * (fsync) before the next; the main loop never waits on the disk. */
typedef struct _FtcReviewLog FtcReviewLog;
typedef void (*FtcReviewLogErrorFunc) (const char *message, GObject *owner);

/* on_error runs in the caller's thread-default main context when a write fails, if owner (held weakly)
 * still lives. */
FtcReviewLog *ftc_review_log_new (const char *dir, FtcReviewLogErrorFunc on_error, GObject *owner);
/* Queues item's current decision. */
void ftc_review_log_append (FtcReviewLog *log, FtcRationaleItem *item);
/* Waits until every queued line is on disk; FALSE with the first write error since the last flush. */
gboolean ftc_review_log_flush (FtcReviewLog *log, GError **error);
/* Flushes, then frees. */
void ftc_review_log_free (FtcReviewLog *log);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcReviewLog, ftc_review_log_free)

G_END_DECLS
