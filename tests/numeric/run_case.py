#!/usr/bin/env python3
"""One numeric test: a zoo model run by attnc against its PyTorch reference.

  run_case.py --attnc PATH --source FILE.attn --model NAME [-D k=v]... --dims B=3,Sq=13,Sk=17
              --seed N --workdir DIR [--rtol 1e-4] [--omit INPUT]...

Exports weights, inputs and expected outputs into DIR/case, runs
`attnc run FILE.attn --model NAME -D ... --weights ... --input name=file ... --out DIR/out`,
and compares DIR/out/out<i>.npy with DIR/case/expected<i>.npy. Exit status 0 pass, 1 fail.
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attnc", required=True, help="path of the attnc executable")
    parser.add_argument("--source", required=True, help="the model's .attn file")
    export_case.add_case_arguments(parser)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--rtol", type=float, default=1e-4)
    parser.add_argument("--omit", action="append", default=[], metavar="INPUT",
                        help="leave an optional input out (the model fills its default)")
    args = parser.parse_args(argv)

    case_dir = os.path.join(args.workdir, "case")
    out_dir = os.path.join(args.workdir, "out")
    for d in (case_dir, out_dir):
        shutil.rmtree(d, ignore_errors=True)
    os.makedirs(out_dir)

    case = export_case.export_case(args.model, export_case.parse_defines(args.defines),
                                   export_case.parse_dims(args.dims), args.seed, case_dir,
                                   omit=args.omit)

    cmd = export_case.attnc_run_command(args.attnc, args.source, args.model, args.defines,
                                        case_dir, case)
    cmd += ["--out", out_dir]
    print("run_case: " + " ".join(shlex.quote(c) for c in cmd), flush=True)
    try:
        result = subprocess.run(cmd)
    except OSError as err:
        print(f"run_case: FAIL cannot run {args.attnc}: {err}")
        return 1
    if result.returncode != 0:
        print(f"run_case: FAIL attnc exited with status {result.returncode}")
        return 1

    return 0 if compare.compare_dirs(case_dir, out_dir, args.rtol) else 1


if __name__ == "__main__":
    sys.exit(main())
