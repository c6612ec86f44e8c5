"""Bad and unusual inputs: the right exception type and a message naming the problem;
accepted layouts give the same numbers as the canonical float64 C-ordered array."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from mcdropout import ExactGPRegressor, MCDropoutClassifier, MCDropoutRegressor

FAST = {"epochs": 5, "n_samples": 50}


@pytest.fixture(params=["regressor", "classifier", "gp"])
def estimator_and_data(request, friedman, blobs):  # type: ignore[no-untyped-def]
    if request.param == "regressor":
        return MCDropoutRegressor(**FAST), friedman
    if request.param == "classifier":
        return MCDropoutClassifier(**FAST), blobs
    return ExactGPRegressor(restarts=0, max_iter=5), friedman


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_training_value_names_row_and_column(estimator_and_data, bad):  # type: ignore[no-untyped-def]
    est, (x, y) = estimator_and_data
    x = x.copy()
    x[7, 1] = bad
    with pytest.raises(ValueError, match=r"row 7, column 1") as e:
        est.fit(x, y)
    assert str(bad).replace("nan", "NaN") in str(e.value)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_prediction_value_names_row_and_column(estimator_and_data, bad):  # type: ignore[no-untyped-def]
    est, (x, y) = estimator_and_data
    est.fit(x, y)
    x2 = x[:10].copy()
    x2[3, 0] = bad
    with pytest.raises(ValueError, match=r"row 3, column 0"):
        est.predict(x2)


def test_non_finite_target_is_named(friedman):  # type: ignore[no-untyped-def]
    x, y = friedman
    y = y.copy()
    y[4] = np.nan
    with pytest.raises(ValueError, match=r"y has a non-finite value nan at row 4"):
        MCDropoutRegressor(**FAST).fit(x, y)


def test_wrong_number_of_columns(estimator_and_data):  # type: ignore[no-untyped-def]
    est, (x, y) = estimator_and_data
    est.fit(x, y)
    with pytest.raises(
        ValueError,
        match=rf"X has {x.shape[1] + 1} features, but .* is expecting {x.shape[1]} features",
    ):
        est.predict(np.hstack([x[:5], x[:5, :1]]))


def test_empty_array(estimator_and_data):  # type: ignore[no-untyped-def]
    est, (x, y) = estimator_and_data
    with pytest.raises(ValueError, match=r"0 sample\(s\)"):
        est.fit(x[:0], y[:0])
    est.fit(x, y)
    with pytest.raises(ValueError, match=r"0 sample\(s\)"):
        est.predict(x[:0])


def test_one_dimensional_x(estimator_and_data):  # type: ignore[no-untyped-def]
    est, (x, y) = estimator_and_data
    with pytest.raises(ValueError, match=r"Expected 2D array, got 1D array"):
        est.fit(x[:, 0], y)
    est.fit(x, y)
    with pytest.raises(ValueError, match=r"Expected 2D array, got 1D array"):
        est.predict(x[0])


def test_mismatched_rows(friedman):  # type: ignore[no-untyped-def]
    x, y = friedman
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples"):
        MCDropoutRegressor(**FAST).fit(x, y[:-1])


@pytest.mark.parametrize(
    ("params", "pattern"),
    [
        ({"dropout": 1.0}, r"dropout"),
        ({"dropout": -0.1}, r"dropout"),
        ({"tau": -1.0}, r"tau"),
        ({"epochs": 0}, r"epochs"),
        ({"batch_size": 0}, r"batch_size"),
        ({"activation": "gelu"}, r"activation"),
        ({"optimizer": "rmsprop"}, r"optimizer"),
        ({"precision": "float16"}, r"precision"),
        ({"hidden_layer_sizes": (0,)}, r"hidden_layer_sizes"),
        ({"n_samples": 0}, r"n_samples"),
        ({"learning_rate": -1.0}, r"learning rate|lr"),
        ({"tau_units": "kelvin"}, r"tau_units"),
        ({"random_state": -3}, r"random_state"),
    ],
)
def test_bad_hyper_parameters_raise_value_error(friedman, params, pattern):  # type: ignore[no-untyped-def]
    x, y = friedman
    with pytest.raises(ValueError, match=pattern):
        MCDropoutRegressor(**{**FAST, **params}).fit(x, y).predict(x[:3])


def test_bad_gp_kernel_is_a_value_error(friedman):  # type: ignore[no-untyped-def]
    x, y = friedman
    with pytest.raises(ValueError, match=r"kernel .*position"):
        ExactGPRegressor(kernel="se+*", restarts=0).fit(x, y)


def test_constant_target_and_single_class(friedman):  # type: ignore[no-untyped-def]
    x, _ = friedman
    with pytest.raises(ValueError, match=r"constant"):
        MCDropoutRegressor(**FAST).fit(x, np.full(len(x), 3.0))
    with pytest.raises(ValueError, match=r"single class"):
        MCDropoutClassifier(**FAST).fit(x, np.zeros(len(x)))


def test_regression_target_for_classifier(friedman):  # type: ignore[no-untyped-def]
    x, y = friedman
    with pytest.raises(ValueError, match=r"Unknown label type"):
        MCDropoutClassifier(**FAST).fit(x, y)


def test_layouts_give_identical_numbers(friedman):  # type: ignore[no-untyped-def]
    """float64 C, float64 Fortran, a strided view, a list and a DataFrame all give the same
    predictions bit for bit; float32 input gives the predictions of its float64 values."""
    x, y = friedman
    reg = MCDropoutRegressor(**FAST).fit(x, y)
    ref = reg.predict(x)
    assert np.array_equal(reg.predict(np.asfortranarray(x)), ref)
    wide = np.zeros((x.shape[0], 2 * x.shape[1]))
    wide[:, ::2] = x
    assert np.array_equal(reg.predict(wide[:, ::2]), ref)
    assert np.array_equal(reg.predict(x.tolist()), ref)
    x32 = x.astype(np.float32)
    assert np.array_equal(reg.predict(x32), reg.predict(x32.astype(np.float64)))
    fit32 = MCDropoutRegressor(**FAST).fit(x32, y)
    assert np.array_equal(
        fit32.predict(x32), MCDropoutRegressor(**FAST).fit(x32.astype(np.float64), y).predict(x32)
    )


def test_dataframe_feature_names(friedman):  # type: ignore[no-untyped-def]
    x, y = friedman
    df = pd.DataFrame(x, columns=[f"f{i}" for i in range(x.shape[1])])
    reg = MCDropoutRegressor(**FAST).fit(df, y)
    assert list(reg.feature_names_in_) == list(df.columns)
    assert np.array_equal(reg.predict(df), reg.predict(x))
    renamed = df.rename(columns={"f2": "g2"})
    with pytest.raises(ValueError, match=r"feature names should match"):
        reg.predict(renamed)


def test_library_errors_have_specific_exception_types(friedman, tmp_path):  # type: ignore[no-untyped-def]
    import mcdropout

    x, y = friedman
    with pytest.raises(FileNotFoundError, match="nothing.model"):
        mcdropout.load(tmp_path / "nothing.model")
    reg = MCDropoutRegressor(**FAST).fit(x, y)
    reg.save(tmp_path / "m.model")
    data = bytearray((tmp_path / "m.model").read_bytes())
    (tmp_path / "cut.model").write_bytes(bytes(data[: len(data) // 2]))
    with pytest.raises(mcdropout.ModelFileError, match="cut.model"):
        mcdropout.load(tmp_path / "cut.model")
    assert issubclass(mcdropout.ModelFileError, ValueError)
    (tmp_path / "text.model").write_text("mean,std\n1,2\n")
    with pytest.raises(mcdropout.ModelFileError, match="not a valid mcdropout model file"):
        MCDropoutRegressor.load(tmp_path / "text.model")
    # A learning rate of 1e30 makes the loss overflow in the first epoch.
    with pytest.raises(mcdropout.TrainingError, match="diverged"):
        MCDropoutRegressor(learning_rate=1e30, optimizer="sgd", epochs=3).fit(x, y)
    assert issubclass(mcdropout.TrainingError, RuntimeError)
    with pytest.raises(mcdropout.ModelFileError):
        MCDropoutClassifier.load(tmp_path / "m.model")  # a regressor's file


def test_absurd_sizes_are_refused_before_allocating(friedman):  # type: ignore[no-untyped-def]
    x, y = friedman
    with pytest.raises(MemoryError, match="refusing"):
        MCDropoutRegressor(hidden_layer_sizes=(10**9,), epochs=1).fit(x, y)
    reg = MCDropoutRegressor(**FAST).fit(x, y)
    with pytest.raises(MemoryError, match="refusing"):
        reg.set_params(n_samples=10**12).predict_distribution(x, return_samples=True)


def test_corrupted_pickle_is_a_model_file_error(friedman):  # type: ignore[no-untyped-def]
    import pickle

    import mcdropout

    x, y = friedman
    reg = MCDropoutRegressor(**FAST).fit(x, y)
    raw = bytearray(reg.model_.to_bytes())
    raw[len(raw) // 2] ^= 0x01  # one flipped bit in the tensors: the checksum catches it
    with pytest.raises(mcdropout.ModelFileError, match="pickled model"):
        type(reg.model_).from_bytes(bytes(raw))
    assert pickle.loads(pickle.dumps(reg)).predict(x[:3]).shape == (3,)


def make(kind: str) -> Any:
    """A fast estimator of `kind` (regressor, classifier or gp)."""
    if kind == "regressor":
        return MCDropoutRegressor(epochs=5, n_samples=50)
    if kind == "classifier":
        return MCDropoutClassifier(epochs=5, n_samples=50)
    return ExactGPRegressor(restarts=0, max_iter=5)


@pytest.mark.parametrize("kind", ["regressor", "gp"])
def test_subnormal_target_spread_is_a_value_error(friedman, kind):  # type: ignore[no-untyped-def]
    est, column = make(kind), "y"
    x, _ = friedman
    y = np.where(np.arange(len(x)) % 2 == 0, 0.0, 5e-324)
    with pytest.raises(ValueError, match=rf'column "{column}".*below the smallest normal'):
        est.fit(x, y)


@pytest.mark.parametrize("kind", ["regressor", "classifier", "gp"])
def test_subnormal_feature_spread_is_a_value_error_naming_the_column(friedman, kind):  # type: ignore[no-untyped-def]
    est = make(kind)
    x, y = friedman
    x = x.copy()
    x[:, 2] = np.arange(len(x)) * 1e-320
    if isinstance(est, MCDropoutClassifier):
        y = (y > np.median(y)).astype(int)
    with pytest.raises(ValueError, match=r"column \"x2\".*below the smallest normal"):
        est.fit(x, y)


def test_constant_feature_is_accepted(friedman):  # type: ignore[no-untyped-def]
    x, y = friedman
    x = x.copy()
    x[:, 1] = 0.0
    pred = MCDropoutRegressor(**FAST).fit(x, y).predict(x[:5])
    assert np.all(np.isfinite(pred))


def test_labels_above_2_pow_53_are_refused_by_the_core_and_kept_distinct_by_fit(blobs):  # type: ignore[no-untyped-def]
    from mcdropout import _mcdropout

    x, y = blobs
    # The core's labels are float64: one beyond 2^53 is refused, naming the row.
    labels = np.where(y == 0, 2.0**53 + 2, y).astype(np.float64)
    settings = MCDropoutClassifier(**FAST)._settings()
    with pytest.raises(ValueError, match=r"below 2\^53 = 9007199254740992"):
        _mcdropout.fit_classifier(x, labels, settings, None)
    # The estimator encodes integer labels it cannot pass exactly: 2^60 and 2^60 + 1
    # stay two classes, and predictions are the original labels.
    big = np.where(y == 0, 2**60, 2**60 + 1).astype(np.int64)
    clf = MCDropoutClassifier(**FAST).fit(x, big)
    assert clf.classes_.tolist() == [2**60, 2**60 + 1]
    assert set(clf.predict(x[:20]).tolist()) <= {2**60, 2**60 + 1}
