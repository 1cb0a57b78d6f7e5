"""Training a contact-reason model on the organisation's own labels, the TF-IDF + linear baseline always
among the candidates, and the two confidence levels of :class:`~contactpunt.insights.reasons.ReasonModel`.

Features are the multilingual sentence embedding and word (or word and character) TF-IDF, alone or
summed ("hybrid"); the feature set and the strength are chosen on validation rows by accuracy, so the
chosen model is never below the baseline there. The "none of the known reasons" threshold is chosen on
the validation rows only when they hold out-of-scope rows (:func:`choose_threshold`); the "unsure" level
from the confidences of the correctly classified validation rows (:func:`choose_unsure_threshold`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any, Literal

import numpy as np

from contactpunt.insights.datasets import DatasetError, LabelledRows
from contactpunt.insights.encoder import FloatMatrix, SentenceEncoder, encode_in_batches, get_encoder
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
from contactpunt.insights.reasons import (
    DEFAULT_OOS_LABEL,
    ReasonModel,
    ReasonScores,
    labels_at,
    model_manifest,
    reason_scores,
)

# SVM strengths (C) tried: the first for every feature set, the others for the best set and the
# baseline; the best validation score is kept (a coarse grid, never read off a benchmark).
REGULARISATIONS: tuple[float, ...] = (1.0, 0.3, 3.0)
# A suggestion is "unsure" when its confidence is below that of all but this share of the correctly
# classified validation rows (new topics are looked for among the unsure messages).
UNSURE_SHARE = 0.05
# Feature sets tried by default; "tfidf" (word n-grams + LR) is the baseline and always among them.
# The embedding head is a logistic regression: its C is the strength times this (dense unit-norm
# embeddings want a weaker penalty than the SVM on sparse TF-IDF).
EMBEDDING_STRENGTH = 10.0
# The embedding head's shares of a hybrid's logits tried on validation.
HYBRID_SHARES: tuple[float, ...] = (0.25, 0.5, 0.75)
CANDIDATE_FEATURES: tuple[FeatureSet, ...] = ("tfidf", "tfidf-chars", "embedding", "hybrid", "hybrid-chars")
_HOLDOUT_SHARE = 0.1
_HOLDOUT_SEED = 20240101


def choose_threshold(
    confidences: FloatMatrix, classes: Sequence[str], expected: Sequence[str], *, oos_label: str
) -> float:
    """Choose the confidence below which the model says "none of the known reasons".

    The threshold that maximises accuracy over all validation rows, "none" counting as one more class.
    This weighs in-scope accuracy and out-of-scope recall by how often each occurs, so the balance
    follows the organisation's own share of unknown messages; on ties the lowest threshold (fewest
    rejections) wins. Without out-of-scope rows (the organisation never labels a message "none of
    the known reasons") no message is rejected: 0.0, every message gets its best reason.
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
        return 0.0
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


def choose_unsure_threshold(confidences: FloatMatrix, classes: Sequence[str], expected: Sequence[str]) -> float:
    """Choose the confidence below which a suggestion is unsure: that of all but ``UNSURE_SHARE`` of the
    correctly classified validation rows (0.0 when none is correct)."""
    best_columns = confidences.argmax(axis=1)
    top = confidences[np.arange(len(expected)), best_columns]
    is_correct = np.array(classes, dtype=object)[best_columns] == np.array(expected, dtype=object)
    correct = top[is_correct] if len(expected) else top[:0]
    return float(np.quantile(correct, UNSURE_SHARE)) if correct.size else 0.0


@dataclass(frozen=True)
class Candidate:
    """One feature set and regularisation tried in training, with its thresholds and scores on the validation rows."""

    features: FeatureSet
    regularisation: float
    threshold: float
    scores: ReasonScores
    seconds: float
    embedding_share: float | None = None
    unsure_threshold: float = 0.0

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
            "unsure_threshold": round(self.unsure_threshold, 4),
            "seconds": round(self.seconds, 2),
            "embedding_share": self.embedding_share,
            **self.scores.as_dict(),
        }


@dataclass(frozen=True)
class TrainingReport:
    """What training did: rows used, seconds, the candidates, and the chosen one's and baseline's scores.

    The candidates were fitted on ``training_rows`` and measured on ``validation_rows``; without
    out-of-scope validation rows the chosen one and the baseline were then fitted again on ``model_rows``,
    validation included (with them, ``model_rows`` is ``training_rows``).
    """

    training_rows: int
    validation_rows: int
    validation_source: str
    seconds: float
    model_rows: int
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

    def measure(head: LinearHead, uses_embedding: bool, check_tfidf: Any) -> tuple[float, float, ReasonScores]:
        confidences = head.probabilities(check_embeddings if uses_embedding else None, check_tfidf)
        threshold = choose_threshold(confidences, head.classes, check_labels, oos_label=oos_label)
        unsure = choose_unsure_threshold(confidences, head.classes, check_labels)
        predicted = labels_at(confidences, head.classes, threshold, oos_label)
        return threshold, unsure, reason_scores(check_labels, predicted, oos_label)

    def try_candidate(feature_set: FeatureSet, strength: float) -> None:
        block = "chars" if feature_set in CHAR_FEATURE_SETS else "words"
        check_tfidf = blocks[block == "chars"][1] if feature_set != "embedding" else None
        if feature_set in ("tfidf", "tfidf-chars"):
            head = component(block, strength)
            threshold, unsure, scores = measure(head, False, check_tfidf)
            mix = None
        elif feature_set == "embedding":
            head = component("embedding", strength)
            threshold, unsure, scores = measure(head, True, None)
            mix = None
        else:
            # A hybrid adds the logits of the TF-IDF head and of the embedding head, the embedding's
            # share chosen on validation (no third fit).
            words, meaning = component(block, strength), component("embedding", strength)
            options = []
            for share in HYBRID_SHARES:
                mixed = _mix(words, meaning, share)
                options.append((mixed, *measure(mixed, True, check_tfidf), share))
            head, threshold, unsure, scores, mix = max(options, key=lambda o: (o[3].accuracy, o[3].macro_f1))
        parts = {"tfidf": [block], "tfidf-chars": [block], "embedding": ["embedding"]}.get(
            feature_set, [block, "embedding"]
        )
        seconds = sum(seconds_of[(part, strength)] for part in parts)
        candidates.append(Candidate(feature_set, strength, threshold, scores, seconds, mix, unsure))
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
    # The validation rows are the organisation's labels too: once chosen, the model and the baseline
    # learn from them as well. Not where a "none of the known reasons" threshold was chosen: a model
    # fitted on more rows is surer of itself, so the threshold chosen on validation would let unknown
    # messages through (clinc150: out-of-scope recall 0.79 fell to 0.75).
    has_out_of_scope = oos_label in check_labels
    known = [i for i, label in enumerate(check_labels) if label != oos_label and not has_out_of_scope]
    all_labels = fit_labels + [check_labels[i] for i in known]
    model_tfidf = vocabulary if vocabulary.has_chars and chosen.features in CHAR_FEATURE_SETS else words
    head, baseline_head = heads[chosen_index], heads[baseline_index]
    if known:
        all_embeddings = None
        if fit_embeddings is not None and check_embeddings is not None:
            all_embeddings = np.vstack([fit_embeddings, check_embeddings[known]])
        head, baseline_head, model_tfidf = _refit(
            chosen,
            baseline,
            texts=fit_texts + [check_texts[i] for i in known],
            labels=all_labels,
            embeddings=all_embeddings,
            warm_start=embedding_fits.get(chosen.regularisation) if set(all_labels) == set(fit_labels) else None,
        )
    model = ReasonModel(
        method="logistic",
        features=chosen.features,
        head=head,
        tfidf=model_tfidf,
        threshold=chosen.threshold,
        manifest={},
        encoder=encoder if chosen.features in EMBEDDING_FEATURE_SETS else None,
        baseline=(baseline_head, baseline.threshold),
        unsure_threshold=chosen.unsure_threshold,
    )
    seconds = time.perf_counter() - started
    report = TrainingReport(
        len(fit_texts),
        len(check_texts),
        validation_source,
        seconds,
        len(all_labels),
        chosen.scores,
        baseline.scores,
        tuple(candidates),
        chosen,
    )
    model.manifest = model_manifest(
        model,
        encoder,
        oos_label,
        {
            "regularisation": chosen.regularisation,
            "training_rows": len(fit_texts),
            "validation_rows": len(check_texts),
            "model_rows": len(all_labels),
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


def _mix(words: LinearHead, meaning: LinearHead, share: float) -> LinearHead:
    """A hybrid head: the embedding head's logits times ``share`` plus the TF-IDF head's times the rest."""
    return LinearHead(
        words.classes,
        meaning.embedding_weights * share,
        words.tfidf_weights * (1 - share),
        words.bias * (1 - share) + meaning.bias * share,
    )


def _refit(
    chosen: Candidate,
    baseline: Candidate,
    *,
    texts: list[str],
    labels: list[str],
    embeddings: FloatMatrix | None,
    warm_start: FitResult | None,
) -> tuple[LinearHead, LinearHead, TfidfFeatures]:
    """Fit the chosen candidate and the baseline again on ``texts``: (chosen head, baseline head, vocabulary).

    ``warm_start`` is the chosen strength's embedding fit on the same reasons (None: a cold start)."""
    vocabulary = TfidfFeatures.fit(texts, chars=chosen.features in CHAR_FEATURE_SETS)
    words = vocabulary.words_only()
    word_rows = words.transform(texts)

    def svm(rows: Any, strength: float) -> LinearHead:
        fitted = fit_logistic(
            labels, embeddings=None, tfidf=rows, regularisation=strength, balanced=False, solver="svm"
        )
        return fitted.head

    baseline_head = svm(word_rows, baseline.regularisation)
    if chosen.features == "tfidf":
        same = chosen.regularisation == baseline.regularisation
        return (baseline_head if same else svm(word_rows, chosen.regularisation)), baseline_head, words
    meaning = None
    if chosen.features in EMBEDDING_FEATURE_SETS:
        meaning = fit_logistic(
            labels,
            embeddings=embeddings,
            tfidf=None,
            regularisation=chosen.regularisation * EMBEDDING_STRENGTH,
            balanced=False,
            max_iter=300,
            warm_start=warm_start,
            blas_threads=1,
        ).head
    if chosen.features == "embedding" and meaning is not None:
        return meaning, baseline_head, words
    text_rows = vocabulary.transform(texts) if chosen.features in CHAR_FEATURE_SETS else word_rows
    text_head = svm(text_rows, chosen.regularisation)
    if meaning is None or chosen.embedding_share is None:
        return text_head, baseline_head, vocabulary  # "tfidf-chars"
    return _mix(text_head, meaning, chosen.embedding_share), baseline_head, vocabulary


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
