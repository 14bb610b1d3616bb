"""PyTorch references for tests/numeric/ops/learned_variants.attn: attention variants with
learned parameters (Luong's general score, Bahdanau's additive score, an additive score under a
strictly causal mask) and a score of feature maps, all written out on the scores in float64.

Dims: B, Sq, Sk, Dv, and H for `LearnedHeads`. Query 0 has no key under the strictly causal mask
(j < i) and gives zeros, as attn documents (PyTorch's softmax gives NaN there).
"""

import math
from typing import Dict, Mapping

import torch
from torch import nn

from model_spec import ModelSpec, decoder_step


def weighted(s: torch.Tensor, v: torch.Tensor, keep=None) -> torch.Tensor:
    """softmax over the keys of the float64 scores s (keys where `keep` is false removed; a row
    without keys gives zeros), times v."""
    if keep is not None:
        s = s.masked_fill(~keep, float("-inf"))
    p = torch.nan_to_num(torch.softmax(s, dim=-1), nan=0.0)
    return (p @ v.double()).float()


class General(nn.Module):
    """score = q . (W k), W [query_dim, key_dim]."""

    def __init__(self, query_dim: int, key_dim: int):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(query_dim, key_dim) / math.sqrt(key_dim))

    def forward(self, q, k, v):
        s = q.double() @ (k.double() @ self.weight.double().T).transpose(-1, -2)
        return weighted(s, v)


class Additive(nn.Module):
    """score = v . tanh(W q + b + U k); `causal` keeps only the keys before the query (j < i),
    `scale` multiplies the score."""

    def __init__(self, query_dim: int, key_dim: int, units: int, bias: bool = True,
                 causal: bool = False, scale: float = 1.0):
        super().__init__()
        self.W = nn.Parameter(torch.randn(units, query_dim) / math.sqrt(query_dim))
        self.U = nn.Parameter(torch.randn(units, key_dim) / math.sqrt(key_dim))
        if bias:
            self.b = nn.Parameter(0.5 * torch.randn(units))
        else:
            self.b = None
        self.v = nn.Parameter(torch.randn(units))
        self.causal, self.scale = causal, scale

    def forward(self, q, k, v):
        qp = q.double() @ self.W.double().T
        if self.b is not None:
            qp = qp + self.b.double()
        kp = k.double() @ self.U.double().T
        energy = torch.tanh(qp.unsqueeze(-2) + kp.unsqueeze(-3))  # [..., Sq, Sk, units]
        s = self.scale * (energy @ self.v.double())
        keep = None
        if self.causal:
            sq, sk = q.shape[-2], k.shape[-2]
            keep = torch.arange(sk).unsqueeze(0) < torch.arange(sq).unsqueeze(1)
        return weighted(s, v, keep)


class LearnedVariants(nn.Module):
    def __init__(self, dq: int = 6, dk: int = 5, units: int = 7):
        super().__init__()
        self.general = General(dq, dk)
        self.additive = Additive(dq, dk, units)
        self.masked = Additive(dq, dk, units, bias=False, causal=True, scale=0.5)

    def forward(self, q, k, v):
        return self.general(q, k, v), self.additive(q, k, v), self.masked(q, k, v)


class LearnedHeads(nn.Module):
    def __init__(self, d: int = 16, units: int = 8):
        super().__init__()
        self.additive = Additive(d, d, units)

    def forward(self, q, k, v):
        fq, fk = torch.relu(q.double()), torch.relu(k.double())
        s = fq @ fk.transpose(-1, -2) / math.sqrt(q.shape[-1])
        return self.additive(q, k, v), weighted(s, v)


def _qkv(lead, sq: int, sk: int, dq: int, dk: int, dv: int, gen: torch.Generator):
    return {"q": torch.randn(*lead, sq, dq, generator=gen),
            "k": torch.randn(*lead, sk, dk, generator=gen),
            "v": torch.randn(*lead, sk, dv, generator=gen)}


def _variants_inputs(hp: Mapping[str, object], dims: Mapping[str, int], gen: torch.Generator):
    return _qkv((dims["B"],), dims["Sq"], dims["Sk"], int(hp.get("dq", 6)), int(hp.get("dk", 5)),
                dims["Dv"], gen)


def _heads_inputs(hp: Mapping[str, object], dims: Mapping[str, int], gen: torch.Generator):
    d = int(hp.get("d", 16))
    return _qkv((dims["B"], dims["H"]), dims["Sq"], dims["Sk"], d, d, dims["Dv"], gen)


OPS: Dict[str, ModelSpec] = {
    "LearnedVariants": ModelSpec(LearnedVariants, ("q", "k", "v"), _variants_inputs),
    "LearnedHeads": ModelSpec(LearnedHeads, ("q", "k", "v"), _heads_inputs),
}

# The decoder-step form: the same reference with the query rows fixed by `rows`.
OPS["LearnedStep"] = decoder_step(OPS["LearnedVariants"])
