#!/usr/bin/env python3
"""One numeric test: a zoo model run by attnc against its PyTorch reference.

  run_case.py --attnc PATH --source FILE.attn --model NAME [-D k=v]... --dims B=3,Sq=13,Sk=17
              [--dims ...]... --seed N --workdir DIR [--rtol 1e-4] [--omit INPUT]...

Exports weights, inputs and expected outputs into DIR/case, runs
`attnc run FILE.attn --model NAME -D ... --weights ... --input name=file ... --out DIR/out`,
and compares DIR/out/out<i>.npy with DIR/case/expected<i>.npy. Exit status 0 pass, 1 fail.

Several --dims run one case each (DIR/case<n>, DIR/out<n>, seed N + n) with the same model and
hyperparameters: attnc compiles the model once and takes it from its kernel cache after that,
so a model with symbolic dims tests several shapes for the price of one compile.
"""

import argparse
import os
import shlex
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir, "reference"))
import compare  # noqa: E402
import export_case  # noqa: E402


def run_one(args, dims_text: str, seed: int, case_dir: str, out_dir: str) -> bool:
    for d in (case_dir, out_dir):
        shutil.rmtree(d, ignore_errors=True)
    os.makedirs(out_dir)

    case = export_case.export_case(args.model, export_case.parse_defines(args.defines),
                                   export_case.parse_dims(dims_text), seed, case_dir,
                                   omit=args.omit)

    cmd = export_case.attnc_run_command(args.attnc, args.source, args.model, args.defines,
                                        case_dir, case)
    if args.target:
        cmd += ["--target", args.target]
    cmd += ["--out", out_dir]
    print("run_case: " + " ".join(shlex.quote(c) for c in cmd), flush=True)
    try:
        result = subprocess.run(cmd)
    except OSError as err:
        print(f"run_case: FAIL cannot run {args.attnc}: {err}")
        return False
    if result.returncode != 0:
        print(f"run_case: FAIL attnc exited with status {result.returncode}")
        return False
    return compare.compare_dirs(case_dir, out_dir, args.rtol)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attnc", required=True, help="path of the attnc executable")
    parser.add_argument("--source", required=True, help="the model's .attn file")
    export_case.add_case_arguments(parser, several_dims=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--rtol", type=float, default=1e-4)
    parser.add_argument("--omit", action="append", default=[], metavar="INPUT",
                        help="leave an optional input out (the model fills its default)")
    parser.add_argument("--target", help="attnc run's --target (default: the host)")
    args = parser.parse_args(argv)

    settings = args.dims or [""]
    if len(settings) == 1:
        ok = run_one(args, settings[0], args.seed, os.path.join(args.workdir, "case"),
                     os.path.join(args.workdir, "out"))
        return 0 if ok else 1
    failed = []
    for n, dims_text in enumerate(settings):
        print(f"run_case: dims {dims_text}", flush=True)
        if not run_one(args, dims_text, args.seed + n, os.path.join(args.workdir, f"case{n}"),
                       os.path.join(args.workdir, f"out{n}")):
            failed.append(dims_text)
    for dims_text in failed:
        print(f"run_case: FAIL with dims {dims_text}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
