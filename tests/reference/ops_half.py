"""PyTorch reference for tests/numeric/ops/half.attn: f16 and bf16 as storage types.

attn stores f16 and bf16 tensors in 16 bits and computes in f32 (dsl/SPEC.md §3): a value is
rounded to its 16-bit type only where a type declares it (inputs, parameters, a module's
declared inputs and results, the model's results). This reference computes in float64 and
rounds at the same places, so what it checks is where the rounding happens and that 16-bit
inputs and weights are read right. A PyTorch model run in half (`model.half()`) rounds after
every operation instead, and differs from both by a few units in the last place.

NumPy has no bfloat16: the bf16 input is written as an f32 array of bf16 values (attnc run
rounds it to bf16, exactly), and the bf16 result is compared as f32, as attnc run writes it.
"""

import math
from typing import Dict, Mapping

import torch
from torch import nn

from zoo import ModelSpec


def _round(t: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """t rounded to dtype (to nearest even) and widened back to float64."""
    return t.to(dtype).to(torch.float64)


class HalfProjection(nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.weight = nn.Parameter((torch.randn(dim, dim) / dim ** 0.5).half())
        self.bias = nn.Parameter(torch.randn(dim).bfloat16())

    def forward(self, x):
        x = _round(x, torch.float16)
        gain = _round(torch.tensor(3.000976563, dtype=torch.float32), torch.float16)
        y = (x @ self.weight.double().T + self.bias.double()) * gain
        return _round(y, torch.bfloat16)


class HalfPrecision(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.proj = HalfProjection(dim)

    def _split(self, t):
        b, s, e = t.shape
        return t.view(b, s, self.heads, e // self.heads).transpose(1, 2)

    def forward(self, x, y, gain=None):
        x, y = x.double(), y.double()  # f16 values, and bf16 values held in f32
        gain = torch.full((x.shape[-1],), 0.1) if gain is None else gain
        gain = _round(gain.double(), torch.float16)
        h = self.proj(x * y)
        q, k, v = self._split(h), self._split(x), self._split(y)
        weights = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]), dim=-1)
        a = (weights @ v).transpose(1, 2).reshape(x.shape)
        return ((a * gain).to(torch.float16), _round(h.sum(dim=1), torch.bfloat16).float(),
                (a + h).float(), (x * 2.0 ** -20).to(torch.float16), (x * 65536.0).to(torch.float16))


def _inputs(hp: Mapping[str, object], dims: Mapping[str, int], gen: torch.Generator):
    b, s, e = dims["B"], dims["S"], int(hp["dim"])
    return {"x": torch.randn(b, s, e, generator=gen).half(),
            "y": torch.randn(b, s, e, generator=gen).bfloat16().float(),
            "gain": torch.rand(e, generator=gen).half()}


OPS: Dict[str, ModelSpec] = {
    # A flip of one rounding (f32 against float64 just at a midpoint) moves a bf16 value by a
    # unit in its last place (2^-8 relative) and what is computed from it by as much: hence the
    # tolerances, one unit of each output's type (or of the bf16 it reads). The last two are
    # exact in f32 before their rounding, so they must match bit for bit.
    "HalfPrecision": ModelSpec(HalfPrecision, ("x", "y", "gain"), _inputs,
                               rtol={0: 1e-3, 1: 4e-3, 2: 8e-3, 3: 0.0, 4: 0.0}),
}
