#!/usr/bin/env python3
"""The attention core against PyTorch, in one run: attnc's kernel (attention_bench, Google
Benchmark) and, on the same shapes and threads, F.scaled_dot_product_attention (PyTorch's fused
CPU kernel) and the seed's core (einsum, softmax, einsum, as zoo entry 3 writes it), eager and
under torch.compile; then the extra memory of one call of each against S.

    ATTN_VENV/bin/python bench/attention/run.py [--threads 2] [--seqs 128,256,...,8192]
        [--dims 64,128] [--min-time 0.3] [--skip compile,seed,memory] [--memory-seqs 1024,...]

B = 1, H = 8, q, k, v [1, 8, S, D] uniform in [-1, 1]; causal means query i sees keys j <= i.
Times are milliseconds per call (attn: the median of 3 Google Benchmark repetitions; PyTorch:
the median of 3 repetitions of the mean over --min-time seconds). GFLOP/s counts 4·H·S²·D
(causal: 4·H·D·S(S+1)/2) and share is of the FMA peak attention_bench measures in the same run.
Memory: the peak resident set during one call minus the resident set before it and the output's
bytes, each implementation in a fresh process (attention_bench --memory for attn).
Prints markdown tables; compare the ratios, not the milliseconds.
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
sys.path.insert(0, str(ROOT / "bench" / "zoo"))
from torch_bench import timeit  # noqa: E402  (median of repetitions of the mean per call)

HEADS = 8


def seed_core(q, k, v, causal):
    """The core as zoo entry 3's seed writes it, with a causal mask as its decoder does."""
    import torch
    scores = torch.einsum("bhqd,bhkd->bhqk", q, k) / (q.shape[-1] ** 0.5)
    if causal:
        s = q.shape[-2]
        keep = torch.ones(s, s, dtype=torch.bool).tril()
        scores = scores.masked_fill(~keep, float("-inf"))
    return torch.einsum("bhqk,bhkd->bhqd", torch.softmax(scores, dim=-1), v)


def sdpa(q, k, v, causal):
    import torch.nn.functional as F
    return F.scaled_dot_product_attention(q, k, v, is_causal=causal)


IMPLEMENTATIONS = {"sdpa": sdpa, "seed": seed_core}


def inputs(s, d):
    import torch
    gen = torch.Generator().manual_seed(0)
    return [torch.rand(1, HEADS, s, d, generator=gen) * 2 - 1 for _ in range(3)]


def run_attn(args, seqs, dims):
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "attn.json"
        subprocess.run([str(args.bench), "--threads", str(args.threads), "--seqs", seqs,
                        "--dims", dims, "--benchmark_repetitions=3",
                        "--benchmark_report_aggregates_only=true",
                        f"--benchmark_min_time={args.min_time}",
                        "--benchmark_format=json", f"--benchmark_out={out}"],
                       check=True, stdout=subprocess.DEVNULL)
        report = json.loads(out.read_text())
    peak = float(report["context"]["peak_gflops"])
    times = {}
    for b in report["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        kind, s, d = b["run_name"].split("/")[:3]
        times[(kind == "causal", int(s[2:]), int(d[2:]))] = b["real_time"]
    return peak, times


def memory_child(name, s, d, causal):
    """Runs in a fresh process: one warm-up call on a small shape, then the measured call."""
    import torch
    torch.set_num_threads(2)
    fn = IMPLEMENTATIONS[name]
    with torch.inference_mode():
        fn(*inputs(64, d), causal)
        q, k, v = inputs(s, d)

        def kib(field):
            for line in open("/proc/self/status"):
                if line.startswith(field):
                    return int(line.split()[1])

        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        before = kib("VmRSS:")
        out = fn(q, k, v, causal)
        peak = kib("VmHWM:")
    print(max(0.0, (peak - before) * 1024.0 - out.numel() * 4) / 2**20)


def flops(s, d, causal):
    pairs = s * (s + 1) / 2 if causal else s * s
    return 4.0 * HEADS * pairs * d


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bench", default=str(ROOT / "build" / "bin" / "attention_bench"))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seqs", default="128,256,512,1024,2048,4096,8192")
    p.add_argument("--dims", default="64,128")
    p.add_argument("--min-time", type=float, default=0.3)
    p.add_argument("--skip", default="", help="comma-separated: compile, seed, memory")
    p.add_argument("--memory-seqs", default="1024,2048,4096,8192")
    p.add_argument("--memory-child", nargs=4, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.memory_child:
        name, s, d, causal = args.memory_child
        return memory_child(name, int(s), int(d), causal == "1")

    import torch
    torch.set_num_threads(args.threads)
    skip = set(filter(None, args.skip.split(",")))
    if not pathlib.Path(args.bench).exists():
        subprocess.run(["cmake", "--build", str(ROOT / "build"), "--target", "attention_bench"],
                       check=True)
    seqs = [int(x) for x in args.seqs.split(",")]
    dims = [int(x) for x in args.dims.split(",")]
    peak, ours = run_attn(args, args.seqs, args.dims)

    peers = [("sdpa", "eager")] + ([] if "seed" in skip else [("seed", "eager")])
    if "compile" not in skip:
        peers += [("sdpa", "compile")] + ([] if "seed" in skip else [("seed", "compile")])
    print(f"attention core, B=1 H={HEADS}, {args.threads} threads, FMA peak {peak:.1f} GFLOP/s")
    head = " | ".join(f"{n} {m} ms" for n, m in peers)
    print(f"\n| mask | S | D | attn ms | attn GFLOP/s | share of peak | {head} | "
          "sdpa / attn |")
    print("|---|---|---|---|---|---|" + "---|" * len(peers) + "---|")
    with torch.inference_mode():
        compiled = {}
        for d in dims:
            for s in seqs:
                for causal in (False, True):
                    ms = ours[(causal, s, d)]
                    gflops = flops(s, d, causal) / (ms * 1e6)
                    q, k, v = inputs(s, d)
                    theirs = []
                    for name, mode in peers:
                        fn = IMPLEMENTATIONS[name]
                        if mode == "compile":
                            fn = compiled.setdefault(name, torch.compile(fn, dynamic=True))
                        # The seed materialises H·S² scores: skip it where that reaches 2 GiB.
                        if name == "seed" and HEADS * s * s * 4 >= 2**31:
                            theirs.append(None)
                            continue
                        theirs.append(timeit(lambda: fn(q, k, v, causal), args.min_time, 3))
                    cells = " | ".join("-" if t is None else f"{t:.2f}" for t in theirs)
                    print(f"| {'causal' if causal else 'none'} | {s} | {d} | {ms:.2f} | "
                          f"{gflops:.1f} | {100 * gflops / peak:.0f}% | {cells} | "
                          f"{theirs[0] / ms:.2f} |", flush=True)

    if "memory" in skip:
        return
    mem_seqs = args.memory_seqs
    out = subprocess.run([str(args.bench), "--memory", "--seqs", mem_seqs, "--dims", "64"],
                         check=True, capture_output=True, text=True).stdout
    attn_mem = {}
    for line in out.splitlines():
        fields = dict(f.split("=") for f in line.split()[1:])
        attn_mem[(fields["causal"] == "1", int(fields["s"]))] = float(fields["extra_mib"])
    names = ["sdpa"] + ([] if "seed" in skip else ["seed"])
    print("\nextra memory of one call, D = 64, MiB\n")
    print("| mask | S | attn | " + " | ".join(f"{n} eager" for n in names) + " |")
    print("|---|---|---|" + "---|" * len(names))
    for s in (int(x) for x in mem_seqs.split(",")):
        for causal in (False, True):
            cells = []
            for name in names:
                if name == "seed" and HEADS * s * s * 4 >= 2**31:
                    cells.append("-")
                    continue
                r = subprocess.run([sys.executable, __file__, "--memory-child", name, str(s), "64",
                                    "1" if causal else "0"], check=True, capture_output=True,
                                   text=True)
                cells.append(f"{float(r.stdout):.1f}")
            print(f"| {'causal' if causal else 'none'} | {s} | {attn_mem[(causal, s)]:.1f} | "
                  + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
