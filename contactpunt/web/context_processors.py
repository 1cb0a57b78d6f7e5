"""What every page may ask of `contactpunt.access`: `may.<action>` is True when the signed-in user may do it."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from contactpunt.access import Action, can
from contactpunt.knowledge.todo import open_count
from contactpunt.people.checkins import has_checked_in
from contactpunt.people.models import User
from contactpunt.web.navigation import top_bar


def access(request: HttpRequest) -> dict[str, object]:
    """`may`: per action of `contactpunt.access.Action` (by its value) whether the user may do it."""
    user = getattr(request, "user", None)
    return {"may": SimpleLazyObject(lambda: {action.value: can(user, action) for action in Action})}


def check_in(request: HttpRequest) -> dict[str, object]:
    """`check_in_due`: True when the signed-in person may check in and has not yet this week (read lazily, so
    only the pages that show the reminder ask the database)."""
    user = getattr(request, "user", None)

    def due() -> bool:
        return isinstance(user, User) and can(user, Action.CHECK_IN) and not has_checked_in(user, timezone.now())

    return {"check_in_due": SimpleLazyObject(due)}


def navigation(request: HttpRequest) -> dict[str, object]:
    """`top_bar`: the menus of the signed-in person (`contactpunt.web.navigation`), the current page marked; None
    for anonymous visitors."""
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    return {"top_bar": SimpleLazyObject(lambda: top_bar(user, match) if isinstance(user, User) else None)}


def knowledge_tasks(request: HttpRequest) -> dict[str, object]:
    """`knowledge_tasks`: how many to-do items the signed-in knowledge owner has open (articles due for review,
    uncovered growing reasons); read lazily, and 0 without a query for whoever may not write articles."""
    user = getattr(request, "user", None)
    return {"knowledge_tasks": SimpleLazyObject(lambda: open_count(user, timezone.localdate()))}
