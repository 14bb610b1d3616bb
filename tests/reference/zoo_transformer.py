"""PyTorch references for the zoo entries built on nn.MultiheadAttention over one sequence:
4 (TransformerEncoderBlock), 8 (AttentionQNetwork) and 18 (TransformerEncoder). Parameter names
are PyTorch's own (nn.MultiheadAttention, nn.Sequential indices, nn.TransformerEncoderLayer)."""

from typing import Dict

import torch
from torch import nn

from model_spec import ModelSpec, padding_mask, spread_constant_parameters


class TransformerEncoderBlock(nn.Module):
    """Zoo entry 4, the seed's block as written: sequence-first nn.MultiheadAttention (its
    attention dropout included), x + attention, then x + ffn(x) with
    ffn = Sequential(Linear, ReLU, Dropout, Linear, Dropout). No layer norms: the seed has none,
    so the parameters are attention.{in_proj_weight, in_proj_bias, out_proj.weight,
    out_proj.bias}, ffn.0.{weight, bias} and ffn.3.{weight, bias} and nothing else. The
    attention biases, zero in PyTorch's init, get random values (spread_constant_parameters).

    Dims: S sequence, B batch. x [S, B, embed_dim], mask bool [B, S] optional (true = padding:
    that key is ignored) -> [S, B, embed_dim]."""

    def __init__(self, embed_dim: int, num_heads: int, ffn_dim: int, dropout: float):
        super().__init__()
        self.attention = nn.MultiheadAttention(embed_dim, num_heads, dropout=dropout)
        self.ffn = nn.Sequential(
            nn.Linear(embed_dim, ffn_dim),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(ffn_dim, embed_dim),
            nn.Dropout(dropout),
        )
        spread_constant_parameters(self)

    def forward(self, x, mask=None):
        attended, _ = self.attention(x, x, x, key_padding_mask=mask)
        x = x + attended
        return x + self.ffn(x)


class AttentionQNetwork(nn.Module):
    """Zoo entry 8, the seed as written: per-entity Linear+ReLU, 4-head sequence-first
    self-attention across the N entities of each example, then Linear, ReLU, Linear.

    The attention biases get random values (spread_constant_parameters).

    Dims: N entities (the sequence axis), B batch. state [N, B, state_dim] ->
    [N, B, action_dim]."""

    def __init__(self, state_dim: int, action_dim: int, hidden_dim: int):
        super().__init__()
        self.state_encoder = nn.Sequential(nn.Linear(state_dim, hidden_dim), nn.ReLU())
        self.attention = nn.MultiheadAttention(hidden_dim, num_heads=4)
        self.q_value = nn.Sequential(
            nn.Linear(hidden_dim, hidden_dim),
            nn.ReLU(),
            nn.Linear(hidden_dim, action_dim),
        )
        spread_constant_parameters(self)

    def forward(self, state):
        encoded = self.state_encoder(state)
        attended, _ = self.attention(encoded, encoded, encoded)
        return self.q_value(attended)


class TransformerEncoder(nn.TransformerEncoder):
    """Zoo entry 18: this IS PyTorch's nn.TransformerEncoder of num_layers
    nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward, activation=activation,
    batch_first=True) (post-norm, dropout 0.1 as PyTorch's default, identity in eval), no final
    norm, nested tensors off. `activation` is "relu" or "gelu" (exact erf GELU). The attention
    biases and the LayerNorms get random values (spread_constant_parameters).

    In eval under no_grad PyTorch may take its fused fast path; the contract compares only the
    non-padded positions (see MODELS' `kept`).

    Dims: B batch, S sequence. src [B, S, d_model], src_key_padding_mask bool [B, S] optional
    (true = padding) -> [B, S, d_model]."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int, num_layers: int,
                 activation: str):
        if activation not in ("relu", "gelu"):
            raise ValueError(f"activation must be relu or gelu, got '{activation}'")
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward, activation=activation,
                                           batch_first=True)
        super().__init__(layer, num_layers, enable_nested_tensor=False)
        spread_constant_parameters(self)

    def forward(self, src, src_key_padding_mask=None):
        return super().forward(src, src_key_padding_mask=src_key_padding_mask)


def _block_inputs(hp, dims, gen) -> Dict[str, torch.Tensor]:
    s, b = dims["S"], dims["B"]
    return {"x": torch.randn(s, b, int(hp["embed_dim"]), generator=gen),
            "mask": padding_mask(b, s, gen)}


def _q_network_inputs(hp, dims, gen) -> Dict[str, torch.Tensor]:
    return {"state": torch.randn(dims["N"], dims["B"], int(hp["state_dim"]), generator=gen)}


def _encoder_inputs(hp, dims, gen) -> Dict[str, torch.Tensor]:
    b, s = dims["B"], dims["S"]
    return {"src": torch.randn(b, s, int(hp["d_model"]), generator=gen),
            "src_key_padding_mask": padding_mask(b, s, gen)}


def _encoder_kept(inputs) -> Dict[int, torch.Tensor]:
    mask = inputs.get("src_key_padding_mask")
    return {} if mask is None else {0: ~mask.unsqueeze(-1)}


MODELS: Dict[str, ModelSpec] = {
    "TransformerEncoderBlock": ModelSpec(TransformerEncoderBlock, ("x", "mask"), _block_inputs),
    "AttentionQNetwork": ModelSpec(AttentionQNetwork, ("state",), _q_network_inputs),
    "TransformerEncoder": ModelSpec(TransformerEncoder, ("src", "src_key_padding_mask"),
                                    _encoder_inputs, kept=_encoder_kept),
}
