"""Trains the demo's sorting Transformer in PyTorch and exports what attn needs.

Writes to OUT: weights.safetensors (the state_dict, names as sorter.attn's parameters),
config.json (the hyperparameters, as attnc -D values), test_tokens.npy / test_sorted.npy (new
sequences, drawn after training, and their sorted versions), torch_logits.npy (PyTorch's output on
them), example.npy (one sequence, for the attention heatmap) and vocab.txt (one label per id).
"""
import argparse
import json
import pathlib
import time

import numpy as np
import torch
from safetensors.torch import save_file
from torch import nn

CONFIG = dict(vocab=30, max_len=16, d_model=64, nhead=4, dim_feedforward=128, num_layers=2)


class SequenceSorter(nn.Module):
    def __init__(self, vocab, max_len, d_model, nhead, dim_feedforward, num_layers):
        super().__init__()
        self.embed = nn.Embedding(vocab, d_model)
        self.pos = nn.Embedding(max_len, d_model)
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout=0.0,
                                           batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers, enable_nested_tensor=False)
        self.head = nn.Linear(d_model, vocab)

    def forward(self, tokens):
        positions = torch.arange(tokens.shape[1], device=tokens.device)
        return self.head(self.encoder(self.embed(tokens) + self.pos(positions)))


def draw(generator, count, length, vocab):
    tokens = torch.randint(0, vocab, (count, length), generator=generator)
    return tokens, tokens.sort(dim=1).values


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True, type=pathlib.Path)
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--test-size", type=int, default=512)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)  # small model; see examples/common/export_util.py start()
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    c = CONFIG
    model = SequenceSorter(**c)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, total_steps=args.steps)

    print(f"train: sorting {c['max_len']} numbers in 0..{c['vocab'] - 1}; a "
          f"{c['num_layers']}-layer Transformer, d_model {c['d_model']}, {c['nhead']} heads; "
          f"{args.steps} steps of 64 sequences")
    start = time.perf_counter()
    for step in range(1, args.steps + 1):
        tokens, target = draw(generator, 64, c["max_len"], c["vocab"])
        logits = model(tokens)
        loss = nn.functional.cross_entropy(logits.reshape(-1, c["vocab"]), target.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        if step % 250 == 0 or step == args.steps:
            print(f"train: step {step:5d}  loss {loss.item():.4f}  "
                  f"{time.perf_counter() - start:5.1f} s", flush=True)

    model.eval()
    test_tokens, test_sorted = draw(generator, args.test_size, c["max_len"], c["vocab"])
    with torch.no_grad():
        logits = model(test_tokens)
    np.save(args.out / "test_tokens.npy", test_tokens.numpy())
    np.save(args.out / "test_sorted.npy", test_sorted.numpy())
    np.save(args.out / "torch_logits.npy", logits.numpy())
    np.save(args.out / "example.npy", test_tokens[:1].numpy())
    weights = {name: t.detach().contiguous() for name, t in model.state_dict().items()}
    save_file(weights, str(args.out / "weights.safetensors"))
    (args.out / "config.json").write_text(json.dumps(c, indent=1) + "\n")
    (args.out / "vocab.txt").write_text("".join(f"{k}\n" for k in range(c["vocab"])))
    print(f"train: done in {time.perf_counter() - start:.1f} s; wrote {args.out}")


if __name__ == "__main__":
    main()
