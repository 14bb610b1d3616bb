"""PyTorch references for tests/numeric/ops/variants.attn: the attention variants of the
standard library (dsl/SPEC.md §8-9), grouped-query and multi-query attention, and a key padding
mask written out on the scores.

Computed in float64 from the float32 inputs, then rounded to float32, so that the comparison
measures attn's error alone. A query row whose keys a mask removes entirely gives zeros (PyTorch's
softmax gives NaN there). Dims: B, Sq, Sk, D, Dv; `SymbolicHeads` also H; `StaticHeadDims`
takes D and Dv from its hyperparameters d and dv.

Large logits: in every case of two batch items or more, the last item's scaled scores are
±2000 * (a permutation of 0..Sk-1) per head, so that they reach 1e4 and more (exp overflows
without the softmax's maximum subtracted). They are spaced 2000 apart because fp32 cannot do
better near ties: at 1e4 a logit's rounding alone is 5e-4, so two random keys a few units apart
get weights off by about 1e-3 (PyTorch's fp32 result differs from its fp64 one by that much).
"""

import math
from typing import Dict, Mapping, Optional

import torch
from torch import nn

from model_spec import ModelSpec, decoder_step, padding_mask


def attention(q, k, v, scale: Optional[float] = None, keep=None, bias=None,
              cap: Optional[float] = None):
    """softmax(score) v over float64 copies; `keep` (bool, broadcast to the scores) removes the
    keys where it is false, a row without keys giving zeros. k and v with fewer heads than q
    (axis 1) are repeated per group of query heads (repeat_interleave, as enable_gqa does)."""
    q, k, v = q.double(), k.double(), v.double()
    if k.dim() == 4 and k.shape[1] != q.shape[1]:
        group = q.shape[1] // k.shape[1]
        k, v = k.repeat_interleave(group, dim=1), v.repeat_interleave(group, dim=1)
    s = q @ k.transpose(-1, -2)
    if scale is not None:
        s = s * scale
    if cap is not None:
        s = cap * torch.tanh(s / cap)
    if bias is not None:
        s = s + bias
    if keep is not None:
        s = s.masked_fill(~keep, float("-inf"))
    p = torch.nan_to_num(torch.softmax(s, dim=-1), nan=0.0)
    return (p @ v).float()


def alibi_slopes(n: int) -> torch.Tensor:
    """The ALiBi reference implementation's slopes for n heads (float64): for a power of two
    2^(-8 (h + 1) / n); otherwise those of the largest power of two m < n, then every other
    slope of 2m heads."""
    def power_of_two(m):
        return [2.0 ** (-8.0 * (h + 1) / m) for h in range(m)]
    m = 2 ** int(math.floor(math.log2(n)))
    slopes = power_of_two(m) if m == n else power_of_two(m) + power_of_two(2 * m)[0::2][:n - m]
    return torch.tensor(slopes, dtype=torch.float64)


def positions(sq: int, sk: int):
    """Query positions i [Sq, 1] and key positions j [1, Sk]."""
    return torch.arange(sq).unsqueeze(1), torch.arange(sk).unsqueeze(0)


class AttentionVariants(nn.Module):
    """dot, global, causal, window(w), causal_window(w), alibi(heads), softcap(cap), a variant
    whose first query has no key (j < i), causal with kv_heads key/value heads, scaled_dot
    with one key/value head, and alibi(6) on the first 6 heads (6 is not a power of two)."""

    def __init__(self, heads: int = 8, kv_heads: int = 2, w: int = 3, cap: float = 5.0):
        super().__init__()
        self.heads, self.w, self.cap = heads, w, cap

    def forward(self, q, k, v, kg, vg, k1, v1):
        sq, sk, d = q.shape[-2], k.shape[-2], q.shape[-1]
        scale = 1.0 / math.sqrt(d)
        i, j = positions(sq, sk)
        causal = j <= i
        alibi = -alibi_slopes(self.heads).view(-1, 1, 1) * (i - j).double()
        alibi6 = -alibi_slopes(6).view(-1, 1, 1) * (i - j).double()
        return (attention(q, k, v),
                attention(q, k, v, scale),
                attention(q, k, v, scale, keep=causal),
                attention(q, k, v, scale, keep=(i - j).abs() <= self.w),
                attention(q, k, v, scale, keep=causal & (i - j <= self.w)),
                attention(q, k, v, scale, keep=causal, bias=alibi),
                attention(q, k, v, scale, cap=self.cap),
                attention(q, k, v, scale, keep=j < i),
                attention(q, kg, vg, scale, keep=causal),
                attention(q, k1, v1, scale),
                attention(q[:, :6], k[:, :6], v[:, :6], scale, keep=causal, bias=alibi6))


class StaticHeadDims(AttentionVariants):
    """AttentionVariants with the head dims d and dv fixed by hyperparameters."""

    def __init__(self, heads: int = 8, kv_heads: int = 2, w: int = 3, cap: float = 5.0,
                 d: int = 64, dv: int = 64):
        super().__init__(heads, kv_heads, w, cap)


class SymbolicHeads(nn.Module):
    """A key padding mask (true = padding) on the scores times `scale` (not 1/√d), causal
    multi-query attention (one key/value head), and multi-query attention times `scale`."""

    def __init__(self, scale: float = 0.125, neg: float = -1e9):
        super().__init__()
        self.scale = scale  # `neg`, the padded scores, only needs to be far below the others

    def forward(self, q, k, v, padding, k1, v1):
        sq, sk = q.shape[-2], k.shape[-2]
        i, j = positions(sq, sk)
        keep = ~padding[:, None, None, :]
        return (attention(q, k, v, self.scale, keep=keep),
                attention(q, k1, v1, 1.0 / math.sqrt(q.shape[-1]), keep=j <= i),
                attention(q, k1, v1, self.scale))


class ConditionalVariants(nn.Module):
    """A scaled score times 1 for keys up to the query and -0.5 after it; causal attention and
    a window of w, the two branches of one mask."""

    def __init__(self, w: int = 2):
        super().__init__()
        self.w = w

    def forward(self, q, k, v):
        sq, sk, d = q.shape[-2], k.shape[-2], q.shape[-1]
        scale = 1.0 / math.sqrt(d)
        i, j = positions(sq, sk)
        factor = torch.where(j <= i, 1.0, -0.5).double()
        return (_scaled(q, k, v, scale * factor),
                attention(q, k, v, scale, keep=j <= i),
                attention(q, k, v, scale, keep=(i - j).abs() <= self.w))


def _scaled(q, k, v, scale):
    """softmax((q kᵀ) * scale) v in float64, `scale` broadcast to the scores."""
    s = (q.double() @ k.double().transpose(-1, -2)) * scale
    return (torch.softmax(s, dim=-1) @ v.double()).float()


def _qkv(b: int, heads: Dict[str, int], sq: int, sk: int, d: int, dv: int,
         gen: torch.Generator) -> Dict[str, torch.Tensor]:
    """q [B, H, Sq, D] and, per entry of `heads` (name suffix -> head count), k<suffix>
    [B, n, Sk, D] and v<suffix> [B, n, Sk, Dv]; from B = 2, the last batch item's q and k give
    the large logits of the module docstring."""
    out = {"q": torch.randn(b, heads["q"], sq, d, generator=gen)}
    for suffix, n in heads.items():
        if suffix == "q":
            continue
        out["k" + suffix] = torch.randn(b, n, sk, d, generator=gen)
        out["v" + suffix] = torch.randn(b, n, sk, dv, generator=gen)
    if b >= 2:
        # q = ±sqrt(D) e_0, k_j = 2000 perm(j) e_0: q.k / sqrt(D) = ±2000 perm(j).
        for name, t in out.items():
            if name.startswith("v"):
                continue
            t[-1] = 0.0
            n, rows = t.shape[1], t.shape[2]
            if name == "q":
                signs = torch.randint(0, 2, (n, rows), generator=gen).float() * 2 - 1
                t[-1, :, :, 0] = signs * math.sqrt(d)
            else:
                perms = torch.stack([torch.randperm(rows, generator=gen) for _ in range(n)])
                t[-1, :, :, 0] = 2000.0 * perms.float()
    return out


def _variants_inputs(hp: Mapping[str, object], dims: Mapping[str, int], gen: torch.Generator):
    heads = {"q": int(hp.get("heads", 8)), "": int(hp.get("heads", 8)),
             "g": int(hp.get("kv_heads", 2)), "1": 1}
    return _qkv(dims["B"], heads, dims["Sq"], dims["Sk"], dims["D"], dims["Dv"], gen)


def _static_inputs(hp: Mapping[str, object], dims: Mapping[str, int], gen: torch.Generator):
    return _variants_inputs(hp, {**dims, "D": int(hp.get("d", 64)), "Dv": int(hp.get("dv", 64))},
                            gen)


def _symbolic_inputs(hp: Mapping[str, object], dims: Mapping[str, int], gen: torch.Generator):
    b, sk = dims["B"], dims["Sk"]
    out = _qkv(b, {"q": dims["H"], "": dims["H"], "1": 1}, dims["Sq"], sk, dims["D"], dims["Dv"],
               gen)
    out["padding"] = padding_mask(b, sk, gen)
    if sk > 600:
        # The first 300 keys of batch item 0 padded too: a whole key block of the online form
        # (256 keys), whose scores are all `neg`; one key kept.
        out["padding"][0, :300] = True
        out["padding"][0, -1] = False
    return out


def _conditional_inputs(hp: Mapping[str, object], dims: Mapping[str, int],
                        gen: torch.Generator):
    b, h, sq, sk, d, dv = (dims[n] for n in ("B", "H", "Sq", "Sk", "D", "Dv"))
    return {"q": torch.randn(b, h, sq, d, generator=gen),
            "k": torch.randn(b, h, sk, d, generator=gen),
            "v": torch.randn(b, h, sk, dv, generator=gen)}


OPS: Dict[str, ModelSpec] = {
    "AttentionVariants": ModelSpec(AttentionVariants, ("q", "k", "v", "kg", "vg", "k1", "v1"),
                                   _variants_inputs),
    "StaticHeadDims": ModelSpec(StaticHeadDims, ("q", "k", "v", "kg", "vg", "k1", "v1"),
                                _static_inputs),
    "SymbolicHeads": ModelSpec(SymbolicHeads, ("q", "k", "v", "padding", "k1", "v1"),
                               _symbolic_inputs),
    "ConditionalVariants": ModelSpec(ConditionalVariants, ("q", "k", "v"), _conditional_inputs),
}

# The decoder-step form: the same reference with the query rows fixed by `rows`.
OPS["DecoderStep"] = decoder_step(OPS["StaticHeadDims"])
