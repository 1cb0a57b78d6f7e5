"""The linear heads' fitting: a warm start reaches the cold fit's solution in fewer steps; BLAS threads are capped
only during the fit."""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_info  # type: ignore[import-untyped]

from contactpunt.insights.linear import fit_logistic


def _embeddings(rows: int = 300, classes: int = 3, dimension: int = 24) -> tuple[np.ndarray, list[str]]:
    rng = np.random.default_rng(5)
    centres = rng.normal(size=(classes, dimension))
    labels = rng.integers(classes, size=rows)
    points = centres[labels] + 1.2 * rng.normal(size=(rows, dimension))
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    return points.astype(np.float32), [f"reason {label}" for label in labels]


def test_a_warm_start_reaches_the_cold_fit_in_fewer_iterations() -> None:
    # the neighbouring strengths of the reasons' grid (a factor 3 apart), both ways
    points, labels = _embeddings()
    for start_at, wanted in ((1.0, 3.0), (3.0, 1.0)):
        start = fit_logistic(labels, embeddings=points, tfidf=None, regularisation=start_at, balanced=False)
        cold = fit_logistic(labels, embeddings=points, tfidf=None, regularisation=wanted, balanced=False)
        warm = fit_logistic(
            labels, embeddings=points, tfidf=None, regularisation=wanted, balanced=False, warm_start=start
        )
        scale = float(np.abs(cold.head.embedding_weights).max())
        # the start was not the answer already, and the warm fit found the cold one's
        assert float(np.abs(start.head.embedding_weights - cold.head.embedding_weights).max()) > 0.1 * scale
        assert np.allclose(warm.head.embedding_weights, cold.head.embedding_weights, atol=0.02 * scale)
        assert np.allclose(warm.head.bias, cold.head.bias, atol=0.02 * scale)
        assert warm.head.classes == cold.head.classes
        warm_guess = warm.head.probabilities(points, None).argmax(axis=1)
        # (a row on the boundary between two reasons may tip either way within lbfgs's tolerance)
        assert (warm_guess == cold.head.probabilities(points, None).argmax(axis=1)).mean() >= 0.99
        assert int(warm.estimator.n_iter_[0]) < int(cold.estimator.n_iter_[0])
        # the start is copied, not changed
        assert start_at == start.estimator.C and not start.estimator.warm_start


def test_blas_threads_are_capped_during_the_fit_only() -> None:
    points, labels = _embeddings()
    before = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
    capped = fit_logistic(labels, embeddings=points, tfidf=None, regularisation=1.0, balanced=False, blas_threads=1)
    free = fit_logistic(labels, embeddings=points, tfidf=None, regularisation=1.0, balanced=False)
    assert [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"] == before
    assert np.allclose(capped.head.embedding_weights, free.head.embedding_weights, atol=1e-3)
