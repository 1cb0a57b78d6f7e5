"""The dashboards, drill-down, exports and wallboard: who may see them, what they show, how many queries."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contactpunt.audit.models import AuditEntry
from contactpunt.contacts.models import Queue
from contactpunt.contacts.services.events import record_agent_state
from contactpunt.kpis import rollups
from contactpunt.kpis.tests.helpers import arrive, call, event
from contactpunt.people.models import Role, User

pytestmark = pytest.mark.django_db
PAGES = ("today", "manager", "spoc", "webcare", "wallboard", "wallboard_live", "export_csv", "drill")


# A Wednesday afternoon: the last two hours lie in today, this week and this month whenever the tests run.
AFTERNOON = dt.datetime(2026, 3, 4, 13, 0, tzinfo=dt.UTC)


@pytest.fixture
def history(phone_queue, email_queue, agent, django_capture_on_commit_callbacks):
    # After-commit work runs as in production: the contacts are marked dirty for the rollups and day parts.
    with time_machine.travel(AFTERNOON, tick=True):
        with django_capture_on_commit_callbacks(execute=True):
            now = _history(phone_queue, email_queue, agent)
        yield now


def _history(phone_queue: Queue, email_queue: Queue, agent: User) -> dt.datetime:
    now = timezone.now()
    call(phone_queue, now - dt.timedelta(minutes=30), wait=10, talk=60, agent=agent)
    call(phone_queue, now - dt.timedelta(minutes=20), wait=40, talk=60, agent=agent)
    call(phone_queue, now - dt.timedelta(minutes=10), wait=2)
    arrive(phone_queue, now - dt.timedelta(seconds=50))  # still waiting, past the 20 s threshold
    mail = arrive(email_queue, now - dt.timedelta(hours=2), caller="klant@example.nl")
    event(mail, "replied", now - dt.timedelta(hours=1), agent)
    arrive(email_queue, now - dt.timedelta(minutes=90), caller="ander@example.nl")
    record_agent_state(agent=agent, state="available", occurred_at=now - dt.timedelta(hours=1))
    return now


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("page", PAGES)
def test_agents_are_refused_and_strangers_sent_to_log_in(page, agent, history):
    assert signed_in(agent).get(reverse(f"kpis:{page}")).status_code == 403
    response = Client().get(reverse(f"kpis:{page}"))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("page", PAGES)
def test_team_leads_and_the_auditor_see_every_page(page, team_lead, history):
    viewer = User.objects.create_user(username="audit", password="x", role=Role.VIEWER)
    for user in (team_lead, viewer):
        assert signed_in(user).get(reverse(f"kpis:{page}")).status_code == 200


def test_today_shows_the_live_figures(team_lead, history, django_assert_max_num_queries):
    client = signed_in(team_lead)
    with django_assert_max_num_queries(61):  # 60 + one for the queue names of the table
        response = client.get(reverse("kpis:today"))
    html = response.content.decode()
    # 4 calls and 2 e-mails offered; of the calls 1 short abandon, answered within 20 s: 1, the 50-s wait
    # counts as missed: 1/3 (the e-mails have a response norm, no service level).
    assert ">6</a>" in html
    assert "33,3%" in html
    assert "<svg" in html


def test_the_wallboard_counts_waiting_contacts_and_agents(team_lead, history, django_assert_max_num_queries):
    client = signed_in(team_lead)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("kpis:wallboard_live"), HTTP_HX_REQUEST="true")
    board = response.context["board"]
    phone = next(q for q in board.queues if q.code == "phone-general")
    assert (phone.waiting, phone.offered_today, phone.service_level_today) == (1, 4, 1 / 3)
    assert 50 <= phone.longest_wait_s < 60
    assert board.agents_by_state["available"] == 1
    assert board.waiting == 2  # the unanswered email waits too
    tiles = response.content.decode()
    # an agent state heads its tile as every other figure does ("Beschikbaar", not "beschikbaar")
    assert "<header>Beschikbaar</header>" in tiles and "<header>beschikbaar</header>" not in tiles
    page = client.get(reverse("kpis:wallboard")).content.decode()
    # it refreshes itself every 10 s while visible, from a static file (the CSP allows htmx no eval)
    assert 'hx-trigger="cp:tick" data-refresh-seconds="10"' in page and "kpis/wallboard.js" in page


def test_the_drill_down_lists_the_contacts_behind_a_figure(team_lead, history, django_assert_max_num_queries):
    day = timezone.localdate().isoformat()
    client = signed_in(team_lead)
    url = reverse("kpis:drill") + f"?metric=short_abandons&from={day}&to={day}&by=queue&group=phone-general"
    with django_assert_max_num_queries(21):  # 20, and whether the figures are still being caught up
        response = client.get(url)
    found = response.context["found"]
    assert [(r.queue, r.outcome, r.seconds) for r in found.rows] == [("phone-general", "abandoned", 2.0)]
    assert client.get(reverse("kpis:drill") + "?metric=nonsense").status_code == 404


def test_the_formula_is_one_click_away(team_lead):
    response = signed_in(team_lead).get(reverse("kpis:formula", args=["abandon_rate"]), HTTP_HX_REQUEST="true")
    assert "(opgehangen \u2212 kort opgehangen) / (aangeboden \u2212 kort opgehangen)" in response.content.decode()
    assert signed_in(team_lead).get(reverse("kpis:formula", args=["nope"])).status_code == 404


def test_manager_weeks_with_trends_reads_few_queries(team_lead, history, django_assert_max_num_queries):
    client = signed_in(team_lead)
    rollups.refresh()  # the periodic job's work, not the page's
    with django_assert_max_num_queries(80):
        response = client.get(reverse("kpis:manager") + "?period=week&by=channel")
    groups = {r["group"]: r for r in response.context["rows"]}
    assert groups["phone"]["offered"] == 4
    assert groups["email"]["offered"] == 2


def test_the_table_says_whether_a_transferred_contact_counts_once_or_per_leg(team_lead, history):
    client = signed_in(team_lead)
    per_queue = client.get(reverse("kpis:manager") + "?period=week&by=queue").content.decode()
    per_channel = client.get(reverse("kpis:manager") + "?period=week&by=channel").content.decode()
    assert "elk deel van een doorverbonden contact apart" in per_queue and "In deze tabel telt" not in per_queue
    assert "In deze tabel telt een contact één keer" in per_channel


def test_webcare_lists_the_unanswered_message(team_lead, history):
    response = signed_in(team_lead).get(reverse("kpis:webcare"))
    assert response.context["backlog"].count == 1
    assert [c.sender for c in response.context["unanswered"]] == ["ander@example.nl"]


def test_csv_and_xlsx_exports(team_lead, history):
    day = timezone.localdate().isoformat()
    client = signed_in(team_lead)
    response = client.get(reverse("kpis:export_csv") + f"?from={day}&to={day}&by=queue&excel=0")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {r["group"]: r["offered"] for r in rows} == {"email-general": "2", "phone-general": "4"}
    openpyxl = pytest.importorskip("openpyxl")
    response = client.get(reverse("kpis:export_xlsx") + f"?from={day}&to={day}&by=queue")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 3
    # For people: columns and queues by name in Dutch, numbers as numbers with their format, dates as dates.
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["Wachtrij", "Van", "Tot en met"] and "group" not in header and "offered" not in header
    groups = {sheet.cell(row=r, column=1).value for r in (2, 3)}
    assert "email-general" not in groups and len(groups) == 2
    assert sheet["B2"].is_date and sheet["B2"].value.date().isoformat() == day
    level = header.index("Servicelevel") + 1
    cell = sheet.cell(row=2, column=level)
    assert cell.value is None or (0 <= cell.value <= 1 and cell.number_format == "0.0%")
    offered = sheet.cell(row=2, column=4)
    assert isinstance(offered.value, int) and offered.number_format == "#,##0"
    # Who took which figures out is in the audit log, each export once.
    exported = AuditEntry.objects.filter(action="kpis.exported").order_by("pk")
    assert [(e.actor, e.changes["format"], e.changes["rows"]) for e in exported] == [
        (team_lead, "csv", 2),
        (team_lead, "xlsx", 2),
    ]
    assert f"from={day}" in exported[0].changes["query"]


def test_manager_per_agent_comes_from_the_events(team_lead, agent, history):
    response = signed_in(team_lead).get(reverse("kpis:manager") + "?period=week&by=agent")
    assert {r["group"]: r["answered"] for r in response.context["rows"]} == {"anna": 3}
