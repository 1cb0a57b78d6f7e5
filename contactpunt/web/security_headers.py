"""Headers every response gets: a Content-Security-Policy without inline script, a Permissions-Policy
that switches off what a helpdesk never uses, and `Cache-Control: no-store` wherever personal data
may be shown (every page for a logged-in user, every API answer).

Django's SecurityMiddleware does the rest (HSTS on HTTPS, nosniff, referrer policy, redirect)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# No 'unsafe-inline' anywhere: scripts and styles come from our own static files only. Websockets
# (the workspace's live updates, the chat) go to the same host, which 'self' covers.
POLICY: dict[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), "
    "magnetometer=(), gyroscope=(), accelerometer=()"
)


def content_security_policy(existing: str = "") -> str:
    """The policy, with any directive a view set itself (the embeddable form's frame-ancestors) kept."""
    policy = dict(POLICY)
    for part in existing.split(";"):
        name, _space, value = part.strip().partition(" ")
        if name:
            policy[name] = value.strip()
    return "; ".join(f"{name} {value}".strip() for name, value in policy.items())


DEFAULT_POLICY = content_security_policy()  # every response without a directive of its own (nearly all)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        own = response.headers.get("Content-Security-Policy")
        response.headers["Content-Security-Policy"] = content_security_policy(own) if own else DEFAULT_POLICY
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        personal = (user is not None and user.is_authenticated) or request.path.startswith("/api/")
        if personal and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response
