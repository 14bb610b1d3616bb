"""PyTorch references for the scan models of tests/numeric/ops/scan.attn.

ScanRNN and ScanLSTMReverse are PyTorch's own nn.RNN / nn.LSTM (one layer), so their
state_dict names are the ones the .attn files declare; ScanLSTMReverse runs each sequence alone
on its first `length` positions, flipped, which is what the reverse half of a packed
bidirectional LSTM computes.
"""

from typing import Dict, Mapping

import torch
from torch import nn

from zoo import ModelSpec


class ScanRNN(nn.RNN):
    """One tanh layer from a given initial state."""

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__(input_size, hidden_size)

    def forward(self, input_seq, h0):
        output, h_n = super().forward(input_seq, h0.unsqueeze(0))
        return output, h_n[0]


class ScanLSTMReverse(nn.LSTM):
    """One layer run backwards over each sequence's first `length` positions."""

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__(input_size, hidden_size)

    def forward(self, xs, lengths, h0, c0):
        s, b, _ = xs.shape
        output = torch.zeros(s, b, self.hidden_size)
        h_n, c_n = h0.clone(), c0.clone()
        for k in range(b):
            n = int(lengths[k])
            seq = xs[:n, k:k + 1].flip(0)
            out, (h, c) = super().forward(seq, (h0[k:k + 1].unsqueeze(0), c0[k:k + 1].unsqueeze(0)))
            output[:n, k] = out.flip(0)[:, 0]
            h_n[k], c_n[k] = h[0, 0], c[0, 0]
        return output, h_n, c_n


class ScanSwap(nn.Module):
    def forward(self, xs, a0, b0):
        a, b = a0, b0
        old_a, rows, positions = [], [], []
        for t in range(xs.shape[0]):
            old_a.append(a)
            rows.append(xs[t])
            positions.append(torch.tensor(t, dtype=torch.int64))
            a, b = b, a + xs[t]
        return a, b, torch.stack(old_a), torch.stack(rows), torch.stack(positions)


class SeenAbove(nn.Module):
    """Per column, whether a value above `level` came within the first `lengths` steps: the
    final flags and the flags after each step (bool)."""

    def __init__(self, level: float = 0.5):
        super().__init__()
        self.level = level

    def forward(self, xs, lengths):
        m = xs[0] > 1e30
        steps = []
        for t in range(xs.shape[0]):
            m = torch.where(t < lengths, m | (xs[t] > self.level), m)
            steps.append(m)
        return m, torch.stack(steps)


def _seen_inputs(hp: Mapping[str, object], dims: Mapping[str, int], gen: torch.Generator):
    s, n = dims["S"], dims["N"]
    return {"xs": torch.randn(s, n, generator=gen),
            "lengths": torch.randint(0, s + 1, (n,), generator=gen)}


def _rnn_inputs(hp: Mapping[str, object], dims: Mapping[str, int], gen: torch.Generator):
    s, b, i, h = dims["S"], dims["B"], int(hp["input_size"]), int(hp["hidden_size"])
    return {"input_seq": torch.randn(s, b, i, generator=gen), "h0": torch.randn(b, h, generator=gen)}


def _lstm_inputs(hp: Mapping[str, object], dims: Mapping[str, int], gen: torch.Generator):
    s, b, i, h = dims["S"], dims["B"], int(hp["input_size"]), int(hp["hidden_size"])
    # Unsorted lengths in 1..S with one full-length sequence.
    lengths = torch.randint(1, s + 1, (b,), generator=gen)
    lengths[b // 2] = s
    return {"xs": torch.randn(s, b, i, generator=gen), "lengths": lengths,
            "h0": torch.randn(b, h, generator=gen), "c0": torch.randn(b, h, generator=gen)}


def _swap_inputs(hp: Mapping[str, object], dims: Mapping[str, int], gen: torch.Generator):
    s, n = dims["S"], dims["N"]
    return {"xs": torch.randn(s, n, generator=gen), "a0": torch.randn(n, generator=gen),
            "b0": torch.randn(n, generator=gen)}


OPS: Dict[str, ModelSpec] = {
    "ScanRNN": ModelSpec(ScanRNN, ("input_seq", "h0"), _rnn_inputs),
    "ScanLSTMReverse": ModelSpec(ScanLSTMReverse, ("xs", "lengths", "h0", "c0"), _lstm_inputs),
    "ScanSwap": ModelSpec(ScanSwap, ("xs", "a0", "b0"), _swap_inputs),
    "SeenAbove": ModelSpec(SeenAbove, ("xs", "lengths"), _seen_inputs),
}
