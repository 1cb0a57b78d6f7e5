"""Moments that send a message: through the outbox by e-mail, once (however often the rules run), only with consent,
at most one a week per customer, never to an erased customer; shown in the customer panel; in the export."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from contactpunt.channels.models import OutboundMessage
from contactpunt.contacts.models import Case, Queue
from contactpunt.contacts.services.customers import erase_customer, export_customer
from contactpunt.contacts.tests.workspace_data import mail, skill
from contactpunt.customers.models import ConsentPurpose, ConsentSource
from contactpunt.customers.services import record_consent
from contactpunt.journey.models import MomentRule, MomentStatus, MomentTask
from contactpunt.journey.moments import run_moments
from contactpunt.journey.tests.helpers import stay
from contactpunt.people.models import User

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 7, 7)
NOW = dt.datetime(2026, 7, 7, 8, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


@pytest.fixture
def case(email_queue: Queue) -> Case:
    email_queue.skills.add(skill("nl"))
    return mail(email_queue, dt.datetime(2026, 6, 12, 9, tzinfo=dt.UTC), "m1", sender="sanne@example.nl")


def _moments() -> list[tuple[str, str, str]]:
    return sorted(MomentTask.objects.values_list("rule__kind", "status", "outcome"))


def test_a_note_before_arrival_goes_out_once_by_email(case: Case) -> None:
    assert case.customer_id is not None
    stay(case.customer_id, "S-1", TODAY + 2 * DAY, TODAY + 9 * DAY)
    assert run_moments(today=TODAY, now=NOW) == 1
    [row] = OutboundMessage.objects.filter(case__isnull=True)
    task = MomentTask.objects.get()
    assert (task.status, task.channel, task.outbound_ref, task.closed_at) == ("sent", "email", row.message_id, NOW)
    assert (row.customer_id, row.to, row.channel) == (case.customer_id, "sanne@example.nl", "email")
    assert row.state == "queued"
    assert row.subject == "Binnenkort bij ons"
    assert row.body.startswith("Beste Sanne de Vries,") and "9 juli 2026" in row.body
    # however often the rules run, on the same day or the next: one message
    assert run_moments(today=TODAY, now=NOW + DAY) == 0 and run_moments(today=TODAY + DAY, now=NOW + DAY) == 0
    assert OutboundMessage.objects.filter(case__isnull=True).count() == 1
    # in the customer's export, with the moment
    exported = export_customer(case.customer)
    assert exported["journey"]["moments"][0]["sent_on"] == "email"
    assert [m["subject"] for m in exported["channels"]["outbound_messages"] if m["subject"].startswith("Binnen")] == [
        "Binnenkort bij ons"
    ]


def test_consent_decides_service_and_thanks(case: Case) -> None:
    customer = case.customer
    assert customer is not None
    # a thank-you after a stay is marketing: not without a yes
    stay(customer.pk, "S-past", TODAY - 12 * DAY, TODAY - 2 * DAY, stage="after")
    run_moments(today=TODAY, now=NOW)
    assert _moments() == [("after_stay", "skipped", "no consent")]
    assert not OutboundMessage.objects.filter(case__isnull=True).exists()
    # a no to service messages by e-mail holds back the note before arrival
    record_consent(customer=customer, purpose=ConsentPurpose.SERVICE, channel="email", is_granted=False,
                   source=ConsentSource.AGENT, by=None, at=NOW - DAY)  # fmt: skip
    stay(customer.pk, "S-next", TODAY + 3 * DAY, TODAY + 7 * DAY)
    run_moments(today=TODAY, now=NOW)
    assert _moments() == [("after_stay", "skipped", "no consent"), ("before_arrival", "skipped", "no consent")]
    # with a yes to offers by e-mail, the next stay's thank-you goes out
    record_consent(customer=customer, purpose=ConsentPurpose.MARKETING, channel="email", is_granted=True,
                   source=ConsentSource.AGENT, by=None, at=NOW)  # fmt: skip
    stay(customer.pk, "S-past-2", TODAY - 5 * DAY, TODAY - DAY, stage="after")
    run_moments(today=TODAY + DAY, now=NOW + DAY)
    assert ("after_stay", "sent", "") in _moments()
    assert OutboundMessage.objects.filter(case__isnull=True, subject="Bedankt voor uw bezoek").count() == 1


def test_at_most_one_message_a_week_and_none_for_the_erased(case: Case, agent: User) -> None:
    customer = case.customer
    assert customer is not None
    stay(customer.pk, "S-a", TODAY + 1 * DAY, TODAY + 4 * DAY)
    stay(customer.pk, "S-b", TODAY + 3 * DAY, TODAY + 6 * DAY)  # a second stay arriving the same week
    run_moments(today=TODAY, now=NOW)
    assert _moments() == [("before_arrival", "sent", ""), ("before_arrival", "skipped", "throttled")]
    assert OutboundMessage.objects.filter(case__isnull=True).count() == 1
    # the panel of the case page shows both, the sent one and why the other was held back
    agent.skills.add(skill("nl"))
    client = Client()
    client.force_login(agent)
    page = client.get(reverse("workspace:case", args=[case.pk])).content.decode()
    assert page.count('data-moment="before_arrival" data-status="sent"') == 1
    assert 'data-status="skipped"' in page and "throttled" in page
    # an erased customer gets no message and their messages' outbox rows are blanked
    MomentRule.objects.filter(kind="before_arrival").update(days=10)
    stay(customer.pk, "S-c", TODAY + 9 * DAY, TODAY + 12 * DAY)
    erase_customer(customer=customer, by=agent, reason="verzoek")
    run_moments(today=TODAY + 8 * DAY, now=NOW + 8 * DAY)
    assert not MomentTask.objects.exists()
    assert list(OutboundMessage.objects.filter(case__isnull=True).values_list("to", "body", "state")) == [
        ("", "", "cancelled")
    ]


def test_a_moment_whose_day_is_long_past_is_not_sent(case: Case) -> None:
    assert case.customer_id is not None
    record_consent(customer=case.customer, purpose=ConsentPurpose.MARKETING, is_granted=True,
                   source=ConsentSource.IMPORT, by=None, at=NOW - 400 * DAY)  # fmt: skip
    stay(case.customer_id, "S-old", dt.date(2025, 5, 1), dt.date(2025, 5, 8), stage="after")  # an imported history
    assert run_moments(today=TODAY, now=NOW) == 0
    assert not MomentTask.objects.filter(status=MomentStatus.SENT).exists()
