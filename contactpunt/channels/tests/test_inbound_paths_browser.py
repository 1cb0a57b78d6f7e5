"""Every inbound path of the demo, end to end in headless Chromium, on the demo's own organisation (the greeting-card
shop's queues, as `up` builds them): the web form, the same form embedded in a customer's page, the chat widget with
the exact script tag the README shows (during and outside the chat's opening hours), an e-mail import and the API.
Each message is then found in a team lead's inbox.

The chat's opening hours are chosen here, never read from today's date: "during" gives the chat queue no calendar
(always open), "outside" gives it a calendar without any opening hours.
"""

from __future__ import annotations

import io
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from contactpunt.api.models import Integration
from contactpunt.conftest import make_user
from contactpunt.contacts.models import AgentState, BusinessCalendar, Channel, Contact, Queue
from contactpunt.contacts.services.assignment import set_agent_state
from contactpunt.people.models import Role, Team, User
from contactpunt.simulation.scenarios import GREETING_CARDS, build_organisation
from contactpunt.web.tests.browser import TIMEOUT_MS, login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

README = Path(__file__).resolve().parents[3] / "README.md"
README_HOST = "https://your-contactpunt"
#: The first contact of a run waits for the insights analysis (the immediate task backend runs it in the request).
FIRST_CONTACT_MS = 60_000


def readme_snippet() -> str:
    """The chat widget's script tag exactly as the README shows it."""
    found = re.search(r"<script src=\"[^\"]*/channels/chat/widget\.js\"[^>]*></script>", README.read_text("utf-8"))
    assert found is not None, "the README shows no chat snippet"
    return found.group(0)


@pytest.fixture
def demo_organisation(transactional_db: None) -> User:
    """The demo's organisation (queues, calendars, skills, teams) with one agent of Team Noord; returns the agent."""
    group = next(g for g in GREETING_CARDS.agents if "chat" in g.skills)
    build_organisation(GREETING_CARDS, [("agent1", group)])
    return User.objects.get(username="agent1")


@pytest.fixture
def customer_site(server_url: str) -> Iterator[Any]:
    """A customer's site on another origin (localhost, while the product runs on 127.0.0.1): `/chat` carries the
    README's snippet pointed at the product, `/form` frames the embedded web form."""
    pages = {
        "/chat": readme_snippet().replace(README_HOST, server_url),
        # the same snippet with a queue that does not exist (what the README once said)
        "/chat-typo": re.sub(r'data-queue="[^"]*"', 'data-queue="chat-general"', readme_snippet()).replace(
            README_HOST, server_url
        ),
        "/form": f'<iframe id="contact" src="{server_url}/channels/form/embed/" width="700" height="900"></iframe>',
    }

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = (
                '<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Kaartenhuis</title></head>'
                f"<body><h1>Kaartenhuis</h1>{pages.get(self.path, '')}</body></html>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("localhost", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _page(browser: Any) -> Any:
    page = browser.new_context(viewport={"width": 1100, "height": 1000}, locale="nl-NL").new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.set_default_navigation_timeout(FIRST_CONTACT_MS)  # a form's first contact waits for the analysis
    return page


def _chat_hours(*, open_now: bool) -> None:
    """The demo's chat queue always open (no calendar) or never open (a calendar without opening hours)."""
    closed, _ = BusinessCalendar.objects.get_or_create(name="Gesloten (test)")  # no opening hours at all
    Queue.objects.filter(code="chat").update(calendar=None if open_now else closed)


def test_every_inbound_path_of_the_demo_lands_in_the_inbox(
    server_url, browser, customer_site, demo_organisation, tmp_path
):
    from playwright.sync_api import expect

    assert 'data-queue="chat"' in readme_snippet()

    # 1. The portal's web form.
    page = _page(browser)
    page.goto(f"{server_url}/channels/form/")
    page.fill("#id_name", "Sanne de Vries")
    page.fill("#id_email", "sanne@example.nl")
    page.fill("#id_subject", "Formulier: kaart niet ontvangen")
    page.fill("#id_message", "Ik heb een kaart besteld die nog niet bezorgd is.")
    page.click("form button[type=submit]", timeout=FIRST_CONTACT_MS)
    expect(page.locator("#case-token")).to_have_text(re.compile(r"\[CP-\d+\]"), timeout=FIRST_CONTACT_MS)
    page.context.close()

    # 2. The same form embedded in the customer's page.
    page = _page(browser)
    page.goto(f"{customer_site}/form")
    frame = page.frame_locator("#contact")
    frame.locator("#id_name").fill("Piet Bakker")
    frame.locator("#id_email").fill("piet@example.nl")
    frame.locator("#id_subject").fill("Ingebed: verkeerd adres")
    frame.locator("#id_message").fill("Mijn bestelling gaat naar het oude adres.")
    frame.locator("form button[type=submit]").click(timeout=FIRST_CONTACT_MS)
    expect(frame.locator("#case-token")).to_have_text(re.compile(r"\[CP-\d+\]"), timeout=FIRST_CONTACT_MS)
    page.context.close()

    # 3. The chat widget with the README's snippet, inside opening hours with an agent at work.
    _chat_hours(open_now=True)
    set_agent_state(agent=demo_organisation, state=AgentState.AVAILABLE)
    page = _page(browser)
    page.goto(f"{customer_site}/chat")
    page.locator(".launcher").click()
    expect(page.locator(".status")).to_have_text("Een medewerker helpt je zo.")
    page.fill("#cp-text", "Chat: kan ik mijn ontwerp nog aanpassen?")
    page.keyboard.press("Enter")
    expect(page.locator(".msg.visitor .meta")).to_have_text("Jij · verstuurd", timeout=FIRST_CONTACT_MS)
    page.context.close()

    # 4. The same widget outside opening hours: leaving a message becomes a written contact.
    _chat_hours(open_now=False)
    page = _page(browser)
    page.goto(f"{customer_site}/chat")
    page.locator(".launcher").click()
    expect(page.locator("form.written")).to_be_visible()
    page.fill("#cp-name", "Fatima el Amrani")
    page.fill("#cp-email", "fatima@example.nl")
    page.fill("#cp-message", "Buiten openingstijd: mijn betaling is twee keer afgeschreven.")
    page.click("form.written .leave", timeout=FIRST_CONTACT_MS)
    expect(page.locator(".status")).to_contain_text("fatima@example.nl", timeout=FIRST_CONTACT_MS)
    expect(page.locator(".status")).to_contain_text("CP-")
    page.context.close()

    # 5. An e-mail import into the demo's e-mail queue.
    (tmp_path / "mail.eml").write_bytes(
        b"From: Joost <joost@example.nl>\r\nTo: service@kaartenhuis.nl\r\nSubject: Mail: factuur kwijt\r\n"
        b"Message-ID: <factuur-1@example.nl>\r\n\r\nKunnen jullie de factuur opnieuw sturen?\r\n"
    )
    call_command("import-mail", str(tmp_path), "--queue", "email", "--json", stdout=io.StringIO())

    # 6. The API, with an integration's token, as the demo prints one.
    integration = Integration(name="Demo-integratie", source="demo")
    token = integration.set_new_token()
    integration.save()
    body = {
        "external_id": "api-1",
        "queue": "email",
        "channel": "email",
        "occurred_at": timezone.now().isoformat(),
        "identities": [{"kind": "email", "value": "anouk@example.nl"}],
        "subject": "API: bestelling annuleren",
        "text": "Ik wil mijn bestelling annuleren.",
    }
    api = browser.new_context()
    response = api.request.post(
        f"{server_url}/api/v1/contacts",
        data=json.dumps(body),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status == 201, response.text()
    api.close()

    # Every message is in the queue it belongs to: none fell back, none was refused.
    # (A chat has no subject: it is known by its first words, which the inbox shows under the case's title.)
    rows = Contact.objects.values_list("case__subject", "messages__text", "queue__code")
    queues = {subject or text: code for subject, text, code in rows}
    assert queues == {
        "Formulier: kaart niet ontvangen": "webformulier",
        "Ingebed: verkeerd adres": "webformulier",
        "Chat: kan ik mijn ontwerp nog aanpassen?": "chat",
        "Bericht achtergelaten in de chat": "webformulier",  # left in the chat outside hours, titled so
        "Mail: factuur kwijt": "email",
        "API: bestelling annuleren": "email",
    }
    assert not Contact.objects.exclude(fallback_reason="").exists()
    chat_contact = Contact.objects.get(queue__code="chat")
    assert chat_contact.channel == Channel.CHAT

    # And each appears in the inbox.
    make_user("lotte", Role.TEAM_LEAD, Team.objects.order_by("name").first())
    inbox = login(browser, server_url, "lotte")
    rows = inbox.locator("#inbox")
    for subject in queues:
        expect(rows).to_contain_text(subject[:60])


def test_a_widget_naming_a_queue_that_does_not_exist_still_takes_the_message(
    server_url, browser, customer_site, demo_organisation
):
    """A snippet with a mistyped queue (the README once said chat-general) chats on the fallback queue; the admin
    is told."""
    from playwright.sync_api import expect

    set_agent_state(agent=demo_organisation, state=AgentState.AVAILABLE)
    page = _page(browser)
    page.goto(f"{customer_site}/chat-typo")
    page.locator(".launcher").click()
    expect(page.locator(".status")).to_have_text("Een medewerker helpt je zo.")
    page.fill("#cp-text", "Is hier iemand?")
    page.keyboard.press("Enter")
    expect(page.locator(".msg.visitor .meta")).to_have_text("Jij · verstuurd", timeout=FIRST_CONTACT_MS)
    page.context.close()

    contact = Contact.objects.select_related("queue").get()
    assert (contact.queue.is_fallback, contact.fallback_reason, contact.asked_queue) == (
        True,
        "unknown_queue",
        "chat-general",
    )
    User.objects.create_superuser("beheer", password="pw-beheer")
    admin_page = login(browser, server_url, "beheer", next_url="/admin/")
    expect(admin_page.locator("#fallback-notice")).to_contain_text("chat-general")
    expect(admin_page.locator("#fallback-notice")).to_contain_text("de gevraagde wachtrij bestaat niet")

    # Agents see it in the inbox, flagged.
    make_user("lotte", Role.TEAM_LEAD, Team.objects.order_by("name").first())
    inbox = login(browser, server_url, "lotte")
    row = inbox.locator("#inbox tr", has_text="Is hier iemand?")
    expect(row.locator(".badge.fallback")).to_have_text("Terugvalwachtrij")
