"""Type stubs of the compiled extension `mcdropout._mcdropout` (conversion, GIL release and
errors over the Rust crate; the user-facing API is the estimators in `mcdropout`)."""

from os import PathLike
from typing import Any, Self

import numpy as np
import numpy.typing as npt

_Path = str | PathLike[str]
_Matrix = npt.NDArray[np.float64] | npt.NDArray[np.float32]
_Vector = npt.NDArray[np.float64] | npt.NDArray[np.float32]

__version__: str

def simd_level() -> str:
    """The SIMD level the kernels run at: "avx512", "avx2" or "portable"."""

def set_simd_level(level: str) -> None:
    """Run every kernel at `level` ("native", "avx512", "avx2", "portable"); ValueError
    when it is not a level or the processor lacks it."""

def available_simd_levels() -> list[str]:
    """The levels this processor has, best first."""

class ModelFileError(ValueError): ...
class TrainingError(RuntimeError): ...
class InternalError(RuntimeError): ...

class _Encoded:
    """The column-encoding methods every model class has (a stub-only base: at run time
    each class has them itself)."""

    @property
    def encoding_json(self) -> str | None:
        """The column encoding stored with the model (JSON), or None."""
    def with_encoding(self, json: str) -> Self:
        """This model with the encoding `json` (from `fit_encoding`) stored; it must
        produce the model's feature names."""
    def encode_columns(
        self, names: list[str], columns: list[Any], missing: str, unknown_category: str
    ) -> tuple[np.ndarray, list[int], int]:
        """A DataFrame's columns through the stored encoding: the features, the rows
        kept and the count of unseen categories encoded as zeros."""

class Regressor(_Encoded):
    @staticmethod
    def load(path: _Path) -> Regressor: ...
    @staticmethod
    def from_bytes(data: bytes) -> Regressor: ...
    def save(self, path: _Path) -> None: ...
    def to_bytes(self) -> bytes: ...
    @property
    def tau(self) -> float: ...
    @property
    def target_transform(self) -> str: ...
    @property
    def n_features(self) -> int: ...
    @property
    def feature_names(self) -> list[str]: ...
    @property
    def sizes(self) -> list[int]: ...
    @property
    def dropout(self) -> list[float]: ...
    def training_report(self) -> dict[str, Any]: ...
    def predict_deterministic(self, x: _Matrix) -> npt.NDArray[np.float64]: ...
    def predict_mc(
        self,
        x: _Matrix,
        samples: int,
        seed: int,
        level: float,
        keep_samples: bool = False,
        n_jobs: int | None = None,
        row_keys: npt.NDArray[np.uint64] | None = None,
    ) -> dict[str, Any]: ...
    def evaluate(
        self,
        x: _Matrix,
        y: _Vector,
        samples: int,
        seed: int,
        level: float,
        n_jobs: int | None = None,
    ) -> dict[str, Any]: ...

class Classifier(_Encoded):
    @staticmethod
    def load(path: _Path) -> Classifier: ...
    @staticmethod
    def from_bytes(data: bytes) -> Classifier: ...
    def save(self, path: _Path) -> None: ...
    def to_bytes(self) -> bytes: ...
    @property
    def classes(self) -> list[int]: ...
    @property
    def n_features(self) -> int: ...
    @property
    def feature_names(self) -> list[str]: ...
    @property
    def sizes(self) -> list[int]: ...
    @property
    def dropout(self) -> list[float]: ...
    def training_report(self) -> dict[str, Any]: ...
    def predict_proba_deterministic(self, x: _Matrix) -> npt.NDArray[np.float64]: ...
    def predict_mc(
        self,
        x: _Matrix,
        samples: int,
        seed: int,
        keep_samples: bool = False,
        n_jobs: int | None = None,
        row_keys: npt.NDArray[np.uint64] | None = None,
    ) -> dict[str, Any]: ...
    def evaluate(
        self,
        x: _Matrix,
        y: _Vector,
        samples: int,
        seed: int,
        bins: int = 15,
        n_jobs: int | None = None,
    ) -> dict[str, Any]: ...

class GaussianProcess(_Encoded):
    @staticmethod
    def load(path: _Path) -> GaussianProcess: ...
    @staticmethod
    def from_bytes(data: bytes) -> GaussianProcess: ...
    def save(self, path: _Path) -> None: ...
    def to_bytes(self) -> bytes: ...
    @property
    def n_features(self) -> int: ...
    @property
    def feature_names(self) -> list[str]: ...
    @property
    def kernel(self) -> str: ...
    @property
    def noise_var(self) -> float: ...
    @property
    def log_marginal_likelihood(self) -> float: ...
    @property
    def iterations(self) -> int: ...
    def parameters(self) -> dict[str, float]: ...
    def predict(self, x: _Matrix, level: float) -> dict[str, Any]: ...
    def sample(self, x: _Matrix, count: int, seed: int) -> npt.NDArray[np.float64]: ...
    def evaluate(self, x: _Matrix, y: _Vector, level: float) -> dict[str, Any]: ...

def fit_regressor(
    x: _Matrix,
    y: _Vector,
    settings: dict[str, Any],
    tau: float | None,
    weight_decay: float | None,
    tau_units: str,
    target_transform: str = "none",
) -> Regressor: ...
def fit_encoding(
    names: list[str],
    columns: list[Any],
    categorical: bool,
    categorical_columns: list[str],
    max_categories: int,
    missing: str,
) -> tuple[np.ndarray, str, list[str], list[int]]: ...
def fit_classifier(
    x: _Matrix, y: _Vector, settings: dict[str, Any], weight_decay: float | None
) -> Classifier: ...
def fit_gp(
    x: _Matrix,
    y: _Vector,
    kernel: str,
    noise_var: float,
    optimise: bool,
    restarts: int,
    max_iter: int,
    random_state: int,
    feature_names: list[str] | None = None,
) -> GaussianProcess: ...
def regressor_from_layers(
    kernels: list[_Matrix],
    biases: list[list[float]],
    dropout: list[float],
    activation: str,
    tau: float,
) -> Regressor: ...
def classifier_from_layers(
    kernels: list[_Matrix],
    biases: list[list[float]],
    dropout: list[float],
    activation: str,
    classes: list[int],
) -> Classifier: ...
def model_kind(path: _Path) -> str: ...

class UciDataset:
    """A UCI dataset in Gal's layout (picklable: ships to Ray tasks as its arrays)."""

    @staticmethod
    def load(root: _Path, name: str) -> UciDataset: ...
    @property
    def name(self) -> str: ...
    @property
    def n_rows(self) -> int: ...
    @property
    def n_splits(self) -> int: ...
    @property
    def n_epochs(self) -> int: ...
    @property
    def n_hidden(self) -> int: ...
    @property
    def dropout_rates(self) -> list[float]: ...
    @property
    def tau_values(self) -> list[float]: ...
    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]: ...

def uci_plan(
    dataset: UciDataset, settings: dict[str, Any]
) -> tuple[list[int], list[tuple[float, float]], int]: ...
def uci_grid_point(
    dataset: UciDataset,
    settings: dict[str, Any],
    split: int,
    point: int,
    n_jobs: int | None = None,
) -> str: ...
def uci_retrain_test(
    dataset: UciDataset,
    settings: dict[str, Any],
    split: int,
    points: list[str],
    n_jobs: int | None = None,
) -> str: ...
def uci_dataset_result(name: str, splits: list[str], wall_seconds: float) -> str: ...
def uci_table(datasets: list[str]) -> str: ...
def uci_write_results(
    out: _Path,
    settings: dict[str, Any],
    jobs: int,
    total_wall_seconds: float,
    datasets: list[str],
) -> None: ...
def search_regressor(
    x: _Matrix,
    y: _Vector,
    settings: dict[str, Any],
    dropout_rates: list[float] | None,
    tau_values: list[float] | None,
    tau_units: str,
    validation_fraction: float,
    folds: int | None,
    target_steps: int | None,
    epochs: int | None,
    max_widenings: int,
    samples: int,
    n_jobs: int | None,
) -> tuple[Regressor, str]: ...

# Active learning and Thompson sampling (mcdropout::acquire, mcdropout::bandit).
def class_acquisition_scores(
    function: str, prob_samples: npt.NDArray[np.float64], seed: int
) -> npt.NDArray[np.float64]: ...
def regression_acquisition_scores(
    function: str, samples: npt.NDArray[np.float64], seed: int
) -> npt.NDArray[np.float64]: ...
def select_top_k(scores: npt.NDArray[np.float64], k: int) -> list[int]: ...
def wheel_sample(
    delta: float, n: int, seed: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...

class DropoutThompson:
    def __init__(
        self,
        context_dim: int,
        arms: int,
        seed: int = 0,
        greedy: bool = False,
        hidden: list[int] = ...,
        dropout: float = 0.2,
        train_every: int = 50,
        steps: int = 100,
        lr: float = 0.01,
        initial_pulls: int = 2,
        shared: bool = False,
    ) -> None: ...
    def choose(self, t: int, x: list[float]) -> int: ...
    def update(self, t: int, x: list[float], arm: int, reward: float) -> None: ...
    def values(self, t: int, x: list[float]) -> list[float]: ...

class LinearThompson:
    def __init__(
        self,
        context_dim: int,
        arms: int,
        seed: int = 0,
        a0: float = 6.0,
        b0: float = 6.0,
        lambda_prior: float = 0.25,
        initial_pulls: int = 2,
    ) -> None: ...
    def choose(self, t: int, x: list[float]) -> int: ...
    def update(self, t: int, x: list[float], arm: int, reward: float) -> None: ...
    def sample_values(self, x: list[float]) -> list[float]: ...

class MethodModel(_Encoded):
    @staticmethod
    def load(path: _Path) -> MethodModel: ...
    @staticmethod
    def from_bytes(data: bytes) -> MethodModel: ...
    def save(self, path: _Path) -> None: ...
    def to_bytes(self) -> bytes: ...
    @property
    def feature_names(self) -> list[str]: ...
    @property
    def method(self) -> str: ...
    @property
    def heteroscedastic(self) -> bool: ...
    @property
    def tau(self) -> float | None: ...
    @property
    def n_features(self) -> int: ...
    @property
    def n_members(self) -> int: ...
    @property
    def sizes(self) -> list[int]: ...
    @property
    def dropout_rates(self) -> list[list[float]]: ...
    def training_report(self) -> dict[str, Any]: ...
    def predict_deterministic(self, x: _Matrix) -> npt.NDArray[np.float64]: ...
    def predict_mc(
        self,
        x: _Matrix,
        samples: int,
        seed: int,
        level: float,
        n_jobs: int | None = None,
    ) -> dict[str, Any]: ...
    def evaluate(
        self,
        x: _Matrix,
        y: _Vector,
        samples: int,
        seed: int,
        level: float,
        n_jobs: int | None = None,
    ) -> dict[str, Any]: ...

def fit_method(
    x: _Matrix,
    y: _Vector,
    settings: dict[str, Any],
    method: str,
    heteroscedastic: bool,
    members: int,
    initial_dropout: float,
    temperature: float,
    tau: float | None,
) -> MethodModel: ...
def is_method_model_file(path: _Path) -> bool: ...

class MultiRegressor(_Encoded):
    @staticmethod
    def load(path: _Path) -> MultiRegressor: ...
    @staticmethod
    def from_bytes(data: bytes) -> MultiRegressor: ...
    def save(self, path: _Path) -> None: ...
    def to_bytes(self) -> bytes: ...
    @property
    def feature_names(self) -> list[str]: ...
    @property
    def target_names(self) -> list[str]: ...
    @property
    def tau(self) -> float: ...
    @property
    def noise_var(self) -> list[float]: ...
    @property
    def n_features(self) -> int: ...
    @property
    def sizes(self) -> list[int]: ...
    @property
    def dropout(self) -> list[float]: ...
    def training_report(self) -> dict[str, Any]: ...
    def predict_deterministic(self, x: _Matrix) -> npt.NDArray[np.float64]: ...
    def predict_mc(
        self,
        x: _Matrix,
        samples: int,
        seed: int,
        level: float,
        keep_samples: bool = False,
        n_jobs: int | None = None,
    ) -> dict[str, Any]: ...
    def evaluate(
        self,
        x: _Matrix,
        y: _Matrix,
        samples: int,
        seed: int,
        level: float,
        n_jobs: int | None = None,
    ) -> dict[str, Any]: ...

def fit_multi_regressor(
    x: _Matrix,
    y: _Matrix,
    settings: dict[str, Any],
    tau: float | None,
    weight_decay: float | None,
    target_names: list[str] | None = None,
) -> MultiRegressor: ...

class MultiMethodModel(_Encoded):
    @staticmethod
    def load(path: _Path) -> MultiMethodModel: ...
    @staticmethod
    def from_bytes(data: bytes) -> MultiMethodModel: ...
    def save(self, path: _Path) -> None: ...
    def to_bytes(self) -> bytes: ...
    @property
    def feature_names(self) -> list[str]: ...
    @property
    def target_names(self) -> list[str]: ...
    @property
    def method(self) -> str: ...
    @property
    def heteroscedastic(self) -> bool: ...
    @property
    def tau(self) -> float | None: ...
    @property
    def n_features(self) -> int: ...
    @property
    def n_members(self) -> int: ...
    @property
    def sizes(self) -> list[int]: ...
    @property
    def dropout_rates(self) -> list[list[float]]: ...
    def training_report(self) -> dict[str, Any]: ...
    def predict_deterministic(self, x: _Matrix) -> npt.NDArray[np.float64]: ...
    def predict_mc(
        self,
        x: _Matrix,
        samples: int,
        seed: int,
        level: float,
        n_jobs: int | None = None,
    ) -> dict[str, Any]: ...
    def evaluate(
        self,
        x: _Matrix,
        y: _Matrix,
        samples: int,
        seed: int,
        level: float,
        n_jobs: int | None = None,
    ) -> dict[str, Any]: ...

def fit_multi_method(
    x: _Matrix,
    y: _Matrix,
    settings: dict[str, Any],
    method: str,
    heteroscedastic: bool,
    members: int,
    initial_dropout: float,
    temperature: float,
    tau: float | None,
    target_names: list[str] | None = None,
) -> MultiMethodModel: ...
def model_file_targets(path: _Path) -> int: ...
