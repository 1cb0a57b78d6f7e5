"""Contact-reason classifier in use: suggests the wrap-up reason of a message, says how sure it is, or
answers "none of the known reasons".

Two ways to get a model:

- :func:`contactpunt.insights.reason_training.train_reason_model` learns from (text, reason) rows, e.g.
  the organisation's wrapped-up contacts, choosing features and strength on validation rows.
- :func:`reason_model_from_seeds` is the cold start: a few example phrases per reason, compared by
  cosine similarity to each reason's mean embedding.

Two confidence levels, both chosen when the model is made: below ``threshold`` the model answers "none
of the known reasons" (only where the organisation's data shows such messages: an out-of-scope label,
or the seeds' similarity floor; otherwise 0, so every message gets its best reason); below
``unsure_threshold`` (never below ``threshold``) a suggestion is marked unsure: shown as such, not
pre-selected, and where new topics are looked for. Being unsure costs no accuracy.

A model is saved as one artefact file (arrays plus a JSON manifest with its version, thresholds and
measured scores) and loaded with :meth:`ReasonModel.load`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy import sparse

from contactpunt.insights.artefacts import ArtefactError, content_version, load_artefact, save_artefact
from contactpunt.insights.datasets import LabelledRows
from contactpunt.insights.encoder import ENCODER_NAME, FloatMatrix, SentenceEncoder, encode_in_batches, get_encoder
from contactpunt.insights.linear import CHAR_FEATURE_SETS, EMBEDDING_FEATURE_SETS, FeatureSet, LinearHead, TfidfFeatures
from contactpunt.insights.metrics import accuracy, macro_f1, out_of_scope_scores

KIND = "contact-reasons"
Method = Literal["logistic", "prototype"]
DEFAULT_OOS_LABEL = "oos"
# Cold-start cosine similarity below which a message matches no seeded reason. Read off clinc150's
# validation split with 5 seed phrases per intent (in-scope accuracy 0.71 of 0.72, out-of-scope
# recall 0.56); organisations can pass their own.
DEFAULT_SEED_THRESHOLD = 0.4


@dataclass(frozen=True, slots=True)
class ReasonSuggestion:
    """The suggested reason (None: none of the known reasons), the model's confidence, its best guess, and
    whether the model is unsure of it (always so when ``reason`` is None)."""

    reason: str | None
    confidence: float
    best_guess: str
    is_unsure: bool


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
    """A trained or seeded reason classifier with its "none of the known reasons" and "unsure" thresholds."""

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
        unsure_threshold: float | None = None,
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
        self.unsure_threshold = threshold if unsure_threshold is None else max(unsure_threshold, threshold)
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
        """Return a suggestion per text; ``reason`` is None below ``threshold``, unsure below ``unsure_threshold``."""
        if not texts:
            return []
        confidences = self.confidences(texts, embeddings)
        best = confidences.argmax(axis=1)
        suggestions = []
        for row, column in zip(confidences, best, strict=True):
            confidence = float(row[column])
            guess = self.head.classes[int(column)]
            reason = guess if confidence >= self.threshold else None
            suggestions.append(ReasonSuggestion(reason, confidence, guess, confidence < self.unsure_threshold))
        return suggestions

    def predict_labels(self, texts: list[str], *, oos_label: str = DEFAULT_OOS_LABEL) -> list[str]:
        """Return the suggested reason per text, ``oos_label`` for "none of the known reasons"."""
        return [s.reason if s.reason is not None else oos_label for s in self.suggest(texts)]

    def evaluate(self, rows: LabelledRows, *, oos_label: str = DEFAULT_OOS_LABEL) -> ReasonScores:
        """Measure the model on ``rows``; rows labelled ``oos_label`` should get no reason."""
        predicted = self.predict_labels(rows.texts, oos_label=oos_label)
        return reason_scores(rows.labels, predicted, oos_label)

    def evaluate_baseline(self, rows: LabelledRows, *, oos_label: str = DEFAULT_OOS_LABEL) -> ReasonScores | None:
        """Measure the TF-IDF + LR baseline trained beside this model (None when it has none)."""
        if self.baseline is None or self.tfidf is None:
            return None
        head, threshold = self.baseline
        confidences = head.probabilities(None, self.tfidf.words_only().transform(rows.texts))
        return reason_scores(rows.labels, labels_at(confidences, head.classes, threshold, oos_label), oos_label)

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
            # Older models had one threshold, below which a message was both unmatched and unsure.
            unsure_threshold=float(manifest.get("unsure_threshold", manifest["threshold"])),
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


def labels_at(confidences: FloatMatrix, classes: Sequence[str], threshold: float, oos_label: str) -> list[str]:
    """The best reason per row of ``confidences``, ``oos_label`` where its confidence is below ``threshold``."""
    best = confidences.argmax(axis=1)
    top = confidences[np.arange(len(best)), best]
    return [classes[int(c)] if t >= threshold else oos_label for c, t in zip(best, top, strict=True)]


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
    model.manifest = model_manifest(
        model, encoder, DEFAULT_OOS_LABEL, {"seed_phrases": sum(map(len, cleaned.values()))}
    )
    return model


def model_manifest(
    model: ReasonModel, encoder: SentenceEncoder | None, oos_label: str, extra: dict[str, Any]
) -> dict[str, Any]:
    """The manifest of ``model``: what it is, its content version (arrays and thresholds), and ``extra``."""
    model_fields = {
        "kind": KIND,
        "method": model.method,
        "features": model.features,
        "threshold": model.threshold,
        "unsure_threshold": model.unsure_threshold,
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


def reason_scores(expected: Sequence[str], predicted: Sequence[str], oos_label: str) -> ReasonScores:
    """Accuracy, macro-F1, in-scope accuracy and out-of-scope recall of ``predicted`` against ``expected``."""
    in_scope_accuracy, oos_recall = out_of_scope_scores(expected, predicted, oos_label=oos_label)
    return ReasonScores(
        accuracy(expected, predicted), macro_f1(expected, predicted), in_scope_accuracy, oos_recall, len(expected)
    )
