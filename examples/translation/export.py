"""Trains the translation example's models: zoo entries 10 (Encoder, a sequence-first LSTM) and
11 (Decoder, one LSTMCell step with Bahdanau attention over the encoder's outputs), PyTorch
references in tests/reference/zoo_seq2seq.py, on a made-up language pair: a sentence is 6 words
of 10, and each word has its own translation, written in the reverse order (so the attention
must find, at step t, the source word S-1-t). Teacher forcing, 600 Adam steps of 64 sentences
(some seconds on 2 threads). Then 16 new sentences are translated greedily in PyTorch: token 0
(BOS) first, then each step's argmax.

  export.py OUT   writes OUT/encoder.safetensors, OUT/decoder.safetensors, OUT/source.npy
                  [S, B] (i64), OUT/reference.npy [B, S] (the right translations),
                  OUT/greedy.npy [B, S] (PyTorch's greedy tokens) and OUT/greedy_logits.npy
                  [S, B, vocab]
"""
import pathlib
import sys

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "reference"))
from zoo_seq2seq import Decoder, Encoder  # noqa: E402

# As examples/CMakeLists.txt compiles the models (attn_add_model DEFINES).
VOCAB, EMBED, HIDDEN, LAYERS, LENGTH = 11, 16, 64, 1, 6
BOS = 0
# Source word w (1..10) translates to target word TRANSLATION[w].
TRANSLATION = torch.tensor([0, 4, 9, 1, 7, 2, 10, 5, 3, 8, 6])


def sentences(count: int, gen: torch.Generator):
    source = torch.randint(1, VOCAB, (LENGTH, count), generator=gen)   # [S, B]
    target = TRANSLATION[source].flip(0).T.contiguous()                 # [B, S]
    return source, target


def run(encoder, decoder, source, target=None):
    """Teacher-forced logits [S, B, V] (target given), or greedy tokens and logits."""
    outputs, hidden, cell = encoder(source)
    h, c, memory = hidden[0], cell[0], outputs.transpose(0, 1)
    token = torch.full((source.shape[1],), BOS, dtype=torch.int64)
    logits, tokens = [], []
    for t in range(LENGTH):
        step, h, c = decoder(token, h, c, memory)
        logits.append(step)
        token = target[:, t] if target is not None else step.argmax(-1)
        tokens.append(token)
    return torch.stack(logits), torch.stack(tokens, dim=1)


def main():
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(10)
    torch.set_num_threads(2)
    gen = torch.Generator().manual_seed(10)
    encoder, decoder = Encoder(VOCAB, EMBED, HIDDEN, LAYERS), Decoder(VOCAB, EMBED, HIDDEN, LAYERS)
    params = list(encoder.parameters()) + list(decoder.parameters())
    optimizer = torch.optim.Adam(params, lr=5e-3)
    for _ in range(600):
        source, target = sentences(64, gen)
        logits, _ = run(encoder, decoder, source, target)
        loss = F.cross_entropy(logits.reshape(-1, VOCAB), target.T.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    encoder.eval()
    decoder.eval()
    source, target = sentences(16, gen)
    with torch.no_grad():
        logits, greedy = run(encoder, decoder, source)
    acc = (greedy == target).float().mean().item()
    for name, model in (("encoder", encoder), ("decoder", decoder)):
        save_file({k: v.contiguous() for k, v in model.state_dict().items()},
                  str(out / f"{name}.safetensors"))
    np.save(out / "source.npy", source.numpy())
    np.save(out / "reference.npy", target.numpy())
    np.save(out / "greedy.npy", greedy.numpy())
    np.save(out / "greedy_logits.npy", logits.numpy())
    print(f"export: trained (loss {loss.item():.3f}); PyTorch's greedy translations get "
          f"{acc:.1%} of the words of 16 new sentences right -> {out}")


if __name__ == "__main__":
    main()
