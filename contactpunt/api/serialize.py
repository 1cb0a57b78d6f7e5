"""Turning rows into the API's output shapes."""

from __future__ import annotations

from typing import Any

from contactpunt.contacts.models import Case, Contact
from contactpunt.customers.models import Customer


def case_out(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "token": case.token,
        "subject": case.subject,
        "status": case.status,
        "queue": case.queue.code,
        "channel": case.channel,
        "customer_id": case.customer_id,
        "reason": case.reason.code if case.reason else None,
        "assignee": case.assignee.get_username() if case.assignee else None,
        "previous_case_id": case.previous_case_id,
        "opened_at": case.opened_at,
        "resolved_at": case.resolved_at,
        "reopen_count": case.reopen_count,
    }


def contact_out(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "channel": contact.channel,
        "direction": contact.direction,
        "queue": contact.queue.code,
        "status": contact.status,
        "identification": contact.identification,
        "source": contact.source,
        "external_id": contact.external_id,
        "occurred_at": contact.occurred_at,
        "answered_at": contact.answered_at,
        "ended_at": contact.ended_at,
    }


def case_detail_out(case: Case) -> dict[str, Any]:
    contacts = case.contacts.select_related("queue").order_by("occurred_at", "id")
    return {**case_out(case), "contacts": [contact_out(c) for c in contacts]}


def customer_out(customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.pk,
        "display_name": customer.display_name,
        "account": customer.account.name if customer.account else None,
        "language": customer.language,
        "created_at": customer.created_at,
        "merged_into": customer.merged_into_id,
        "identities": [
            {"kind": i.kind, "namespace": i.namespace, "value": i.value, "is_shared": i.is_shared}
            for i in customer.identities.all()
        ],
    }
