"""PyTorch references for the compile-time structure of models (tests/numeric/ops/structure.attn):
nn.ModuleList, nn.Sequential, nn.Linear(bias=False), parameter families named as PyTorch's RNNs
name theirs, and control flow on hyperparameters.

Each class mirrors one model of that file: same hyperparameters, same forward inputs, outputs in
the same order, and the same state_dict names, which the runtime checks one by one (a missing or
extra weight is an error), so a passing test also shows that the names match.
"""

from typing import Dict, Mapping

import torch
from torch import nn

from zoo import ModelSpec


def _x(*axes: str):
    """Input x whose axes are symbols from dims or, quoted with ':', hyperparameters."""

    def make(hp: Mapping[str, object], dims: Mapping[str, int], gen: torch.Generator):
        shape = [int(hp[a[1:]]) if a.startswith(":") else dims[a] for a in axes]
        return {"x": torch.randn(*shape, generator=gen)}

    return make


def _randomize(module: nn.Module):
    """Non-trivial norm weights (PyTorch initialises them to ones and zeros)."""
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.LayerNorm):
                m.weight.normal_()
                m.bias.normal_()


class FeedForward(nn.Module):
    def __init__(self, d: int, hidden: int):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, hidden)
        self.fc2 = nn.Linear(hidden, d)

    def forward(self, x):
        return x + self.fc2(nn.functional.gelu(self.fc1(self.norm(x))))


class ModuleListBlocks(nn.Module):
    def __init__(self, d: int, hidden: int, n: int = 3):
        super().__init__()
        self.layers = nn.ModuleList([FeedForward(d, hidden * (i + 1)) for i in range(n)])
        _randomize(self)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x, self.layers[-1](x)


class SequentialFFN(nn.Module):
    def __init__(self, e: int, f: int, p: float = 0.1):
        super().__init__()
        self.ffn = nn.Sequential(nn.Linear(e, f), nn.ReLU(), nn.Dropout(p), nn.Linear(f, e))

    def forward(self, x):
        return self.ffn(x), self.ffn[1](self.ffn[0](x))


class LinearBias(nn.Module):
    def __init__(self, in_features: int, out_features: int, bias: bool = True):
        super().__init__()
        self.proj = nn.Linear(in_features, out_features, bias=bias)

    def forward(self, x):
        return self.proj(x)


class StackedFamily(nn.Module):
    def __init__(self, input_size: int, hidden_size: int, num_layers: int, bias: bool = True):
        super().__init__()
        self.num_layers, self.bias = num_layers, bias
        for k in range(num_layers):
            fan_in = input_size if k == 0 else hidden_size
            setattr(self, f"weight_l{k}",
                    nn.Parameter(torch.randn(hidden_size, fan_in) / fan_in ** 0.5))
            if bias:
                setattr(self, f"bias_l{k}", nn.Parameter(torch.randn(hidden_size)))
        for i in range(2):
            setattr(self, f"head_{i}", nn.Linear(hidden_size, i + 1))

    def forward(self, x):
        for k in range(self.num_layers):
            x = x @ getattr(self, f"weight_l{k}").t()
            if self.bias:
                x = x + getattr(self, f"bias_l{k}")
            x = torch.tanh(x)
        return x, self.head_0(x), self.head_1(x)


class ControlFlow(nn.Module):
    def __init__(self, d: int, depth: int, residual: bool = True, act: str = "relu",
                 scale: float = 1.0):
        super().__init__()
        self.residual, self.act, self.scale = residual, act, scale
        self.blocks = nn.ModuleList([nn.Linear(d, d) for _ in range(depth)])
        if residual:
            self.gate = nn.Parameter(torch.randn(d))

    def forward(self, x):
        for block in self.blocks:
            h = block(x)
            x = x + h * self.gate if self.residual else h
        x = x * (self.scale if self.act == "gelu" else 2.0 * self.scale)
        if self.act == "relu":
            return torch.relu(x)
        if self.act == "gelu":
            return nn.functional.gelu(x)
        return torch.tanh(x)


OPS: Dict[str, ModelSpec] = {
    "ModuleListBlocks": ModelSpec(ModuleListBlocks, ("x",), _x("B", "S", ":d")),
    "SequentialFFN": ModelSpec(SequentialFFN, ("x",), _x("B", "S", ":e")),
    "LinearBias": ModelSpec(LinearBias, ("x",), _x("B", ":in_features")),
    "StackedFamily": ModelSpec(StackedFamily, ("x",), _x("B", ":input_size")),
    "ControlFlow": ModelSpec(ControlFlow, ("x",), _x("B", "S", ":d")),
}
