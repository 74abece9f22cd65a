#!/bin/sh
# Runs, one after the other on the same machine and configuration, `ftcot bench train` and the same
# training step in PyTorch CPU (bench/torch_train_step.py, 2 threads), and prints both and the ratio.
#
#   bench/train_vs_torch.sh [BUILD_DIR] [--preset P] [--batch B] [--seq T] [--steps N] [--device D] [--passive]
#
# Defaults: build/, preset small, batch 32, seq 128, 5 steps, device cpu. The machine should be quiet
# (see `uptime`): other work on the cores makes both numbers worse, and the ratio noisy. On a busy machine,
# --passive sets OMP_WAIT_POLICY=PASSIVE for both sides, so that neither burns CPU spinning in OpenMP
# barriers while the other processes hold the cores; both then report steadier CPU times.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build="$here/../build"
case "${1:-}" in --*|'') ;; *) build=$1; shift ;; esac
preset=small batch=32 seq=128 steps=5 device=cpu
while [ $# -gt 0 ]; do
  case "$1" in
    --preset) preset=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --seq) seq=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --device) device=$2; shift 2 ;;
    --passive) export OMP_WAIT_POLICY=PASSIVE; shift ;;
    *) echo "train_vs_torch.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

echo "load before: $(uptime)"
echo "OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-(unset)}"
ours=$(OMP_NUM_THREADS=2 "$build/app/ftcot" bench train --preset "$preset" --batch "$batch" --seq "$seq" \
       --steps "$steps" --device "$device" --json)
theirs=$(/usr/bin/python3 "$here/torch_train_step.py" --preset "$preset" --batch "$batch" --seq "$seq" \
         --steps "$steps" --threads 2)
echo "load after: $(uptime)"
/usr/bin/python3 - "$ours" "$theirs" <<'PY'
import json, sys
ours, theirs = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print("config: preset %s, batch %d, seq %d" % (ours["preset"], ours["batch"], ours["seq"]))
print("%-36s %10s %12s %10s %13s" % ("", "ms/step", "CPU ms/step", "tokens/s", "peak RSS MiB"))
for name, r in (("ftcot " + ours["device"], ours), (theirs["peer"], theirs)):
    print("%-36s %10.1f %12.1f %10.0f %13.0f" % (name, r["ms_per_step"], r["cpu_ms_per_step"], r["tokens_per_s"], r["peak_rss_mb"]))
print("ratio ftcot / pytorch: time %.2fx, CPU time %.2fx, peak memory %.2fx; ftcot %.1f GFLOP/s, MFU %.1f%%" % (
    ours["ms_per_step"] / theirs["ms_per_step"], ours["cpu_ms_per_step"] / theirs["cpu_ms_per_step"],
    ours["peak_rss_mb"] / theirs["peak_rss_mb"], ours["gflops"], 100 * ours["mfu"]))
PY
