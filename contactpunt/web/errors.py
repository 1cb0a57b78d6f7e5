"""The error pages: 403 (saying why, CSRF failures included), 404, a 500 that needs nothing, and a 503 when
the database cannot be had for a moment.

Django's own handlers find 404.html and 500.html; the 403 handler and the CSRF failure view are ours, so a
refusal says why in the user's language: the view's reason when it gives one (PermissionDenied(_("..."))),
a sentence for the known short codes (PermissionDenied("read-only")), else that the role has no access.
500.html extends nothing and reads no user, request or database: it renders when all of those are broken.

A page that fails because the database is away or busy (every pooled connection in use past DB_POOL_TIMEOUT,
PostgreSQL restarting, SQLite's write lock held past its busy timeout) is no bug: the handler for uncaught
errors answers it with 503 and `Retry-After`, a page that says to try again in a moment (503.html, as static as
500.html), not with the 500 page. The API does the same in its own shape (contactpunt.api.api).
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults
from psycopg_pool import PoolTimeout

#: Seconds a client is asked to wait before sending again: a busy pool frees up in a moment, a database that
#: is away (restarting) takes longer.
RETRY_AFTER_BUSY_S = 2
RETRY_AFTER_UNAVAILABLE_S = 5

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


def retry_after_s(exception: BaseException | None) -> int | None:
    """Seconds to wait when `exception` means the database cannot be had for now (its connection failed or
    closed, no pooled connection came free in time, a lock was not granted in time); None for anything else."""
    if not isinstance(exception, OperationalError | InterfaceError):
        return None
    cause: BaseException | None = exception
    while cause is not None:
        if isinstance(cause, PoolTimeout):
            return RETRY_AFTER_BUSY_S
        cause = cause.__cause__ or cause.__context__
    return RETRY_AFTER_UNAVAILABLE_S


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: 503 with Retry-After when the uncaught error is the database being away or busy (see the
    module's text), else Django's own 500 page. Called while the error is being handled, so it is in exc_info."""
    wait_s = retry_after_s(sys.exc_info()[1])
    if wait_s is None:
        return defaults.server_error(request)
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(wait_s)
    return response
