#!/usr/bin/env bash
# The sentence-similarity example end to end: export the published weights and the tokenized
# sentences, then run the linked program.   run.sh PROGRAM PYTHON WORK
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$2" "$here/export.py" "$3"
"$1" "$3/weights.safetensors" "$3/input_ids.npy" "$3/attention_mask.npy" "$3/expected2.npy" \
  "$3/sentences.txt"
