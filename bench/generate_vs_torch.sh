#!/bin/sh
# Batched greedy generation with a KV cache, random weights: bench-generate (ftcot's engine) and the same
# in PyTorch CPU (bench/torch_generate.py, 2 threads), one after the other on the same machine, for the
# gpt2 (124M) shapes and a tiny from-scratch student; prints tokens/s and the ratio.
#
#   bench/generate_vs_torch.sh [BUILD_DIR] [--batch B] [--prompt-len P] [--new N] [--device D]
#
# Defaults: build/, batch 8, prompt 32 tokens, 32 new tokens, device cpu. The machine should be quiet.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build="$here/../build"
case "${1:-}" in --*|'') ;; *) build=$1; shift ;; esac
batch=8 plen=32 new=32 device=cpu
while [ $# -gt 0 ]; do
  case "$1" in
    --batch) batch=$2; shift 2 ;;
    --prompt-len) plen=$2; shift 2 ;;
    --new) new=$2; shift 2 ;;
    --device) device=$2; shift 2 ;;
    *) echo "generate_vs_torch.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

echo "load before: $(uptime)"
for preset in tiny gpt2; do
  ours=$(OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 "$build/bench/bench-generate" --preset $preset --batch "$batch" \
         --prompt-len "$plen" --new "$new" --device "$device")
  theirs=$(/usr/bin/python3 "$here/torch_generate.py" --preset $preset --batch "$batch" --prompt-len "$plen" \
           --new "$new" --threads 2)
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
