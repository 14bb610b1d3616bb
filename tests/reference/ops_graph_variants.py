"""PyTorch references for tests/numeric/ops/graph_variants.attn: scores with dots that read only
the query or only the key, and attention calls given a mask, written out in float64.

- GraphLayer: one GAT head as the paper (and pyGAT) computes it: h = x W, e_ij =
  LeakyReLU(a_src . h_i + a_dst . h_j, 0.2), softmax over the j that adj keeps, times h. A node
  without neighbours gets zeros (attn's documented rule for a row without keys).
- KeyNorm: the causal scaled score less 0.05 |k_j|^2, keys padded out as well.
- Sided: tanh(v . tanh(W q_i)) * (w . k_j), no product of query and key.
- the plain scaled score under the padding mask alone.
- Halved: q . k / 2, causal (the product through `super` of a variant without a score).
- Gated: 0.3 q . k where j <= i, else -0.2 |k|^2.
- GroupedKeyNorm: KeyNorm (without padding) with fewer key/value heads than query heads.

Dims: N (nodes), B, H, Sq, Sk, Dv.
"""

import math
from typing import Dict, Mapping

import torch
from torch import nn
import torch.nn.functional as F

from model_spec import ModelSpec, decoder_step, padding_mask
from ops_learned_variants import weighted


class Graph(nn.Module):
    """The attention of one GAT head over projected features h, the graph as a mask."""

    def __init__(self, features: int, negative_slope: float = 0.2):
        super().__init__()
        self.att_src = nn.Parameter(torch.randn(features))
        self.att_dst = nn.Parameter(torch.randn(features))
        self.negative_slope = negative_slope

    def forward(self, h, keep):
        h = h.double()
        e = (h @ self.att_src.double()).unsqueeze(-1) + (h @ self.att_dst.double()).unsqueeze(-2)
        return weighted(F.leaky_relu(e, self.negative_slope), h, keep)


class GraphLayer(nn.Module):
    def __init__(self, in_features: int, out_features: int):
        super().__init__()
        self.W = nn.Parameter(torch.randn(in_features, out_features) / math.sqrt(in_features))
        self.att = Graph(out_features)

    def forward(self, x, adj):
        return self.att(x.double() @ self.W.double(), adj > 0)


class Sided(nn.Module):
    def __init__(self, dim: int, units: int):
        super().__init__()
        self.W = nn.Parameter(torch.randn(units, dim) / math.sqrt(dim))
        self.v = nn.Parameter(torch.randn(units))
        self.w = nn.Parameter(torch.randn(dim))

    def forward(self, q, k, v):
        query = torch.tanh(torch.tanh(q.double() @ self.W.double().T) @ self.v.double())
        key = k.double() @ self.w.double()
        return weighted(query.unsqueeze(-1) * key.unsqueeze(-2), v)


class GraphVariants(nn.Module):
    def __init__(self, in_features: int = 5, out_features: int = 4, d: int = 6, units: int = 3):
        super().__init__()
        self.layer = GraphLayer(in_features, out_features)
        self.sided = Sided(d, units)

    def forward(self, x, adj, q, k, v, padding):
        sq, sk = q.shape[-2], k.shape[-2]
        keep = ~padding[:, None, None, :]  # [B, 1, 1, Sk]
        causal = torch.arange(sk).unsqueeze(0) <= torch.arange(sq).unsqueeze(1)
        scaled = q.double() @ k.double().transpose(-1, -2) / math.sqrt(q.shape[-1])
        norms = (k.double() * k.double()).sum(-1).unsqueeze(-2)  # [B, H, 1, Sk]
        plain = q.double() @ k.double().transpose(-1, -2)
        gated = torch.where(causal, 0.3 * plain, -0.2 * norms)
        return (self.layer(x, adj), weighted(scaled - 0.05 * norms, v, keep & causal),
                self.sided(q, k, v), weighted(scaled, v, keep), weighted(0.5 * plain, v, causal),
                weighted(gated, v))


class GroupedKeyNorm(nn.Module):
    """key_norm with fewer key/value heads: each key head serves H / Hkv query heads."""

    def __init__(self, heads: int = 4, kv_heads: int = 2):
        super().__init__()
        self.group = heads // kv_heads

    def forward(self, q, k, v):
        k = k.double().repeat_interleave(self.group, dim=1)
        v = v.repeat_interleave(self.group, dim=1)
        sq, sk = q.shape[-2], k.shape[-2]
        causal = torch.arange(sk).unsqueeze(0) <= torch.arange(sq).unsqueeze(1)
        scaled = q.double() @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
        norms = (k * k).sum(-1).unsqueeze(-2)
        return weighted(scaled - 0.05 * norms, v, causal)


def _grouped_inputs(hp: Mapping[str, object], dims: Mapping[str, int], gen: torch.Generator):
    b, h, kv = dims["B"], int(hp.get("heads", 4)), int(hp.get("kv_heads", 2))
    return {"q": torch.randn(b, h, dims["Sq"], dims["D"], generator=gen),
            "k": torch.randn(b, kv, dims["Sk"], dims["D"], generator=gen),
            "v": torch.randn(b, kv, dims["Sk"], dims["Dv"], generator=gen)}


def _inputs(hp: Mapping[str, object], dims: Mapping[str, int], gen: torch.Generator):
    n, b, h = dims["N"], dims["B"], dims["H"]
    d = int(hp.get("d", 6))
    # A random graph with self-loops, whose first node has no edge at all (not even its loop).
    adj = (torch.rand(n, n, generator=gen) < 0.3).float()
    adj = torch.maximum(adj, torch.eye(n))
    adj[0] = 0.0
    padding = padding_mask(b, dims["Sk"], gen)
    padding[0, 0] = True  # with the causal mask, query 0 of batch row 0 keeps no key
    return {"x": torch.randn(n, int(hp.get("in_features", 5)), generator=gen), "adj": adj,
            "q": torch.randn(b, h, dims["Sq"], d, generator=gen),
            "k": torch.randn(b, h, dims["Sk"], d, generator=gen),
            "v": torch.randn(b, h, dims["Sk"], dims["Dv"], generator=gen), "padding": padding}


OPS: Dict[str, ModelSpec] = {
    "GraphVariants": ModelSpec(GraphVariants, ("x", "adj", "q", "k", "v", "padding"), _inputs),
    "GroupedKeyNorm": ModelSpec(GroupedKeyNorm, ("q", "k", "v"), _grouped_inputs),
}

# The decoder-step form: the same reference with the query rows fixed by `rows`.
OPS["GraphRows"] = decoder_step(OPS["GraphVariants"])
