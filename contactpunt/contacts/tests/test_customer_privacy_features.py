"""Export and erasure as product features: the API, the command, the managers' page, the admin action, the
retention job, and what each app erases (received mail, the outbox, webhook bodies, insights)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from contactpunt.audit.models import AuditEntry
from contactpunt.channels.email.intake import receive_mail
from contactpunt.channels.meta.models import MetaApp, WebhookDelivery, WebhookState
from contactpunt.channels.models import InboundMail, OutboundMessage, OutboundState
from contactpunt.conftest import make_user
from contactpunt.contacts.models import Case, CaseThreadKey, Message
from contactpunt.contacts.services.inbound import receive_contact
from contactpunt.contacts.services.privacy import erase_customer
from contactpunt.contacts.services.types import IdentityInput, InboundContact, ThreadRef
from contactpunt.customers.models import Customer
from contactpunt.insights.models import Language, MessageInsight, Sentiment
from contactpunt.ops.retention import apply_retention
from contactpunt.people.models import Role

pytestmark = pytest.mark.django_db

RAW = (
    b"From: Jan Modaal <jan@example.nl>\r\nTo: service@winkel.nl\r\nSubject: Waar is mijn pakket\r\n"
    b"Message-ID: <p-1@example.nl>\r\nDate: Sun, 06 Dec 2026 09:00:00 +0100\r\n\r\nHet pakket is zoek. Jan Modaal\r\n"
)


@pytest.fixture
def customer(email_queue, t0) -> Customer:
    result = receive_mail(raw=RAW, queue=email_queue, source="email:service@winkel.nl", received_at=t0)
    assert result.contact_id is not None
    received = receive_contact(
        InboundContact(
            source="wa",
            queue="email-general",
            occurred_at=t0,
            external_id="wa-1",
            identities=(IdentityInput("email", "jan@example.nl"), IdentityInput("whatsapp", "+31611122233")),
            subject="Nog een vraag",
            text="Tweede bericht",
            thread=ThreadRef(conversation_id="whatsapp:31611122233"),
        )
    )
    return Customer.objects.get(pk=received.customer_id)


def _outbound(case: Case, state: str, t0: dt.datetime, n: int) -> OutboundMessage:
    return OutboundMessage.objects.create(
        case=case, to="jan@example.nl", subject="Re: pakket", body="Beste Jan Modaal", message_id=f"<o-{n}@x>",
        state=state, created_at=t0,
    )  # fmt: skip


def test_erasure_reaches_every_app_and_cancels_unsent_replies(customer, t0):
    case = Case.objects.filter(customer=customer).first()
    queued = _outbound(case, OutboundState.QUEUED, t0, 1)
    sent = _outbound(case, OutboundState.SENT, t0, 2)
    app = MetaApp.objects.create(name="Shop", app_id="1", app_secret="s", verify_token="v")
    webhook = WebhookDelivery.objects.create(app=app, body=b'{"wa_id": "31611122233", "name": "Jan"}')
    other = WebhookDelivery.objects.create(app=app, body=b'{"wa_id": "31699999999"}')
    message = Message.objects.filter(case__customer=customer).first()
    MessageInsight.objects.create(
        message=message, contact=message.contact, occurred_at=t0, language=Language.DUTCH,
        sentiment=Sentiment.NEGATIVE, sentiment_score=-0.5, sentiment_model_version="t",
    )  # fmt: skip
    assert CaseThreadKey.objects.filter(case__customer=customer).exists()

    erase_customer(customer=customer, by=None, reason="verzoek", actor_label="test")

    mail = InboundMail.objects.get()
    assert (bytes(mail.raw), mail.sender, mail.subject) == (b"", "", "")
    queued.refresh_from_db()
    sent.refresh_from_db()
    assert queued.state == OutboundState.CANCELLED and (queued.to, queued.body) == ("", "")
    assert sent.state == OutboundState.SENT and (sent.to, sent.body) == ("", "")
    webhook.refresh_from_db()
    other.refresh_from_db()
    assert bytes(webhook.body) == b"" and bytes(other.body) == b'{"wa_id": "31699999999"}'
    assert not MessageInsight.objects.exists()
    assert not CaseThreadKey.objects.filter(case__customer=customer).exists()


def test_the_api_exports_and_erases_with_a_reason_and_audits_both(client, token, customer):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    response = client.get(f"/api/v1/customers/{customer.pk}/export", **auth)
    assert response.status_code == 200
    data = response.json()
    assert {"customer", "identities", "notes", "cases", "channels", "insights"} <= set(data)
    assert data["channels"]["received_mail"][0]["sender"] == "jan@example.nl"
    texts = [m["text"] for case in data["cases"] for c in case["contacts"] for m in c["messages"]]
    assert "Tweede bericht" in texts

    url = f"/api/v1/customers/{customer.pk}/erase"
    missing = client.post(url, "{}", content_type="application/json", **auth)
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "reason"
    blank = client.post(url, json.dumps({"reason": "  "}), content_type="application/json", **auth)
    assert blank.status_code == 422
    body = json.dumps({"reason": "x"})
    unknown = client.post("/api/v1/customers/999999/erase", body, content_type="application/json", **auth)
    assert unknown.status_code == 404 and unknown.json()["errors"][0]["field"] == "customer_id"
    assert client.get("/api/v1/customers/999999/export", **auth).status_code == 404
    assert client.post(url, json.dumps({"reason": "x"}), content_type="application/json").status_code == 401

    done = client.post(url, json.dumps({"reason": "AVG-verzoek"}), content_type="application/json", **auth)
    assert done.status_code == 200 and done.json()["customer_id"] == customer.pk
    customer.refresh_from_db()
    assert customer.erased_at is not None and customer.display_name == ""
    entries = AuditEntry.objects.filter(object_id=str(customer.pk), object_type="customers.customer")
    assert entries.get(action="customer.erased").changes["reason"] == "AVG-verzoek"
    assert entries.get(action="customer.exported").actor_label == "API: Telefooncentrale"


def test_the_command_exports_and_erases_only_with_a_reason(customer, tmp_path):
    out = tmp_path / "export.json"
    call_command("customers", "export", str(customer.pk), "--out", str(out), stderr=io.StringIO())
    assert json.loads(out.read_text())["customer"]["id"] == customer.pk
    with pytest.raises(CommandError):
        call_command("customers", "erase", str(customer.pk), "--reason", " ")
    with pytest.raises(CommandError):
        call_command("customers", "export", "999999")
    stdout = io.StringIO()
    call_command("customers", "erase", str(customer.pk), "--reason", "verzoek per brief", stdout=stdout)
    assert "erased" in stdout.getvalue()
    assert AuditEntry.objects.get(action="customer.erased").changes["reason"] == "verzoek per brief"
    assert not InboundMail.objects.exclude(raw=b"").exists()


def test_the_page_is_for_managers_and_erases_only_when_confirmed_with_a_reason(client, team, customer):
    agent = make_user("agent", Role.AGENT, team)
    lead = make_user("lead", Role.TEAM_LEAD, team)
    manager = make_user("manager", Role.MANAGER, team)
    for user in (agent, lead):
        client.force_login(user)
        assert client.get("/customer-data/").status_code == 403
        assert (
            client.post(
                f"/customer-data/{customer.pk}/erase/", {"erase-reason": "x", "erase-confirm": "on"}
            ).status_code
            == 403
        )
    client.force_login(manager)
    found = client.get("/customer-data/", {"q": "jan@example"})
    assert found.status_code == 200 and f'data-customer="{customer.pk}"' in found.content.decode()
    assert "no-store" in found["Cache-Control"]
    page = client.get(f"/customer-data/{customer.pk}/").content.decode()
    assert "Klantgegevens" in page and "Reden" in page
    manager.language = "en"
    manager.save(update_fields=["language"])
    english = client.get(f"/customer-data/{customer.pk}/").content.decode()
    assert "Customer data" in english and "Erase this customer" in english

    download = client.post(f"/customer-data/{customer.pk}/export/", {"export-reason": "inzageverzoek"})
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert json.loads(download.content)["customer"]["id"] == customer.pk

    unconfirmed = client.post(f"/customer-data/{customer.pk}/erase/", {"erase-reason": "verzoek"})
    no_reason = client.post(f"/customer-data/{customer.pk}/erase/", {"erase-reason": "", "erase-confirm": "on"})
    assert unconfirmed.status_code == no_reason.status_code == 400
    customer.refresh_from_db()
    assert customer.erased_at is None

    done = client.post(f"/customer-data/{customer.pk}/erase/", {"erase-reason": "verzoek", "erase-confirm": "on"})
    assert done.status_code == 302
    customer.refresh_from_db()
    assert customer.erased_at is not None
    entry = AuditEntry.objects.get(action="customer.erased")
    assert (entry.actor, entry.changes["reason"]) == (manager, "verzoek")
    assert AuditEntry.objects.get(action="customer.exported").changes["reason"] == "inzageverzoek"


def test_the_admin_action_asks_for_a_reason_before_erasing(client, customer):
    admin = make_user("root", Role.ADMIN)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    url = "/admin/customers/customer/"
    asked = client.post(url, {"action": "erase_data", "_selected_action": [customer.pk]})
    assert asked.status_code == 200 and b'name="reason"' in asked.content
    customer.refresh_from_db()
    assert customer.erased_at is None
    client.post(url, {"action": "erase_data", "_selected_action": [customer.pk], "confirm": "1", "reason": "verzoek"})
    customer.refresh_from_db()
    assert customer.erased_at is not None
    assert AuditEntry.objects.get(action="customer.erased").changes["reason"] == "verzoek"


@override_settings(RETENTION_RAW_MAIL_DAYS=90, RETENTION_WEBHOOK_DAYS=30, RETENTION_OUTBOX_DAYS=90)
def test_retention_blanks_old_content_and_keeps_what_still_waits(customer, t0):
    app = MetaApp.objects.create(name="Shop", app_id="1", app_secret="s", verify_token="v")
    done_hook = WebhookDelivery.objects.create(app=app, body=b"{}x", state=WebhookState.PROCESSED, received_at=t0)
    waiting = WebhookDelivery.objects.create(app=app, body=b"{}y", state=WebhookState.PENDING, received_at=t0)
    case = Case.objects.filter(customer=customer).first()
    sent = _outbound(case, OutboundState.SENT, t0, 3)
    queued = _outbound(case, OutboundState.QUEUED, t0, 4)

    assert apply_retention(t0 + dt.timedelta(days=29))["webhook_bodies"] == 0
    result = apply_retention(t0 + dt.timedelta(days=31))
    assert (result["webhook_bodies"], result["raw_mail"], result["sent_replies"]) == (1, 0, 0)
    result = apply_retention(t0 + dt.timedelta(days=91))
    assert (result["raw_mail"], result["sent_replies"]) == (1, 1)
    assert result["message_originals"] >= 1
    assert bytes(InboundMail.objects.get().raw) == b""
    done_hook.refresh_from_db()
    waiting.refresh_from_db()
    assert bytes(done_hook.body) == b"" and bytes(waiting.body) == b"{}y"
    sent.refresh_from_db()
    queued.refresh_from_db()
    assert sent.body == "" and queued.body == "Beste Jan Modaal"


def test_every_sqlite_connection_zeroes_deleted_content(settings):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    assert "secure_delete=ON" in settings.DATABASES["default"]["OPTIONS"]["init_command"]
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        assert cursor.fetchone()[0] == 1
