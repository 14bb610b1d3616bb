#!/usr/bin/env bash
# The demo (examples/demo/README.md): trains a small sorting Transformer in PyTorch, compiles its
# .attn spec with attnc and runs the compiled code on new sequences, prints both accuracies and
# the speed ratio, and writes the attention heatmaps of one sequence.
#   run.sh ATTNC OUTDIR [--steps N]     (scripts/demo.sh calls it after the build)
set -euo pipefail

attnc="$(realpath "$1")"
out="$2"
shift 2
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${ATTN_PYTHON:-${ATTN_VENV:-$HOME/.cache/attn/venv}/bin/python}"
export HL_NUM_THREADS=2

rm -rf "$out"
mkdir -p "$out"
"$python" "$here/train.py" --out "$out/data" "$@"

defines=()
while read -r define; do
  defines+=(-D "$define")
done < <("$python" -c 'import json, sys
for k, v in json.load(open(sys.argv[1])).items(): print(f"{k}={v}")' "$out/data/config.json")
common=("$here/sorter.attn" "${defines[@]}" --weights "$out/data/weights.safetensors")

echo "demo: attnc run on $(basename "$out")/data/test_tokens.npy"
"$attnc" run "${common[@]}" --input tokens="$out/data/test_tokens.npy" --out "$out/attn"
echo "demo: attnc run --dump-attention on one sequence"
"$attnc" run "${common[@]}" --input tokens="$out/data/example.npy" --out "$out/example" \
  --dump-attention "$out/maps" --vocab "$out/data/vocab.txt"
echo "demo: attnc bench at batch 1 and at the test batch"
"$attnc" bench "${common[@]}" --input tokens="$out/data/example.npy" --iterations 200 \
  | tee "$out/bench_1.log" | tail -1
"$attnc" bench "${common[@]}" --input tokens="$out/data/test_tokens.npy" --iterations 20 \
  | tee "$out/bench_test.log" | tail -1

"$python" "$here/report.py" --data "$out/data" --attn-out "$out/attn" \
  --bench "$out/bench_1.log" "$out/bench_test.log"
echo "demo: attention heatmaps of the first new sequence in $out/maps, for example"
echo "  $out/maps/$(cd "$out/maps" && ls ./*.png | head -1 | sed 's|^\./||')"
