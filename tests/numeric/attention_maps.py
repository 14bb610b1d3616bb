#!/usr/bin/env python3
"""`attnc run --dump-attention` on a zoo model against PyTorch's attention weights.

  attention_maps.py --attnc PATH --source FILE.attn --model NAME [-D k=v]... --dims B=2,S=9
                    --seed N --workdir DIR [--vocab] [--maps N]

Exports a case as run_case.py does, runs attnc with --dump-attention (and, with --vocab, a
vocabulary of made-up words for the model's token ids), then checks:
  - the model's own outputs still match the reference (compare.py);
  - the index DIR/maps/attention_maps.json lists N maps (with --maps), one .npy and one .png
    per batch item and head;
  - each .npy equals the reference's weights within 1e-4: nn.MultiheadAttention's own weights
    (need_weights, per head) named by the module's path, or the probabilities of every softmax
    over the last axis the reference computes elsewhere (a written-out attention), in order;
  - each .png is a valid PNG (signature, chunk CRCs, zlib data, filters) of the size the index
    gives, whose cells show the weights on the colour scale (viridis' stops, 0 to the maximum);
  - the axis labels are the tokens (with --vocab) or the positions.
Exit status 0 pass, 1 fail.
"""

import argparse
import json
import os
import shlex
import shutil
import struct
import subprocess
import sys
import zlib

import numpy as np
import torch
from safetensors.torch import load_file

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir, "reference"))
import compare  # noqa: E402
import export_case  # noqa: E402
import zoo  # noqa: E402

TOLERANCE = 1e-4


def reference_weights(model, hp, case_dir, case):
    """[(name or None, weights [B, H, Sq, Sk] or [B, Sq, Sk])] in the order the reference
    computes them."""
    spec = zoo.REGISTRY[model]
    net = spec.cls(**hp).eval()
    net.load_state_dict(load_file(os.path.join(case_dir, case["weights"])))
    inputs = {e["name"]: torch.from_numpy(np.load(os.path.join(case_dir, e["file"])))
              for e in case["inputs"]}
    found = []
    inside_mha = [0]  # inside nn.MultiheadAttention or a softmax already captured

    def pre_hook(name):
        def hook(module, args, kwargs):
            inside_mha[0] += 1
            call = dict(kwargs, need_weights=True, average_attn_weights=False)
            with torch.no_grad():
                weights = module.__class__.forward(module, *args, **call)[1]
            found.append((name, weights.detach().numpy()))
        return hook

    def post_hook(module, args, kwargs, output):
        inside_mha[0] -= 1

    for name, module in net.named_modules():
        if isinstance(module, torch.nn.MultiheadAttention):
            module.register_forward_pre_hook(pre_hook(name), with_kwargs=True)
            module.register_forward_hook(post_hook, with_kwargs=True)

    # A written-out attention: every softmax over the last axis outside nn.MultiheadAttention.
    originals = (torch.softmax, torch.nn.functional.softmax, torch.Tensor.softmax)

    def capture(original):
        def softmax(x, dim=None, *args, **kwargs):
            # F.softmax calls Tensor.softmax: count the outermost call only.
            inside_mha[0] += 1
            try:
                y = original(x, dim, *args, **kwargs)
            finally:
                inside_mha[0] -= 1
            if not inside_mha[0] and x.dim() >= 2 and dim in (-1, x.dim() - 1):
                found.append((None, y.detach().numpy()))
            return y
        return softmax

    torch.softmax, torch.nn.functional.softmax, torch.Tensor.softmax = (
        capture(f) for f in originals)
    try:
        # With gradients on, PyTorch takes its Python paths (no fused fast path that skips the
        # modules' forward).
        args = [inputs[n] for n in spec.inputs if n in inputs]
        if len(args) == len(spec.inputs):
            net(*args)
        else:
            net(**inputs)
    finally:
        torch.softmax, torch.nn.functional.softmax, torch.Tensor.softmax = originals
    return found


def read_png(path):
    """(width, height, pixels [H, W, 3] uint8) of an 8-bit RGB PNG; raises on anything wrong."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG signature")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            raise ValueError(f"bad CRC in chunk {kind!r}")
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour != 2 or interlace != 0:
        raise ValueError(f"expected 8-bit RGB, got depth {depth} colour type {colour}")
    raw = zlib.decompress(idat)
    stride = width * 3
    if len(raw) != height * (stride + 1):
        raise ValueError("image data of the wrong size")
    rows = np.zeros((height, stride), dtype=np.int32)
    prev = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = np.frombuffer(raw, dtype=np.uint8, count=stride,
                             offset=y * (stride + 1) + 1).astype(np.int32)
        out = np.zeros(stride, dtype=np.int32)
        for x in range(stride):
            a = out[x - 3] if x >= 3 else 0
            b = prev[x]
            c = prev[x - 3] if x >= 3 else 0
            if kind == 0:
                p = 0
            elif kind == 1:
                p = a
            elif kind == 2:
                p = b
            elif kind == 3:
                p = (a + b) // 2
            elif kind == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                p = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            else:
                raise ValueError(f"unknown filter {kind}")
            out[x] = (line[x] + p) & 0xFF
        rows[y] = out
        prev = out
    return width, height, rows.reshape(height, width, 3).astype(np.uint8)


STOPS = np.array([[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]],
                 dtype=np.float64)


def colour(t):
    t = min(max(float(t), 0.0), 1.0) * 4.0
    k = min(3, int(t))
    return STOPS[k] + (STOPS[k + 1] - STOPS[k]) * (t - k)


def check_png(path, entry, weights):
    width, height, pixels = read_png(path)
    if (width, height) != (entry["image"]["width"], entry["image"]["height"]):
        return f"{path}: {width}x{height}, the index says {entry['image']}"
    plot = entry["plot"]
    cell = plot["cell"]
    sq, sk = weights.shape
    if plot["x"] + sk * cell > width or plot["y"] + sq * cell > height:
        return f"{path}: the plot does not fit in the image"
    top = weights.max()
    for i in range(sq):
        for j in range(sk):
            y, x = plot["y"] + i * cell + cell // 2, plot["x"] + j * cell + cell // 2
            want = colour(weights[i, j] / top if top > 0 else 0)
            if np.abs(pixels[y, x].astype(np.float64) - want).max() > 1.5:
                return f"{path}: cell ({i}, {j}) is {pixels[y, x]}, expected {want.round()}"
    return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attnc", required=True)
    parser.add_argument("--source", required=True)
    export_case.add_case_arguments(parser)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--vocab", action="store_true", help="label axes with made-up words")
    parser.add_argument("--maps", type=int, help="the number of attention maps expected")
    args = parser.parse_args(argv)

    case_dir, out_dir, maps_dir = (os.path.join(args.workdir, d) for d in ("case", "out", "maps"))
    for d in (case_dir, out_dir, maps_dir):
        shutil.rmtree(d, ignore_errors=True)
    os.makedirs(out_dir)
    hp = export_case.parse_defines(args.defines)
    case = export_case.export_case(args.model, hp, export_case.parse_dims(args.dims), args.seed,
                                   case_dir)

    cmd = export_case.attnc_run_command(args.attnc, args.source, args.model, args.defines,
                                        case_dir, case)
    cmd += ["--out", out_dir, "--dump-attention", maps_dir]
    ids = None
    if args.vocab:
        words = [f"w{k}" + "x" * (k % 3) for k in range(int(hp["vocab_size"]))]
        vocab = os.path.join(args.workdir, "vocab.txt")
        with open(vocab, "w") as f:
            f.write("\n".join(words) + "\n")
        cmd += ["--vocab", vocab]
        ids_entry = next(e for e in case["inputs"] if e["name"] == "input_ids")
        ids = np.load(os.path.join(case_dir, ids_entry["file"]))
    print("attention_maps: " + " ".join(shlex.quote(c) for c in cmd), flush=True)
    if subprocess.run(cmd).returncode != 0:
        print("attention_maps: FAIL attnc failed")
        return 1
    if not compare.compare_dirs(case_dir, out_dir, 1e-4):
        return 1

    with open(os.path.join(maps_dir, "attention_maps.json")) as f:
        index = json.load(f)
    reference = reference_weights(args.model, hp, case_dir, case)
    problems = []
    if args.maps is not None and len(index) != args.maps:
        problems.append(f"{len(index)} maps, expected {args.maps}")
    if len(index) != len(reference):
        problems.append(f"{len(index)} maps, the reference computes {len(reference)}")
    checked = 0
    for entry, (name, want) in zip(index, reference):
        if name is not None and entry["name"] != name:
            problems.append(f"map named {entry['name']}, the reference's module is {name}")
        # As the product with the values reads them: a single query per item ([B, Sk]) is
        # dumped as [B, 1, Sk]. Then [B, H, Sq, Sk] throughout.
        if want.size == np.prod(entry["shape"]):
            want = want.reshape(entry["shape"])
        if want.ndim == 2:
            want = want[None, None]
        elif want.ndim == 3:
            want = want[:, None]
        if (len(entry["files"]) != want.shape[0] * want.shape[1]
                or entry["shape"][-2:] != list(want.shape[-2:])):
            problems.append(f"{entry['name']}: {entry['shape']} with {len(entry['files'])} "
                            f"files, the reference's weights are {list(want.shape)}")
            continue
        for f in entry["files"]:
            b, h = f["batch"], f["head"]
            got = np.load(os.path.join(maps_dir, f["npy"]))
            ref = want[b, h]
            rows = ~np.isnan(ref).any(axis=1)  # PyTorch gives NaN where every key is masked
            err = np.abs(got[rows] - ref[rows]).max() if rows.any() else 0.0
            if got.shape != ref.shape or err > TOLERANCE:
                problems.append(f"{f['npy']}: max error {err} (shape {got.shape})")
            message = check_png(os.path.join(maps_dir, f["png"]), f, got)
            if message:
                problems.append(message)
            sq, sk = got.shape

            def labels(n):
                if ids is not None and n == ids.shape[1]:
                    return [words[k] for k in ids[b]]
                return [str(s) for s in range(n)]
            rows_want, cols_want = labels(sq), labels(sk)
            if f["queries"] != rows_want or f["keys"] != cols_want:
                problems.append(f"{f['png']}: labels {f['queries']} / {f['keys']}, expected "
                                f"{rows_want} / {cols_want}")
            checked += 1
    for p in problems:
        print("attention_maps: FAIL " + p)
    if problems:
        return 1
    print(f"attention_maps: PASS {len(index)} maps, {checked} matrices and images checked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
