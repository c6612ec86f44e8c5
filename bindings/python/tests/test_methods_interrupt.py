"""The method estimators and the several-target regressor release the GIL and stop on
Ctrl-C, through the same helper (`interrupt.rs`'s `run`) as the other estimators."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
from test_gil_and_interrupt import _progress_during

from mcdropout import ConcreteDropoutRegressor, DeepEnsembleRegressor, MCDropoutRegressor


def test_method_fits_and_predictions_let_other_threads_run() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2000, 8))
    y = x @ rng.standard_normal(8)
    for reg, yy in (
        (ConcreteDropoutRegressor(hidden_layer_sizes=(100,), epochs=40, n_samples=2000), y),
        (DeepEnsembleRegressor(members=2, hidden_layer_sizes=(100,), epochs=30), y),
        (MCDropoutRegressor(hidden_layer_sizes=(100,), epochs=40, n_samples=2000), np.c_[y, -y]),
    ):
        during_fit, _ = _progress_during(lambda: reg.fit(x, yy))  # noqa: B023
        during_predict, _ = _progress_during(lambda: reg.predict(x))  # noqa: B023
        assert during_fit > 10_000, (type(reg).__name__, during_fit)
        assert during_predict > 1_000, (type(reg).__name__, during_predict)


SCRIPT = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    from mcdropout import ConcreteDropoutRegressor, DeepEnsembleRegressor, MCDropoutRegressor
    rng = np.random.default_rng(0)
    x = rng.standard_normal((20000, 20)); y = x.sum(axis=1)
    what = sys.argv[1]
    big = dict(hidden_layer_sizes=(256, 256), epochs=100000)
    print("started", flush=True)
    t = time.perf_counter()
    try:
        if what == "ensemble":
            # 2 × 20 000 epochs: under the engine's work limit (MCDROPOUT_MAX_WORK), still hours
            DeepEnsembleRegressor(members=2, hidden_layer_sizes=(256, 256), epochs=20000).fit(x, y)
        elif what == "concrete":
            ConcreteDropoutRegressor(**big).fit(x, y)
        else:
            MCDropoutRegressor(**big).fit(x, np.c_[y, -y])
    except KeyboardInterrupt:
        print(f"interrupted after {time.perf_counter() - t:.3f} s", flush=True)
        sys.exit(3)
    print("finished", flush=True)
    """
)


def _interrupt(what: str) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, what],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "started"
        time.sleep(1.0)
        sent = time.perf_counter()
        os.kill(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        elapsed = time.perf_counter() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 3, (proc.returncode, out, err)
    # Each fit would run for hours (≥ 20 000 epochs of 20 000 rows); within 10 s is
    # "promptly", as in test_gil_and_interrupt.py.
    assert elapsed < 10.0, elapsed


def test_ctrl_c_interrupts_an_ensemble_fit() -> None:
    _interrupt("ensemble")


def test_ctrl_c_interrupts_a_concrete_fit() -> None:
    _interrupt("concrete")


def test_ctrl_c_interrupts_a_several_target_fit() -> None:
    _interrupt("multi")
