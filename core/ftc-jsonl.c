/* ftc-jsonl.c: JSON Lines, a line at a time. */
#include "core/ftc-jsonl.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core/ftc-error.h"
#include "core/ftc-json-in.h"
#include "core/ftc-read.h"

#define READ_CHUNK 65536

struct _FtcJsonlReader {
  char *name;
  int fd;                /* a file we opened, or -1 */
  GInputStream *stream;  /* or a stream, or NULL */
  gsize max_line;
  gboolean follow;
  gboolean keep_torn;    /* a torn last line is an error */
  gboolean failed;
  gboolean eof;
  guint line;            /* lines consumed so far (counting from first_line - 1) */
  guint object_line;     /* the line of the last object */
  guint count;
  guint64 offset;        /* bytes consumed up to the end of the last whole line */
  gsize torn;
  char *own_chunk;       /* read buffer for fd and stream, NULL for data */
  const char *chunk;
  gsize chunk_len;
  gsize chunk_pos;
  GByteArray *text;      /* the current line */
};

static FtcJsonlReader *
reader_new (const char *name)
{
  FtcJsonlReader *reader = g_new0 (FtcJsonlReader, 1);

  reader->name = g_strdup (name != NULL ? name : "<stream>");
  reader->fd = -1;
  reader->max_line = FTC_JSONL_MAX_LINE;
  reader->text = g_byte_array_new ();
  return reader;
}

FtcJsonlReader *
ftc_jsonl_reader_open_at (const char *path, guint64 offset, guint first_line, GError **error)
{
  FtcJsonlReader *reader;
  int fd = ftc_file_open_regular (path, FTC_INPUT_JSONL, NULL, error);

  if (fd < 0)
    return NULL;
  if (offset > 0 && lseek (fd, (off_t) offset, SEEK_SET) < 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: %s", path, g_strerror (errno));
      close (fd);
      return NULL;
    }
  reader = reader_new (path);
  reader->fd = fd;
  reader->own_chunk = g_malloc (READ_CHUNK);
  reader->chunk = reader->own_chunk;
  reader->offset = offset;
  reader->line = first_line > 0 ? first_line - 1 : 0;
  return reader;
}

FtcJsonlReader *
ftc_jsonl_reader_open (const char *path, GError **error)
{
  return ftc_jsonl_reader_open_at (path, 0, 1, error);
}

FtcJsonlReader *
ftc_jsonl_reader_new_for_stream (GInputStream *stream, const char *name)
{
  FtcJsonlReader *reader = reader_new (name);

  reader->stream = g_object_ref (stream);
  reader->own_chunk = g_malloc (READ_CHUNK);
  reader->chunk = reader->own_chunk;
  return reader;
}

FtcJsonlReader *
ftc_jsonl_reader_new_for_data (const char *data, gsize len, const char *name)
{
  FtcJsonlReader *reader = reader_new (name);

  reader->chunk = data;
  reader->chunk_len = len;
  reader->eof = FALSE;
  return reader;
}

void
ftc_jsonl_reader_free (FtcJsonlReader *reader)
{
  if (reader == NULL)
    return;
  if (reader->fd >= 0)
    close (reader->fd);
  g_clear_object (&reader->stream);
  g_free (reader->own_chunk);
  g_byte_array_unref (reader->text);
  g_free (reader->name);
  g_free (reader);
}

void
ftc_jsonl_reader_set_max_line (FtcJsonlReader *reader, gsize max_line)
{
  reader->max_line = MAX (max_line, 2);
}

void
ftc_jsonl_reader_set_ignore_torn (FtcJsonlReader *reader, gboolean ignore)
{
  reader->keep_torn = !ignore;
}

void
ftc_jsonl_reader_set_follow (FtcJsonlReader *reader, gboolean follow)
{
  reader->follow = follow;
}

const char *
ftc_jsonl_reader_get_name (FtcJsonlReader *reader)
{
  return reader->name;
}

guint
ftc_jsonl_reader_get_line (FtcJsonlReader *reader)
{
  return reader->object_line;
}

guint64
ftc_jsonl_reader_get_offset (FtcJsonlReader *reader)
{
  return reader->offset;
}

guint
ftc_jsonl_reader_get_line_count (FtcJsonlReader *reader)
{
  return reader->line;
}

gsize
ftc_jsonl_reader_get_torn (FtcJsonlReader *reader)
{
  return reader->torn;
}

guint
ftc_jsonl_reader_get_count (FtcJsonlReader *reader)
{
  return reader->count;
}

static gboolean
fail_at (FtcJsonlReader *reader, guint line, GError **error, int code, const char *message)
{
  reader->failed = TRUE;
  g_set_error (error, FTC_ERROR, code, "%s:%u: %s", reader->name, line, message);
  return FALSE;
}

gboolean
ftc_jsonl_reader_fail (FtcJsonlReader *reader, GError **error, int code, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  return fail_at (reader, reader->object_line, error, code, message);
}

gboolean
ftc_jsonl_reader_propagate (FtcJsonlReader *reader, GError **error, GError *local)
{
  reader->failed = TRUE;
  g_prefix_error (&local, "%s:%u: ", reader->name, reader->object_line);
  g_propagate_error (error, local);
  return FALSE;
}

/* Fills the chunk; FALSE on a read error. At the end, reader->eof. */
static gboolean
refill (FtcJsonlReader *reader, GError **error)
{
  gssize n;

  reader->chunk_pos = reader->chunk_len = 0;
  if (reader->own_chunk == NULL)
    {
      reader->eof = TRUE;   /* data: all of it was in the one chunk */
      return TRUE;
    }
  if (reader->fd >= 0)
    {
      do
        n = read (reader->fd, reader->own_chunk, READ_CHUNK);
      while (n < 0 && errno == EINTR);
      if (n < 0)
        {
          int saved = errno;
          g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: %s", reader->name, g_strerror (saved));
          reader->failed = TRUE;
          return FALSE;
        }
    }
  else
    {
      g_autoptr (GError) local = NULL;
      n = g_input_stream_read (reader->stream, reader->own_chunk, READ_CHUNK, NULL, &local);
      if (n < 0)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: %s", reader->name, local->message);
          reader->failed = TRUE;
          return FALSE;
        }
    }
  if (n == 0)
    reader->eof = TRUE;
  reader->chunk_len = (gsize) n;
  return TRUE;
}

/* Reads the next line into reader->text (without its newline); *complete says whether a newline ended
 * it. FALSE at the end (error unset) or on error. */
static gboolean
read_line (FtcJsonlReader *reader, gboolean *complete, GError **error)
{
  g_byte_array_set_size (reader->text, 0);
  for (;;)
    {
      const char *start = reader->chunk + reader->chunk_pos;
      gsize avail = reader->chunk_len - reader->chunk_pos;
      const char *newline = memchr (start, '\n', avail);
      gsize take = newline != NULL ? (gsize) (newline - start) : avail;

      if (reader->text->len + take > reader->max_line)
        {
          g_autofree char *message = g_strdup_printf ("line longer than %" G_GSIZE_FORMAT " bytes", reader->max_line);
          return fail_at (reader, reader->line + 1, error, FTC_ERROR_PARSE, message);
        }
      g_byte_array_append (reader->text, (const guint8 *) start, (guint) take);
      if (newline != NULL)
        {
          reader->chunk_pos += take + 1;
          reader->line++;
          *complete = TRUE;
          return TRUE;
        }
      reader->chunk_pos += take;
      if (reader->own_chunk == NULL)
        reader->eof = TRUE;   /* data: there is no more */
      if (reader->eof)
        {
          if (reader->text->len == 0)
            return FALSE;
          reader->line++;
          *complete = FALSE;
          return TRUE;
        }
      if (!refill (reader, error))
        return FALSE;
    }
}

JsonObject *
ftc_jsonl_reader_next (FtcJsonlReader *reader, GError **error)
{
  gboolean complete = FALSE;

  if (reader->failed)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: reading stopped at line %u after an error",
                   reader->name, reader->line);
      return NULL;
    }
  while (read_line (reader, &complete, error))
    {
      const char *text = (const char *) reader->text->data;
      gsize len = reader->text->len;
      g_autoptr (GError) local = NULL;
      g_autoptr (JsonNode) root = NULL;
      gsize blank = 0;

      if (!complete && reader->follow)
        {
          /* still being written: read it next time */
          reader->line--;
          return NULL;
        }
      if (len > 0 && text[len - 1] == '\r')
        len--;
      while (blank < len && (text[blank] == ' ' || text[blank] == '\t' || text[blank] == '\r'))
        blank++;
      if (blank == len)
        {
          reader->offset += reader->text->len + (complete ? 1 : 0);
          continue;
        }
      root = ftc_json_parse_line (text, len, reader->name, reader->line, &local);
      if (root == NULL && !complete && !reader->keep_torn)
        {
          /* a torn append: the writer was stopped in the middle of its last line */
          reader->torn = reader->text->len;
          reader->line--;
          return NULL;
        }
      reader->offset += reader->text->len + (complete ? 1 : 0);
      if (root == NULL)
        {
          reader->failed = TRUE;
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
      reader->object_line = reader->line;
      if (!JSON_NODE_HOLDS_OBJECT (root))
        {
          g_autofree char *message = g_strdup_printf ("expected a JSON object, not %s",
                                                      ftc_json_node_type_name (root));
          fail_at (reader, reader->line, error, FTC_ERROR_PARSE, message);
          return NULL;
        }
      reader->count++;
      return json_object_ref (json_node_get_object (root));
    }
  return NULL;
}
