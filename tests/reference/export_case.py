#!/usr/bin/env python3
"""Exports one test case of a zoo model from its PyTorch reference.

  export_case.py --model NAME [-D k=v]... --dims B=3,Sq=13,Sk=17 --seed N [--omit INPUT]...
                 --out DIR

writes DIR/weights.safetensors (the state_dict), DIR/<input>.npy per forward input,
DIR/expected<i>.npy per forward output (eval(), no_grad) and DIR/case.json describing them.
--omit leaves an optional forward input out (e.g. a padding mask): no file, not in case.json,
and the reference runs without it. Where the model's ModelSpec marks the positions to compare
(`kept`), DIR/kept<i>.npy holds them (bool, the shape of expected<i>.npy) for compare.py; where
it gives an output its own tolerance (`rtol`), case.json's entry for that output carries it.
"""

import argparse
import json
import os
import sys
from typing import Dict, Mapping, Sequence

import numpy as np
import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zoo  # noqa: E402


def parse_value(text: str):
    """A hyperparameter value as the DSL reads it: int, float, bool or string."""
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    if text in ("true", "false"):
        return text == "true"
    return text


def parse_defines(defines) -> Dict[str, object]:
    hp = {}
    for item in defines or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise SystemExit(f"export_case: -D expects k=v, got '{item}'")
        hp[key] = parse_value(value)
    return hp


def parse_dims(text: str) -> Dict[str, int]:
    dims = {}
    for item in filter(None, (part.strip() for part in (text or "").split(","))):
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise SystemExit(f"export_case: --dims expects K=N,..., got '{item}'")
        dims[key] = int(value)
    return dims


# dtype names as docs/internals.md spells them
DTYPE_NAMES = {torch.float32: "f32", torch.float16: "f16", torch.bfloat16: "bf16",
               torch.int64: "i64", torch.int32: "i32", torch.bool: "bool"}


def export_case(model: str, hp: Mapping[str, object], dims: Mapping[str, int], seed: int,
                out_dir: str, omit: Sequence[str] = ()) -> dict:
    """Writes the case files into out_dir and returns the case description. `omit` names
    optional forward inputs to leave out."""
    if model not in zoo.REGISTRY:
        raise SystemExit(f"export_case: unknown model '{model}'; known: "
                         + ", ".join(sorted(zoo.REGISTRY)))
    spec = zoo.REGISTRY[model]
    unknown = [name for name in omit if name not in spec.inputs]
    if unknown:
        raise SystemExit(f"export_case: {model} has no input {unknown}; its inputs: "
                         + ", ".join(spec.inputs))
    torch.set_num_threads(1)  # one forward pass of a small model; tests run two at a time
    torch.manual_seed(seed)
    net = spec.cls(**hp).eval()
    gen = torch.Generator().manual_seed(seed + 1)
    inputs = spec.make_inputs(hp, dims, gen)
    inputs = {name: t for name, t in inputs.items() if name not in omit}
    present = [name for name in spec.inputs if name in inputs]

    os.makedirs(out_dir, exist_ok=True)
    weights = {name: t.detach().contiguous() for name, t in net.state_dict().items()}
    save_file(weights, os.path.join(out_dir, "weights.safetensors"))

    input_entries = []
    for name in present:
        file = f"{name}.npy"
        np.save(os.path.join(out_dir, file), inputs[name].numpy())
        input_entries.append({"name": name, "file": file})

    with torch.no_grad():
        if len(present) == len(spec.inputs):
            outputs = net(*(inputs[name] for name in spec.inputs))
        else:  # an input left out: the others by name (forward arguments are named as inputs)
            outputs = net(**inputs)
    if not isinstance(outputs, (tuple, list)):
        outputs = (outputs,)
    kept = spec.kept(inputs) if spec.kept else {}
    expected = []
    for i, t in enumerate(outputs):
        file = f"expected{i}.npy"
        np.save(os.path.join(out_dir, file), t.detach().contiguous().numpy())
        entry = {"file": file, "shape": list(t.shape),
                 "dtype": DTYPE_NAMES.get(t.dtype, str(t.dtype))}
        if i in kept:
            entry["kept"] = f"kept{i}.npy"
            mask = torch.broadcast_to(kept[i].to(torch.bool), t.shape).contiguous()
            np.save(os.path.join(out_dir, entry["kept"]), mask.numpy())
        if spec.rtol and i in spec.rtol:
            entry["rtol"] = spec.rtol[i]
        expected.append(entry)

    case = {
        "model": model,
        "hyperparameters": dict(hp),
        "dims": dict(dims),
        "seed": seed,
        "weights": "weights.safetensors",
        "inputs": input_entries,
        "omitted": list(omit),
        "expected": expected,
    }
    with open(os.path.join(out_dir, "case.json"), "w") as f:
        json.dump(case, f, indent=2)
        f.write("\n")
    return case


def attnc_run_command(attnc: str, source: str, model: str, defines: Sequence[str],
                      case_dir: str, case: Mapping[str, object]):
    """The `attnc run` command that computes a case written by export_case() in `case_dir`
    (its weights and inputs); the caller adds where the outputs go."""
    cmd = [attnc, "run", source, "--model", model]
    for define in defines:
        cmd += ["-D", define]
    cmd += ["--weights", os.path.join(case_dir, case["weights"])]
    for entry in case["inputs"]:
        cmd += ["--input", f"{entry['name']}={os.path.join(case_dir, entry['file'])}"]
    return cmd


def add_case_arguments(parser: argparse.ArgumentParser, several_dims: bool = False):
    """The arguments that pick a case; with `several_dims`, --dims is repeatable (a list)."""
    parser.add_argument("--model", required=True, help="zoo model name, e.g. MultiHeadAttention")
    parser.add_argument("-D", dest="defines", action="append", default=[], metavar="K=V",
                        help="hyperparameter (repeatable)")
    if several_dims:
        parser.add_argument("--dims", action="append", default=[],
                            help="symbolic dims, e.g. B=3,Sq=13,Sk=17; repeatable: one case "
                                 "each, all run by one compiled model")
    else:
        parser.add_argument("--dims", default="", help="symbolic dims, e.g. B=3,Sq=13,Sk=17")
    parser.add_argument("--seed", type=int, default=0)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_case_arguments(parser)
    # Not in add_case_arguments: run_case.py does not pass it on yet, and would ignore it silently.
    parser.add_argument("--omit", action="append", default=[], metavar="INPUT",
                        help="leave out this optional forward input (repeatable)")
    parser.add_argument("--out", required=True, help="output directory")
    args = parser.parse_args(argv)
    case = export_case(args.model, parse_defines(args.defines), parse_dims(args.dims), args.seed,
                       args.out, args.omit)
    shapes = ", ".join(str(e["shape"]) for e in case["expected"])
    print(f"exported {case['model']} to {args.out}: inputs "
          f"{[e['name'] for e in case['inputs']]}, outputs {shapes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
