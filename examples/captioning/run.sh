#!/usr/bin/env bash
# The captioning example end to end: train the encoder and decoder in PyTorch, then caption new
# images with the linked program.   run.sh PROGRAM PYTHON WORK
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$2" "$here/export.py" "$3"
"$1" "$3"
