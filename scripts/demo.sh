#!/usr/bin/env bash
# Sets everything up, builds attnc, and runs the demo (examples/demo/README.md): a small
# Transformer trained in PyTorch to sort sequences of numbers (about 20 seconds on one thread), its
# .attn spec compiled by attnc and run on new sequences; prints both accuracies, how closely attn's
# outputs match PyTorch's, the speed ratio, and writes attention heatmaps (non-zero exit if attn's
# logits differ from PyTorch's beyond 1e-4 relative).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

bash scripts/install.sh
bash scripts/build.sh

bash examples/demo/run.sh build/bin/attnc build/demo/sorter "$@"
