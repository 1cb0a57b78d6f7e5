"""Merging customers and cases keeps everything and is recorded; export and erasure (GDPR)."""

from __future__ import annotations

import datetime as dt

import pytest

from contactpunt.audit.models import AuditEntry
from contactpunt.contacts.models import Case, CaseStatus, Contact, ContactEvent, Message
from contactpunt.contacts.services.cases import CaseStateError, merge_cases
from contactpunt.contacts.services.customers import (
    ErasureRefused,
    MergeError,
    erase_customer,
    export_customer,
    merge_customers,
)
from contactpunt.contacts.services.inbound import receive_contact
from contactpunt.contacts.services.types import IdentityInput, InboundContact, ThreadRef
from contactpunt.customers.models import Customer, CustomerMerge, Identity
from contactpunt.customers.services import add_note

pytestmark = pytest.mark.django_db


def mail(t: dt.datetime, sender: str, ext: str, **kwargs: object) -> InboundContact:
    return InboundContact(
        source="mailbox",
        queue="email-general",
        occurred_at=t,
        external_id=ext,
        identities=(IdentityInput("email", sender),),
        subject="Vraag",
        text="Hallo",
        **kwargs,
    )


def test_merging_customers_moves_every_contact_case_identity_and_note(email_queue, phone_queue, agent, t0):
    a = receive_contact(mail(t0, "jan@example.nl", "1"))
    b = receive_contact(
        InboundContact(
            source="pbx",
            queue="phone-general",
            occurred_at=t0,
            external_id="2",
            identities=(IdentityInput("phone", "0612345678"),),
        )
    )
    source, target = Customer.objects.get(pk=b.customer_id), Customer.objects.get(pk=a.customer_id)
    add_note(customer=source, author=agent, text="Belt liever na 17:00")

    result = merge_customers(source=source, target=target, by=agent)

    assert result.moved == {"contacts": 1, "cases": 1, "identities": 1, "notes": 1, "consents": 0}
    assert set(Identity.objects.values_list("customer_id", flat=True)) == {target.pk}
    assert set(Contact.objects.values_list("customer_id", flat=True)) == {target.pk}
    assert target.notes.get().text == "Belt liever na 17:00"
    source.refresh_from_db()
    assert source.merged_into_id == target.pk
    record = CustomerMerge.objects.get()
    assert (record.source_id, record.target_id, record.merged_by) == (source.pk, target.pk, agent)
    assert AuditEntry.objects.filter(action="customer.merged", object_id=str(target.pk), actor=agent).exists()


def test_after_a_merge_the_old_identity_finds_the_merged_customer(email_queue, phone_queue, t0):
    a = receive_contact(mail(t0, "jan@example.nl", "1"))
    b = receive_contact(mail(t0, "j.jansen@example.nl", "2"))
    merge_customers(
        source=Customer.objects.get(pk=b.customer_id), target=Customer.objects.get(pk=a.customer_id), by=None
    )

    again = receive_contact(mail(t0 + dt.timedelta(days=1), "j.jansen@example.nl", "3"))

    assert again.customer_id == a.customer_id


def test_a_customer_cannot_be_merged_into_itself_or_twice(email_queue, t0):
    a = Customer.objects.get(pk=receive_contact(mail(t0, "a@example.nl", "1")).customer_id)
    b = Customer.objects.get(pk=receive_contact(mail(t0, "b@example.nl", "2")).customer_id)
    c = Customer.objects.get(pk=receive_contact(mail(t0, "c@example.nl", "3")).customer_id)

    with pytest.raises(MergeError):
        merge_customers(source=a, target=a, by=None)
    merge_customers(source=a, target=b, by=None)
    with pytest.raises(MergeError):
        merge_customers(source=a, target=c, by=None)
    assert CustomerMerge.objects.count() == 1


def test_merging_cases_moves_contacts_and_keeps_threading(email_queue, agent, t0):
    a = receive_contact(mail(t0, "jan@example.nl", "1", thread=ThreadRef(message_id="<a@x>")))
    b = receive_contact(mail(t0 + dt.timedelta(hours=1), "jan@example.nl", "2", thread=ThreadRef(message_id="<b@x>")))
    source, target = Case.objects.get(pk=b.case_id), Case.objects.get(pk=a.case_id)

    merge_cases(source=source, target=target, by=agent)

    assert set(Contact.objects.values_list("case_id", flat=True)) == {target.pk}
    assert set(Message.objects.values_list("case_id", flat=True)) == {target.pk}
    assert set(ContactEvent.objects.values_list("case_id", flat=True)) == {target.pk}
    source.refresh_from_db()
    assert (source.status, source.merged_into_id) == (CaseStatus.MERGED, target.pk)
    reply = receive_contact(
        mail(t0 + dt.timedelta(hours=2), "jan@example.nl", "3", thread=ThreadRef(in_reply_to="<b@x>"))
    )
    assert reply.case_id == target.pk
    with pytest.raises(CaseStateError):
        merge_cases(source=source, target=target, by=agent)


def test_export_holds_everything_about_the_customer(email_queue, agent, t0):
    r = receive_contact(mail(t0, "jan@example.nl", "1"))
    customer = Customer.objects.get(pk=r.customer_id)
    add_note(customer=customer, author=agent, text="VIP")

    data = export_customer(customer)

    assert [(i["kind"], i["value"]) for i in data["identities"]] == [("email", "jan@example.nl")]
    assert data["notes"][0]["text"] == "VIP"
    assert data["cases"][0]["contacts"][0]["messages"][0]["text"] == "Hallo"
    assert AuditEntry.objects.filter(action="customer.exported", object_id=str(customer.pk)).exists()


def test_erasure_removes_personal_data_and_keeps_the_event_log(email_queue, agent, t0):
    r = receive_contact(mail(t0, "jan@example.nl", "1"))
    customer = Customer.objects.get(pk=r.customer_id)
    add_note(customer=customer, author=agent, text="VIP")
    events_before = list(ContactEvent.objects.values_list("name", "occurred_at", "contact_id"))

    with pytest.raises(ErasureRefused):
        erase_customer(customer=customer, by=agent, reason=" ")
    erase_customer(customer=customer, by=agent, reason="verzoek van de klant")

    customer.refresh_from_db()
    assert customer.erased_at is not None and customer.display_name == ""
    assert not Identity.objects.exists() and not customer.notes.exists()
    message = Message.objects.get()
    assert (message.text, message.subject, message.raw) == ("", "", None)
    assert Contact.objects.get().sender == ""
    assert list(ContactEvent.objects.values_list("name", "occurred_at", "contact_id")) == events_before
    assert AuditEntry.objects.get(action="customer.erased", actor=agent).changes["reason"] == "verzoek van de klant"
    # the address no longer finds anyone: a new contact from it is a new customer
    assert receive_contact(mail(t0, "jan@example.nl", "2")).customer_id != customer.pk
