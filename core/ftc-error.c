#include "core/ftc-error.h"

G_DEFINE_QUARK (ftc-error-quark, ftc_error)
