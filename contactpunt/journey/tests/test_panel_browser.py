"""The customer panel of the case page in headless Chromium: the stay with its stage, the moment's message that went
out, and an agent recording the customer's yes to offers by e-mail; a fellow traveller's details only with their
consent."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from contactpunt.contacts.models import Queue
from contactpunt.contacts.tests.workspace_data import mail, skill
from contactpunt.customers import services as customers
from contactpunt.customers.identities import IdentityKey
from contactpunt.customers.models import Consent, Customer
from contactpunt.journey.models import MomentRule
from contactpunt.journey.moments import run_moments
from contactpunt.journey.services import OrderInput, record_order
from contactpunt.people.models import User
from contactpunt.web.tests.browser import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]


def test_the_agent_sees_the_stay_and_its_message_and_records_consent(
    server_url: str, browser: Any, email_queue: Queue, agent: User
) -> None:
    email_queue.skills.add(skill("nl"))
    agent.skills.add(skill("nl"))
    now = timezone.now()
    today = timezone.localdate(now)
    case = mail(email_queue, now - dt.timedelta(hours=1), "b1", sender="els@example.nl", name="Els Visser")
    assert case.customer_id is not None
    # the rules come with a migration; a transactional test before this one may have flushed them
    MomentRule.objects.update_or_create(
        kind="before_arrival",
        defaults={"days": 3, "instruction": "-", "sends_message": True, "subject": "Binnenkort bij ons",
                  "message": "Beste {name}, tot {arrival}!"},
    )  # fmt: skip
    record_order(
        OrderInput(
            source="parks", external_id="S-77", kind="stay", ordered_on=today - dt.timedelta(days=40),
            customer_id=case.customer_id, starts_on=today + dt.timedelta(days=2),
            ends_on=today + dt.timedelta(days=9), stage="before_arrival",
        )
    )  # fmt: skip
    run_moments(today=today, now=now)

    page = login(browser, server_url, agent.username, next_url=f"/workspace/cases/{case.pk}/")
    journey = page.locator("#journey li[data-stage='before_arrival']")
    assert "S-77" in journey.inner_text() and "stap 2 van 4" in journey.inner_text()
    sent = page.locator("#moment-messages li[data-status='sent']")
    assert "Binnenkort bij ons" in sent.inner_text() and "per e-mail op" in sent.inner_text()
    offers = page.locator("#consent li[data-purpose='marketing']")
    assert offers.get_attribute("data-allowed") == "no"

    form = page.locator("#consent-form")
    form.locator("select[name=purpose]").select_option("marketing")
    form.locator("select[name=channel]").select_option("email")
    form.locator("input[name=note]").fill("aan de telefoon gevraagd")
    form.locator("button[value=yes]").click()
    # back on the case page after the redirect, with the exception on e-mail
    page.wait_for_selector("#consent li[data-purpose='marketing']:has-text('e-mail: ja')")
    assert page.url == f"{server_url}/workspace/cases/{case.pk}/"
    row = Consent.objects.get()
    assert (row.purpose, row.channel, row.is_granted, row.recorded_by_id, row.note) == (
        "marketing", "email", True, agent.pk, "aan de telefoon gevraagd"
    )  # fmt: skip


def test_a_guest_s_details_open_in_the_panel_only_with_their_consent(
    server_url: str, browser: Any, email_queue: Queue, agent: User
) -> None:
    email_queue.skills.add(skill("nl"))
    agent.skills.add(skill("nl"))
    now = timezone.now()
    case = mail(email_queue, now - dt.timedelta(hours=1), "b2", sender="els@example.nl", name="Els Visser")
    guest = customers.customer_for_identities([IdentityKey("email", "", "pim@example.nl")], name="Pim Visser")
    assert case.customer_id is not None and guest is not None
    record_order(
        OrderInput(
            source="parks", external_id="S-78", kind="stay", ordered_on=timezone.localdate(now),
            customer_id=case.customer_id, starts_on=timezone.localdate(now) + dt.timedelta(days=30),
            fellow_travellers=(guest,),
        )
    )  # fmt: skip
    page = login(browser, server_url, agent.username, next_url=f"/workspace/cases/{case.pk}/")
    row = page.locator(f"#journey li[data-guest='{guest}']")
    assert row.get_attribute("data-details") == "none"
    text = row.inner_text()
    assert "Pim Visser · medereiziger" in text and "geen gegevens zonder hun toestemming" in text
    assert "pim@example.nl" not in page.content()

    customers.record_consent(
        customer=Customer.objects.get(pk=guest), purpose="sharing", is_granted=True, source="integration", by=None,
        at=now,
    )  # fmt: skip
    page.reload()
    row = page.locator(f"#journey li[data-guest='{guest}']")
    assert row.get_attribute("data-details") == "consent"
    row.locator("summary").click()
    assert row.locator("details").get_attribute("open") is not None
    assert "pim@example.nl" in row.inner_text() and "gedeeld met toestemming" in row.inner_text()
