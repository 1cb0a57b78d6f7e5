"""The state one batch of inbound contacts builds up."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from contactpunt.contacts.models import (
    Case,
    Contact,
)
from contactpunt.contacts.services.inbound.validate import Prepared
from contactpunt.contacts.services.types import Received
from contactpunt.customers.identities import IdentityKey
from contactpunt.customers.models import Account, Customer, Identity


@dataclass(slots=True)
class Known:
    """An identity as the batch knows it: from the database or created earlier in the batch."""

    customer: Customer | None
    is_shared: bool


class BatchState:
    """What one batch has read and decided so far; the lookups, decisions and writes share it."""

    def __init__(self, prepared: list[Prepared]) -> None:
        self.prepared = prepared
        self.now = timezone.now()
        self.reopen_window = dt.timedelta(days=settings.REOPEN_WINDOW_DAYS)
        self.results: list[Received | None] = [None] * len(prepared)
        self.identities: dict[IdentityKey, Known] = {}
        self.thread_cases: dict[str, Case] = {}
        self.accounts: dict[str, Account] = {}
        # Rows to write, in dependency order.
        self.new_customers: list[Customer] = []
        self.new_identities: list[Identity] = []
        self.new_cases: list[Case] = []
        self.changed_cases: dict[int, Case] = {}
        # The latest case per customer: from the database for known customers, then as decided in
        # this batch, keyed by object identity because new customers have no key until written.
        self.latest_case_ids: dict[int, int | None] = {}
        self.last_cases: dict[int, Case] = {}
        self.pending_links: list[tuple[Case, Case]] = []
        self.new_thread_keys: list[tuple[str, Case]] = []
        self.new_contacts: list[tuple[Prepared, Contact, Case, bool, bool]] = []
