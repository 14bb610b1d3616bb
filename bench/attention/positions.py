#!/usr/bin/env python3
"""Attention variants with parameters by position against PyTorch, in one run, each compiled
by attnc (bench/attention/positions.attn, `attnc bench`) and each peer's output checked
against attnc's first:

- Location: Luong's location-based score, softmax(Linear(d, max_len)(q)[..., :Sk]) v, against
  the same written out in PyTorch, eager and under torch.compile. Shapes BxSqxSk, d = 256.
- RelativeBias: the scaled score plus a learned bias per head and clipped relative position,
  against F.scaled_dot_product_attention given that bias as a float attn_mask [H, S, S]
  gathered from the table on each call, eager and under torch.compile. Shapes BxHxS, D = 64.
- RelativePosition: Shaw et al.'s relative positions on the key and the value (max distance
  16), against the usual PyTorch form that gathers the [S, S, D] rows of both tables and
  contracts them with einsum, eager and under torch.compile. Shapes BxHxS, D = 64.
- LocalP: Luong's local-p (window 16), against the same written out in PyTorch (the centre,
  the window as a mask on the scores, the Gaussian on the weights), eager and under
  torch.compile. Shapes BxSqxSk, d = 256.
- LocationStep, LocalPStep: with Sq = 1, the same again by the models whose query row is fixed
  in the type, as a decoder step writes it.

    ATTN_VENV/bin/python bench/attention/positions.py [--threads 2] [--iterations 10]
        [--location 32x1x512,...] [--relative 1x8x512,...] [--shaw 1x8x512,...]
        [--local-p 32x1x512,...] [--skip-compile]

Times are the median of --iterations calls in milliseconds; compare the ratios.
"""
import argparse
import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "bench" / "attention"))
from learned import compare_row, run_attnc  # noqa: E402  (the check and timing of a case)

MAX_LEN, MAX_DISTANCE, MAX_RELATIVE, WINDOW = 1024, 32, 16, 16


def location(q, k, v, w):
    import torch
    sk = k.shape[-2]
    scores = q @ w["attention.weight"][:sk].T + w["attention.bias"][:sk]
    return torch.softmax(scores, dim=-1) @ v


def relative(q, k, v, w):
    import torch
    import torch.nn.functional as F
    s = q.shape[-2]
    rel = torch.arange(s).unsqueeze(0) - torch.arange(s).unsqueeze(1)
    rel = rel.clamp(-MAX_DISTANCE, MAX_DISTANCE) + MAX_DISTANCE
    return F.scaled_dot_product_attention(q, k, v, attn_mask=w["attention.bias"][:, rel])


def clipped(s):
    import torch
    rel = torch.arange(s).unsqueeze(0) - torch.arange(s).unsqueeze(1)
    return rel.clamp(-MAX_RELATIVE, MAX_RELATIVE) + MAX_RELATIVE


def shaw(q, k, v, w):
    import torch
    r = clipped(q.shape[-2])
    ak = w["attention.relative_keys"][r]    # [S, S, D]
    av = w["attention.relative_values"][r]
    s = (q @ k.transpose(-1, -2) + torch.einsum("bhid,ijd->bhij", q, ak)) / q.shape[-1] ** 0.5
    p = torch.softmax(s, dim=-1)
    return p @ v + torch.einsum("bhij,ijd->bhid", p, av)


def local_p(q, k, v, w):
    import torch
    sk = k.shape[-2]
    centre = sk * torch.sigmoid(torch.tanh(q @ w["attention.W_p"].T) @ w["attention.v_p"])
    distance = torch.arange(sk, dtype=q.dtype) - centre.unsqueeze(-1)   # [B, Sq, Sk]
    s = (q @ k.transpose(-1, -2)).masked_fill(distance.abs() > WINDOW, float("-inf"))
    p = torch.nan_to_num(torch.softmax(s, dim=-1))
    return (p * torch.exp(-distance ** 2 / (WINDOW ** 2 / 2))) @ v


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--attnc", default=str(ROOT / "build" / "bin" / "attnc"))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--iterations", type=int, default=10)
    p.add_argument("--location", default="32x1x512,8x64x512,1x512x1024")
    p.add_argument("--relative", default="1x8x512,1x8x1024,1x8x2048")
    p.add_argument("--shaw", default="1x8x256,1x8x512,1x8x1024")
    p.add_argument("--local-p", default="32x1x512,1x512x1024,4x256x2048")
    p.add_argument("--skip-compile", action="store_true", help="leave out torch.compile")
    args = p.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    env = dict(os.environ, HL_NUM_THREADS=str(args.threads))
    source = ROOT / "bench" / "attention" / "positions.attn"
    d, head_dim, heads = 256, 64, 8
    print(f"{args.threads} threads, median of {args.iterations}; ratios are PyTorch's time / "
          f"attnc's")
    print("| variant | shape | attnc ms | eager ms | eager / attnc | compile ms | compile / attnc |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    cases = []
    for shape in filter(None, args.location.split(",")):
        b, sq, sk = (int(x) for x in shape.split("x"))
        gen = torch.Generator().manual_seed(0)
        w = {"attention.weight": torch.randn(MAX_LEN, d, generator=gen) / d ** 0.5,
             "attention.bias": torch.randn(MAX_LEN, generator=gen) * 0.1}
        qkv = [torch.randn(b, s, d, generator=gen) for s in (sq, sk, sk)]
        cases.append(("Location", shape, location, w, qkv, {"d": d, "max_len": MAX_LEN}))
        if sq == 1:  # also with the one query row fixed in the type
            cases.append(("LocationStep", shape, location, w, qkv, {"d": d, "max_len": MAX_LEN}))
    for shape in filter(None, args.relative.split(",")):
        b, h, s = (int(x) for x in shape.split("x"))
        gen = torch.Generator().manual_seed(0)
        w = {"attention.bias": torch.randn(h, 2 * MAX_DISTANCE + 1, generator=gen)}
        qkv = [torch.randn(b, h, s, head_dim, generator=gen) for _ in range(3)]
        cases.append(("RelativeBias", shape, relative, w, qkv,
                      {"num_heads": h, "max_distance": MAX_DISTANCE}))
    for shape in filter(None, args.shaw.split(",")):
        b, h, s = (int(x) for x in shape.split("x"))
        gen = torch.Generator().manual_seed(0)
        w = {"attention.relative_keys": torch.randn(2 * MAX_RELATIVE + 1, head_dim, generator=gen),
             "attention.relative_values": torch.randn(2 * MAX_RELATIVE + 1, head_dim,
                                                      generator=gen)}
        qkv = [torch.randn(b, h, s, head_dim, generator=gen) for _ in range(3)]
        cases.append(("RelativePosition", shape, shaw, w, qkv,
                      {"head_dim": head_dim, "max_relative_position": MAX_RELATIVE}))
    for shape in filter(None, args.local_p.split(",")):
        b, sq, sk = (int(x) for x in shape.split("x"))
        gen = torch.Generator().manual_seed(0)
        w = {"attention.W_p": torch.randn(d, d, generator=gen) / d ** 0.5,
             "attention.v_p": torch.randn(d, generator=gen)}
        qkv = [torch.randn(b, s, d, generator=gen) / d ** 0.25 for s in (sq, sk, sk)]
        cases.append(("LocalP", shape, local_p, w, qkv, {"d": d, "window": WINDOW}))
        if sq == 1:
            cases.append(("LocalPStep", shape, local_p, w, qkv, {"d": d, "window": WINDOW}))
    compiled = {}
    for model, shape, fn, w, (q, k, v), defines in cases:
        result, ours = run_attnc(args.attnc, source, model, w, {"q": q, "k": k, "v": v},
                                 defines, args.iterations, env)
        compiled_fn = None if args.skip_compile else compiled.setdefault(model, torch.compile(fn))
        print(compare_row(model, shape, result, ours, fn, compiled_fn, (q, k, v, w),
                          args.iterations), flush=True)

if __name__ == "__main__":
    main()
