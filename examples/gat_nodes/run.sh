#!/usr/bin/env bash
# The GAT example end to end: generate the graph and train in PyTorch, then run the linked
# program.   run.sh PROGRAM PYTHON WORK
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$2" "$here/export.py" "$3"
"$1" "$3/weights.safetensors" "$3/x.npy" "$3/adj.npy" "$3/labels.npy" "$3/train_mask.npy" \
  "$3/expected.npy"
