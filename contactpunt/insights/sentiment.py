"""Sentiment of a message (positive, neutral, negative, with a score), Dutch and English, offline.

The shipped model is two logistic-regression heads on the multilingual sentence encoder, trained on
English data only (see ``weights/PROVENANCE.md``); because the encoder puts Dutch and English in one
space, they read Dutch without Dutch training data (the Dutch reading below adds Dutch). The
three-class head answers positive, neutral or negative; the polarity head, trained on the positive
and negative rows only, answers the two-class task (``labels=("positive", "negative")``), which never
answers neutral. ``score`` is P(positive) - P(negative), from -1 (clearly negative) to +1 (clearly
positive).

Each head's reading is combined with the message's lexicon polarity (``lexicon.py``: Pattern's Dutch
and English opinion words) by a small fusion head, trained on the same rows from the heads'
cross-validated logits, so that it learns how far to trust each signal on text the heads did not
see. A message in a language without a lexicon is read by the encoder alone. A Dutch message in the
two-class task is read, when the model has a Dutch reading, as a review and as conversation, mixed by
a domain gate (``sentiment_dutch.py``): a review polarity head that learnt Dutch reviews and the
lexicon on review-like Dutch, the encoder's polarity fusion on Dutch conversation.
"""

from __future__ import annotations

import subprocess
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from contactpunt.insights.artefacts import ArtefactError, content_version, load_artefact, save_artefact
from contactpunt.insights.datasets import LabelledRows
from contactpunt.insights.encoder import ENCODER_NAME, FloatMatrix, SentenceEncoder, encode_in_batches, get_encoder
from contactpunt.insights.language import detect_languages
from contactpunt.insights.lexicon import lexicon_features
from contactpunt.insights.linear import LinearHead, fit_logistic
from contactpunt.insights.metrics import accuracy, macro_f1
from contactpunt.insights.sentiment_dutch import REVIEW, DutchReading, fit_dutch_reading, polarity_margin

Sentiment = Literal["positive", "neutral", "negative"]
SENTIMENT_LABELS: tuple[Sentiment, ...] = ("negative", "neutral", "positive")
POLARITY_LABELS: tuple[Sentiment, ...] = ("negative", "positive")
KIND = "sentiment"
SHIPPED_MODEL = Path(__file__).resolve().parent / "weights" / "sentiment.npz"
# Fixed, not searched: scikit-learn's default strength; balanced so the rarer positive class counts.
REGULARISATION = 1.0
# The fusion heads learn from logits of heads that did not see the row: five folds, a fixed shuffle.
FUSION_FOLDS = 5
FUSION_SEED = 0


@dataclass(frozen=True, slots=True)
class SentimentResult:
    """One message's sentiment label and score in [-1, 1] (P(positive) - P(negative))."""

    label: Sentiment
    score: float


class SentimentModel:
    """A trained sentiment head plus the encoder it was trained on."""

    def __init__(
        self,
        head: LinearHead,
        manifest: dict[str, Any],
        encoder: SentenceEncoder | None = None,
        *,
        polarity: LinearHead | None = None,
        fusion: LinearHead | None = None,
        polarity_fusion: LinearHead | None = None,
        dutch: DutchReading | None = None,
    ) -> None:
        if set(head.classes) != set(SENTIMENT_LABELS):
            raise ValueError(f"a sentiment head has classes {SENTIMENT_LABELS}, not {head.classes}")
        if polarity is not None and set(polarity.classes) != set(POLARITY_LABELS):
            raise ValueError(f"a polarity head has classes {POLARITY_LABELS}, not {polarity.classes}")
        if fusion is not None and set(fusion.classes) != set(SENTIMENT_LABELS):
            raise ValueError(f"a fusion head has classes {SENTIMENT_LABELS}, not {fusion.classes}")
        if polarity_fusion is not None and (polarity is None or set(polarity_fusion.classes) != set(POLARITY_LABELS)):
            raise ValueError(f"a polarity fusion head needs a polarity head and has classes {POLARITY_LABELS}")
        if dutch is not None and polarity_fusion is None:
            raise ValueError("a Dutch reading mixes in the polarity fusion head's reading: it needs one")
        self.head = head
        self.polarity = polarity
        self.fusion = fusion
        self.polarity_fusion = polarity_fusion
        self.dutch = dutch
        self.manifest = manifest
        self._encoder = encoder
        self._columns = [head.classes.index(label) for label in SENTIMENT_LABELS]

    @property
    def encoder(self) -> SentenceEncoder:
        """The encoder used for texts (the shared process-wide one unless given)."""
        if self._encoder is None:
            self._encoder = get_encoder()
        return self._encoder

    @classmethod
    def load(cls, path: Path = SHIPPED_MODEL, *, encoder: SentenceEncoder | None = None) -> SentimentModel:
        """Load a sentiment artefact; by default the one shipped with the product."""
        artefact = load_artefact(path, kind=KIND)
        if artefact.manifest.get("encoder") != ENCODER_NAME:
            raise ArtefactError(f"{path} needs the sentence encoder {artefact.manifest.get('encoder')!r}")
        heads = {
            prefix: LinearHead.from_arrays(artefact.arrays, prefix) if f"{prefix}classes" in artefact.arrays else None
            for prefix in ("polarity_", "fusion_", "polarity_fusion_")
        }
        return cls(
            LinearHead.from_arrays(artefact.arrays, "head_"),
            artefact.manifest,
            encoder,
            polarity=heads["polarity_"],
            fusion=heads["fusion_"],
            polarity_fusion=heads["polarity_fusion_"],
            dutch=DutchReading.from_arrays(artefact.arrays),
        )

    def to_arrays(self) -> dict[str, Any]:
        """The model's heads as named arrays."""
        arrays = self.head.to_arrays("head_")
        for prefix, head in (
            ("polarity_", self.polarity),
            ("fusion_", self.fusion),
            ("polarity_fusion_", self.polarity_fusion),
        ):
            if head is not None:
                arrays.update(head.to_arrays(prefix))
        if self.dutch is not None:
            arrays.update(self.dutch.to_arrays())
        return arrays

    def save(self, path: Path) -> None:
        """Write the model as an artefact (arrays plus manifest)."""
        save_artefact(path, manifest=self.manifest, arrays=self.to_arrays())

    def predict_embeddings(
        self,
        embeddings: FloatMatrix,
        *,
        labels: tuple[Sentiment, ...] = SENTIMENT_LABELS,
        texts: list[str] | None = None,
        languages: list[str] | None = None,
    ) -> list[SentimentResult]:
        """Return the sentiment of already encoded texts, in order, choosing only among ``labels``.

        ``labels`` is all three, or positive and negative (the two-class task: never neutral). With
        ``texts`` (and their ``languages``, detected when not given) the fusion heads add the
        lexicon's reading; without them the encoder's heads answer alone.
        """
        two_class = _task_labels(labels) == POLARITY_LABELS
        lexicon = None
        if texts is not None and (self.fusion is not None or self.polarity_fusion is not None):
            if languages is None:
                languages = [result.language for result in detect_languages(texts)]
            lexicon = lexicon_features(texts, languages)
        if two_class and self.polarity is not None:
            polar = _polarity_probabilities(self.polarity, self.polarity_fusion, embeddings, lexicon)
            dutch = [row for row, language in enumerate(languages or []) if language == "nl"]
            if self.dutch is not None and lexicon is not None and dutch:
                polar[dutch] = self.dutch.probabilities(embeddings[dutch], lexicon[dutch], polar[dutch])
            probabilities = np.stack([polar[:, 0], np.zeros(len(polar), np.float32), polar[:, 1]], axis=1)
        else:
            if self.fusion is not None and lexicon is not None:
                logits = _centred(self.head.logits(embeddings, None)[:, self._columns])
                fused = self.fusion.probabilities(np.hstack([logits, lexicon]), None)
                probabilities = fused[:, [self.fusion.classes.index(label) for label in SENTIMENT_LABELS]]
            else:
                probabilities = self.head.probabilities(embeddings, None)[:, self._columns]
            if two_class:
                probabilities = probabilities.copy()
                probabilities[:, 1] = -1.0  # a model without a polarity head: the likelier of the two
        results = []
        for row in probabilities:
            label = SENTIMENT_LABELS[int(np.argmax(row))]
            results.append(SentimentResult(label, round(float(row[2] - row[0]), 4)))
        return results

    def predict(self, texts: list[str], *, labels: tuple[Sentiment, ...] = SENTIMENT_LABELS) -> list[SentimentResult]:
        """Return the sentiment of each text, in order, choosing only among ``labels``."""
        return self.predict_embeddings(encode_in_batches(self.encoder, texts), labels=labels, texts=texts)


def _centred(logits: FloatMatrix) -> FloatMatrix:
    """Logits minus their row mean: the same softmax, a fixed scale for the fusion head."""
    return np.asarray(logits - logits.mean(axis=1, keepdims=True), dtype=np.float32)


def _polarity_probabilities(
    polarity: LinearHead, fusion: LinearHead | None, embeddings: FloatMatrix, lexicon: FloatMatrix | None
) -> FloatMatrix:
    """P(negative), P(positive) per row: the polarity head's, or the fusion head's when there is a lexicon reading."""
    if fusion is not None and lexicon is not None:
        head, probabilities = (
            fusion,
            fusion.probabilities(np.hstack([polarity_margin(polarity, embeddings), lexicon]), None),
        )
    else:
        head, probabilities = polarity, polarity.probabilities(embeddings, None)
    columns = [head.classes.index("negative"), head.classes.index("positive")]
    return np.asarray(probabilities[:, columns], dtype=np.float32)


def _task_labels(labels: Sequence[str]) -> tuple[Sentiment, ...]:
    """Return the task's labels in canonical order; raise ValueError for anything but 3 or pos/neg."""
    wanted = set(labels)
    if wanted == set(SENTIMENT_LABELS):
        return SENTIMENT_LABELS
    if wanted == set(POLARITY_LABELS):
        return POLARITY_LABELS
    raise ValueError("sentiment labels are positive, neutral and negative, or positive and negative")


def task_labels_of(rows: LabelledRows, labels: Sequence[str] | None = None) -> tuple[Sentiment, ...]:
    """The labels a measurement chooses among: ``labels`` when given, else the labels found in ``rows``.

    A file with only positive and negative rows is a two-class task (never neutral).
    """
    if labels is not None:
        return _task_labels(labels)
    found = set(rows.labels)
    unknown = found - set(SENTIMENT_LABELS)
    if unknown:
        raise ValueError(f"sentiment labels are positive, neutral and negative; found {sorted(unknown)}")
    return SENTIMENT_LABELS if "neutral" in found else POLARITY_LABELS


_shipped: SentimentModel | None = None
_shipped_lock = threading.Lock()


def get_sentiment_model() -> SentimentModel:
    """Return the shipped sentiment model, loaded once per process."""
    global _shipped  # noqa: PLW0603 - read-only model shared by every request in the process
    with _shipped_lock:
        if _shipped is None:
            _shipped = SentimentModel.load()
        return _shipped


@dataclass(frozen=True)
class SentimentScores:
    """How a sentiment model did on labelled rows."""

    accuracy: float
    macro_f1: float
    rows: int


def score_sentiment(
    model: SentimentModel, rows: LabelledRows, *, labels: Sequence[str] | None = None
) -> SentimentScores:
    """Measure ``model`` on ``rows`` (labels positive/neutral/negative, or positive/negative only).

    The task's labels are ``labels`` or, when None, those found in the rows: a file without neutral
    rows is a two-class task and the model then never answers neutral.
    """
    unknown = set(rows.labels) - set(SENTIMENT_LABELS)
    if unknown:
        raise ValueError(f"sentiment labels are positive, neutral and negative; found {sorted(unknown)}")
    task = task_labels_of(rows, labels)
    predicted = [result.label for result in model.predict(rows.texts, labels=task)]
    return SentimentScores(accuracy(rows.labels, predicted), macro_f1(rows.labels, predicted), len(rows))


def train_sentiment(
    rows: LabelledRows,
    *,
    encoder: SentenceEncoder,
    source: str,
    licence: str,
    extra: LabelledRows | None = None,
    reviews: LabelledRows | None = None,
    reviews_source: str = "",
    reviews_licence: str = "",
    dutch: Sequence[tuple[str, LabelledRows, str]] = (),
) -> tuple[SentimentModel, SentimentScores | None]:
    """Train a sentiment model on the ``train`` rows of ``rows`` (all rows when there is no split column).

    ``reviews`` (positive and negative rows of real reviews, their ``train`` rows when the file has a
    split column) teach the encoder's heads and the polarity fusion head beside ``rows``: in that
    fusion head each of the two sources weighs alike, so that the larger one (film subtitles) does not
    decide alone how far the lexicon is trusted. ``extra`` rows (positive and negative, such as
    ``service_sentences``) teach the encoder's heads but not the fusion heads, which learn on real
    rows alone. ``dutch`` (named sources of Dutch positive and negative rows, never seen by the encoder's
    heads, each marked ``review`` or ``subtitle``) fit the Dutch reading (``sentiment_dutch.py``) beside
    the review and extra rows (review-like; they teach its review polarity head too) and ``rows``
    (subtitle-like). Returns the model and its scores on
    the ``test`` rows of ``rows`` (None when there are none). ``source`` and ``licence`` (and
    ``reviews_source``, ``reviews_licence``) describe the training data and are written into the
    manifest with the package versions and the git commit.
    """
    real = rows.subset("train") if rows.has_splits else rows
    if set(real.labels) != set(SENTIMENT_LABELS):
        raise ValueError(f"training rows need exactly the labels {SENTIMENT_LABELS}; found {sorted(set(real.labels))}")
    if extra is not None and not set(extra.labels) <= set(POLARITY_LABELS):
        raise ValueError(f"extra training rows are positive or negative; found {sorted(set(extra.labels))}")
    review = LabelledRows([], [], [])
    if reviews is not None:
        review = reviews.subset("train") if reviews.has_splits else reviews
        if set(review.labels) != set(POLARITY_LABELS):
            raise ValueError(f"review rows need the labels {POLARITY_LABELS}; found {sorted(set(review.labels))}")
    known = LabelledRows(real.texts + review.texts, real.labels + review.labels, [])
    added = extra.texts if extra is not None else []
    labels = known.labels + (extra.labels if extra is not None else [])
    embeddings = encode_in_batches(encoder, known.texts + added)
    languages = [result.language for result in detect_languages(known.texts)]
    lexicon = lexicon_features(known.texts, languages)
    fitted = fit_logistic(labels, embeddings=embeddings, tfidf=None, regularisation=REGULARISATION, balanced=True)
    polar_rows = [i for i, label in enumerate(labels) if label != "neutral"]
    # Not balanced: the two-class head keeps the share of positive and negative lines it saw.
    polarity = fit_logistic(
        [labels[i] for i in polar_rows],
        embeddings=embeddings[polar_rows],
        tfidf=None,
        regularisation=REGULARISATION,
        balanced=False,
    ).head
    fusion = polarity_fusion = None
    folds = min(FUSION_FOLDS, *Counter(real.labels).values())
    if folds >= 2:  # held-out logits need two folds; a tiny training set goes without fusion
        held_out, held_out_margin = _held_out_logits(labels, embeddings, polar_rows, folds)
        n_real = len(real)
        fusion = fit_logistic(
            real.labels,
            embeddings=np.hstack([held_out[:n_real], lexicon[:n_real]]),
            tfidf=None,
            regularisation=REGULARISATION,
            balanced=True,
        ).head
        known_polar = [position for position, row in enumerate(polar_rows) if row < len(known)]
        from_reviews = np.array([polar_rows[position] >= n_real for position in known_polar])
        polarity_fusion = fit_logistic(
            [known.labels[polar_rows[position]] for position in known_polar],
            embeddings=np.hstack([held_out_margin[known_polar], lexicon[[polar_rows[p] for p in known_polar]]]),
            tfidf=None,
            regularisation=REGULARISATION,
            balanced=False,
            sample_weight=_equal_source_weights(from_reviews),
        ).head
    reading = None
    if dutch and polarity_fusion is not None:
        n_real, n_known = len(real), len(known)
        reading = fit_dutch_reading(
            encoder,
            dutch,
            english_reviews=[(embeddings[n_real:n_known], review.labels), (embeddings[n_known:], labels[n_known:])],
            english_subtitles=embeddings[:n_real],
        )
    model_fields = {
        "kind": KIND,
        "encoder": encoder.name,
        "regularisation": REGULARISATION,
        "class_weight": "balanced",
        "polarity_class_weight": "none",
        "fusion": f"held-out logits ({folds} folds) + lexicon polarity (lexicon_nl.tsv, lexicon_en.tsv)"
        + (", polarity fusion: each source weighs alike" if len(review) else "")
        if fusion is not None
        else "none (too few rows per class)",
        "dutch_fusion": "a domain gate (review-like: the review and extra rows"
        + "".join(f", {name}" for name, _, kind in dutch if kind == REVIEW)
        + "; subtitle-like: the training rows"
        + "".join(f", {name}" for name, _, kind in dutch if kind != REVIEW)
        + ") mixes the polarity fusion and a review reading: a review polarity head (the review and extra rows"
        + "".join(f", {name}" for name, _, kind in dutch if kind == REVIEW)
        + ") + Dutch lexicon, fitted on "
        + " and ".join(f"{name} ({len(rows)} rows)" for name, rows, _ in dutch)
        + f", each source weighs alike, held-out margins ({FUSION_FOLDS} folds)"
        if reading is not None
        else "none",
    }
    model = SentimentModel(
        fitted.head,
        {},
        encoder,
        polarity=polarity,
        fusion=fusion,
        polarity_fusion=polarity_fusion,
        dutch=reading,
    )
    arrays = model.to_arrays()
    manifest: dict[str, Any] = {
        **model_fields,
        "version": content_version(arrays, model_fields),
        "classes": list(fitted.head.classes),
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "training_rows": len(real),
        "extra_training_rows": len(added),
        "training_data": source,
        "training_data_licence": licence,
        "review_rows": len(review),
        "review_data": reviews_source if len(review) else "",
        "review_data_licence": reviews_licence if len(review) else "",
        "encoder_package": getattr(encoder, "version", encoder.name),
        "scikit_learn": version("scikit-learn"),
        "git_commit": _git_commit(),
    }
    model.manifest = manifest
    scores = None
    if rows.has_splits and rows.subset("test").texts:
        scores = score_sentiment(model, rows.subset("test"))
        manifest["test_accuracy"] = round(scores.accuracy, 4)
        manifest["test_macro_f1"] = round(scores.macro_f1, 4)
    return model, scores


def _equal_source_weights(second_source: npt.NDArray[np.bool_]) -> npt.NDArray[np.float64] | None:
    """Row weights under which two sources weigh alike in total (mean weight 1); None for a single source."""
    count = int(second_source.sum())
    if count in (0, len(second_source)):
        return None
    shares = np.where(second_source, 1.0 / count, 1.0 / (len(second_source) - count))
    return np.asarray(shares * len(second_source) / 2.0, dtype=np.float64)


def _held_out_logits(
    labels: list[str], embeddings: FloatMatrix, polar_rows: list[int], folds: int
) -> tuple[FloatMatrix, FloatMatrix]:
    """Each row's three-class logits and (for the polar rows) polarity margin from heads that did not see it."""
    from sklearn.model_selection import StratifiedKFold

    three = np.zeros((len(labels), len(SENTIMENT_LABELS)), dtype=np.float32)
    margin = np.zeros((len(polar_rows), 1), dtype=np.float32)
    position = {row: index for index, row in enumerate(polar_rows)}
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=FUSION_SEED)
    for train, test in splitter.split(np.zeros(len(labels)), labels):
        train_labels = [labels[i] for i in train]
        head = fit_logistic(
            train_labels, embeddings=embeddings[train], tfidf=None, regularisation=REGULARISATION, balanced=True
        ).head
        columns = [head.classes.index(label) for label in SENTIMENT_LABELS]
        three[test] = _centred(head.logits(embeddings[test], None)[:, columns])
        polar_train = [i for i in train if labels[i] != "neutral"]
        polar_test = [i for i in test if labels[i] != "neutral"]
        polar_head = fit_logistic(
            [labels[i] for i in polar_train],
            embeddings=embeddings[polar_train],
            tfidf=None,
            regularisation=REGULARISATION,
            balanced=False,
        ).head
        margin[[position[i] for i in polar_test]] = polarity_margin(polar_head, embeddings[polar_test])
    return three, margin


def _git_commit() -> str:
    try:
        completed = subprocess.run(
            ["git", "rev-parse", "HEAD"],  # noqa: S607 - git from PATH, only to label the artefact
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return completed.stdout.strip()
