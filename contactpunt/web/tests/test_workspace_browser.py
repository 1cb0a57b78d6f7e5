"""The workspace in headless Chromium against a live ASGI server (uvicorn, websockets included).

An agent logs in, sets available, takes the next case, replies with a template, transfers it and wraps
it up; a colleague's inbox, never reloaded, follows every step live. A reply or a wrap-up resolves the case
only when the agent chooses so. Skips (saying why) when Chromium is
missing, and fails instead on CI.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from contactpunt.conftest import make_user
from contactpunt.contacts.models import CaseStatus, Channel, Queue, ResponseTemplate
from contactpunt.contacts.tests.workspace_data import mail, reason
from contactpunt.people.models import Role
from contactpunt.web.tests.browser import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # WhiteNoise hands static files to the ASGI handler as synchronous iterators.
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]


def _login(browser, url: str, username: str):
    page = login(browser, url, username)
    page.wait_for_selector("#live-status.on")  # the websocket is connected
    return page


def test_an_agent_handles_a_case_and_a_colleague_sees_it_live(server_url, browser, team, email_queue):
    from playwright.sync_api import expect

    anna = make_user("anna", Role.AGENT, team)
    make_user("bram", Role.AGENT, team)
    business = Queue.objects.create(code="email-b2b", name="Zakelijk", channel=Channel.EMAIL, response_norm_s=3600)
    delivery = reason("bezorging", "Bezorging")
    ResponseTemplate.objects.create(name="Onderweg", text="Beste {first_name}, je bestelling {case_token} is onderweg.")
    case = mail(email_queue, timezone.now() - dt.timedelta(hours=2), "m1")

    colleague = _login(browser, server_url, "bram")
    colleague.evaluate("window.neverReloaded = true")
    row = colleague.locator(f'tr[data-case="{case.pk}"]')
    expect(row).to_contain_text("niet toegewezen")

    page = _login(browser, server_url, "anna")
    expect(page.locator("#take-next button")).to_be_disabled()
    page.select_option("#state-select", "available")
    expect(page.locator("#agent-state .state-available")).to_be_visible()
    expect(page.locator("#take-next button")).to_be_enabled()  # follows the state without a reload
    page.keyboard.press("n")  # the shortcut for "take next"
    page.wait_for_url(re.compile(rf"/workspace/cases/{case.pk}/$"))
    expect(row).to_contain_text("anna")  # live in the colleague's inbox
    expect(colleague.locator("#live-status")).to_have_text("live")

    page.locator("#template-search").press_sequentially("onderweg")
    page.locator("#template-results [role=option]", has_text="Onderweg").click()
    expect(page.locator("#reply-body")).to_have_value(f"Beste Sanne, je bestelling {case.token} is onderweg.")
    page.click("#reply-form button[type=submit]:not([data-resolves])")
    expect(page.locator(".toast-success")).to_contain_text("Antwoord staat klaar om te versturen.")
    expect(page.locator(".timeline .delivery-queued")).to_have_text("in wachtrij")

    page.select_option("#transfer-queue", label="Zakelijk")
    page.select_option("#transfer-reason", "expertise")
    page.fill("#transfer-note", "Zakelijke klant, graag even bellen")
    page.click("#transfer-form button[type=submit]")
    expect(page.locator(".toast-success")).to_contain_text("Doorgezet naar Zakelijk.")
    expect(row).to_contain_text("Zakelijk")  # live again: the new queue, back to unassigned
    expect(row).to_contain_text("niet toegewezen")

    page.keyboard.press("w")
    expect(page.locator("#wrap-reason")).to_be_focused()
    page.select_option("#wrap-reason", label="Bezorging")
    page.click("#wrap-up-form button[data-resolves]")  # the agent chooses to resolve
    expect(page.locator(".toast-success")).to_contain_text("Afgerond; de zaak is afgesloten.")
    expect(row).to_have_count(0)  # resolved: gone from the colleague's inbox
    assert colleague.evaluate("window.neverReloaded") is True

    case.refresh_from_db()
    assert (case.status, case.queue, case.reason) == (CaseStatus.RESOLVED, business, delivery)
    anna.refresh_from_db()


def test_a_reply_leaves_the_case_open_unless_the_agent_resolves_it(server_url, browser, team, email_queue):
    from playwright.sync_api import expect

    make_user("anna", Role.AGENT, team)
    delivery = reason("bezorging", "Bezorging")
    case = mail(email_queue, timezone.now() - dt.timedelta(hours=1), "m1")
    page = login(browser, server_url, "anna", next_url=f"/workspace/cases/{case.pk}/")
    expect(page.locator("input[name=resolve]")).to_have_count(0)  # no box that resolves by default

    page.keyboard.press("r")
    page.locator("#reply-body").fill("We zoeken het voor je uit.")
    page.keyboard.press("Control+Enter")  # send: the case stays open
    expect(page.locator(".toast-success")).to_have_text("Antwoord staat klaar om te versturen.")
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN

    page.keyboard.press("w")
    page.select_option("#wrap-reason", label="Bezorging")
    page.click("#wrap-up-form button[type=submit]:not([data-resolves])")  # wrap up, nothing more
    expect(page.locator(".toast-success")).to_have_text("Afgerond.")
    case.refresh_from_db()
    assert (case.status, case.reason) == (CaseStatus.OPEN, delivery)

    page.keyboard.press("r")
    page.locator("#reply-body").fill("Je pakket is vandaag bezorgd.")
    page.keyboard.press("Control+Shift+Enter")  # send and resolve
    expect(page.locator(".toast-success")).to_have_text("Antwoord staat klaar om te versturen; de zaak is afgesloten.")
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED
