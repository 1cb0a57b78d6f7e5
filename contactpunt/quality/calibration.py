"""The agreement of a calibration round, per criterion: Krippendorff's alpha over the reviewers (rows) and the
round's contacts (columns), ordinal for the 0..4 criteria and nominal for the pass/fail ones; a criterion
below 0.667 is flagged for rewriting."""

from __future__ import annotations

from dataclasses import dataclass

from contactpunt.quality.alpha import ACCEPTABLE, Level, alpha

__all__ = ["ACCEPTABLE", "Agreement", "RoundProgress", "agreement", "progress"]
from contactpunt.quality.models import CalibrationRound, Criterion, Review, Score


@dataclass(frozen=True)
class Agreement:
    criterion: Criterion
    alpha: float | None
    scores: int  # how many scores went into it
    level: Level

    @property
    def is_flagged(self) -> bool:
        """Below 0.667, or undefined while scores are there (nobody disagreed only because few scored)."""
        return self.alpha is not None and self.alpha < ACCEPTABLE


@dataclass(frozen=True)
class RoundProgress:
    done: int
    total: int


def progress(round_: CalibrationRound) -> RoundProgress:
    reviews = Review.objects.filter(calibration=round_)
    return RoundProgress(done=reviews.filter(done_at__isnull=False).count(), total=reviews.count())


def agreement(round_: CalibrationRound) -> list[Agreement]:
    """Alpha per criterion of the round's scorecard, from the reviews done so far."""
    reviewers = sorted(set(Review.objects.filter(calibration=round_).values_list("reviewer_id", flat=True)))
    contacts = sorted(round_.contacts.values_list("pk", flat=True))
    row = {r: n for n, r in enumerate(reviewers)}
    column = {c: n for n, c in enumerate(contacts)}
    criteria = list(round_.scorecard.criteria.all())
    grids: dict[int, list[list[float | None]]] = {c.pk: [[None] * len(contacts) for _ in reviewers] for c in criteria}
    counts = dict.fromkeys(grids, 0)
    scores = Score.objects.filter(
        review__calibration=round_, review__done_at__isnull=False, value__isnull=False
    ).values_list("criterion_id", "review__reviewer_id", "review__contact_id", "value")
    for criterion, reviewer, contact, value in scores:
        if criterion in grids and contact in column and value is not None:
            grids[criterion][row[reviewer]][column[contact]] = float(value)
            counts[criterion] += 1
    result = []
    for c in criteria:
        level = Level.NOMINAL if c.is_auto_fail else Level.ORDINAL
        result.append(Agreement(criterion=c, alpha=alpha(grids[c.pk], level), scores=counts[c.pk], level=level))
    return result
