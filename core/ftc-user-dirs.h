/* ftc-user-dirs.h: where ftcot keeps its files on this system, told to the compute engine (which has no
 * GLib and otherwise falls back to $XDG_CACHE_HOME / $HOME): OpenCL program binaries in the user cache
 * dir, tuned CLBlast parameters in the user config dir. Windows and macOS get their own folders. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Call once at start-up, before the first backend is opened. */
void ftc_user_dirs_apply (void);

G_END_DECLS
