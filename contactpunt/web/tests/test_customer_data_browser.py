"""The customer-data page in headless Chromium: a manager finds a customer, is stopped without a confirmation and a
reason, then erases them; an agent is refused."""

from __future__ import annotations

import pytest

from contactpunt.audit.models import AuditEntry
from contactpunt.conftest import make_user
from contactpunt.contacts.services.inbound import receive_contact
from contactpunt.contacts.services.types import IdentityInput, InboundContact
from contactpunt.customers.models import Customer
from contactpunt.people.models import Role
from contactpunt.web.tests.browser import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]


def test_a_manager_finds_and_erases_a_customer_and_an_agent_is_refused(server_url, browser, team, email_queue, t0):
    from playwright.sync_api import expect

    received = receive_contact(
        InboundContact(
            source="mailbox", queue="email-general", occurred_at=t0, external_id="m1", customer_name="Jan Modaal",
            identities=(IdentityInput("email", "jan@example.nl"),), subject="Vraag", text="Hallo",
        )
    )  # fmt: skip
    make_user("manon", Role.MANAGER, team)
    make_user("anna", Role.AGENT, team)

    page = login(browser, server_url, "manon", next_url="/customer-data/")
    expect(page.locator("h1")).to_have_text("Klantgegevens")
    page.fill("#q", "jan@example")
    page.click("#search")
    page.locator(f'#results [data-customer="{received.customer_id}"] a').click()
    expect(page.locator("h1")).to_contain_text("Jan Modaal")

    # Without the confirmation the browser does not even send the form; with it but without a reason neither.
    page.fill("#id_erase-reason", "verzoek van de klant")
    page.click("#erase")
    assert Customer.objects.get(pk=received.customer_id).erased_at is None
    page.check("#id_erase-confirm")
    page.fill("#id_erase-reason", "")
    page.click("#erase")
    assert Customer.objects.get(pk=received.customer_id).erased_at is None

    page.fill("#id_erase-reason", "verzoek van de klant")
    page.click("#erase")
    expect(page.locator("#erased")).to_contain_text("Persoonsgegevens gewist op")
    expect(page.locator("h1")).not_to_contain_text("Jan Modaal")
    entry = AuditEntry.objects.get(action="customer.erased")
    assert (entry.actor.username, entry.changes["reason"]) == ("manon", "verzoek van de klant")
    page.context.close()

    agent = login(browser, server_url, "anna")
    response = agent.goto(f"{server_url}/customer-data/")
    assert response.status == 403
    expect(agent.locator("body")).to_contain_text("Alleen managers")
    agent.context.close()
