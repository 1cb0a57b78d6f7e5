"""The workspace in headless Chromium against a live ASGI server (uvicorn, websockets included).

An agent logs in, sets available, takes the next case, replies with a template, transfers it and wraps
it up; a colleague's inbox, never reloaded, follows every step live. Skips (saying why) when Chromium is
missing, and fails instead on CI.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from contactpunt.conftest import make_user
from contactpunt.contacts.models import CaseStatus, Channel, Queue, ResponseTemplate
from contactpunt.contacts.tests.workspace_data import mail, reason
from contactpunt.people.models import Role
from contactpunt.web.chromium import CHROMIUM_ARGS

CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT_MS = 10_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # WhiteNoise hands static files to the ASGI handler as synchronous iterators.
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
    """The real ASGI application (HTTP and websockets) served by uvicorn on a free loopback port."""
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
        # Threads of the server still hold pooled PostgreSQL connections to the test database, which then
        # cannot be dropped: end those sessions (this test's own connection stays).
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            connection.close()
            if hasattr(connection, "close_pool"):
                connection.close_pool()  # it would hand out the ended sessions


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _login(browser, url: str, username: str):
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL").new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{url}/login/?next=/workspace/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-" + username)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/workspace/")
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

    page.select_option("#template-select", label="Onderweg")
    expect(page.locator("#reply-body")).to_have_value(f"Beste Sanne, je bestelling {case.token} is onderweg.")
    page.click("#reply-form button[type=submit]")
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
    page.click("#wrap-up-form button[type=submit]")
    expect(page.locator(".toast-success")).to_contain_text("Afgerond.")
    expect(row).to_have_count(0)  # resolved: gone from the colleague's inbox
    assert colleague.evaluate("window.neverReloaded") is True

    case.refresh_from_db()
    assert (case.status, case.queue, case.reason) == (CaseStatus.RESOLVED, business, delivery)
    anna.refresh_from_db()
