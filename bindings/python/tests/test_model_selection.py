"""The estimators inside scikit-learn's model-selection machinery, and pickling."""

from __future__ import annotations

import pickle

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mcdropout import (
    ExactGPRegressor,
    MCDropoutClassifier,
    MCDropoutRegressor,
    log_likelihood_scorer,
)


def test_cross_val_score(friedman):  # type: ignore[no-untyped-def]
    x, y = friedman
    reg = MCDropoutRegressor(tau=1.0, epochs=200, n_samples=200)
    scores = cross_val_score(reg, x, y, cv=KFold(3, shuffle=True, random_state=0))
    assert scores.shape == (3,)
    # Friedman #1 with noise std 0.5 is learnable: every fold's R² is clearly positive.
    assert np.all(scores > 0.5), scores
    ll = cross_val_score(reg, x, y, cv=3, scoring=log_likelihood_scorer)
    assert np.all(np.isfinite(ll))


def test_grid_search_over_dropout_and_tau_by_log_likelihood(friedman):  # type: ignore[no-untyped-def]
    x, y = friedman
    grid = GridSearchCV(
        MCDropoutRegressor(epochs=200, n_samples=200),
        {"dropout": [0.01, 0.1], "tau": [0.01, 4.0]},
        scoring=log_likelihood_scorer,
        cv=3,
    )
    grid.fit(x, y)
    # The targets' noise std is 0.5 (τ = 4) and their spread ≈ 5: τ = 0.01 claims a noise
    # std of 10, whose log-likelihood is far lower whatever the dropout rate.
    assert grid.best_params_["tau"] == 4.0
    means = grid.cv_results_["mean_test_score"]
    assert np.all(np.isfinite(means))
    assert grid.best_score_ == max(means)
    assert isinstance(grid.best_estimator_, MCDropoutRegressor)


def test_pipeline_with_standard_scaler(friedman):  # type: ignore[no-untyped-def]
    x, y = friedman
    pipe = make_pipeline(StandardScaler(), MCDropoutRegressor(epochs=200, n_samples=200))
    pipe.fit(x, y)
    assert pipe.score(x, y) > 0.5
    # The estimator standardises inside too, so scaling first changes nothing but the
    # floating-point rounding of the inputs.
    direct = MCDropoutRegressor(epochs=200, n_samples=200).fit(x, y).predict(x)
    np.testing.assert_allclose(pipe.predict(x), direct, rtol=1e-6, atol=1e-6)


def test_pickle_round_trip_gives_identical_predictions(friedman, blobs):  # type: ignore[no-untyped-def]
    x, y = friedman
    xb, yb = blobs
    fitted = [
        MCDropoutRegressor(epochs=20, n_samples=300).fit(x, y),
        MCDropoutClassifier(epochs=20, n_samples=300).fit(xb, np.array(["a", "b", "c"])[yb]),
        ExactGPRegressor(restarts=0, max_iter=10).fit(x, y),
    ]
    for est, data in zip(fitted, [x, xb, x]):
        back = pickle.loads(pickle.dumps(est))
        assert type(back) is type(est)
        assert np.array_equal(back.predict(data), est.predict(data))
        if hasattr(est, "predict_proba"):
            assert np.array_equal(back.predict_proba(data), est.predict_proba(data))
        else:
            d0, d1 = est.predict_distribution(data), back.predict_distribution(data)
            assert np.array_equal(d0.std, d1.std)


def test_clone_keeps_parameters_only(friedman):  # type: ignore[no-untyped-def]
    x, y = friedman
    reg = MCDropoutRegressor(dropout=0.2, tau=3.0, epochs=5).fit(x, y)
    c = clone(reg)
    assert c.get_params() == reg.get_params()
    assert not hasattr(c, "model_")
