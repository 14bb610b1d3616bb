#!/usr/bin/env python3
"""Attention with learned scores against PyTorch, in one run: Luong's general score
(q . W k) and Bahdanau's additive score (v . tanh(W q + b + U k)) compiled by attnc
(bench/attention/learned.attn, `attnc bench`), and the same written out in PyTorch as the
seed models write them (the scores as a matrix, for additive the [B, Sq, Sk, units] energies),
eager and under torch.compile, on the same weights and inputs. Each peer's output is checked
against attnc's.

    ATTN_VENV/bin/python bench/attention/learned.py [--threads 2] [--iterations 10]
        [--shapes 32x1x64,1x512x512,...] [--d 256] [--units 256] [--skip-compile]

A shape BxSqxSk: B batch rows, Sq queries (1 is a decoder step), Sk keys; q, k, v [B, S, d].
Times are the median of --iterations calls in milliseconds; compare the ratios.
"""
import argparse
import os
import pathlib
import re
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from mha_vs_pytorch import median_ms  # noqa: E402  (the median of n timed calls, after one)


def general(q, k, v, w):
    import torch
    scores = q @ (k @ w["attention.weight"].T).transpose(-1, -2)
    return torch.softmax(scores, dim=-1) @ v


def additive(q, k, v, w):
    import torch
    qp = q @ w["attention.W"].T + w["attention.b"]
    kp = k @ w["attention.U"].T
    energy = torch.tanh(qp.unsqueeze(2) + kp.unsqueeze(1))  # [B, Sq, Sk, units]
    return torch.softmax(energy @ w["attention.v"], dim=-1) @ v


def weights(model, d, units, gen):
    import torch
    if model == "General":
        return {"attention.weight": torch.randn(d, d, generator=gen) / d ** 0.5}
    return {"attention.W": torch.randn(units, d, generator=gen) / d ** 0.5,
            "attention.U": torch.randn(units, d, generator=gen) / d ** 0.5,
            "attention.b": torch.randn(units, generator=gen) * 0.1,
            "attention.v": torch.randn(units, generator=gen)}


def run_attnc(attnc, source, model, weights, inputs, defines, iterations, env):
    """attnc's output (checked by the caller) and its median time in ms for `model` of
    `source` on `weights` ({name: tensor}) and `inputs` ({name: tensor}), with hyperparameters
    `defines` ({name: value}): `attnc run`, then `attnc bench`."""
    import numpy as np
    import torch
    from safetensors.torch import save_file
    with tempfile.TemporaryDirectory() as work:
        save_file(weights, f"{work}/w.safetensors")
        common = [str(source), "--model", model, "--weights", f"{work}/w.safetensors"]
        for name, value in defines.items():
            common += ["-D", f"{name}={value}"]
        for name, t in inputs.items():
            np.save(f"{work}/{name}.npy", t.numpy())
            common += ["--input", f"{name}={work}/{name}.npy"]
        subprocess.run([attnc, "run", *common, "--out", f"{work}/out"], env=env, check=True,
                       capture_output=True)
        result = torch.from_numpy(np.load(f"{work}/out/out0.npy"))
        out = subprocess.run([attnc, "bench", *common, "--iterations", str(iterations)],
                             env=env, check=True, capture_output=True, text=True).stdout
        return result, float(re.search(r"median_ms=([0-9.]+)", out.splitlines()[-1]).group(1))


def compare_row(model, shape, result, ours, fn, compiled, qkvw, iterations):
    """The table row of one case: checks attnc's `result` against fn(*qkvw), then times fn
    eager and, unless `compiled` is None, compiled; `ours` is attnc's median in ms."""
    import torch
    with torch.no_grad():
        if not torch.allclose(result, fn(*qkvw), rtol=1e-3, atol=1e-4):
            raise SystemExit(f"error: attnc's {model} disagrees with PyTorch at {shape}")
        eager = median_ms(lambda: fn(*qkvw), iterations)
        row = f"| {model} | {shape} | {ours:.2f} | {eager:.2f} | {eager / ours:.2f} |"
        if compiled is None:
            return row + " — | — |"
        tc = median_ms(lambda: compiled(*qkvw), iterations)
        return row + f" {tc:.2f} | {tc / ours:.2f} |"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--attnc", default=str(ROOT / "build" / "bin" / "attnc"))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--iterations", type=int, default=10)
    p.add_argument("--shapes", default="32x1x64,32x1x512,8x64x64,1x512x512")
    p.add_argument("--d", type=int, default=256)
    p.add_argument("--units", type=int, default=256)
    p.add_argument("--skip-compile", action="store_true", help="leave out torch.compile")
    args = p.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    env = dict(os.environ, HL_NUM_THREADS=str(args.threads))
    source = ROOT / "bench" / "attention" / "learned.attn"
    print(f"d={args.d}, units={args.units}, {args.threads} threads, median of "
          f"{args.iterations}; ratios are PyTorch's time / attnc's")
    print("| score | B×Sq×Sk | attnc ms | eager ms | eager / attnc | compile ms | compile / attnc |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for model, fn in (("General", general), ("Additive", additive)):
        compiled = None if args.skip_compile else torch.compile(fn)
        for shape in args.shapes.split(","):
            b, sq, sk = (int(x) for x in shape.split("x"))
            gen = torch.Generator().manual_seed(0)
            w = weights(model, args.d, args.units, gen)
            q = torch.randn(b, sq, args.d, generator=gen)
            k = torch.randn(b, sk, args.d, generator=gen)
            v = torch.randn(b, sk, args.d, generator=gen)
            defines = {"d": args.d, **({"units": args.units} if model == "Additive" else {})}
            result, ours = run_attnc(args.attnc, source, model, w, {"q": q, "k": k, "v": v},
                                     defines, args.iterations, env)
            print(compare_row(model, shape, result, ours, fn, compiled, (q, k, v, w),
                              args.iterations), flush=True)

if __name__ == "__main__":
    main()
