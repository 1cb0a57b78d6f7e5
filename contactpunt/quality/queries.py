"""Permission-checked reads of the quality app. Reviews: a reviewer reads and scores their own; team leads and
up and the auditor read every review; an agent reads the finished reviews of their own contacts. Anyone else
gets a 404 (no existence leak), and a write by anyone but the assigned reviewer a 403."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from contactpunt.access import Action, can
from contactpunt.people.models import User
from contactpunt.quality.models import CalibrationRound, Review


def visible_reviews(user: User) -> QuerySet[Review]:
    """The reviews `user` may read."""
    if not user.is_authenticated or not user.is_active:
        return Review.objects.none()
    if can(user, Action.VIEW_QUALITY):
        return Review.objects.all()
    return Review.objects.filter(Q(reviewer=user) | Q(agent=user, done_at__isnull=False, calibration__isnull=True))


def get_review_for_user(user: User, review_id: object, *, write: bool = False) -> Review:
    """The review `review_id` when `user` may read it (Http404 otherwise); with `write`, PermissionDenied unless
    the user is its reviewer and may write."""
    try:
        pk = int(str(review_id))
    except ValueError:
        raise Http404("no such review") from None
    review = (
        visible_reviews(user)
        .select_related("scorecard", "contact", "contact__case", "agent", "reviewer", "calibration")
        .filter(pk=pk)
        .first()
        if 0 < pk <= 2**63 - 1
        else None
    )
    if review is None:
        raise Http404("no such review")
    if write and (review.reviewer_id != user.pk or not can(user, Action.WRITE)):
        raise PermissionDenied("read-only")
    return review


def get_round_for_user(user: User, round_id: object) -> CalibrationRound:
    """A calibration round, for the roles that see quality (team lead and up, the auditor); else Http404."""
    if not can(user, Action.VIEW_QUALITY):
        raise Http404("no such round")
    try:
        pk = int(str(round_id))
    except ValueError:
        raise Http404("no such round") from None
    found = CalibrationRound.objects.select_related("scorecard").filter(pk=pk).first() if 0 < pk <= 2**63 - 1 else None
    if found is None:
        raise Http404("no such round")
    return found


def open_reviews_of_case(user: User, case_id: int) -> list[Review]:
    """The reviews of the case's contacts that `user` still has to do (shown on the case page)."""
    if not can(user, Action.REVIEW_QUALITY):
        return []
    return list(Review.objects.filter(reviewer=user, contact__case_id=case_id, done_at__isnull=True).order_by("pk"))
