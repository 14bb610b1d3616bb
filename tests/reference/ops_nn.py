"""PyTorch references for the reduction, normalisation and activation ops and the stdlib layers
built from them (tests/numeric/ops/{reduce,activations,select,norm}.attn).

Each class mirrors one model of those files: same hyperparameters, same forward inputs, the
outputs in the same order. Inputs are chosen to reach the hard cases: the tails of GELU, ties for
the comparisons, logits of 1e4 for log_softmax and large offsets for LayerNorm.
"""

from typing import Dict, Mapping

import torch
from torch import nn

from zoo import ModelSpec


def _x(rank: int, scale: float = 1.0, last: str = ""):
    """Input x of shape [A, B, C] (rank 3) or [A, B] (rank 2), normal with std `scale`; with
    `last`, the last axis is that hyperparameter instead of a symbol."""

    def make(hp: Mapping[str, object], dims: Mapping[str, int], gen: torch.Generator):
        shape = [dims[d] for d in "ABC"[:rank - 1]]
        shape.append(int(hp[last]) if last else dims["ABC"[rank - 1]])
        return {"x": torch.randn(*shape, generator=gen) * scale}

    return make


class Reduce(nn.Module):
    """sum, mean, amax, amin and the biased variance along `dim`."""

    def __init__(self, dim: int = -1, keepdim: bool = False):
        super().__init__()
        self.dim, self.keepdim = dim, keepdim

    def forward(self, x):
        d, k = self.dim, self.keepdim
        return (x.sum(d, keepdim=k), x.mean(d, keepdim=k), x.amax(d, keepdim=k),
                x.amin(d, keepdim=k), x.var(d, unbiased=False, keepdim=k))


class Activations(nn.Module):
    def __init__(self, alpha: float = 1.0, negative_slope: float = 0.01):
        super().__init__()
        self.alpha, self.negative_slope = alpha, negative_slope

    def forward(self, x):
        f = nn.functional
        return (f.gelu(x), f.elu(x, self.alpha), f.leaky_relu(x, self.negative_slope), x.abs(),
                torch.rsqrt(x.abs() + 0.5), x.pow(3), x.abs().pow(1.5), (x.abs() + 1).pow(-2),
                x * x, x.abs().pow(0.5))


class LogSoftmax(nn.Module):
    def __init__(self, dim: int = -1, scale: float = 1.0, offset: float = 0.0):
        super().__init__()
        self.dim, self.scale, self.offset = dim, scale, offset

    def forward(self, x):
        return torch.log_softmax(x * self.scale + self.offset, self.dim)


class Select(nn.Module):
    """Comparisons (bool tensors) and where, all broadcasting."""

    def forward(self, a, b, c):
        return (a > b, a <= c, torch.where(a > b, a, c), torch.where(b < 0, 0.0, a), a == c,
                a != b, a >= 0.5, torch.where(a < c, b * 2, -c))


def _select_inputs(hp, dims, gen):
    # Small integers, so that equalities and ties occur.
    a, b, c = dims["A"], dims["B"], dims["C"]
    ints = lambda *shape: torch.randint(-2, 3, shape, generator=gen).float()  # noqa: E731
    return {"a": ints(a, b, c), "b": ints(b, c), "c": ints(a, 1, c)}


class Logical(nn.Module):
    """and, or, not on tensors: torch.logical_and / logical_or / logical_not, bool tensors; a
    Python bool beside a tensor broadcasts as a tensor of that bool."""

    def __init__(self, flag: bool = True):
        super().__init__()
        self.flag = flag

    def forward(self, a, b, m):
        flag = torch.tensor(self.flag)
        return ((a > 0) & (b < 1), torch.logical_or(a, b), torch.logical_not(a), m | (a > 1),
                torch.where(m & ~(b == 0), a, b), ~m, torch.logical_and(a, flag),
                torch.logical_or(flag, m), (b < 1) & ~flag, m == True, (a > 0) != flag)  # noqa: E712


def _logical_inputs(hp, dims, gen):
    inputs = _select_inputs(hp, dims, gen)
    inputs.pop("c")
    a, b, c = dims["A"], dims["B"], dims["C"]
    inputs["m"] = torch.rand(a, b, c, generator=gen) < 0.5
    return inputs


class LayerNormModel(nn.Module):
    """nn.LayerNorm over the last axis of x * scale + offset, with random weight and bias."""

    def __init__(self, normalized_shape: int, eps: float = 1e-5, scale: float = 1.0,
                 offset: float = 0.0):
        super().__init__()
        self.scale, self.offset = scale, offset
        self.norm = nn.LayerNorm(normalized_shape, eps)
        with torch.no_grad():
            self.norm.weight.normal_()
            self.norm.bias.normal_()

    def forward(self, x):
        return self.norm(x * self.scale + self.offset)


class Layers(nn.Module):
    """The stdlib layers in a small block: Linear, LayerNorm, GELU, Dropout, then each
    activation module on the result."""

    def __init__(self, d: int, hidden: int):
        super().__init__()
        self.fc1 = nn.Linear(d, hidden)
        self.norm = nn.LayerNorm(hidden)
        self.act = nn.GELU()
        self.drop = nn.Dropout(0.1)
        self.fc2 = nn.Linear(hidden, d)
        self.elu = nn.ELU(0.5)
        self.leaky = nn.LeakyReLU(0.2)
        self.relu = nn.ReLU()
        self.tanh = nn.Tanh()
        self.sigmoid = nn.Sigmoid()
        self.softmax = nn.Softmax(-1)
        self.log_softmax = nn.LogSoftmax(1)
        with torch.no_grad():
            self.norm.weight.normal_()
            self.norm.bias.normal_()

    def forward(self, x):
        y = self.fc2(self.drop(self.act(self.norm(self.fc1(x)))))
        return (y, self.elu(y), self.leaky(y), self.relu(y), self.tanh(y), self.sigmoid(y),
                self.softmax(y), self.log_softmax(y))


OPS: Dict[str, ModelSpec] = {
    "Reduce3d": ModelSpec(Reduce, ("x",), _x(3)),
    "Reduce2d": ModelSpec(Reduce, ("x",), _x(2)),
    "Activations3d": ModelSpec(Activations, ("x",), _x(3, scale=3.0)),
    "Activations2d": ModelSpec(Activations, ("x",), _x(2, scale=3.0)),
    "LogSoftmax3d": ModelSpec(LogSoftmax, ("x",), _x(3)),
    "LogSoftmax2d": ModelSpec(LogSoftmax, ("x",), _x(2)),
    "Select3d": ModelSpec(Select, ("a", "b", "c"), _select_inputs),
    "Logical": ModelSpec(Logical, ("a", "b", "m"), _logical_inputs),
    "LayerNorm3d": ModelSpec(LayerNormModel, ("x",), _x(3, last="normalized_shape")),
    "LayerNorm2d": ModelSpec(LayerNormModel, ("x",), _x(2, last="normalized_shape")),
    "Layers": ModelSpec(Layers, ("x",), _x(3, last="d")),
}
