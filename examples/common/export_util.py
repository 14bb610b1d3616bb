"""What the examples' export scripts share: the PyTorch references of the zoo
(tests/reference/) on the import path, and writing weights and arrays."""
import pathlib
import sys

import numpy as np
from safetensors.torch import save_file

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "reference"))


def save_model(model, path) -> None:
    """The module's state_dict as safetensors, named as attnc's parameters are."""
    save_file({k: v.detach().contiguous() for k, v in model.state_dict().items()}, str(path))


def save_arrays(out: pathlib.Path, **arrays) -> None:
    """Each tensor (or array) as OUT/<name>.npy."""
    for name, value in arrays.items():
        np.save(out / f"{name}.npy", value.numpy() if hasattr(value, "numpy") else value)


def start(seed: int):
    """OUT from the command line (created), seeded torch and a generator, 1 thread.

    One thread: these models are small enough that a second thread saves little (translation
    trains in 8.8 s on one, 7.9 s on two), and the tests run two examples at once on two cores,
    where two trainers of two threads each took 6 times as long as one alone."""
    import torch

    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    return out, torch.Generator().manual_seed(seed)


def train(modules, steps: int, lr: float, loss_fn, weight_decay: float = 0.0):
    """`steps` Adam steps on every parameter of `modules`, minimising `loss_fn()`; the modules are
    left in eval mode. Returns the last loss."""
    import torch

    params = [p for m in modules for p in m.parameters()]
    optimizer = torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    for m in modules:
        m.train()
    for _ in range(steps):
        loss = loss_fn()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    for m in modules:
        m.eval()
    return float(loss)


def decode(decoder, h, c, memory, steps: int, target=None):
    """A zoo decoder step (entries 11 and 14) run `steps` times from token 0: teacher-forced by
    `target` [B, steps] when given, else greedy (each row's argmax fed back). Returns the logits
    [steps, B, V] and the tokens fed on, [B, steps]."""
    import torch

    token = torch.zeros(h.shape[0], dtype=torch.int64)
    logits, tokens = [], []
    for t in range(steps):
        step, h, c = decoder(token, h, c, memory)
        logits.append(step)
        token = target[:, t] if target is not None else step.argmax(-1)
        tokens.append(token)
    return torch.stack(logits), torch.stack(tokens, dim=1)
