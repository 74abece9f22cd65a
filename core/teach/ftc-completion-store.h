/* ftc-completion-store.h: an append-only JSONL file of answers keyed by a SHA-256 of what was asked.
 *
 * Each line is one JSON object with a "key" member. An append is one write() of the whole line followed by
 * fsync, so a run killed at any moment (kill -9, power loss) leaves at most a torn last line; opening the
 * file again drops that line (or completes it when it is whole but lacks its newline) and reads every
 * other line back, so finished requests are never sent again and no record is written twice. Any other
 * malformed line is an error naming file:line. The file is locked against a second writer. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _FtcCompletionStore FtcCompletionStore;

/* Opens (creating it and its folder when missing) and reads back path. */
FtcCompletionStore *ftc_completion_store_open (const char *path, GError **error);
void ftc_completion_store_free (FtcCompletionStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcCompletionStore, ftc_completion_store_free)

const char *ftc_completion_store_path (FtcCompletionStore *store);
/* Entries in the file (and appended since). */
guint ftc_completion_store_size (FtcCompletionStore *store);
/* The entry with this key (borrowed), or NULL. */
JsonObject *ftc_completion_store_lookup (FtcCompletionStore *store, const char *key);
/* Entry i in file order (borrowed). */
JsonObject *ftc_completion_store_get (FtcCompletionStore *store, guint i);
/* Appends entry under key (a "key" member is set first) and flushes it to disk. An entry whose key is
 * already stored is not written again: returns TRUE and sets *was_new (if given) to FALSE. */
gboolean ftc_completion_store_append (FtcCompletionStore *store, const char *key, JsonObject *entry,
                                      gboolean *was_new, GError **error);
/* Whether appends are fsync'ed (default TRUE; benchmarks of other parts may turn it off). */
void ftc_completion_store_set_sync (FtcCompletionStore *store, gboolean sync);
/* Group commit: fsync an append only when the last fsync is older than seconds (0, the default: every
 * append). Every append is written at once, so a killed process loses nothing; only a crash of the whole
 * machine can lose the appends of the last interval. Meant for files that can be rebuilt for free
 * (records derived from a fsync'ed answer cache). */
void ftc_completion_store_set_sync_interval (FtcCompletionStore *store, double seconds);
/* fsyncs what was appended and not yet synced. */
gboolean ftc_completion_store_flush (FtcCompletionStore *store, GError **error);
/* Bytes of a torn last line dropped when the file was opened (0 when the file was whole). */
gsize ftc_completion_store_repaired_bytes (FtcCompletionStore *store);

/* The SHA-256 (64 hex digits) of identity written as compact JSON, members in the order given. */
char *ftc_completion_key (JsonNode *identity);

G_END_DECLS
