#!/usr/bin/env python3
"""Times the zoo's MultiHeadAttention compiled by attnc against the same class in PyTorch, eager
and under torch.compile, and against nn.MultiheadAttention on the same weights, on the same
inputs, in one run, and prints the ratios (each peer's output is checked against the class's).

    ATTN_VENV/bin/python bench/mha_vs_pytorch.py [--embed-dim 512] [--heads 8] [--batch 1]
        [--seq 2048] [--iterations 10] [--threads 2] [--skip-compile]

attnc runs with HL_NUM_THREADS=--threads and PyTorch with torch.set_num_threads(--threads).
Timings vary from run to run on a shared machine; compare the ratio, not the milliseconds.
"""
import argparse
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "reference"))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--attnc", default=str(ROOT / "build" / "bin" / "attnc"))
    p.add_argument("--embed-dim", type=int, default=512)
    p.add_argument("--heads", type=int, default=8)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--seq", type=int, default=2048)
    p.add_argument("--iterations", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--skip-compile", action="store_true", help="leave out torch.compile")
    args = p.parse_args()

    import numpy as np
    import torch

    import export_case
    import zoo

    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as work:
        defines = {"embed_dim": args.embed_dim, "num_heads": args.heads}
        dims = {"B": args.batch, "Sq": args.seq, "Sk": args.seq}
        export_case.export_case("MultiHeadAttention", defines, dims, 0, work)
        source = ROOT / "examples" / "zoo" / "multi_head_attention.attn"
        cmd = [args.attnc, "bench", str(source), "--weights", f"{work}/weights.safetensors",
               "--iterations", str(args.iterations)]
        for k, v in defines.items():
            cmd += ["-D", f"{k}={v}"]
        for name in ("query", "key", "value"):
            cmd += ["--input", f"{name}={work}/{name}.npy"]
        env = dict(os.environ, HL_NUM_THREADS=str(args.threads))
        out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
        ours = float(re.search(r"median_ms=([0-9.]+)", out.splitlines()[-1]).group(1))

        model = zoo.MultiHeadAttention(args.embed_dim, args.heads).eval()
        from safetensors.torch import load_file
        model.load_state_dict(load_file(f"{work}/weights.safetensors"))
        q, k, v = (torch.from_numpy(np.load(f"{work}/{n}.npy")) for n in ("query", "key", "value"))
        # PyTorch's own layer on the same weights: in_proj stacks the query, key and value
        # projections; need_weights=False lets it take the fused attention kernel.
        native = torch.nn.MultiheadAttention(args.embed_dim, args.heads, batch_first=True).eval()
        with torch.no_grad():
            native.in_proj_weight.copy_(torch.cat([model.query.weight, model.key.weight,
                                                   model.value.weight]))
            native.in_proj_bias.copy_(torch.cat([model.query.bias, model.key.bias,
                                                 model.value.bias]))
            native.out_proj.weight.copy_(model.output.weight)
            native.out_proj.bias.copy_(model.output.bias)
        peers = [
            ("seed class, eager", lambda: model(q, k, v)),
            ("nn.MultiheadAttention, eager",
             lambda: native(q, k, v, need_weights=False)[0]),
        ]
        if not args.skip_compile:
            compiled = torch.compile(model)
            peers.append(("seed class, torch.compile", lambda: compiled(q, k, v)))
        theirs = {}
        with torch.no_grad():
            reference = model(q, k, v)
            for name, fn in peers:
                out = fn()
                if not torch.allclose(out, reference, rtol=1e-4, atol=1e-4):
                    raise SystemExit(f"error: {name} disagrees with the seed class")
                theirs[name] = median_ms(fn, args.iterations)

    shape = f"E={args.embed_dim} H={args.heads} B={args.batch} S={args.seq}"
    print(f"MultiHeadAttention {shape}, {args.threads} threads, median of {args.iterations}")
    print(f"  attnc                          {ours:10.2f} ms")
    for name, ms in theirs.items():
        print(f"  {name:30s} {ms:10.2f} ms   {ms / ours:.2f}x attnc's time")
    print(f"  speedup (pytorch / attnc): {theirs['seed class, eager'] / ours:.2f}x")


def median_ms(fn, iterations):
    fn()
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    times.sort()
    return times[len(times) // 2]


if __name__ == "__main__":
    main()
