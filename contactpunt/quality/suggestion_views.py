"""The suggestions pages: everyone proposes and follows them; team leads and up discuss, start a trial with one
team, and adopt or drop it with the reason; a suggestion without a status after 14 days is flagged."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from contactpunt.access import Action, can
from contactpunt.people.models import Team, User
from contactpunt.quality import suggestions
from contactpunt.quality.models import Suggestion, SuggestionStatus, TrialMetric


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Every suggestion with its status (the late ones flagged) and the form to propose one."""
    user, now = _user(request), timezone.now()
    error = ""
    if request.method == "POST":
        try:
            suggestions.propose(
                author=user, title=request.POST.get("title", ""), text=request.POST.get("text", ""), now=now
            )
        except PermissionError:
            raise PermissionDenied("read-only") from None
        except ValueError as problem:
            error = str(problem)
        else:
            return redirect("quality:suggestions")
    rows = [
        (s, s.is_waiting_too_long(now)) for s in Suggestion.objects.select_related("author", "team", "trial_team")[:100]
    ]
    context = {"rows": rows, "error": error, "may_propose": can(user, Action.WRITE)}
    return render(request, "quality/suggestions.html", context, status=400 if error else 200)


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@login_required
def detail(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    """One suggestion: its trial's metric before and during against the other teams, and the decision form."""
    user, now = _user(request), timezone.now()
    item = Suggestion.objects.select_related("author", "team", "trial_team").filter(pk=suggestion_id).first()
    if item is None:
        raise Http404("no such suggestion")
    error = ""
    if request.method == "POST":
        team_id = request.POST.get("trial_team", "")
        try:
            suggestions.decide(
                suggestion=item, status=request.POST.get("status", ""), by=user, now=now,
                reason=request.POST.get("reason", ""),
                trial_team=Team.objects.filter(pk=team_id).first() if team_id.isdigit() else None,
                trial_start=_date(request.POST.get("trial_start", "")),
                trial_end=_date(request.POST.get("trial_end", "")),
                metric=request.POST.get("metric", ""),
            )  # fmt: skip
        except PermissionError:
            raise PermissionDenied("read-only") from None
        except ValueError as problem:
            error = str(problem)
        else:
            return redirect("quality:suggestion", item.pk)
    context = {
        "item": item,
        "late": item.is_waiting_too_long(now),
        "comparison": suggestions.compare(item, now) if item.status != SuggestionStatus.NEW else None,
        "next": sorted(suggestions.NEXT.get(SuggestionStatus(item.status), set())),
        "statuses": dict(SuggestionStatus.choices),
        "metrics": TrialMetric.choices,
        "teams": Team.objects.order_by("name"),
        "may_decide": can(user, Action.REVIEW_QUALITY),
        "error": error,
    }
    return render(request, "quality/suggestion.html", context, status=400 if error else 200)
