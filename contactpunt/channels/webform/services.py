"""Written contacts from the web: the portal's web form and the web chat's "leave a message" when no one is there.

Both go through the one inbound service as a WEBFORM contact with the visitor's email address, so the reply goes by
email (the workspace registers the email writer for WEBFORM). Each submission carries a key made when the form was
shown, so sending the same form twice stores it once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db.models import Case as When_
from django.db.models import IntegerField, Value, When
from django.utils.translation import gettext

from contactpunt.contacts.models import Channel, Queue
from contactpunt.contacts.services.inbound import receive_contact
from contactpunt.contacts.services.types import (
    AttachmentInput,
    IdentityInput,
    InboundContact,
    Outcome,
    Received,
    ThreadRef,
)
from contactpunt.customers.models import IdentityKind

SOURCE = "webform"
#: The setting naming the queue written contacts go to when no queue is asked for (a WEBFORM queue's code).
QUEUE_SETTING = "WEBFORM_QUEUE"
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class WrittenContact:
    """What a visitor wrote, already cleaned."""

    key: str
    name: str
    email: str
    subject: str
    text: str
    order_number: str = ""
    language: str = ""
    attachment: AttachmentInput | None = None
    conversation_id: str = ""


def webform_queue(code: str = "", *, department_id: int | None = None) -> Queue | None:
    """The active WEBFORM queue `code`; else the one named by settings.WEBFORM_QUEUE; else the first active one,
    preferring `department_id`'s; None when there is none (the contact then lands in the fallback queue)."""
    queues = Queue.objects.filter(is_active=True, is_fallback=False, channel=Channel.WEBFORM)
    for wanted in (code, getattr(settings, QUEUE_SETTING, "")):
        if wanted:
            found = queues.filter(code=wanted).first()
            if found is not None:
                return found
    ranked = queues.annotate(
        own=When_(When(department_id=department_id, then=Value(0)), default=Value(1), output_field=IntegerField())
    )
    return ranked.order_by("own", "code").first()


def submit_written(*, written: WrittenContact, queue: Queue | None, source: str, at: dt.datetime) -> Received:
    """Receive the written contact into `queue` as a WEBFORM contact, idempotent on (source, written.key). With no
    queue it lands in the web form's fallback queue, flagged (contacts.services.queues): it is never refused."""
    text = written.text
    if written.order_number:
        text = f"{text}\n\n{gettext('Order number')}: {written.order_number}"
    raw = json.dumps(
        {
            "name": written.name,
            "email": written.email,
            "subject": written.subject,
            "message": written.text,
            "order_number": written.order_number,
        },
        ensure_ascii=False,
    ).encode()
    return receive_contact(
        InboundContact(
            source=source,
            queue=queue.code if queue is not None else "",
            occurred_at=at,
            external_id=f"written:{written.key}",
            channel=Channel.WEBFORM,
            identities=(IdentityInput(IdentityKind.EMAIL, written.email),),
            customer_name=written.name,
            language=written.language,
            subject=written.subject,
            text=text,
            raw=raw,
            raw_content_type="application/json",
            thread=ThreadRef(conversation_id=written.conversation_id),
            attachments=(written.attachment,) if written.attachment else (),
        )
    )


def is_accepted(received: Received) -> bool:
    """True when the contact was stored now or before (a resubmission)."""
    return received.outcome in (Outcome.CREATED, Outcome.DUPLICATE)


#: The confirmation page's `ref`: the case, signed, so nobody reads another visitor's confirmation. It holds no address
#: (a signed value is readable: the URL lands in browser histories and server logs).
_REF_SALT = "contactpunt.webform.sent"
REF_MAX_AGE_S = 24 * 3600


def sent_reference(case_id: int) -> str:
    """The signed `ref` a confirmation page is opened with."""
    return signing.dumps(case_id, salt=_REF_SALT)


def read_reference(ref: str) -> str:
    """The case token ("[CP-12]") of a signed `ref`; an empty string when it is missing, tampered with or older than a
    day."""
    with contextlib.suppress(signing.BadSignature, TypeError, ValueError):
        return f"[CP-{int(signing.loads(ref, salt=_REF_SALT, max_age=REF_MAX_AGE_S))}]"
    return ""
