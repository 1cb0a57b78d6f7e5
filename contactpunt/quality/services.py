"""Every write of the quality app: scorecard versions, scoring a review, calibration rounds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from contactpunt.audit import services as audit
from contactpunt.contacts.models import Contact, WorkSession
from contactpunt.people.models import User
from contactpunt.quality.models import CalibrationRound, Criterion, Review, Score, Scorecard

COMMENT_LIMIT = 2000


@dataclass(frozen=True)
class CriterionSpec:
    label: str
    weight: int = 1
    is_auto_fail: bool = False
    description: str = ""


def create_scorecard(*, name: str, criteria: Sequence[CriterionSpec], by: User | None = None) -> Scorecard:
    """Save a new version of the scorecard `name` with `criteria` (the earlier versions stay, inactive).

    Raise ValueError naming the field: an empty name, no criteria, a weight outside 0..100, a criterion without
    a label, or no weighted criterion besides the auto-fail ones."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ValueError("name")
    if not criteria or any(not c.label.strip() or len(c.label) > 120 for c in criteria):
        raise ValueError("criteria")
    if any(not 0 <= c.weight <= 100 for c in criteria) or not any(c.weight for c in criteria if not c.is_auto_fail):
        raise ValueError("weight")
    with transaction.atomic():
        latest = Scorecard.objects.select_for_update().filter(name=name).aggregate(v=Max("version"))["v"] or 0
        Scorecard.objects.filter(name=name).update(is_active=False)
        card = Scorecard.objects.create(name=name, version=latest + 1, created_by=by)
        Criterion.objects.bulk_create(
            Criterion(
                scorecard=card,
                position=n,
                label=c.label.strip(),
                description=c.description,
                weight=0 if c.is_auto_fail else c.weight,
                is_auto_fail=c.is_auto_fail,
            )
            for n, c in enumerate(criteria)
        )
    return card


def weighted_score(criteria: Sequence[Criterion], values: Mapping[int, int | None]) -> tuple[float | None, bool]:
    """(score 0..100, failed) of the values per criterion id: the weighted mean of the applicable criteria's
    share of their top score; 0 and failed when an auto-fail criterion scored 0; None when nothing applied."""
    if any(c.is_auto_fail and values.get(c.pk) == 0 for c in criteria):
        return 0.0, True
    weighted = [
        (c.weight, value / c.top) for c in criteria if not c.is_auto_fail and (value := values.get(c.pk)) is not None
    ]
    total = sum(w for w, _ in weighted)
    if total == 0:
        return None, False
    return 100 * sum(w * share for w, share in weighted) / total, False


def score_review(
    *, review: Review, values: Mapping[int, int | None], comment: str = "", by: User, now: dt.datetime
) -> Review:
    """Save the reviewer's scores (per criterion id; None is not applicable) and the total; a review can be
    corrected later by its reviewer. Raise PermissionError for anyone but the reviewer, ValueError naming the
    criterion for a missing or out-of-range score, or "comment" for a comment over 2,000 characters."""
    if by.pk != review.reviewer_id:
        raise PermissionError("reviewer")
    criteria = list(review.scorecard.criteria.all())
    for criterion in criteria:
        if criterion.pk not in values:
            raise ValueError(f"criterion-{criterion.pk}")
        value = values[criterion.pk]
        if value is not None and not 0 <= value <= criterion.top:
            raise ValueError(f"criterion-{criterion.pk}")
        if value is None and criterion.is_auto_fail:
            raise ValueError(f"criterion-{criterion.pk}")
    if len(comment) > COMMENT_LIMIT:
        raise ValueError("comment")
    score, failed = weighted_score(criteria, values)
    with transaction.atomic():
        Score.objects.filter(review=review).delete()
        Score.objects.bulk_create(Score(review=review, criterion=c, value=values[c.pk]) for c in criteria)
        review.score, review.is_failed, review.comment = score, failed, comment.strip()
        review.done_at = review.done_at or now
        review.save(update_fields=["score", "is_failed", "comment", "done_at"])
        audit.record(actor=by, action="review.scored", obj=review, changes={"score": score, "failed": failed})
    return review


def handler_of(contact: Contact) -> int | None:
    """The agent who handled the contact: the last leg's agent, else the agent of its work session."""
    leg = contact.legs.filter(agent__isnull=False).order_by("-sequence").values_list("agent_id", flat=True).first()
    if leg is not None:
        return leg

    return (
        WorkSession.objects.filter(contact=contact).order_by("-started_at").values_list("agent_id", flat=True).first()
    )


def start_calibration(
    *,
    name: str,
    scorecard: Scorecard,
    contacts: Sequence[Contact],
    reviewers: Sequence[User],
    by: User,
    now: dt.datetime,
) -> CalibrationRound:
    """Open a calibration round: every reviewer is assigned a review of every contact. Raise ValueError naming
    the field: a name, at least two contacts and at least two reviewers are needed."""
    if not name.strip() or len(name) > 100:
        raise ValueError("name")
    if len({c.pk for c in contacts}) < 2:
        raise ValueError("contacts")
    if len({r.pk for r in reviewers}) < 2:
        raise ValueError("reviewers")
    with transaction.atomic():
        round_ = CalibrationRound.objects.create(name=name.strip(), scorecard=scorecard, created_by=by)
        round_.contacts.set(contacts)
        Review.objects.bulk_create(
            Review(
                scorecard=scorecard,
                contact=contact,
                agent_id=handler_of(contact),
                reviewer=reviewer,
                calibration=round_,
                assigned_at=now,
            )
            for contact in {c.pk: c for c in contacts}.values()
            for reviewer in {r.pk: r for r in reviewers}.values()
        )
    return round_
