#!/usr/bin/env bash
# The translation example end to end: train the encoder and decoder in PyTorch, then decode
# with the linked program.   run.sh PROGRAM PYTHON WORK
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$2" "$here/export.py" "$3"
"$1" "$3"
