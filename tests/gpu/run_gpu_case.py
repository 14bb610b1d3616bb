#!/usr/bin/env python3
"""One GPU test: a zoo model compiled ahead of time for a GPU target, run by its runner.

  run_gpu_case.py --runner EXE --device opencl|cuda [--probe EXE] --model NAME [-D k=v]...
                  --dims B=3,Sq=13,Sk=17 --seed N [--omit INPUT]... --workdir DIR [--rtol 1e-4]

Exports weights, inputs and expected outputs from PyTorch into DIR/case, runs
`EXE weights.safetensors name=file.npy ... --out DIR/out` (tests/gpu/run_model_main.cpp built
against the model's library) and compares DIR/out/out<i>.npy with the reference.

opencl: the probe must find an OpenCL device, else the test is skipped (exit 77).
cuda: where libcuda.so cannot be loaded (no driver, so no GPU), the run must fail cleanly: exit
status 1 and a message that names CUDA, never a crash or an abort. Where it can, the run must
succeed and match the reference, as for OpenCL. Where only libcuda.so.1 loads (a driver that
Halide's runtime would not find), the test fails and says so.
Exit status 0 pass, 1 fail, 77 skip.
"""

import argparse
import ctypes
import os
import shlex
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir, "reference"))
import compare  # noqa: E402
import export_case  # noqa: E402

SKIP = 77


def log(message: str):
    print(f"run_gpu_case: {message}", flush=True)


def opencl_available(probe: str) -> bool:
    if not probe:
        return True
    result = subprocess.run([probe], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    print(result.stdout, end="", flush=True)
    return result.returncode == 0


def loadable(name: str) -> bool:
    try:
        ctypes.CDLL(name)
        return True
    except OSError:
        return False


def cuda_driver_loadable() -> bool:
    return loadable("libcuda.so")  # the only name Halide's CUDA runtime loads on Linux


def run_runner(runner: str, case_dir: str, case: dict, out_dir: str):
    cmd = [runner, os.path.join(case_dir, case["weights"])]
    cmd += [f"{e['name']}={os.path.join(case_dir, e['file'])}" for e in case["inputs"]]
    cmd += ["--out", out_dir]
    log(" ".join(shlex.quote(c) for c in cmd))
    result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    print(result.stdout, end="")
    print(result.stderr, end="", flush=True)
    return result


def expect_clean_cuda_failure(result) -> int:
    if result.returncode == 1 and "CUDA" in result.stderr and "device error" in result.stderr:
        log("PASS without a CUDA driver the run failed cleanly (status 1, a device error)")
        return 0
    how = (f"was killed by signal {-result.returncode}" if result.returncode < 0 else
           f"exited with status {result.returncode}")
    log(f"FAIL without a CUDA driver the runner {how}; expected status 1 and a device error "
        "naming CUDA")
    return 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runner", required=True, help="the runner linked with the model")
    parser.add_argument("--device", required=True, choices=["opencl", "cuda"])
    parser.add_argument("--probe", default="", help="opencl: the device probe program")
    export_case.add_case_arguments(parser)
    parser.add_argument("--omit", action="append", default=[], metavar="INPUT",
                        help="leave out this optional forward input (repeatable)")
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--rtol", type=float, default=1e-4)
    args = parser.parse_args(argv)

    if args.device == "opencl" and not opencl_available(args.probe):
        log("SKIP no OpenCL device to run the kernels on")
        return SKIP
    expect_success = args.device == "opencl" or cuda_driver_loadable()
    if not expect_success and loadable("libcuda.so.1"):
        # A driver is installed but the runtime would not find it: passing on the no-driver
        # error here would hide that the GPU was never used.
        log("FAIL libcuda.so.1 loads but libcuda.so does not, and Halide's CUDA runtime opens "
            "only libcuda.so: link it (docs/cuda.md) to run the CUDA cases on this GPU")
        return 1
    if args.device == "cuda":
        log("libcuda.so loads: expecting the run to match PyTorch" if expect_success else
            "libcuda.so does not load: expecting a clean device error")

    case_dir = os.path.join(args.workdir, "case")
    out_dir = os.path.join(args.workdir, "out")
    for d in (case_dir, out_dir):
        shutil.rmtree(d, ignore_errors=True)
    os.makedirs(out_dir)
    case = export_case.export_case(args.model, export_case.parse_defines(args.defines),
                                   export_case.parse_dims(args.dims), args.seed, case_dir,
                                   args.omit)

    result = run_runner(args.runner, case_dir, case, out_dir)
    if not expect_success:
        return expect_clean_cuda_failure(result)
    if result.returncode != 0:
        log(f"FAIL the runner exited with status {result.returncode}")
        return 1
    return 0 if compare.compare_dirs(case_dir, out_dir, args.rtol) else 1


if __name__ == "__main__":
    sys.exit(main())
