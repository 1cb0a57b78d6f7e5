"""Customer-wide writes that move or erase contacts: merge, GDPR export and erasure.

They live here, not in `customers`, because they touch cases and contacts, and dependencies point
one way: contacts -> customers.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from contactpunt.audit import services as audit
from contactpunt.contacts.announcements import Announcement, announce
from contactpunt.contacts.models import Case, Contact
from contactpunt.contacts.services.privacy import ErasureRefused, erase_customer, export_customer
from contactpunt.customers.models import Customer, CustomerMerge, CustomerNote, Identity
from contactpunt.people.models import User

__all__ = ["ErasureRefused", "MergeError", "MergeResult", "erase_customer", "export_customer", "merge_customers"]


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
