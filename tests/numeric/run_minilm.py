#!/usr/bin/env python3
"""Zoo entry 19 on its published weights: exports all-MiniLM-L6-v2 (tests/reference/minilm.py),
runs examples/zoo/sentence_encoder.attn on a dozen tokenized sentences with `attnc run` and
compares the three outputs with transformers / sentence-transformers.

  run_minilm.py --attnc PATH --source FILE.attn --workdir DIR

Exit status 0 pass, 1 fail.
"""

import argparse
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MINILM = os.path.join(HERE, os.pardir, "reference", "minilm.py")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attnc", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--workdir", required=True)
    args = parser.parse_args(argv)
    case, out = os.path.join(args.workdir, "case"), os.path.join(args.workdir, "out")
    shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(out)
    steps = [
        [sys.executable, MINILM, "export", case],
        [args.attnc, "run", args.source, "--model", "SentenceEncoder",
         "--weights", os.path.join(case, "weights.safetensors"),
         "--input", "input_ids=" + os.path.join(case, "input_ids.npy"),
         "--input", "attention_mask=" + os.path.join(case, "attention_mask.npy"), "--out", out],
        [sys.executable, MINILM, "compare", case, out],
    ]
    for cmd in steps:
        print("run_minilm: " + " ".join(cmd), flush=True)
        if subprocess.run(cmd).returncode != 0:
            print("run_minilm: FAIL")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
