"""Feature extraction and the linear (softmax) classifier head used by sentiment and contact reasons.

Training uses scikit-learn's logistic regression; prediction is plain NumPy/SciPy on the stored
coefficients, so a saved model is only arrays (see :mod:`contactpunt.insights.artefacts`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy import sparse

from contactpunt.insights.encoder import FloatMatrix

FeatureSet = Literal["hybrid", "embedding", "tfidf", "tfidf-chars", "hybrid-chars"]
FEATURE_SETS: tuple[FeatureSet, ...] = ("hybrid", "embedding", "tfidf", "tfidf-chars", "hybrid-chars")
# Feature sets that read the sentence embedding / character n-grams.
EMBEDDING_FEATURE_SETS: frozenset[str] = frozenset({"hybrid", "embedding", "hybrid-chars"})
CHAR_FEATURE_SETS: frozenset[str] = frozenset({"tfidf-chars", "hybrid-chars"})

# TF-IDF settings, fixed rather than searched: word unigrams and bigrams, sublinear counts; character
# 2-5-grams inside word boundaries (they read typos and compounds), kept when in two or more messages.
_TFIDF_NGRAMS = (1, 2)
_CHAR_NGRAMS = (2, 5)
_CHAR_MIN_DF = 2
_CHAR_MIN_ROWS = 50
# SVM margins are about +-1 around the decision boundary; this spreads them into softmax confidences.
SVM_LOGIT_SCALE = 4.0


def _word_vectoriser(vocabulary: dict[str, int] | None = None) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(ngram_range=_TFIDF_NGRAMS, sublinear_tf=True, vocabulary=vocabulary)


def _char_vectoriser(vocabulary: dict[str, int] | None = None) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=_CHAR_NGRAMS,
        sublinear_tf=True,
        lowercase=True,
        min_df=_CHAR_MIN_DF if vocabulary is None else 1,
        vocabulary=vocabulary,
    )


class TfidfFeatures:
    """Word 1-2-gram TF-IDF, optionally followed by character n-gram TF-IDF; stored as terms and idf arrays.

    Each block is L2-normalised on its own, so the word and character blocks weigh alike.
    """

    def __init__(
        self,
        terms: list[str],
        idf: npt.NDArray[np.float64],
        char_terms: list[str] | None = None,
        char_idf: npt.NDArray[np.float64] | None = None,
    ) -> None:
        if len(terms) != len(idf) or (char_terms is None) != (char_idf is None):
            raise ValueError("terms and idf differ in length")
        if char_terms is not None and char_idf is not None and len(char_terms) != len(char_idf):
            raise ValueError("character terms and idf differ in length")
        self.terms = terms
        self.idf = idf
        self.char_terms = char_terms
        self.char_idf = char_idf
        self._vectoriser = _word_vectoriser({term: i for i, term in enumerate(terms)})
        self._vectoriser.idf_ = idf
        self._char_vectoriser: Any = None
        self._words_only: TfidfFeatures | None = None
        if char_terms is not None:
            self._char_vectoriser = _char_vectoriser({term: i for i, term in enumerate(char_terms)})
            self._char_vectoriser.idf_ = char_idf

    def words_only(self) -> TfidfFeatures:
        """These features without the character block (the same word vocabulary and weights)."""
        if self.char_terms is None:
            return self
        if self._words_only is None:
            self._words_only = TfidfFeatures(self.terms, self.idf)
        return self._words_only

    @property
    def has_chars(self) -> bool:
        """True when the features include character n-grams."""
        return self.char_terms is not None

    @classmethod
    def fit(cls, texts: list[str], *, chars: bool = False) -> TfidfFeatures:
        """Learn the vocabulary and idf weights of ``texts`` (and of their character n-grams)."""
        vectoriser = _word_vectoriser()
        vectoriser.fit(texts)
        terms = [str(term) for term in vectoriser.get_feature_names_out()]
        char_terms = char_idf = None
        if chars:
            char_vectoriser = _char_vectoriser()
            if len(texts) < _CHAR_MIN_ROWS:  # too few messages to drop the n-grams seen once
                char_vectoriser.set_params(min_df=1)
            char_vectoriser.fit(texts)
            char_terms = [str(term) for term in char_vectoriser.get_feature_names_out()]
            char_idf = np.asarray(char_vectoriser.idf_, dtype=np.float64)
        return cls(terms, np.asarray(vectoriser.idf_, dtype=np.float64), char_terms, char_idf)

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        """Return the L2-normalised TF-IDF rows of ``texts`` (unknown words are ignored)."""
        words = sparse.csr_matrix(self._vectoriser.transform(texts), dtype=np.float32)
        if self._char_vectoriser is None:
            return words
        characters = sparse.csr_matrix(self._char_vectoriser.transform(texts), dtype=np.float32)
        return sparse.csr_matrix(sparse.hstack([words, characters], format="csr"), dtype=np.float32)


@dataclass(frozen=True)
class LinearHead:
    """Softmax over ``tfidf @ tfidf_weights + embedding @ embedding_weights + bias``.

    Either weight matrix may be absent (shape ``(0, n_classes)``) for the feature set that does not
    use it. ``classes`` orders the columns.
    """

    classes: tuple[str, ...]
    embedding_weights: FloatMatrix
    tfidf_weights: FloatMatrix
    bias: npt.NDArray[np.float32]

    def logits(self, embeddings: FloatMatrix | None, tfidf: sparse.csr_matrix | None) -> FloatMatrix:
        """Return the raw class scores, shape ``(n_rows, len(classes))``."""
        logits: Any = None
        if self.embedding_weights.shape[0]:
            if embeddings is None:
                raise ValueError("this head needs sentence embeddings")
            logits = embeddings @ self.embedding_weights
        if self.tfidf_weights.shape[0]:
            if tfidf is None:
                raise ValueError("this head needs TF-IDF features")
            part = np.asarray(tfidf @ self.tfidf_weights)
            logits = part if logits is None else logits + part
        if logits is None:
            raise ValueError("the head has no weights")
        return np.asarray(np.asarray(logits, dtype=np.float32) + self.bias, dtype=np.float32)

    def probabilities(self, embeddings: FloatMatrix | None, tfidf: sparse.csr_matrix | None) -> FloatMatrix:
        """Return class probabilities (softmax of :meth:`logits`), rows summing to 1."""
        logits = self.logits(embeddings, tfidf)
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        logits /= logits.sum(axis=1, keepdims=True)
        return np.asarray(logits, dtype=np.float32)

    def to_arrays(self, prefix: str) -> dict[str, npt.NDArray[Any]]:
        """Return the head as named arrays for an artefact."""
        return {
            f"{prefix}classes": np.array(self.classes, dtype=np.str_),
            f"{prefix}embedding_weights": self.embedding_weights,
            f"{prefix}tfidf_weights": self.tfidf_weights,
            f"{prefix}bias": self.bias,
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, npt.NDArray[Any]], prefix: str) -> LinearHead:
        """Rebuild a head written by :meth:`to_arrays`."""
        return cls(
            classes=tuple(str(label) for label in arrays[f"{prefix}classes"]),
            embedding_weights=np.asarray(arrays[f"{prefix}embedding_weights"], dtype=np.float32),
            tfidf_weights=np.asarray(arrays[f"{prefix}tfidf_weights"], dtype=np.float32),
            bias=np.asarray(arrays[f"{prefix}bias"], dtype=np.float32),
        )


@dataclass(frozen=True)
class FitResult:
    """A fitted head, how long the optimiser took, and the scikit-learn estimator (to warm-start another fit)."""

    head: LinearHead
    seconds: float
    estimator: Any = None


def fit_logistic(
    labels: list[str],
    *,
    embeddings: FloatMatrix | None,
    tfidf: sparse.csr_matrix | None,
    regularisation: float,
    balanced: bool,
    max_iter: int = 1000,
    solver: Literal["logistic", "svm"] = "logistic",
    sample_weight: npt.NDArray[np.float64] | None = None,
    warm_start: FitResult | None = None,
    blas_threads: int | None = None,
) -> FitResult:
    """Fit a linear classifier on the given features (at least one) and ``labels``.

    ``solver="logistic"``: a multinomial logistic regression (lbfgs). ``solver="svm"``: a one-vs-rest
    linear SVM (liblinear), an order of magnitude faster on many classes and large vocabularies; its
    margins times :data:`SVM_LOGIT_SCALE` are the logits, so the head's softmax gives a confidence.
    ``regularisation`` is scikit-learn's C (larger means weaker regularisation); ``balanced`` weights
    every class equally regardless of its frequency; ``sample_weight`` (one per row) weighs rows on top
    of that. Needs at least two distinct labels. ``warm_start``, a logistic fit on the same features and
    labels at another strength, starts lbfgs from its solution: near the optimum, a few iterations.
    ``blas_threads`` caps the BLAS threads of the fit (None: the library's default, one per core); on a busy
    2-core machine a second thread mostly spins (lbfgs on 9,900 x 512 dense rows, 150 classes, load 13: 3 s
    of CPU and 47 s wall with one thread, 8.5 s and 97 s with two).
    """
    import copy
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]  # (scikit-learn's dependency)

    if len(set(labels)) < 2:
        raise ValueError("a classifier needs at least two different labels")
    blocks: list[Any] = []
    if tfidf is not None:
        blocks.append(tfidf)
    if embeddings is not None:
        blocks.append(sparse.csr_matrix(embeddings) if tfidf is not None else embeddings)
    if not blocks:
        raise ValueError("no features")
    features = sparse.hstack(blocks, format="csr") if len(blocks) > 1 else blocks[0]
    started = time.perf_counter()
    from sklearn.svm import LinearSVC

    weights = "balanced" if balanced else None
    model: Any = (
        LinearSVC(C=regularisation, class_weight=weights, max_iter=max_iter)
        if solver == "svm"
        else LogisticRegression(C=regularisation, max_iter=max_iter, class_weight=weights)
    )
    if warm_start is not None and solver == "logistic" and isinstance(warm_start.estimator, LogisticRegression):
        model = copy.deepcopy(warm_start.estimator)
        model.set_params(C=regularisation, max_iter=max_iter, class_weight=weights, warm_start=True)
    with warnings.catch_warnings(), threadpool_limits(limits=blas_threads, user_api="blas"):
        # An unconverged lbfgs after max_iter still gives a usable model; its measured scores tell.
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(features, labels, sample_weight=sample_weight)
    seconds = time.perf_counter() - started
    classes = tuple(str(label) for label in model.classes_)
    scale = SVM_LOGIT_SCALE if solver == "svm" else 1.0
    coefficients = np.asarray(model.coef_ * scale, dtype=np.float32)
    intercept = np.asarray(np.atleast_1d(model.intercept_) * scale, dtype=np.float32)
    if len(classes) == 2:
        # scikit-learn stores one row for two classes (the logit of the second); spread it as a softmax.
        coefficients = np.vstack([-coefficients / 2, coefficients / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2], dtype=np.float32)
    n_tfidf = tfidf.shape[1] if tfidf is not None else 0
    tfidf_weights = np.ascontiguousarray(coefficients[:, :n_tfidf].T)
    embedding_weights = np.ascontiguousarray(coefficients[:, n_tfidf:].T)
    if embeddings is None:
        embedding_weights = np.zeros((0, len(classes)), dtype=np.float32)
    head = LinearHead(classes, embedding_weights, tfidf_weights, intercept)
    return FitResult(head, seconds, model)
