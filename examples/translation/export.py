"""Trains the translation example's models: zoo entries 10 (Encoder, a sequence-first LSTM) and
11 (Decoder, one LSTMCell step with Bahdanau attention over the encoder's outputs), PyTorch
references in tests/reference/zoo_seq2seq.py, on a made-up language pair: a sentence is 6 words
of 10, and each word has its own translation, written in the reverse order (so the attention
must find, at step t, the source word S-1-t). Teacher forcing, 600 Adam steps of 64 sentences
(some seconds on one thread). Then 16 new sentences are translated greedily in PyTorch: token 0
(BOS) first, then each step's argmax.

  export.py OUT   writes OUT/encoder.safetensors, OUT/decoder.safetensors, OUT/source.npy
                  [S, B] (i64), OUT/reference.npy [B, S] (the right translations),
                  OUT/greedy.npy [B, S] (PyTorch's greedy tokens) and OUT/greedy_logits.npy
                  [S, B, vocab]
"""
import pathlib
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "common"))
from export_util import decode, save_arrays, save_model, start, train  # noqa: E402
from zoo_seq2seq import Decoder, Encoder  # noqa: E402

# As examples/CMakeLists.txt compiles the models (attn_add_model DEFINES).
VOCAB, EMBED, HIDDEN, LAYERS, LENGTH = 11, 16, 64, 1, 6
# Source word w (1..10) translates to target word TRANSLATION[w].
TRANSLATION = torch.tensor([0, 4, 9, 1, 7, 2, 10, 5, 3, 8, 6])


def sentences(count: int, gen: torch.Generator):
    source = torch.randint(1, VOCAB, (LENGTH, count), generator=gen)   # [S, B]
    target = TRANSLATION[source].flip(0).T.contiguous()                 # [B, S]
    return source, target


def run(encoder, decoder, source, target=None):
    """Teacher-forced logits [S, B, V] (target given), or greedy tokens and logits."""
    outputs, hidden, cell = encoder(source)
    return decode(decoder, hidden[0], cell[0], outputs.transpose(0, 1), LENGTH, target)


def main():
    out, gen = start(10)
    encoder, decoder = Encoder(VOCAB, EMBED, HIDDEN, LAYERS), Decoder(VOCAB, EMBED, HIDDEN, LAYERS)

    def loss():
        source, target = sentences(64, gen)
        logits, _ = run(encoder, decoder, source, target)
        return F.cross_entropy(logits.reshape(-1, VOCAB), target.T.reshape(-1))

    final_loss = train([encoder, decoder], 600, 5e-3, loss)
    source, target = sentences(16, gen)
    with torch.no_grad():
        logits, greedy = run(encoder, decoder, source)
    acc = (greedy == target).float().mean().item()
    save_model(encoder, out / "encoder.safetensors")
    save_model(decoder, out / "decoder.safetensors")
    save_arrays(out, source=source, reference=target, greedy=greedy, greedy_logits=logits)
    print(f"export: trained (loss {final_loss:.3f}); PyTorch's greedy translations get "
          f"{acc:.1%} of the words of 16 new sentences right -> {out}")


if __name__ == "__main__":
    main()
