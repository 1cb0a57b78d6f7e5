"""The error pages: 403 (saying why, CSRF failures included), 404 and a 500 that needs nothing.

Django's own handlers find 404.html and 500.html; the 403 handler and the CSRF failure view are ours, so a
refusal says why in the user's language: the view's reason when it gives one (PermissionDenied(_("..."))),
a sentence for the known short codes (PermissionDenied("read-only")), else that the role has no access.
500.html extends nothing and reads no user, request or database: it renders when all of those are broken.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

#: Short reasons some views raise with PermissionDenied, and what they mean for the user.
KNOWN_REASONS = {
    "read-only": lambda: _("Your role can look but not change anything."),
}


def reason_for(exception: Exception | None) -> str:
    """The sentence the 403 page shows for a PermissionDenied (its message, translated when it is a code)."""
    message = str(exception or "").strip()
    if message in KNOWN_REASONS:
        return KNOWN_REASONS[message]()
    return message or _("Your role does not give access to this page.")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler403: the styled refusal with the reason and a way back."""
    return render(request, "403.html", {"reason": reason_for(exception)}, status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent with an old or missing security token (an expired session, a page
    left open for long, cookies blocked). Django's reason is for developers; the user is told what to do."""
    sentence = _(
        "The form could not be sent safely: the page was open too long or your session has expired. "
        "Go back, reload the page and try again."
    )
    return render(request, "403.html", {"reason": sentence, "csrf": True}, status=403)
