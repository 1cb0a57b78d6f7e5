"""Consent: per purpose and channel, the latest record that applies decides; recorded with when, how and by whom,
audited; on the case page for whoever may see the customer; in the export, gone on erasure, moved on a merge; and
the surveys respect it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse

from contactpunt.audit.models import AuditEntry
from contactpunt.conftest import make_user
from contactpunt.contacts.models import Case, Queue
from contactpunt.contacts.services.customers import erase_customer, export_customer, merge_customers
from contactpunt.contacts.tests.workspace_data import mail, skill
from contactpunt.customers import consent
from contactpunt.customers.models import Consent, ConsentPurpose, ConsentSource, Customer
from contactpunt.customers.services import (
    ConsentInput,
    ConsentRejected,
    create_customer,
    record_consent,
    record_consents,
)
from contactpunt.feedback.services.invitations import decide_invitations
from contactpunt.feedback.tests.data import resolved_mail
from contactpunt.people.models import Role, User

pytestmark = pytest.mark.django_db
T = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def _say(customer: Customer, purpose: str, yes: bool, at: dt.datetime, channel: str = "") -> Consent:
    return record_consent(
        customer=customer, purpose=purpose, channel=channel, is_granted=yes, source=ConsentSource.AGENT, by=None, at=at
    )


def test_defaults_and_the_latest_record_that_applies_decides() -> None:
    quiet, said = create_customer(name="Stil"), create_customer(name="Sprak")
    both = [quiet.pk, said.pk]
    # without a record: service messages and surveys yes, offers only after a yes
    assert consent.permitted(both, ConsentPurpose.SERVICE) == set(both)
    assert consent.permitted(both, ConsentPurpose.SURVEYS, "email") == set(both)
    assert consent.permitted(both, ConsentPurpose.MARKETING) == set()
    _say(said, ConsentPurpose.MARKETING, True, T, channel="email")
    assert consent.permitted(both, ConsentPurpose.MARKETING, "email") == {said.pk}
    assert consent.permitted(both, ConsentPurpose.MARKETING, "whatsapp") == set()
    assert consent.permitted(both, ConsentPurpose.MARKETING) == set()  # a yes on one channel is no yes on all
    _say(said, ConsentPurpose.MARKETING, False, T + HOUR)  # later: no more offers anywhere
    assert consent.permitted(both, ConsentPurpose.MARKETING, "email") == set()
    _say(said, ConsentPurpose.SURVEYS, False, T + 2 * HOUR, channel="email")
    assert consent.refusing(both, ConsentPurpose.SURVEYS, "email") == {said.pk}
    assert consent.refusing(both, ConsentPurpose.SURVEYS, "whatsapp") == set()
    # a record given earlier but entered later does not overrule a later one
    _say(said, ConsentPurpose.MARKETING, True, T + dt.timedelta(minutes=30), channel="email")
    assert consent.permitted(both, ConsentPurpose.MARKETING, "email") == set()
    [_service, marketing, surveys, sharing] = consent.overview(Consent.objects.filter(customer=said))
    assert (sharing.purpose, sharing.is_allowed) == ("sharing", False)  # only after a yes
    assert (marketing.purpose, marketing.is_allowed, marketing.exceptions) == ("marketing", False, {})
    assert (surveys.is_allowed, surveys.exceptions) == (True, {"email": False})


def test_a_record_is_audited_and_bad_ones_are_refused(agent: User) -> None:
    customer = create_customer(name="Klant")
    record_consent(
        customer=customer,
        purpose=ConsentPurpose.MARKETING,
        channel="email",
        is_granted=True,
        source=ConsentSource.AGENT,
        by=agent,
        at=T,
        note="aan de telefoon",
    )
    entry = AuditEntry.objects.get(action="customer.consent_recorded")
    assert (entry.actor_id, entry.object_id) == (agent.pk, str(customer.pk))
    assert entry.changes == {"purpose": "marketing", "channel": "email", "granted": True, "source": "agent"}
    for field, changes in (("purpose", {"purpose": "spam"}), ("channel", {"channel": "fax"})):
        with pytest.raises(ConsentRejected) as refused:
            record_consent(
                **{"purpose": "service", "channel": "", **changes},
                customer=customer,
                is_granted=True,
                source="agent",
                by=None,
                at=T,
            )
        assert refused.value.field == field
    Customer.objects.filter(pk=customer.pk).update(erased_at=T)
    customer.refresh_from_db()
    with pytest.raises(ConsentRejected):
        _say(customer, ConsentPurpose.SERVICE, True, T)
    assert Consent.objects.count() == 1


@pytest.fixture
def case(email_queue: Queue) -> Case:
    email_queue.skills.add(skill("nl"))
    return mail(email_queue, T, "m1")


def test_an_agent_records_consent_on_the_case_page(case: Case, agent: User) -> None:
    agent.skills.add(skill("nl"))
    client = Client()
    client.force_login(agent)
    page = client.get(reverse("workspace:case", args=[case.pk])).content.decode()
    assert 'data-purpose="marketing" data-allowed="no"' in page and 'id="consent-form"' in page
    url = reverse("journey:record_consent", args=[case.customer_id])
    back = reverse("workspace:case", args=[case.pk])
    response = client.post(url, {"purpose": "marketing", "channel": "email", "granted": "yes", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    row = Consent.objects.get()
    assert (row.purpose, row.channel, row.is_granted, row.source, row.recorded_by_id) == (
        "marketing", "email", True, "agent", agent.pk
    )  # fmt: skip
    page = client.get(back).content.decode()
    assert "e-mail: ja" in page  # the exception on e-mail, in Dutch

    viewer, outsider = make_user("vera", Role.VIEWER), make_user("otto", Role.AGENT)
    for person, status in ((viewer, 403), (outsider, 404)):
        client.force_login(person)
        assert client.post(url, {"purpose": "service", "granted": "no", "next": back}).status_code == status
    assert Consent.objects.count() == 1


def test_consent_is_exported_moved_on_a_merge_and_erased(case: Case, agent: User) -> None:
    customer = case.customer
    assert customer is not None
    other = create_customer(name="Tweede")
    _say(other, ConsentPurpose.SURVEYS, False, T)
    merge_customers(source=other, target=customer, by=agent)
    assert list(Consent.objects.values_list("customer_id", flat=True)) == [customer.pk]
    section = export_customer(customer)["consent"]
    assert section == [
        {"purpose": "surveys", "channel": "every channel", "agreed": False, "at": T.isoformat(), "source": "agent",
         "note": ""}
    ]  # fmt: skip
    erase_customer(customer=customer, by=agent, reason="verzoek van de klant")
    assert not Consent.objects.exists()


def test_surveys_respect_a_no(email_queue: Queue, agent: User, t0: dt.datetime) -> None:
    refused = resolved_mail(email_queue, agent, t0, "a", sender="a@example.nl")
    asked = resolved_mail(email_queue, agent, t0, "b", sender="b@example.nl")
    assert refused.customer is not None
    _say(refused.customer, ConsentPurpose.SURVEYS, False, t0 - HOUR)
    reasons = {d.case_id: d.reason for d in decide_invitations([refused.pk, asked.pk])}
    assert reasons == {refused.pk: "opted_out", asked.pk: "invited"}


def test_an_import_records_many_at_once_audited_and_leaves_out_the_erased() -> None:
    kept, erased = create_customer(name="Blijft"), create_customer(name="Weg")
    Customer.objects.filter(pk=erased.pk).update(erased_at=T)
    items = [
        ConsentInput(kept.pk, ConsentPurpose.MARKETING, True, T, "email"),
        ConsentInput(erased.pk, ConsentPurpose.MARKETING, True, T, "email"),
        ConsentInput(kept.pk, ConsentPurpose.SURVEYS, False, T + HOUR),
    ]
    assert record_consents(items=items, source=ConsentSource.IMPORT, by=None) == 2
    assert consent.permitted([kept.pk, erased.pk], ConsentPurpose.MARKETING, "email") == {kept.pk}
    entries = AuditEntry.objects.filter(action="customer.consent_recorded")
    assert sorted(entries.values_list("object_id", "actor_label")) == [(str(kept.pk), "import")] * 2
    with pytest.raises(ConsentRejected):
        record_consents(items=[ConsentInput(kept.pk, "spam", True, T)], source=ConsentSource.IMPORT, by=None)
    assert Consent.objects.count() == 2


def test_a_linked_system_records_and_reads_consent_through_the_api(token: str) -> None:
    customer = create_customer(name="Els")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/v1/customers/{customer.pk}/consent"
    body = {"purpose": "marketing", "channel": "email", "agreed": True, "at": "2026-03-02T10:00:00+01:00"}
    response = api.post(url, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 201
    marketing = next(p for p in response.json()["purposes"] if p["purpose"] == "marketing")
    assert marketing == {"purpose": "marketing", "allowed": False, "exceptions": {"email": True},
                         "decided_at": "2026-03-02T09:00:00+00:00"}  # fmt: skip
    row = Consent.objects.get()
    assert (row.source, row.recorded_by_id, row.is_granted) == ("integration", None, True)
    assert AuditEntry.objects.get(action="customer.consent_recorded").actor_label.startswith("API: ")
    assert api.get(url).json() == response.json()
    # bad input changes nothing: an unknown purpose, a foreign customer, a naive time
    for bad in ({**body, "purpose": "spam"}, {**body, "at": "2026-03-02T10:00:00"}):
        assert api.post(url, data=json.dumps(bad), content_type="application/json").status_code == 422
    missing = f"/api/v1/customers/{customer.pk + 1000}/consent"
    assert api.post(missing, data=json.dumps(body), content_type="application/json").status_code == 404
    assert Client().get(url).status_code == 401
    assert Consent.objects.count() == 1
