"""The case page's order panel in headless Chromium: when the request fails it ends in a Dutch error with a
retry, never in a spinner that stays; the retry asks again. Skips (saying why) when Chromium is missing, and
fails instead on CI."""

from __future__ import annotations

import pytest
from django.utils import timezone

from contactpunt.contacts.tests.workspace_data import mail
from contactpunt.web.tests.browser import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]


def test_a_failed_order_request_ends_in_an_error_with_a_retry(server_url, browser, agent, email_queue):
    from playwright.sync_api import expect

    case = mail(email_queue, timezone.now(), "m1")
    page = login(browser, server_url, agent.username)
    page.route("**/orders/", lambda route: route.abort("connectionreset"))  # the server cannot be reached

    page.goto(f"{server_url}/workspace/cases/{case.pk}/")

    panel = page.locator("#orders")
    expect(panel.locator(".orders-error")).to_have_text("De orderstatus is nu niet op te halen.")
    expect(panel).not_to_have_attribute("aria-busy", "true")
    page.unroute("**/orders/")
    panel.get_by_role("button", name="Opnieuw proberen").click()
    expect(panel).to_contain_text("Er is geen bron voor orderstatus ingesteld.")
    expect(panel.locator(".orders-error")).to_have_count(0)
