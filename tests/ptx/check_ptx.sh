#!/usr/bin/env bash
# Emits the PTX of every CUDA kernel of one model and assembles it with ptxas, then reports each
# kernel's resources. No GPU is needed; exits 77 (skip) only when ptxas is not found.
#   check_ptx.sh ATTNC FILE.attn WORKDIR [attnc emit options, e.g. --model M -D k=v ...]
# 1. `attnc emit --ptx` with no --target must give capability 80 (.target sm_80); ptxas
#    assembles it for sm_80 and sm_86 (PTX for 80 runs on 86).
# 2. `--target host-cuda-86` must give .target sm_86; ptxas assembles it for sm_86.
# 3. ptx_report.py: registers, spills, shared memory and occupancy per kernel (ptxas -v, sm_80);
#    fails if an attention or matmul kernel spills.
set -euo pipefail

if [ "$#" -lt 3 ]; then
  echo "usage: check_ptx.sh ATTNC FILE.attn WORKDIR [emit options...]" >&2
  exit 2
fi
attnc="$1"
source_file="$2"
workdir="$3"
shift 3
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

ptxas="$(command -v ptxas || true)"
if [ -z "$ptxas" ] && [ -x /usr/local/cuda/bin/ptxas ]; then
  ptxas=/usr/local/cuda/bin/ptxas
fi
if [ -z "$ptxas" ]; then
  echo "check_ptx: ptxas not found (PATH, /usr/local/cuda/bin); skipping"
  exit 77
fi

mkdir -p "$workdir"
base="$workdir/$(basename "$source_file" .attn)"

# check SM PTX ARCHS...: the PTX holds kernels for .target SM and ptxas assembles it for each ARCH.
check() {
  local sm="$1" ptx="$2"
  shift 2
  local archs=("$@")
  if ! grep -q '\.entry' "$ptx"; then
    echo "check_ptx: FAIL $ptx holds no kernel (.entry)" >&2
    exit 1
  fi
  if ! grep -qx "\.target $sm" "$ptx"; then
    echo "check_ptx: FAIL $ptx is for $(grep -m1 '^\.target' "$ptx"), expected .target $sm" >&2
    exit 1
  fi
  echo "check_ptx: $(grep -c '\.entry' "$ptx") kernel(s), .target $sm"
  for arch in "${archs[@]}"; do
    echo "check_ptx: $ptxas -arch=$arch $ptx"
    "$ptxas" -arch="$arch" "$ptx" -o /dev/null
  done
}

rm -f "$base.ptx" "$base.sm86.ptx"
echo "check_ptx: $attnc emit $source_file --ptx $* -o $base.ptx"
"$attnc" emit "$source_file" --ptx "$@" -o "$base.ptx"
check sm_80 "$base.ptx" sm_80 sm_86

echo "check_ptx: $attnc emit $source_file --ptx --target host-cuda-86 $* -o $base.sm86.ptx"
"$attnc" emit "$source_file" --ptx --target host-cuda-86 "$@" -o "$base.sm86.ptx"
check sm_86 "$base.sm86.ptx" sm_86

python3 "$here/ptx_report.py" --attnc "$attnc" "$source_file" --ptxas "$ptxas" \
  --json "$base.report.json" "$@"
echo "check_ptx: PASS"
