"""PyTorch references for tests/numeric/ops/position_variants.attn: attention variants with
learned parameters indexed by the key position, written out on the scores in float64.

- Location (Luong): the scores of query h_t over the source positions are Linear(d, max_len)
  applied to h_t, cut to the Sk positions there are; the keys are not read.
- LearnedPositions: q . (k_j + P_j) / sqrt(d) under the causal mask.
- PositionalAdditive: v . tanh(W q + U k_j + E_j).
- RelativePositions: Shaw et al.'s relative positions on the key and the value (attn's
  relative_position), the same under the causal mask, a value clause alone (a gain per head
  and an offset by relative position), argmax on a score of relative positions alone, and a
  value clause that is NaN at the keys the causal mask removes, and argmax with a value clause
  that scales the picked value.
- PredictiveWindows: Luong's local-p (attn's local_p); lets (numbers per query row) in a parent
  and a child: the keys j >= Sk / 2, the scaled score times sigmoid(a . q); a let in a
  score's conditional and a mask that divides negative integers.
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

from model_spec import ModelSpec, decoder_step
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


def clipped(sq: int, sk: int, m: int) -> torch.Tensor:
    """j - i clipped to [-m, m], plus m: the row of each (query, key) pair, [Sq, Sk]."""
    rel = torch.arange(sk).unsqueeze(0) - torch.arange(sq).unsqueeze(1)
    return rel.clamp(-m, m) + m


def softmax_weights(s: torch.Tensor, keep=None) -> torch.Tensor:
    """The softmax over the keys of float64 scores, removed keys 0, a row without keys 0."""
    if keep is not None:
        s = s.masked_fill(~keep, float("-inf"))
    return torch.nan_to_num(torch.softmax(s, dim=-1), nan=0.0)


class Shaw(nn.Module):
    """Relative position representations: s = q . (k_j + a^K[r]) / sqrt(d), out = sum_j
    w_ij (v_j + a^V[r]), r = clip(j - i, -m, m) + m; `causal` keeps the keys j <= i."""

    def __init__(self, d: int, m: int, causal: bool = False):
        super().__init__()
        self.relative_keys = nn.Parameter(torch.randn(2 * m + 1, d))
        self.relative_values = nn.Parameter(torch.randn(2 * m + 1, d))
        self.m, self.causal = m, causal

    def forward(self, q, k, v):
        sq, sk = q.shape[-2], k.shape[-2]
        r = clipped(sq, sk, self.m)
        q, k, v = q.double(), k.double(), v.double()
        ak, av = self.relative_keys.double()[r], self.relative_values.double()[r]  # [Sq, Sk, d]
        s = (q @ k.transpose(-1, -2) + torch.einsum("...id,ijd->...ij", q, ak)) / math.sqrt(
            q.shape[-1])
        keep = (torch.arange(sk).unsqueeze(0) <= torch.arange(sq).unsqueeze(1)) if self.causal \
            else None
        w = softmax_weights(s, keep)
        return (w @ v + torch.einsum("...ij,ijd->...id", w, av)).float()


class ValueOffsets(nn.Module):
    """The scaled score; key j contributes v_j * gain[h] + offsets[r]."""

    def __init__(self, heads: int, d: int, m: int):
        super().__init__()
        self.gain = nn.Parameter(torch.randn(heads))
        self.offsets = nn.Parameter(torch.randn(2 * m + 1, d))
        self.m = m

    def forward(self, q, k, v):
        q, k, v = q.double(), k.double(), v.double()
        w = softmax_weights(q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]))
        gained = v * self.gain.double().view(-1, 1, 1)  # v [B, H, Sk, d]
        r = clipped(q.shape[-2], k.shape[-2], self.m)
        return (w @ gained + torch.einsum("...ij,ijd->...id", w, self.offsets.double()[r])).float()


class RelativeHard(nn.Module):
    """argmax over keys of q . a[r] (the first of equal ones); the picked key contributes
    tanh(v_j) + b[r]."""

    def __init__(self, d: int, m: int):
        super().__init__()
        self.a = nn.Parameter(torch.randn(2 * m + 1, d))
        self.b = nn.Parameter(torch.randn(2 * m + 1, d))
        self.m = m

    def forward(self, q, k, v):
        r = clipped(q.shape[-2], k.shape[-2], self.m)
        s = torch.einsum("...id,ijd->...ij", q.double(), self.a.double()[r])
        first = s.argmax(dim=-1)  # [B, H, Sq]
        w = nn.functional.one_hot(first, k.shape[-2]).double()
        contribution = torch.tanh(v.double()).unsqueeze(-3) + self.b.double()[r]  # [B,H,Sq,Sk,d]
        return torch.einsum("...ij,...ijd->...id", w, contribution).float()


class Decay(nn.Module):
    """The causal scaled score; key j <= i contributes v_j * sqrt(i - j)."""

    def forward(self, q, k, v):
        q, k, v = q.double(), k.double(), v.double()
        sq, sk = q.shape[-2], k.shape[-2]
        distance = torch.arange(sq).unsqueeze(1) - torch.arange(sk).unsqueeze(0)  # i - j
        w = softmax_weights(q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]), distance >= 0)
        scale = distance.clamp(min=0).double().sqrt()  # [Sq, Sk]
        return torch.einsum("...ij,ij,...jd->...id", w, scale, v).float()


class HardDecay(nn.Module):
    """argmax of the scaled score (the first of equal ones); out = v_j * (1 + i - j) there."""

    def forward(self, q, k, v):
        s = q.double() @ k.double().transpose(-1, -2) / math.sqrt(q.shape[-1])
        first = s.argmax(dim=-1)  # [..., Sq]
        w = nn.functional.one_hot(first, k.shape[-2]).double()
        i = torch.arange(q.shape[-2]).unsqueeze(1)
        j = torch.arange(k.shape[-2]).unsqueeze(0)
        return ((w * (1 + i - j)) @ v.double()).float()


class RelativePositions(nn.Module):
    def __init__(self, heads: int = 3, d: int = 8, m: int = 4):
        super().__init__()
        self.shaw = Shaw(d, m)
        self.causal = Shaw(d, m, causal=True)
        self.offsets = ValueOffsets(heads, d, m)
        self.hard = RelativeHard(d, m)
        self.decay = Decay()
        self.hard_decay = HardDecay()

    def forward(self, q, k, v):
        return (self.shaw(q, k, v), self.causal(q, k, v), self.offsets(q, k, v),
                self.hard(q, k, v), self.decay(q, k, v), self.hard_decay(q, k, v))


class LocalP(nn.Module):
    """Luong's local-p: p = Sk sigmoid(v_p . tanh(W_p q)); the softmax of q . k over the keys
    with |j - p| <= window, each weight times exp(-(j - p)^2 / (2 (window / 2)^2))."""

    def __init__(self, d: int, window: int, units: int = 0):
        super().__init__()
        units = units or d
        self.W_p = nn.Parameter(torch.randn(units, d) / math.sqrt(d))
        self.v_p = nn.Parameter(torch.randn(units))
        self.window = window

    def forward(self, q, k, v):
        q, k, v = q.double(), k.double(), v.double()
        sk = k.shape[-2]
        p = sk * torch.sigmoid(torch.tanh(q @ self.W_p.double().T) @ self.v_p.double())
        distance = torch.arange(sk, dtype=torch.float64) - p.unsqueeze(-1)  # [..., Sq, Sk]
        w = softmax_weights(q @ k.transpose(-1, -2), distance.abs() <= self.window)
        sigma = self.window / 2
        w = w * torch.exp(-distance ** 2 / (2 * sigma ** 2))
        return (w @ v).float()


class LaterHalf(nn.Module):
    """The scaled score times sigmoid(a . q), over the keys j >= Sk / 2."""

    def __init__(self, d: int):
        super().__init__()
        self.a = nn.Parameter(torch.randn(d))

    def forward(self, q, k, v):
        q, k = q.double(), k.double()
        sk = k.shape[-2]
        gate = torch.sigmoid(q @ self.a.double()).unsqueeze(-1)  # [..., Sq, 1]
        s = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]) * gate
        keep = torch.arange(sk, dtype=torch.float64) >= sk / 2
        return (softmax_weights(s, keep) @ v.double()).float()


class Coarse(nn.Module):
    """The scaled score times 1 for the keys j // 2 >= Sk / 8, else 0.5, over the keys with
    (j - 5) // 2 <= i // 2 (rounding down)."""

    def forward(self, q, k, v):
        q, k = q.double(), k.double()
        sq, sk = q.shape[-2], k.shape[-2]
        j = torch.arange(sk)
        factor = torch.where((j // 2).double() >= sk / 8, 1.0, 0.5).double()
        s = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]) * factor
        keep = (j.unsqueeze(0) - 5) // 2 <= torch.arange(sq).unsqueeze(1) // 2
        return (softmax_weights(s, keep) @ v.double()).float()


class PredictiveWindows(nn.Module):
    def __init__(self, d: int = 8, window: int = 3):
        super().__init__()
        self.local = LocalP(d, window)
        self.later = LaterHalf(d)
        self.coarse = Coarse()

    def forward(self, q, k, v):
        return self.local(q, k, v), self.later(q, k, v), self.coarse(q, k, v)


def _windows_inputs(hp: Mapping[str, object], dims: Mapping[str, int], gen: torch.Generator):
    return _qkv((dims["B"],), dims, int(hp.get("d", 8)), gen)


def _relative_positions_inputs(hp: Mapping[str, object], dims: Mapping[str, int],
                               gen: torch.Generator):
    d = int(hp.get("d", 8))
    lead = (dims["B"], int(hp.get("heads", 3)))
    return {"q": torch.randn(*lead, dims["Sq"], d, generator=gen),
            "k": torch.randn(*lead, dims["Sk"], d, generator=gen),
            "v": torch.randn(*lead, dims["Sk"], d, generator=gen)}


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
    "RelativePositions": ModelSpec(RelativePositions, ("q", "k", "v"),
                                   _relative_positions_inputs),
    "PredictiveWindows": ModelSpec(PredictiveWindows, ("q", "k", "v"), _windows_inputs),
}

# The decoder-step form: the same reference with the query rows fixed by `rows`.
OPS["PredictiveStep"] = decoder_step(OPS["PredictiveWindows"])
