"""Replies on WhatsApp, Messenger, Instagram and comments, sent to a real local HTTP server playing the Graph API;
the 24-hour window; delivery statuses back through the webhook."""

# ruff: noqa: E501, F811  (payloads stay one object per line; the fixtures imported from test_meta_webhooks are
# parameters here)

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from contactpunt.channels.meta.models import (
    DeliveryStatus,
    DeliveryStatusName,
    MetaAccount,
    MetaSent,
    WhatsAppTemplate,
    WhatsAppTemplateSend,
)
from contactpunt.channels.meta.window import case_window
from contactpunt.channels.models import OutboundMessage, OutboundState
from contactpunt.channels.senders import send_due
from contactpunt.channels.tests.test_meta_webhooks import (  # noqa: F401 (fixtures)
    IG_ID,
    PAGE_ID,
    PHONE_ID,
    accounts,
    meta_app,
    post,
    social_queue,
    wa_text,
    whatsapp,
    whatsapp_queue,
)
from contactpunt.contacts.models import Case, Contact, ContactEvent, Direction, EventName
from contactpunt.contacts.services.replies import continue_in_private, reply
from contactpunt.people.models import User
from contactpunt.web.workspace.panels import timeline


class FakeGraph:
    """Records each request; answers with the next queued (status, body), else 200 with a fresh id."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], dict[str, Any]]] = []
        self.answers: list[tuple[int, dict[str, Any]]] = []
        graph = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                graph.requests.append((self.path, dict(self.headers), body))
                status, answer = graph.answers.pop(0) if graph.answers else (200, graph.default(self.path))
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def default(self, path: str) -> dict[str, Any]:
        n = len(self.requests)
        if path.endswith(f"{PHONE_ID}/messages"):
            return {"messaging_product": "whatsapp", "contacts": [{"input": "x", "wa_id": "x"}],
                    "messages": [{"id": f"wamid.out{n}"}]}  # fmt: skip
        if path.endswith("/messages"):
            return {"recipient_id": "x", "message_id": f"m_out{n}"}
        return {"id": f"comment_out{n}"}


@pytest.fixture
def graph(accounts: dict[str, MetaAccount]) -> Iterator[FakeGraph]:
    fake = FakeGraph()
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    app = accounts["whatsapp"].app
    app.graph_url = fake.url
    app.save()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def _case(external_id: str) -> Case:
    return Contact.objects.get(external_id=external_id).case


def _recent() -> int:
    return int(timezone.now().timestamp()) - 60


def test_a_whatsapp_reply_in_the_window_is_sent_and_replied_is_written_at_send_time(
    client: Client, accounts: dict[str, MetaAccount], graph: FakeGraph, agent: User
) -> None:
    post(client, accounts["whatsapp"].app, whatsapp([wa_text("wamid.in1", ts=_recent())]))
    case = _case("wamid.in1")
    window = case_window(case, now=timezone.now())
    assert window is not None and window.is_open
    done = reply(case=case, by=agent, body="Ja, ook in het blauw.")
    assert not ContactEvent.objects.filter(name=EventName.REPLIED).exists()
    assert send_due().sent == 1
    [(path, headers, body)] = graph.requests
    assert path == f"/v21.0/{PHONE_ID}/messages"
    assert headers["Authorization"] == "Bearer wa-token"
    assert body == {
        "messaging_product": "whatsapp",
        "to": "16505551234",
        "type": "text",
        "text": {"body": "Ja, ook in het blauw."},
    }
    row = OutboundMessage.objects.get(message_id=done.outbox_ref)
    assert row.state == OutboundState.SENT
    assert MetaSent.objects.get(outbound=row).platform_message_id == "wamid.out1"
    event = ContactEvent.objects.get(name=EventName.REPLIED)
    assert (event.contact.external_id, event.occurred_at, event.agent_id) == ("wamid.in1", row.sent_at, agent.pk)

    # Statuses come back through the webhook and are kept on the reply; a repeat changes nothing.
    statuses = [{"id": "wamid.out1", "status": s, "timestamp": str(_recent() + i), "recipient_id": "16505551234"}
                for i, s in enumerate(["sent", "delivered", "read"])]  # fmt: skip
    post(client, accounts["whatsapp"].app, whatsapp(statuses=statuses))
    post(client, accounts["whatsapp"].app, whatsapp(statuses=statuses))
    assert list(DeliveryStatus.objects.values_list("status", "contact_id")) == [
        ("sent", done.contact.pk), ("delivered", done.contact.pk), ("read", done.contact.pk),
    ]  # fmt: skip
    # The case's timeline shows the furthest status the platform reported.
    [item] = [i for i in timeline(case) if i.direction == Direction.OUTBOUND]
    assert (item.delivery, item.delivery_label) == (OutboundState.SENT, str(DeliveryStatusName.READ.label))


def test_outside_the_window_a_free_reply_fails_permanently_and_a_template_goes(
    client: Client, accounts: dict[str, MetaAccount], graph: FakeGraph, agent: User
) -> None:
    old = int((timezone.now() - dt.timedelta(hours=25)).timestamp())
    post(client, accounts["whatsapp"].app, whatsapp([wa_text("wamid.old", ts=old)]))
    case = _case("wamid.old")
    window = case_window(case, now=timezone.now())
    assert window is not None and not window.is_open
    done = reply(case=case, by=agent, body="Sorry voor de late reactie.")
    assert send_due().failed == 1
    row = OutboundMessage.objects.get(message_id=done.outbox_ref)
    assert row.state == OutboundState.FAILED
    assert "outside WhatsApp's 24-hour customer service window" in row.error
    assert graph.requests == []  # nothing reached the platform
    assert not ContactEvent.objects.filter(name=EventName.REPLIED).exists()

    template = WhatsAppTemplate.objects.create(
        account=accounts["whatsapp"], name="order_update", language="nl", text="Hallo {{1}}, je bestelling {{2}}."
    )
    case.refresh_from_db()
    Case.objects.filter(pk=case.pk).update(status="open")
    later = reply(case=case, by=agent, body=template.render(["Sheena", "is onderweg"]))
    WhatsAppTemplateSend.objects.create(
        outbound=OutboundMessage.objects.get(message_id=later.outbox_ref), template=template,
        values=["Sheena", "is onderweg"],
    )  # fmt: skip
    assert send_due().sent == 1
    [(_path, _headers, body)] = graph.requests
    assert body["type"] == "template"
    assert body["template"] == {
        "name": "order_update",
        "language": {"code": "nl"},
        "components": [
            {
                "type": "body",
                "parameters": [{"type": "text", "text": "Sheena"}, {"type": "text", "text": "is onderweg"}],
            }
        ],
    }


@pytest.mark.parametrize(
    ("status", "error", "state", "permanent_text"),
    [
        (500, {"message": "An unknown error occurred", "code": 1, "is_transient": True}, OutboundState.QUEUED, ""),
        (400, {"message": "(#4) Application request limit reached", "code": 4}, OutboundState.QUEUED, ""),
        (400, {"message": "Invalid OAuth access token.", "code": 190}, OutboundState.FAILED, "code 190"),
        (400, {"message": "Re-engagement message", "code": 131047}, OutboundState.FAILED, "24-hour window"),
    ],
)
def test_graph_errors_are_retried_or_permanent(  # noqa: PLR0917 (fixtures and parameters)
    client: Client, accounts: dict[str, MetaAccount], graph: FakeGraph, agent: User,
    status: int, error: dict[str, Any], state: str, permanent_text: str,
) -> None:  # fmt: skip
    post(client, accounts["whatsapp"].app, whatsapp([wa_text("wamid.e", ts=_recent())]))
    done = reply(case=_case("wamid.e"), by=agent, body="Hallo")
    graph.answers.append((status, {"error": {**error, "type": "OAuthException"}}))
    assert send_due().failed == 1
    row = OutboundMessage.objects.get(message_id=done.outbox_ref)
    assert (row.state, row.attempts) == (state, 1)
    assert f"Graph API {status}" in row.error and permanent_text in row.error


def test_messenger_instagram_and_comment_replies_go_to_the_right_edges(
    client: Client, accounts: dict[str, MetaAccount], graph: FakeGraph, agent: User
) -> None:
    app = accounts["facebook"].app
    now_ms = int(timezone.now().timestamp() * 1000)
    post(client, app, {"object": "page", "entry": [{"id": PAGE_ID, "time": now_ms, "messaging": [
        {"sender": {"id": "PSID1"}, "recipient": {"id": PAGE_ID}, "timestamp": now_ms, "message": {"mid": "m_1", "text": "Hoi"}}]}]})  # fmt: skip
    post(client, app, {"object": "page", "entry": [{"id": PAGE_ID, "time": now_ms // 1000, "changes": [{"field": "feed", "value": {
        "from": {"id": "4471", "name": "Sanne"}, "item": "comment", "verb": "add", "post_id": "p_1", "comment_id": "c_1",
        "message": "Slechte service!", "created_time": now_ms // 1000}}]}]})  # fmt: skip
    post(client, app, {"object": "instagram", "entry": [{"id": IG_ID, "time": now_ms // 1000, "changes": [{"field": "comments", "value": {
        "id": "ig_c_1", "from": {"id": "1790", "username": "sanne.dv"}, "text": "Waar blijft het?", "media": {"id": "m1"}}}]}]})  # fmt: skip
    reply(case=_case("m_1"), by=agent, body="Hoi! Waarmee kan ik helpen?")
    reply(case=_case("c_1"), by=agent, body="Vervelend, we zoeken het uit.")
    continue_in_private(case=_case("ig_c_1"), by=agent)
    reply(case=_case("ig_c_1"), by=agent, body="Wat is je ordernummer?")
    assert send_due().sent == 4
    paths = [(path, body) for path, _headers, body in graph.requests]
    assert paths == [
        (
            f"/v21.0/{PAGE_ID}/messages",
            {
                "recipient": {"id": "PSID1"},
                "messaging_type": "RESPONSE",
                "message": {"text": "Hoi! Waarmee kan ik helpen?"},
            },
        ),
        ("/v21.0/c_1/comments", {"message": "Vervelend, we zoeken het uit."}),
        ("/v21.0/ig_c_1/replies", {"message": paths[2][1]["message"]}),
        (
            f"/v21.0/{IG_ID}/messages",
            {"recipient": {"comment_id": "ig_c_1"}, "message": {"text": "Wat is je ordernummer?"}},
        ),
    ]
    # One per reply: the second reply on the Instagram case answers the comment again, as a reply always did.
    assert ContactEvent.objects.filter(name=EventName.REPLIED).count() == 4
    assert Contact.objects.filter(direction=Direction.OUTBOUND).count() == 4
