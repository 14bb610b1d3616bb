#!/usr/bin/env python3
"""Times a Conv2d compiled by attnc against torch.nn.functional.conv2d on the same weights and
inputs, in one run, and prints the ratio for each case.

    ATTN_VENV/bin/python bench/conv2d_vs_pytorch.py [--iterations 20] [--threads 2]
        [--case C,O,H,W,K,STRIDE,PADDING[,N]]...

Without --case it runs the two cases of an image encoder's first layers: 3x224x224 -> 32
channels and 32x112x112 -> 64 channels, kernel 3, padding 1, batch 1. attnc runs with
HL_NUM_THREADS=--threads and PyTorch with torch.set_num_threads(--threads). Timings vary from
run to run on a shared machine (PyTorch's OpenMP threads suffer most when another process holds
a core); compare the ratios, not the milliseconds, and the minima when the medians scatter.
"""
import argparse
import os
import pathlib
import re
import subprocess
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent

SOURCE = """import "nn"
module ConvBench(in_channels: int, out_channels: int, kernel_size: int, stride: int = 1,
                 padding: int = 0) {
  param conv = Conv2d(in_channels, out_channels, kernel_size, stride, padding)
  forward(x: f32[N, in_channels, H, W]) {
    return self.conv(x)
  }
}
"""

DEFAULT_CASES = ["3,32,224,224,3,1,1", "32,64,112,112,3,1,1"]


def time_attnc(args, work, c, o, k, stride, padding):
    source = pathlib.Path(work) / "conv_bench.attn"
    source.write_text(SOURCE)
    cmd = [args.attnc, "bench", str(source), "--weights", f"{work}/weights.safetensors",
           "--input", f"x={work}/x.npy", "--iterations", str(args.iterations)]
    for key, value in (("in_channels", c), ("out_channels", o), ("kernel_size", k),
                       ("stride", stride), ("padding", padding)):
        cmd += ["-D", f"{key}={value}"]
    env = dict(os.environ, HL_NUM_THREADS=str(args.threads))
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    last = out.splitlines()[-1]
    return (float(re.search(r"median_ms=([0-9.]+)", last).group(1)),
            float(re.search(r"min_ms=([0-9.]+)", last).group(1)))


def time_torch(fn, iterations):
    times = []
    fn()
    for _ in range(iterations):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    times.sort()
    return times[len(times) // 2], times[0]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--attnc", default=str(ROOT / "build" / "bin" / "attnc"))
    p.add_argument("--iterations", type=int, default=20)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--case", action="append", help="C,O,H,W,K,STRIDE,PADDING[,N]")
    args = p.parse_args()

    import numpy as np
    import torch
    from safetensors.torch import save_file

    torch.set_num_threads(args.threads)
    print(f"conv2d, {args.threads} threads, {args.iterations} iterations; "
          "speedup = pytorch time / attnc time, of the medians and of the minima")
    for case in args.case or DEFAULT_CASES:
        values = [int(v) for v in case.split(",")]
        c, o, h, w, k, stride, padding = values[:7]
        n = values[7] if len(values) > 7 else 1
        gen = torch.Generator().manual_seed(0)
        x = torch.randn(n, c, h, w, generator=gen)
        weight = torch.randn(o, c, k, k, generator=gen) * 0.1
        bias = torch.randn(o, generator=gen)
        with tempfile.TemporaryDirectory() as work:
            save_file({"conv.weight": weight, "conv.bias": bias}, f"{work}/weights.safetensors")
            np.save(f"{work}/x.npy", x.numpy())
            ours = time_attnc(args, work, c, o, k, stride, padding)
        with torch.no_grad():
            theirs = time_torch(lambda: torch.nn.functional.conv2d(x, weight, bias, stride, padding),
                                args.iterations)
            out = torch.nn.functional.conv2d(x, weight, bias, stride, padding)
        flops = 2.0 * out.numel() * c * k * k
        print(f"  {n}x{c}x{h}x{w} -> {o} k{k} s{stride} p{padding}:")
        for what, a, t in (("median", ours[0], theirs[0]), ("min", ours[1], theirs[1])):
            print(f"    {what:6s} attnc {a:8.3f} ms ({flops / a / 1e6:6.1f} GFLOP/s), "
                  f"pytorch {t:8.3f} ms ({flops / t / 1e6:6.1f} GFLOP/s), speedup {t / a:.2f}x")


if __name__ == "__main__":
    main()
