"""The weekly check-in in headless Chromium: an agent on a phone-sized screen (390 px) sees the reminder in the
workspace, taps through to the check-in, types a note and taps a mood, all well under 20 seconds; their team lead
reads the note; a manager sees the team's figures and cannot read the note."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import time_machine

from contactpunt.conftest import make_user
from contactpunt.people import checkins
from contactpunt.people.models import CheckIn, Role
from contactpunt.web.tests.browser import TIMEOUT_MS, login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

NOW = dt.datetime(2026, 3, 4, 10, 0, tzinfo=dt.UTC)  # a Wednesday morning
NOTE = "Veel boze bellers over de levering"


def _phone_login(browser, url: str, username: str):
    page = browser.new_context(viewport={"width": 390, "height": 844}, locale="nl-NL", is_mobile=True).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{url}/login/?next=/workspace/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-" + username)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/workspace/")
    return page


def test_an_agent_checks_in_on_a_phone_and_a_manager_cannot_read_the_note(server_url, browser, team) -> None:
    from playwright.sync_api import expect

    with time_machine.travel(NOW, tick=True):
        anna = make_user("anna", Role.AGENT, team)
        make_user("lotte", Role.TEAM_LEAD, team)
        make_user("marco", Role.MANAGER, team)
        for n, mood in enumerate(["green", "green", "yellow", "green"]):
            checkins.record_check_in(user=make_user(f"agent{n}", Role.AGENT, team), mood=mood, now=NOW)

        page = _phone_login(browser, server_url, "anna")
        started = time.monotonic()
        banner = page.locator("#checkin-banner")
        expect(banner).to_be_visible()
        banner.get_by_role("link").click()
        page.locator("#checkin-note").fill(NOTE)
        page.get_by_role("button", name="Geel").click()
        expect(page.locator("#checkin-saved")).to_be_visible()
        elapsed = time.monotonic() - started
        assert elapsed < 20, elapsed
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        expect(page.locator(".checkin-history")).to_contain_text(NOTE)
        assert list(CheckIn.objects.filter(user=anna).values_list("mood", "note")) == [("yellow", NOTE)]
        page.goto(f"{server_url}/workspace/")
        expect(page.locator("#checkin-banner")).to_have_count(0)

        lead = login(browser, server_url, "lotte", next_url="/checkin/team/")
        expect(lead.locator(".member-moods")).to_contain_text(NOTE)

        manager = login(browser, server_url, "marco", next_url="/checkin/team/")
        section = manager.locator(".team-moods").first
        expect(section).to_contain_text("Antwoorden")
        expect(section.locator("tbody tr").first).to_contain_text("5")
        assert NOTE not in manager.content()
        assert "anna" not in manager.locator("main").inner_text()
        expect(manager.locator(".member-moods")).to_have_count(0)
    print(f"check-in on a 390 px screen: {elapsed:.1f} s from the workspace to saved")
