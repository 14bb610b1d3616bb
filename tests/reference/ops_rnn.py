"""PyTorch references for tests/numeric/ops/rnn.attn: the stdlib's recurrent layers are
PyTorch's nn.RNN, nn.LSTM, nn.GRU and their cells, with the same state_dict names."""

from typing import Dict, Mapping

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from zoo import ModelSpec


class RNNStack(nn.Module):
    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh",
                 bidirectional=False, batch_first=False):
        super().__init__()
        self.rnn = nn.RNN(input_size, hidden_size, num_layers, nonlinearity=nonlinearity,
                          batch_first=batch_first, bidirectional=bidirectional)

    def forward(self, x, h0):
        return self.rnn(x, h0)


class LSTMStack(nn.Module):
    def __init__(self, input_size, hidden_size, num_layers=1, bidirectional=False,
                 batch_first=False):
        super().__init__()
        self.batch_first = batch_first
        self.lstm = nn.LSTM(input_size, hidden_size, num_layers, batch_first=batch_first,
                            bidirectional=bidirectional)

    def forward(self, x, lengths):
        total = x.shape[1 if self.batch_first else 0]
        packed = pack_padded_sequence(x, lengths, batch_first=self.batch_first,
                                      enforce_sorted=False)
        out, (h_n, c_n) = self.lstm(packed)
        out, _ = pad_packed_sequence(out, batch_first=self.batch_first, total_length=total)
        return out, h_n, c_n


class GRUStack(nn.Module):
    def __init__(self, input_size, hidden_size, num_layers=1, bidirectional=False,
                 batch_first=False):
        super().__init__()
        self.gru = nn.GRU(input_size, hidden_size, num_layers, batch_first=batch_first,
                          bidirectional=bidirectional)

    def forward(self, x):
        return self.gru(x)


class Cells(nn.Module):
    def __init__(self, input_size, hidden_size, bias=True):
        super().__init__()
        self.rnn_cell = nn.RNNCell(input_size, hidden_size, bias)
        self.lstm_cell = nn.LSTMCell(input_size, hidden_size, bias)
        self.gru_cell = nn.GRUCell(input_size, hidden_size, bias)

    def forward(self, x, h, c):
        h1, c1 = self.lstm_cell(x, (h, c))
        h0, c0 = self.lstm_cell(x)
        return self.rnn_cell(x, h), h1, c1, h0, c0, self.gru_cell(x, h), self.gru_cell(x)


def _dirs(hp):
    return 2 if hp.get("bidirectional", False) else 1


def _sequence(hp, dims, gen):
    s, b, i = dims["S"], dims["B"], int(hp["input_size"])
    shape = (b, s, i) if hp.get("batch_first", False) else (s, b, i)
    return torch.randn(*shape, generator=gen)


def _rnn_inputs(hp: Mapping[str, object], dims: Mapping[str, int], gen: torch.Generator):
    layers = _dirs(hp) * int(hp.get("num_layers", 1))
    return {"x": _sequence(hp, dims, gen),
            "h0": torch.randn(layers, dims["B"], int(hp["hidden_size"]), generator=gen)}


def _lstm_inputs(hp: Mapping[str, object], dims: Mapping[str, int], gen: torch.Generator):
    s, b = dims["S"], dims["B"]
    lengths = torch.randint(1, s + 1, (b,), generator=gen)
    lengths[b // 2] = s  # one full-length sequence; the others unsorted
    return {"x": _sequence(hp, dims, gen), "lengths": lengths}


def _gru_inputs(hp: Mapping[str, object], dims: Mapping[str, int], gen: torch.Generator):
    return {"x": _sequence(hp, dims, gen)}


def _cell_inputs(hp: Mapping[str, object], dims: Mapping[str, int], gen: torch.Generator):
    b, i, h = dims["B"], int(hp["input_size"]), int(hp["hidden_size"])
    return {"x": torch.randn(b, i, generator=gen), "h": torch.randn(b, h, generator=gen),
            "c": torch.randn(b, h, generator=gen)}


OPS: Dict[str, ModelSpec] = {
    "RNNStack": ModelSpec(RNNStack, ("x", "h0"), _rnn_inputs),
    "LSTMStack": ModelSpec(LSTMStack, ("x", "lengths"), _lstm_inputs),
    "GRUStack": ModelSpec(GRUStack, ("x",), _gru_inputs),
    "Cells": ModelSpec(Cells, ("x", "h", "c"), _cell_inputs),
}
