"""What the Ray entry points share: importing Ray lazily and sizing the engine's threads."""

from __future__ import annotations

from typing import Any


def require_ray() -> Any:
    """The ``ray`` module, or ImportError saying how to install it."""
    try:
        import ray
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            'mcdropout.ray needs Ray: pip install "ray[data]" (mcdropout itself does not)'
        ) from e
    return ray


def assigned_cpus() -> int | None:
    """Whole CPUs Ray assigned to the calling task or actor (its ``num_cpus``), or None
    outside Ray; the engine then uses that many threads."""
    try:
        import ray

        if not ray.is_initialized():
            return None
        cpus = ray.get_runtime_context().get_assigned_resources().get("CPU")
    except Exception:  # noqa: BLE001 - any failure means "not inside a Ray worker"
        return None
    if not cpus:
        return None
    return max(1, int(round(float(cpus))))


def attempt_number() -> int:
    """Which attempt of the current Ray task this is (0 first; more after a retry), or 0
    when Ray does not say."""
    try:
        import ray

        worker: Any = ray._private.worker.global_worker
        return int(worker.core_worker.get_current_task_attempt_number())
    except Exception:  # noqa: BLE001 - a private Ray API: absent means unknown
        return 0
