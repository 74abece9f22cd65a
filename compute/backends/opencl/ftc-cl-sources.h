/* ftc-cl-sources.h: the OpenCL C sources of kernels/, embedded at build time (tools/embed-kernels.py). */
#pragma once

#include <stddef.h>

typedef struct {
  const char *name;     /* file name without .cl: "layernorm" */
  const char *source;
  size_t length;
} FtcClSource;

/* Terminated by an entry whose name is NULL. */
extern const FtcClSource ftc_cl_sources[];
