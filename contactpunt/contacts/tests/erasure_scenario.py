"""One customer through every channel, then erased: run as a script against a real SQLite file (DATABASE_URL), so
that the test (test_erasure_leaves_no_trace) can search the database file itself afterwards.

    python -m contactpunt.contacts.tests.erasure_scenario SNAPSHOT_DIR

It migrates, builds the organisation and lets the customer in through the API, an e-mail (intake service), the
web form, the chat, a WhatsApp webhook, an agent's reply (left queued in the outbox), an internal note and a
customer note; copies the database file and its write-ahead log (SNAPSHOT_DIR/before); erases the customer
through the API; copies them again (SNAPSHOT_DIR/after) while its connection is still open, as a running product's
would be; and prints JSON with the customer's id and the outbox states. The "before" copy lets the test prove its
search finds the data.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

NAME = "Xandrijn Quelleboom"
EMAIL = "xandrijn.quelleboom@voorbeeldpost.nl"
PHONE = "+31687654329"
WA_ID = "31687654329"
PHRASE = "paarse zeilboot met gouden wielen"
#: What must not be found anywhere after the erasure (the phone number without its prefix matches every format).
NEEDLES = ["Xandrijn", "Quelleboom", "quelleboom@voorbeeldpost", "687654329", "zeilboot met gouden"]

APP_SECRET = "erasure-app-secret"
PHONE_ID = "106540352242922"


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactpunt.config.settings_test")
    import django

    django.setup()


def fill() -> dict[str, Any]:
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from contactpunt.api.models import Integration
    from contactpunt.channels.email.intake import receive_mail
    from contactpunt.channels.meta.models import MetaAccount, MetaApp, Platform
    from contactpunt.channels.webchat.services import post_message
    from contactpunt.channels.webform.services import WrittenContact, submit_written
    from contactpunt.contacts.models import Case, Channel, Contact, Queue
    from contactpunt.contacts.services.case_actions import add_internal_note
    from contactpunt.contacts.services.customers import merge_customers
    from contactpunt.contacts.services.replies import reply
    from contactpunt.customers.models import Customer
    from contactpunt.customers.services import add_note
    from contactpunt.people.models import Department, Role, User

    call_command("migrate", verbosity=0)
    department = Department.objects.create(name="Klantenservice", cost_per_hour=35)
    queues = {
        code: Queue.objects.create(code=code, name=code, channel=channel, department=department)
        for code, channel in [
            ("email", Channel.EMAIL),
            ("webformulier", Channel.WEBFORM),
            ("chat", Channel.CHAT),
            ("whatsapp", Channel.WHATSAPP),
        ]
    }
    manager = User.objects.create_user(username="manager", password="pw", role=Role.MANAGER)
    agent = User.objects.create_user(username="agent", password="pw", role=Role.AGENT)
    now = timezone.now()

    # 1. The API.
    integration = Integration(name="Webshop", source="webshop")
    token = integration.set_new_token()
    integration.save()
    client = Client(HTTP_HOST="localhost")
    body = {
        "external_id": "order-question-1",
        "queue": "email",
        "channel": "email",
        "occurred_at": now.isoformat(),
        "customer_name": NAME,
        "identities": [{"kind": "email", "value": EMAIL}, {"kind": "phone", "value": PHONE}],
        "subject": f"Bestelling van {NAME}",
        "text": f"Ik bestelde een {PHRASE}. Bel me op {PHONE}.",
        "attachments": [
            {"filename": "foto.txt", "content_type": "text/plain", "content_base64": _b64(f"{NAME} {PHRASE}")}
        ],
    }
    response = client.post(
        "/api/v1/contacts", json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 201, response.content
    customer_id = response.json()["customer_id"]

    # 2. An e-mail through the intake service (kept raw in the received mail).
    raw = (
        f"From: {NAME} <{EMAIL}>\r\nTo: service@winkel.nl\r\nSubject: Waar blijft mijn {PHRASE}?\r\n"
        f"Message-ID: <vraag-1@winkel-test.nl>\r\nDate: Sun, 06 Dec 2026 09:00:00 +0100\r\n\r\n"
        f"Beste,\r\n\r\nMijn {PHRASE} is nog niet binnen.\r\nGroet, {NAME}\r\nTelefoon {PHONE}\r\n"
    ).encode()
    result = receive_mail(raw=raw, queue=queues["email"], source="email:service@winkel.nl")
    assert result.contact_id is not None, result

    # 3. The web form.
    written = WrittenContact(
        key="form-1", name=NAME, email=EMAIL, subject="Formulier", text=f"Nog steeds geen {PHRASE}. {PHONE}"
    )
    submit_written(written=written, queue=queues["webformulier"], source="webform", at=now)

    # 4. The chat (an anonymous visitor until an agent recognises them and merges).
    posted = post_message(queue=queues["chat"], conversation=None, client_id="m1", text=f"Hallo, {NAME} hier: {PHRASE}")
    chat_case = Case.objects.get(pk=posted.conversation.case_id)

    # 5. A WhatsApp message through the signed webhook.
    app = MetaApp.objects.create(name="Shop", app_id="987654321", app_secret=APP_SECRET, verify_token="v")
    MetaAccount.objects.create(
        app=app, platform=Platform.WHATSAPP, name="WA", account_id=PHONE_ID, queue=queues["whatsapp"]
    )
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_ID},
                            "contacts": [{"profile": {"name": NAME}, "wa_id": WA_ID}],
                            "messages": [
                                {
                                    "from": WA_ID,
                                    "id": "wamid.erasure-1",
                                    "timestamp": str(int(now.timestamp())),
                                    "type": "text",
                                    "text": {"body": f"Via WhatsApp: mijn {PHRASE}?"},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    wa_body = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), wa_body, hashlib.sha256).hexdigest()
    response = client.post(
        f"/channels/meta/webhook/{app.app_id}/",
        wa_body,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=signature,
    )
    assert response.status_code == 200, response.content

    # The agent recognises the chat visitor and the WhatsApp number as the same person: the customers are merged.
    customer = Customer.objects.get(pk=customer_id)
    others = set(
        Contact.objects.filter(case__in=[chat_case.pk, *_whatsapp_cases()]).values_list("customer_id", flat=True)
    )
    for other in others - {customer_id, None}:
        merge_customers(source=Customer.objects.get(pk=other), target=customer, by=manager)
    Case.objects.filter(pk=chat_case.pk, customer__isnull=True).update(customer=customer)

    # 6. An agent's reply through the outbox (left queued: no mail server here), 7. notes.
    case = Case.objects.filter(customer=customer, channel=Channel.EMAIL).order_by("pk").first()
    assert case is not None
    reply(case=case, by=agent, body=f"Beste {NAME}, uw {PHRASE} komt morgen. We bellen u op {PHONE}.")
    add_internal_note(case=case, author=agent, text=f"{NAME} belde ook over de {PHRASE}")
    add_note(customer=customer, author=agent, text=f"{NAME} wil teruggebeld worden op {PHONE}")

    # 8. A stay booked through the orders API, with a fellow traveller (a customer of their own, who stays).
    stay = {
        "external_id": "B-erasure-1",
        "kind": "stay",
        "ordered_at": now.isoformat(),
        "status": "booked",
        "customer": {"name": NAME, "identities": [{"kind": "email", "value": EMAIL}]},
        "guests": [{"name": "Medereiziger Een"}],
        "arrival": "2027-07-01",
        "departure": "2027-07-08",
    }
    response = client.post(
        "/api/v1/orders", json.dumps(stay), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 201 and response.json()["customer_id"] == customer_id, response.content
    return {"customer_id": customer_id, "token": token}


def _b64(text: str) -> str:
    import base64

    return base64.b64encode(text.encode()).decode()


def _whatsapp_cases() -> list[int]:
    from contactpunt.contacts.models import Case, Channel

    return list(Case.objects.filter(channel=Channel.WHATSAPP).values_list("pk", flat=True))


def export(customer_id: int, token: str) -> dict[str, Any]:
    """Export the customer through the API; return what the test checks of it."""
    from django.test import Client

    response = Client(HTTP_HOST="localhost").get(
        f"/api/v1/customers/{customer_id}/export", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200, response.content
    data = response.json()
    messages = [m for case in data["cases"] for c in case["contacts"] for m in c["messages"]]
    return {
        "sections": sorted(data),
        "channels": sorted({c["channel"] for case in data["cases"] for c in case["contacts"]}),
        "texts_with_phrase": sum(PHRASE in m["text"] for m in messages),
        "attachments": sum(len(m["attachments"]) for m in messages),
        "internal_notes": sum(m["internal"] for m in messages),
        "notes": len(data["notes"]),
        "outbound": len(data["channels"]["outbound_messages"]),
        "received_mail": len(data["channels"]["received_mail"]),
        "insights": len(data["insights"]),
        "stays": [o["order_id"] for o in data["journey"]["orders"]],
    }


def erase(customer_id: int, token: str) -> dict[str, Any]:
    from django.test import Client

    from contactpunt.channels.models import OutboundMessage

    client = Client(HTTP_HOST="localhost")
    response = client.post(
        f"/api/v1/customers/{customer_id}/erase",
        json.dumps({"reason": "verzoek van de klant (AVG art. 17)"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200, response.content
    from contactpunt.journey.models import Order, Participant

    return {
        "outbox": list(OutboundMessage.objects.values_list("state", flat=True)),
        "journey": [Order.objects.count(), Participant.objects.count()],  # the guest's own link went with the stay
    }


def snapshot(to: Path) -> None:
    """Copy the database file and its write-ahead log as they are on disk now, while the product's connection is
    still open (closing the last connection would checkpoint and remove the log by itself)."""
    from django.db import connection

    database = Path(connection.settings_dict["NAME"])
    to.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal"):
        source = Path(f"{database}{suffix}")
        if source.exists():
            shutil.copyfile(source, to / f"{database.name}{suffix}")


def main(argv: list[str]) -> None:
    """`fill DIR` then `erase DIR` in one process, as a running product would: snapshots of the files in DIR/before
    and DIR/after."""
    _setup()
    from django.db import connection

    folder = Path(argv[1])
    state = fill()
    state["export"] = export(state["customer_id"], state["token"])
    snapshot(folder / "before")
    out = erase(state["customer_id"], state["token"])
    snapshot(folder / "after")
    connection.close()
    print(json.dumps({**state, **out}))


if __name__ == "__main__":
    main(sys.argv)
