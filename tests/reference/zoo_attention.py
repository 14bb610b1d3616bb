"""PyTorch references for the zoo entries from the attention-mechanisms notebook (seed 002):
16 (LuongAttention, its formulas) and 17 (AdditiveSeq2Seq, its Keras model in PyTorch)."""

from typing import Dict

import torch
from torch import nn

from model_spec import ModelSpec, token_ids


class LuongAttention(nn.Module):
    """Zoo entry 16, the notebook's formulas: score(s, h_i) = s^T W_a h_i, alpha = softmax over
    i, c = sum_i alpha_i h_i, attentional = tanh(W_c [c; s]). W_a, W_c are bias-free Linears
    (W_a(h_i) = W_a.weight h_i, so the score is s · W_a(h_i)).

    Dims: B batch, S source length, H = hidden_dim. s [B, H], h [B, S, H] ->
    attentional [B, H], weights [B, S]."""

    def __init__(self, hidden_dim: int):
        super().__init__()
        self.W_a = nn.Linear(hidden_dim, hidden_dim, bias=False)
        self.W_c = nn.Linear(hidden_dim * 2, hidden_dim, bias=False)

    def forward(self, s, h):
        scores = torch.einsum("bd,bsd->bs", s, self.W_a(h))
        weights = torch.softmax(scores, dim=1)
        context = torch.einsum("bs,bsd->bd", weights, h)
        return torch.tanh(self.W_c(torch.cat([context, s], dim=1))), weights


class AdditiveAttentionLayer(nn.Module):
    """The notebook's Keras AttentionLayer at every decoder step: W_a, U_a [units, units] and
    V_a [units, 1] multiply row vectors from the right (Keras tensordot):
    score[b, t, s] = V_a^T tanh(enc[b, s] W_a + dec[b, t] U_a), alpha = softmax over s,
    context[b, t] = sum_s alpha[b, t, s] enc[b, s].

    Keras would draw the weights from N(0, 0.05^2); the reference uses N(0, 1/units) for W_a, U_a
    and N(0, 1) for V_a so that random-weight tests see attention weights far from uniform."""

    def __init__(self, units: int):
        super().__init__()
        self.W_a = nn.Parameter(torch.randn(units, units) / units ** 0.5)
        self.U_a = nn.Parameter(torch.randn(units, units) / units ** 0.5)
        self.V_a = nn.Parameter(torch.randn(units, 1))

    def forward(self, encoder_output, decoder_output):
        keys = (encoder_output @ self.W_a).unsqueeze(1)  # [B, 1, Te, u]
        queries = (decoder_output @ self.U_a).unsqueeze(2)  # [B, Td, 1, u]
        scores = (torch.tanh(keys + queries) @ self.V_a).squeeze(-1)  # [B, Td, Te]
        weights = torch.softmax(scores, dim=-1)
        return weights @ encoder_output, weights  # context [B, Td, u]


class AdditiveSeq2Seq(nn.Module):
    """Zoo entry 17, the notebook's Keras model as ZOO.md means it: embeddings (input_vocab + 1
    and target_vocab + 1 rows, width `units`: the notebook's Embedding(output_dim=64) and
    LSTM(64) are the same 64, read as `units`), an encoder LSTM, a decoder LSTM started from the
    encoder's final (h, c), Bahdanau attention at every decoder step (AdditiveAttentionLayer),
    then softmax(Linear([context; dec])). The LSTMs are PyTorch's (two biases, gates i, f, g, o).

    Dims: B batch, Te source length, Td target length. encoder_inputs i64 [B, Te] (ids in
    [0, input_vocab]), decoder_inputs i64 [B, Td] (ids in [0, target_vocab]) ->
    probabilities [B, Td, target_vocab + 1]."""

    def __init__(self, input_vocab: int, target_vocab: int, units: int = 64):
        super().__init__()
        self.encoder_embedding = nn.Embedding(input_vocab + 1, units)
        self.encoder = nn.LSTM(units, units, batch_first=True)
        self.decoder_embedding = nn.Embedding(target_vocab + 1, units)
        self.decoder = nn.LSTM(units, units, batch_first=True)
        self.attention = AdditiveAttentionLayer(units)
        self.output = nn.Linear(units * 2, target_vocab + 1)

    def forward(self, encoder_inputs, decoder_inputs):
        encoder_outputs, state = self.encoder(self.encoder_embedding(encoder_inputs))
        decoder_outputs, _ = self.decoder(self.decoder_embedding(decoder_inputs), state)
        context, _ = self.attention(encoder_outputs, decoder_outputs)
        combined = torch.cat([context, decoder_outputs], dim=-1)  # [B, Td, 2u]
        return torch.softmax(self.output(combined), dim=-1)


def _luong_inputs(hp, dims, gen) -> Dict[str, torch.Tensor]:
    b, h = dims["B"], int(hp["hidden_dim"])
    return {"s": torch.randn(b, h, generator=gen),
            "h": torch.randn(b, dims["S"], h, generator=gen)}


def _seq2seq_inputs(hp, dims, gen) -> Dict[str, torch.Tensor]:
    b = dims["B"]
    return {"encoder_inputs": token_ids((b, dims["Te"]), int(hp["input_vocab"]) + 1, gen),
            "decoder_inputs": token_ids((b, dims["Td"]), int(hp["target_vocab"]) + 1, gen)}


MODELS: Dict[str, ModelSpec] = {
    "LuongAttention": ModelSpec(LuongAttention, ("s", "h"), _luong_inputs),
    "AdditiveSeq2Seq": ModelSpec(AdditiveSeq2Seq, ("encoder_inputs", "decoder_inputs"),
                                 _seq2seq_inputs),
}
