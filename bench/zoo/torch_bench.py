#!/usr/bin/env python3
"""Times the PyTorch references of the zoo (tests/reference/zoo_*.py) on the cases
bench/zoo/run.py exports: eager, under torch.compile, and for the entries models.json marks
`onnx`, in ONNX Runtime (exported with torch.onnx.export), on the same weights and inputs.

    ATTN_VENV/bin/python bench/zoo/torch_bench.py --data DIR [--threads 2] [--min-time 0.3]
        [--repetitions 3] [--models A,B] [--skip compile,onnx] [--out times.json]

PyTorch runs with torch.set_num_threads(--threads) under torch.inference_mode(); ONNX Runtime
with intra_op_num_threads=--threads, inter_op_num_threads=1. Each timing: one warm-up call
(for torch.compile, the call that compiles, whose duration is reported apart), then
--repetitions runs of at least --min-time seconds each; the median of their mean times per
call, in milliseconds (as Google Benchmark's median aggregate in zoo_bench).
"""
import argparse
import json
import os
import pathlib
import sys
import tempfile
import time
import traceback

ROOT = pathlib.Path(__file__).resolve().parents[2]
# PyTorch's OpenMP threads wait passively (set before torch is imported): on a shared machine
# the default spinning wait made eager PyTorch several times slower than this (bench/README.md).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
sys.path.insert(0, str(ROOT / "tests" / "reference"))


def timeit(fn, min_time, repetitions):
    """Median over repetitions of the mean time per call (ms), after one warm-up call."""
    fn()
    means = []
    for _ in range(repetitions):
        calls, start = 0, time.perf_counter()
        while True:
            fn()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_time:
                break
        means.append(elapsed / calls * 1e3)
    means.sort()
    return means[len(means) // 2]


def load_case(case_dir):
    """The reference model with the case's weights and its inputs, as export_case wrote them."""
    import numpy as np
    import torch
    from safetensors.torch import load_file

    import zoo
    case = json.loads((case_dir / "case.json").read_text())
    spec = zoo.REGISTRY[case["model"]]
    torch.manual_seed(0)
    net = spec.cls(**case["hyperparameters"]).eval()
    net.load_state_dict(load_file(str(case_dir / case["weights"])))
    inputs = {e["name"]: torch.from_numpy(np.load(case_dir / e["file"])) for e in case["inputs"]}
    names = [n for n in spec.inputs if n in inputs]
    return case, net, names, inputs


def call(net, names, inputs, all_inputs):
    # Positional when every forward input is given, else by name (an optional one left out).
    if all_inputs:
        return lambda: net(*(inputs[n] for n in names))
    return lambda: net(**{n: inputs[n] for n in names})


def time_onnx(net, names, inputs, threads, min_time, repetitions):
    import onnxruntime as ort
    import torch
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.onnx")
        args = tuple(inputs[n] for n in names)
        # The exporter cannot write the fused fast-path op nn.TransformerEncoderLayer takes in
        # inference; the layers' plain ops export.
        fastpath = torch.backends.mha.get_fastpath_enabled()
        torch.backends.mha.set_fastpath_enabled(False)
        with torch.no_grad():
            torch.onnx.export(net, args, path, input_names=names, opset_version=17,
                              dynamo=False)
        torch.backends.mha.set_fastpath_enabled(fastpath)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    feed = {i.name: inputs[i.name].numpy() for i in session.get_inputs()}
    return timeit(lambda: session.run(None, feed), min_time, repetitions)


def time_case(case_dir, onnx, threads, min_time, repetitions, skip=()):
    """{eager_ms, compile_ms, compile_s, onnx_ms} for one exported case; a failure is recorded
    as its error message under <name>_error, not raised."""
    import torch
    torch.set_num_threads(threads)
    case, net, names, inputs = load_case(case_dir)
    import zoo
    all_inputs = len(names) == len(zoo.REGISTRY[case["model"]].inputs)
    result = {}
    with torch.inference_mode():
        result["eager_ms"] = timeit(call(net, names, inputs, all_inputs), min_time, repetitions)
    if "compile" not in skip:
        try:
            torch._dynamo.reset()
            compiled = torch.compile(net)
            fn = call(compiled, names, inputs, all_inputs)
            with torch.inference_mode():
                start = time.perf_counter()
                fn()
                result["compile_s"] = time.perf_counter() - start
                result["compile_ms"] = timeit(fn, min_time, repetitions)
        except Exception as e:  # noqa: BLE001 - reported in the table, not fatal
            result["compile_error"] = f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"
    if onnx and "onnx" not in skip:
        try:
            result["onnx_ms"] = time_onnx(net, names, inputs, threads, min_time, repetitions)
        except Exception as e:  # noqa: BLE001
            traceback.print_exc()
            result["onnx_error"] = f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"
    return result


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", required=True, type=pathlib.Path)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--min-time", type=float, default=0.3)
    p.add_argument("--repetitions", type=int, default=3)
    p.add_argument("--models", default="", help="comma-separated model names (default: all)")
    p.add_argument("--skip", default="", help="comma-separated: compile, onnx")
    p.add_argument("--out", type=pathlib.Path)
    args = p.parse_args()
    config = json.loads((ROOT / "bench" / "zoo" / "models.json").read_text())
    wanted = set(filter(None, args.models.split(",")))
    results = {}
    for entry in config["models"]:
        model = entry["model"]
        if wanted and model not in wanted:
            continue
        for case_dir in sorted((args.data / model).glob("*/case.json")):
            key = f"{model}/{case_dir.parent.name}"
            results[key] = time_case(case_dir.parent, entry.get("onnx", False), args.threads,
                                     args.min_time, args.repetitions,
                                     set(filter(None, args.skip.split(","))))
            print(key, results[key], flush=True)
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
