"""scikit-learn's own estimator checks on the three estimators.

Every check runs except the ones listed in EXPECTED_FAILED with the reason next to it;
scikit-learn marks those as expected failures (xfail) and still runs them, so a check that
starts to pass shows up. scikit-learn itself skips its array-API checks ("SCIPY_ARRAY_API
is not set"): they apply only to estimators that declare array-API support, which these do
not (the engine takes numpy arrays).
"""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

from mcdropout import ExactGPRegressor, MCDropoutClassifier, MCDropoutRegressor

# MC-dropout masks are drawn from streams keyed by (seed, row position): a row's MC
# estimate is exactly reproducible for a given position, but a row predicted at another
# position (in a permuted X or in a slice of X) gets other masks, so its MC mean differs
# by Monte-Carlo error (≈ std/√T), far above the 1e-9 these checks allow.
POSITION_KEYED = (
    "MC-dropout masks are keyed by (seed, row position): the same row at another position "
    "(permuted or sliced X) gets other masks, so MC estimates differ by Monte-Carlo error "
    "(~std/sqrt(T)), not the 1e-9 this check allows"
)
NETWORK_EXPECTED_FAILED = {
    "check_methods_sample_order_invariance": POSITION_KEYED,
    "check_methods_subset_invariance": POSITION_KEYED,
}

# Small but real settings so that the ~50 checks run in seconds: enough epochs to pass
# scikit-learn's accuracy (> 0.83) and R² (> 0.5) thresholds on its toy data sets.
ESTIMATORS = [
    MCDropoutRegressor(hidden_layer_sizes=(32,), tau=10.0, epochs=300, n_samples=100),
    MCDropoutClassifier(hidden_layer_sizes=(32,), epochs=300, n_samples=100),
    ExactGPRegressor(restarts=0, max_iter=30),
]


def _expected_failed(estimator: object) -> dict[str, str]:
    if isinstance(estimator, (MCDropoutRegressor, MCDropoutClassifier)):
        return NETWORK_EXPECTED_FAILED
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed)
def test_sklearn_compatible(estimator, check):  # type: ignore[no-untyped-def]
    check(estimator)
