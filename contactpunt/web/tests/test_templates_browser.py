"""Response templates in headless Chromium: an agent types in the reply box's template search, picks a
template with the keyboard or the mouse, and its text, filled in for the case, appears in the reply; a team
lead writes a template and sees the live preview."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from contactpunt.conftest import make_user
from contactpunt.contacts.models import ResponseTemplate
from contactpunt.contacts.services.templates import TemplateFields, create_template
from contactpunt.contacts.tests.workspace_data import mail, skill
from contactpunt.people.models import Role
from contactpunt.web.tests.browser import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # WhiteNoise hands static files to the ASGI handler as synchronous iterators.
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]


def test_an_agent_types_in_the_reply_box_and_picks_a_template(server_url, browser, team, email_queue):
    from playwright.sync_api import expect

    lead = make_user("lotte", Role.TEAM_LEAD, team)
    agent = make_user("anna", Role.AGENT, team)
    agent.first_name = "Anna"
    agent.save()
    agent.skills.add(skill("nl"))
    email_queue.skills.add(skill("nl"))
    for name, text in [
        (
            "Bestelling onderweg",
            "Beste {first_name}, je bestelling {case_token} is onderweg. Groet, {agent_first_name}",
        ),
        ("Betaling mislukt", "Beste {first_name}, je betaling is niet gelukt."),
        ("Wachtwoord vergeten", "Beste {first_name}, via 'Wachtwoord vergeten' krijg je een nieuwe link."),
    ]:
        create_template(by=lead, fields=TemplateFields(name=name, language="nl", text=text))
    case = mail(email_queue, timezone.now() - dt.timedelta(hours=1), "m1")

    page = login(browser, server_url, "anna", next_url=f"/workspace/cases/{case.pk}/")
    search = page.locator("#template-search")
    results = page.locator("#template-results [role=option]")
    search.click()
    expect(results).to_have_count(3)  # on focus: every template that fits the case
    search.press_sequentially("onderw")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Bestelling onderweg")
    search.press("Enter")
    expect(page.locator("#reply-body")).to_have_value(
        f"Beste Sanne, je bestelling [CP-{case.pk}] is onderweg. Groet, Anna"
    )
    expect(page.locator("#reply-body")).to_be_focused()
    expect(page.locator("#template-results")).to_be_hidden()
    assert page.url.endswith(f"/workspace/cases/{case.pk}/")  # Enter picked; it did not send the reply

    page.locator("#reply-body").press("End")
    page.locator("#reply-body").press_sequentially(" PS: ")
    search.click()
    search.press_sequentially("betaling")
    expect(results).to_have_count(1)
    results.first.click()  # with the mouse, inserted at the cursor
    expect(page.locator("#reply-body")).to_have_value(
        f"Beste Sanne, je bestelling [CP-{case.pk}] is onderweg. Groet, Anna PS: "
        "Beste Sanne, je betaling is niet gelukt."
    )


def test_a_team_lead_writes_a_template_with_a_live_preview(server_url, browser, team):
    from playwright.sync_api import expect

    lead = make_user("lotte", Role.TEAM_LEAD, team)
    lead.first_name = "Lotte"
    lead.save()
    page = login(browser, server_url, "lotte", next_url="/templates/")
    page.click("#new-template")
    page.fill("#id_name", "Onderweg")
    page.locator("#id_text").press_sequentially("Hoi {first_name}, groet {agent_first_name}")
    expect(page.locator("#preview blockquote")).to_have_text("Hoi Sanne, groet Lotte")
    page.click("#template-form button[type=submit]")
    expect(page.locator("#templates")).to_contain_text("Onderweg")
    assert ResponseTemplate.objects.get(name="Onderweg").text == "Hoi {first_name}, groet {agent_first_name}"
