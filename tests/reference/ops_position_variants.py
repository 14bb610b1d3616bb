"""PyTorch references for tests/numeric/ops/position_variants.attn: attention variants with
learned parameters indexed by the key position, written out on the scores in float64.

- Location (Luong): the scores of query h_t over the source positions are Linear(d, max_len)
  applied to h_t, cut to the Sk positions there are; the keys are not read.
- LearnedPositions: q . (k_j + P_j) / sqrt(d) under the causal mask.
- PositionalAdditive: v . tanh(W q + U k_j + E_j).
- RelativeBias: the scaled score plus a learned bias per head at j - i clipped to
  [-max_distance, max_distance] (attn's relative_bias), and plus bias[|i - j|] under the causal
  mask, distances past the vector's end reading its last element.

A source longer than max_len reads the last row for every position past it (attn documents
this), which `rows` reproduces. Dims: B, Sq, Sk, Dv, and H for `PositionHeads`.
"""

import math
from typing import Dict, Mapping

import torch
from torch import nn

from model_spec import ModelSpec
from ops_learned_variants import weighted


def rows(table: torch.Tensor, count: int) -> torch.Tensor:
    """The first `count` rows of `table` in float64, the last row repeated past its end."""
    index = torch.arange(count).clamp(max=table.shape[0] - 1)
    return table.double()[index]


class Location(nn.Module):
    def __init__(self, query_dim: int, max_len: int):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(max_len, query_dim) / math.sqrt(query_dim))
        self.bias = nn.Parameter(torch.randn(max_len))

    def forward(self, q, k, v):
        sk = k.shape[-2]
        s = q.double() @ rows(self.weight, sk).T + rows(self.bias, sk)
        return weighted(s, v)


class LearnedPositions(nn.Module):
    def __init__(self, dim: int, max_len: int):
        super().__init__()
        self.P = nn.Parameter(torch.randn(max_len, dim))

    def forward(self, q, k, v):
        sq, sk = q.shape[-2], k.shape[-2]
        keys = k.double() + rows(self.P, sk)
        s = q.double() @ keys.transpose(-1, -2) / math.sqrt(q.shape[-1])
        keep = torch.arange(sk).unsqueeze(0) <= torch.arange(sq).unsqueeze(1)
        return weighted(s, v, keep)


class PositionalAdditive(nn.Module):
    def __init__(self, query_dim: int, key_dim: int, units: int, max_len: int):
        super().__init__()
        self.W = nn.Parameter(torch.randn(units, query_dim) / math.sqrt(query_dim))
        self.U = nn.Parameter(torch.randn(units, key_dim) / math.sqrt(key_dim))
        self.E = nn.Parameter(0.5 * torch.randn(max_len, units))
        self.v = nn.Parameter(torch.randn(units))

    def forward(self, q, k, v):
        qp = q.double() @ self.W.double().T
        kp = k.double() @ self.U.double().T + rows(self.E, k.shape[-2])
        energy = torch.tanh(qp.unsqueeze(-2) + kp.unsqueeze(-3))  # [..., Sq, Sk, units]
        return weighted(energy @ self.v.double(), v)


class PositionVariants(nn.Module):
    def __init__(self, d: int = 6, units: int = 7, max_len: int = 130):
        super().__init__()
        self.location = Location(d, max_len)
        self.positions = LearnedPositions(d, max_len)
        self.additive = PositionalAdditive(d, d, units, max_len)

    def forward(self, q, k, v):
        return self.location(q, k, v), self.positions(q, k, v), self.additive(q, k, v)


class PositionHeads(nn.Module):
    def __init__(self, d: int = 16, max_len: int = 64):
        super().__init__()
        self.location = Location(d, max_len)
        self.positions = LearnedPositions(d, max_len)

    def forward(self, q, k, v):
        return self.location(q, k, v), self.positions(q, k, v)


class RelativeTable(nn.Module):
    """The scaled score plus bias[h, clip(j - i) + max_distance]."""

    def __init__(self, num_heads: int, max_distance: int):
        super().__init__()
        self.bias = nn.Parameter(torch.randn(num_heads, 2 * max_distance + 1))
        self.max_distance = max_distance

    def forward(self, q, k, v):
        sq, sk = q.shape[-2], k.shape[-2]
        rel = torch.arange(sk).unsqueeze(0) - torch.arange(sq).unsqueeze(1)
        rel = rel.clamp(-self.max_distance, self.max_distance) + self.max_distance
        s = q.double() @ k.double().transpose(-1, -2) / math.sqrt(q.shape[-1])
        return weighted(s + self.bias.double()[:, rel], v)  # bias [H, Sq, Sk]


class DistanceBias(nn.Module):
    """The causal scaled score plus bias[|i - j|], the last element past the end."""

    def __init__(self, n: int):
        super().__init__()
        self.bias = nn.Parameter(torch.randn(n))

    def forward(self, q, k, v):
        sq, sk = q.shape[-2], k.shape[-2]
        i, j = torch.arange(sq).unsqueeze(1), torch.arange(sk).unsqueeze(0)
        distance = (i - j).abs().clamp(max=self.bias.shape[0] - 1)
        s = q.double() @ k.double().transpose(-1, -2) / math.sqrt(q.shape[-1])
        return weighted(s + self.bias.double()[distance], v, j <= i)


class RelativeBias(nn.Module):
    def __init__(self, num_heads: int = 3, max_distance: int = 4, n: int = 6):
        super().__init__()
        self.relative = RelativeTable(num_heads, max_distance)
        self.distance = DistanceBias(n)

    def forward(self, q, k, v):
        return self.relative(q, k, v), self.distance(q, k, v)


def _qkv(lead, dims: Mapping[str, int], d: int, gen: torch.Generator):
    return {"q": torch.randn(*lead, dims["Sq"], d, generator=gen),
            "k": torch.randn(*lead, dims["Sk"], d, generator=gen),
            "v": torch.randn(*lead, dims["Sk"], dims["Dv"], generator=gen)}


def _variants_inputs(hp: Mapping[str, object], dims: Mapping[str, int], gen: torch.Generator):
    return _qkv((dims["B"],), dims, int(hp.get("d", 6)), gen)


def _heads_inputs(hp: Mapping[str, object], dims: Mapping[str, int], gen: torch.Generator):
    return _qkv((dims["B"], dims["H"]), dims, int(hp.get("d", 16)), gen)


def _relative_inputs(hp: Mapping[str, object], dims: Mapping[str, int], gen: torch.Generator):
    return _qkv((dims["B"], int(hp.get("num_heads", 3))), dims, dims["D"], gen)


OPS: Dict[str, ModelSpec] = {
    "PositionVariants": ModelSpec(PositionVariants, ("q", "k", "v"), _variants_inputs),
    "PositionHeads": ModelSpec(PositionHeads, ("q", "k", "v"), _heads_inputs),
    "RelativeBias": ModelSpec(RelativeBias, ("q", "k", "v"), _relative_inputs),
}
