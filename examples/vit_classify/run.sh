#!/usr/bin/env bash
# The ViT example end to end: train on generated images in PyTorch, then run the linked
# program on new ones.   run.sh PROGRAM PYTHON WORK
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$2" "$here/export.py" "$3"
"$1" "$3/weights.safetensors" "$3/images.npy" "$3/labels.npy" "$3/expected.npy"
