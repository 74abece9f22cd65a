#!/usr/bin/env python3
"""Embed OpenCL C sources into a C file: one table entry per kernels/*.cl file."""
import os
import sys

out_c, sources = sys.argv[1], sys.argv[2:]
lines = ['/* Generated from the .cl files in kernels/ at build time; do not edit. */',
         '#include "compute/backends/opencl/ftc-cl-sources.h"', '',
         'const FtcClSource ftc_cl_sources[] = {']
for path in sources:
    name = os.path.splitext(os.path.basename(path))[0]
    data = open(path, 'rb').read()
    body = ''.join('\\x%02x' % b for b in data)
    lines.append('  { "%s", "%s", %d },' % (name, body, len(data)))
lines += ['  { NULL, NULL, 0 }', '};', '']
with open(out_c, 'w') as f:
    f.write('\n'.join(lines))
