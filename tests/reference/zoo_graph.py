"""PyTorch reference for zoo entry 7 (GAT), the seed's graph attention network as written."""

from typing import Dict

import torch
from torch import nn
from torch.nn import functional as F

from model_spec import ModelSpec


class GraphAttentionLayer(nn.Module):
    """The seed's layer: Wh = h W; e_ij = LeakyReLU(a[:F]·Wh_i + a[F:]·Wh_j); softmax over j of
    e where adj > 0 (-9e15 elsewhere); h'_i = sum_j att_ij Wh_j; ELU when concat."""

    def __init__(self, in_features: int, out_features: int, dropout: float, alpha: float,
                 concat: bool = True):
        super().__init__()
        self.dropout = dropout
        self.out_features = out_features
        self.concat = concat
        self.W = nn.Parameter(torch.empty(in_features, out_features))
        nn.init.xavier_uniform_(self.W.data, gain=1.414)
        self.a = nn.Parameter(torch.empty(2 * out_features, 1))
        nn.init.xavier_uniform_(self.a.data, gain=1.414)
        self.leakyrelu = nn.LeakyReLU(alpha)

    def forward(self, h, adj):
        wh = h @ self.W  # [N, out]
        e = self.leakyrelu(wh @ self.a[:self.out_features] + (wh @ self.a[self.out_features:]).T)
        attention = torch.where(adj > 0, e, torch.full_like(e, -9e15))
        attention = F.dropout(F.softmax(attention, dim=1), self.dropout, training=self.training)
        h_prime = attention @ wh
        return F.elu(h_prime) if self.concat else h_prime


class GAT(nn.Module):
    """Zoo entry 7: nheads concatenated GraphAttentionLayers (ELU), an output layer
    (concat=False) followed by ELU as the seed does, log_softmax over classes. The heads are
    registered as attention_{i}; the seed keeps them in a plain list, so there is no
    `attentions.` prefix.

    Dims: N nodes. x [N, num_features], adj [N, N] (row i attends to column j where
    adj[i, j] > 0) -> log-probabilities [N, num_classes]."""

    def __init__(self, num_features: int, hidden_size: int, num_classes: int, dropout: float,
                 alpha: float, nheads: int):
        super().__init__()
        self.dropout = dropout
        self.attentions = [GraphAttentionLayer(num_features, hidden_size, dropout, alpha, True)
                           for _ in range(nheads)]
        for i, attention in enumerate(self.attentions):
            self.add_module(f"attention_{i}", attention)
        self.out_attention = GraphAttentionLayer(hidden_size * nheads, num_classes, dropout,
                                                 alpha, concat=False)

    def forward(self, x, adj):
        x = F.dropout(x, self.dropout, training=self.training)
        x = torch.cat([att(x, adj) for att in self.attentions], dim=1)
        x = F.dropout(x, self.dropout, training=self.training)
        x = F.elu(self.out_attention(x, adj))
        return F.log_softmax(x, dim=1)


def _gat_inputs(hp, dims, gen) -> Dict[str, torch.Tensor]:
    """Directed random edges (p = 0.3, so adj is not symmetric and a transposed mask shows) plus
    self-loops, so every row has a neighbour; the edge weights are 1."""
    n = dims["N"]
    adj = (torch.rand(n, n, generator=gen) < 0.3).to(torch.float32)
    adj.fill_diagonal_(1.0)
    return {"x": torch.randn(n, int(hp["num_features"]), generator=gen), "adj": adj}


MODELS: Dict[str, ModelSpec] = {
    "GAT": ModelSpec(GAT, ("x", "adj"), _gat_inputs),
}
