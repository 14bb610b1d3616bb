#!/usr/bin/env bash
# Configures and builds attn into build/ (Release, Ninja). Incremental: a second run rebuilds
# only what changed. The tests' Python is the venv's that scripts/install.sh makes.
# Extra arguments go to `cmake --build` (e.g. `bash scripts/build.sh --target attnc`).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${ATTN_VENV:-$HOME/.cache/attn/venv}"
cd "$repo"

echo "build: configuring build/"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DATTN_PYTHON="$venv/bin/python" >/dev/null
echo "build: building"
cmake --build build "$@"
echo "build: done (build/bin/attnc)"
