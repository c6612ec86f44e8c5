"""mcdropout: Monte-Carlo dropout uncertainty (Gal & Ghahramani, ICML 2016) with
scikit-learn-style estimators over a fast Rust engine.

- :class:`MCDropoutRegressor` — predictive mean, std (epistemic + aleatoric), intervals,
  raw passes and predictive draws, MC test log-likelihood;
- :class:`MCDropoutClassifier` — MC mean probabilities, entropy, mutual information
  (BALD), variation ratio;
- :class:`ExactGPRegressor` — exact Gaussian processes;
- :func:`from_torch` — MC prediction for a trained PyTorch MLP;
- :class:`ConcreteDropoutRegressor`, :class:`DeepEnsembleRegressor` — learned dropout
  rates and deep ensembles with a heteroscedastic head (mixture predictive);
- :func:`load` — any model file written by the command line or ``save``;
- :func:`log_likelihood_scorer` — for ``GridSearchCV(scoring=...)``;
- :func:`search` — choose the dropout rate and τ on your own data (validation
  log-likelihood, widening grid), then train on every row;
- :mod:`mcdropout.acquire` — active-learning acquisition scores and top-k selection,
  Thompson-sampling policies (MC dropout, exact linear) and the wheel bandit;
- :mod:`mcdropout.ray` — scoring Ray Datasets and the UCI protocol as Ray tasks (imports
  Ray only when used);
- :func:`simd_level`, :func:`set_simd_level`, :func:`available_simd_levels` — the
  instruction-set level of the kernels (``MCDROPOUT_SIMD`` at import; the same bits at
  every level).
"""

from ._mcdropout import (
    InternalError,
    ModelFileError,
    TrainingError,
    __version__,
    available_simd_levels,
    set_simd_level,
    simd_level,
)
from ._summary import ClassUncertainty, PredictiveDistribution
from .acquire import (
    DropoutThompson,
    LinearThompson,
    acquisition_scores,
    select_batch,
    wheel_bandit,
)
from .classifier import MCDropoutClassifier
from .gp import ExactGPRegressor
from .io import load
from .methods import ConcreteDropoutRegressor, DeepEnsembleRegressor, MixtureDistribution
from .regressor import MCDropoutRegressor
from .scoring import log_likelihood_scorer
from .search import search
from .torch_import import describe_sequential, from_state_dict, from_torch

__all__ = [
    "ClassUncertainty",
    "DropoutThompson",
    "LinearThompson",
    "acquisition_scores",
    "select_batch",
    "wheel_bandit",
    "ExactGPRegressor",
    "InternalError",
    "MCDropoutClassifier",
    "MCDropoutRegressor",
    "ModelFileError",
    "PredictiveDistribution",
    "TrainingError",
    "__version__",
    "describe_sequential",
    "from_state_dict",
    "from_torch",
    "load",
    "log_likelihood_scorer",
    "search",
    "ConcreteDropoutRegressor",
    "DeepEnsembleRegressor",
    "MixtureDistribution",
    "available_simd_levels",
    "set_simd_level",
    "simd_level",
]
