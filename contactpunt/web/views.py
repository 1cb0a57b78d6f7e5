"""The shell of the web UI: the overview after login."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from contactpunt.kpis.intervals import zone
from contactpunt.kpis.live import latest_cases, overview
from contactpunt.people.models import User


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The overview: the user's open cases (per queue) and waiting contacts, as the inbox counts them."""
    user = request.user
    assert isinstance(user, User)
    context = {
        "overview": overview(user, timezone.now(), zone()),
        "latest": latest_cases(user),
    }
    return render(request, "web/home.html", context)
