"""The planner's main flow in headless Chromium against a live ASGI server.

A team lead opens the workforce pages, starts a plan run from the shift-plan page (htmx, a background task),
watches its status turn to done and sees the new shifts in the week grid; an agent sees only their own
schedule. Skips (saying why) when Chromium is missing, and fails instead on CI. With
CONTACTPUNT_SCREENSHOTS=<folder> set, it saves screenshots of the pages there.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from contactpunt.conftest import make_user
from contactpunt.people.models import Role
from contactpunt.web.chromium import CHROMIUM_ARGS
from contactpunt.workforce.models import ShiftTemplate
from contactpunt.workforce.requirement import IntervalNeed, grid
from contactpunt.workforce.shifts.planning import plan_shifts, zone

CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT_MS = 15_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]


def _require_chromium() -> None:
    if not CHROMIUM.exists():
        reason = f"headless Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        print(reason)
        pytest.skip(reason)


@pytest.fixture
def server_url(transactional_db: None) -> Iterator[str]:
    """The real ASGI application served by uvicorn on a free loopback port."""
    _require_chromium()
    import uvicorn

    from contactpunt.config.asgi import application

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(application, log_level="warning", lifespan="off", ws="websockets-sansio"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _login(browser: Any, url: str, username: str, landing: str) -> Any:
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL").new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{url}/login/?next=/workforce/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-" + username)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}{landing}")
    return page


def _screenshot(page: Any, name: str) -> None:
    folder = os.environ.get("CONTACTPUNT_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True)


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
    _screenshot(page, "workforce-overview.png")

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
    _screenshot(page, "workforce-shifts.png")
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
    _screenshot(agent, "workforce-me.png")
