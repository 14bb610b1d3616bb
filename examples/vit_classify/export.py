"""Trains the ViT example's model: zoo entry 5 (VisionTransformer, the PyTorch reference in
tests/reference/zoo_vision.py) on generated 16 x 16 RGB images of three kinds, horizontal
stripes, vertical stripes and a checkerboard, each with random colours, stripe width, phase and
noise. 300 Adam steps of 32 images (several seconds on one thread), then 60 new images.

  export.py OUT   writes OUT/weights.safetensors, OUT/images.npy [60, 3, 16, 16],
                  OUT/labels.npy and OUT/expected.npy (PyTorch's logits)
"""
import pathlib
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "common"))
from export_util import save_arrays, save_model, start, train  # noqa: E402
from zoo_vision import VisionTransformer  # noqa: E402

# As examples/CMakeLists.txt compiles the model (attn_add_model DEFINES).
EMBED, HEADS, FFN, LAYERS, CLASSES, IMAGE, PATCH = 32, 2, 64, 1, 3, 16, 4
CLASS_NAMES = ("horizontal stripes", "vertical stripes", "checkerboard")


def images(count: int, gen: torch.Generator):
    labels = torch.randint(0, CLASSES, (count,), generator=gen)
    ys, xs = torch.meshgrid(torch.arange(IMAGE), torch.arange(IMAGE), indexing="ij")
    out = torch.empty(count, 3, IMAGE, IMAGE)
    for n in range(count):
        width = int(torch.randint(1, 4, (1,), generator=gen))
        phase = int(torch.randint(0, 4, (1,), generator=gen))
        rows, cols = (ys + phase) // width % 2, (xs + phase) // width % 2
        pattern = (rows, cols, (rows + cols) % 2)[int(labels[n])].float()
        fg, bg = torch.rand(3, generator=gen), torch.rand(3, generator=gen)
        out[n] = (fg[:, None, None] * pattern + bg[:, None, None] * (1 - pattern)
                  + 0.1 * torch.randn(3, IMAGE, IMAGE, generator=gen))
    return out, labels


def main():
    out, gen = start(5)
    model = VisionTransformer(EMBED, HEADS, FFN, LAYERS, CLASSES, IMAGE, PATCH)

    def loss():
        x, y = images(32, gen)
        return F.cross_entropy(model(x), y)

    train([model], 300, 3e-3, loss)
    x, y = images(60, gen)
    with torch.no_grad():
        logits = model(x)
    acc = (logits.argmax(1) == y).float().mean().item()
    save_model(model, out / "weights.safetensors")
    save_arrays(out, images=x, labels=y, expected=logits)
    print(f"export: ViT trained on {300 * 32} generated images; PyTorch's accuracy on "
          f"{len(y)} new ones: {acc:.1%} -> {out}")


if __name__ == "__main__":
    main()
