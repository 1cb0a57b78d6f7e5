"""Reads of cases that other apps need, without reaching into how threads are keyed."""

from __future__ import annotations

from collections.abc import Iterable

from contactpunt.contacts.models import Case, CaseThreadKey
from contactpunt.contacts.services.inbound import message_thread_key
from contactpunt.contacts.services.merges import follow_merges

__all__ = ["case_for_message_ids", "follow_merges"]


def case_for_message_ids(message_ids: Iterable[str]) -> Case | None:
    """Return the case that holds the first of these email Message-IDs (following merges), or None."""
    keys = [message_thread_key(message_id) for message_id in message_ids if message_id.strip()]
    if not keys:
        return None
    found = {row.key: row.case for row in CaseThreadKey.objects.filter(key__in=keys).select_related("case")}
    case = next((found[key] for key in keys if key in found), None)
    return follow_merges(case)
