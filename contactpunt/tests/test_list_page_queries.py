"""Every list page reads an exact, fixed number of queries, whatever the number of rows it lists (zulip's
`assert_database_query_count`): each page is read with N rows and again with 3N, and both counts must equal the
page's budget below. A page whose count grows has an N+1 query (fix it with select_related/prefetch_related or an
annotation); a page whose count changes with the same data has a new query: if it is meant, change the budget in
the same commit (the failure lists the queries).

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
from contactpunt.kpis import rollups
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
        # The periodic refresh has run, as it does within a minute: the pages read the kept figures. (The marks
        # are written with the contacts; reads that fold dirty contacts are counted in kpis' own tests.)
        rollups.refresh()

    return grow


def _unnamed(queue: Queue) -> Callable[[int], None]:
    """Messages without a subject from people without a name: their titles name them by number ("E-mail van ...")."""

    def grow(count: int) -> None:
        for _ in range(count):
            n = next(_numbers)
            mail(queue, NOW - dt.timedelta(minutes=n), f"unnamed-{n}", sender=f"onbekend{n}@example.nl", name="",
                 subject="")  # fmt: skip
        rollups.refresh()

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


def _assert_queries(client: Client, url: str, grow: Callable[[int], None], expected: int) -> None:
    """Reading `url` with N rows and with 3N rows takes exactly `expected` queries both times."""
    grow(N)
    assert client.get(url).status_code == 200  # warm caches
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    grow(2 * N)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    listing = "\n".join(query["sql"][:300] for query in many.captured_queries)
    assert (len(few), len(many)) == (expected, expected), f"{url}: {len(few)} then {len(many)} queries\n{listing}"


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
    ("page", "expected"),
    [
        ("home", 12),
        # 8 until the bar counted a knowledge owner's open to-do items, 9 until the inbox counted the team lead's
        # follow-ups of unhappy customers (one COUNT each)
        ("workspace:inbox", 10),
        # The KPI pages ask once per figure group whether a backfill runs (rollups.is_catching_up, one LIMIT query);
        # a report's stale intervals and days read the dirty contacts with that question, in one query each, and skip
        # the event log when there are none (webcare 34, manager 75, spoc 42 until then).
        ("kpis:drill", 19),
        ("kpis:webcare", 33),
        ("kpis:today", 15),  # 27 until the figures and the chart shared one read of today's events
        ("kpis:manager", 65),  # 61 until the page stopped computing the backlog it does not show; 66 until a week still
        # running was compared with the same part of the week before (its partial last day read from the intervals); 73
        # until that part ended on the quarter hour and was read from the stored days and rollups
        ("kpis:spoc", 41),
        ("kpis:wallboard_live", 13),  # 19 until the legs and the contacts of today came from one read
    ],
)
def test_case_lists_and_reports_read_a_fixed_number_of_queries(page, expected, team_lead, email_queue):
    _assert_queries(_client(team_lead), reverse(page), _mails(email_queue), expected)


@pytest.mark.parametrize(("page", "expected"), [("home", 15), ("workspace:inbox", 8)])
def test_an_agents_inbox_and_overview_read_a_fixed_number_of_queries(page, expected, agent, email_queue):
    _assert_queries(_client(agent), reverse(page), _mails(email_queue), expected)


def test_an_inbox_of_people_without_a_name_reads_their_numbers_in_one_query(agent, email_queue):
    """A title without a subject names the customer, by number when they have no name: one query for the page
    (it was one per row: an inbox of 50 such cases read 50 more)."""
    _assert_queries(_client(agent), reverse("workspace:inbox"), _unnamed(email_queue), 9)


def test_the_mentions_read_a_fixed_number_of_queries(agent, team_lead, email_queue):
    client = _client(agent)
    _assert_queries(client, reverse("workspace:mentions"), _mentions(email_queue, team_lead, agent), 6)
    assert client.get(reverse("workspace:mentions")).context["mentions"].count() == 3 * N


def test_the_customer_search_reads_a_fixed_number_of_queries(manager, email_queue):
    _assert_queries(_client(manager), reverse("privacy:search") + "?q=Sanne", _mails(email_queue), 4)


def test_the_template_list_reads_a_fixed_number_of_queries(team_lead):
    _assert_queries(_client(team_lead), reverse("responses:list"), _templates(team_lead), 4)


def test_the_shift_plans_read_a_fixed_number_of_queries(team_lead):
    _assert_queries(_client(team_lead), reverse("workforce:shifts"), _plans(team_lead), 6)


@pytest.mark.parametrize(
    ("model", "grow", "expected"),
    [("contacts_queue", "queues", 7), ("contacts_case", "mails", 6), ("customers_customer", "mails", 4)],
)
def test_admin_lists_read_a_fixed_number_of_queries(model, grow, expected, admin_user, email_queue):
    growers = {"queues": _queues, "mails": _mails(email_queue)}
    _assert_queries(_client(admin_user), reverse(f"admin:{model}_changelist"), growers[grow], expected)


@pytest.mark.parametrize(("path", "expected"), [("/api/v1/cases", 2), ("/api/v1/customers", 3)])
def test_api_lists_read_a_fixed_number_of_queries(path, expected, token, email_queue):
    _assert_queries(Client(HTTP_AUTHORIZATION=f"Bearer {token}"), path, _mails(email_queue), expected)
