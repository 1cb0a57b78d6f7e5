"""Fixtures every app's tests share: queues, people in their roles, a clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from contactpunt.contacts.models import Channel, Queue
from contactpunt.people.models import Department, Role, Team, User
from contactpunt.web.tests import browser as browser_support
from contactpunt.web.tests.browser import chromium, live_server, require_chromium

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Every test starts with an empty cache (the tests' is in memory): nothing a page kept for one test's data,
    and no rate limit one test used up, reaches the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def t0() -> dt.datetime:
    """A fixed moment in the past (Monday 2 March 2026, 10:00 in Amsterdam)."""
    return T0


@pytest.fixture
def department(db: None) -> Department:
    return Department.objects.create(name="Klantenservice", cost_per_hour=35)


@pytest.fixture
def team(department: Department) -> Team:
    return Team.objects.create(name="Team Noord", department=department)


@pytest.fixture
def phone_queue(department: Department) -> Queue:
    return Queue.objects.create(
        code="phone-general", name="Telefoon algemeen", channel=Channel.PHONE, department=department
    )


@pytest.fixture
def email_queue(department: Department) -> Queue:
    return Queue.objects.create(
        code="email-general",
        name="E-mail algemeen",
        channel=Channel.EMAIL,
        department=department,
        response_norm_s=8 * 3600,
    )


@pytest.fixture
def second_phone_queue(department: Department) -> Queue:
    return Queue.objects.create(
        code="phone-finance", name="Telefoon financiën", channel=Channel.PHONE, department=department
    )


def make_user(username: str, role: str, team: Team | None = None) -> User:
    return User.objects.create_user(username=username, password="pw-" + username, role=role, team=team)


@pytest.fixture
def agent(team: Team) -> User:
    return make_user("anna", Role.AGENT, team)


@pytest.fixture
def team_lead(team: Team) -> User:
    return make_user("lotte", Role.TEAM_LEAD, team)


@pytest.fixture
def token(db: None) -> str:
    """The secret token of an API integration (source "pbx"), as its Bearer token."""
    from contactpunt.api.models import Integration

    integration = Integration(name="Telefooncentrale", source="pbx")
    secret = integration.set_new_token()
    integration.save()
    return secret


@pytest.fixture
def server_url(transactional_db: None) -> Iterator[str]:
    """The product's ASGI application, served live on a loopback port, for browser tests."""
    require_chromium()
    with live_server() as url:
        yield url


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Headless Chromium; skips locally without it, fails on CI."""
    require_chromium()
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="session", autouse=True)
def _end_live_server_sessions(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """After the last test, before the test database is dropped: end what live servers left behind."""
    yield
    if browser_support.served:
        with django_db_blocker.unblock():
            browser_support.end_leftover_sessions()
