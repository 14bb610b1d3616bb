"""PyTorch references for the model zoo (see ZOO.md), written for our tests.

Each reference implements what its zoo entry means, with parameters named as the zoo contract
says, so its state_dict() is exactly the weights file attnc loads. REGISTRY maps a model name
(the name of the model in the .attn file) to its class, the names of its forward inputs (in
order) and a function that makes random inputs for given dims (a ModelSpec, model_spec.py).

This file holds entries 2 and 3; the other entries live in zoo_*.py, the op-level models in
ops_*.py, and all of them are merged into REGISTRY below (see README.md).
"""

import math
from typing import Dict, Mapping

import torch
from torch import nn

from model_spec import ModelSpec  # noqa: F401  (ops_*.py import it from here)


class AttentionLayer(nn.Module):
    """Zoo entry 2: single-head attention with unscaled dot-product scores."""

    def __init__(self, input_dim: int, output_dim: int):
        super().__init__()
        self.query = nn.Linear(input_dim, output_dim)
        self.key = nn.Linear(input_dim, output_dim)
        self.value = nn.Linear(input_dim, output_dim)

    def forward(self, query, key, value):
        q = self.query(query)  # [B, Sq, out]
        k = self.key(key)  # [B, Sk, out]
        v = self.value(value)  # [B, Sk, out]
        weights = torch.softmax(torch.einsum("bqd,bkd->bqk", q, k), dim=-1)
        return torch.einsum("bqk,bkd->bqd", weights, v)


class MultiHeadAttention(nn.Module):
    """Zoo entry 3: multi-head attention, scores scaled by sqrt(head_dim)."""

    def __init__(self, embed_dim: int, num_heads: int):
        super().__init__()
        if embed_dim % num_heads != 0:
            raise ValueError(f"embed_dim {embed_dim} is not a multiple of num_heads {num_heads}")
        self.num_heads = num_heads
        self.head_dim = embed_dim // num_heads
        self.query = nn.Linear(embed_dim, embed_dim)
        self.key = nn.Linear(embed_dim, embed_dim)
        self.value = nn.Linear(embed_dim, embed_dim)
        self.output = nn.Linear(embed_dim, embed_dim)

    def _heads(self, x):
        # [B, S, E] -> [B, H, S, D]
        b, s, _ = x.shape
        return x.reshape(b, s, self.num_heads, self.head_dim).transpose(1, 2)

    def forward(self, query, key, value):
        q = self._heads(self.query(query))
        k = self._heads(self.key(key))
        v = self._heads(self.value(value))
        scores = torch.einsum("bhqd,bhkd->bhqk", q, k) / math.sqrt(self.head_dim)
        attended = torch.einsum("bhqk,bhkd->bhqd", torch.softmax(scores, dim=-1), v)
        b, h, sq, d = attended.shape
        return self.output(attended.transpose(1, 2).reshape(b, sq, h * d))


def _query_key_value(width: int):
    """Inputs query [B, Sq, width], key and value [B, Sk, width], width a hyperparameter."""

    def make(hp: Mapping[str, object], dims: Mapping[str, int], gen: torch.Generator):
        b, sq, sk, e = dims["B"], dims["Sq"], dims["Sk"], int(hp[width])
        return {
            "query": torch.randn(b, sq, e, generator=gen),
            "key": torch.randn(b, sk, e, generator=gen),
            "value": torch.randn(b, sk, e, generator=gen),
        }

    return make


REGISTRY: Dict[str, ModelSpec] = {
    "AttentionLayer": ModelSpec(AttentionLayer, ("query", "key", "value"),
                                _query_key_value("input_dim")),
    "MultiHeadAttention": ModelSpec(MultiHeadAttention, ("query", "key", "value"),
                                    _query_key_value("embed_dim")),
}


def _load_references():
    """Merges the other reference modules of this folder into REGISTRY, so export_case.py and the
    numeric tests reach them too: zoo_*.py (the rest of the zoo, each defines MODELS) and
    ops_*.py (op-level models, each defines OPS); both dicts map a name to a ModelSpec."""
    import importlib
    import pathlib
    here = pathlib.Path(__file__).resolve().parent
    for pattern, attribute in (("zoo_*.py", "MODELS"), ("ops_*.py", "OPS")):
        for path in sorted(here.glob(pattern)):
            module = importlib.import_module(path.stem)
            for name, spec in getattr(module, attribute).items():
                if name in REGISTRY:
                    raise RuntimeError(f"{path.name}: reference '{name}' is defined twice")
                REGISTRY[name] = spec


_load_references()
