/* ftc-read.c: bounded reading of regular files. */
#include "core/ftc-read.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ftc-error.h"

#define KIB ((guint64) 1024)
#define MIB (1024 * KIB)
#define GIB (1024 * MIB)

static const struct {
  const char *name;
  guint64 limit;
} kinds[] = {
  [FTC_INPUT_CONFIG] = { "a configuration file", 16 * MIB },
  [FTC_INPUT_TOKENIZER] = { "a tokenizer file", 64 * MIB },
  [FTC_INPUT_DATA] = { "a data file", 1 * GIB },
  [FTC_INPUT_JSONL] = { "a JSONL file", 64 * GIB },
  [FTC_INPUT_KEY] = { "a key file", 64 * KIB },
  [FTC_INPUT_WEIGHTS] = { "a weights file", 256 * GIB },
  [FTC_INPUT_HTTP_BODY] = { "an answer from a server", 64 * MIB },
};

guint64
ftc_input_limit (FtcInputKind kind)
{
  g_return_val_if_fail ((gsize) kind < G_N_ELEMENTS (kinds), 0);
  return kinds[kind].limit;
}

const char *
ftc_input_name (FtcInputKind kind)
{
  g_return_val_if_fail ((gsize) kind < G_N_ELEMENTS (kinds), "input");
  return kinds[kind].name;
}

static char *
format_limit (guint64 bytes)
{
  if (bytes % GIB == 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " GiB", bytes / GIB);
  if (bytes % MIB == 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " MiB", bytes / MIB);
  if (bytes % KIB == 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " KiB", bytes / KIB);
  return g_strdup_printf ("%" G_GUINT64_FORMAT " bytes", bytes);
}

static gboolean
too_large (const char *path, FtcInputKind kind, GError **error)
{
  g_autofree char *limit = format_limit (kinds[kind].limit);

  g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: larger than %s, the limit for %s", path, limit,
               kinds[kind].name);
  return FALSE;
}

static const char *
file_type_name (mode_t mode)
{
  if (S_ISDIR (mode))
    return "a directory";
  if (S_ISFIFO (mode))
    return "a FIFO (named pipe)";
  if (S_ISCHR (mode))
    return "a character device";
  if (S_ISBLK (mode))
    return "a block device";
  if (S_ISSOCK (mode))
    return "a socket";
  return "not a regular file";
}

int
ftc_file_open_regular (const char *path, FtcInputKind kind, guint64 *size, GError **error)
{
  struct stat st;
  int fd, flags;

  g_return_val_if_fail ((gsize) kind < G_N_ELEMENTS (kinds), -1);
  /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer; O_NOCTTY: a terminal device
   * never becomes ours */
  fd = g_open (path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, FTC_ERROR, saved == ENOENT || saved == ENOTDIR ? FTC_ERROR_NOT_FOUND : FTC_ERROR_FAILED,
                   "%s: %s", path, g_strerror (saved));
      return -1;
    }
  if (fstat (fd, &st) != 0)
    {
      int saved = errno;
      close (fd);
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: %s", path, g_strerror (saved));
      return -1;
    }
  if (!S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: %s, not a regular file", path,
                   file_type_name (st.st_mode));
      return -1;
    }
  if ((guint64) st.st_size > kinds[kind].limit)
    {
      close (fd);
      too_large (path, kind, error);
      return -1;
    }
  /* a regular file never blocks; reads are plain from here on */
  flags = fcntl (fd, F_GETFL);
  if (flags >= 0)
    fcntl (fd, F_SETFL, flags & ~O_NONBLOCK);
  if (size != NULL)
    *size = (guint64) st.st_size;
  return fd;
}

gboolean
ftc_fd_read (int fd, const char *name, FtcInputKind kind, guint64 size_hint, char **contents, gsize *len,
             GError **error)
{
  guint64 limit = ftc_input_limit (kind);
  gsize alloc, used = 0;
  char *buf;

  /* the size hint, one byte more to see the end, and the NUL; more is read as it comes, up to the limit */
  alloc = (gsize) MIN (MAX (size_hint, 4096), limit) + 2;
  buf = g_malloc (alloc);
  for (;;)
    {
      gssize n;

      if (used + 1 >= alloc)
        {
          if (used > limit)
            {
              g_free (buf);
              return too_large (name, kind, error);
            }
          alloc = (gsize) MIN ((guint64) alloc * 2, limit + 2);
          buf = g_realloc (buf, alloc);
        }
      n = read (fd, buf + used, alloc - 1 - used);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          g_free (buf);
          g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: %s", name, g_strerror (saved));
          return FALSE;
        }
      if (n == 0)
        break;
      used += (gsize) n;
    }
  if (used > limit)
    {
      g_free (buf);
      return too_large (name, kind, error);
    }
  buf[used] = '\0';
  *contents = buf;
  if (len != NULL)
    *len = used;
  return TRUE;
}

gboolean
ftc_file_read (const char *path, FtcInputKind kind, char **contents, gsize *len, GError **error)
{
  guint64 size = 0;
  int fd = ftc_file_open_regular (path, kind, &size, error);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = ftc_fd_read (fd, path, kind, size, contents, len, error);
  close (fd);
  return ok;
}

GMappedFile *
ftc_file_map (const char *path, FtcInputKind kind, GError **error)
{
  g_autoptr (GError) local = NULL;
  int fd = ftc_file_open_regular (path, kind, NULL, error);
  GMappedFile *mapped;

  if (fd < 0)
    return NULL;
  mapped = g_mapped_file_new_from_fd (fd, FALSE, &local);
  close (fd);
  if (mapped == NULL)
    g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: %s", path, local->message);
  return mapped;
}

gboolean
ftc_path_exists (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 || g_lstat (path, &st) == 0;
}
