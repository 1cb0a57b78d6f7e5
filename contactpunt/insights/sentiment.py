"""Sentiment of a message (positive, neutral, negative, with a score), Dutch and English, offline.

The shipped model is two logistic-regression heads on the multilingual sentence encoder, trained on
English data only (see ``weights/PROVENANCE.md``); because the encoder puts Dutch and English in one
space, it reads Dutch without Dutch training data. The three-class head answers positive, neutral or
negative; the polarity head, trained on the positive and negative rows only, answers the two-class
task (``labels=("positive", "negative")``), which never answers neutral. ``score`` is
P(positive) - P(negative), from -1 (clearly negative) to +1 (clearly positive).
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any, Literal

import numpy as np

from contactpunt.insights.artefacts import ArtefactError, content_version, load_artefact, save_artefact
from contactpunt.insights.datasets import LabelledRows
from contactpunt.insights.encoder import ENCODER_NAME, FloatMatrix, SentenceEncoder, encode_in_batches, get_encoder
from contactpunt.insights.linear import LinearHead, fit_logistic
from contactpunt.insights.metrics import accuracy, macro_f1

Sentiment = Literal["positive", "neutral", "negative"]
SENTIMENT_LABELS: tuple[Sentiment, ...] = ("negative", "neutral", "positive")
POLARITY_LABELS: tuple[Sentiment, ...] = ("negative", "positive")
KIND = "sentiment"
SHIPPED_MODEL = Path(__file__).resolve().parent / "weights" / "sentiment.npz"
# Fixed, not searched: scikit-learn's default strength; balanced so the rarer positive class counts.
REGULARISATION = 1.0


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
        polarity: LinearHead | None = None,
    ) -> None:
        if set(head.classes) != set(SENTIMENT_LABELS):
            raise ValueError(f"a sentiment head has classes {SENTIMENT_LABELS}, not {head.classes}")
        if polarity is not None and set(polarity.classes) != set(POLARITY_LABELS):
            raise ValueError(f"a polarity head has classes {POLARITY_LABELS}, not {polarity.classes}")
        self.head = head
        self.polarity = polarity
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
        polarity = (
            LinearHead.from_arrays(artefact.arrays, "polarity_") if "polarity_classes" in artefact.arrays else None
        )
        return cls(LinearHead.from_arrays(artefact.arrays, "head_"), artefact.manifest, encoder, polarity)

    def save(self, path: Path) -> None:
        """Write the model as an artefact (arrays plus manifest)."""
        arrays = self.head.to_arrays("head_")
        if self.polarity is not None:
            arrays.update(self.polarity.to_arrays("polarity_"))
        save_artefact(path, manifest=self.manifest, arrays=arrays)

    def predict_embeddings(
        self, embeddings: FloatMatrix, *, labels: tuple[Sentiment, ...] = SENTIMENT_LABELS
    ) -> list[SentimentResult]:
        """Return the sentiment of already encoded texts, in order, choosing only among ``labels``.

        ``labels`` is all three, or positive and negative (the two-class task: never neutral).
        """
        two_class = _task_labels(labels) == POLARITY_LABELS
        probabilities = self.head.probabilities(embeddings, None)[:, self._columns]
        if two_class and self.polarity is not None:
            polar = self.polarity.probabilities(embeddings, None)
            negative, positive = self.polarity.classes.index("negative"), self.polarity.classes.index("positive")
            probabilities = np.stack([polar[:, negative], np.zeros(len(polar), np.float32), polar[:, positive]], axis=1)
        elif two_class:
            probabilities = probabilities.copy()
            probabilities[:, 1] = -1.0  # a model without a polarity head: the likelier of the two
        results = []
        for row in probabilities:
            label = SENTIMENT_LABELS[int(np.argmax(row))]
            results.append(SentimentResult(label, round(float(row[2] - row[0]), 4)))
        return results

    def predict(self, texts: list[str], *, labels: tuple[Sentiment, ...] = SENTIMENT_LABELS) -> list[SentimentResult]:
        """Return the sentiment of each text, in order, choosing only among ``labels``."""
        return self.predict_embeddings(encode_in_batches(self.encoder, texts), labels=labels)


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
    rows: LabelledRows, *, encoder: SentenceEncoder, source: str, licence: str
) -> tuple[SentimentModel, SentimentScores | None]:
    """Train a sentiment model on the ``train`` rows of ``rows`` (all rows when there is no split column).

    Returns the model and its scores on the ``test`` rows (None when there are none). ``source`` and
    ``licence`` describe the training data and are written into the manifest with the package versions
    and the git commit.
    """
    training = rows.subset("train") if rows.has_splits else rows
    unknown = set(training.labels) - set(SENTIMENT_LABELS)
    if unknown or set(training.labels) != set(SENTIMENT_LABELS):
        raise ValueError(
            f"training rows need exactly the labels {SENTIMENT_LABELS}; found {sorted(set(training.labels))}"
        )
    embeddings = encode_in_batches(encoder, training.texts)
    fitted = fit_logistic(
        training.labels, embeddings=embeddings, tfidf=None, regularisation=REGULARISATION, balanced=True
    )
    polar_rows = [i for i, label in enumerate(training.labels) if label != "neutral"]
    # Not balanced: the two-class head keeps the share of positive and negative lines it saw.
    polarity = fit_logistic(
        [training.labels[i] for i in polar_rows],
        embeddings=embeddings[polar_rows],
        tfidf=None,
        regularisation=REGULARISATION,
        balanced=False,
    ).head
    model_fields = {
        "kind": KIND,
        "encoder": encoder.name,
        "regularisation": REGULARISATION,
        "class_weight": "balanced",
        "polarity_class_weight": "none",
    }
    arrays = {**fitted.head.to_arrays("head_"), **polarity.to_arrays("polarity_")}
    manifest: dict[str, Any] = {
        **model_fields,
        "version": content_version(arrays, model_fields),
        "classes": list(fitted.head.classes),
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "training_rows": len(training),
        "training_data": source,
        "training_data_licence": licence,
        "encoder_package": getattr(encoder, "version", encoder.name),
        "scikit_learn": version("scikit-learn"),
        "git_commit": _git_commit(),
    }
    model = SentimentModel(fitted.head, manifest, encoder, polarity)
    scores = None
    if rows.has_splits and rows.subset("test").texts:
        scores = score_sentiment(model, rows.subset("test"))
        manifest["test_accuracy"] = round(scores.accuracy, 4)
        manifest["test_macro_f1"] = round(scores.macro_f1, 4)
    return model, scores


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
