"""PyTorch references for the recurrent zoo entries without an encoder-decoder: 1 (SimpleRNN) and
6 (BiLSTMAttentionNER). Parameter names are PyTorch's own (nn.RNN, nn.LSTM)."""

from typing import Dict

import torch
from torch import nn

from model_spec import ModelSpec, token_ids


class SimpleRNN(nn.Module):
    """Zoo entry 1: a tanh nn.RNN, sequence-first, as the seed.

    Dims: S sequence, B batch. input_seq [S, B, input_size], hidden_state
    [num_layers, B, hidden_size] -> output [S, B, hidden_size], hidden_state
    [num_layers, B, hidden_size]."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int):
        super().__init__()
        self.rnn = nn.RNN(input_size, hidden_size, num_layers)

    def forward(self, input_seq, hidden_state):
        output, hidden_state = self.rnn(input_seq, hidden_state)
        return output, hidden_state


class BiLSTMAttentionNER(nn.Module):
    """Zoo entry 6, as ZOO.md means it: a batch-first sequence classifier. The BiLSTM runs along
    S, a Linear(2H, 1) scores each position, softmax over S, the weighted sum over S, then the
    classifier. (The seed's LSTM is sequence-first, so its softmax ran over the batch.)
    batch_first does not change the LSTM's parameter names.

    Dims: B batch, S sequence. input_seq i64 [B, S] -> logits [B, num_labels]."""

    def __init__(self, vocab_size: int, embed_dim: int, hidden_dim: int, num_layers: int,
                 num_labels: int):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.bilstm = nn.LSTM(embed_dim, hidden_dim, num_layers, bidirectional=True,
                              batch_first=True)
        self.attention = nn.Linear(hidden_dim * 2, 1)
        self.classifier = nn.Linear(hidden_dim * 2, num_labels)

    def forward(self, input_seq):
        outputs, _ = self.bilstm(self.embed(input_seq))  # [B, S, 2H]
        weights = torch.softmax(self.attention(outputs).squeeze(-1), dim=1)  # [B, S]
        attended = (outputs * weights.unsqueeze(-1)).sum(dim=1)  # [B, 2H]
        return self.classifier(attended)


def _simple_rnn_inputs(hp, dims, gen) -> Dict[str, torch.Tensor]:
    s, b = dims["S"], dims["B"]
    return {"input_seq": torch.randn(s, b, int(hp["input_size"]), generator=gen),
            "hidden_state": torch.randn(int(hp["num_layers"]), b, int(hp["hidden_size"]),
                                        generator=gen)}


def _ner_inputs(hp, dims, gen) -> Dict[str, torch.Tensor]:
    return {"input_seq": token_ids((dims["B"], dims["S"]), int(hp["vocab_size"]), gen)}


MODELS: Dict[str, ModelSpec] = {
    "SimpleRNN": ModelSpec(SimpleRNN, ("input_seq", "hidden_state"), _simple_rnn_inputs),
    "BiLSTMAttentionNER": ModelSpec(BiLSTMAttentionNER, ("input_seq",), _ner_inputs),
}
