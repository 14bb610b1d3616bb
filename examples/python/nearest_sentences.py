#!/usr/bin/env python3
"""Prints, for each sentence, its nearest neighbour by the sentence embeddings attn computed.

  nearest_sentences.py CASE_DIR OUT_DIR

CASE_DIR holds case.json from tests/reference/minilm.py export (the sentences), OUT_DIR the
outputs of `attnc run examples/zoo/sentence_encoder.attn` (out2.npy: the L2-normalised
sentence embeddings, so a dot product is the cosine similarity).
"""

import json
import os
import sys

import numpy as np


def main(argv) -> int:
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    case_dir, out_dir = argv[1], argv[2]
    with open(os.path.join(case_dir, "case.json")) as f:
        sentences = json.load(f)["sentences"]
    embeddings = np.load(os.path.join(out_dir, "out2.npy"))
    similarity = embeddings @ embeddings.T
    np.fill_diagonal(similarity, -np.inf)
    short = lambda s: s if len(s) <= 60 else s[:57] + "..."  # noqa: E731
    for i, sentence in enumerate(sentences):
        j = int(np.argmax(similarity[i]))
        print(f"  {similarity[i, j]:.3f}  {short(sentence)!r:64} ~ {short(sentences[j])!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
