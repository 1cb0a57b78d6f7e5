"""The workforce pages per role: who sees what, who may plan and edit, and what the pages show."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from contactpunt.conftest import make_user
from contactpunt.contacts.models import AgentState
from contactpunt.contacts.services.events import record_agent_state
from contactpunt.kpis import rollups
from contactpunt.kpis.tests.helpers import arrive
from contactpunt.people.models import Role, User
from contactpunt.workforce.models import Activity, PeakEntry, PlannedShift, PlanStatus, ShiftPlan, ShiftTemplate
from contactpunt.workforce.peaks import peak_calendar, save_peak
from contactpunt.workforce.requirement import IntervalNeed, grid
from contactpunt.workforce.shifts.planning import plan_shifts, schedule_shift

AMS = ZoneInfo("Europe/Amsterdam")
MONDAY = dt.date(2026, 3, 2)
PAGES = ("workforce:index", "workforce:shifts", "workforce:peaks", "workforce:adherence")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people(team) -> dict[str, User]:
    return {role: make_user(role, role, team) for role in (Role.AGENT, Role.TEAM_LEAD, Role.MANAGER, Role.VIEWER)}


@pytest.fixture
def planned(people, phone_queue) -> ShiftPlan:
    ShiftTemplate.objects.create(name="day", start_time=dt.time(9), length_minutes=480, breaks=[[240, 30]])
    needs = [
        IntervalNeed(s, phone_queue.code, 12.0, 240.0, 2 if 9 <= s.astimezone(AMS).hour < 17 else 0, 8.0, 16.0)
        for s in grid(MONDAY, 1, AMS)
    ]
    return plan_shifts(first_day=MONDAY, days=1, queue=phone_queue, needs=needs, time_limit_s=10).plan


def test_agents_see_only_their_own_schedule(people, planned):
    agent = people[Role.AGENT]
    client = signed_in(agent)
    assert client.get(reverse("workforce:index"))["Location"] == reverse("workforce:me")
    for name in PAGES[1:]:
        assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse("workforce:run_plan"), {"first_day": "2026-03-09"}).status_code == 403
    page = client.get(reverse("workforce:me") + "?date=2026-03-02").content.decode()
    assert "09:00\u201317:00" in page
    assert "Telefoon algemeen" in page and "phone-general" not in page  # the queue's name, never its code


def test_strangers_are_sent_to_log_in(db):
    response = Client().get(reverse("workforce:index"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_team_leads_and_the_auditor_see_every_page(people, planned):
    for role in (Role.TEAM_LEAD, Role.VIEWER):
        client = signed_in(people[role])
        for name in PAGES:
            assert client.get(reverse(name) + "?date=2026-03-02").status_code == 200, (role, name)


def test_the_overview_shows_the_staffing_table_and_the_forecast_band(people, planned, phone_queue):
    page = signed_in(people[Role.TEAM_LEAD]).get(reverse("workforce:index") + "?date=2026-03-02").content.decode()
    assert 'class="band"' in page
    assert 'class="forecast"' in page
    # One agent on the single day template: 2 required from 09:00, 1 scheduled, a gap of -1.
    assert '<td class="num below">-1</td>' in page
    assert '<td class="num">12,0</td>' in page  # the forecast volume of a quarter hour (in Dutch)
    assert '<td class="num">4 min</td>' in page  # the AHT, 240 s


def test_the_overview_without_a_plan_says_so(people):
    page = signed_in(people[Role.TEAM_LEAD]).get(reverse("workforce:index") + "?date=2026-05-01").content.decode()
    assert 'class="wf-empty"' in page
    assert 'class="band"' not in page


def test_without_a_forecast_the_staffing_table_claims_no_zeros(people, phone_queue, django_capture_on_commit_callbacks):
    """Contacts came in but no plan covers the day: nothing expected or required is known, so '—', not 0."""
    with django_capture_on_commit_callbacks(execute=True):
        arrive(phone_queue, dt.datetime(2024, 5, 2, 10, 5, tzinfo=AMS), caller="+31612345678")
    rollups.refresh()  # as the periodic job does: the actual volume is read from the rollups
    page = signed_in(people[Role.TEAM_LEAD]).get(reverse("workforce:index") + "?date=2024-05-02").content.decode()
    row = page.split("<td>10:00</td>", 1)[1].split("</tr>", 1)[0]
    assert row.count('<td class="num">—</td>') == 4  # volume, AHT, required, gap
    assert "0,0" not in row
    assert row.rstrip().endswith('<td class="num">1</td>')  # the one contact that was offered


def test_the_shift_grid_shows_every_planned_shift(people, planned):
    page = signed_in(people[Role.VIEWER]).get(reverse("workforce:shifts") + "?date=2026-03-04").content.decode()
    assert "09:00\u201317:00" in page
    assert '<span class="act break">' in page
    assert 'name="first_day"' not in page  # read-only: no planning form


def test_a_team_lead_runs_the_planner_in_the_background(people, phone_queue, django_capture_on_commit_callbacks):
    ShiftTemplate.objects.create(name="day", start_time=dt.time(9), length_minutes=480)
    client = signed_in(people[Role.TEAM_LEAD])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("workforce:run_plan"),
            {"first_day": "2026-03-09", "days": "7", "queue": phone_queue.code, "time_limit": "5"},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200
    plan = ShiftPlan.objects.get()
    assert plan.created_by == people[Role.TEAM_LEAD]
    assert plan.status == PlanStatus.DONE  # the immediate task backend ran it on commit
    assert plan.solver_status == "optimal"
    status = client.get(reverse("workforce:plan_status", args=[plan.pk])).content.decode()
    assert 'data-status="done"' in status
    assert "hx-trigger" not in status  # a finished run stops polling


def test_bad_plan_requests_change_nothing(people):
    client = signed_in(people[Role.TEAM_LEAD])
    assert client.post(reverse("workforce:run_plan"), {"first_day": "soon"}).status_code == 400
    assert client.post(reverse("workforce:run_plan"), {"first_day": "2026-03-09", "days": "90"}).status_code == 400
    assert client.post(reverse("workforce:run_plan"), {"first_day": "2026-03-09", "queue": "nope"}).status_code == 404
    assert client.get(reverse("workforce:plan_status", args=[999])).status_code == 404
    assert (
        signed_in(people[Role.VIEWER]).post(reverse("workforce:run_plan"), {"first_day": "2026-03-09"}).status_code
        == 403
    )
    assert not ShiftPlan.objects.exists()


def test_only_managers_edit_the_peak_calendar(people):
    form = {"name": "spring_sale", "date": "2026-04-10", "days_before": "2", "days_after": "1", "uplift": "1.6",
            "is_active": "on"}  # fmt: skip
    assert signed_in(people[Role.TEAM_LEAD]).post(reverse("workforce:peaks"), form).status_code == 403
    assert signed_in(people[Role.VIEWER]).post(reverse("workforce:peaks"), form).status_code == 403
    assert not PeakEntry.objects.exists()
    manager = signed_in(people[Role.MANAGER])
    assert manager.post(reverse("workforce:peaks"), form).status_code == 302
    entry = PeakEntry.objects.get()
    assert (entry.date, entry.days_before, entry.days_after, entry.uplift) == (dt.date(2026, 4, 10), 2, 1, 1.6)
    # Switching off a built-in rule: no date needed.
    assert manager.post(reverse("workforce:peaks"), {"name": "christmas", "days_before": "3"}).status_code == 302
    assert PeakEntry.objects.get(name="christmas").is_active is False
    bad = manager.post(reverse("workforce:peaks"), {"name": "no_date_campaign"})
    assert bad.status_code == 400
    assert PeakEntry.objects.count() == 2
    page = manager.get(reverse("workforce:peaks")).content.decode()
    assert "spring_sale" in page and "\u00d71,60" in page


def test_the_peak_calendar_feeds_the_forecast(db):
    save_peak(name="christmas", date=None, days_before=0, days_after=0, uplift=None, is_active=False)
    save_peak(name="outage", date=dt.date(2026, 6, 3), days_before=0, days_after=1, uplift=2.0)
    calendar = peak_calendar()
    assert "christmas" not in {rule.name for rule in calendar.rules}
    keys = calendar.keys_by_date([dt.date(2026, 6, 4), dt.date(2026, 12, 24)])
    assert keys[dt.date(2026, 6, 4)] == ["outage:+1"]
    assert dt.date(2026, 12, 24) not in keys or all(not k.startswith("christmas") for k in keys[dt.date(2026, 12, 24)])
    assert calendar.configured_uplift("outage:+1") == 2.0


def test_adherence_page_per_agent_and_team(people, team):
    agent = people[Role.AGENT]
    start = dt.datetime(2026, 3, 2, 9, tzinfo=AMS)
    pause = (Activity.BREAK, start + dt.timedelta(hours=1), start + dt.timedelta(minutes=75))
    schedule_shift(agent=agent, start=start, end=start + dt.timedelta(hours=2), activities=[pause])
    record_agent_state(agent=agent, state=AgentState.AVAILABLE, occurred_at=start + dt.timedelta(minutes=30))
    record_agent_state(agent=agent, state=AgentState.OFFLINE, occurred_at=start + dt.timedelta(hours=2))
    page = signed_in(people[Role.TEAM_LEAD]).get(reverse("workforce:adherence") + "?date=2026-03-02").content.decode()
    # 25 minutes late past the grace, and working through the break except its first 5 minutes: 35 of 120 out.
    assert "70,8%" in page  # 85 of 120 minutes, written the Dutch way
    assert team.name in page
    assert PlannedShift.objects.count() == 1


def test_admins_configure_templates_contracts_and_the_pool(db, team):
    admin_user = User.objects.create_superuser(username="root", password="pw-root", role=Role.ADMIN)
    client = signed_in(admin_user)
    for model in ("shifttemplate", "contract", "poolmember", "peakentry"):
        assert client.get(reverse(f"admin:workforce_{model}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:workforce_{model}_add")).status_code == 200


def test_adherence_shows_hours_and_a_dash_where_nothing_was_scheduled(people, team):
    """Roostertrouw showed "0 s" scheduled and in adherence for everyone on a day without shifts: nothing scheduled
    is no measured zero. Scheduled time reads in hours (4,0 u), not as a handling time."""
    planned_agent, unplanned = people[Role.AGENT], make_user("bram", Role.AGENT, team)
    day = dt.datetime(2026, 3, 2, tzinfo=AMS)
    schedule_shift(agent=planned_agent, start=day.replace(hour=9), end=day.replace(hour=13), activities=[])
    for agent in (planned_agent, unplanned):
        record_agent_state(agent=agent, state=AgentState.AVAILABLE, occurred_at=day.replace(hour=9))
        record_agent_state(agent=agent, state=AgentState.OFFLINE, occurred_at=day.replace(hour=11))
    page = signed_in(people[Role.TEAM_LEAD]).get(reverse("workforce:adherence") + "?date=2026-03-02").content.decode()
    rows = dict(re.findall(r"<tr><td>([^<]+)</td>(.*?)</tr>", page, re.S))
    numbers = {name: re.findall(r'<td class="num[^"]*"[^>]*>([^<]*)</td>', cells) for name, cells in rows.items()}
    assert numbers[planned_agent.display_name][:3] == ["4,0 u", "2,0 u", "50,0%"]
    assert numbers[unplanned.display_name][:3] == ["—", "—", "—"]
    assert " s</td>" not in page


def test_a_plan_run_says_how_far_it_may_be_from_the_best_plan_in_words(people):
    """A run stopped by its time limit showed "gat 0,8099": a solver's raw number."""
    plan = ShiftPlan.objects.create(
        first_day=MONDAY,
        days=7,
        status=PlanStatus.DONE,
        solver_status="time_limit",
        mip_gap=0.8099,
        runtime_s=20.9,
        under_coverage=103,
        pool_hours=96,
    )
    page = (
        signed_in(people[Role.TEAM_LEAD])
        .get(reverse("workforce:plan_status", args=[plan.pk]), HTTP_ACCEPT_LANGUAGE="nl")
        .content.decode()
    )
    assert "hoogstens 81% van het beste plan af" in page
    assert "0,8099" not in page and "gat" not in page
