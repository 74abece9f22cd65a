#!/usr/bin/env python3
"""Checks that #include lines point down the layers of docs/architecture.md: app -> core -> compute, and
that JSON has one owner each way: json-glib's parser is reached only from core/ftc-json-in.c, its
generator from nowhere (core/ftc-json-out.c writes every JSON text).

compute/ includes only compute/ headers; core/ includes core/ and compute's public headers (the backend
interface, statuses, schedules, models), never a backend's internals; kernels/ is not C. Prints each
include that points up or sideways, and each JSON call outside its owner, and exits 1 when there is one."""
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..')
include = re.compile(r'^\s*#\s*include\s+"([^"]+)"')

# folder of the including file -> what its project includes may name
allowed = {
    'compute': lambda h: h.startswith('compute/'),
    'core': lambda h: h.startswith('core/') or (h.startswith('compute/') and not h.startswith('compute/backends/'))
                      or h == 'ftc-config.h',
    'app': lambda h: h.startswith(('app/', 'core/', 'compute/')) or h == 'ftc-config.h',
}

bad = []
for layer, ok in allowed.items():
    for dirpath, _, files in os.walk(os.path.join(root, layer)):
        for name in files:
            if not name.endswith(('.c', '.h')):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding='utf-8') as f:
                for number, line in enumerate(f, 1):
                    m = include.match(line)
                    if m is None:
                        continue
                    header = m.group(1)
                    # a backend's own private headers, named from inside that backend's folder
                    here = os.path.relpath(dirpath, root).replace(os.sep, '/')
                    if header.startswith(here + '/'):
                        continue
                    if layer == 'compute' and header.startswith('compute/backends/') \
                            and not here.startswith('compute/backends') and here != 'compute':
                        bad.append('%s:%d: %s reaches into a backend' % (os.path.relpath(path, root), number, header))
                        continue
                    if not ok(header):
                        bad.append('%s:%d: includes %s, a header of a higher layer or another layer\'s internals'
                                   % (os.path.relpath(path, root), number, header))
# one owner per meaning: JSON in, JSON out
json_parser = re.compile(r'\bjson_parser_(new|load_)')
json_generator = re.compile(r'\bjson_generator_')
for layer in ('core', 'app'):
    for dirpath, _, files in os.walk(os.path.join(root, layer)):
        for name in files:
            if not name.endswith(('.c', '.h')):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root).replace(os.sep, '/')
            with open(path, encoding='utf-8') as f:
                for number, line in enumerate(f, 1):
                    if json_parser.search(line) and rel != 'core/ftc-json-in.c':
                        bad.append('%s:%d: parses JSON itself; read through core/ftc-json-in.h' % (rel, number))
                    if json_generator.search(line):
                        bad.append('%s:%d: prints JSON with json-glib; write through core/ftc-json-out.h' % (rel, number))

for line in bad:
    print(line)
sys.exit(1 if bad else 0)
