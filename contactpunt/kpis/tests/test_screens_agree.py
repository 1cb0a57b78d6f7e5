"""One definition per figure: the overview, the inbox, the KPI "today" page and the wallboard, rendered for the
same data at one frozen moment, show the same open cases, waiting contacts, service level (phone and chat only)
and share within the norm (written channels, where a message waiting past its norm is missed)."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contactpunt.contacts.models import Case, Channel, Queue
from contactpunt.contacts.services import replies
from contactpunt.contacts.services.cases import resolve_case
from contactpunt.kpis import metrics, rollups
from contactpunt.kpis.live import latest_cases, now_figures
from contactpunt.kpis.tests.helpers import arrive, call, event
from contactpunt.people.models import Department, Skill, User

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")
# A Tuesday afternoon; every moment below is fixed, nothing depends on the day the test runs.
NOW = dt.datetime(2026, 3, 10, 15, 0, tzinfo=AMS)
PERCENT = r"{}[.,]{}\s?%"


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> dt.datetime:
    """Every `timezone.now()` (views, services, the inbox's clock) answers NOW."""
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(dt.UTC))
    return NOW


@pytest.fixture
def whatsapp_queue(department: Department) -> Queue:
    return Queue.objects.create(
        code="whatsapp", name="WhatsApp", channel=Channel.WHATSAPP, department=department, response_norm_s=3600
    )


@pytest.fixture
def day(frozen: dt.datetime, phone_queue: Queue, email_queue: Queue, whatsapp_queue: Queue, agent: User) -> None:
    at = NOW.replace
    # Phone (threshold 20 s): 10 s (within), 40 s (missed), a 2-s short abandon, one waiting 50 s (missed, live).
    call(phone_queue, at(hour=14, minute=0), wait=10, talk=60, agent=agent)
    call(phone_queue, at(hour=14, minute=10), wait=40, talk=60, agent=agent)
    call(phone_queue, at(hour=14, minute=20), wait=2)
    arrive(phone_queue, NOW - dt.timedelta(seconds=50))
    # E-mail (norm 8 h, always open): replied after 1 h (within); waiting 30 min (not due yet); waiting 9 h
    # since this morning and since yesterday (both overdue: missed, though they have no reply to time);
    # below, one replied after 30 min (within) whose case was resolved: 2 of 4 within the norm.
    replied = arrive(email_queue, at(hour=9), caller="a@example.nl")
    event(replied, "replied", at(hour=10), agent)
    arrive(email_queue, at(hour=14, minute=30), caller="b@example.nl")
    arrive(email_queue, at(hour=6), caller="c@example.nl")
    arrive(email_queue, at(day=9, hour=12), caller="d@example.nl")
    # A resolved case: neither open nor waiting.
    done = arrive(email_queue, at(hour=8), caller="e@example.nl")
    event(done, "replied", at(hour=8, minute=30), agent)
    resolve_case(case=done.case, by=agent, occurred_at=at(hour=8, minute=40))
    # WhatsApp (norm 1 h): replied after 20 min (within); waiting 30 min (not due yet).
    quick = arrive(whatsapp_queue, at(hour=13), caller="+31612345678")
    event(quick, "replied", at(hour=13, minute=20), agent)
    arrive(whatsapp_queue, at(hour=14, minute=30), caller="+31687654321")


# What the data above gives, by the definitions: 4 phone cases + 4 e-mail cases + 2 WhatsApp cases are open;
# 1 call + 3 e-mails + 1 WhatsApp message wait; the waiting call and the two old e-mails are overdue.
OPEN, WAITING, OVERDUE = 10, 5, 3
# Offered today: 4 calls, 4 e-mails (not yesterday's) and 2 WhatsApp messages entered a queue today; the replies
# written today are contacts too, but no offer.
OFFERED = 10


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def figure(html: str, name: str) -> str:
    """The text of the tile marked data-figure=`name`."""
    tile = rf'data-figure="{name}"><header>[^<]*</header><p class="figure[^"]*">(?:<a [^>]*>)?([^<]*)<'
    found = re.search(tile, html)
    assert found, f"no tile {name}"
    return found.group(1).strip()


def queue_row(html: str, code: str) -> dict[str, str]:
    """The figures of one queue's row in the "now" tables, by their data-figure names."""
    row = re.search(rf'<tr data-queue="{code}">(.*?)</tr>', html, re.S)
    assert row, f"no row for {code}"
    return dict(re.findall(r'data-figure="(\w+)">([^<]*)<', row.group(1)))


def test_the_figures_of_now(day):
    figures = now_figures(NOW, AMS)
    by_code = {q.code: q for q in figures.queues}
    phone, email, whatsapp = by_code["phone-general"], by_code["email-general"], by_code["whatsapp"]
    assert (figures.open_cases, figures.waiting, figures.overdue) == (OPEN, WAITING, OVERDUE)
    assert (phone.waiting, phone.overdue, phone.service_level_today, phone.within_norm_today) == (1, 1, 1 / 3, None)
    # Written queues have no service level (it showed 0.0% before); the overdue e-mails count as missed.
    assert (email.waiting, email.overdue, email.service_level_today, email.within_norm_today) == (3, 2, None, 2 / 4)
    assert (whatsapp.waiting, whatsapp.overdue, whatsapp.service_level_today) == (1, 0, None)
    assert whatsapp.within_norm_today == 1.0
    assert email.longest_wait_s == 27 * 3600  # since yesterday 12:00
    # The centre's longest wait is a caller's or chatter's (a team lead read the oldest e-mail as a caller waiting
    # for a day); the written backlog has its own oldest age.
    assert figures.longest_wait_s == phone.longest_wait_s
    assert figures.oldest_backlog_age_s is not None and figures.oldest_backlog_age_s >= 27 * 3600
    assert (figures.service_level_today, figures.within_norm_today) == (1 / 3, 3 / 5)
    assert (figures.backlog, figures.sl_target) == (4, 0.8)


def test_every_screen_shows_the_same_figures(day, team_lead, agent, email_queue):
    # A reply sent today is a contact row of today, but no offer: it must not count as a contact of today.
    answered = Case.objects.get(queue=email_queue, opened_at=NOW.replace(hour=9))  # replied at 10, waits no more
    replies.reply(case=answered, by=agent, body="Nog een aanvulling.", at=NOW - dt.timedelta(minutes=1))
    client = signed_in(team_lead)
    home = client.get(reverse("home")).content.decode()
    inbox = client.get(reverse("workspace:inbox")).content.decode()
    today = client.get(reverse("kpis:today")).content.decode()
    board = client.get(reverse("kpis:wallboard_live"), HTTP_HX_REQUEST="true").content.decode()

    assert (figure(home, "open"), figure(home, "waiting")) == (str(OPEN), str(WAITING))
    caption = re.search(r'id="inbox-caption"[^>]*>(\d+)\D[^<]*<span id="inbox-waiting">(\d+)\D', inbox)
    assert caption and caption.groups() == (str(OPEN), str(WAITING))
    overdue = re.search(r'class="badge sla-overdue">[^<]*?(\d+)</span>', inbox)
    assert overdue and overdue.group(1) == str(OVERDUE)
    # "Contacten vandaag" on the overview is what "Vandaag" and the wallboard call offered: each contact that
    # entered a queue today, once (it counted every contact row of today, replies included, before).
    assert figure(home, "offered") == figure(today, "offered") == figure(board, "offered") == str(OFFERED)
    for page in (today, board):
        assert (figure(page, "open"), figure(page, "waiting")) == (str(OPEN), str(WAITING))
        assert figure(page, "backlog") == "4"  # the written ones of the waiting
        assert re.fullmatch(PERCENT.format(33, 3), figure(page, "service_level"))
        assert re.fullmatch(PERCENT.format(60, 0), figure(page, "within_norm"))
        phone, email = queue_row(page, "phone-general"), queue_row(page, "email-general")
        assert phone["waiting"] == "1" and re.fullmatch(PERCENT.format(33, 3), phone["service_level"])
        assert "within_norm" not in phone
        # The e-mail queue shows no service level, and its overdue messages keep it from "100% within the norm".
        assert "service_level" not in email
        assert (email["waiting"], email["overdue"]) == ("3", "2")
        assert re.fullmatch(PERCENT.format(50, 0), email["within_norm"])
        assert re.fullmatch(PERCENT.format(100, 0), queue_row(page, "whatsapp")["within_norm"])


def test_an_overdue_message_is_missed_in_the_period_report_too(day):
    start = dt.datetime(2026, 3, 10, tzinfo=AMS)
    rows = {r["group"]: r for r in metrics.report(start, start + dt.timedelta(days=1), by="queue", zone=AMS, now=NOW)}
    assert rows["email-general"]["service_level"] is None
    assert rows["email-general"]["first_response_within_norm"] == 2 / 4  # yesterday's overdue e-mail counts
    assert rows["phone-general"]["service_level"] == 1 / 3


def test_an_agent_sees_the_same_open_and_waiting_on_the_overview_and_in_the_inbox(day, agent, team_lead, department):
    skill = Skill.objects.create(code="finance", name="Financiën")
    finance = Queue.objects.create(code="finance", name="Financiën", channel=Channel.EMAIL, department=department)
    finance.skills.add(skill)
    arrive(finance, NOW - dt.timedelta(minutes=5), caller="geheim@example.nl", subject="Betalingsachterstand")
    client = signed_in(agent)
    home = client.get(reverse("home")).content.decode()
    inbox = client.get(reverse("workspace:inbox")).content.decode()
    # The finance case is outside the agent's queues: counted on neither screen, its subject shown on neither.
    assert (figure(home, "open"), figure(home, "waiting")) == (str(OPEN), str(WAITING))
    caption = re.search(r'id="inbox-caption"[^>]*>(\d+)\D[^<]*<span id="inbox-waiting">(\d+)\D', inbox)
    assert caption and caption.groups() == (str(OPEN), str(WAITING))
    assert "Betalingsachterstand" not in home + inbox
    # A team lead sees it on both.
    lead = signed_in(team_lead)
    assert figure(lead.get(reverse("home")).content.decode(), "open") == str(OPEN + 1)


def test_a_contact_waiting_in_a_closed_queue_still_counts_on_every_screen(day, team_lead, department):
    old = Queue.objects.create(code="oud", name="Oude wachtrij", channel=Channel.EMAIL, department=department)
    arrive(old, NOW - dt.timedelta(minutes=5), caller="laat@example.nl")
    Queue.objects.filter(pk=old.pk).update(is_active=False)
    figures = now_figures(NOW, AMS)
    assert (figures.open_cases, figures.waiting) == (OPEN + 1, WAITING + 1)
    assert [q.waiting for q in figures.queues if q.code == "oud"] == [1]
    home = signed_in(team_lead).get(reverse("home")).content.decode()
    assert (figure(home, "open"), figure(home, "waiting")) == (str(OPEN + 1), str(WAITING + 1))


def test_the_latest_cases_are_those_the_user_may_see(day, agent, team_lead, department):
    skill = Skill.objects.create(code="finance", name="Financiën")
    finance = Queue.objects.create(code="finance", name="Financiën", channel=Channel.EMAIL, department=department)
    finance.skills.add(skill)
    for n in range(21):  # newer than every case the agent may see, and more than the first look reads
        arrive(finance, NOW - dt.timedelta(seconds=n), caller=f"f{n}@example.nl")
    newest_visible = Case.objects.exclude(queue=finance).order_by("-opened_at").first()
    assert [c.pk for c in latest_cases(agent, limit=1)] == [newest_visible.pk]
    assert [c.queue_id for c in latest_cases(team_lead, limit=1)] == [finance.pk]


def test_the_spoc_page_shows_fcr_so_far_in_a_period_younger_than_seven_days(day, team_lead, agent, phone_queue):
    """The demo's SPOC page showed "—" for FCR in the first week of a month: no resolved case had its 7 days yet."""
    first = Case.objects.filter(queue=phone_queue).order_by("opened_at").first()
    assert first is not None
    resolve_case(case=first, by=agent, occurred_at=NOW - dt.timedelta(minutes=30))
    rollups.rebuild_all()  # as the worker does: the page reads the rollups and day parts
    page = signed_in(team_lead).get(reverse("kpis:spoc") + "?period=month&date=2026-03-10").content.decode()
    assert "voorlopig 100,0%" in page and 'class="provisional"' in page


def test_the_overview_per_queue_counts_waiting_as_the_wallboard_and_says_what_open_means(day, team_lead):
    """The overview's "open e-mail" (open cases) and the wallboard's backlog are different figures: the overview
    shows both, named, and its waiting column is the wallboard's number for every queue."""
    client = signed_in(team_lead)
    home = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    board = client.get(reverse("kpis:wallboard_live"), HTTP_HX_REQUEST="true").content.decode()
    table = home.split('id="open-per-queue"', 1)[1].split("</table>", 1)[0]
    assert '<th scope="col" class="num">Open zaken</th>' in table
    assert '<th scope="col" class="num">Wachtende contacten</th>' in table
    rows = {
        name: dict(re.findall(r'data-figure="(\w+)">([^<]*)<', cells))
        for name, cells in re.findall(r"<tr><td>([^<]*)</td>(.*?)</tr>", table, re.S)
    }
    assert rows == {
        "E-mail algemeen": {"open": "4", "waiting": "3"},
        "Telefoon algemeen": {"open": "4", "waiting": "1"},
        "WhatsApp": {"open": "2", "waiting": "1"},
    }
    names = {"email-general": "E-mail algemeen", "phone-general": "Telefoon algemeen", "whatsapp": "WhatsApp"}
    for code, name in names.items():
        assert queue_row(board, code)["waiting"] == rows[name]["waiting"]
    assert "de werkvoorraad op het wallboard" in home
