"""The weekly check-in in headless Chromium, each role on its own page.

An agent on a phone-sized screen (390 px) checks in from the workspace's reminder in three steps (the reminder, the
note, the mood; two without a note), each counted, no clock; the team lead sees the team's moods week by week, who
has been yellow or red two weeks in a row with their workload beside it, and who has not answered yet; a manager
sees a team's figures only from five answers, never a note, a name or who did not answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from contactpunt.conftest import make_user
from contactpunt.contacts.models import AgentState
from contactpunt.contacts.services.events import record_agent_state
from contactpunt.people import checkins
from contactpunt.people.models import CheckIn, Department, Role, Team
from contactpunt.web.tests.browser import TIMEOUT_MS, login, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

NOW = dt.datetime(2026, 3, 4, 10, 0, tzinfo=dt.UTC)  # a Wednesday morning
LAST_WEEK = NOW - dt.timedelta(weeks=1)
NOTE = "Veel boze bellers over de levering"


class Steps:
    """The agent's actions on the page, counted: a tap or a typed text is one step."""

    def __init__(self, page: Any) -> None:
        self.page, self.count = page, 0

    def tap(self, locator: Any) -> None:
        locator.click()
        self.count += 1

    def type(self, locator: Any, text: str) -> None:
        locator.fill(text)
        self.count += 1


def _phone_login(browser: Any, url: str, username: str) -> Any:
    page = browser.new_context(viewport={"width": 390, "height": 844}, locale="nl-NL", is_mobile=True).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{url}/login/?next=/workspace/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-" + username)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/workspace/")
    return page


def test_an_agent_checks_in_on_a_phone_in_three_steps(server_url, browser, team) -> None:
    from playwright.sync_api import expect

    with time_machine.travel(NOW, tick=True):
        anna = make_user("anna", Role.AGENT, team)
        bram = make_user("bram", Role.AGENT, team)

        page = _phone_login(browser, server_url, "anna")
        steps = Steps(page)
        banner = page.locator("#checkin-banner")
        expect(banner).to_be_visible()
        steps.tap(banner.get_by_role("link"))
        steps.type(page.locator("#checkin-note"), NOTE)
        yellow = page.get_by_role("button", name="Geel")
        box = yellow.bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 44  # a thumb hits it
        steps.tap(yellow)
        expect(page.locator("#checkin-saved")).to_be_visible()
        assert steps.count == 3
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing to scroll sideways
        expect(page.locator(".checkin-history")).to_contain_text(NOTE)
        screenshot(page, "checkin-phone.png")
        assert list(CheckIn.objects.filter(user=anna).values_list("mood", "note")) == [("yellow", NOTE)]
        page.goto(f"{server_url}/workspace/")
        expect(page.locator("#checkin-banner")).to_have_count(0)  # the reminder is gone once answered

        # Without a note: the reminder and the mood.
        other = _phone_login(browser, server_url, "bram")
        steps = Steps(other)
        steps.tap(other.locator("#checkin-banner").get_by_role("link"))
        steps.tap(other.get_by_role("button", name="Groen"))
        expect(other.locator("#checkin-saved")).to_be_visible()
        assert steps.count == 2
        assert list(CheckIn.objects.filter(user=bram).values_list("mood", "note")) == [("green", "")]


def test_the_team_lead_sees_who_was_yellow_or_red_two_weeks_with_their_workload(server_url, browser, team) -> None:
    from playwright.sync_api import expect

    with time_machine.travel(NOW, tick=True):
        make_user("lotte", Role.TEAM_LEAD, team)
        anna = make_user("anna", Role.AGENT, team)
        bram = make_user("bram", Role.AGENT, team)
        cees = make_user("cees", Role.AGENT, team)
        checkins.record_check_in(user=anna, mood="red", note="Te veel avonddiensten", now=LAST_WEEK)
        checkins.record_check_in(user=anna, mood="yellow", note=NOTE, now=NOW)
        checkins.record_check_in(user=bram, mood="red", now=LAST_WEEK)
        checkins.record_check_in(user=bram, mood="green", now=NOW)
        checkins.record_check_in(user=cees, mood="yellow", now=LAST_WEEK)
        # Anna worked Monday 09:00-17:00 this week.
        monday = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
        record_agent_state(agent=anna, state=AgentState.AVAILABLE, occurred_at=monday)
        record_agent_state(agent=anna, state=AgentState.OFFLINE, occurred_at=monday + dt.timedelta(hours=8))

        page = login(browser, server_url, "lotte", next_url="/checkin/team/")
        flagged = page.locator(".member-moods tbody tr.is-flagged")
        expect(flagged).to_have_count(1)  # bram turned green, cees has one yellow week and no answer yet
        expect(flagged.locator("th")).to_contain_text("anna")
        expect(flagged).to_contain_text("twee weken geel of rood")
        expect(flagged).to_contain_text(NOTE)
        expect(flagged).to_contain_text("Te veel avonddiensten")
        expect(flagged.locator("td.num").first).to_contain_text("8,0")  # hours worked this week so far
        headers = page.locator(".member-moods thead").inner_text()
        for column in ("Uren gewerkt", "Contacten afgehandeld", "Boze klanten", "Pauzes gemist"):
            assert column in headers, column
        expect(page.locator("#not-checked-in")).to_have_text("cees")
        screenshot(page, "checkin-team-lead.png")


def test_a_manager_sees_no_note_and_no_figures_below_five_answers(
    server_url, browser, team, department: Department
) -> None:
    from playwright.sync_api import expect

    with time_machine.travel(NOW, tick=True):
        make_user("marco", Role.MANAGER, team)
        south = Team.objects.create(name="Team Zuid", department=department)
        moods = ["yellow", "green", "green", "yellow", "red"]
        for n, mood in enumerate(moods):  # five answers in Team Noord, one with a note
            note = NOTE if n == 0 else ""
            checkins.record_check_in(user=make_user(f"noord{n}", Role.AGENT, team), mood=mood, note=note, now=NOW)
        for n in range(4):  # four in Team Zuid
            checkins.record_check_in(user=make_user(f"zuid{n}", Role.AGENT, south), mood="red", now=NOW)
        make_user("zuid-stil", Role.AGENT, south)  # has not answered

        page = login(browser, server_url, "marco", next_url="/checkin/team/")
        north = page.locator(f".team-moods[data-team='{team.pk}'] tbody")
        expect(north.locator("tr").nth(0).locator("td").last).to_have_text("5")
        expect(north.locator("tr").nth(1).locator("td").last).to_have_text("2")  # green
        expect(north.locator("tr").nth(3).locator("td").last).to_have_text("1")  # red
        south_rows = page.locator(f".team-moods[data-team='{south.pk}'] tbody")
        expect(south_rows.locator("tr").nth(0).locator("td").last).to_have_text("te weinig")
        expect(south_rows.locator("tr").nth(3).locator("td").last).to_have_text("—")  # four reds are not shown
        main = page.locator("main").inner_text()
        assert NOTE not in page.content()
        assert "noord0" not in main and "zuid-stil" not in main
        expect(page.locator(".member-moods")).to_have_count(0)
        expect(page.locator("#not-checked-in")).to_have_count(0)
        screenshot(page, "checkin-manager.png")
