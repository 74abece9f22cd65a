#include "core/teach/ftc-completion-store.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#ifdef G_OS_UNIX
#include <sys/file.h>
#include <unistd.h>
#else
#include <io.h>
#endif

#include "core/ftc-error.h"
#include "core/ftc-json-in.h"
#include "core/ftc-json-out.h"
#include "core/ftc-jsonl.h"
#include "core/ftc-read.h"

struct _FtcCompletionStore {
  char *path;
  int fd;
  gboolean sync;
  double sync_interval;
  gint64 last_sync;         /* monotonic microseconds */
  gboolean dirty;
  GPtrArray *entries;       /* JsonObject*, file order */
  GHashTable *by_key;       /* key (owned by the entry) -> JsonObject* */
  gsize repaired;
  gint64 size;              /* bytes in the file: a failed append is cut back to this */
  GMutex lock;
};

char *
ftc_completion_key (JsonNode *identity)
{
  /* the text keys have always been hashed from (core/ftc-json-out.h): stores written before still match */
  g_autofree char *text = ftc_json_to_key_text (identity);

  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) text, strlen (text));
}

const char *
ftc_completion_store_path (FtcCompletionStore *store)
{
  return store->path;
}

guint
ftc_completion_store_size (FtcCompletionStore *store)
{
  return store->entries->len;
}

JsonObject *
ftc_completion_store_lookup (FtcCompletionStore *store, const char *key)
{
  JsonObject *o;

  g_mutex_lock (&store->lock);
  o = g_hash_table_lookup (store->by_key, key);
  g_mutex_unlock (&store->lock);
  return o;
}

JsonObject *
ftc_completion_store_get (FtcCompletionStore *store, guint i)
{
  g_return_val_if_fail (i < store->entries->len, NULL);
  return store->entries->pdata[i];
}

void
ftc_completion_store_set_sync (FtcCompletionStore *store, gboolean sync)
{
  store->sync = sync;
}

void
ftc_completion_store_set_sync_interval (FtcCompletionStore *store, double seconds)
{
  store->sync_interval = MAX (0.0, seconds);
}

gboolean
ftc_completion_store_flush (FtcCompletionStore *store, GError **error)
{
  gboolean ok = TRUE;

  g_mutex_lock (&store->lock);
  if (store->dirty && store->fd >= 0)
    {
      if (g_fsync (store->fd) != 0)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: %s", store->path, g_strerror (errno));
          ok = FALSE;
        }
      else
        {
          store->dirty = FALSE;
          store->last_sync = g_get_monotonic_time ();
        }
    }
  g_mutex_unlock (&store->lock);
  return ok;
}

gsize
ftc_completion_store_repaired_bytes (FtcCompletionStore *store)
{
  return store->repaired;
}

void
ftc_completion_store_free (FtcCompletionStore *store)
{
  if (store == NULL)
    return;
  if (store->fd >= 0)
    {
      if (store->dirty)
        g_fsync (store->fd);
      close (store->fd);   /* also releases the lock */
    }
  g_hash_table_unref (store->by_key);
  g_ptr_array_unref (store->entries);
  g_mutex_clear (&store->lock);
  g_free (store->path);
  g_free (store);
}

static gboolean
write_all (int fd, const char *data, gsize len)
{
  while (len > 0)
    {
      gssize w = write (fd, data, len);
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        return FALSE;
      data += w;
      len -= w;
    }
  return TRUE;
}

static gboolean
truncate_to (int fd, gint64 size)
{
#ifdef G_OS_UNIX
  return ftruncate (fd, (off_t) size) == 0;
#else
  return _chsize_s (fd, size) == 0;
#endif
}

/* Parses one line into the store; FALSE with a file:line error when it is not an entry. */
static gboolean
add_line (FtcCompletionStore *store, const char *line, gsize len, guint lineno, GError **error)
{
  g_autoptr (JsonNode) root = ftc_json_parse_line (line, len, store->path, lineno, error);
  JsonObject *o;
  const char *key;

  if (root == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "%s:%u: not a JSON object", store->path, lineno);
      return FALSE;
    }
  o = json_node_get_object (root);
  key = json_object_get_string_member_with_default (o, "key", NULL);
  if (key == NULL || *key == '\0')
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s:%u: missing \"key\" string", store->path, lineno);
      return FALSE;
    }
  /* a repeated key can only come from an outside edit: the first one wins, as it did when written */
  if (g_hash_table_contains (store->by_key, key))
    return TRUE;
  json_object_ref (o);
  g_ptr_array_add (store->entries, o);
  g_hash_table_insert (store->by_key, (char *) key, o);
  return TRUE;
}

static gboolean
only_padding (const char *p, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (p[i] != '\0' && p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
      return FALSE;
  return TRUE;
}

static gboolean
read_lines (FtcCompletionStore *store, int fd, GError **error)
{
  g_autoptr (GByteArray) pending = g_byte_array_new ();
  g_autofree char *buf = g_malloc (1 << 16);
  gint64 offset = 0;          /* bytes read so far */
  gint64 good_end = 0;        /* end of the last complete line */
  guint lineno = 0;

  for (;;)
    {
      gssize n = read (fd, buf, 1 << 16);
      gsize start = 0;

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: %s", store->path, g_strerror (errno));
          return FALSE;
        }
      if (n == 0)
        break;
      for (gsize i = 0; i < (gsize) n; i++)
        if (buf[i] == '\n')
          {
            const char *line;
            gsize len;

            g_byte_array_append (pending, (const guint8 *) buf + start, i - start);
            line = (const char *) pending->data;
            len = pending->len;
            lineno++;
            if (len > 0 && line[len - 1] == '\r')
              len--;
            if (memchr (line, '\0', len) != NULL)
              {
                /* zeros: blocks allocated but never written, only possible at the tail after a crash */
                if (!only_padding (line, len))
                  {
                    g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "%s:%u: NUL bytes inside a line",
                                 store->path, lineno);
                    return FALSE;
                  }
                g_byte_array_set_size (pending, 0);
                start = i + 1;
                /* keep good_end: if only padding follows, it is cut away below */
                continue;
              }
            if (!only_padding (line, len) && !add_line (store, line, len, lineno, error))
              return FALSE;
            g_byte_array_set_size (pending, 0);
            start = i + 1;
            good_end = offset + i + 1;
          }
      if (pending->len + (n - start) > FTC_JSONL_MAX_LINE)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "%s:%u: line longer than %u bytes", store->path,
                       lineno + 1, FTC_JSONL_MAX_LINE);
          return FALSE;
        }
      g_byte_array_append (pending, (const guint8 *) buf + start, n - start);
      offset += n;
    }

  if (offset > good_end)
    {
      /* the tail after the last complete line: a torn append (or zeros from a crash) */
      const char *tail = (const char *) pending->data;
      gsize len = pending->len;
      g_autoptr (GError) tail_error = NULL;
      guint before = store->entries->len;

      if (len > 0 && !only_padding (tail, len) && memchr (tail, '\0', len) == NULL &&
          add_line (store, tail, len, lineno + 1, &tail_error) && store->entries->len > before)
        {
          /* the whole entry made it, only its newline did not */
          if (!write_all (store->fd, "\n", 1))
            {
              g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: %s", store->path, g_strerror (errno));
              return FALSE;
            }
        }
      else
        {
          if (!truncate_to (store->fd, good_end))
            {
              g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: cannot cut a torn last line: %s",
                           store->path, g_strerror (errno));
              return FALSE;
            }
          store->repaired = offset - good_end;
          g_message ("%s: dropped a torn last line (%" G_GINT64_FORMAT " bytes) left by an interrupted run",
                     store->path, offset - good_end);
        }
      g_fsync (store->fd);
    }
  return TRUE;
}

/* The store's file is read through its own descriptor: a regular file, lines bounded (core/ftc-read.h) */
static gboolean
read_back (FtcCompletionStore *store, GError **error)
{
  int fd = ftc_file_open_regular (store->path, FTC_INPUT_JSONL, NULL, error);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = read_lines (store, fd, error);
  close (fd);
  return ok;
}

FtcCompletionStore *
ftc_completion_store_open (const char *path, GError **error)
{
  g_autoptr (FtcCompletionStore) store = g_new0 (FtcCompletionStore, 1);
  g_autofree char *dir = g_path_get_dirname (path);
  gboolean existed;

  store->path = g_strdup (path);
  store->fd = -1;
  store->sync = TRUE;
  store->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  store->by_key = g_hash_table_new (g_str_hash, g_str_equal);
  g_mutex_init (&store->lock);

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: %s", dir, g_strerror (errno));
      return NULL;
    }
  existed = ftc_path_exists (path);
  /* O_NONBLOCK: a FIFO in its place must not hang the open; it is refused below */
  store->fd = g_open (path, O_RDWR | O_APPEND | O_CREAT | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0644);
  if (store->fd < 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: %s", path, g_strerror (errno));
      return NULL;
    }
  {
    struct stat st;
    if (fstat (store->fd, &st) != 0 || !S_ISREG (st.st_mode))
      {
        g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: not a regular file", path);
        return NULL;
      }
    fcntl (store->fd, F_SETFL, fcntl (store->fd, F_GETFL) & ~O_NONBLOCK);
  }
#ifdef G_OS_UNIX
  if (flock (store->fd, LOCK_EX | LOCK_NB) != 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: in use by another running ftcot", path);
      return NULL;
    }
  if (!existed)
    {
      /* make the new file's name itself durable */
      int dfd = g_open (dir, O_RDONLY, 0);
      if (dfd >= 0)
        {
          g_fsync (dfd);
          close (dfd);
        }
    }
#endif
  if (existed && !read_back (store, error))
    return NULL;
  store->size = lseek (store->fd, 0, SEEK_END);
  return g_steal_pointer (&store);
}

gboolean
ftc_completion_store_append (FtcCompletionStore *store, const char *key, JsonObject *entry,
                             gboolean *was_new, GError **error)
{
  g_autoptr (JsonObject) copy = json_object_new ();
  g_autofree char *text = NULL;
  gsize len = 0;
  GList *members;
  gboolean ok = TRUE;

  g_mutex_lock (&store->lock);
  if (g_hash_table_contains (store->by_key, key))
    {
      g_mutex_unlock (&store->lock);
      if (was_new != NULL)
        *was_new = FALSE;
      return TRUE;
    }
  json_object_set_string_member (copy, "key", key);
  members = json_object_get_members (entry);   /* in the order they were set, unlike an iterator */
  for (GList *l = members; l != NULL; l = l->next)
    if (strcmp (l->data, "key") != 0)
      json_object_set_member (copy, l->data, json_node_copy (json_object_get_member (entry, l->data)));
  g_list_free (members);
  text = ftc_json_object_to_line (copy);
  len = strlen (text);
  /* one write for the line and its newline: a kill leaves either all of it or a newline-less tail */
  text = g_realloc (text, len + 2);
  text[len] = '\n';
  text[len + 1] = '\0';
  gboolean sync_now = store->sync &&
                      (store->sync_interval <= 0 ||
                       g_get_monotonic_time () - store->last_sync >= store->sync_interval * 1e6);
  if (!write_all (store->fd, text, len + 1) || (sync_now && g_fsync (store->fd) != 0))
    {
      int saved = errno;
      /* never leave half a line for the next append to glue onto */
      truncate_to (store->fd, store->size);
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: cannot append: %s", store->path, g_strerror (saved));
      ok = FALSE;
    }
  else
    {
      store->size += len + 1;
      if (sync_now)
        store->last_sync = g_get_monotonic_time ();
      store->dirty = store->sync && !sync_now;
      JsonObject *o = json_object_ref (copy);
      g_ptr_array_add (store->entries, o);
      g_hash_table_insert (store->by_key, (char *) json_object_get_string_member (o, "key"), o);
      if (was_new != NULL)
        *was_new = TRUE;
    }
  g_mutex_unlock (&store->lock);
  return ok;
}
