#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* An exclusive lock on a working directory (an experiment), held by one process at a time: a second
 * `ftcot run` or studio run on the same directory is refused instead of interleaving its writes with
 * the first's. The lock is a file `.ftcot.lock` in the directory, locked with flock(2); the kernel drops
 * it when the process ends, so a killed run never leaves a stale lock behind. */
typedef struct _FtcDirLock FtcDirLock;

/* what names the work in the error ("experiment"). NULL and error set when another process holds it. */
FtcDirLock *ftc_dir_lock_acquire (const char *dir, const char *what, GError **error);
void ftc_dir_lock_release (FtcDirLock *lock);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcDirLock, ftc_dir_lock_release)

G_END_DECLS
