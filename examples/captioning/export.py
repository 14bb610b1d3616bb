"""Trains the captioning example's models: zoo entries 13 (CaptionEncoder, a small CNN whose
grid of regions is the attention's memory) and 14 (CaptionDecoder, one LSTMCell step with
Bahdanau attention over the regions), PyTorch references in tests/reference/zoo_vision.py and
zoo_seq2seq.py, on generated 16 x 16 images: one coloured square (red, green or blue) in one of
the four quadrants, on a noisy grey background. The caption is its colour, its place and END.
Teacher forcing from BOS with zero initial states, 400 Adam steps of 32 images (some seconds),
then 12 new images captioned greedily in PyTorch.

  export.py OUT   writes OUT/encoder.safetensors, OUT/decoder.safetensors, OUT/images.npy,
                  OUT/reference.npy [B, 3], OUT/greedy.npy [B, 3] (PyTorch's words) and
                  OUT/greedy_logits.npy [3, B, vocab]
"""
import pathlib
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "common"))
from export_util import decode, save_arrays, save_model, start, train  # noqa: E402
from zoo_seq2seq import CaptionDecoder  # noqa: E402
from zoo_vision import CaptionEncoder  # noqa: E402

# As examples/CMakeLists.txt compiles the models (attn_add_model DEFINES).
EMBED, HIDDEN, IMAGE = 16, 32, 16
WORDS = ["<bos>", "<end>", "red", "green", "blue", "top-left", "top-right", "bottom-left",
         "bottom-right"]
VOCAB, LENGTH = len(WORDS), 3
COLOURS = torch.tensor([[0.9, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.2, 0.9]])


def images(count: int, gen: torch.Generator):
    colour = torch.randint(0, 3, (count,), generator=gen)
    place = torch.randint(0, 4, (count,), generator=gen)
    x = 0.5 + 0.05 * torch.randn(count, 3, IMAGE, IMAGE, generator=gen)
    for n in range(count):
        top, left = (int(place[n]) // 2) * 8, (int(place[n]) % 2) * 8
        dy, dx = (int(v) for v in torch.randint(0, 3, (2,), generator=gen))
        x[n, :, top + dy:top + dy + 5, left + dx:left + dx + 5] = COLOURS[colour[n]][:, None, None]
    caption = torch.stack([colour + 2, place + 5, torch.ones_like(colour)], dim=1)  # [B, 3]
    return x, caption


def run(encoder, decoder, x, caption=None):
    """Teacher-forced logits [3, B, V] (caption given), or greedy words and logits."""
    zeros = torch.zeros(x.shape[0], HIDDEN)
    return decode(decoder, zeros, zeros, encoder(x), LENGTH, caption)


def main():
    out, gen = start(13)
    encoder, decoder = CaptionEncoder(HIDDEN, IMAGE), CaptionDecoder(EMBED, HIDDEN, VOCAB)

    def loss():
        x, caption = images(32, gen)
        logits, _ = run(encoder, decoder, x, caption)
        return F.cross_entropy(logits.reshape(-1, VOCAB), caption.T.reshape(-1))

    final_loss = train([encoder, decoder], 400, 3e-3, loss)
    x, caption = images(12, gen)
    with torch.no_grad():
        logits, greedy = run(encoder, decoder, x)
    acc = (greedy == caption).float().mean().item()
    save_model(encoder, out / "encoder.safetensors")
    save_model(decoder, out / "decoder.safetensors")
    save_arrays(out, images=x, reference=caption, greedy=greedy, greedy_logits=logits)
    (out / "words.txt").write_text("".join(w + "\n" for w in WORDS))
    print(f"export: trained (loss {final_loss:.3f}); PyTorch's greedy captions get {acc:.1%} of "
          f"the words of 12 new images right -> {out}")


if __name__ == "__main__":
    main()
