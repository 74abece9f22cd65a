#include "core/ftc-dir-lock.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#ifdef G_OS_UNIX
#include <sys/file.h>
#include <unistd.h>
#endif

#include "core/ftc-error.h"

struct _FtcDirLock {
  int fd;
};

FtcDirLock *
ftc_dir_lock_acquire (const char *dir, const char *what, GError **error)
{
  g_autofree char *path = g_build_filename (dir, ".ftcot.lock", NULL);
  FtcDirLock *lock;
  int fd;

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: %s", dir, g_strerror (errno));
      return NULL;
    }
  fd = g_open (path, O_RDWR | O_CREAT, 0644);
  if (fd < 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: %s", path, g_strerror (errno));
      return NULL;
    }
#ifdef G_OS_UNIX
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int e = errno;
      close (fd);
      if (e == EWOULDBLOCK)
        g_set_error (error, FTC_ERROR, FTC_ERROR_BUSY,
                     "%s: this %s is being run by another ftcot (command line or studio); wait for it to finish "
                     "or stop it, then run again", dir, what);
      else
        g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: %s", path, g_strerror (e));
      return NULL;
    }
#endif
  lock = g_new (FtcDirLock, 1);
  lock->fd = fd;
  return lock;
}

void
ftc_dir_lock_release (FtcDirLock *lock)
{
  if (lock == NULL)
    return;
  g_close (lock->fd, NULL);   /* closing the only descriptor drops the flock */
  g_free (lock);
}
