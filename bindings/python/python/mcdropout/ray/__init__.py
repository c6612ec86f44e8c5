"""mcdropout on Ray: batch scoring of Ray Datasets and Gal's UCI protocol as Ray tasks.

Ray is imported only when these are used, so ``import mcdropout`` never needs it. Install
it with ``pip install "ray[data]"`` and connect with ``ray.init()`` (a local cluster) or
``ray.init(address="HOST:6379")`` (an existing one) before calling them.

- :class:`Scorer` — a callable class for ``Dataset.map_batches``: loads a model file once
  per worker and adds the predictive columns of ``mcdropout predict``, each row's MC masks
  keyed by a key column, so a row's numbers do not depend on the blocks or the worker.
- :func:`run_uci` — every (dataset, split, grid point) training as a Ray task, each
  split's choice + retrain + test as a task that depends on them, and the results files
  of ``mcdropout uci`` with the same numbers.

mcdropout distributes nothing itself: Ray schedules, moves data and retries lost tasks.
Within a worker the Rust engine runs its own threads: ``n_jobs`` defaults to the CPUs Ray
gave the worker (``num_cpus``), so workers × threads matches the cores Ray hands out.
"""

from ._scoring import Scorer, output_columns
from ._uci import UciRun, UciSettings, run_uci

__all__ = ["Scorer", "UciRun", "UciSettings", "output_columns", "run_uci"]
