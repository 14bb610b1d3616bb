"""PyTorch references for tests/numeric/ops/transformer.attn: the stdlib's transformer layers
(dsl/stdlib/transformer.attn) are PyTorch's nn.MultiheadAttention, nn.TransformerEncoderLayer and
nn.TransformerEncoder, with the same state_dict names.

Masks: a bool key padding mask (true = padding) that never pads key 0, and an attention mask
that is additive, -inf above the diagonal (causal) and random below it, or bool (the *BoolMask
models), true above the diagonal and at random keys below it but never at key 0, so no query row
loses every key (PyTorch gives NaN there; the DSL's layers are not required to match that).

In eval under no_grad PyTorch takes a fused fast path for batch-first self-attention with an
even number of heads; with an additive mask that is not exactly the causal one
(generate_square_subsequent_mask) that path gives NaN everywhere (torch 2.x), and at padded
positions it may give other values. The encoder references therefore run with the fast path off
(the definition every path is meant to compute) and every position is compared."""

import contextlib
from typing import Dict, Mapping, Optional

import torch
from torch import nn

from model_spec import ModelSpec, spread_constant_parameters


@contextlib.contextmanager
def _no_fast_path():
    enabled = torch.backends.mha.get_fastpath_enabled()
    torch.backends.mha.set_fastpath_enabled(False)
    try:
        yield
    finally:
        torch.backends.mha.set_fastpath_enabled(enabled)


class MHAMasks(nn.Module):
    """nn.MultiheadAttention on separate query, key and value (cross-attention: L and S may
    differ), both outputs: attn_output and the weights averaged over the heads.

    Dims: L queries, S keys, B batch. query [L, B, E] ([B, L, E] when batch_first), key
    [S, B, kdim] and value [S, B, vdim] ([B, S, ...]; kdim and vdim default to E),
    key_padding_mask bool [B, S] optional, attn_mask [L, S] optional ->
    attn_output (query's shape), attn_weights [B, L, S]."""

    def __init__(self, embed_dim: int, num_heads: int, bias: bool = True,
                 batch_first: bool = False, kdim: Optional[int] = None,
                 vdim: Optional[int] = None):
        super().__init__()
        self.attn = nn.MultiheadAttention(embed_dim, num_heads, bias=bias,
                                          batch_first=batch_first, kdim=kdim, vdim=vdim)
        spread_constant_parameters(self)

    def forward(self, query, key, value, key_padding_mask: Optional[torch.Tensor] = None,
                attn_mask: Optional[torch.Tensor] = None):
        return self.attn(query, key, value, key_padding_mask=key_padding_mask,
                         attn_mask=attn_mask, need_weights=True, average_attn_weights=True)


class EncoderLayer(nn.Module):
    """nn.TransformerEncoderLayer, post-norm or pre-norm, relu or gelu.

    Dims: S sequence, B batch. src [S, B, d_model] ([B, S, d_model] when batch_first), src_mask
    [S, S] optional, src_key_padding_mask bool [B, S] optional -> src's shape."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 activation: str = "relu", norm_first: bool = False, batch_first: bool = False):
        super().__init__()
        self.layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward,
                                                activation=activation, batch_first=batch_first,
                                                norm_first=norm_first)
        spread_constant_parameters(self)

    def forward(self, src, src_mask=None, src_key_padding_mask=None):
        with _no_fast_path():
            return self.layer(src, src_mask=src_mask, src_key_padding_mask=src_key_padding_mask)


class EncoderStack(nn.Module):
    """nn.TransformerEncoder of num_layers copies of one nn.TransformerEncoderLayer (no final
    norm, nested tensors off); each copy gets its own random parameters.

    Dims as EncoderLayer's; the mask input is named `mask` as nn.TransformerEncoder names it."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int, num_layers: int,
                 activation: str = "relu", norm_first: bool = False, batch_first: bool = False):
        super().__init__()
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward, activation=activation,
                                           batch_first=batch_first, norm_first=norm_first)
        self.encoder = nn.TransformerEncoder(layer, num_layers, enable_nested_tensor=False)
        spread_constant_parameters(self)

    def forward(self, src, mask=None, src_key_padding_mask=None):
        with _no_fast_path():
            return self.encoder(src, mask=mask, src_key_padding_mask=src_key_padding_mask)


class EncoderLayerFromIds(nn.Module):
    """nn.TransformerEncoderLayer (batch first) whose padding mask is `ids == 0`.

    Dims: B batch, S sequence. src [B, S, d_model], ids int64 [B, S] -> src's shape."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048):
        super().__init__()
        self.layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward, batch_first=True)
        spread_constant_parameters(self)

    def forward(self, src, ids):
        with _no_fast_path():
            return self.layer(src, src_key_padding_mask=ids == 0)


def _padding(batch: int, seq: int, gen: torch.Generator) -> torch.Tensor:
    """bool [batch, seq], true = padding, about a third of the keys, never key 0."""
    mask = torch.rand(batch, seq, generator=gen) < 0.35
    mask[:, 0] = False
    if seq > 1:
        mask[0, -1] = True  # at least one padded key
    return mask


def _causal(queries: int, keys: int, gen: torch.Generator) -> torch.Tensor:
    """f32 [queries, keys]: -inf where key j > query i, random values elsewhere."""
    values = torch.randn(queries, keys, generator=gen)
    above = torch.arange(keys).unsqueeze(0) > torch.arange(queries).unsqueeze(1)
    return values.masked_fill(above, float("-inf"))


def _causal_bool(queries: int, keys: int, gen: torch.Generator) -> torch.Tensor:
    """bool [queries, keys], true = may not attend: above the diagonal, and about a quarter of
    the keys below it; key 0 stays open to every query."""
    above = torch.arange(keys).unsqueeze(0) > torch.arange(queries).unsqueeze(1)
    mask = above | (torch.rand(queries, keys, generator=gen) < 0.25)
    mask[:, 0] = False
    return mask


def _sequence(hp: Mapping[str, object], seq: int, batch: int, width: str, gen,
              default: str = ""):
    shape = (batch, seq) if hp.get("batch_first", False) else (seq, batch)
    return torch.randn(*shape, int(hp.get(width, hp.get(default))), generator=gen)


def _mha_inputs(hp: Mapping[str, object], dims: Mapping[str, int], gen: torch.Generator,
                attn_mask=_causal):
    b, l, s = dims["B"], dims["L"], dims["S"]
    return {"query": _sequence(hp, l, b, "embed_dim", gen),
            "key": _sequence(hp, s, b, "kdim", gen, "embed_dim"),
            "value": _sequence(hp, s, b, "vdim", gen, "embed_dim"),
            "key_padding_mask": _padding(b, s, gen),
            "attn_mask": attn_mask(l, s, gen)}


def _encoder_inputs(mask_name: str, attn_mask=_causal):
    def make(hp: Mapping[str, object], dims: Mapping[str, int], gen: torch.Generator):
        b, s = dims["B"], dims["S"]
        return {"src": _sequence(hp, s, b, "d_model", gen),
                mask_name: attn_mask(s, s, gen),
                "src_key_padding_mask": _padding(b, s, gen)}

    return make


def _ids_inputs(hp: Mapping[str, object], dims: Mapping[str, int], gen: torch.Generator):
    """src [B, S, d_model]; ids in 0..3, 0 (padding) for about a quarter, never at position 0."""
    b, s = dims["B"], dims["S"]
    ids = torch.randint(0, 4, (b, s), generator=gen)
    ids[:, 0] = 1
    return {"src": torch.randn(b, s, int(hp["d_model"]), generator=gen), "ids": ids}


OPS: Dict[str, ModelSpec] = {
    "MHAMasks": ModelSpec(MHAMasks, ("query", "key", "value", "key_padding_mask", "attn_mask"),
                          _mha_inputs),
    "EncoderLayer": ModelSpec(EncoderLayer, ("src", "src_mask", "src_key_padding_mask"),
                              _encoder_inputs("src_mask")),
    "EncoderStack": ModelSpec(EncoderStack, ("src", "mask", "src_key_padding_mask"),
                              _encoder_inputs("mask")),
    "EncoderLayerFromIds": ModelSpec(EncoderLayerFromIds, ("src", "ids"), _ids_inputs),
    # The same layers given a bool attention mask (true = masked) instead of an additive one.
    "MHABoolMask": ModelSpec(MHAMasks,
                             ("query", "key", "value", "key_padding_mask", "attn_mask"),
                             lambda hp, dims, gen: _mha_inputs(hp, dims, gen, _causal_bool)),
    "EncoderLayerBoolMask": ModelSpec(EncoderLayer,
                                      ("src", "src_mask", "src_key_padding_mask"),
                                      _encoder_inputs("src_mask", _causal_bool)),
    "EncoderStackBoolMask": ModelSpec(EncoderStack, ("src", "mask", "src_key_padding_mask"),
                                      _encoder_inputs("mask", _causal_bool)),
}
