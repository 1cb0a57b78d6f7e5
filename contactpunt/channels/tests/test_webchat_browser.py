"""The chat widget and the web form in headless Chromium, against the live ASGI server (uvicorn, websockets included).

The widget is loaded by one script tag on a host page served from another origin (a tiny http.server on
`localhost`, while the product runs on `127.0.0.1`), with hostile CSS of its own. A visitor chats, an agent answers
in the workspace, and the answer appears in the widget live; with no agent the widget takes a written message
(a contact of the widget's visitor, with the articles suggested attached);
over the rate the visitor is told and keeps the text; while the visitor types, help articles are suggested. Skips
(saying why) when Chromium is missing, fails on CI.

With CONTACTPUNT_SCREENSHOTS=<folder> set, the tests also save screenshots of the widget and the form there.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import override_settings

from contactpunt.conftest import make_user
from contactpunt.contacts.models import AgentState, Case, Channel, Contact, Message, Queue
from contactpunt.contacts.services.assignment import set_agent_state
from contactpunt.knowledge.importing import load_published
from contactpunt.knowledge.models import Article, PortalContact, UsageEvent, UsageKind
from contactpunt.people.models import Department, Role, Skill, Team, User
from contactpunt.web.tests.browser import TIMEOUT_MS, screenshot
from contactpunt.web.tests.test_workspace_browser import _login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

#: The first contact of a test run waits for the insights analysis (the immediate task backend runs it in the request,
#: loading the language model once).
FIRST_CONTACT_MS = 60_000

HOST_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>Kaartenwinkel</title>
<style>
  * {{ font-family: Georgia, serif !important; color: #7a0000; }}
  button {{ background: hotpink; border: 5px dashed lime; }}
  textarea, input {{ width: 12px; }}
  body {{ margin: 0; padding: 2rem 3rem; background: #fbf7ef; }}
  h1 {{ font-size: 2.4rem; }}
</style></head>
<body>
  <h1>Kaartenwinkel</h1>
  <p>Wenskaarten voor Valentijnsdag, Moederdag en kerst.</p>
  <script src="{product}/channels/chat/widget.js" data-queue="chat-general" async></script>
</body></html>"""


@pytest.fixture
def host_page(server_url: str) -> Iterator[Any]:
    """A customer's page on another origin, with one script tag for the widget."""

    def serve(lang: str = "nl") -> str:
        return f"http://localhost:{port}/?lang={lang}"

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            lang = "en" if "lang=en" in self.path else "nl"
            body = HOST_PAGE.format(lang=lang, product=server_url).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("localhost", 0), Handler)
    port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield serve
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def chat_queue(department: Department) -> Queue:
    queue = Queue.objects.create(code="chat-general", name="Chat", channel=Channel.CHAT, department=department)
    queue.skills.add(Skill.objects.create(code="chat", name="Chat"))
    Queue.objects.create(code="webform-general", name="Webformulier", channel=Channel.WEBFORM, department=department)
    return queue


def chat_agent(team: Team) -> User:
    agent = make_user("anna", Role.AGENT, team)
    agent.skills.add(Skill.objects.get(code="chat"))
    return agent


def _visitor(browser: Any, url: str) -> Any:
    page = browser.new_context(viewport={"width": 1100, "height": 760}, locale="nl-NL").new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    return page


def test_a_visitor_chats_from_another_site_and_the_agents_reply_appears_live(
    server_url, browser, host_page, team, chat_queue
):
    from playwright.sync_api import expect

    # The agent is available; the workspace opens once the visitor wrote (an in-memory SQLite test database
    # locks whole tables, so the test keeps the two browsers from writing at the same moment).
    set_agent_state(agent=chat_agent(team), state=AgentState.AVAILABLE)

    page = _visitor(browser, host_page("nl"))
    launcher = page.locator(".launcher")
    expect(launcher).to_have_text("Chat met ons")
    # The host page's CSS does not reach into the widget's shadow root.
    assert launcher.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(21, 101, 192)"
    launcher.click()
    expect(page.locator(".status")).to_have_text("Een medewerker helpt je zo.")
    expect(page.locator("#cp-text")).to_be_focused()
    page.fill("#cp-text", "Hallo! Mijn kaart is nog niet bezorgd. <b>bestelling</b> 1234")
    page.keyboard.press("Enter")
    expect(page.locator(".msg.visitor .meta")).to_have_text("Jij · verstuurd", timeout=FIRST_CONTACT_MS)
    expect(page.locator(".msg.visitor")).to_contain_text("<b>bestelling</b> 1234")  # text, not markup
    assert page.locator(".msg.visitor b").count() == 0

    agent_page = _login(browser, server_url, "anna")
    agent_page.keyboard.press("n")  # take next: the chat
    case = Case.objects.get()
    agent_page.wait_for_url(re.compile(rf"/workspace/cases/{case.pk}/$"))
    expect(agent_page.locator("body")).to_contain_text("<b>bestelling</b> 1234")
    agent_page.fill("#reply-body", "Wat vervelend! Ik zoek het direct voor je uit.")
    agent_page.click("#reply-form button[type=submit]")

    expect(page.locator(".msg.agent")).to_contain_text("Wat vervelend! Ik zoek het direct voor je uit.")
    agent_page.context.close()
    page.fill("#cp-text", "Dank je!")
    page.keyboard.press("Enter")
    expect(page.locator(".msg.visitor .meta").nth(1)).to_have_text("Jij · verstuurd")
    screenshot(page, full_page=False, name="webchat-widget.png")

    # Coming back later (the token is in the browser's storage): the whole conversation is there.
    page.reload()
    expect(page.locator(".msg")).to_have_count(3)
    expect(page.locator(".msg").nth(1)).to_contain_text("Wat vervelend!")
    assert list(Message.objects.filter(case=case).order_by("id").values_list("direction", "text")) == [
        ("inbound", "Hallo! Mijn kaart is nog niet bezorgd. <b>bestelling</b> 1234"),
        ("outbound", "Wat vervelend! Ik zoek het direct voor je uit."),
        ("inbound", "Dank je!"),
    ]


@override_settings(KNOWLEDGE_HOLDOUT_PERCENT=0)
def test_with_no_agent_the_widget_takes_a_written_message_and_keeps_what_was_typed(
    server_url, browser, host_page, team, chat_queue
):
    from playwright.sync_api import expect

    body = "Follow your order with the link in the email."
    load_published([{"article_id": "kb-en-1", "title": "Where is my order?", "body": body, "language": "en"}])
    chat_agent(team)  # not available
    page = _visitor(browser, host_page("en"))
    page.locator(".launcher").click()
    expect(page.locator(".status")).to_contain_text("No agent is available right now.")
    expect(page.locator("form.written")).to_be_visible()
    page.fill("#cp-name", "Sam Jansen")
    page.fill("#cp-email", "not-an-address")
    page.fill("#cp-message", "Where is my order 1234?")
    # While the visitor writes the message, the widget suggests the help article too.
    expect(page.locator(".suggest a")).to_have_text(["Where is my order?"])
    page.click("form.written .leave")
    expect(page.locator("#cp-email-error")).to_have_text("Enter a valid email address.")
    expect(page.locator("#cp-email")).to_have_attribute("aria-invalid", "true")
    screenshot(page, full_page=False, name="webchat-written.png")
    page.fill("#cp-email", "sam@example.com")
    page.click("form.written .leave")
    expect(page.locator(".status")).to_contain_text(
        "We will answer by email at sam@example.com.", timeout=FIRST_CONTACT_MS
    )
    case = Case.objects.get()
    expect(page.locator(".status")).to_contain_text(f"CP-{case.pk}")
    contact = Contact.objects.get()
    assert (contact.channel, contact.sender, Message.objects.get().text) == (
        Channel.WEBFORM,
        "sam@example.com",
        "Where is my order 1234?",
    )
    # The message left without chatting is a contact of the widget's visitor: it follows the suggestions shown
    # (the deflection figures) and carries the article suggested, for the agent.
    shown = UsageEvent.objects.filter(kind=UsageKind.SUGGESTED).order_by("-id").first()
    assert shown is not None and shown.results == 1
    link = PortalContact.objects.get()
    assert (link.contact_id, link.visitor) == (contact.pk, shown.visitor)
    assert list(link.articles.values_list("external_id", flat=True)) == ["kb-en-1"]


@override_settings(WEBCHAT_RATE_PER_CONNECTION=(3, 60))
def test_over_the_rate_the_visitor_is_told_and_keeps_the_text(server_url, browser, host_page, team, chat_queue):
    from playwright.sync_api import expect

    agent = chat_agent(team)
    set_agent_state(agent=agent, state=AgentState.AVAILABLE)
    page = _visitor(browser, host_page("nl"))
    page.locator(".launcher").click()  # hello: the first frame
    expect(page.locator(".status")).to_have_text("Een medewerker helpt je zo.")
    for text in ("Eén", "Twee"):
        page.fill("#cp-text", text)
        page.keyboard.press("Enter")
    expect(page.locator(".msg.visitor .meta").nth(1)).to_have_text("Jij · verstuurd", timeout=FIRST_CONTACT_MS)
    page.fill("#cp-text", "Drie, te snel")
    page.keyboard.press("Enter")
    expect(page.locator(".notice")).to_contain_text("Je verstuurt berichten te snel.")
    expect(page.locator("#cp-text")).to_have_value("Drie, te snel")
    expect(page.locator(".msg")).to_have_count(2)
    assert list(Message.objects.order_by("id").values_list("text", flat=True)) == ["Eén", "Twee"]


def test_the_web_form_names_bad_fields_and_confirms_with_the_case_token(server_url, browser, chat_queue):
    from playwright.sync_api import expect

    page = browser.new_context(viewport={"width": 1100, "height": 1000}, locale="nl-NL").new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{server_url}/channels/form/")
    page.fill("#id_name", "Sanne de Vries")
    page.fill("#id_email", "sanne@")
    page.fill("#id_subject", "Kaart niet ontvangen")
    page.click("form button[type=submit]")
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator("#id_email_error")).to_be_visible()
    expect(page.locator("#id_message_error")).to_be_visible()
    expect(page.locator("#id_subject")).to_have_value("Kaart niet ontvangen")
    screenshot(page, full_page=False, name="webform-errors.png")
    page.fill("#id_email", "sanne@example.nl")
    page.fill("#id_message", "Ik heb op 10 februari een kaart besteld en die is nog niet bezorgd.")
    page.fill("#id_order_number", "A-1234")
    page.click("form button[type=submit]")
    case = Case.objects.get()
    expect(page.locator("#case-token")).to_have_text(f"[CP-{case.pk}]")
    screenshot(page, full_page=False, name="webform-sent.png")
    assert Contact.objects.filter(channel=Channel.WEBFORM).count() == 1


@override_settings(KNOWLEDGE_HOLDOUT_PERCENT=0)
def test_while_the_visitor_types_the_widget_suggests_help_articles(server_url, browser, host_page, team, chat_queue):
    from playwright.sync_api import expect

    load_published(
        [
            {"article_id": "kb-1", "title": "Kaart niet bezorgd", "body": "Een kaart is binnen twee werkdagen bezorgd.",
             "language": "nl"},
            {"article_id": "kb-2", "title": "Intern: bezorgklacht", "body": "Bel de vervoerder.", "language": "nl",
             "audience": "internal"},
        ]
    )  # fmt: skip
    set_agent_state(agent=chat_agent(team), state=AgentState.AVAILABLE)
    page = _visitor(browser, host_page("nl"))
    page.locator(".launcher").click()
    expect(page.locator(".status")).to_have_text("Een medewerker helpt je zo.")
    expect(page.locator(".suggest")).to_be_hidden()
    page.locator("#cp-text").press_sequentially("kaart niet bezorgd", delay=20)
    expect(page.locator(".suggest")).to_contain_text("Misschien helpt dit je meteen:")
    expect(page.locator(".suggest a")).to_have_text(["Kaart niet bezorgd"])  # the internal article is not suggested
    article = Article.objects.get(external_id="kb-1")
    assert page.locator(".suggest a").get_attribute("href") == f"{server_url}/help/a/{article.pk}/"
    screenshot(page, full_page=False, name="webchat-suggestions.png")
    page.keyboard.press("Enter")
    expect(page.locator(".msg.visitor .meta")).to_have_text("Jij · verstuurd", timeout=FIRST_CONTACT_MS)
    shown = UsageEvent.objects.filter(kind=UsageKind.SUGGESTED).order_by("-id").first()
    assert shown is not None and (shown.query, shown.results, shown.held_out) == ("kaart niet bezorgd", 1, False)
    # The chat that followed is counted as a contact of the same visitor (the deflection figures' follow-up).
    link = PortalContact.objects.get()
    assert link.visitor == shown.visitor and link.contact_id == Contact.objects.get().pk
