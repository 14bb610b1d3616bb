"""PyTorch references for the LSTM encoder-decoder zoo entries and their additive attention:
10 (Encoder), 11 (Decoder), 12 (BiEncoder), 14 (CaptionDecoder) and 15 (BahdanauAttention).
Parameter names are PyTorch's own (nn.Embedding, nn.LSTM, nn.LSTMCell, nn.Linear)."""

from typing import Dict

import torch
from torch import nn
from torch.nn import functional as F

from model_spec import ModelSpec, lengths, token_ids


class BahdanauAttention(nn.Module):
    """Zoo entry 15, the seed's `Attention(hidden_dim)`: energy = tanh(attn([hidden; enc_s])),
    score_s = v · energy_s, weights = softmax over s, context = sum_s weights_s enc_s.

    Dims: B batch, S source length. hidden [B, H], encoder_outputs [B, S, H] ->
    context [B, 1, H], attention_weights [B, S]."""

    def __init__(self, hidden_dim: int):
        super().__init__()
        self.attn = nn.Linear(hidden_dim * 2, hidden_dim)
        self.v = nn.Parameter(torch.rand(hidden_dim))

    def forward(self, hidden, encoder_outputs):
        seq_len = encoder_outputs.shape[1]
        repeated = hidden.unsqueeze(1).expand(-1, seq_len, -1)  # [B, S, H]
        energy = torch.tanh(self.attn(torch.cat((repeated, encoder_outputs), dim=2)))
        attention_weights = F.softmax(energy @ self.v, dim=1)  # [B, S]
        context = torch.bmm(attention_weights.unsqueeze(1), encoder_outputs)  # [B, 1, H]
        return context, attention_weights


class Encoder(nn.Module):
    """Zoo entry 10, the seed's seq2seq encoder: embedding, sequence-first nn.LSTM.

    Dims: S sequence, B batch, L = num_layers, H = hidden_dim. input_seq i64 [S, B] ->
    outputs [S, B, H], hidden [L, B, H], cell [L, B, H]."""

    def __init__(self, input_dim: int, embed_dim: int, hidden_dim: int, num_layers: int):
        super().__init__()
        self.embed = nn.Embedding(input_dim, embed_dim)
        self.rnn = nn.LSTM(embed_dim, hidden_dim, num_layers)

    def forward(self, input_seq):
        outputs, (hidden, cell) = self.rnn(self.embed(input_seq))
        return outputs, hidden, cell


class _AttentionDecoderStep(nn.Module):
    """One decoder step shared by entries 11 and 14, as ZOO.md means it: the additive attention's
    context [B, H] (the seed's Attention returns ([B, 1, H], weights)) is concatenated after the
    embedding to [B, E + H] for the LSTMCell; out reads the new hidden state."""

    def __init__(self, vocab: int, embed_dim: int, hidden_dim: int):
        super().__init__()
        self.embed = nn.Embedding(vocab, embed_dim)
        self.rnn = nn.LSTMCell(embed_dim + hidden_dim, hidden_dim)
        self.attention = BahdanauAttention(hidden_dim)
        self.out = nn.Linear(hidden_dim, vocab)

    def step(self, input, hidden, cell, memory):
        embedded = self.embed(input)  # [B, E]
        context, _ = self.attention(hidden, memory)
        rnn_input = torch.cat([embedded, context.squeeze(1)], dim=1)  # [B, E + H]
        hidden, cell = self.rnn(rnn_input, (hidden, cell))
        return self.out(hidden), hidden, cell


class Decoder(_AttentionDecoderStep):
    """Zoo entry 11: one attention-decoder step (see _AttentionDecoderStep), attention =
    BahdanauAttention(hidden_dim) built inside (the seed passes it in). num_layers is kept for
    parity with the seed and unused, as there.

    Dims: B batch, S source length, H = hidden_dim. input i64 [B], hidden [B, H], cell [B, H],
    encoder_outputs [B, S, H] -> output [B, output_dim], hidden [B, H], cell [B, H]."""

    def __init__(self, output_dim: int, embed_dim: int, hidden_dim: int, num_layers: int):
        super().__init__(output_dim, embed_dim, hidden_dim)
        self.num_layers = num_layers

    def forward(self, input, hidden, cell, encoder_outputs):
        return self.step(input, hidden, cell, encoder_outputs)


class CaptionDecoder(_AttentionDecoderStep):
    """Zoo entry 14: the captioning decoder step, the same computation and names as Decoder, the
    attention over the L image regions.

    Dims: B batch, L regions, H = hidden_dim. input i64 [B], hidden [B, H], cell [B, H],
    encoder_features [B, L, H] -> output [B, vocab_size], hidden [B, H], cell [B, H]."""

    def __init__(self, embed_dim: int, hidden_dim: int, vocab_size: int):
        super().__init__(vocab_size, embed_dim, hidden_dim)

    def forward(self, input, hidden, cell, encoder_features):
        return self.step(input, hidden, cell, encoder_features)


class BiEncoder(nn.Module):
    """Zoo entry 12, the seed's slide-7 encoder: embedding, bidirectional nn.LSTM over packed
    variable-length sequences. Lengths need not be sorted (enforce_sorted=False; PyTorch
    returns hidden and cell in the input's batch order). Outputs are zero past each length and
    padded to S (total_length).

    Dims: S sequence, B batch, L = num_layers, H = hidden_dim. input_seq i64 [S, B],
    input_lengths i64 [B] (each in [1, S]) -> outputs [S, B, 2H], hidden [2L, B, H],
    cell [2L, B, H] (layer-major: l0 forward, l0 backward, l1 forward, ...)."""

    def __init__(self, input_dim: int, embed_dim: int, hidden_dim: int, num_layers: int):
        super().__init__()
        self.embed = nn.Embedding(input_dim, embed_dim)
        self.rnn = nn.LSTM(embed_dim, hidden_dim, num_layers, bidirectional=True)

    def forward(self, input_seq, input_lengths):
        embedded = self.embed(input_seq)
        packed = nn.utils.rnn.pack_padded_sequence(embedded, input_lengths.cpu(),
                                                   enforce_sorted=False)
        outputs, (hidden, cell) = self.rnn(packed)
        outputs, _ = nn.utils.rnn.pad_packed_sequence(outputs, total_length=input_seq.shape[0])
        return outputs, hidden, cell


def _encoder_inputs(hp, dims, gen) -> Dict[str, torch.Tensor]:
    return {"input_seq": token_ids((dims["S"], dims["B"]), int(hp["input_dim"]), gen)}


def _bi_encoder_inputs(hp, dims, gen) -> Dict[str, torch.Tensor]:
    s, b = dims["S"], dims["B"]
    return {"input_seq": token_ids((s, b), int(hp["input_dim"]), gen),
            "input_lengths": lengths(b, s, gen)}


def _decoder_inputs(vocab: str, memory: str, length: str):
    def make(hp, dims, gen) -> Dict[str, torch.Tensor]:
        b, h = dims["B"], int(hp["hidden_dim"])
        return {"input": token_ids((b,), int(hp[vocab]), gen),
                "hidden": torch.randn(b, h, generator=gen),
                "cell": torch.randn(b, h, generator=gen),
                memory: torch.randn(b, dims[length], h, generator=gen)}

    return make


def _bahdanau_inputs(hp, dims, gen) -> Dict[str, torch.Tensor]:
    b, h = dims["B"], int(hp["hidden_dim"])
    return {"hidden": torch.randn(b, h, generator=gen),
            "encoder_outputs": torch.randn(b, dims["S"], h, generator=gen)}


_DECODER_INPUTS = ("input", "hidden", "cell")

MODELS: Dict[str, ModelSpec] = {
    "Encoder": ModelSpec(Encoder, ("input_seq",), _encoder_inputs),
    "Decoder": ModelSpec(Decoder, _DECODER_INPUTS + ("encoder_outputs",),
                         _decoder_inputs("output_dim", "encoder_outputs", "S")),
    "BiEncoder": ModelSpec(BiEncoder, ("input_seq", "input_lengths"), _bi_encoder_inputs),
    "CaptionDecoder": ModelSpec(CaptionDecoder, _DECODER_INPUTS + ("encoder_features",),
                                _decoder_inputs("vocab_size", "encoder_features", "L")),
    "BahdanauAttention": ModelSpec(BahdanauAttention, ("hidden", "encoder_outputs"),
                                   _bahdanau_inputs),
}
