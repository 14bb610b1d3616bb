"""Trains the ViT example's model: zoo entry 5 (VisionTransformer, the PyTorch reference in
tests/reference/zoo_vision.py) on generated 16 x 16 RGB images of three kinds, horizontal
stripes, vertical stripes and a checkerboard, each with random colours, stripe width, phase and
noise. 300 Adam steps of 32 images (several seconds on 2 threads), then 60 new images.

  export.py OUT   writes OUT/weights.safetensors, OUT/images.npy [60, 3, 16, 16],
                  OUT/labels.npy and OUT/expected.npy (PyTorch's logits)
"""
import pathlib
import sys

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "reference"))
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
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(5)
    torch.set_num_threads(2)
    gen = torch.Generator().manual_seed(5)
    model = VisionTransformer(EMBED, HEADS, FFN, LAYERS, CLASSES, IMAGE, PATCH)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(300):
        model.train()
        x, y = images(32, gen)
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    x, y = images(60, gen)
    with torch.no_grad():
        logits = model(x)
    acc = (logits.argmax(1) == y).float().mean().item()
    save_file({k: v.contiguous() for k, v in model.state_dict().items()},
              str(out / "weights.safetensors"))
    np.save(out / "images.npy", x.numpy())
    np.save(out / "labels.npy", y.numpy())
    np.save(out / "expected.npy", logits.numpy())
    print(f"export: ViT trained on {300 * 32} generated images; PyTorch's accuracy on "
          f"{len(y)} new ones: {acc:.1%} -> {out}")


if __name__ == "__main__":
    main()
