"""Every list page reads a fixed number of queries, whatever the number of rows it lists (zulip's
`assert_database_query_count`): each page is read with N rows and again with 3N, and the two counts must be equal.
A page whose count grows has an N+1 query; fix it with select_related/prefetch_related or an annotation.

Each page is read once first, so per-process caches (content types, the translation catalogue, the session) are
warm before counting. The rows are built through the real services.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contactpunt.contacts.models import Channel, Queue
from contactpunt.contacts.services.case_actions import add_internal_note
from contactpunt.contacts.services.queues import create_queue
from contactpunt.contacts.services.templates import TemplateFields, create_template
from contactpunt.contacts.tests.workspace_data import mail
from contactpunt.people.models import Role, User
from contactpunt.workforce.services import queue_shift_plan

pytestmark = pytest.mark.django_db

N = 3
NOW = dt.datetime(2026, 3, 4, 13, 0, tzinfo=dt.UTC)  # a Wednesday afternoon
_numbers = itertools.count(1)


def _mails(queue: Queue) -> Callable[[int], None]:
    def grow(count: int) -> None:
        for _ in range(count):
            n = next(_numbers)
            mail(queue, NOW - dt.timedelta(minutes=n), f"list-{n}", sender=f"klant{n}@example.nl", name=f"Sanne {n}")

    return grow


def _mentions(queue: Queue, author: User, mentioned: User) -> Callable[[int], None]:
    def grow(count: int) -> None:
        for _ in range(count):
            n = next(_numbers)
            case = mail(queue, NOW - dt.timedelta(minutes=n), f"note-{n}", sender=f"klant{n}@example.nl")
            add_internal_note(case=case, author=author, text=f"@{mentioned.username} kijk je hiernaar? ({n})")

    return grow


def _templates(by: User) -> Callable[[int], None]:
    def grow(count: int) -> None:
        for _ in range(count):
            n = next(_numbers)
            create_template(by=by, fields=TemplateFields(name=f"Antwoord {n}", language="nl", text=f"Beste klant {n}"))

    return grow


def _queues(count: int) -> None:
    for _ in range(count):
        n = next(_numbers)
        create_queue(code=f"queue-{n}", name=f"Wachtrij {n}", channel=Channel.PHONE)


def _plans(by: User) -> Callable[[int], None]:
    def grow(count: int) -> None:
        for _ in range(count):
            queue_shift_plan(first_day=NOW.date(), days=7, queue=None, time_limit_s=30, by=by)

    return grow


def _counts(client: Client, url: str, grow: Callable[[int], None]) -> tuple[int, int]:
    """The queries of reading `url` with N rows and with 3N rows."""
    grow(N)
    assert client.get(url).status_code == 200  # warm caches
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    grow(2 * N)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    return len(few), len(many)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def manager(team_lead: User) -> User:
    return User.objects.create_user(username="mira", password="pw-mira", role=Role.MANAGER, team=team_lead.team)


@pytest.fixture
def admin_user(db: None) -> User:
    return User.objects.create_superuser(username="root", password="pw-root", role=Role.ADMIN)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.parametrize(
    "page",
    [
        "home",
        "workspace:inbox",
        "kpis:drill",
        "kpis:webcare",
        "kpis:today",
        "kpis:manager",
        "kpis:spoc",
        "kpis:wallboard_live",
    ],
)
def test_case_lists_and_reports_read_the_same_queries_for_more_cases(page, team_lead, email_queue):
    few, many = _counts(_client(team_lead), reverse(page), _mails(email_queue))
    assert few == many


def test_an_agents_inbox_and_overview_read_the_same_queries_for_more_cases(agent, email_queue):
    client = _client(agent)
    for page in ("home", "workspace:inbox"):
        few, many = _counts(client, reverse(page), _mails(email_queue))
        assert (page, few) == (page, many)


def test_the_mentions_read_the_same_queries_for_more_mentions(agent, team_lead, email_queue):
    client = _client(agent)
    few, many = _counts(client, reverse("workspace:mentions"), _mentions(email_queue, team_lead, agent))
    assert few == many
    assert client.get(reverse("workspace:mentions")).context["mentions"].count() == 3 * N


def test_the_customer_search_reads_the_same_queries_for_more_customers(manager, email_queue):
    few, many = _counts(_client(manager), reverse("privacy:search") + "?q=Sanne", _mails(email_queue))
    assert few == many


def test_the_template_list_reads_the_same_queries_for_more_templates(team_lead):
    few, many = _counts(_client(team_lead), reverse("responses:list"), _templates(team_lead))
    assert few == many


def test_the_shift_plans_read_the_same_queries_for_more_plans(team_lead):
    few, many = _counts(_client(team_lead), reverse("workforce:shifts"), _plans(team_lead))
    assert few == many


@pytest.mark.parametrize(
    ("model", "grow"),
    [("contacts_queue", "queues"), ("contacts_case", "mails"), ("customers_customer", "mails")],
)
def test_admin_lists_read_the_same_queries_for_more_rows(model, grow, admin_user, email_queue):
    growers = {"queues": _queues, "mails": _mails(email_queue)}
    few, many = _counts(_client(admin_user), reverse(f"admin:{model}_changelist"), growers[grow])
    assert few == many


@pytest.mark.parametrize("path", ["/api/v1/cases", "/api/v1/customers"])
def test_api_lists_read_the_same_queries_for_more_rows(path, token, email_queue):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    few, many = _counts(client, path, _mails(email_queue))
    assert few == many
