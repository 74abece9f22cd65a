/* ftc-demo.h: the experiment of `ftcot demo` and the studio's classroom demo: Fine-tune-CoT offline, on
 * synthetic tasks with the built-in scripted teacher and tiny students trained from scratch. Why these
 * tasks and sizes: docs/demo.md. */
#pragma once

#include "core/method/ftc-experiment.h"

G_BEGIN_DECLS

/* quick: a smaller version (a few minutes on 2 CPU cores) for tests and first looks. */
FtcExperiment *ftc_demo_experiment (gboolean quick);

G_END_DECLS
