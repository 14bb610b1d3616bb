#!/usr/bin/env python3
"""Runs the zoo benchmark end to end and writes its table into bench/README.md.

    ATTN_VENV/bin/python bench/zoo/run.py [--threads 2] [--min-time 0.3] [--repetitions 3]
        [--models A,B] [--skip compile,onnx] [--work build/bench/zoo/cases] [--no-readme]

1. exports, for every entry of models.json at batch 1 and batch 32, PyTorch's random weights,
   inputs and outputs (tests/reference/export_case.py) into --work;
2. builds zoo_bench (cmake --build build --target zoo_bench);
3. model by model, runs zoo_bench on its cases (Google Benchmark, median of --repetitions runs
   of at least --min-time seconds; it checks the model's outputs against PyTorch's first), then
   times the PyTorch reference on the same cases (torch_bench.py): eager, torch.compile, and
   ONNX Runtime for the transformer entries;
4. writes a table of the ratios (PyTorch's time / attn's: above 1 means attn is faster) with the
   machine, its load and the command between the zoo-table markers of bench/README.md.
"""
import argparse
import datetime
import json
import os
import pathlib
import platform
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
# PyTorch's OpenMP threads wait passively (set before torch is imported): on a shared machine
# the default spinning wait made eager PyTorch several times slower than this (bench/README.md).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tests" / "reference"))
sys.path.insert(0, str(HERE))

BATCHES = (1, 32)
BEGIN, END = "<!-- zoo-table:begin -->", "<!-- zoo-table:end -->"


def case_dims(entry, batch):
    dims = dict(entry.get("dims", {}))
    scaled = entry.get("batch_dims")
    if scaled:  # no batch axis: the batch scales these dims
        dims.update({k: v * batch for k, v in scaled.items()})
    else:
        dims["B"] = batch
    return dims


def export_cases(entries, work):
    import export_case
    for entry in entries:
        for batch in BATCHES:
            out = work / entry["model"] / f"b{batch}"
            if (out / "case.json").exists():
                continue
            export_case.export_case(entry["model"], entry["defines"], case_dims(entry, batch), 0,
                                    str(out), entry.get("omit", ()))
            print(f"exported {entry['model']} b{batch}", flush=True)


def run_attn(args, model, work):
    """attn's median ms for each case of `model` (zoo_bench --model), and errors by case."""
    exe = ROOT / "build" / "bin" / "zoo_bench"
    out = work / f"attn_{model}.json"
    cmd = [str(exe), "--data", str(work), "--model", model, "--threads", str(args.threads),
           f"--benchmark_min_time={args.min_time}",
           f"--benchmark_repetitions={args.repetitions}",
           "--benchmark_report_aggregates_only=true", "--benchmark_format=json",
           f"--benchmark_out={out}"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    times, errors = {}, {}
    for b in json.loads(out.read_text())["benchmarks"]:
        name = b.get("run_name", b["name"]).removesuffix("/real_time")
        if b.get("error_occurred"):
            errors[name] = b.get("error_message", "error")
        elif b.get("aggregate_name") == "median" or b.get("run_type") == "iteration":
            times[name] = b["real_time"]  # ms (the benchmarks' unit); one repetition: no median
    return times, errors


def ratio(theirs, ours):
    return f"{theirs / ours:.2f}" if theirs and ours else "–"


def machine():
    cpu = "unknown CPU"
    for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    flags = pathlib.Path("/proc/cpuinfo").read_text()
    isa = "AVX-512" if " avx512f" in flags else "AVX2" if " avx2" in flags else "SSE"
    return f"{cpu}, {os.cpu_count()} cores, {isa}, {platform.system()} {platform.release()}"


def table(args, entries, attn, errors, torch_times, load_before, load_after):
    import torch
    lines = [
        f"Measured {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC on {machine()}; "
        f"{args.threads} threads each (HL_NUM_THREADS, torch.set_num_threads, ORT "
        f"intra_op_num_threads); torch {torch.__version__}. Load average (1 min) "
        f"{load_before:.2f} before and {load_after:.2f} after: "
        + ("the machine was shared with other jobs, so the times are noisy; each model ran in "
           "attn and then in PyTorch, one right after the other."
           if max(load_before, load_after) > 0.5
           else "the machine was otherwise idle."),
        "",
        "Ratios are PyTorch's time / attn's (above 1: attn is faster). Times in ms are medians "
        "of the runs.",
        "",
        "| model | batch | attn ms | eager ms | eager/attn | compile ms | compile/attn | "
        "ORT ms | ORT/attn |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for entry in entries:
        for batch in BATCHES:
            key = f"{entry['model']}/b{batch}"
            ours = attn.get(key)
            t = torch_times.get(key, {})
            cells = [entry["model"], str(batch),
                     f"{ours:.3f}" if ours else f"error: {errors.get(key, 'not run')}"]
            for name in ("eager", "compile", "onnx"):
                ms = t.get(f"{name}_ms")
                if ms:
                    cells += [f"{ms:.3f}", ratio(ms, ours)]
                elif t.get(f"{name}_error"):
                    cells += ["failed", "–"]
                else:
                    cells += ["–", "–"]
            lines.append("| " + " | ".join(cells) + " |")
    failures = [(k, n, v) for k, t in torch_times.items() for n, v in t.items()
                if n.endswith("_error")]
    if failures:
        lines += ["", "Failures of the PyTorch side:"]
        lines += [f"- {k} {n[:-6]}: `{v}`" for k, n, v in failures]
    compile_s = [t["compile_s"] for t in torch_times.values() if "compile_s" in t]
    if compile_s:
        lines += ["", f"torch.compile's first call (compilation) took {min(compile_s):.1f} to "
                      f"{max(compile_s):.1f} s per case; not in the times above."]
    return "\n".join(lines)


def write_readme(text, command):
    readme = ROOT / "bench" / "README.md"
    body = readme.read_text()
    if BEGIN not in body or END not in body:
        raise SystemExit(f"{readme} lacks the markers {BEGIN} / {END}")
    head, rest = body.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    block = f"{BEGIN}\nCommand: `{command}`\n\n{text}\n{END}"
    readme.write_text(head + block + tail)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--min-time", type=float, default=0.3)
    p.add_argument("--repetitions", type=int, default=3)
    p.add_argument("--models", default="", help="comma-separated model names (default: all)")
    p.add_argument("--skip", default="", help="comma-separated: compile, onnx")
    p.add_argument("--work", type=pathlib.Path, default=ROOT / "build" / "bench" / "zoo" / "cases")
    p.add_argument("--no-build", action="store_true", help="use build/bin/zoo_bench as it is")
    p.add_argument("--no-readme", action="store_true", help="print the table only")
    args = p.parse_args()

    import torch_bench
    config = json.loads((HERE / "models.json").read_text())
    wanted = set(filter(None, args.models.split(",")))
    entries = [e for e in config["models"] if not wanted or e["model"] in wanted]
    args.work.mkdir(parents=True, exist_ok=True)
    export_cases(entries, args.work)
    if not args.no_build:
        subprocess.run(["cmake", "--build", str(ROOT / "build"), "--target", "zoo_bench", "-j2"],
                       check=True, stdout=subprocess.DEVNULL)

    # Model by model, attn's cases then PyTorch's, so that both see the same load.
    load_before = os.getloadavg()[0]
    skip = set(filter(None, args.skip.split(",")))
    attn, errors, torch_times = {}, {}, {}
    for entry in entries:
        times, failed = run_attn(args, entry["model"], args.work)
        attn.update(times)
        errors.update(failed)
        for batch in BATCHES:
            key = f"{entry['model']}/b{batch}"
            torch_times[key] = torch_bench.time_case(
                args.work / entry["model"] / f"b{batch}", entry.get("onnx", False), args.threads,
                args.min_time, args.repetitions, skip)
            print(key, f"attn {attn.get(key)}", torch_times[key], flush=True)
    load_after = os.getloadavg()[0]

    text = table(args, entries, attn, errors, torch_times, load_before, load_after)
    print(text)
    if not args.no_readme:
        command = "ATTN_VENV/bin/python bench/zoo/run.py " + " ".join(sys.argv[1:])
        write_readme(text, command.strip())


if __name__ == "__main__":
    main()
