"""Customer-wide writes that move or erase contacts: merge, GDPR export and erasure.

They live here, not in `customers`, because they touch cases and contacts, and dependencies point
one way: contacts -> customers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from contactpunt.audit import services as audit
from contactpunt.contacts.announcements import Announcement, announce
from contactpunt.contacts.models import Attachment, Case, Contact, Message
from contactpunt.customers.models import Customer, CustomerMerge, CustomerNote, Identity
from contactpunt.people.models import User


class MergeError(ValueError):
    """The two customers cannot be merged."""


@dataclass(frozen=True, slots=True)
class MergeResult:
    target: Customer
    moved: dict[str, int]


def merge_customers(*, source: Customer, target: Customer, by: User | None) -> MergeResult:
    """Merge `source` into `target`: every contact, case, identity and note moves to the target.

    The source stays as a pointer (merged_into), so references to it still resolve. The merge is
    recorded as a CustomerMerge row and in the audit log.
    """
    if source.pk == target.pk:
        raise MergeError("a customer cannot be merged into itself")
    with transaction.atomic():
        source = Customer.objects.select_for_update().get(pk=source.pk)
        target = Customer.objects.select_for_update().get(pk=target.pk)
        if source.merged_into_id is not None or target.merged_into_id is not None:
            raise MergeError("a customer that was merged away cannot take part in another merge")
        moved = {
            "contacts": Contact.objects.filter(customer=source).update(customer=target),
            "cases": Case.objects.filter(customer=source).update(customer=target),
            "identities": Identity.objects.filter(customer=source).update(customer=target),
            "notes": CustomerNote.objects.filter(customer=source).update(customer=target),
        }
        fields = ["merged_into"]
        if not target.display_name and source.display_name:
            target.display_name = source.display_name
        if target.account_id is None and source.account_id is not None:
            target.account_id = source.account_id
        target.save(update_fields=["display_name", "account"])
        source.merged_into = target
        source.save(update_fields=fields)
        CustomerMerge.objects.create(source_id=source.pk, target=target, merged_by=by, moved=moved)
        audit.record(actor=by, action="customer.merged", obj=target, changes={"source": source.pk, "moved": moved})
        announce(Announcement.CUSTOMERS_MERGED, source_id=source.pk, target_id=target.pk)
    return MergeResult(target, moved)


def export_customer(customer: Customer) -> dict[str, Any]:
    """Return everything stored about the customer (GDPR access request), as JSON-ready data."""
    return {
        "customer": {
            "id": customer.pk,
            "name": customer.display_name,
            "language": customer.language,
            "account": customer.account.name if customer.account else None,
            "created_at": customer.created_at.isoformat(),
        },
        "identities": [{"kind": i.kind, "namespace": i.namespace, "value": i.value} for i in customer.identities.all()],
        "notes": [{"text": n.text, "created_at": n.created_at.isoformat()} for n in customer.notes.all()],
        "cases": [
            {
                "id": case.pk,
                "subject": case.subject,
                "status": case.status,
                "opened_at": case.opened_at.isoformat(),
                "messages": [
                    {
                        "direction": m.direction,
                        "subject": m.subject,
                        "text": m.text,
                        "created_at": m.created_at.isoformat(),
                    }
                    for m in Message.objects.filter(case=case, is_internal=False)
                ],
            }
            for case in customer.cases.all().order_by("opened_at")
        ],
    }


def erase_customer(*, customer: Customer, by: User | None) -> None:
    """Erase the customer's personal data (GDPR right to erasure).

    Identities, notes, message texts, raw originals and attachments are deleted; the event log,
    which holds ids and timestamps only, stays intact so the figures do not change.
    """
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        cases = Case.objects.filter(customer=customer)
        for attachment in Attachment.objects.filter(message__case__in=cases):
            attachment.file.delete(save=False)
        Attachment.objects.filter(message__case__in=cases).delete()
        Message.objects.filter(case__in=cases).update(text="", subject="", raw=None)
        cases.update(subject="")
        Contact.objects.filter(customer=customer).update(sender="")
        Identity.objects.filter(customer=customer).delete()
        CustomerNote.objects.filter(customer=customer).delete()
        customer.display_name = ""
        customer.erased_at = timezone.now()
        customer.save(update_fields=["display_name", "erased_at"])
        audit.record(actor=by, action="customer.erased", obj=customer)
