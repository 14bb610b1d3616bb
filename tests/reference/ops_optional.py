"""PyTorch reference for tests/numeric/ops/optional.attn: optional inputs."""

from typing import Dict, Mapping, Optional

import torch
from torch import nn

from zoo import ModelSpec


class Step(nn.Module):
    def __init__(self, hidden: int):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(hidden, hidden) / hidden ** 0.5)

    def forward(self, x, h: Optional[torch.Tensor] = None):
        if h is None:
            h = torch.full_like(x, 0.5)
        return torch.tanh(h @ self.weight.T + x)


class OptionalInputs(nn.Module):
    def __init__(self, hidden: int):
        super().__init__()
        self.step = Step(hidden)

    def forward(self, x, mask: Optional[torch.Tensor] = None):
        if mask is None:
            mask = torch.zeros(x.shape[:2], dtype=torch.bool)
        pooled = x.masked_fill(mask.unsqueeze(-1), 0.0).sum(dim=1)
        return self.step(pooled), self.step(pooled, 2 * pooled), x.sum(dim=1)


def _inputs(hp: Mapping[str, object], dims: Mapping[str, int], gen: torch.Generator):
    b, s, h = dims["B"], dims["S"], int(hp["hidden"])
    return {"x": torch.randn(b, s, h, generator=gen),
            "mask": torch.rand(b, s, generator=gen) < 0.4}


OPS: Dict[str, ModelSpec] = {
    "OptionalInputs": ModelSpec(OptionalInputs, ("x", "mask"), _inputs),
}
