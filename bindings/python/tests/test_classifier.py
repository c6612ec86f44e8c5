"""MCDropoutClassifier: labels of any type, and the uncertainty measures against their
definitions (DESIGN §4) recomputed from the returned softmax samples."""

from __future__ import annotations

import numpy as np
import pytest

from mcdropout import ClassUncertainty, MCDropoutClassifier


@pytest.fixture()
def fitted(blobs):  # type: ignore[no-untyped-def]
    x, y = blobs
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = MCDropoutClassifier(dropout=0.2, epochs=100, n_samples=500).fit(x, labels)
    return clf, x, labels


def test_string_labels_round_trip(fitted):  # type: ignore[no-untyped-def]
    clf, x, labels = fitted
    assert list(clf.classes_) == ["setosa", "versicolor", "virginica"]
    pred = clf.predict(x)
    assert pred.dtype == labels.dtype
    assert clf.score(x, labels) > 0.85  # three well-separated blobs
    p = clf.predict_proba(x)
    assert p.shape == (150, 3)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert np.array_equal(clf.classes_[p.argmax(axis=1)], pred)


def test_uncertainty_measures_match_their_definitions(fitted):  # type: ignore[no-untyped-def]
    clf, x, _ = fitted
    u = clf.predict_uncertainty(x[:40], return_samples=True)
    assert isinstance(u, ClassUncertainty)
    s = u.prob_samples  # T × N × C softmax outputs
    assert s.shape == (500, 40, 3)
    pbar = s.mean(axis=0)
    np.testing.assert_allclose(u.probs, pbar, rtol=1e-12, atol=1e-15)

    def entropy(p: np.ndarray) -> np.ndarray:
        return -(p * np.log(np.where(p > 0, p, 1.0))).sum(axis=-1)

    np.testing.assert_allclose(u.entropy, entropy(pbar), rtol=1e-9, atol=1e-12)
    mi = entropy(pbar) - entropy(s).mean(axis=0)
    np.testing.assert_allclose(u.mutual_information, mi, rtol=1e-8, atol=1e-10)
    votes = np.stack([np.bincount(r, minlength=3) for r in s.argmax(axis=2).T])
    np.testing.assert_allclose(u.variation_ratio, 1.0 - votes.max(axis=1) / 500, atol=1e-15)
    assert np.all(u.mutual_information >= -1e-12)
    assert np.all(u.mutual_information <= u.entropy + 1e-12)


def test_evaluate_reports_both_passes(fitted):  # type: ignore[no-untyped-def]
    clf, x, labels = fitted
    e = clf.evaluate(x, labels)
    assert e["n"] == 150
    assert e["mc"]["accuracy"] == pytest.approx(clf.score(x, labels), abs=1e-12)
    for part in ("deterministic", "mc"):
        assert 0.0 <= e[part]["ece"] <= 1.0 and e[part]["nll"] > 0.0
    with pytest.raises(ValueError, match="never seen in training"):
        clf.evaluate(x[:3], np.array(["setosa", "rose", "setosa"]))
