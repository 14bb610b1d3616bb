"""Makes the GAT example's graph and trains zoo entry 7 (GAT, the PyTorch reference in
tests/reference/zoo_graph.py) to classify its nodes.

The graph is generated: 3 communities of 40 nodes; an edge joins two nodes of one community with
probability 0.15 and of two communities with 0.01 (plus self-loops). A node's 12 features are
Gaussian noise around its community's centre. The GAT trains on about half the nodes (200 Adam
steps, a few seconds) and is scored on the others.

  export.py OUT   writes OUT/weights.safetensors, OUT/x.npy [N, 12], OUT/adj.npy [N, N],
                  OUT/labels.npy, OUT/train_mask.npy and OUT/expected.npy (PyTorch's output)
"""
import pathlib
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "common"))
from export_util import save_arrays, save_model, start, train  # noqa: E402
from zoo_graph import GAT  # noqa: E402

# As examples/CMakeLists.txt compiles the model (attn_add_model DEFINES).
FEATURES, HIDDEN, CLASSES, HEADS = 12, 8, 3, 2
PER_CLASS = 40


def make_graph(gen: torch.Generator):
    n = CLASSES * PER_CLASS
    labels = torch.arange(CLASSES).repeat_interleave(PER_CLASS)
    same = labels[:, None] == labels[None, :]
    p = torch.where(same, torch.tensor(0.15), torch.tensor(0.01))
    adj = (torch.rand(n, n, generator=gen) < p).float()
    adj = torch.maximum(adj, adj.T)
    adj.fill_diagonal_(1.0)
    centres = torch.randn(CLASSES, FEATURES, generator=gen)
    x = centres[labels] + 1.5 * torch.randn(n, FEATURES, generator=gen)
    return x, adj, labels


def main():
    out, gen = start(7)
    x, adj, labels = make_graph(gen)
    train_mask = torch.rand(len(labels), generator=gen) < 0.5
    model = GAT(FEATURES, HIDDEN, CLASSES, dropout=0.2, alpha=0.2, nheads=HEADS)
    train([model], 200, 0.01,
          lambda: F.nll_loss(model(x, adj)[train_mask], labels[train_mask]), weight_decay=5e-4)
    with torch.no_grad():
        logp = model(x, adj)
    test_acc = (logp.argmax(1) == labels)[~train_mask].float().mean().item()
    save_model(model, out / "weights.safetensors")
    save_arrays(out, x=x, adj=adj, labels=labels, train_mask=train_mask, expected=logp)
    print(f"export: GAT trained on {int(train_mask.sum())} of {len(labels)} nodes; PyTorch's accuracy "
          f"on the other {int((~train_mask).sum())}: {test_acc:.1%} -> {out}")


if __name__ == "__main__":
    main()
