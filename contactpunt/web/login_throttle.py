"""Login throttling (django-axes does the counting): the Dutch page a locked-out login gets, and the
audit line for every lockout."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from contactpunt.audit.services import record_login_locked_out


def locked_out(request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None) -> HttpResponse:
    """Answer a locked-out login with 429 and how long to wait (AXES_LOCKOUT_CALLABLE)."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return render(request, "web/locked_out.html", {"minutes": minutes}, status=429)


def audit_lockout(sender: object, request: HttpRequest, username: str | None, ip_address: str | None, **_: Any) -> None:
    """axes' user_locked_out signal: write the audit line."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    record_login_locked_out(username=username or "", address=ip_address or "", since=since)


def connect() -> None:
    from axes.signals import user_locked_out

    user_locked_out.connect(audit_lockout, dispatch_uid="contactpunt-audit-lockout")
