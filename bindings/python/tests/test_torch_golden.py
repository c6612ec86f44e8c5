"""PyTorch import against PyTorch's own outputs, without torch installed.

`scripts/make_torch_golden.py` (run once in real PyTorch) trained three small
`nn.Sequential` models and wrote their state_dicts (safetensors) with PyTorch's
deterministic outputs and an MC mean over M = 20 000 dropout passes at fixed inputs.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file

from mcdropout import MCDropoutClassifier, MCDropoutRegressor, from_state_dict

GOLDEN = Path(__file__).parent / "golden"
NAMES = ["regress_relu", "regress_tanh", "classify_sigmoid"]
T = 20_000


def _load(name: str) -> tuple[dict, object]:  # type: ignore[type-arg]
    spec = json.loads((GOLDEN / f"{name}.json").read_text())
    state = load_file(str(GOLDEN / f"{name}.safetensors"))
    if spec["task"] == "regress":
        est = from_state_dict(state, spec["layers"], tau=spec["tau"])
        assert isinstance(est, MCDropoutRegressor)
    else:
        est = from_state_dict(state, spec["layers"])
        assert isinstance(est, MCDropoutClassifier)
    est.set_params(n_samples=T)
    return spec, est


@pytest.mark.parametrize("name", NAMES)
def test_deterministic_pass_matches_pytorch(name: str) -> None:
    spec, est = _load(name)
    x = np.asarray(spec["x"], dtype=np.float64)
    if spec["task"] == "regress":
        ours = est.predict_deterministic(x)
    else:
        ours = est.predict_proba_deterministic(x)
    ours = np.asarray(ours).reshape(np.shape(spec["det_f64"]))
    # The same float32 weights evaluated in float64 by PyTorch (module.double()): only the
    # order of the float64 sums differs, so agreement is to ~1e-12 relative.
    np.testing.assert_allclose(ours, spec["det_f64"], rtol=1e-10, atol=1e-12)
    # PyTorch's float32 forward: float32 rounding of O(width) terms, ~1e-6 relative.
    np.testing.assert_allclose(ours, spec["det_f32"], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", NAMES)
def test_mc_mean_matches_pytorch_within_monte_carlo_error(name: str) -> None:
    spec, est = _load(name)
    x = np.asarray(spec["x"], dtype=np.float64)
    if spec["task"] == "regress":
        d = est.predict_distribution(x)
        ours, our_sd = d.mean, d.epistemic_std
    else:
        u = est.predict_uncertainty(x, return_samples=True)
        ours, our_sd = u.probs, u.prob_samples.std(axis=0)
    theirs = np.asarray(spec["mc_mean"]).reshape(ours.shape)
    their_sd = np.asarray(spec["mc_sd"]).reshape(ours.shape)
    # Two independent MC means (PyTorch's masks and ours): their difference has standard
    # error sqrt(sd²/M + sd²/T). Five standard errors bounds it for every one of the
    # ≤ 60 compared values with overwhelming probability (two-sided p ≈ 6e-7 each);
    # 1e-12 absorbs rows where both spreads are zero.
    se = np.sqrt(their_sd**2 / spec["mc_passes"] + our_sd**2 / T)
    assert np.all(np.abs(ours - theirs) <= 5 * se + 1e-12), np.max(np.abs(ours - theirs) / se)
    # And dropout matters at these inputs: the MC mean is not the deterministic pass.
    det = np.asarray(spec["det_f64"]).reshape(ours.shape)
    assert np.max(np.abs(theirs - det) / (se + 1e-300)) > 5


def test_bad_layer_lists_are_refused() -> None:
    spec, _ = _load("regress_relu")
    state = load_file(str(GOLDEN / "regress_relu.safetensors"))
    layers = spec["layers"]
    with pytest.raises(ValueError, match="two Dropout layers in a row"):
        from_state_dict(state, [layers[0], *layers], tau=1.0)
    with pytest.raises(ValueError, match="end with a Linear layer"):
        from_state_dict(state, layers[:-1], tau=1.0)
    with pytest.raises(ValueError, match="unsupported layer type 'GELU'"):
        from_state_dict(state, [*layers[:2], {"type": "GELU"}, *layers[3:]], tau=1.0)
    with pytest.raises(ValueError, match="one output"):
        from_state_dict(state, layers[:2], tau=1.0)


def test_importing_mcdropout_does_not_import_torch() -> None:
    import subprocess
    import sys

    code = "import sys, mcdropout; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
