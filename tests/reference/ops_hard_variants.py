"""PyTorch references for tests/numeric/ops/hard_variants.attn: hard (argmax) and top-k
attention, written out on float64 scores.

Hard attention puts weight 1 on the first key with the row's largest score (torch.argmax);
top-k attention is the softmax over the k largest scores of the row (torch.topk), all of them
when the row keeps fewer. A row whose keys a mask removes entirely gives zeros. Dims: B, H, Sq,
Sk, D, Dv for `HardVariants`; B, Sq, Sk, Dv for `LearnedTopK`.
"""

import math
from typing import Dict, Mapping, Optional

import torch
from torch import nn

from model_spec import ModelSpec, decoder_step


def normalised(s: torch.Tensor, v: torch.Tensor, keep: Optional[torch.Tensor],
               mode: str, count: int = 0) -> torch.Tensor:
    """Weights from the float64 scores s ([..., Sq, Sk]) by `mode` (argmax or topk), keys where
    `keep` is false removed, times v."""
    if keep is not None:
        s = s.masked_fill(~keep, float("-inf"))
    kept_any = torch.isfinite(s).any(dim=-1, keepdim=True)
    if mode == "argmax":
        w = torch.nn.functional.one_hot(s.argmax(dim=-1), s.shape[-1]).double()
    else:
        top = torch.topk(s, min(count, s.shape[-1]), dim=-1).indices
        chosen = torch.zeros_like(s, dtype=torch.bool).scatter(-1, top, True)
        w = torch.softmax(s.masked_fill(~chosen, float("-inf")), dim=-1)
    w = torch.nan_to_num(w, nan=0.0) * kept_any
    return (w @ v.double()).float()


def positions(sq: int, sk: int):
    return torch.arange(sq).unsqueeze(1), torch.arange(sk).unsqueeze(0)


class HardVariants(nn.Module):
    def __init__(self, count: int = 3):
        super().__init__()
        self.count = count

    def forward(self, q, k, v):
        s = (q.double() @ k.double().transpose(-1, -2)) / math.sqrt(q.shape[-1])
        i, j = positions(q.shape[-2], k.shape[-2])
        return (normalised(s, v, None, "argmax"),
                normalised(s, v, None, "topk", self.count),
                normalised(s, v, j < i, "argmax"),
                normalised(s, v, j < i, "topk", self.count),
                normalised(s, v, j <= i, "topk", self.count))


class AdditiveTopK(nn.Module):
    def __init__(self, d: int, units: int, count: int):
        super().__init__()
        self.W = nn.Parameter(torch.randn(units, d) / math.sqrt(d))
        self.U = nn.Parameter(torch.randn(units, d) / math.sqrt(d))
        self.v = nn.Parameter(torch.randn(units))
        self.count = count

    def forward(self, q, k, v):
        qp = q.double() @ self.W.double().T
        kp = k.double() @ self.U.double().T
        s = torch.tanh(qp.unsqueeze(-2) + kp.unsqueeze(-3)) @ self.v.double()
        return normalised(s, v, None, "topk", self.count)


class LearnedTopK(nn.Module):
    def __init__(self, d: int = 12, units: int = 9, count: int = 2):
        super().__init__()
        self.additive = AdditiveTopK(d, units, count)

    def forward(self, q, k, v):
        return self.additive(q, k, v)


def _heads_inputs(hp: Mapping[str, object], dims: Mapping[str, int], gen: torch.Generator):
    b, h, sq, sk, d, dv = (dims[n] for n in ("B", "H", "Sq", "Sk", "D", "Dv"))
    return {"q": torch.randn(b, h, sq, d, generator=gen),
            "k": torch.randn(b, h, sk, d, generator=gen),
            "v": torch.randn(b, h, sk, dv, generator=gen)}


def _learned_inputs(hp: Mapping[str, object], dims: Mapping[str, int], gen: torch.Generator):
    d = int(hp.get("d", 12))
    b, sq, sk, dv = dims["B"], dims["Sq"], dims["Sk"], dims["Dv"]
    return {"q": torch.randn(b, sq, d, generator=gen),
            "k": torch.randn(b, sk, d, generator=gen),
            "v": torch.randn(b, sk, dv, generator=gen)}


OPS: Dict[str, ModelSpec] = {
    "HardVariants": ModelSpec(HardVariants, ("q", "k", "v"), _heads_inputs),
    "LearnedTopK": ModelSpec(LearnedTopK, ("q", "k", "v"), _learned_inputs),
}

# The decoder-step form: the same reference with the query rows fixed by `rows`.
OPS["HardStep"] = decoder_step(OPS["HardVariants"])
