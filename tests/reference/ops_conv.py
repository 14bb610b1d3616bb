"""PyTorch references for the convolution-network ops: conv2d, max_pool2d, flatten and a small
CNN (tests/numeric/ops/conv.attn).

Images have odd sizes that are not multiples of any tile, with symbolic H and W where the model
allows, so the floor-divided output sizes are evaluated at run time.
"""

from typing import Dict, Mapping

import torch
from torch import nn

from zoo import ModelSpec


def _images(channels: str = "in_channels", size: str = ""):
    """x [N, channels, H, W]; with `size`, a square image of that hyperparameter (B batches)."""

    def make(hp: Mapping[str, object], dims: Mapping[str, int], gen: torch.Generator):
        c = int(hp[channels]) if channels in hp else 3
        if size:
            s = int(hp[size])
            return {"images": torch.randn(dims["B"], c, s, s, generator=gen)}
        return {"x": torch.randn(dims["N"], c, dims["H"], dims["W"], generator=gen)}

    return make


class Conv2dBias(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1,
                 padding: int = 0):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding)

    def forward(self, x):
        y = self.conv(x)
        return y, torch.relu(y)


class Conv2dNoBias(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, kh: int, kw: int, sh: int = 1,
                 sw: int = 1, ph: int = 0, pw: int = 0):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kh, kw) * 0.3)
        self.stride, self.padding = (sh, sw), (ph, pw)

    def forward(self, x):
        return nn.functional.conv2d(x, self.weight, None, self.stride, self.padding)


class PatchEmbedding(nn.Module):
    """ZOO.md entry 5's patch embedding: one patch per kernel position, [B, patches, E]."""

    def __init__(self, embed_dim: int, patch_size: int, image_size: int):
        super().__init__()
        self.proj = nn.Conv2d(3, embed_dim, patch_size, stride=patch_size)

    def forward(self, images):
        return self.proj(images).flatten(2).transpose(1, 2)


class MaxPool(nn.Module):
    def __init__(self, kernel_size: int, stride: int = None, padding: int = 0):
        super().__init__()
        self.pool = nn.MaxPool2d(kernel_size, stride, padding)

    def forward(self, x, y):
        return (self.pool(x), self.pool(y), self.pool(torch.relu(x) - 0.5),
                nn.functional.max_pool2d(x, (2, 3), (1, 2), (1, 0)))


def _pool_inputs(hp, dims, gen):
    n, c, h, w = dims["N"], dims["C"], dims["H"], dims["W"]
    # Rounded to a few values, so that windows hold ties.
    x = torch.round(torch.randn(n, c, h, w, generator=gen) * 2) / 2
    return {"x": x, "y": torch.randn(c, h, w, generator=gen)}


class FlattenAxes(nn.Module):
    def forward(self, x, ids):
        return x.flatten(1), x.flatten(1, 2), x.flatten(-2), x.flatten(0, -1), ids.flatten(0, 1)


def _flatten_inputs(hp, dims, gen):
    a, b, c, d = dims["A"], dims["B"], dims["C"], dims["D"]
    return {"x": torch.randn(a, b, c, d, generator=gen),
            "ids": torch.randint(-5, 50, (a, b, c), generator=gen, dtype=torch.int64)}


class SmallCnn(nn.Module):
    """ZOO.md entry 13's CNN, its grid flattened to regions in row-major order."""

    def __init__(self, channels: int, hidden: int):
        super().__init__()
        self.conv1 = nn.Conv2d(3, channels, 3, padding=1)
        self.relu1 = nn.ReLU()
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(channels, hidden, 3, padding=1)
        self.relu2 = nn.ReLU()
        self.pool2 = nn.MaxPool2d(2)

    def forward(self, images):
        x = self.pool1(self.relu1(self.conv1(images)))
        y = self.pool2(self.relu2(self.conv2(x)))
        return y.flatten(2).transpose(1, 2)


def _cnn_inputs(hp, dims, gen):
    return {"images": torch.randn(dims["B"], 3, dims["H"], dims["W"], generator=gen)}


OPS: Dict[str, ModelSpec] = {
    "Conv2dBias": ModelSpec(Conv2dBias, ("x",), _images()),
    "Conv2dNoBias": ModelSpec(Conv2dNoBias, ("x",), _images()),
    "PatchEmbedding": ModelSpec(PatchEmbedding, ("images",), _images(size="image_size")),
    "MaxPool": ModelSpec(MaxPool, ("x", "y"), _pool_inputs),
    "FlattenAxes": ModelSpec(FlattenAxes, ("x", "ids"), _flatten_inputs),
    "SmallCnn": ModelSpec(SmallCnn, ("images",), _cnn_inputs),
}
