#!/usr/bin/env bash
# Emits the PTX of every CUDA kernel of one model and assembles it with ptxas for sm_80 and
# sm_86. No GPU is needed; exits 77 (skip) only when ptxas is not found.
#   check_ptx.sh ATTNC FILE.attn WORKDIR [attnc emit options, e.g. --model M -D k=v ...]
set -euo pipefail

if [ "$#" -lt 3 ]; then
  echo "usage: check_ptx.sh ATTNC FILE.attn WORKDIR [emit options...]" >&2
  exit 2
fi
attnc="$1"
source_file="$2"
workdir="$3"
shift 3

ptxas="$(command -v ptxas || true)"
if [ -z "$ptxas" ] && [ -x /usr/local/cuda/bin/ptxas ]; then
  ptxas=/usr/local/cuda/bin/ptxas
fi
if [ -z "$ptxas" ]; then
  echo "check_ptx: ptxas not found (PATH, /usr/local/cuda/bin); skipping"
  exit 77
fi

mkdir -p "$workdir"
ptx="$workdir/$(basename "$source_file" .attn).ptx"
rm -f "$ptx"
echo "check_ptx: $attnc emit $source_file --ptx $* -o $ptx"
"$attnc" emit "$source_file" --ptx "$@" -o "$ptx"
if ! grep -q '\.entry' "$ptx"; then
  echo "check_ptx: FAIL $ptx holds no kernel (.entry)" >&2
  exit 1
fi
echo "check_ptx: $(grep -c '\.entry' "$ptx") kernel(s)"
for arch in sm_80 sm_86; do
  echo "check_ptx: $ptxas -arch=$arch"
  "$ptxas" -arch="$arch" "$ptx" -o /dev/null
done
echo "check_ptx: PASS"
