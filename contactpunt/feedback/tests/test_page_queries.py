"""The feedback pages read a fixed number of queries, whatever the number of answers (as contactpunt/tests/
test_list_page_queries does for the lists): each page is read with N answers and again with 3N, first cold (no
kept driver analysis: it is computed and kept) and then warm (read as kept); both counts must equal the budget. A
count that grows with the answers is an N+1 query; a warm count above the budget is a slow figure computed per
request again (see kpis.survey_snapshots). If a new query is meant, change the budget in the same commit (the
failure lists the queries)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from contactpunt.contacts.models import Queue
from contactpunt.feedback.services.bulk_answers import GivenAnswer, record_answers
from contactpunt.feedback.tests.data import resolved_mail
from contactpunt.kpis.models import SurveySnapshot
from contactpunt.people.models import Team, User

pytestmark = pytest.mark.django_db
N = 3
NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC)
_numbers = itertools.count(1)

#: (path, warm budget, cold budget); {team} is the team's id.
PAGES = (
    # The dashboard never computes the driver analysis nor the FCR view: kept or not, it reads the same.
    ("/feedback/?period=month&date=2026-03-02", 21, 21),
    ("/feedback/?period=month&date=2026-03-02&by=agent", 21, 21),
    ("/feedback/?period=week&date=2026-03-02", 21, 21),
    # Its two parts, asked for apart. Cold: the driver table and the FCR view's rows (measured FCR from the events,
    # as no day is rolled up here), and keeping them; one of them finds the first arrival of the dirty written
    # contacts (the days whose backlog they may change). One fewer since a report reads the dirty contacts with
    # its catching-up check (32, 37, 37, 37 until then).
    ("/feedback/analysis/drivers/?period=month&date=2026-03-02", 5, 31),
    ("/feedback/analysis/gap/?period=month&date=2026-03-02", 4, 36),
    ("/feedback/pdca/?team={team}&date=2026-03-15", 10, 36),
    ("/feedback/pdca/pdf/?team={team}&date=2026-03-15", 10, 36),
    ("/feedback/follow-ups/", 6, 6),
)


def _grow(queue: Queue, agent: User, t0: dt.datetime, count: int) -> None:
    """`count` answers: detractors (each a follow-up), promoters with a comment (to be thanked) and passives."""
    items = []
    for _ in range(count):
        n = next(_numbers)
        case = resolved_mail(queue, agent, t0 + n * dt.timedelta(minutes=41), f"q{n}", sender=f"q{n}@example.nl")
        score = (3, 10, 8)[n % 3]
        items.append(GivenAnswer(case.pk, score, n % 2 == 0, 1 + n % 5, 1 + n % 4, 1 + n % 7, "Top!" * (score > 8)))
    assert record_answers(items, now=t0 + 10 * dt.timedelta(days=1)).stored == count


def _read(client: Client, url: str) -> tuple[int, int, str]:
    """The queries of a cold read (nothing kept) and of a warm one, and the warm one's list of queries."""
    SurveySnapshot.objects.all().delete()
    with CaptureQueriesContext(connection) as cold:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert client.get(url).status_code == 200
    return len(cold), len(warm), "\n".join(q["sql"][:300] for q in warm.captured_queries)


@pytest.mark.parametrize(("path", "warm", "cold"), PAGES)
def test_the_feedback_pages_read_a_fixed_number_of_queries(  # noqa: PLR0917 (parameters and fixtures)
    path: str, warm: int, cold: int, email_queue: Queue, agent: User, team_lead: User, team: Team, t0: dt.datetime
) -> None:
    url = path.format(team=team.pk)
    _grow(email_queue, agent, t0, N)
    client = Client()
    client.force_login(team_lead)
    with time_machine.travel(NOW, tick=False):
        assert client.get(url).status_code == 200  # per-process caches (translations, session) warm
        few = _read(client, url)
    _grow(email_queue, agent, t0, 2 * N)
    with time_machine.travel(NOW, tick=False):
        many = _read(client, url)
    assert (few[1], many[1]) == (warm, warm), f"{url}: {few[1]} then {many[1]} queries warm\n{many[2]}"
    assert (few[0], many[0]) == (cold, cold), f"{url}: {few[0]} then {many[0]} queries cold"
