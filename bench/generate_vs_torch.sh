#!/bin/sh
# Batched greedy generation with a KV cache, random weights: bench-generate (ftcot's engine) and the same
# in PyTorch CPU (bench/torch_generate.py, the same thread count), one after the other on the same machine, for the
# gpt2 (124M) shapes and a tiny from-scratch student; prints tokens/s and the ratio.
#
#   bench/generate_vs_torch.sh [BUILD_DIR] [--batch B] [--prompt-len P] [--new N] [--device D] [--threads K]
#   [--presets "tiny gpt2"]
#
# Defaults: build/, batch 8, prompt 32 tokens, 32 new tokens, device cpu, 2 threads on both sides. The
# machine should be quiet: on busy cores, threads that wait at every op's barrier dominate the tiny model.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build="$here/../build"
case "${1:-}" in --*|'') ;; *) build=$1; shift ;; esac
batch=8 plen=32 new=32 device=cpu threads=2 presets="tiny gpt2"
while [ $# -gt 0 ]; do
  case "$1" in
    --batch) batch=$2; shift 2 ;;
    --prompt-len) plen=$2; shift 2 ;;
    --new) new=$2; shift 2 ;;
    --device) device=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --presets) presets=$2; shift 2 ;;
    *) echo "generate_vs_torch.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

echo "load before: $(uptime)"
for preset in $presets; do
  ours=$(OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads "$build/bench/bench-generate" --preset $preset --batch "$batch" \
         --prompt-len "$plen" --new "$new" --device "$device")
  theirs=$(/usr/bin/python3 "$here/torch_generate.py" --preset $preset --batch "$batch" --prompt-len "$plen" \
           --new "$new" --threads "$threads")
  /usr/bin/python3 - "$ours" "$theirs" <<'PY'
import json, sys
ours, theirs = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print("preset %s: batch %d, prompt %d tokens, %d new tokens per prompt" % (
    ours["preset"], ours["batch"], ours["prompt_len"], ours["new_tokens"]))
for r in (ours, theirs):
    print("  %-34s %9.3f s %10.1f tokens/s" % (r["peer"], r["seconds"], r["tokens_per_s"]))
print("  ratio ftcot / pytorch tokens/s: %.2fx" % (ours["tokens_per_s"] / theirs["tokens_per_s"]))
PY
done
echo "load after: $(uptime)"
