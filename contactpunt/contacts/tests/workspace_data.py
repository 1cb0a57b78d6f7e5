"""Test data for the workspace, built through the real services."""

from __future__ import annotations

import datetime as dt

from contactpunt.contacts.models import Case, Channel, ContactReason, Queue
from contactpunt.contacts.services.inbound import receive_contact
from contactpunt.contacts.services.types import IdentityInput, InboundContact
from contactpunt.people.models import Skill


def mail(
    queue: Queue,
    at: dt.datetime,
    ext: str,
    *,
    sender: str = "klant@example.nl",
    name: str = "Sanne de Vries",
    subject: str = "Waar blijft mijn bestelling?",
    text: str = "Ik heb vorige week besteld en nog niets ontvangen.",
) -> Case:
    """Receive one email in `queue` and return its case."""
    received = receive_contact(
        InboundContact(
            source="mailbox",
            queue=queue.code,
            occurred_at=at,
            external_id=ext,
            channel=Channel.EMAIL,
            identities=(IdentityInput("email", sender),),
            customer_name=name,
            subject=subject,
            text=text,
        )
    )
    assert received.case_id is not None, received.errors
    return Case.objects.get(pk=received.case_id)


def social_post(queue: Queue, at: dt.datetime, ext: str, *, handle: str = "@sanne") -> Case:
    received = receive_contact(
        InboundContact(
            source="social",
            queue=queue.code,
            occurred_at=at,
            external_id=ext,
            channel=Channel.SOCIAL,
            identities=(IdentityInput("social", handle, namespace="x"),),
            text="Slechte service, al een week geen kaart!",
            is_public=True,
        )
    )
    assert received.case_id is not None, received.errors
    return Case.objects.get(pk=received.case_id)


def call(queue: Queue, at: dt.datetime, ext: str, *, number: str = "0612345678") -> Case:
    received = receive_contact(
        InboundContact(
            source="pbx",
            queue=queue.code,
            occurred_at=at,
            external_id=ext,
            channel=Channel.PHONE,
            identities=(IdentityInput("phone", number),),
        )
    )
    assert received.case_id is not None, received.errors
    return Case.objects.get(pk=received.case_id)


def skill(code: str) -> Skill:
    return Skill.objects.get_or_create(code=code, defaults={"name": code})[0]


def reason(code: str = "bezorging", name: str = "Bezorging") -> ContactReason:
    return ContactReason.objects.get_or_create(code=code, defaults={"name": name})[0]
