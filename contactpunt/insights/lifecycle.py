"""The contact-reason model's life: trained on the organisation's wrapped-up contacts, versioned,
measured on held-out rows, and activated only when it is not worse than the active one.

- Labels are the reasons agents chose at wrap-up (the case's reason) for the inbound messages of
  the case. Rows are split by message id, deterministically: 70% train, 15% validation (where the
  "none of the known reasons" threshold is chosen), 15% test (where the version is measured).
- The candidate and the active model are measured on the same test rows; the candidate is
  activated when its macro-F1 is at least the active model's, or when there is no active model.
- Cold start: with too few wrapped-up contacts, a model is made from the seed phrases per reason
  (admin-editable); it is activated when nothing trained is active.
"""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from contactpunt.contacts.models import Direction, Message
from contactpunt.insights.datasets import LabelledRows
from contactpunt.insights.models import ReasonModelVersion, SeedPhrase
from contactpunt.insights.reason_training import train_reason_model
from contactpunt.insights.reasons import ReasonModel, reason_model_from_seeds
from contactpunt.ops import progress

MAX_TRAINING_ROWS = 20_000
MIN_TRAINING_ROWS = 40
MIN_TEST_ROWS = 10
_SPLIT_MULTIPLIER = 2654435761  # Knuth's multiplicative hash: spreads consecutive ids over the splits

# Keyed by the content digest: the same digest is the same model, whatever row it is stored in.
_cache: dict[str, ReasonModel] = {}
_cache_lock = threading.Lock()


def split_of(message_id: int) -> str:
    """The split of a message, fixed by its id: train (70%), valid (15%) or test (15%)."""
    bucket = (message_id * _SPLIT_MULTIPLIER) % 2**32 % 100
    return "train" if bucket < 70 else "valid" if bucket < 85 else "test"


def wrapped_up_rows(limit: int = MAX_TRAINING_ROWS) -> LabelledRows:
    """The newest ``limit`` inbound messages whose case has a contact reason, labelled with its code."""
    rows = list(
        Message.objects.filter(direction=Direction.INBOUND, is_internal=False, case__reason__isnull=False)
        .exclude(text="")
        .order_by("-id")
        .values_list("id", "text", "case__reason__code")[:limit]
    )
    rows.reverse()
    return LabelledRows(
        [text for _id, text, _code in rows],
        [code for _id, _text, code in rows],
        [split_of(pk) for pk, _text, _code in rows],
    )


def seeds() -> dict[str, list[str]]:
    """The seed phrases per active contact reason code."""
    phrases: dict[str, list[str]] = {}
    for code, text in SeedPhrase.objects.filter(reason__is_active=True).values_list("reason__code", "text"):
        phrases.setdefault(code, []).append(text)
    return phrases


def model_of(version: ReasonModelVersion) -> ReasonModel:
    """Load the model stored in ``version`` (cached per process: versions never change)."""
    with _cache_lock:
        cached = _cache.get(version.version)
    if cached is not None:
        return cached
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.npz"
        path.write_bytes(bytes(version.artefact))
        model = ReasonModel.load(path)
    with _cache_lock:
        _cache[version.version] = model
    return model


def active_reason_model() -> ReasonModel | None:
    """The active reason model, or None before the first one (one small query per call)."""
    active = ReasonModelVersion.objects.filter(is_active=True).only("pk", "version").first()
    if active is None:
        return None
    with _cache_lock:
        cached = _cache.get(active.version)
    if cached is not None:
        return cached
    return model_of(ReasonModelVersion.objects.get(pk=active.pk))


@dataclass(frozen=True, slots=True)
class RetrainResult:
    """The version made (None when there was nothing to learn from) and whether it is now active."""

    version: ReasonModelVersion | None
    activated: bool
    decision: str


def retrain() -> RetrainResult:
    """Make a new reason-model version from the wrapped-up contacts (or the seeds) and activate it if not worse."""
    progress.report(gettext_noop("reading the wrapped-up contacts"), done=0, total=3)
    rows = wrapped_up_rows()
    progress.report(gettext_noop("training the reason model"), done=1, total=3)
    test = rows.subset("test")
    learnable = rows.subset("train").labels + rows.subset("valid").labels
    if len(learnable) >= MIN_TRAINING_ROWS and len(set(learnable)) >= 2 and len(test.texts) >= MIN_TEST_ROWS:
        training = LabelledRows(
            [t for t, s in zip(rows.texts, rows.splits, strict=True) if s != "test"],
            [label for label, s in zip(rows.labels, rows.splits, strict=True) if s != "test"],
            [s for s in rows.splits if s != "test"],
        )
        model, report = train_reason_model(training)
        method, seconds, training_rows = ReasonModelVersion.Method.TRAINED, report.seconds, report.model_rows
    elif phrases := seeds():
        model = reason_model_from_seeds(phrases)
        method, seconds, training_rows = ReasonModelVersion.Method.SEEDED, 0.0, sum(map(len, phrases.values()))
        test = test if len(test.texts) >= MIN_TEST_ROWS else LabelledRows([], [], [])
    else:
        return RetrainResult(None, False, "no wrapped-up contacts and no seed phrases yet")
    progress.report(gettext_noop("comparing with the active model"), done=2, total=3)
    return consider_candidate(model, method, test, seconds, training_rows)


def consider_candidate(
    model: ReasonModel, method: str, test: LabelledRows, seconds: float, training_rows: int
) -> RetrainResult:
    """Store ``model`` as a version with its scores on ``test`` and activate it when it is not worse."""
    existing = ReasonModelVersion.objects.filter(version=model.version).first()
    if existing is not None:
        return RetrainResult(existing, existing.is_active, "the same model as version " + existing.version)
    scores = model.evaluate(test) if test.texts else None
    active = ReasonModelVersion.objects.filter(is_active=True).first()
    active_f1 = model_of(active).evaluate(test).macro_f1 if active is not None and test.texts else None
    if active is None:
        activate, decision = True, "activated: there was no active model"
    elif scores is not None and active_f1 is not None:
        activate = scores.macro_f1 >= active_f1
        verdict = "activated: not worse than" if activate else "kept the active model: worse than"
        decision = f"{verdict} the active model (macro-F1 {scores.macro_f1:.3f} vs {active_f1:.3f})"
    else:
        activate = active.method == ReasonModelVersion.Method.SEEDED
        decision = "activated: replaces seeds" if activate else "kept the active model: nothing to compare on"
    baseline = model.evaluate_baseline(test) if test.texts else None
    if scores is not None and baseline is not None:
        # Every retrain reports the TF-IDF + linear baseline trained beside the model, on the same rows.
        decision += f"; accuracy {scores.accuracy:.3f} vs TF-IDF baseline {baseline.accuracy:.3f}"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.npz"
        model.save(path)
        artefact = path.read_bytes()
    with transaction.atomic():
        version = ReasonModelVersion.objects.create(
            version=model.version,
            method=method,
            artefact=artefact,
            threshold=model.threshold,
            reasons=list(model.reasons),
            training_rows=training_rows,
            test_rows=len(test.texts),
            accuracy=scores.accuracy if scores else None,
            macro_f1=scores.macro_f1 if scores else None,
            active_macro_f1=active_f1,
            training_seconds=round(seconds, 2),
            decision=decision[:300],
        )
        if activate:
            activate_version(version)
    return RetrainResult(version, activate, decision)


def activate_version(version: ReasonModelVersion) -> None:
    """Make ``version`` the active reason model (the previous one is deactivated in the same transaction)."""
    with transaction.atomic():
        ReasonModelVersion.objects.filter(is_active=True).exclude(pk=version.pk).update(is_active=False)
        version.is_active = True
        version.activated_at = timezone.now()
        version.save(update_fields=["is_active", "activated_at"])
