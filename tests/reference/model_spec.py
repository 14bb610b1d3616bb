"""What a reference registers (ModelSpec) and the random inputs the references share.

Kept apart from zoo.py so that a reference module (zoo_*.py, ops_*.py) can be imported on its own
without importing zoo.py, which imports every reference module in turn.
"""

from dataclasses import dataclass
from typing import Callable, Dict, Mapping, Optional, Tuple

import torch

Inputs = Dict[str, torch.Tensor]
MakeInputs = Callable[[Mapping[str, object], Mapping[str, int], torch.Generator], Inputs]


@dataclass(frozen=True)
class ModelSpec:
    """cls(**hyperparameters) is the reference; `inputs` names its forward arguments in order;
    make_inputs(hp, dims, gen) returns a tensor for each of them.

    `kept`, when given, maps the inputs to {output index: bool tensor broadcastable to that
    output}; only the positions it marks are compared (e.g. the non-padded tokens of an output
    whose padded rows the contract leaves unspecified).

    `rtol`, when given, maps an output index to its own relative tolerance, in place of the
    test's (outputs that are, or are computed from, values rounded to f16 or bf16)."""
    cls: type
    inputs: Tuple[str, ...]
    make_inputs: MakeInputs
    kept: Optional[Callable[[Inputs], Dict[int, torch.Tensor]]] = None
    rtol: Optional[Dict[int, float]] = None


def decoder_step(spec: ModelSpec) -> ModelSpec:
    """The reference of a model's decoder-step form: the same model with a `rows` hyperparameter
    that fixes the query rows (Sq), which the .attn form declares in its type."""
    class Step(spec.cls):
        def __init__(self, rows: int = 1, **hp):
            super().__init__(**hp)

    Step.__name__ = spec.cls.__name__ + "Step"

    def make_inputs(hp, dims, gen):
        return spec.make_inputs(hp, {**dims, "Sq": int(hp.get("rows", 1))}, gen)

    return ModelSpec(Step, spec.inputs, make_inputs, spec.kept, spec.rtol)


def token_ids(shape, vocab: int, gen: torch.Generator) -> torch.Tensor:
    """Uniform int64 ids in [0, vocab); the first and last entries are the table's first and last
    rows, so lookups at both edges are always exercised."""
    ids = torch.randint(0, vocab, tuple(shape), generator=gen, dtype=torch.int64)
    flat = ids.view(-1)
    flat[0] = 0
    flat[-1] = vocab - 1
    return ids


def lengths(batch: int, seq: int, gen: torch.Generator) -> torch.Tensor:
    """int64 [batch] lengths in [1, seq], not sorted, at least one of them seq (so the padded
    length is seq) and, from batch 3 on, at least one of them 1."""
    out = torch.randint(1, seq + 1, (batch,), generator=gen, dtype=torch.int64)
    if batch >= 3:
        out[0] = max(1, seq // 2)
        out[1] = seq
        out[2] = 1
    else:
        out[-1] = seq  # the longest last: descending order would be sorted
    return out


def padding_mask(batch: int, seq: int, gen: torch.Generator) -> torch.Tensor:
    """bool [batch, seq], true = padding: every row has between 1 and seq-1 padded positions, at
    random places (not only at the end), so no row is fully padded."""
    if seq < 2:
        raise ValueError("a padding mask needs S >= 2 (one padded and one kept key per row)")
    mask = torch.zeros(batch, seq, dtype=torch.bool)
    for b in range(batch):
        count = int(torch.randint(1, seq, (1,), generator=gen))
        mask[b, torch.randperm(seq, generator=gen)[:count]] = True
    return mask


def trailing_mask(lens: torch.Tensor, seq: int) -> torch.Tensor:
    """int64 [batch, seq] attention mask, 1 for the first lens[b] tokens of row b, 0 after."""
    return (torch.arange(seq).unsqueeze(0) < lens.unsqueeze(1)).to(torch.int64)


def spread_constant_parameters(module: torch.nn.Module, std: float = 0.5):
    """Draws random values for the parameters PyTorch initialises to constants: the biases of
    nn.MultiheadAttention (zero) and LayerNorm's weight (one) and bias (zero). With the constants
    a test could not tell whether a model adds a bias or scales by gamma at all, or takes the
    wrong slice of in_proj_bias; random values make each of them show in the output."""
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, torch.nn.MultiheadAttention):
                for bias in (m.in_proj_bias, m.out_proj.bias):
                    if bias is not None:
                        bias.normal_(0.0, std)
            elif isinstance(m, torch.nn.LayerNorm) and m.weight is not None:
                m.weight.normal_(1.0, std)
                if m.bias is not None:
                    m.bias.normal_(0.0, std)
