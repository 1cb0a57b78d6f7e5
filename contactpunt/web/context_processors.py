"""What every page may ask of `contactpunt.access`: `may.<action>` is True when the signed-in user may do it."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from contactpunt.access import Action, can


def access(request: HttpRequest) -> dict[str, object]:
    """`may`: per action of `contactpunt.access.Action` (by its value) whether the user may do it."""
    user = getattr(request, "user", None)
    return {"may": SimpleLazyObject(lambda: {action.value: can(user, action) for action in Action})}
