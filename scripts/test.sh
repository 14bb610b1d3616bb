#!/usr/bin/env bash
# Sets everything up (Debian packages, Python venv), builds, and runs the whole test suite.
# Extra arguments go to ctest (e.g. `bash scripts/test.sh -L numeric`).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

bash scripts/install.sh
bash scripts/build.sh
echo "test: running ctest"
ctest --test-dir build --output-on-failure -j2 "$@"
