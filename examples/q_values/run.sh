#!/usr/bin/env bash
# The Q-values example end to end: export weights and states from PyTorch, run the linked
# program on them.   run.sh PROGRAM PYTHON WORK
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$2" "$here/export.py" "$3"
"$1" "$3/weights.safetensors" "$3/state.npy" "$3/expected.npy"
