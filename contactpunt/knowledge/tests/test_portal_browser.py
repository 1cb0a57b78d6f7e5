"""The help pages on a phone (390 px) in headless Chromium, under the organisation's name and colour: search, read,
vote, and the contact form with the articles read attached to the contact; nothing spills sideways."""

from __future__ import annotations

import pytest
from django.test import override_settings

from contactpunt.contacts.models import Channel, Queue
from contactpunt.knowledge.demo import load_demo_articles
from contactpunt.knowledge.models import PortalContact, UsageEvent, UsageKind
from contactpunt.web.tests.browser import TIMEOUT_MS
from contactpunt.web.tests.layout import PROBLEMS_JS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

PHONE = {"width": 390, "height": 844}


@override_settings(PORTAL_NAME="Gemeente Voorbeeld", PORTAL_COLOUR="#aa3300")
def test_a_visitor_on_a_phone_searches_reads_votes_and_writes(server_url, browser, department):
    from playwright.sync_api import expect

    Queue.objects.create(code="webform", name="Webformulier", channel=Channel.WEBFORM, department=department)
    load_demo_articles()
    page = browser.new_context(viewport=PHONE, locale="nl-NL").new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{server_url}/help/")
    expect(page.locator("h1")).to_have_text("Hulp en antwoorden")
    # The organisation's own name and colour.
    expect(page.locator(".brand")).to_have_text("Gemeente Voorbeeld")
    search_button = page.locator("form[role=search] button[type=submit]")
    assert search_button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(170, 51, 0)"
    page.fill("#portal-q", "wachtwoord vergeten")
    page.click("form[role=search] button[type=submit]")
    expect(page.locator(".portal-results a").first).to_have_text("Wachtwoord vergeten")
    page.locator(".portal-results a").first.click()
    expect(page.locator("article h1")).to_have_text("Wachtwoord vergeten")
    assert page.evaluate(PROBLEMS_JS) == []
    page.check("input[name=helpful][value=no]")
    page.fill("textarea[name=missing]", "Ik kreeg geen e-mail")
    page.click("#vote button[type=submit]")
    expect(page.locator("[role=status]")).to_contain_text("Bedankt")
    page.locator(".portal-contact a").click()
    expect(page.locator(".portal-read")).to_contain_text("Wachtwoord vergeten")
    page.fill("#id_name", "Sanne de Vries")
    page.fill("#id_email", "sanne@example.nl")
    page.fill("#id_subject", "geen herstelmail")
    page.fill("#id_message", "Ik krijg geen e-mail om mijn wachtwoord te herstellen.")
    assert page.evaluate(PROBLEMS_JS) == []
    page.click("form[method=post] button[type=submit]")
    expect(page.locator("h1")).to_have_text("Bericht verstuurd")
    link = PortalContact.objects.get()
    assert list(link.articles.values_list("external_id", flat=True)) == ["demo-wachtwoord"]
    assert UsageEvent.objects.get(kind=UsageKind.VOTE).missing == "Ik kreeg geen e-mail"
