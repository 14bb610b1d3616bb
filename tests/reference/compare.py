#!/usr/bin/env python3
"""Compares a run's outputs with the reference's.

  compare.py EXPECTED_DIR OUT_DIR [--rtol 1e-4] [--show N]

For every EXPECTED_DIR/expected<i>.npy, OUT_DIR/out<i>.npy must exist with the same shape and
dtype, and max|out - expected| / max|expected| must be at most rtol (fp32 default 1e-4).
Where EXPECTED_DIR/kept<i>.npy exists (bool, the output's shape), only the positions it marks
count, for the difference and for max|expected| alike (e.g. the non-padded tokens of an output
whose padded ones the contract leaves open). Where EXPECTED_DIR/case.json gives an output an
`rtol` of its own (outputs rounded to f16 or bf16), that one applies to it instead. Prints one
line per output and exits 1 if any fails.
"""

import argparse
import json
import os
import sys

import numpy as np


def _count(directory: str, prefix: str) -> int:
    n = 0
    while os.path.exists(os.path.join(directory, f"{prefix}{n}.npy")):
        n += 1
    return n


def compare_output(i: int, expected: np.ndarray, out: np.ndarray, rtol: float,
                   kept: "np.ndarray | None" = None) -> bool:
    label = f"output {i}"
    if out.shape != expected.shape:
        print(f"{label}: FAIL shape {list(out.shape)}, expected {list(expected.shape)}")
        return False
    if out.dtype != expected.dtype:
        print(f"{label}: FAIL dtype {out.dtype}, expected {expected.dtype}")
        return False
    e = expected.astype(np.float64)
    o = out.astype(np.float64)
    if kept is not None:
        if kept.shape != expected.shape or kept.dtype != np.bool_:
            print(f"{label}: FAIL kept mask {kept.dtype}{list(kept.shape)} does not match the "
                  f"output {list(expected.shape)}")
            return False
        label += f" ({int(kept.sum())} of {kept.size} kept)"
        e, o = e[kept], o[kept]
    if o.size == 0:
        print(f"{label}: PASS (empty, shape {list(out.shape)})")
        return True
    if not np.all(np.isfinite(o) == np.isfinite(e)):
        print(f"{label}: FAIL non-finite values where the reference has none "
              f"({int(np.sum(~np.isfinite(o)))} of {o.size})")
        return False
    finite = np.isfinite(e)
    if not np.array_equal(o[~finite], e[~finite]):
        print(f"{label}: FAIL non-finite values differ from the reference")
        return False
    diff = np.abs(o[finite] - e[finite])
    max_abs = float(diff.max()) if diff.size else 0.0
    scale = float(np.abs(e[finite]).max()) if diff.size else 0.0
    rel = max_abs / scale if scale > 0 else max_abs
    ok = rel <= rtol
    print(f"{label}: {'PASS' if ok else 'FAIL'} shape {list(out.shape)} max_abs_diff={max_abs:.3e} "
          f"rel_err={rel:.3e} (max|expected|={scale:.3e}, rtol={rtol:g})")
    return ok


def compare_dirs(expected_dir: str, out_dir: str, rtol: float = 1e-4, show: int = 0) -> bool:
    n_expected = _count(expected_dir, "expected")
    if n_expected == 0:
        print(f"compare: no expected0.npy in {expected_dir}")
        return False
    own_rtol = {}
    case_path = os.path.join(expected_dir, "case.json")
    if os.path.exists(case_path):
        with open(case_path) as f:
            entries = json.load(f).get("expected", [])
        own_rtol = {i: e["rtol"] for i, e in enumerate(entries) if "rtol" in e}
    ok = True
    for i in range(n_expected):
        path = os.path.join(out_dir, f"out{i}.npy")
        if not os.path.exists(path):
            print(f"output {i}: FAIL missing {path}")
            ok = False
            continue
        expected = np.load(os.path.join(expected_dir, f"expected{i}.npy"))
        out = np.load(path)
        kept_path = os.path.join(expected_dir, f"kept{i}.npy")
        kept = np.load(kept_path) if os.path.exists(kept_path) else None
        if show > 0:
            print(f"output {i}: shape {list(out.shape)} dtype {out.dtype}")
            print(f"  first values: {np.array2string(out.reshape(-1)[:show], precision=6)}")
            print(f"  reference:    {np.array2string(expected.reshape(-1)[:show], precision=6)}")
        ok = compare_output(i, expected, out, own_rtol.get(i, rtol), kept) and ok
    n_out = _count(out_dir, "out")
    if n_out > n_expected:
        print(f"compare: FAIL {n_out} outputs written, the reference has {n_expected}")
        ok = False
    print("compare: " + ("PASS" if ok else "FAIL"))
    return ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("expected_dir")
    parser.add_argument("out_dir")
    parser.add_argument("--rtol", type=float, default=1e-4)
    parser.add_argument("--show", type=int, default=0, metavar="N",
                        help="also print the shape and first N values of each output")
    args = parser.parse_args(argv)
    return 0 if compare_dirs(args.expected_dir, args.out_dir, args.rtol, args.show) else 1


if __name__ == "__main__":
    sys.exit(main())
