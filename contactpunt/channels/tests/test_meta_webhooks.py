"""Meta webhooks: the handshake, the signature, raw storage, and the documented payload formats.

The payloads follow Meta's documented examples:
- WhatsApp: https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages
  (text; image with caption, mime_type, sha256, id; interactive button_reply / list_reply with context; location;
  contacts; statuses) and .../webhooks/reference/messages/interactive.
- Instagram: https://developers.facebook.com/docs/instagram-platform/webhooks/examples/ (comments: field
  "comments", value id, from {id, username}, text, media {id, media_product_type}; messaging).
- Messenger: https://developers.facebook.com/docs/messenger-platform/webhooks (entry[].messaging[] with sender,
  recipient, timestamp in ms, message {mid, text, attachments}; delivery {mids, watermark}).
- Page feed: https://developers.facebook.com/docs/graph-api/webhooks/reference/page/#feed (item "comment",
  verb "add", comment_id, post_id, from, message, created_time).
"""

# ruff: noqa: E501  (the documented payloads stay one object per line, as on the pages they come from)

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any

import pytest
from django.test import Client

from contactpunt.channels.meta.intake import process_delivery, retry_failed_webhooks, signature_is_valid
from contactpunt.channels.meta.models import MetaAccount, MetaApp, Platform, WebhookDelivery, WebhookState
from contactpunt.contacts.models import Attachment, Channel, Contact, Queue

APP_SECRET = "s3cret-app"
PHONE_ID = "106540352242922"
WABA_ID = "102290129340398"
PAGE_ID = "1234567890"
IG_ID = "17841400000000000"
WA_TS = 1749416383  # 2025-06-08T20:59:43Z, from the documented example


@pytest.fixture
def social_queue(department: Any) -> Queue:
    return Queue.objects.create(code="social", name="Webcare", channel=Channel.SOCIAL, department=department)


@pytest.fixture
def whatsapp_queue(department: Any) -> Queue:
    return Queue.objects.create(code="whatsapp", name="WhatsApp", channel=Channel.WHATSAPP, department=department)


@pytest.fixture
def meta_app(db: None) -> MetaApp:
    return MetaApp.objects.create(name="Shop", app_id="987654321", app_secret=APP_SECRET, verify_token="v-token")


@pytest.fixture
def accounts(meta_app: MetaApp, social_queue: Queue, whatsapp_queue: Queue) -> dict[str, MetaAccount]:
    return {
        "whatsapp": MetaAccount.objects.create(
            app=meta_app, platform=Platform.WHATSAPP, name="WA", account_id=PHONE_ID, queue=whatsapp_queue,
            business_account_id=WABA_ID, access_token="wa-token",
        ),
        "facebook": MetaAccount.objects.create(
            app=meta_app, platform=Platform.FACEBOOK, name="FB", account_id=PAGE_ID, queue=social_queue,
            access_token="page-token",
        ),
        "instagram": MetaAccount.objects.create(
            app=meta_app, platform=Platform.INSTAGRAM, name="IG", account_id=IG_ID, queue=social_queue,
            access_token="ig-token",
        ),
    }  # fmt: skip


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(client: Client, app: MetaApp, payload: Any, *, signature: str | None = "auto") -> Any:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {} if signature is None else {"X-Hub-Signature-256": sign(body) if signature == "auto" else signature}
    return client.post(f"/channels/meta/webhook/{app.app_id}/", body, content_type="application/json", headers=headers)


def whatsapp(messages: list[dict[str, Any]] = (), statuses: list[dict[str, Any]] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_ID},
    }
    if messages:
        value["contacts"] = [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return {"object": "whatsapp_business_account", "entry": [{"id": WABA_ID, "changes": [{"value": value, "field": "messages"}]}]}  # fmt: skip


def wa_text(mid: str, body: str = "Does it come in another color?", ts: int = WA_TS) -> dict[str, Any]:
    return {"from": "16505551234", "id": mid, "timestamp": str(ts), "type": "text", "text": {"body": body}}


# -- handshake and signature --------------------------------------------------------------------------


def test_the_handshake_answers_the_challenge_only_with_the_right_token(client: Client, meta_app: MetaApp) -> None:
    url = f"/channels/meta/webhook/{meta_app.app_id}/"
    ok = client.get(url, {"hub.mode": "subscribe", "hub.verify_token": "v-token", "hub.challenge": "1158201444"})
    assert (ok.status_code, ok.content) == (200, b"1158201444")
    wrong = client.get(url, {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"})
    assert wrong.status_code == 403
    assert client.get("/channels/meta/webhook/unknown-app/", {"hub.mode": "subscribe"}).status_code == 404


def test_a_missing_or_forged_signature_is_refused_logged_and_nothing_stored(
    client: Client, accounts: dict[str, MetaAccount], caplog: pytest.LogCaptureFixture
) -> None:
    app = accounts["whatsapp"].app
    payload = whatsapp([wa_text("wamid.forged")])
    assert post(client, app, payload, signature=None).status_code == 403
    assert post(client, app, payload, signature=sign(json.dumps(payload).encode(), "other")).status_code == 403
    assert post(client, app, payload, signature="sha1=abc").status_code == 403
    assert "X-Hub-Signature-256" in caplog.text
    assert not WebhookDelivery.objects.exists()
    assert not Contact.objects.exists()


def test_the_signature_is_over_the_raw_bytes() -> None:
    body = b'{"a": "\\u00e9"}'
    assert signature_is_valid(app_secret="k", body=body, header=sign(body, "k"))
    assert not signature_is_valid(
        app_secret="k", body=json.dumps(json.loads(body)).encode() + b" ", header=sign(body, "k")
    )
    assert not signature_is_valid(app_secret="", body=body, header=sign(body, ""))


def test_malformed_json_is_a_400_logged_and_kept(
    client: Client, meta_app: MetaApp, caplog: pytest.LogCaptureFixture
) -> None:
    response = post(client, meta_app, b'{"object": "page", "entry": [')
    assert response.status_code == 400
    [kept] = WebhookDelivery.objects.all()
    assert (kept.state, bytes(kept.body)) == (WebhookState.REJECTED, b'{"object": "page", "entry": [')
    assert kept.error.startswith("JSONDecodeError")
    assert "rejected" in caplog.text


# -- WhatsApp ---------------------------------------------------------------------------------------


def test_a_whatsapp_text_becomes_a_contact_and_a_retry_changes_nothing(
    client: Client, accounts: dict[str, MetaAccount]
) -> None:
    app = accounts["whatsapp"].app
    payload = whatsapp([wa_text("wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=")])
    assert post(client, app, payload).status_code == 200
    assert post(client, app, payload).status_code == 200  # Meta retries until it gets a 200
    [contact] = Contact.objects.all()
    assert (contact.channel, contact.source, contact.is_public) == (Channel.WHATSAPP, f"whatsapp:{PHONE_ID}", False)
    assert contact.external_id.startswith("wamid.HBgL")
    assert contact.occurred_at == dt.datetime.fromtimestamp(WA_TS, tz=dt.UTC)
    assert contact.sender == "+16505551234"
    assert contact.customer is not None and contact.customer.display_name == "Sheena Nelson"
    assert contact.messages.get().text == "Does it come in another color?"
    assert json.loads(bytes(contact.messages.get().raw))["id"] == contact.external_id
    assert [d.summary for d in WebhookDelivery.objects.order_by("id")] == [
        {"created": 1, "duplicates": 0, "statuses": 0, "skipped": 0},
        {"created": 0, "duplicates": 1, "statuses": 0, "skipped": 0},
    ]
    # A later message of the same customer on the same number joins the case.
    post(client, app, whatsapp([wa_text("wamid.second", "And in blue?", WA_TS + 60)]))
    assert Contact.objects.values("case").distinct().count() == 1


def test_whatsapp_media_interactive_location_and_contacts(client: Client, accounts: dict[str, MetaAccount]) -> None:
    base = {"from": "16505551234", "timestamp": str(WA_TS)}
    messages = [
        {**base, "id": "wamid.img", "type": "image", "image": {"caption": "This is a caption", "mime_type": "image/jpeg",
         "sha256": "81d3bd8a8db4868c9520ed47186e8b7c5789e61ff79f7f834be6950b808a90d3", "id": "2754859441498128"}},
        {**base, "id": "wamid.doc", "type": "document", "document": {"filename": "factuur.pdf", "mime_type": "application/pdf", "id": "555"}},
        {**base, "id": "wamid.btn", "type": "interactive", "context": {"from": "15550783881", "id": "wamid.ctx"},
         "interactive": {"type": "button_reply", "button_reply": {"id": "cancel-button", "title": "Cancel"}}},
        {**base, "id": "wamid.list", "type": "interactive",
         "interactive": {"type": "list_reply", "list_reply": {"id": "priority_express", "title": "Priority Mail Express", "description": "Next Day to 2 Days"}}},
        {**base, "id": "wamid.loc", "type": "location", "location": {"latitude": 52.37, "longitude": 4.89, "name": "Dam", "address": "Dam 1, Amsterdam"}},
        {**base, "id": "wamid.card", "type": "contacts", "contacts": [{"name": {"formatted_name": "Jan Jansen"}, "phones": [{"phone": "+31612345678"}]}]},
        {**base, "id": "wamid.reaction", "type": "reaction", "reaction": {"message_id": "wamid.img", "emoji": "👍"}},
    ]  # fmt: skip
    post(client, accounts["whatsapp"].app, whatsapp(messages))
    texts = dict(Contact.objects.values_list("external_id", "messages__text"))
    assert texts == {
        "wamid.img": "This is a caption\n[image: 2754859441498128]",
        "wamid.doc": "[document: factuur.pdf]",
        "wamid.btn": "Cancel",
        "wamid.list": "Priority Mail Express — Next Day to 2 Days",
        "wamid.loc": "Dam, Dam 1, Amsterdam (52.37, 4.89)",
        "wamid.card": "Jan Jansen +31612345678",
    }
    image = Attachment.objects.get(message__contact__external_id="wamid.img")
    assert (image.filename, image.content_type) == ("image-2754859441498128", "image/jpeg")
    assert json.loads(image.file.read())["media_id"] == "2754859441498128"
    assert WebhookDelivery.objects.get().summary["skipped"] == 1  # the reaction


# -- Messenger, Instagram and comments ------------------------------------------------------------------


def test_messenger_and_instagram_messages_are_private_social_contacts(
    client: Client, accounts: dict[str, MetaAccount]
) -> None:
    app = accounts["facebook"].app
    messenger = {"object": "page", "entry": [{"id": PAGE_ID, "time": 1458692752478, "messaging": [
        {"sender": {"id": "USER_PSID"}, "recipient": {"id": PAGE_ID}, "timestamp": 1458692752478,
         "message": {"mid": "m_mid.1457764197618:41d102a3e1ae206a38", "text": "hello, world!",
                     "attachments": [{"type": "image", "payload": {"url": "https://cdn.example/img.jpg"}}]}},
        {"sender": {"id": PAGE_ID}, "recipient": {"id": "USER_PSID"}, "timestamp": 1458692752479,
         "message": {"mid": "m_echo", "is_echo": True, "text": "our own reply"}},
    ]}]}  # fmt: skip
    instagram = {"object": "instagram", "entry": [{"id": IG_ID, "time": 1569262486134, "messaging": [
        {"sender": {"id": "IGSID"}, "recipient": {"id": IG_ID}, "timestamp": 1569262485349,
         "message": {"mid": "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3", "text": "Is mijn bestelling al verstuurd?"}},
    ]}]}  # fmt: skip
    post(client, app, messenger)
    post(client, app, instagram)
    rows = list(
        Contact.objects.order_by("id").values_list("channel", "source", "sender", "is_public", "messages__text")
    )
    assert rows == [
        (
            Channel.SOCIAL,
            f"facebook:{PAGE_ID}",
            "USER_PSID",
            False,
            "hello, world!\n[image: https://cdn.example/img.jpg]",
        ),
        (Channel.SOCIAL, f"instagram:{IG_ID}", "IGSID", False, "Is mijn bestelling al verstuurd?"),
    ]
    assert Contact.objects.get(source=f"facebook:{PAGE_ID}").occurred_at == dt.datetime(
        2016, 3, 23, 0, 25, 52, 478000, tzinfo=dt.UTC
    )


def test_page_and_instagram_comments_are_public_webcare(client: Client, accounts: dict[str, MetaAccount]) -> None:
    app = accounts["facebook"].app
    feed = {"object": "page", "entry": [{"id": PAGE_ID, "time": 1700000000, "changes": [{"field": "feed", "value": {
        "from": {"id": "4471", "name": "Sanne de Vries"}, "item": "comment", "verb": "add", "post_id": f"{PAGE_ID}_99",
        "comment_id": "99_1001", "parent_id": f"{PAGE_ID}_99", "message": "Al een week geen kaart!", "created_time": 1700000000}},
        {"field": "feed", "value": {"from": {"id": PAGE_ID, "name": "Shop"}, "item": "comment", "verb": "add",
         "post_id": f"{PAGE_ID}_99", "comment_id": "99_1002", "message": "Sorry!", "created_time": 1700000100}},
        {"field": "feed", "value": {"item": "reaction", "verb": "add", "post_id": f"{PAGE_ID}_99", "reaction_type": "like"}},
    ]}]}  # fmt: skip
    ig_comment = {"object": "instagram", "entry": [{"id": IG_ID, "time": 1700000500, "changes": [{"field": "comments", "value": {
        "id": "17865799348089039", "from": {"id": "1790", "username": "sanne.dv"}, "text": "Waar blijft mijn pakket?",
        "media": {"id": "123123123", "media_product_type": "FEED"}}}]}]}  # fmt: skip
    post(client, app, feed)
    post(client, app, ig_comment)
    rows = list(Contact.objects.order_by("id").values_list("external_id", "is_public", "sender", "messages__text"))
    assert rows == [
        ("99_1001", True, "4471", "Al een week geen kaart!"),
        ("17865799348089039", True, "1790", "Waar blijft mijn pakket?"),
    ]
    assert WebhookDelivery.objects.order_by("id").first().summary["skipped"] == 2  # own comment, a reaction


# -- failures ---------------------------------------------------------------------------------------


def test_a_processing_failure_keeps_the_body_and_the_retry_takes_it_in(
    client: Client, accounts: dict[str, MetaAccount], monkeypatch: pytest.MonkeyPatch
) -> None:
    from contactpunt.channels.meta import intake

    def broken(contacts: Any) -> Any:
        raise RuntimeError("database went away")

    monkeypatch.setattr(intake, "receive_contacts", broken)
    assert post(client, accounts["whatsapp"].app, whatsapp([wa_text("wamid.kept")])).status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.error) == (
        WebhookState.FAILED, 1, "RuntimeError: database went away"
    )  # fmt: skip
    assert not Contact.objects.exists()
    monkeypatch.undo()
    assert retry_failed_webhooks(now=delivery.next_retry_at) == [delivery.pk]
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (WebhookState.PROCESSED, 2)
    assert Contact.objects.get().external_id == "wamid.kept"


def test_a_message_for_an_unknown_account_is_kept_as_failed_with_the_reason(
    client: Client, accounts: dict[str, MetaAccount]
) -> None:
    payload = whatsapp([wa_text("wamid.x")])
    payload["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999"
    post(client, accounts["whatsapp"].app, payload)
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookState.FAILED and delivery.next_retry_at is None
    assert "no active account 999" in delivery.error
    # Once the account exists, processing it again takes the message in.
    accounts["whatsapp"].account_id = "999"
    accounts["whatsapp"].save()
    process_delivery(delivery)
    assert Contact.objects.get().external_id == "wamid.x"


def test_json_that_is_not_a_notification_is_kept_as_failed(client: Client, meta_app: MetaApp) -> None:
    assert post(client, meta_app, {"hello": "world"}).status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.error) == (
        WebhookState.FAILED,
        "PayloadError: not a Meta notification: no entry list",
    )
