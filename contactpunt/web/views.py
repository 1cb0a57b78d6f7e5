"""The shell of the web UI: the overview after login."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from contactpunt.contacts.models import Case, CaseStatus, Channel, Contact, ContactStatus
from contactpunt.customers.models import Customer


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The overview: open work per queue and the latest cases."""
    open_cases = Case.objects.filter(status__in=[CaseStatus.OPEN, CaseStatus.PENDING])
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    context = {
        "open_cases": open_cases.count(),
        "waiting": Contact.objects.filter(status=ContactStatus.QUEUED).count(),
        "today": Contact.objects.filter(occurred_at__gte=midnight).count(),
        "customers": Customer.objects.filter(merged_into__isnull=True).count(),
        "per_queue": [
            {**row, "channel_label": Channel(row["queue__channel"]).label}
            for row in open_cases.values("queue__name", "queue__channel").annotate(n=Count("id")).order_by("-n")
        ],
        "latest": Case.objects.select_related("customer").order_by("-opened_at")[:15],
    }
    return render(request, "web/home.html", context)
