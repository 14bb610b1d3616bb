"""Reads what attn computed for the demo and sets it beside PyTorch.

Prints a few sorted sequences, the accuracy of attn's and of PyTorch's outputs on the same new
sequences, their agreement, and the speed ratio: PyTorch eager's median time for the trained
module against `attnc bench`'s median for the compiled one, at batch 1 and at the test batch,
both timed in this run on 2 threads. Exits 1 if attn's logits differ from PyTorch's by more than
1e-4 relative to their largest magnitude.
"""
import argparse
import json
import pathlib
import statistics
import sys
import time

import numpy as np
import torch
from safetensors.torch import load_file

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from train import SequenceSorter  # noqa: E402


def accuracy(logits, target):
    predicted = logits.argmax(-1)
    return (predicted == target).mean(), (predicted == target).all(axis=1).mean()


def torch_median_ms(model, tokens, iterations):
    with torch.no_grad():
        for _ in range(3):
            model(tokens)
        times = []
        for _ in range(iterations):
            start = time.perf_counter()
            model(tokens)
            times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def attn_median_ms(bench_log):
    last = pathlib.Path(bench_log).read_text().strip().splitlines()[-1]
    fields = dict(part.split("=") for part in last.split())
    return float(fields["median_ms"])


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", required=True, type=pathlib.Path, help="train.py's output")
    parser.add_argument("--attn-out", required=True, type=pathlib.Path, help="attnc run's --out")
    parser.add_argument("--bench", nargs=2, metavar=("BATCH1_LOG", "TEST_BATCH_LOG"),
                        required=True, help="attnc bench's output at batch 1 and the test batch")
    parser.add_argument("--iterations", type=int, default=50)
    args = parser.parse_args()
    torch.set_num_threads(2)

    tokens = np.load(args.data / "test_tokens.npy")
    target = np.load(args.data / "test_sorted.npy")
    ours = np.load(args.attn_out / "out0.npy")
    theirs = np.load(args.data / "torch_logits.npy")

    print("report: a few new sequences, sorted by the compiled model")
    predicted = ours.argmax(-1)
    for row in range(3):
        print("  input :", " ".join(f"{t:2d}" for t in tokens[row]))
        print("  attn  :", " ".join(f"{t:2d}" for t in predicted[row]))
    token_acc, seq_acc = accuracy(ours, target)
    torch_token_acc, torch_seq_acc = accuracy(theirs, target)
    agree = (predicted == theirs.argmax(-1)).mean()
    err = float(np.abs(ours - theirs).max() / max(np.abs(theirs).max(), 1e-30))
    print(f"report: accuracy on {len(tokens)} new sequences (numbers in place / whole sequences)")
    print(f"  attn    {token_acc:7.2%}  {seq_acc:7.2%}")
    print(f"  PyTorch {torch_token_acc:7.2%}  {torch_seq_acc:7.2%}")
    print(f"report: attn and PyTorch pick the same number at {agree:.2%} of positions; "
          f"largest logit difference {err:.1e} of the largest logit")

    config = json.loads((args.data / "config.json").read_text())
    model = SequenceSorter(**config)
    model.load_state_dict(load_file(str(args.data / "weights.safetensors")))
    model.eval()
    batches = [torch.from_numpy(tokens[:1]), torch.from_numpy(tokens)]
    print("report: speed, median of forwards on 2 threads (PyTorch eager vs attn's compiled code)")
    for batch, log in zip(batches, args.bench):
        theirs_ms = torch_median_ms(model, batch, args.iterations)
        ours_ms = attn_median_ms(log)
        print(f"  batch {len(batch):4d}: PyTorch {theirs_ms:8.3f} ms  attn {ours_ms:8.3f} ms  "
              f"attn is {theirs_ms / ours_ms:.2f}x PyTorch's speed")
    if err > 1e-4:
        print("report: attn's logits differ from PyTorch's beyond 1e-4", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
