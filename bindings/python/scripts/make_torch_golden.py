"""Write the PyTorch golden files for mcdropout's PyTorch-import tests (issue 13 item 6).

Trains, in real PyTorch on the CPU in float32, three small ``torch.nn.Sequential``
models in Gal's convention (a ``Dropout`` precedes every ``Linear``, the input layer
included; the last layer is linear; DESIGN section 1):

* ``regress_relu``: 1 -> 50 -> 50 -> 1, ReLU, p = 0.1, on y = sin(3x) + 0.1 noise,
  256 points with x in [-2, 2]; MSE + Adam weight decay; tau = 100 (noise sd 0.1).
* ``regress_tanh``: 3 -> 32 -> 1, Tanh, p = 0.2, on a smooth synthetic regression with
  noise sd 0.2; tau = 25.
* ``classify_sigmoid``: 2 -> 32 -> 32 -> 3, Sigmoid, p = 0.1, three Gaussian blobs,
  cross-entropy.

For each model NAME it writes into ``bindings/python/tests/golden/``:

* ``NAME.safetensors``: the module's ``state_dict()`` as PyTorch names it (``"1.weight"``,
  ``"1.bias"``, ...; a Linear weight is (out, in)), float32, via
  ``safetensors.torch.save_file``.
* ``NAME.json``: ``name``, ``task`` ("regress" | "classify"), ``tau`` (null for
  classify), ``layers`` (Sequential order; each Linear carries ``in``, ``out`` and the
  state_dict ``key`` prefix, each Dropout its ``p``), ``x`` (fixed input rows, float64
  numbers exactly representable in float32), ``det_f32`` (eval-mode outputs in float32),
  ``det_f64`` (eval-mode outputs after ``module.double()``), ``mc_passes`` (M),
  ``mc_mean`` / ``mc_sd`` (per-row mean and ddof-0 standard deviation over M train-mode
  passes in float64), ``torch_version``, ``seed``. For "regress" the per-row quantities
  are scalars (lists of length N); for "classify" they are softmax probabilities
  (N x K lists), ``det_logits_f32`` / ``det_logits_f64`` hold the logits and
  ``classes`` the label of each output column.

The MC passes stack the inputs: a forward on ``x`` repeated B times is B passes for every
row. ``nn.Dropout`` draws an independent mask per element, so every row of every pass
has its own mask; the per-row marginal distribution (hence mean and sd) is the same as
with one mask shared across the rows of a pass.

Re-run from the repository root (needs torch and safetensors; about 10 s on one core):

    bench/pytorch/.venv/bin/python bindings/python/scripts/make_torch_golden.py
"""

from __future__ import annotations

import argparse
import copy
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import save_file
from torch import nn

SEED = 20261201
MC_PASSES = 20_000
MC_BLOCK = 1_000
OUT_DIR = Path(__file__).resolve().parent.parent / "tests" / "golden"


@dataclass
class Spec:
    """One golden model: architecture, data and training settings."""

    name: str
    task: str
    sizes: list[int]
    activation: str
    p: float
    tau: float | None
    steps: int
    lr: float
    weight_decay: float


SPECS = [
    Spec("regress_relu", "regress", [1, 50, 50, 1], "ReLU", 0.1, 100.0, 3000, 1e-2, 1e-4),
    Spec("regress_tanh", "regress", [3, 32, 1], "Tanh", 0.2, 25.0, 3000, 1e-2, 1e-4),
    Spec("classify_sigmoid", "classify", [2, 32, 32, 3], "Sigmoid", 0.1, None, 3000, 1e-2, 1e-4),
]

ACTIVATIONS: dict[str, type[nn.Module]] = {"ReLU": nn.ReLU, "Tanh": nn.Tanh, "Sigmoid": nn.Sigmoid}


def build(spec: Spec) -> tuple[nn.Sequential, list[dict[str, Any]]]:
    """Dropout -> Linear (-> activation -> Dropout -> Linear)*; and its layer list."""
    modules: list[nn.Module] = []
    layers: list[dict[str, Any]] = []
    n_linear = len(spec.sizes) - 1
    for i, (fan_in, fan_out) in enumerate(zip(spec.sizes[:-1], spec.sizes[1:])):
        modules.append(nn.Dropout(spec.p))
        layers.append({"type": "Dropout", "p": spec.p})
        layers.append({"type": "Linear", "in": fan_in, "out": fan_out, "key": str(len(modules))})
        modules.append(nn.Linear(fan_in, fan_out))
        if i < n_linear - 1:
            modules.append(ACTIVATIONS[spec.activation]())
            layers.append({"type": spec.activation})
    return nn.Sequential(*modules), layers


def to_f32_exact(t: torch.Tensor) -> torch.Tensor:
    """Round to float32 and return as float64 (values exactly representable in f32)."""
    return t.to(torch.float32).to(torch.float64)


def make_data(spec: Spec) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Training inputs/targets (float32) and the fixed test rows (float64, f32-exact)."""
    if spec.name == "regress_relu":
        x = torch.rand(256, 1) * 4.0 - 2.0
        y = torch.sin(3.0 * x) + 0.1 * torch.randn(256, 1)
        # 20 rows from -2.375 to 2.375 in steps of 0.25: inside and just outside the data.
        x_test = (torch.arange(20, dtype=torch.float64) * 0.25 - 2.375).unsqueeze(1)
    elif spec.name == "regress_tanh":
        x = torch.randn(256, 3)
        f = x[:, 0] - 0.5 * x[:, 1] ** 2 + 0.8 * torch.sin(2.0 * x[:, 2])
        y = (f + 0.2 * torch.randn(256)).unsqueeze(1)
        # Multiples of 1/256 are exact in float32.
        x_test = torch.round(torch.randn(20, 3, dtype=torch.float64) * 1.5 * 256.0) / 256.0
    else:
        centres = torch.tensor([[-2.0, 0.0], [2.0, 0.0], [0.0, 2.5]])
        labels = torch.arange(3).repeat_interleave(100)
        x = centres[labels] + 0.8 * torch.randn(300, 2)
        y = labels
        x_test = torch.round((torch.rand(20, 2, dtype=torch.float64) * 8.0 - 4.0) * 64.0) / 64.0
    assert torch.equal(x_test, to_f32_exact(x_test))
    return x, y, x_test


def train(model: nn.Sequential, spec: Spec, x: torch.Tensor, y: torch.Tensor) -> float:
    """Full-batch Adam with weight decay; returns the final training loss."""
    opt = torch.optim.Adam(model.parameters(), lr=spec.lr, weight_decay=spec.weight_decay)
    loss_fn: nn.Module = nn.MSELoss() if spec.task == "regress" else nn.CrossEntropyLoss()
    model.train()
    loss = torch.tensor(math.nan)
    for _ in range(spec.steps):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    return float(loss.item())


def readout(out: torch.Tensor, task: str) -> torch.Tensor:
    """Return the compared quantity: the scalar output, or the softmax probabilities."""
    return out.squeeze(-1) if task == "regress" else torch.softmax(out, dim=-1)


def mc_passes(model64: nn.Sequential, x: torch.Tensor, task: str) -> torch.Tensor:
    """MC_PASSES train-mode passes in float64 -> (M, N) or (M, N, K)."""
    model64.train()
    n = x.shape[0]
    outs = []
    with torch.no_grad():
        xb = x.repeat(MC_BLOCK, 1)
        for _ in range(MC_PASSES // MC_BLOCK):
            r = readout(model64(xb), task)  # row b * n + i is pass b of input row i
            outs.append(r.reshape(MC_BLOCK, n, *r.shape[1:]))
    return torch.cat(outs, 0)


def make(spec: Spec, seed: int, out_dir: Path) -> dict[str, Any]:
    """Train one model, write its two files, return a summary for the console."""
    torch.manual_seed(seed)
    x, y, x_test = make_data(spec)
    model, layers = build(spec)
    final_loss = train(model, spec, x, y)

    model.eval()
    model64 = copy.deepcopy(model).double().eval()
    with torch.no_grad():
        logits32 = model(x_test.to(torch.float32))
        logits64 = model64(x_test)
    det32 = readout(logits32, spec.task)
    det64 = readout(logits64, spec.task)

    torch.manual_seed(seed + 1)
    samples = mc_passes(model64, x_test, spec.task)
    mc_mean = samples.mean(0)
    mc_sd = samples.std(0, correction=0)

    state = {k: v.detach().to(torch.float32).contiguous() for k, v in model.state_dict().items()}
    weights_path = out_dir / f"{spec.name}.safetensors"
    save_file(state, str(weights_path))
    weights_path.chmod(0o644)  # save_file creates the file with mode 0600

    doc: dict[str, Any] = {
        "name": spec.name,
        "task": spec.task,
        "tau": spec.tau,
        "layers": layers,
        "x": x_test.tolist(),
        "det_f32": det32.to(torch.float64).tolist(),
        "det_f64": det64.tolist(),
        "mc_passes": MC_PASSES,
        "mc_mean": mc_mean.tolist(),
        "mc_sd": mc_sd.tolist(),
        "torch_version": torch.__version__,
        "seed": seed,
    }
    if spec.task == "classify":
        doc["det_logits_f32"] = logits32.to(torch.float64).tolist()
        doc["det_logits_f64"] = logits64.tolist()
        doc["classes"] = [0, 1, 2]
    # One top-level key per line, each value compact: small, readable diffs.
    body = ",\n".join(f" {json.dumps(k)}: {json.dumps(v)}" for k, v in doc.items())
    (out_dir / f"{spec.name}.json").write_text("{\n" + body + "\n}\n")

    rel = ((det32.double() - det64).abs() / det64.abs().clamp_min(1e-6)).max().item()
    gap = ((mc_mean - det64).abs() / (mc_sd / math.sqrt(MC_PASSES)).clamp_min(1e-300)).max()
    return {
        "name": spec.name,
        "final_loss": final_loss,
        "max_rel_f32_vs_f64": rel,
        "max_abs_mc_mean_minus_det": (mc_mean - det64).abs().max().item(),
        "max_mc_gap_in_standard_errors": gap.item(),
        "max_mc_sd": mc_sd.max().item(),
        "keys": list(state),
    }


def main() -> None:
    """Parse flags, write every golden model."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out-dir", type=Path, default=OUT_DIR)
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args()
    torch.set_num_threads(1)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for i, spec in enumerate(SPECS):
        summary = make(spec, args.seed + 100 * i, args.out_dir)
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
