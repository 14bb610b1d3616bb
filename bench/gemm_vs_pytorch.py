#!/usr/bin/env python3
"""The generated matrix product (build/bin/gemm_bench) and torch.matmul on the same sizes and
thread count, in one run, each as a share of this machine's FMA peak measured by gemm_bench.

    ATTN_VENV/bin/python bench/gemm_vs_pytorch.py [--size 1024] [--threads 2] [--iterations 20]

Both report their best time of --iterations (after one warm-up call): on a shared machine the
best is the run least disturbed by other processes; the medians are printed too.
Last line, for scripts: attn_share=... torch_share=... attn_over_torch=...
"""
import argparse
import os
import pathlib
import re
import subprocess
import time

# As bench/zoo: PyTorch's OpenMP threads wait passively (set before torch is imported).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

ROOT = pathlib.Path(__file__).resolve().parent.parent


def time_torch(size, threads, iterations):
    import torch
    torch.set_num_threads(threads)
    gen = torch.Generator().manual_seed(1)
    a = torch.rand(size, size, generator=gen) * 2 - 1
    b = torch.rand(size, size, generator=gen) * 2 - 1
    torch.matmul(a, b)
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        torch.matmul(a, b)
        times.append((time.perf_counter() - start) * 1e3)
    times.sort()
    return times[0], times[len(times) // 2]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--gemm-bench", default=str(ROOT / "build" / "bin" / "gemm_bench"))
    p.add_argument("--size", type=int, default=1024)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--iterations", type=int, default=20)
    args = p.parse_args()

    out = subprocess.run([args.gemm_bench, "--size", str(args.size), "--threads",
                          str(args.threads), "--iterations", str(args.iterations)],
                         check=True, capture_output=True, text=True).stdout
    fields = dict(re.findall(r"(\w+)=([0-9.]+)", out.splitlines()[-1]))
    peak = float(fields["peak_gflops"])
    attn_best, attn_median = float(fields["attn_best_ms"]), float(fields["attn_median_ms"])
    torch_best, torch_median = time_torch(args.size, args.threads, args.iterations)

    flops = 2.0 * args.size ** 3
    gflops = lambda ms: flops / (ms * 1e6)  # noqa: E731
    print(f"{args.size}^3 fp32 matrix product, {args.threads} threads; "
          f"FMA peak {peak:.1f} GFLOP/s")
    print(f"{'':14}{'best ms':>9}{'median ms':>11}{'GFLOP/s':>9}{'of peak':>9}")
    for name, best, median in (("attn", attn_best, attn_median),
                               ("torch.matmul", torch_best, torch_median)):
        print(f"{name:14}{best:9.3f}{median:11.3f}{gflops(best):9.1f}"
              f"{100 * gflops(best) / peak:8.0f}%")
    print(f"attn_share={gflops(attn_best) / peak:.4f} torch_share={gflops(torch_best) / peak:.4f} "
          f"attn_over_torch={torch_best / attn_best:.4f}")


if __name__ == "__main__":
    main()
