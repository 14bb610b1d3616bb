"""Exports the Q-values example's inputs: zoo entry 8 (AttentionQNetwork, the PyTorch reference
in tests/reference/zoo_transformer.py) with seeded weights, a batch of states, and PyTorch's
Q-values for them.

  export.py OUT    writes OUT/weights.safetensors, OUT/state.npy [N, B, state_dim] and
                   OUT/expected.npy [N, B, action_dim]
"""
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "common"))
from export_util import save_arrays, save_model, start  # noqa: E402
from zoo_transformer import AttentionQNetwork  # noqa: E402

# As examples/CMakeLists.txt compiles the model (attn_add_model DEFINES).
STATE_DIM, ACTION_DIM, HIDDEN_DIM = 8, 4, 32
ENTITIES, EPISODES = 5, 2


def main():
    out, _ = start(8)
    model = AttentionQNetwork(STATE_DIM, ACTION_DIM, HIDDEN_DIM).eval()
    state = torch.randn(ENTITIES, EPISODES, STATE_DIM)
    with torch.no_grad():
        q = model(state)
    save_model(model, out / "weights.safetensors")
    save_arrays(out, state=state, expected=q)
    print(f"export: AttentionQNetwork({STATE_DIM}, {ACTION_DIM}, {HIDDEN_DIM}), "
          f"{ENTITIES} entities x {EPISODES} episodes -> {out}")


if __name__ == "__main__":
    main()
