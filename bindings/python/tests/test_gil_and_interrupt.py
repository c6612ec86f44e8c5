"""Long calls release the GIL, and Ctrl-C stops them promptly with KeyboardInterrupt."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np

from mcdropout import MCDropoutRegressor


def _progress_during(call) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Runs `call` while a pure-Python thread counts; returns (ticks during the call,
    ticks of a pure-Python loop of the same number of bytecodes, i.e. its own progress)."""
    ticks = 0
    stop = threading.Event()
    started = threading.Event()

    def count() -> None:
        nonlocal ticks
        started.set()
        while not stop.is_set():
            ticks += 1

    t = threading.Thread(target=count)
    t.start()
    started.wait()
    before = ticks
    call()
    during = ticks - before
    stop.set()
    t.join()
    return during, ticks


def test_fit_and_prediction_let_other_threads_run() -> None:
    # Without releasing the GIL the counting thread would be stuck for the whole call
    # (a Rust call holding the GIL never yields it); released, it keeps counting.
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2000, 8))
    y = x @ rng.standard_normal(8)
    reg = MCDropoutRegressor(hidden_layer_sizes=(100,), epochs=60, n_samples=2000)
    during_fit, _ = _progress_during(lambda: reg.fit(x, y))
    during_predict, _ = _progress_during(lambda: reg.predict(x))
    assert during_fit > 10_000, during_fit
    assert during_predict > 10_000, during_predict


SCRIPT = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    from mcdropout import MCDropoutRegressor
    rng = np.random.default_rng(0)
    x = rng.standard_normal((20000, 20)); y = x.sum(axis=1)
    reg = MCDropoutRegressor(hidden_layer_sizes=(256, 256), epochs=1, n_samples=100000, n_jobs=1)
    reg.fit(x[:200], y[:200])
    what = sys.argv[1]
    print("started", flush=True)
    t = time.perf_counter()
    try:
        if what == "fit":
            MCDropoutRegressor(hidden_layer_sizes=(256, 256), epochs=100000).fit(x, y)
        else:
            reg.predict(x)
    except KeyboardInterrupt:
        print(f"interrupted after {time.perf_counter() - t:.3f} s", flush=True)
        sys.exit(3)
    print("finished", flush=True)
    """
)


def _interrupt(what: str) -> str:
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
    assert "interrupted after" in out
    # Both calls would run for many minutes (100 000 epochs of 20 000 rows; 20 000 rows ×
    # 100 000 passes of a 256×256 net); stopping within 10 s is "promptly".
    assert elapsed < 10.0, elapsed
    return out


def test_ctrl_c_interrupts_fit() -> None:
    _interrupt("fit")


def test_ctrl_c_interrupts_prediction() -> None:
    _interrupt("predict")
