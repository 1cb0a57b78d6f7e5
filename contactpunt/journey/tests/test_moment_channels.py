"""Moments that send on WhatsApp (an approved template from the template's number) or SMS, where the customer has
that identity and agreed to the moment's purpose on that channel; else the rule's next channel; once, and at most
one moment's message a week on whatever channel."""
# ruff: noqa: F811  (the fixtures imported from the channel tests are parameters here)

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from contactpunt.channels.meta.models import MetaAccount, WhatsAppTemplate
from contactpunt.channels.models import OutboundMessage
from contactpunt.channels.senders import send_due
from contactpunt.channels.tests.test_meta_sender import FakeGraph, graph  # noqa: F401 (fixture)
from contactpunt.channels.tests.test_meta_webhooks import (  # noqa: F401 (fixtures)
    PHONE_ID,
    accounts,
    meta_app,
    social_queue,
    whatsapp_queue,
)
from contactpunt.contacts.services.notices import NoticeDraft, register_notice_writer, unregister_notice_writer
from contactpunt.customers import services as customers
from contactpunt.customers.identities import IdentityKey
from contactpunt.customers.models import ConsentPurpose, ConsentSource, Customer
from contactpunt.journey.models import MomentKind, MomentRule, MomentTask
from contactpunt.journey.moments import run_moments
from contactpunt.journey.tests.helpers import stay

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 7, 7)
NOW = dt.datetime(2026, 7, 7, 8, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


@pytest.fixture
def template(accounts: dict[str, MetaAccount]) -> WhatsAppTemplate:
    rule = MomentRule.objects.get(kind=MomentKind.BEFORE_ARRIVAL)
    rule.channels, rule.whatsapp_template, rule.template_values = "whatsapp,email", "aankomst", "{name}|{arrival}"
    rule.save()
    return WhatsAppTemplate.objects.create(
        account=accounts["whatsapp"], name="aankomst", text="Hoi {{1}}, tot {{2}}!", variables=["naam", "aankomst"]
    )


def _guest(*keys: IdentityKey) -> int:
    pk = customers.customer_for_identities(list(keys), name="Sanne de Vries")
    assert pk is not None
    return pk


EMAIL = IdentityKey("email", "", "sanne@example.nl")
WHATSAPP = IdentityKey("whatsapp", "", "+31612345678")
PHONE = IdentityKey("phone", "", "+31612345678")


def _say(customer_id: int, channel: str, agreed: bool, purpose: str = ConsentPurpose.SERVICE) -> None:
    customers.record_consent(
        customer=Customer.objects.get(pk=customer_id), purpose=purpose, channel=channel, is_granted=agreed,
        source=ConsentSource.AGENT, by=None, at=NOW - 30 * DAY,
    )  # fmt: skip


def test_a_note_before_arrival_goes_as_the_whatsapp_template_once(template: WhatsAppTemplate, graph: FakeGraph) -> None:
    customer = _guest(EMAIL, WHATSAPP)
    stay(customer, "S-1", TODAY + 2 * DAY, TODAY + 9 * DAY)
    assert run_moments(today=TODAY, now=NOW) == 1
    task = MomentTask.objects.get()
    [row] = OutboundMessage.objects.filter(case__isnull=True)
    assert (task.status, task.channel, task.outbound_ref) == ("sent", "whatsapp", row.message_id)
    assert (row.channel, row.to, row.customer_id, row.body) == (
        "whatsapp",
        "+31612345678",
        customer,
        "Hoi Sanne de Vries, tot 9 juli 2026!",
    )
    assert run_moments(today=TODAY + DAY, now=NOW + DAY) == 0  # once
    assert OutboundMessage.objects.count() == 1
    assert send_due().sent == 1
    [(path, _headers, body)] = graph.requests
    assert path.endswith(f"/{PHONE_ID}/messages")
    assert body["type"] == "template" and body["to"] == "31612345678"
    assert body["template"]["name"] == "aankomst"
    assert body["template"]["components"][0]["parameters"] == [
        {"type": "text", "text": "Sanne de Vries"}, {"type": "text", "text": "9 juli 2026"},
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("keys", "said_no_on", "channel"),
    [
        ((EMAIL,), None, "email"),  # no WhatsApp identity: the next channel
        ((EMAIL, WHATSAPP), "whatsapp", "email"),  # no to service messages on WhatsApp: the next channel
        ((WHATSAPP,), "email", "whatsapp"),
    ],
)
def test_the_first_channel_with_an_identity_and_consent(
    template: WhatsAppTemplate, keys: tuple[IdentityKey, ...], said_no_on: str | None, channel: str
) -> None:
    customer = _guest(*keys)
    if said_no_on:
        _say(customer, said_no_on, False)
    stay(customer, "S-1", TODAY + 2 * DAY, TODAY + 9 * DAY)
    run_moments(today=TODAY, now=NOW)
    task = MomentTask.objects.get()
    assert (task.status, task.channel) == ("sent", channel)
    assert OutboundMessage.objects.get().channel == channel


def test_no_consent_on_any_channel_sends_nothing(template: WhatsAppTemplate) -> None:
    customer = _guest(EMAIL, WHATSAPP)
    _say(customer, "", False)  # no service messages at all
    stay(customer, "S-1", TODAY + 2 * DAY, TODAY + 9 * DAY)
    run_moments(today=TODAY, now=NOW)
    assert MomentTask.objects.values_list("status", "outcome").get() == ("skipped", "no consent")
    assert not OutboundMessage.objects.exists()


@pytest.fixture
def sms_outbox() -> Iterator[list[NoticeDraft]]:
    """An SMS channel adapter's notice writer (the product has none of its own yet)."""
    sent: list[NoticeDraft] = []

    def write(draft: NoticeDraft) -> str:
        sent.append(draft)
        return f"sms-{len(sent)}"

    register_notice_writer("sms", write)
    yield sent
    unregister_notice_writer("sms")


def test_sms_goes_to_the_phone_number_once_an_sms_outbox_exists(sms_outbox: list[NoticeDraft]) -> None:
    rule = MomentRule.objects.get(kind=MomentKind.BEFORE_ARRIVAL)
    rule.channels = "sms"
    rule.save()
    customer = _guest(PHONE)
    stay(customer, "S-1", TODAY + 2 * DAY, TODAY + 9 * DAY)
    run_moments(today=TODAY, now=NOW)
    assert MomentTask.objects.values_list("status", "channel", "outbound_ref").get() == ("sent", "sms", "sms-1")
    assert [(d.to, d.customer_id, d.case) for d in sms_outbox] == [("+31612345678", customer, None)]
    assert sms_outbox[0].body.startswith("Beste Sanne de Vries,")


def test_sms_without_an_outbox_is_skipped_and_says_why() -> None:
    rule = MomentRule.objects.get(kind=MomentKind.BEFORE_ARRIVAL)
    rule.channels = "sms"
    rule.save()
    stay(_guest(PHONE), "S-1", TODAY + 2 * DAY, TODAY + 9 * DAY)
    run_moments(today=TODAY, now=NOW)
    assert MomentTask.objects.values_list("status", "outcome").get() == ("skipped", "no outbox for the channel")


def test_at_most_one_moment_message_a_week_whatever_the_channel(template: WhatsAppTemplate) -> None:
    customer = _guest(EMAIL, WHATSAPP)
    _say(customer, "", True, ConsentPurpose.MARKETING)
    stay(customer, "S-1", TODAY + 2 * DAY, TODAY + 9 * DAY)  # the note before arrival: WhatsApp
    run_moments(today=TODAY, now=NOW)
    stay(customer, "S-0", TODAY - 5 * DAY, TODAY - DAY, stage="after")  # a thank-you due: by e-mail
    run_moments(today=TODAY + DAY, now=NOW + DAY)
    assert sorted(MomentTask.objects.values_list("rule__kind", "status", "channel", "outcome")) == [
        ("after_stay", "skipped", "", "throttled"),
        ("before_arrival", "sent", "whatsapp", ""),
    ]


def test_a_missing_whatsapp_template_passes_to_the_next_channel(template: WhatsAppTemplate) -> None:
    template.is_approved = False  # withdrawn by WhatsApp
    template.save()
    customer = _guest(EMAIL, WHATSAPP)
    stay(customer, "S-1", TODAY + 2 * DAY, TODAY + 9 * DAY)
    run_moments(today=TODAY, now=NOW)
    assert MomentTask.objects.values_list("status", "channel").get() == ("sent", "email")
    assert list(OutboundMessage.objects.values_list("channel", "to")) == [("email", "sanne@example.nl")]
    MomentTask.objects.all().delete()
    OutboundMessage.objects.all().delete()
    rule = MomentRule.objects.get(kind=MomentKind.BEFORE_ARRIVAL)
    rule.channels = "whatsapp"
    rule.save()
    run_moments(today=TODAY, now=NOW)
    assert MomentTask.objects.values_list("status", "outcome").get() == ("skipped", "not taken by the outbox")
    assert not OutboundMessage.objects.exists()
