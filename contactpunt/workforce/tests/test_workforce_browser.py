"""The planner's main flow in headless Chromium against a live ASGI server.

A team lead opens the workforce pages, starts a plan run from the shift-plan page (htmx, a background task),
watches its status turn to done and sees the new shifts in the week grid; an agent sees only their own
schedule. Skips (saying why) when Chromium is missing, and fails instead on CI. With
CONTACTPUNT_SCREENSHOTS=<folder> set, it saves screenshots of the pages there.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from contactpunt.conftest import make_user
from contactpunt.people.models import Role
from contactpunt.web.tests.browser import login, screenshot
from contactpunt.workforce.models import ShiftTemplate
from contactpunt.workforce.requirement import IntervalNeed, grid
from contactpunt.workforce.shifts.planning import plan_shifts, zone

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]


def _login(browser: Any, url: str, username: str, landing: str) -> Any:
    return login(browser, url, username, next_url="/workforce/", landing=landing)


def test_a_team_lead_plans_shifts_and_an_agent_sees_their_own(server_url, browser, team, phone_queue):
    from playwright.sync_api import expect

    make_user("lotte", Role.TEAM_LEAD, team)
    make_user("anna", Role.AGENT, team)
    make_user("bram", Role.AGENT, team)
    ShiftTemplate.objects.create(name="early", start_time=dt.time(8), length_minutes=480, breaks=[[240, 30]])
    ShiftTemplate.objects.create(name="late", start_time=dt.time(12), length_minutes=480, breaks=[[240, 30]])
    today = dt.datetime.now(zone()).date()
    monday = today - dt.timedelta(days=today.weekday())
    # This week's plan with a forecast, so the overview has a chart and a staffing table.
    needs = [
        IntervalNeed(s, phone_queue.code, 6.0, 240.0, 1 if 8 <= s.astimezone(zone()).hour < 20 else 0, 3.0, 9.0)
        for s in grid(monday, 7, zone())
    ]
    plan_shifts(first_day=monday, days=7, queue=phone_queue, needs=needs, time_limit_s=10)

    page = _login(browser, server_url, "lotte", "/workforce/")
    expect(page.locator("svg.wf-chart polygon.band")).to_have_count(1)
    expect(page.locator("table tbody tr").first).to_be_visible()
    screenshot(page, "workforce-overview.png")

    page.click("nav.kpi-nav a[href='/workforce/shifts/']")
    expect(page.locator(".wf-grid .shift")).to_have_count(10)  # two agents, five 8-hour days each (40 h a week)
    next_monday = monday + dt.timedelta(days=7)
    page.fill("input[name=first_day]", next_monday.isoformat())
    page.fill("input[name=days]", "2")
    page.select_option("select[name=queue]", phone_queue.code)
    page.fill("input[name=time_limit]", "5")
    page.click("form.wf-form button[type=submit]")
    expect(page.locator("#plan-runs article.plan-run")).to_have_count(2)  # the new run is in (this week's too)
    run = page.locator("#plan-runs article.plan-run").first
    expect(run).to_have_attribute("data-status", "done")
    screenshot(page, "workforce-shifts.png")
    run.locator("a").click()
    page.wait_for_url(f"**/workforce/shifts/?date={next_monday.isoformat()}")
    # Nothing is forecast without history, so the run plans no shifts for those two days.
    expect(page.locator(".wf-grid .shift")).to_have_count(0)

    page.click("nav.kpi-nav a[href='/workforce/adherence/']")
    expect(page.locator("h1")).to_be_visible()
    page.click("nav.kpi-nav a[href='/workforce/peaks/']")
    expect(page.locator("table tbody tr")).to_have_count(6)

    agent = _login(browser, server_url, "anna", "/workforce/me/")
    expect(agent.locator(".wf-grid tbody tr")).to_have_count(1)
    expect(agent.locator(".wf-grid .shift")).to_have_count(5)
    expect(agent.locator("nav.kpi-nav a[href='/workforce/shifts/']")).to_have_count(0)
    screenshot(agent, "workforce-me.png")


def test_a_team_lead_plans_the_weekly_meetings_into_the_shift_plan(server_url, browser, team, phone_queue):
    from playwright.sync_api import expect

    from contactpunt.kpis.intervals import day_bounds
    from contactpunt.workforce.queries import scheduled_per_interval

    make_user("lotte", Role.TEAM_LEAD, team)
    agents = [make_user(f"noord{n}", Role.AGENT, team) for n in range(7)]
    ShiftTemplate.objects.create(name="dag", start_time=dt.time(9), length_minutes=480, breaks=[])
    week = dt.date(2026, 3, 2)
    local = zone()
    # Three needed 09:00-17:00 on weekdays: the cheapest plan without meetings has exactly three at work, so the plan
    # adds the shifts that make room for the sessions.
    needs = [
        IntervalNeed(s, phone_queue.code, 10.0, 180.0, 3 if s.astimezone(local).weekday() < 5 and
                     9 <= s.astimezone(local).hour < 17 else 0)
        for s in grid(week, 7, local)
    ]  # fmt: skip
    outcome = plan_shifts(first_day=week, days=7, queue=phone_queue, needs=needs, time_limit_s=20)
    assert outcome.plan.under_coverage == 0

    page = login(browser, server_url, "lotte", next_url=f"/workforce/meetings/?week={week.isoformat()}")
    page.select_option("#plan-meetings select[name=team]", str(team.pk))
    with time_machine.travel(dt.datetime(2026, 2, 27, 16, tzinfo=local), tick=True):  # planned the Friday before
        page.click("#plan-meetings button[type=submit]")
        expect(page.locator("#meetings tbody tr")).to_have_count(2)  # seven agents meet as four and three
    listed = page.locator("#meetings tbody").inner_text()
    assert all(agent.display_name in listed for agent in agents)
    expect(page.locator("p.toast")).not_to_contain_text("staffing gap")

    page.goto(f"{server_url}/workforce/shifts/?date={week.isoformat()}")
    meetings = page.locator(".wf-grid .act.meeting")
    expect(meetings).to_have_count(7)  # every agent once in the week
    expect(meetings.first).to_contain_text("overleg")
    screenshot(page, "workforce-meetings-in-plan.png")
    after = scheduled_per_interval(*day_bounds(week, week + dt.timedelta(days=6), local))
    for need in needs:  # the queue stays staffed while the sessions run
        assert after.get(need.start, 0) >= need.required, need.start
