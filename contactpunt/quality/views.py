"""The quality pages: the reviewer's list and the week's sample, a review beside the case's timeline, the
scorecard with its versions, calibration rounds with their agreement per criterion, and an agent's own reviews."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Avg, Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contactpunt.access import Action, can, check, require
from contactpunt.contacts.models import Contact, Message
from contactpunt.people.checkins import week_of
from contactpunt.people.models import Role, User
from contactpunt.quality import calibration as calibration_rules
from contactpunt.quality import queries, sampling, services
from contactpunt.quality.models import CalibrationRound, Review, Scorecard


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def reviewers() -> list[User]:
    return list(User.objects.filter(is_active=True, role__in=[Role.TEAM_LEAD, Role.MANAGER]).order_by("username"))


@require(Action.VIEW_QUALITY)
def index(request: HttpRequest) -> HttpResponse:
    """My reviews to do, this week's sample per agent, the scorecard and the calibration rounds."""
    user, now = _user(request), timezone.now()
    week = week_of(now)
    todo = (
        Review.objects.filter(reviewer=user, done_at__isnull=True)
        .select_related("contact", "agent", "calibration")
        .order_by("calibration_id", "assigned_at", "pk")[:50]
    )
    sample = (
        Review.objects.filter(week=week, calibration__isnull=True)
        .values("agent__username", "agent__first_name", "agent__last_name", "reviewer__username")
        .annotate(assigned=Count("pk"), done=Count("pk", filter=Q(done_at__isnull=False)), mean=Avg("score"))
        .order_by("agent__first_name", "agent__username")
    )
    rounds = list(CalibrationRound.objects.select_related("scorecard")[:10])
    context: dict[str, Any] = {
        "week": week,
        "todo": todo,
        "sample": sample,
        "scorecard": sampling.active_scorecard(),
        "rounds": [(r, calibration_rules.progress(r)) for r in rounds],
        "may_review": can(user, Action.REVIEW_QUALITY),
        "reviewers": reviewers(),
    }
    return render(request, "quality/index.html", context)


@require_POST
@require(Action.REVIEW_QUALITY)
def draw(request: HttpRequest) -> HttpResponse:
    """Draw this week's sample (again: nothing changes) and assign it to the reviewers."""
    now, card = timezone.now(), sampling.active_scorecard()
    if card is None:
        messages.error(request, _("Make a scorecard first."))
        return redirect("quality:index")
    result = sampling.draw_week_sample(week=week_of(now), scorecard=card, size=settings.QUALITY_SAMPLE_SIZE, now=now)
    messages.success(
        request,
        _("Sample of %(agents)s agents: %(created)s new reviews assigned.")
        % {"agents": result.agents, "created": result.created},
    )
    return redirect("quality:index")


def _parse_scores(request: HttpRequest, review: Review) -> dict[int, int | None]:
    values: dict[int, int | None] = {}
    for criterion in review.scorecard.criteria.all():
        raw = request.POST.get(f"criterion-{criterion.pk}", "")
        if raw == "na":
            values[criterion.pk] = None
        elif raw.isdigit():
            values[criterion.pk] = int(raw)
        else:
            raise ValueError(f"criterion-{criterion.pk}")
    return values


@login_required
def review(request: HttpRequest, review_id: int) -> HttpResponse:
    """One review: the case's timeline beside the scorecard's form (the reviewer scores; others read)."""
    user = _user(request)
    item = queries.get_review_for_user(user, review_id, write=request.method == "POST")
    error = ""
    if request.method == "POST":
        try:
            services.score_review(
                review=item,
                values=_parse_scores(request, item),
                comment=request.POST.get("comment", ""),
                by=user,
                now=timezone.now(),
            )
        except ValueError as problem:
            error = str(problem)
        else:
            messages.success(request, _("Review saved."))
            return (
                redirect("quality:calibration", item.calibration_id)
                if item.calibration_id
                else redirect("quality:index")
            )
    case = item.contact.case
    timeline = Message.objects.filter(case=case).select_related("contact", "author").order_by("created_at", "pk")
    given = {s.criterion_id: s.value for s in item.scores.all()}
    rows = [(c, given.get(c.pk, "") if c.pk in given else "", range(c.top + 1)) for c in item.scorecard.criteria.all()]
    context = {
        "review": item,
        "case": case,
        "contacts": Contact.objects.filter(case=case).order_by("occurred_at", "pk"),
        "timeline": timeline,
        "rows": rows,
        "given": given,
        "error": error,
        "may_score": item.reviewer_id == user.pk and can(user, Action.WRITE),
    }
    return render(request, "quality/review.html", context, status=400 if error else 200)


@require(Action.VIEW_QUALITY)
def scorecard(request: HttpRequest) -> HttpResponse:
    """The active scorecard and its earlier versions; team leads and up save a new version."""
    error = ""
    if request.method == "POST":
        check(request.user, Action.REVIEW_QUALITY)
        specs = []
        for n in range(12):
            label = request.POST.get(f"label-{n}", "").strip()
            if label:
                try:
                    weight = int(request.POST.get(f"weight-{n}", "1") or 0)
                except ValueError:
                    weight = -1
                specs.append(
                    services.CriterionSpec(
                        label=label, weight=weight, is_auto_fail=request.POST.get(f"auto_fail-{n}") == "on"
                    )
                )
        try:
            services.create_scorecard(name=request.POST.get("name", ""), criteria=specs, by=_user(request))
        except ValueError as problem:
            error = str(problem)
        else:
            messages.success(request, _("New scorecard version saved."))
            return redirect("quality:scorecard")
    card = sampling.active_scorecard()
    criteria = list(card.criteria.all()) if card else []
    context = {
        "scorecard": card,
        "criteria": criteria,
        "blank": range(len(criteria), len(criteria) + 2),
        "versions": Scorecard.objects.annotate(reviews_count=Count("reviews")),
        "error": error,
        "may_review": can(request.user, Action.REVIEW_QUALITY),
    }
    return render(request, "quality/scorecard.html", context, status=400 if error else 200)


def calibration_contacts(week: dt.date, count: int, seed: str) -> list[int]:
    """`count` contacts handled in the week, drawn reproducibly for the round (by its name)."""
    pool = sorted(
        {pk for channels in sampling.handled_contacts(week).values() for ids in channels.values() for pk in ids}
    )
    rng = random.Random(seed)  # noqa: S311 - a reproducible choice, not a secret
    return sorted(rng.sample(pool, min(count, len(pool))))


@require_POST
@require(Action.REVIEW_QUALITY)
def start_round(request: HttpRequest) -> HttpResponse:
    """Open a calibration round over a few contacts of last week, for the reviewers chosen."""
    now, card = timezone.now(), sampling.active_scorecard()
    name = request.POST.get("name", "").strip()
    try:
        count = min(max(int(request.POST.get("contacts", "5")), 2), 20)
    except ValueError:
        count = 5
    chosen = User.objects.filter(
        pk__in=[v for v in request.POST.getlist("reviewers") if v.isdigit()],
        is_active=True,
        role__in=[Role.TEAM_LEAD, Role.MANAGER],
    )
    if card is None:
        messages.error(request, _("Make a scorecard first."))
        return redirect("quality:index")
    ids = calibration_contacts(week_of(now) - dt.timedelta(weeks=1), count, name)
    try:
        round_ = services.start_calibration(
            name=name, scorecard=card, contacts=list(Contact.objects.filter(pk__in=ids)), reviewers=list(chosen),
            by=_user(request), now=now,
        )  # fmt: skip
    except ValueError as problem:
        messages.error(request, _("Not started: %(field)s") % {"field": str(problem)})
        return redirect("quality:index")
    return redirect("quality:calibration", round_.pk)


@require(Action.VIEW_QUALITY)
def calibration(request: HttpRequest, round_id: int) -> HttpResponse:
    """A calibration round: who has scored what, and Krippendorff's alpha per criterion."""
    round_ = queries.get_round_for_user(_user(request), round_id)
    reviews = list(round_.reviews.select_related("reviewer", "contact").order_by("contact_id", "reviewer__username"))
    context = {
        "round": round_,
        "reviews": reviews,
        "mine": [r for r in reviews if r.reviewer_id == request.user.pk and not r.is_done],
        "agreement": calibration_rules.agreement(round_),
        "progress": calibration_rules.progress(round_),
        "acceptable": calibration_rules.ACCEPTABLE,
    }
    return render(request, "quality/calibration.html", context)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The signed-in agent's reviewed contacts and their mean score per week."""
    user = _user(request)
    done = list(
        queries.visible_reviews(user)
        .filter(agent=user, done_at__isnull=False, calibration__isnull=True)
        .select_related("contact", "reviewer")
        .order_by("-week", "-done_at")[:50]
    )
    weeks: dict[dt.date, list[float]] = defaultdict(list)
    for item in done:
        if item.week is not None and item.score is not None:
            weeks[item.week].append(item.score)
    trend = [(week, sum(s) / len(s), len(s)) for week, s in sorted(weeks.items())]
    return render(request, "quality/mine.html", {"reviews": done, "trend": trend})
