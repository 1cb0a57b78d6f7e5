"""An erasure reaches the worker's task rows and the external ids: the message analysis's jobs lose the customer's
contact ids, a finished job that names the customer loses its arguments, return value and traceback, a waiting one
that names them goes, and a Message-ID that names the customer becomes opaque (one that names nobody stays)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import normalize_uuid

from contactpunt.channels.email.intake import receive_mail
from contactpunt.channels.models import InboundMail
from contactpunt.contacts.models import Channel, Contact, Queue
from contactpunt.contacts.privacy import opaque
from contactpunt.contacts.services.inbound import receive_contact
from contactpunt.contacts.services.privacy import erase_customer
from contactpunt.contacts.services.types import IdentityInput, InboundContact, Outcome
from contactpunt.contacts.tests.workspace_data import mail
from contactpunt.insights.tasks import analyse_contacts, retrain_reason_model
from contactpunt.ops.lanes import LONG, SHORT

pytestmark = pytest.mark.django_db
ADDRESS = "marieke.jansen@example.nl"
NAME = "Marieke Jansen"


@pytest.fixture(autouse=True)
def database_backend(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": [SHORT, LONG, "default"]}}


def _row(result: Any) -> DBTaskResult[Any, Any]:
    return DBTaskResult.objects.get(pk=normalize_uuid(result.id))


def _text_of_every_row() -> str:
    return " ".join(
        f"{r.args_kwargs} {r.return_value} {r.traceback}"
        for r in DBTaskResult.objects.all().only("args_kwargs", "return_value", "traceback")
    )


def test_erasure_scrubs_the_task_rows_and_makes_naming_ids_opaque(email_queue: Queue) -> None:
    at = timezone.now() - dt.timedelta(hours=1)
    raw = (
        f"From: {NAME} <{ADDRESS}>\r\nTo: support@shop.example\r\nSubject: Bestelling\r\n"
        f"Message-ID: <1234.{ADDRESS}>\r\n\r\nWaar blijft mijn pakket?\r\n"
    ).encode()
    received = receive_mail(raw=raw, queue=email_queue, source="mailbox-support")
    customer_contact = Contact.objects.get(pk=received.contact_id)
    other = mail(email_queue, at, "<plain-id@mail.example>", sender="ander@example.nl", name="Anne Ander")
    other_contact = Contact.objects.get(case=other)
    DBTaskResult.objects.all().delete()  # the analysis jobs the intake enqueued: made again below, on purpose

    waiting = _row(analyse_contacts.enqueue([customer_contact.pk, other_contact.pk]))
    finished = _row(analyse_contacts.enqueue([customer_contact.pk]))
    DBTaskResult.objects.filter(pk=finished.pk).update(
        status=TaskResultStatus.FAILED,
        traceback=f"ValueError: cannot read the sender {ADDRESS} ({NAME})",
        finished_at=timezone.now(),
    )
    naming_waiting = _row(retrain_reason_model.enqueue())
    DBTaskResult.objects.filter(pk=naming_waiting.pk).update(args_kwargs={"args": [NAME], "kwargs": {}})
    unrelated = _row(retrain_reason_model.enqueue())
    DBTaskResult.objects.filter(pk=unrelated.pk).update(
        status=TaskResultStatus.SUCCESSFUL, return_value="trained on 1.204 examples", finished_at=timezone.now()
    )
    assert ADDRESS in _text_of_every_row() and NAME in _text_of_every_row()

    assert customer_contact.customer is not None
    erase_customer(customer=customer_contact.customer, by=None, reason="verzoek klant", actor_label="test")

    waiting.refresh_from_db()
    assert waiting.args_kwargs["args"] == [[other_contact.pk]]  # the other customer's contact is still analysed
    finished.refresh_from_db()
    assert (finished.status, finished.args_kwargs, finished.traceback) == (
        TaskResultStatus.FAILED,
        {"args": [], "kwargs": {}},
        "",
    )
    assert not DBTaskResult.objects.filter(pk=naming_waiting.pk).exists()
    unrelated.refresh_from_db()
    assert unrelated.return_value == "trained on 1.204 examples"
    text = _text_of_every_row()
    assert ADDRESS not in text and NAME not in text

    # The Message-ID that held the address is opaque on the contact and the stored mail; the other one stays.
    customer_contact.refresh_from_db()
    assert customer_contact.external_id == opaque(f"1234.{ADDRESS}")
    stored = InboundMail.objects.get(pk=received.mail_id)
    assert stored.external_id == opaque(f"1234.{ADDRESS}")
    assert Contact.objects.get(pk=other_contact.pk).external_id == "<plain-id@mail.example>"
    # A repeat delivery of the erased customer's message is a duplicate: nothing of it is taken in again.
    contacts = Contact.objects.count()
    again = receive_mail(raw=raw, queue=email_queue, source="mailbox-support")
    assert (again.duplicate, again.mail_id) == (True, received.mail_id)
    assert Contact.objects.count() == contacts
    assert not InboundMail.objects.filter(external_id=f"1234.{ADDRESS}").exists()
    # So is a repeat of the contact itself through the contacts service (the API's path).
    repeat = receive_contact(
        InboundContact(
            source=customer_contact.source,
            queue=email_queue.code,
            occurred_at=at,
            external_id=f"1234.{ADDRESS}",
            channel=Channel.EMAIL,
            identities=(IdentityInput("email", ADDRESS),),
            text="Waar blijft mijn pakket?",
        )
    )
    assert (repeat.outcome, repeat.contact_id) == (Outcome.DUPLICATE, customer_contact.pk)
    assert Contact.objects.count() == contacts
