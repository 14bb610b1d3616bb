#!/usr/bin/env python3
"""Checks the zoo references against ZOO.md's table, transcribed below: for every entry, the
constructor's arguments (names, order, defaults of the "+" ones), the forward inputs (names,
order, which are optional), state_dict() names (exactly the set ZOO.md's patterns expand to,
nothing more or less), and, on the registry's random inputs with small hyperparameters, the
inputs' and outputs' dtypes and shapes, finite outputs.

  check_zoo_names.py [--only NAME]...      exit 0 if all match, 1 otherwise (each mismatch named)

Patterns: `{a,b}` alternatives (`{,_reverse}`: nothing or `_reverse`), `{k}`/`{i}` each index
below the hyperparameter the entry gives for it. Shapes are Python expressions over the
hyperparameters and dims.
"""

import argparse
import inspect
import itertools
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Dict, Tuple

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zoo  # noqa: E402

LSTM = "{weight_ih,weight_hh,bias_ih,bias_hh}"
LIN = "{weight,bias}"
MHA = ("{prefix}.{in_proj_weight,in_proj_bias}", "{prefix}.out_proj." + LIN)
CELL_DECODER = ("embed.weight", "rnn." + LSTM, "attention.attn." + LIN, "attention.v",
                "out." + LIN)
NO_DEFAULT = inspect.Parameter.empty


@dataclass
class Entry:
    number: int
    model: str
    hyper: Tuple[Tuple[str, object], ...]  # (name, default or NO_DEFAULT), ZOO.md's order
    hp: Dict[str, object]  # small values to instantiate with
    inputs: Tuple[Tuple[str, str, str], ...]  # (name, dtype, shape); name ending "?" optional
    outputs: Tuple[Tuple[str, str], ...]  # (dtype, shape)
    dims: Dict[str, int]
    names: Tuple[str, ...]
    ranges: Dict[str, str] = field(default_factory=dict)  # index -> hyperparameter


def req(*names):
    return tuple((n, NO_DEFAULT) for n in names)


def mha(prefix):
    return tuple(p.replace("{prefix}", prefix) for p in MHA)


ENTRIES = [
    Entry(1, "SimpleRNN", req("input_size", "hidden_size", "num_layers"),
          dict(input_size=5, hidden_size=7, num_layers=2),
          (("input_seq", "f32", "S,B,input_size"),
           ("hidden_state", "f32", "num_layers,B,hidden_size")),
          (("f32", "S,B,hidden_size"), ("f32", "num_layers,B,hidden_size")),
          dict(S=6, B=3), ("rnn." + LSTM + "_l{k}",), dict(k="num_layers")),
    Entry(2, "AttentionLayer", req("input_dim", "output_dim"), dict(input_dim=7, output_dim=5),
          (("query", "f32", "B,Sq,input_dim"), ("key", "f32", "B,Sk,input_dim"),
           ("value", "f32", "B,Sk,input_dim")), (("f32", "B,Sq,output_dim"),),
          dict(B=2, Sq=3, Sk=5), ("{query,key,value}." + LIN,)),
    Entry(3, "MultiHeadAttention", req("embed_dim", "num_heads"), dict(embed_dim=12, num_heads=3),
          (("query", "f32", "B,Sq,embed_dim"), ("key", "f32", "B,Sk,embed_dim"),
           ("value", "f32", "B,Sk,embed_dim")), (("f32", "B,Sq,embed_dim"),),
          dict(B=2, Sq=3, Sk=5), ("{query,key,value,output}." + LIN,)),
    Entry(4, "TransformerEncoderBlock", req("embed_dim", "num_heads", "ffn_dim", "dropout"),
          dict(embed_dim=12, num_heads=3, ffn_dim=20, dropout=0.1),
          (("x", "f32", "S,B,embed_dim"), ("mask?", "bool", "B,S")),
          (("f32", "S,B,embed_dim"),), dict(S=7, B=3),
          mha("attention") + ("ffn.{0,3}." + LIN,)),
    Entry(5, "VisionTransformer",
          req("embed_dim", "num_heads", "ffn_dim", "num_layers", "num_classes")
          + (("image_size", 224), ("patch_size", 16)),
          dict(embed_dim=12, num_heads=3, ffn_dim=20, num_layers=2, num_classes=5,
               image_size=20, patch_size=5),
          (("images", "f32", "B,3,image_size,image_size"),), (("f32", "B,num_classes"),),
          dict(B=3),
          ("patch_embedding.proj." + LIN, "classifier." + LIN, "transformer_blocks.{i}.ffn.{0,3}."
           + LIN) + mha("transformer_blocks.{i}.attention"), dict(i="num_layers")),
    Entry(6, "BiLSTMAttentionNER",
          req("vocab_size", "embed_dim", "hidden_dim", "num_layers", "num_labels"),
          dict(vocab_size=30, embed_dim=6, hidden_dim=5, num_layers=2, num_labels=4),
          (("input_seq", "i64", "B,S"),), (("f32", "B,num_labels"),), dict(B=3, S=7),
          ("embed.weight", "bilstm." + LSTM + "_l{k}{,_reverse}", "attention." + LIN,
           "classifier." + LIN), dict(k="num_layers")),
    Entry(7, "GAT",
          req("num_features", "hidden_size", "num_classes", "dropout", "alpha", "nheads"),
          dict(num_features=9, hidden_size=6, num_classes=4, dropout=0.6, alpha=0.2, nheads=3),
          (("x", "f32", "N,num_features"), ("adj", "f32", "N,N")), (("f32", "N,num_classes"),),
          dict(N=11), ("attention_{i}.{W,a}", "out_attention.{W,a}"), dict(i="nheads")),
    Entry(8, "AttentionQNetwork", req("state_dim", "action_dim", "hidden_dim"),
          dict(state_dim=6, action_dim=3, hidden_dim=12),
          (("state", "f32", "N,B,state_dim"),), (("f32", "N,B,action_dim"),), dict(N=5, B=3),
          ("state_encoder.0." + LIN, "q_value.{0,2}." + LIN) + mha("attention")),
    Entry(9, "MultimodalAttentionModel",
          req("text_dim", "image_dim", "hidden_dim", "output_dim") + (("image_size", 224),),
          dict(text_dim=5, image_dim=12, hidden_dim=12, output_dim=3, image_size=16),
          (("text", "f32", "B,T,text_dim"), ("images", "f32", "B,3,image_size,image_size")),
          (("f32", "B,output_dim"),), dict(B=3, T=6),
          ("text_encoder." + LSTM + "_l0", "image_encoder.{0,4}." + LIN, "classifier." + LIN)
          + mha("attention")),
    Entry(10, "Encoder", req("input_dim", "embed_dim", "hidden_dim", "num_layers"),
          dict(input_dim=25, embed_dim=6, hidden_dim=7, num_layers=2),
          (("input_seq", "i64", "S,B"),),
          (("f32", "S,B,hidden_dim"), ("f32", "num_layers,B,hidden_dim"),
           ("f32", "num_layers,B,hidden_dim")),
          dict(S=6, B=3), ("embed.weight", "rnn." + LSTM + "_l{k}"), dict(k="num_layers")),
    Entry(11, "Decoder", req("output_dim", "embed_dim", "hidden_dim", "num_layers"),
          dict(output_dim=25, embed_dim=6, hidden_dim=7, num_layers=2),
          (("input", "i64", "B"), ("hidden", "f32", "B,hidden_dim"),
           ("cell", "f32", "B,hidden_dim"), ("encoder_outputs", "f32", "B,S,hidden_dim")),
          (("f32", "B,output_dim"), ("f32", "B,hidden_dim"), ("f32", "B,hidden_dim")),
          dict(B=3, S=6), CELL_DECODER),
    Entry(12, "BiEncoder", req("input_dim", "embed_dim", "hidden_dim", "num_layers"),
          dict(input_dim=25, embed_dim=6, hidden_dim=7, num_layers=2),
          (("input_seq", "i64", "S,B"), ("input_lengths", "i64", "B")),
          (("f32", "S,B,2*hidden_dim"), ("f32", "2*num_layers,B,hidden_dim"),
           ("f32", "2*num_layers,B,hidden_dim")),
          dict(S=6, B=4), ("embed.weight", "rnn." + LSTM + "_l{k}{,_reverse}"),
          dict(k="num_layers")),
    Entry(13, "CaptionEncoder", req("hidden_dim") + (("image_size", 224),),
          dict(hidden_dim=7, image_size=20),
          (("images", "f32", "B,3,image_size,image_size"),),
          (("f32", "B,(image_size//4)**2,hidden_dim"),), dict(B=2), ("cnn.{0,3}." + LIN,)),
    Entry(14, "CaptionDecoder", req("embed_dim", "hidden_dim", "vocab_size"),
          dict(embed_dim=6, hidden_dim=7, vocab_size=25),
          (("input", "i64", "B"), ("hidden", "f32", "B,hidden_dim"),
           ("cell", "f32", "B,hidden_dim"), ("encoder_features", "f32", "B,L,hidden_dim")),
          (("f32", "B,vocab_size"), ("f32", "B,hidden_dim"), ("f32", "B,hidden_dim")),
          dict(B=3, L=9), CELL_DECODER),
    Entry(15, "BahdanauAttention", req("hidden_dim"), dict(hidden_dim=7),
          (("hidden", "f32", "B,hidden_dim"), ("encoder_outputs", "f32", "B,S,hidden_dim")),
          (("f32", "B,1,hidden_dim"), ("f32", "B,S")), dict(B=3, S=6), ("attn." + LIN, "v")),
    Entry(16, "LuongAttention", req("hidden_dim"), dict(hidden_dim=7),
          (("s", "f32", "B,hidden_dim"), ("h", "f32", "B,S,hidden_dim")),
          (("f32", "B,hidden_dim"), ("f32", "B,S")), dict(B=3, S=6), ("{W_a,W_c}.weight",)),
    Entry(17, "AdditiveSeq2Seq", req("input_vocab", "target_vocab") + (("units", 64),),
          dict(input_vocab=11, target_vocab=13, units=8),
          (("encoder_inputs", "i64", "B,Te"), ("decoder_inputs", "i64", "B,Td")),
          (("f32", "B,Td,target_vocab+1"),), dict(B=3, Te=7, Td=5),
          ("{encoder,decoder}_embedding.weight", "{encoder,decoder}." + LSTM + "_l0",
           "attention.{W_a,U_a,V_a}", "output." + LIN)),
    Entry(18, "TransformerEncoder",
          req("d_model", "nhead", "dim_feedforward", "num_layers", "activation"),
          dict(d_model=12, nhead=3, dim_feedforward=20, num_layers=2, activation="gelu"),
          (("src", "f32", "B,S,d_model"), ("src_key_padding_mask?", "bool", "B,S")),
          (("f32", "B,S,d_model"),), dict(B=3, S=7),
          ("layers.{i}.{linear1,linear2,norm1,norm2}." + LIN,) + mha("layers.{i}.self_attn"),
          dict(i="num_layers")),
    Entry(19, "SentenceEncoder",
          (("vocab_size", 30522), ("hidden_size", 384), ("num_hidden_layers", 6),
           ("num_attention_heads", 12), ("intermediate_size", 1536),
           ("max_position_embeddings", 512), ("type_vocab_size", 2), ("layer_norm_eps", 1e-12)),
          dict(vocab_size=40, hidden_size=12, num_hidden_layers=2, num_attention_heads=3,
               intermediate_size=20, max_position_embeddings=16),
          (("input_ids", "i64", "B,S"), ("attention_mask", "i64", "B,S")),
          (("f32", "B,S,hidden_size"), ("f32", "B,hidden_size"), ("f32", "B,hidden_size")),
          dict(B=4, S=9),
          ("embeddings.{word_embeddings,position_embeddings,token_type_embeddings}.weight",
           "embeddings.LayerNorm." + LIN, "encoder.layer.{i}.attention.self.{query,key,value}."
           + LIN, "encoder.layer.{i}.attention.output.{dense,LayerNorm}." + LIN,
           "encoder.layer.{i}.intermediate.dense." + LIN,
           "encoder.layer.{i}.output.{dense,LayerNorm}." + LIN, "pooler.dense." + LIN),
          dict(i="num_hidden_layers")),
]

DTYPES = {"f32": torch.float32, "i64": torch.int64, "bool": torch.bool}


def expand(pattern: str, hp: Dict[str, object], ranges: Dict[str, str]):
    match = re.search(r"\{([^{}]*)\}", pattern)
    if not match:
        return [pattern]
    body = match.group(1)
    if "," in body:
        choices = body.split(",")
    elif body in ranges:
        choices = [str(i) for i in range(int(hp[ranges[body]]))]
    else:
        raise ValueError(f"pattern {pattern}: no range for {{{body}}}")
    head, tail = pattern[:match.start()], pattern[match.end():]
    return list(itertools.chain.from_iterable(
        expand(head + c + tail, hp, ranges) for c in choices))


def shape_of(text: str, scope: Dict[str, object]):
    return [int(eval(part, {}, dict(scope))) for part in text.split(",")]  # noqa: S307


def check_entry(entry: Entry) -> list:
    errors = []
    spec = zoo.REGISTRY.get(entry.model)
    if spec is None:
        return [f"no REGISTRY entry '{entry.model}'"]
    cls = spec.cls
    if cls.__name__ != entry.model:
        errors.append(f"class is named {cls.__name__}")

    init = list(inspect.signature(cls.__init__).parameters.values())[1:]
    got_hyper = [(p.name, p.default) for p in init]
    if got_hyper != list(entry.hyper):
        errors.append(f"constructor {got_hyper}, ZOO.md {list(entry.hyper)}")

    zoo_inputs = [name.rstrip("?") for name, _, _ in entry.inputs]
    fwd = list(inspect.signature(cls.forward).parameters.values())[1:]
    if [p.name for p in fwd] != zoo_inputs or list(spec.inputs) != zoo_inputs:
        errors.append(f"forward {[p.name for p in fwd]}, registry {list(spec.inputs)}, "
                      f"ZOO.md {zoo_inputs}")
    for (name, _, _), p in zip(entry.inputs, fwd):
        if name.endswith("?") != (p.default is None):
            errors.append(f"input {p.name}: optional in ZOO.md is {name.endswith('?')}, "
                          f"default {p.default}")

    torch.manual_seed(0)
    net = cls(**entry.hp).eval()
    names = set(net.state_dict())
    expected = set()
    for pattern in entry.names:
        expected.update(expand(pattern, entry.hp, entry.ranges))
    if names != expected:
        errors.append(f"state_dict names: extra {sorted(names - expected)}, "
                      f"missing {sorted(expected - names)}")

    scope = {**entry.hp, **entry.dims}
    inputs = spec.make_inputs(entry.hp, entry.dims, torch.Generator().manual_seed(1))
    for name, dtype, shape in entry.inputs:
        t = inputs.get(name.rstrip("?"))
        want = shape_of(shape, scope)
        if t is None or t.dtype != DTYPES[dtype] or list(t.shape) != want:
            got = None if t is None else f"{t.dtype}{list(t.shape)}"
            errors.append(f"input {name}: {got}, ZOO.md {dtype}{want}")
    if errors:
        return errors
    with torch.no_grad():
        outputs = net(*(inputs[name] for name in spec.inputs))
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    if len(outputs) != len(entry.outputs):
        return errors + [f"{len(outputs)} outputs, ZOO.md {len(entry.outputs)}"]
    for i, (t, (dtype, shape)) in enumerate(zip(outputs, entry.outputs)):
        want = shape_of(shape, scope)
        if t.dtype != DTYPES[dtype] or list(t.shape) != want:
            errors.append(f"output {i}: {t.dtype}{list(t.shape)}, ZOO.md {dtype}{want}")
        elif not torch.isfinite(t).all():
            errors.append(f"output {i}: not finite")
    return errors


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[], metavar="NAME")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    failed = 0
    for entry in ENTRIES:
        if args.only and entry.model not in args.only:
            continue
        errors = check_entry(entry)
        status = "FAIL" if errors else "ok"
        print(f"{entry.number:2d} {entry.model}: {status}")
        for error in errors:
            print(f"     {error}")
        failed += bool(errors)
    print(f"check_zoo_names: {'FAIL' if failed else 'PASS'} ({failed} entries failed)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
