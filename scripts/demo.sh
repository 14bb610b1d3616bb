#!/usr/bin/env bash
# Sets everything up, builds attnc, and runs the zoo's MultiHeadAttention (embed_dim 40,
# 5 heads) through `attnc run` on random weights and inputs exported from the PyTorch
# reference, then compares the result with PyTorch's. Exits non-zero beyond fp32 tolerance.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${ATTN_VENV:-$HOME/.cache/attn/venv}"
python="$venv/bin/python"
cd "$repo"

bash scripts/install.sh
bash scripts/build.sh

work=build/demo
rm -rf "$work/case" "$work/out"
mkdir -p "$work/out"

echo "demo: exporting MultiHeadAttention(embed_dim=40, num_heads=5) from PyTorch, B=3 Sq=13 Sk=17"
"$python" tests/reference/export_case.py --model MultiHeadAttention \
  -D embed_dim=40 -D num_heads=5 --dims B=3,Sq=13,Sk=17 --seed 0 --out "$work/case"

cmd=(build/bin/attnc run examples/zoo/multi_head_attention.attn -D embed_dim=40 -D num_heads=5
  --weights "$work/case/weights.safetensors"
  --input query="$work/case/query.npy" --input key="$work/case/key.npy"
  --input value="$work/case/value.npy" --out "$work/out")
echo "demo: ${cmd[*]}"
"${cmd[@]}"

echo "demo: $work/out/out0.npy against PyTorch"
"$python" tests/reference/compare.py "$work/case" "$work/out" --rtol 1e-4 --show 6
