"""PyTorch reference for zoo entry 19 (SentenceEncoder): all-MiniLM-L6-v2 as sentence-transformers
runs it, i.e. a Hugging Face BertModel plus mean pooling and L2 normalisation. Random weights here
(small sizes in the numeric tests); the published weights are handled by minilm.py."""

from typing import Dict

import torch
from torch import nn
from torch.nn import functional as F

from model_spec import ModelSpec, lengths, token_ids, trailing_mask


def mean_pool_normalize(last_hidden_state: torch.Tensor, attention_mask: torch.Tensor):
    """sentence-transformers' Pooling(mean) then Normalize: the mean of the hidden states over
    the tokens the mask keeps (the count clamped at 1e-9 as there), L2-normalised (eps 1e-12)."""
    keep = attention_mask.unsqueeze(-1).to(last_hidden_state.dtype)
    summed = (last_hidden_state * keep).sum(dim=1)
    mean = summed / keep.sum(dim=1).clamp(min=1e-9)
    return F.normalize(mean, p=2, dim=1)


def _spread_weights(bert: nn.Module):
    """Random weights under which every part of the model shows in the outputs. BERT's own init
    (weights N(0, 0.02^2), biases 0, LayerNorm 1 and 0) makes the attention almost uniform
    (a wrong score scale would not show) and hides a missing bias or LayerNorm affine. Here:
    Linear weights N(0, 1/in_features) (scores of order 1), biases N(0, 0.25), embeddings
    N(0, 1), LayerNorm weight N(1, 0.25) and bias N(0, 0.25)."""
    with torch.no_grad():
        for m in bert.modules():
            if isinstance(m, nn.Linear):
                m.weight.normal_(0.0, m.in_features ** -0.5)
                m.bias.normal_(0.0, 0.5)
            elif isinstance(m, nn.Embedding):
                m.weight.normal_(0.0, 1.0)
            elif isinstance(m, nn.LayerNorm):
                m.weight.normal_(1.0, 0.5)
                m.bias.normal_(0.0, 0.5)


class SentenceEncoder(nn.Module):
    """Zoo entry 19: a Hugging Face BertModel (post-norm, exact erf GELU, absolute positions
    0..S-1, token type 0, with pooler) built from the hyperparameters, plus mean pooling and
    normalisation. The BertModel's embeddings, encoder and pooler are registered here directly,
    so state_dict() has BertModel's own names (embeddings.*, encoder.layer.{i}.*,
    pooler.dense.*; its position_ids and token_type_ids buffers are non-persistent, not in it).
    Eager attention: the softmax written out. transformers is imported here, not at module
    import, so that loading the registry stays fast. Weights are drawn by _spread_weights, not
    by BERT's init.

    Dims: B batch, S sequence. input_ids i64 [B, S], attention_mask i64 [B, S] (1 = token) ->
    last_hidden_state [B, S, hidden_size], pooler_output [B, hidden_size] (tanh(dense(first
    token))), sentence_embedding [B, hidden_size] (mean over kept tokens, L2-normalised)."""

    def __init__(self, vocab_size: int = 30522, hidden_size: int = 384,
                 num_hidden_layers: int = 6, num_attention_heads: int = 12,
                 intermediate_size: int = 1536, max_position_embeddings: int = 512,
                 type_vocab_size: int = 2, layer_norm_eps: float = 1e-12):
        super().__init__()
        from transformers import BertConfig, BertModel
        config = BertConfig(vocab_size=vocab_size, hidden_size=hidden_size,
                            num_hidden_layers=num_hidden_layers,
                            num_attention_heads=num_attention_heads,
                            intermediate_size=intermediate_size, hidden_act="gelu",
                            max_position_embeddings=max_position_embeddings,
                            type_vocab_size=type_vocab_size, layer_norm_eps=layer_norm_eps,
                            position_embedding_type="absolute")
        config._attn_implementation = "eager"
        bert = BertModel(config, add_pooling_layer=True)
        _spread_weights(bert)
        self.embeddings = bert.embeddings
        self.encoder = bert.encoder
        self.pooler = bert.pooler
        self._bert = (bert,)  # a tuple: not registered a second time under a prefix

    def train(self, mode: bool = True):
        self._bert[0].train(mode)
        return super().train(mode)

    def forward(self, input_ids, attention_mask):
        out = self._bert[0](input_ids=input_ids, attention_mask=attention_mask)
        return (out.last_hidden_state, out.pooler_output,
                mean_pool_normalize(out.last_hidden_state, attention_mask))


def _sentence_inputs(hp, dims, gen) -> Dict[str, torch.Tensor]:
    """Random ids everywhere (padded positions too: a model that reads them shows), trailing
    padding as a tokenizer makes it, lengths in [1, S] with at least one full row."""
    b, s = dims["B"], dims["S"]
    return {"input_ids": token_ids((b, s), int(hp.get("vocab_size", 30522)), gen),
            "attention_mask": trailing_mask(lengths(b, s, gen), s)}


def _sentence_kept(inputs) -> Dict[int, torch.Tensor]:
    # The contract compares last_hidden_state at kept tokens only.
    return {0: inputs["attention_mask"].bool().unsqueeze(-1)}


MODELS: Dict[str, ModelSpec] = {
    "SentenceEncoder": ModelSpec(SentenceEncoder, ("input_ids", "attention_mask"),
                                 _sentence_inputs, kept=_sentence_kept),
}
