"""Sentiment of a message (positive, neutral, negative, with a score), Dutch and English, offline.

The shipped model is a logistic-regression head on the multilingual sentence encoder, trained on
English data only (see ``weights/PROVENANCE.md``); because the encoder puts Dutch and English in one
space, it reads Dutch without Dutch training data. ``score`` is P(positive) - P(negative), from -1
(clearly negative) to +1 (clearly positive).
"""

from __future__ import annotations

import subprocess
import threading
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

    def __init__(self, head: LinearHead, manifest: dict[str, Any], encoder: SentenceEncoder | None = None) -> None:
        if set(head.classes) != set(SENTIMENT_LABELS):
            raise ValueError(f"a sentiment head has classes {SENTIMENT_LABELS}, not {head.classes}")
        self.head = head
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
        return cls(LinearHead.from_arrays(artefact.arrays, "head_"), artefact.manifest, encoder)

    def save(self, path: Path) -> None:
        """Write the model as an artefact (arrays plus manifest)."""
        save_artefact(path, manifest=self.manifest, arrays=self.head.to_arrays("head_"))

    def predict_embeddings(self, embeddings: FloatMatrix) -> list[SentimentResult]:
        """Return the sentiment of already encoded texts, in order."""
        probabilities = self.head.probabilities(embeddings, None)[:, self._columns]
        results = []
        for row in probabilities:
            label = SENTIMENT_LABELS[int(np.argmax(row))]
            results.append(SentimentResult(label, round(float(row[2] - row[0]), 4)))
        return results

    def predict(self, texts: list[str]) -> list[SentimentResult]:
        """Return the sentiment of each text, in order."""
        return self.predict_embeddings(encode_in_batches(self.encoder, texts))


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


def score_sentiment(model: SentimentModel, rows: LabelledRows) -> SentimentScores:
    """Measure ``model`` on ``rows`` (labels positive/neutral/negative, or positive/negative only).

    On a file without neutral rows a neutral prediction counts as wrong.
    """
    unknown = set(rows.labels) - set(SENTIMENT_LABELS)
    if unknown:
        raise ValueError(f"sentiment labels are positive, neutral and negative; found {sorted(unknown)}")
    predicted = [result.label for result in model.predict(rows.texts)]
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
    model_fields = {"kind": KIND, "encoder": encoder.name, "regularisation": REGULARISATION, "class_weight": "balanced"}
    manifest: dict[str, Any] = {
        **model_fields,
        "version": content_version(fitted.head.to_arrays("head_"), model_fields),
        "classes": list(fitted.head.classes),
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "training_rows": len(training),
        "training_data": source,
        "training_data_licence": licence,
        "encoder_package": getattr(encoder, "version", encoder.name),
        "scikit_learn": version("scikit-learn"),
        "git_commit": _git_commit(),
    }
    model = SentimentModel(fitted.head, manifest, encoder)
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
