#!/usr/bin/env bash
# Configures, builds and runs tests/package/consumer, a user's project that finds attn with
# find_package(attn) from the build directory ATTN_BUILD (docs/getting-started.md), and checks the
# program's output: 2 * 1 + bias for bias = [0.5, -1, 3].
#   run.sh ATTN_BUILD WORK PYTHON
set -euo pipefail
attn_build="$1"
work="$2"
python="$3"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
rm -rf "$work"
mkdir -p "$work"
"$python" -c 'import sys, torch; from safetensors.torch import save_file
save_file({"bias": torch.tensor([0.5, -1.0, 3.0])}, sys.argv[1])' "$work/weights.safetensors"
cmake -S "$here/consumer" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$attn_build" >/dev/null
cmake --build "$work/build" >/dev/null
output="$("$work/build/doubler_main" "$work/weights.safetensors")"
echo "$output"
[ "$output" = "out: 2.5 1 5 2.5 1 5" ]
