#!/bin/sh
# `ftcot bench train` on a LLaMA-family shape and the same training step in PyTorch CPU
# (bench/torch_llama_step.py, 2 threads), one after the other on the same machine, with the ratio.
#
#   bench/llama_vs_torch.sh [BUILD_DIR] [--preset P] [--batch B] [--seq T] [--steps N] [--device D]
#
# Defaults: build/, qwen2.5-0.5b, batch 1, seq 256, 2 steps, cpu. Both sides hold parameters, gradients and
# AdamW state in float32 (about 8 GB for qwen2.5-0.5b): the machine needs about 20 GB free.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build="$here/../build"
case "${1:-}" in --*|'') ;; *) build=$1; shift ;; esac
preset=qwen2.5-0.5b batch=1 seq=256 steps=2 device=cpu
while [ $# -gt 0 ]; do
  case "$1" in
    --preset) preset=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --seq) seq=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --device) device=$2; shift 2 ;;
    *) echo "llama_vs_torch.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
echo "load before: $(uptime)"
ours=$(OMP_NUM_THREADS=2 "$build/app/ftcot" bench train --preset "$preset" --batch "$batch" --seq "$seq" \
       --steps "$steps" --device "$device" --json)
theirs=$(/usr/bin/python3 "$here/torch_llama_step.py" --preset "$preset" --batch "$batch" --seq "$seq" \
         --steps "$steps" --threads 2)
echo "load after: $(uptime)"
/usr/bin/python3 - "$ours" "$theirs" <<'PY'
import json, sys
ours, theirs = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print("config: preset %s, batch %d, seq %d; parameters: ftcot %d, pytorch %d" % (
    ours["preset"], ours["batch"], ours["seq"], ours["params"], theirs["params"]))
print("%-36s %10s %12s %10s %13s" % ("", "ms/step", "CPU ms/step", "tokens/s", "peak RSS MiB"))
for name, r in (("ftcot " + ours["device"], ours), (theirs["peer"], theirs)):
    print("%-36s %10.1f %12.1f %10.1f %13.0f" % (name, r["ms_per_step"], r["cpu_ms_per_step"], r["tokens_per_s"], r["peak_rss_mb"]))
print("ratio ftcot / pytorch: time %.2fx, CPU time %.2fx, peak memory %.2fx" % (
    ours["ms_per_step"] / theirs["ms_per_step"], ours["cpu_ms_per_step"] / theirs["cpu_ms_per_step"],
    ours["peak_rss_mb"] / theirs["peak_rss_mb"]))
PY
