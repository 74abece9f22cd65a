#!/bin/sh
# Starts ftcot-studio on a finished experiment and saves a PNG of each view:
#   screenshot-views.sh FTCOT-STUDIO EXPERIMENT-FOLDER OUTPUT-FOLDER
# (meson test runs it under xvfb-run; run by hand on a desktop it opens a real window for a few seconds).
set -eu
studio=$1
experiment=$2
out=$3

rm -rf "$out"
mkdir -p "$out"
# A copy: the application may write into an experiment it opens.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -R "$experiment" "$work/experiment"

# GtkApplication asks for a session bus; give it a private one when the tools exist.
if command -v dbus-run-session >/dev/null 2>&1; then
  dbus-run-session -- "$studio" --screenshot-dir "$out" "$work/experiment"
else
  G_DEBUG= "$studio" --screenshot-dir "$out" "$work/experiment"
fi

status=0
for view in 01-experiment 02-teacher 03-review 04-training 05-evaluation; do
  file="$out/$view.png"
  if [ ! -s "$file" ]; then
    echo "not ok: $file missing"
    status=1
    continue
  fi
  # a PNG starts with \211PNG; a blank capture of a 1180x760 window compresses to a few kilobytes
  magic=$(head -c 4 "$file" | od -An -c | tr -d ' ')
  size=$(wc -c < "$file")
  if [ "$magic" != '211PNG' ] || [ "$size" -lt 20000 ]; then
    echo "not ok: $file is not a full picture ($size bytes)"
    status=1
  else
    echo "ok: $file ($size bytes)"
  fi
done
exit $status
