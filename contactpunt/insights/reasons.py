"""Contact-reason classifier: suggests the wrap-up reason of a message, or "none of the known reasons".

Two ways to get a model:

- :func:`train_reason_model` learns from (text, reason) rows, e.g. the organisation's wrapped-up
  contacts. Features are the multilingual sentence embedding and word TF-IDF ("hybrid", the default),
  or either alone ("tfidf" alone is the classic baseline). A multinomial logistic regression gives a
  probability per reason; below a threshold the model answers "none of the known reasons". The
  threshold is chosen on validation rows (see :func:`choose_threshold`).
- :func:`reason_model_from_seeds` is the cold start: a few example phrases per reason, compared by
  cosine similarity to each reason's mean embedding.

A model is saved as one artefact file (arrays plus a JSON manifest with its version, threshold and
measured scores) and loaded with :meth:`ReasonModel.load`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy import sparse

from contactpunt.insights.artefacts import ArtefactError, content_version, load_artefact, save_artefact
from contactpunt.insights.datasets import DatasetError, LabelledRows
from contactpunt.insights.encoder import ENCODER_NAME, FloatMatrix, SentenceEncoder, encode_in_batches, get_encoder
from contactpunt.insights.linear import (
    CHAR_FEATURE_SETS,
    EMBEDDING_FEATURE_SETS,
    FEATURE_SETS,
    FeatureSet,
    FitResult,
    LinearHead,
    TfidfFeatures,
    fit_logistic,
)
from contactpunt.insights.metrics import accuracy, macro_f1, out_of_scope_scores

KIND = "contact-reasons"
Method = Literal["logistic", "prototype"]
DEFAULT_OOS_LABEL = "oos"
# SVM strengths (C) tried: the first for every feature set, the others for the best set and the
# baseline; the best validation score is kept (a coarse grid, never read off a benchmark).
REGULARISATIONS: tuple[float, ...] = (1.0, 0.3, 3.0)
# With no out-of-scope validation rows, a message is "unsure" when its confidence is below that of
# all but this share of the correctly classified validation rows.
UNSURE_SHARE_WITHOUT_OOS = 0.05
# Feature sets tried by default; "tfidf" (word n-grams + LR) is the baseline and always among them.
# The embedding head is a logistic regression: its C is the strength times this (dense unit-norm
# embeddings want a weaker penalty than the SVM on sparse TF-IDF).
EMBEDDING_STRENGTH = 10.0
# The embedding head's shares of a hybrid's logits tried on validation.
HYBRID_SHARES: tuple[float, ...] = (0.25, 0.5, 0.75)
CANDIDATE_FEATURES: tuple[FeatureSet, ...] = ("tfidf", "tfidf-chars", "embedding", "hybrid", "hybrid-chars")
# Cold-start cosine similarity below which a message matches no seeded reason. Read off clinc150's
# validation split with 5 seed phrases per intent (in-scope accuracy 0.71 of 0.72, out-of-scope
# recall 0.56); organisations can pass their own.
DEFAULT_SEED_THRESHOLD = 0.4
_HOLDOUT_SHARE = 0.1
_HOLDOUT_SEED = 20240101


@dataclass(frozen=True, slots=True)
class ReasonSuggestion:
    """The suggested reason (None: none of the known reasons), the model's confidence and its best guess."""

    reason: str | None
    confidence: float
    best_guess: str


@dataclass(frozen=True)
class ReasonScores:
    """Measured quality on labelled rows; ``oos_recall`` is None when there were no out-of-scope rows."""

    accuracy: float
    macro_f1: float
    in_scope_accuracy: float
    oos_recall: float | None
    rows: int

    def as_dict(self) -> dict[str, float | int | None]:
        """The scores rounded for display and JSON."""
        return {
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "in_scope_accuracy": round(self.in_scope_accuracy, 4),
            "oos_recall": None if self.oos_recall is None else round(self.oos_recall, 4),
            "rows": self.rows,
        }


class ReasonModel:
    """A trained or seeded reason classifier with its "none of the known reasons" threshold."""

    def __init__(
        self,
        *,
        method: Method,
        features: FeatureSet,
        head: LinearHead,
        tfidf: TfidfFeatures | None,
        threshold: float,
        manifest: dict[str, Any],
        encoder: SentenceEncoder | None = None,
        baseline: tuple[LinearHead, float] | None = None,
    ) -> None:
        if features != "embedding" and tfidf is None:
            raise ValueError(f"feature set {features!r} needs a TF-IDF vocabulary")
        if (features in CHAR_FEATURE_SETS) and (tfidf is None or not tfidf.has_chars):
            raise ValueError(f"feature set {features!r} needs character n-grams")
        self.method = method
        self.features = features
        self.head = head
        self.tfidf = tfidf
        self.threshold = threshold
        self.manifest = manifest
        self._encoder = encoder
        # The TF-IDF + LR baseline trained beside the model (head on the word block, threshold).
        self.baseline = baseline

    @property
    def reasons(self) -> tuple[str, ...]:
        """The known reasons, in the model's column order."""
        return self.head.classes

    @property
    def version(self) -> str:
        """The content digest written when the model was made."""
        return str(self.manifest.get("version", ""))

    @property
    def encoder(self) -> SentenceEncoder:
        """The sentence encoder (the shared process-wide one unless given)."""
        if self._encoder is None:
            self._encoder = get_encoder()
        return self._encoder

    @property
    def needs_embeddings(self) -> bool:
        """True when the model reads sentence embeddings (callers can then share one encoding)."""
        return self.features in EMBEDDING_FEATURE_SETS

    def _tfidf_rows(self, texts: list[str]) -> sparse.csr_matrix | None:
        if self.tfidf is None or self.features == "embedding":
            return None
        if self.features in CHAR_FEATURE_SETS:
            return self.tfidf.transform(texts)
        return self.tfidf.words_only().transform(texts)

    def confidences(self, texts: list[str], embeddings: FloatMatrix | None = None) -> FloatMatrix:
        """Return one confidence per reason and text: probabilities, or cosine similarities for seeds."""
        if self.needs_embeddings and embeddings is None:
            embeddings = encode_in_batches(self.encoder, texts)
        tfidf = self._tfidf_rows(texts)
        use_embeddings = embeddings if self.needs_embeddings else None
        if self.method == "prototype":
            return self.head.logits(use_embeddings, None)
        return self.head.probabilities(use_embeddings, tfidf)

    def suggest(self, texts: list[str], embeddings: FloatMatrix | None = None) -> list[ReasonSuggestion]:
        """Return a suggestion per text; ``reason`` is None below the threshold."""
        if not texts:
            return []
        confidences = self.confidences(texts, embeddings)
        best = confidences.argmax(axis=1)
        suggestions = []
        for row, column in zip(confidences, best, strict=True):
            confidence = float(row[column])
            guess = self.head.classes[int(column)]
            suggestions.append(ReasonSuggestion(guess if confidence >= self.threshold else None, confidence, guess))
        return suggestions

    def predict_labels(self, texts: list[str], *, oos_label: str = DEFAULT_OOS_LABEL) -> list[str]:
        """Return the suggested reason per text, ``oos_label`` for "none of the known reasons"."""
        return [s.reason if s.reason is not None else oos_label for s in self.suggest(texts)]

    def evaluate(self, rows: LabelledRows, *, oos_label: str = DEFAULT_OOS_LABEL) -> ReasonScores:
        """Measure the model on ``rows``; rows labelled ``oos_label`` should get no reason."""
        predicted = self.predict_labels(rows.texts, oos_label=oos_label)
        return _scores(rows.labels, predicted, oos_label)

    def evaluate_baseline(self, rows: LabelledRows, *, oos_label: str = DEFAULT_OOS_LABEL) -> ReasonScores | None:
        """Measure the TF-IDF + LR baseline trained beside this model (None when it has none)."""
        if self.baseline is None or self.tfidf is None:
            return None
        head, threshold = self.baseline
        confidences = head.probabilities(None, self.tfidf.words_only().transform(rows.texts))
        return _scores(rows.labels, _labels_at(confidences, head.classes, threshold, oos_label), oos_label)

    def save(self, path: Path) -> None:
        """Write the model to ``path`` as an artefact."""
        arrays = self.head.to_arrays("head_")
        arrays.update(_tfidf_arrays(self.tfidf))
        if self.baseline is not None:
            arrays.update(self.baseline[0].to_arrays("baseline_"))
        save_artefact(path, manifest=self.manifest, arrays=arrays)

    @classmethod
    def load(cls, path: Path, *, encoder: SentenceEncoder | None = None) -> ReasonModel:
        """Read a model written by :meth:`save`."""
        artefact = load_artefact(path, kind=KIND)
        manifest = artefact.manifest
        if manifest.get("encoder") not in (None, ENCODER_NAME):
            raise ArtefactError(f"{path} needs the sentence encoder {manifest['encoder']!r}, not {ENCODER_NAME!r}")
        tfidf = None
        if "tfidf_terms" in artefact.arrays:
            terms = [str(term) for term in artefact.arrays["tfidf_terms"]]
            char_terms = char_idf = None
            if "tfidf_char_terms" in artefact.arrays:
                char_terms = [str(term) for term in artefact.arrays["tfidf_char_terms"]]
                char_idf = np.asarray(artefact.arrays["tfidf_char_idf"], dtype=np.float64)
            idf = np.asarray(artefact.arrays["tfidf_idf"], dtype=np.float64)
            tfidf = TfidfFeatures(terms, idf, char_terms, char_idf)
        baseline = None
        if "baseline_classes" in artefact.arrays:
            baseline = (LinearHead.from_arrays(artefact.arrays, "baseline_"), float(manifest["baseline_threshold"]))
        return cls(
            method=manifest["method"],
            features=manifest["features"],
            head=LinearHead.from_arrays(artefact.arrays, "head_"),
            tfidf=tfidf,
            threshold=float(manifest["threshold"]),
            manifest=manifest,
            encoder=encoder,
            baseline=baseline,
        )


def _tfidf_arrays(tfidf: TfidfFeatures | None) -> dict[str, npt.NDArray[Any]]:
    if tfidf is None:
        return {}
    arrays: dict[str, npt.NDArray[Any]] = {
        "tfidf_terms": np.array(tfidf.terms, dtype=np.str_),
        "tfidf_idf": tfidf.idf,
    }
    if tfidf.char_terms is not None and tfidf.char_idf is not None:
        arrays["tfidf_char_terms"] = np.array(tfidf.char_terms, dtype=np.str_)
        arrays["tfidf_char_idf"] = tfidf.char_idf
    return arrays


def _labels_at(confidences: FloatMatrix, classes: Sequence[str], threshold: float, oos_label: str) -> list[str]:
    best = confidences.argmax(axis=1)
    top = confidences[np.arange(len(best)), best]
    return [classes[int(c)] if t >= threshold else oos_label for c, t in zip(best, top, strict=True)]


def choose_threshold(
    confidences: FloatMatrix, classes: Sequence[str], expected: Sequence[str], *, oos_label: str
) -> float:
    """Choose the confidence below which the model says "none of the known reasons".

    With out-of-scope rows in the validation set: the threshold that maximises accuracy over all
    validation rows, "none" counting as one more class. This weighs in-scope accuracy and
    out-of-scope recall by how often each occurs, so the balance follows the organisation's own share
    of unknown messages; on ties the lowest threshold (fewest rejections) wins. Without out-of-scope
    rows: the confidence that keeps all but ``UNSURE_SHARE_WITHOUT_OOS`` of the correctly classified
    rows (new topics are found among the unsure messages). With no usable rows at all: 0.0.
    """
    if len(expected) == 0:
        return 0.0
    best_columns = confidences.argmax(axis=1)
    top = confidences[np.arange(len(expected)), best_columns]
    guesses = np.array(classes, dtype=object)[best_columns]
    truth = np.array(expected, dtype=object)
    is_out_of_scope = truth == oos_label
    is_correct_guess = guesses == truth
    if not is_out_of_scope.any():
        correct = top[is_correct_guess]
        return float(np.quantile(correct, UNSURE_SHARE_WITHOUT_OOS)) if correct.size else 0.0
    order = np.argsort(top)
    sorted_top = top[order]
    # Threshold just above the k lowest confidences rejects exactly those k rows (k = 0..n).
    rejected_oos = np.concatenate([[0], np.cumsum(is_out_of_scope[order])])
    rejected_correct = np.concatenate([[0], np.cumsum(is_correct_guess[order])])
    correct_count = rejected_oos + (is_correct_guess.sum() - rejected_correct)
    # Only cut between different confidence values.
    k_candidates = [0] + [
        k for k in range(1, len(sorted_top) + 1) if k == len(sorted_top) or sorted_top[k] > sorted_top[k - 1]
    ]
    best_k = max(k_candidates, key=lambda k: (correct_count[k], -k))
    if best_k == 0:
        return 0.0
    if best_k == len(sorted_top):
        return float(np.nextafter(sorted_top[-1], np.float32(np.inf)))
    return float((sorted_top[best_k - 1] + sorted_top[best_k]) / 2)


@dataclass(frozen=True)
class Candidate:
    """One feature set and regularisation tried in training, with its scores on the validation rows."""

    features: FeatureSet
    regularisation: float
    threshold: float
    scores: ReasonScores
    seconds: float
    embedding_share: float | None = None

    @property
    def is_baseline(self) -> bool:
        """True for the TF-IDF (word n-grams) + logistic-regression baseline."""
        return self.features == "tfidf"

    def as_dict(self) -> dict[str, Any]:
        """The candidate for JSON and the manifest."""
        return {
            "features": self.features,
            "regularisation": self.regularisation,
            "threshold": round(self.threshold, 4),
            "seconds": round(self.seconds, 2),
            "embedding_share": self.embedding_share,
            **self.scores.as_dict(),
        }


@dataclass(frozen=True)
class TrainingReport:
    """What training did: rows used, seconds, the candidates, and the chosen one's and baseline's scores."""

    training_rows: int
    validation_rows: int
    validation_source: str
    seconds: float
    scores: ReasonScores
    baseline_scores: ReasonScores
    candidates: tuple[Candidate, ...]
    chosen: Candidate


def train_reason_model(
    rows: LabelledRows,
    *,
    oos_label: str = DEFAULT_OOS_LABEL,
    features: FeatureSet | Literal["auto"] = "auto",
    encoder: SentenceEncoder | None = None,
    regularisations: Sequence[float] = REGULARISATIONS,
) -> tuple[ReasonModel, TrainingReport]:
    """Train a reason model on the ``train`` rows (every row when there is no split column).

    Rows labelled ``oos_label`` are not a reason: they are never trained on and serve only to choose
    the threshold. The validation rows are the ``valid`` rows plus the out-of-scope training rows;
    when there are no ``valid`` rows, a seeded 10% of each reason's training rows is held out.

    TF-IDF candidates are linear SVMs (see :func:`fit_logistic`, ``solver="svm"``), the embedding
    candidate a logistic regression, a hybrid the sum of both heads' logits (the share on validation). With
    ``features="auto"`` every feature set in :data:`CANDIDATE_FEATURES` is tried (the TF-IDF word
    n-gram baseline first) at the first of ``regularisations``, then the best set and the baseline
    at the others; the candidate with the best validation accuracy (then macro-F1) wins, on a tie the
    earlier one, so the chosen model is never below the baseline on validation. A given feature set
    tries only that set; the baseline is still trained beside it and stored with the model for
    comparison. Raise :class:`DatasetError` when fewer than two reasons remain.
    """
    if features != "auto" and features not in FEATURE_SETS:
        raise ValueError(f"features must be 'auto' or one of {FEATURE_SETS}")
    started = time.perf_counter()
    training = rows.subset("train") if rows.has_splits else rows
    validation = rows.subset("valid") if rows.has_splits else LabelledRows([], [], [])
    in_scope = [i for i, label in enumerate(training.labels) if label != oos_label]
    threshold_extra = [i for i, label in enumerate(training.labels) if label == oos_label]
    validation_source = "valid"
    if not validation.texts:
        in_scope, held_out = _hold_out(in_scope, training.labels)
        threshold_extra += held_out
        validation_source = "held-out share of train"
    fit_texts = [training.texts[i] for i in in_scope]
    fit_labels = [training.labels[i] for i in in_scope]
    if len(set(fit_labels)) < 2:
        raise DatasetError("training needs at least two different reasons (besides the out-of-scope label)")
    check_texts = validation.texts + [training.texts[i] for i in threshold_extra]
    check_labels = validation.labels + [training.labels[i] for i in threshold_extra]

    chosen_sets = CANDIDATE_FEATURES if features == "auto" else (features,)
    wanted: tuple[FeatureSet, ...] = ("tfidf", *tuple(f for f in chosen_sets if f != "tfidf"))
    if any(f in EMBEDDING_FEATURE_SETS for f in wanted) and encoder is None:
        encoder = get_encoder()
    fit_embeddings = check_embeddings = None
    if any(f in EMBEDDING_FEATURE_SETS for f in wanted) and encoder is not None:
        fit_embeddings = encode_in_batches(encoder, fit_texts)
        check_embeddings = encode_in_batches(encoder, check_texts)
    vocabulary = TfidfFeatures.fit(fit_texts, chars=any(f in CHAR_FEATURE_SETS for f in wanted))
    words = vocabulary.words_only()
    blocks = {False: (words.transform(fit_texts), words.transform(check_texts))}
    if vocabulary.has_chars:
        blocks[True] = (vocabulary.transform(fit_texts), vocabulary.transform(check_texts))

    candidates: list[Candidate] = []
    heads: list[LinearHead] = []
    fitted_heads: dict[tuple[str, float], LinearHead] = {}
    seconds_of: dict[tuple[str, float], float] = {}
    embedding_fits: dict[float, FitResult] = {}

    def component(kind: str, strength: float) -> LinearHead:
        """A fitted head on one block: "words" or "chars" (linear SVM) or "embedding" (logistic regression)."""
        key = (kind, strength)
        if key not in fitted_heads:
            if kind == "embedding":
                # Most of training's time: warm-started from the nearest strength fitted, one BLAS thread.
                nearest = min(embedding_fits, key=lambda s: abs(np.log(s / strength)), default=None)
                fitted = embedding_fits[strength] = fit_logistic(
                    fit_labels,
                    embeddings=fit_embeddings,
                    tfidf=None,
                    regularisation=strength * EMBEDDING_STRENGTH,
                    balanced=False,
                    max_iter=300,
                    warm_start=None if nearest is None else embedding_fits[nearest],
                    blas_threads=1,
                )
            else:
                fitted = fit_logistic(
                    fit_labels,
                    embeddings=None,
                    tfidf=blocks[kind == "chars"][0],
                    regularisation=strength,
                    balanced=False,
                    solver="svm",
                )
            fitted_heads[key], seconds_of[key] = fitted.head, fitted.seconds
        return fitted_heads[key]

    def measure(head: LinearHead, uses_embedding: bool, check_tfidf: Any) -> tuple[float, ReasonScores]:
        confidences = head.probabilities(check_embeddings if uses_embedding else None, check_tfidf)
        threshold = choose_threshold(confidences, head.classes, check_labels, oos_label=oos_label)
        predicted = _labels_at(confidences, head.classes, threshold, oos_label)
        return threshold, _scores(check_labels, predicted, oos_label)

    def try_candidate(feature_set: FeatureSet, strength: float) -> None:
        block = "chars" if feature_set in CHAR_FEATURE_SETS else "words"
        check_tfidf = blocks[block == "chars"][1] if feature_set != "embedding" else None
        if feature_set in ("tfidf", "tfidf-chars"):
            head = component(block, strength)
            threshold, scores = measure(head, False, check_tfidf)
            mix = None
        elif feature_set == "embedding":
            head = component("embedding", strength)
            threshold, scores = measure(head, True, None)
            mix = None
        else:
            # A hybrid adds the logits of the TF-IDF head and of the embedding head, the embedding's
            # share chosen on validation (no third fit).
            words, meaning = component(block, strength), component("embedding", strength)
            options = []
            for share in HYBRID_SHARES:
                mixed = LinearHead(
                    words.classes,
                    meaning.embedding_weights * share,
                    words.tfidf_weights * (1 - share),
                    words.bias * (1 - share) + meaning.bias * share,
                )
                options.append((mixed, *measure(mixed, True, check_tfidf), share))
            head, threshold, scores, mix = max(options, key=lambda o: (o[2].accuracy, o[2].macro_f1))
        parts = {"tfidf": [block], "tfidf-chars": [block], "embedding": ["embedding"]}.get(
            feature_set, [block, "embedding"]
        )
        seconds = sum(seconds_of[(part, strength)] for part in parts)
        candidates.append(Candidate(feature_set, strength, threshold, scores, seconds, mix))
        heads.append(head)

    def rank(index: int) -> tuple[float, float, int]:
        scores = candidates[index].scores
        return (round(scores.accuracy, 6), round(scores.macro_f1, 6), -index)

    # First every feature set at the middle strength, then the other strengths for the best feature
    # set and for the baseline: fewer fits than the full grid, and the baseline gets the same search.
    middle, *others = regularisations
    for feature_set in wanted:
        try_candidate(feature_set, middle)
    best_first = max((i for i, c in enumerate(candidates) if features in ("auto", c.features)), key=rank)
    for feature_set in dict.fromkeys(("tfidf", candidates[best_first].features)):
        for strength in others:
            try_candidate(feature_set, strength)

    baseline_index = max((i for i, c in enumerate(candidates) if c.is_baseline), key=rank)
    pool = (
        range(len(candidates))
        if features == "auto"
        else [i for i, c in enumerate(candidates) if c.features == features]
    )
    chosen_index = max(pool, key=rank)
    chosen, baseline = candidates[chosen_index], candidates[baseline_index]
    model = ReasonModel(
        method="logistic",
        features=chosen.features,
        head=heads[chosen_index],
        tfidf=vocabulary if vocabulary.has_chars and chosen.features in CHAR_FEATURE_SETS else words,
        threshold=chosen.threshold,
        manifest={},
        encoder=encoder if chosen.features in EMBEDDING_FEATURE_SETS else None,
        baseline=(heads[baseline_index], baseline.threshold),
    )
    seconds = time.perf_counter() - started
    report = TrainingReport(
        len(fit_texts),
        len(check_texts),
        validation_source,
        seconds,
        chosen.scores,
        baseline.scores,
        tuple(candidates),
        chosen,
    )
    model.manifest = _manifest(
        model,
        encoder,
        oos_label,
        {
            "regularisation": chosen.regularisation,
            "training_rows": len(fit_texts),
            "validation_rows": len(check_texts),
            "validation_source": validation_source,
            "validation_scores": chosen.scores.as_dict(),
            "baseline": baseline.as_dict(),
            "baseline_threshold": baseline.threshold,
            "candidates": [c.as_dict() for c in candidates],
            "training_seconds": round(seconds, 2),
            "scikit_learn": version("scikit-learn"),
        },
    )
    return model, report


def reason_model_from_seeds(
    seeds: Mapping[str, Sequence[str]],
    *,
    threshold: float = DEFAULT_SEED_THRESHOLD,
    encoder: SentenceEncoder | None = None,
) -> ReasonModel:
    """Make a cold-start model from a few example phrases per reason.

    A message gets the reason whose mean seed embedding is most similar (cosine), or none when that
    similarity is below ``threshold``. Needs at least one reason with at least one non-empty phrase.
    """
    cleaned = {reason: [p for p in phrases if p.strip()] for reason, phrases in seeds.items()}
    cleaned = {reason: phrases for reason, phrases in cleaned.items() if reason.strip() and phrases}
    if not cleaned:
        raise ValueError("seed at least one reason with at least one phrase")
    encoder = encoder if encoder is not None else get_encoder()
    classes = tuple(sorted(cleaned))
    centroids = np.zeros((encoder.dimension, len(classes)), dtype=np.float32)
    for column, reason in enumerate(classes):
        mean = encode_in_batches(encoder, cleaned[reason]).mean(axis=0)
        centroids[:, column] = mean / max(float(np.linalg.norm(mean)), 1e-12)
    head = LinearHead(
        classes, centroids, np.zeros((0, len(classes)), dtype=np.float32), np.zeros(len(classes), np.float32)
    )
    model = ReasonModel(
        method="prototype",
        features="embedding",
        head=head,
        tfidf=None,
        threshold=threshold,
        manifest={},
        encoder=encoder,
    )
    model.manifest = _manifest(model, encoder, DEFAULT_OOS_LABEL, {"seed_phrases": sum(map(len, cleaned.values()))})
    return model


def _manifest(
    model: ReasonModel, encoder: SentenceEncoder | None, oos_label: str, extra: dict[str, Any]
) -> dict[str, Any]:
    model_fields = {
        "kind": KIND,
        "method": model.method,
        "features": model.features,
        "threshold": model.threshold,
        "encoder": encoder.name if encoder is not None and model.needs_embeddings else None,
    }
    arrays: dict[str, npt.NDArray[Any]] = {**model.head.to_arrays("head_"), **_tfidf_arrays(model.tfidf)}
    return {
        **model_fields,
        "version": content_version(arrays, model_fields),
        "reasons": list(model.reasons),
        "oos_label": oos_label,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **extra,
    }


def _hold_out(indices: list[int], labels: list[str]) -> tuple[list[int], list[int]]:
    """Split ``indices`` into (kept, held out): a seeded share of each label's rows, for labels with 5 or more."""
    rng = np.random.default_rng(_HOLDOUT_SEED)
    by_label: dict[str, list[int]] = {}
    for index in indices:
        by_label.setdefault(labels[index], []).append(index)
    kept: list[int] = []
    held: list[int] = []
    for label in sorted(by_label):
        members = by_label[label]
        count = int(len(members) * _HOLDOUT_SHARE) if len(members) >= 5 else 0
        chosen = set(rng.choice(len(members), size=count, replace=False).tolist()) if count else set()
        for position, index in enumerate(members):
            (held if position in chosen else kept).append(index)
    return sorted(kept), sorted(held)


def _scores(expected: Sequence[str], predicted: Sequence[str], oos_label: str) -> ReasonScores:
    in_scope_accuracy, oos_recall = out_of_scope_scores(expected, predicted, oos_label=oos_label)
    return ReasonScores(
        accuracy(expected, predicted), macro_f1(expected, predicted), in_scope_accuracy, oos_recall, len(expected)
    )
