"""PyTorch references for the data-movement ops: embedding lookups of int64 ids, positions,
concatenation, indexing, slicing and new axes (tests/numeric/ops/{embedding,concat,indexing}.attn).

Ids are drawn over the whole table and the first and last rows are always used, so lookups at
the table's edges are covered; EmbeddingClamped also feeds ids outside the table, which attn
clamps to the nearest row (PyTorch would raise an error, so its reference clamps first).
"""

import math
from typing import Dict, Mapping

import torch
from torch import nn

from zoo import ModelSpec


def _ids(batch: int, seq: int, vocab: int, gen: torch.Generator, outside: bool = False):
    ids = torch.randint(0, vocab, (batch, seq), generator=gen, dtype=torch.int64)
    ids.view(-1)[0] = 0
    ids.view(-1)[-1] = vocab - 1
    if outside and ids.numel() >= 4:
        ids.view(-1)[1] = -3
        ids.view(-1)[2] = vocab + 5
    return ids


class EmbeddingLookup(nn.Module):
    def __init__(self, vocab: int, dim: int):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)

    def forward(self, ids):
        return self.embed(ids), self.embed(ids[:, 0])


class EmbeddingClamped(nn.Module):
    def __init__(self, vocab: int, dim: int):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(vocab, dim))

    def forward(self, ids):
        return nn.functional.embedding(ids.clamp(0, self.weight.shape[0] - 1), self.weight)


class PositionEmbedding(nn.Module):
    def __init__(self, vocab: int, max_positions: int, hidden: int):
        super().__init__()
        self.word = nn.Embedding(vocab, hidden)
        self.position = nn.Embedding(max_positions, hidden)

    def forward(self, input_ids):
        positions = torch.arange(input_ids.shape[1], dtype=torch.int64)
        embedded = self.word(input_ids) + self.position(positions)
        return embedded, positions, positions.to(torch.float32) * 0.5


class ConcatLast(nn.Module):
    def __init__(self, e: int, h: int, out: int):
        super().__init__()
        self.proj = nn.Linear(e + h, out)

    def forward(self, x, y):
        return self.proj(torch.cat([x, y], dim=-1))


class ConcatSequence(nn.Module):
    def __init__(self, h: int):
        super().__init__()
        self.proj = nn.Linear(h, h)

    def forward(self, text, image):
        joined = torch.cat([text, image], dim=1)
        scores = joined @ joined.transpose(1, 2) / math.sqrt(joined.shape[-1])
        attended = torch.softmax(scores, dim=-1) @ joined
        return attended[:, -1], self.proj(joined), torch.cat([image, text, image], 1)


class IndexSlice(nn.Module):
    def __init__(self, h: int):
        super().__init__()
        self.h = h

    def forward(self, x):
        return (x[:, -1], x[:, 0], x[:, 1:], x[:, :-1] * 2.0, x[..., 1:3],
                torch.select(x, 2, -2), x[:, -1:], x[-1, :, self.h - 1])


class Unsqueeze(nn.Module):
    def __init__(self, h: int):
        super().__init__()

    def forward(self, x, mask):
        return x * mask.unsqueeze(-1), x.unsqueeze(1), mask.unsqueeze(0)


def _token_ids(vocab: str, outside: bool = False):
    def make(hp: Mapping[str, object], dims: Mapping[str, int],
             gen: torch.Generator) -> Dict[str, torch.Tensor]:
        return {"ids": _ids(dims["B"], dims["S"], int(hp[vocab]), gen, outside)}

    return make


def _input_ids(hp, dims, gen):
    return {"input_ids": _ids(dims["B"], dims["S"], int(hp["vocab"]), gen)}


def _concat_last(hp, dims, gen):
    b = dims["B"]
    return {"x": torch.randn(b, int(hp["e"]), generator=gen),
            "y": torch.randn(b, int(hp["h"]), generator=gen)}


def _concat_sequence(hp, dims, gen):
    b, t, h = dims["B"], dims["T"], int(hp["h"])
    return {"text": torch.randn(b, t, h, generator=gen),
            "image": torch.randn(b, 1, h, generator=gen)}


def _sequence(hp, dims, gen):
    return {"x": torch.randn(dims["B"], dims["S"], int(hp["h"]), generator=gen)}


def _masked_sequence(hp, dims, gen):
    b, s = dims["B"], dims["S"]
    return {"x": torch.randn(b, s, int(hp["h"]), generator=gen),
            "mask": torch.randint(0, 2, (b, s), generator=gen, dtype=torch.int64)}


OPS = {
    "EmbeddingLookup": ModelSpec(EmbeddingLookup, ("ids",), _token_ids("vocab")),
    "EmbeddingClamped": ModelSpec(EmbeddingClamped, ("ids",), _token_ids("vocab", outside=True)),
    "PositionEmbedding": ModelSpec(PositionEmbedding, ("input_ids",), _input_ids),
    "ConcatLast": ModelSpec(ConcatLast, ("x", "y"), _concat_last),
    "ConcatSequence": ModelSpec(ConcatSequence, ("text", "image"), _concat_sequence),
    "IndexSlice": ModelSpec(IndexSlice, ("x",), _sequence),
    "Unsqueeze": ModelSpec(Unsqueeze, ("x", "mask"), _masked_sequence),
}
