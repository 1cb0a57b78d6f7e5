"""A customer's data as a whole: the complete export (GDPR access request) and the erasure (right to erasure).

Both are audited with who, when and why. The erasure is announced (CUSTOMER_ERASED, delivered inside the
transaction) so every app erases its own rows; it all succeeds or nothing changes. The event log, which holds
ids and timestamps only, stays, so the figures do not change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from contactpunt.audit import services as audit
from contactpunt.contacts import privacy
from contactpunt.contacts.announcements import Announcement, announce_now
from contactpunt.contacts.models import Attachment, Case, CaseThreadKey, Contact, ContactEvent, EventKey, Message
from contactpunt.customers import services as customers
from contactpunt.customers.models import Customer, CustomerNote, Identity
from contactpunt.people.models import User

EXPORT_FORMAT = "contactpunt-customer-export/1"


class ErasureRefused(ValueError):
    """The erasure cannot be done as asked (no reason given)."""


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def export_customer(
    customer: Customer, *, by: User | None = None, reason: str = "", actor_label: str = ""
) -> dict[str, Any]:
    """Return everything stored about the customer as JSON-ready data, and audit that it was exported."""
    scope = privacy.customer_scope(customer.pk)
    customer = Customer.objects.select_related("account").get(pk=customer.pk)
    messages = Message.objects.filter(pk__in=scope.message_ids).order_by("created_at", "id")
    attachments: dict[int, list[dict[str, Any]]] = {}
    for attachment in Attachment.objects.filter(message_id__in=scope.message_ids).order_by("id"):
        attachments.setdefault(attachment.message_id, []).append(
            {
                "id": attachment.pk,
                "filename": attachment.filename,
                "content_type": attachment.content_type,
                "size": attachment.size,
                "withheld": attachment.withheld,
            }
        )
    by_contact: dict[int, list[dict[str, Any]]] = {}
    for m in messages:
        by_contact.setdefault(m.contact_id, []).append(
            {
                "id": m.pk,
                "direction": m.direction,
                "internal": m.is_internal,
                "subject": m.subject,
                "text": m.text,
                "created_at": _iso(m.created_at),
                "attachments": attachments.get(m.pk, []),
            }
        )
    contacts: dict[int, list[dict[str, Any]]] = {}
    for c in Contact.objects.filter(pk__in=scope.contact_ids).order_by("occurred_at", "id"):
        contacts.setdefault(c.case_id, []).append(
            {
                "id": c.pk,
                "channel": c.channel,
                "direction": c.direction,
                "status": c.status,
                "sender": c.sender,
                "source": c.source,
                "external_id": c.external_id,
                "occurred_at": _iso(c.occurred_at),
                "messages": by_contact.get(c.pk, []),
            }
        )
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now().isoformat(),
        "customer": {
            "id": customer.pk,
            "name": customer.display_name,
            "language": customer.language,
            "account": customer.account.name if customer.account else None,
            "created_at": _iso(customer.created_at),
            "erased_at": _iso(customer.erased_at),
            "merged_customers": [pk for pk in scope.customer_ids if pk != customer.pk],
        },
        "identities": [
            {"kind": i.kind, "namespace": i.namespace, "value": i.value, "created_at": _iso(i.created_at)}
            for i in Identity.objects.filter(customer_id__in=scope.customer_ids).order_by("id")
        ],
        "notes": [
            {"text": n.text, "created_at": _iso(n.created_at)}
            for n in CustomerNote.objects.filter(customer_id__in=scope.customer_ids).order_by("created_at", "id")
        ],
        "cases": [
            {
                "id": case.pk,
                "subject": case.subject,
                "status": case.status,
                "channel": case.channel,
                "opened_at": _iso(case.opened_at),
                "contacts": contacts.get(case.pk, []),
            }
            for case in Case.objects.filter(pk__in=scope.case_ids).order_by("opened_at", "id")
        ],
    }
    data.update(privacy.export_sections(scope))
    audit.record(
        actor=by,
        actor_label=actor_label,
        action="customer.exported",
        obj=customer,
        changes={"reason": reason},
    )
    return data


def erase_customer(*, customer: Customer, by: User | None, reason: str = "", actor_label: str = "") -> None:
    """Erase the customer's personal data everywhere (GDPR right to erasure), audited with the reason.

    Every app erases its own rows on the CUSTOMER_ERASED announcement, inside this transaction; then this app
    blanks the messages, case subjects, senders and thread keys, deletes identities, notes and attachments (files
    too). On SQLite the write-ahead log is checkpointed afterwards, so no old page keeps the data.
    """
    if not reason.strip():
        raise ErasureRefused("an erasure needs a reason")
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        scope = privacy.customer_scope(customer.pk)
        announce_now(Announcement.CUSTOMER_ERASED, customer_id=customer.pk)
        attachments = Attachment.objects.filter(message_id__in=scope.message_ids)
        files = [(a.file.storage, a.file.name) for a in attachments if a.file and a.file.name]
        attachments.delete()
        Message.objects.filter(pk__in=scope.message_ids).update(text="", subject="", raw=None, raw_content_type="")
        Case.objects.filter(pk__in=scope.case_ids).update(subject="")
        CaseThreadKey.objects.filter(case_id__in=scope.case_ids).delete()
        # Message-ids and platform ids stay (they keep a repeat delivery out), unless they name the customer.
        needles = [*scope.needles, *_names(scope)]
        privacy.make_opaque(Contact, "external_id", scope.contact_ids, needles)
        event_ids = ContactEvent.objects.filter(contact_id__in=scope.contact_ids, external_id__isnull=False)
        privacy.make_opaque(ContactEvent, "external_id", event_ids.values_list("pk", flat=True), needles)
        event_keys = EventKey.objects.filter(event_id__in=event_ids.values("pk"))
        privacy.make_opaque(EventKey, "external_id", event_keys.values_list("pk", flat=True), needles)
        Contact.objects.filter(pk__in=scope.contact_ids).update(sender="", ivr_path=[])
        # The log keeps ids and timestamps; free text a platform sent with an event goes.
        ContactEvent.objects.filter(
            models.Q(case_id__in=scope.case_ids) | models.Q(contact_id__in=scope.contact_ids)
        ).exclude(data={}).update(data={})
        customers.erase_customer_rows(customer_ids=scope.customer_ids, erased_at=timezone.now())
        audit.forget(objects=_objects(scope))
        audit.record(
            actor=by,
            actor_label=actor_label,
            action="customer.erased",
            obj=customer,
            changes={"reason": reason, "cases": len(scope.case_ids), "contacts": len(scope.contact_ids)},
        )
        # Files go once the rows are gone for good; the checkpoint after every subscriber's commit work.
        transaction.on_commit(lambda: _delete_files(files))
        transaction.on_commit(privacy.checkpoint)


def _names(scope: privacy.CustomerScope) -> list[str]:
    names = Customer.objects.filter(pk__in=scope.customer_ids).values_list("display_name", flat=True)
    return [n.strip() for n in names if len(n.strip()) >= privacy.MIN_NEEDLE]


def _delete_files(files: list[tuple[Any, str]]) -> None:
    for storage, name in files:
        storage.delete(name)


def _objects(scope: privacy.CustomerScope) -> dict[str, list[int]]:
    return {
        "customers.customer": scope.customer_ids,
        "contacts.case": scope.case_ids,
        "contacts.contact": scope.contact_ids,
        "contacts.message": scope.message_ids,
    }


def forget_originals(*, before: dt.datetime) -> int:
    """Drop the raw originals (MIME bytes, JSON payloads) of messages made before `before` (retention); the texts
    stay with the case. Return how many were dropped."""
    return Message.objects.filter(created_at__lt=before, raw__isnull=False).update(raw=None, raw_content_type="")
