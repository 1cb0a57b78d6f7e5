"""The batch's decisions, contact by contact in order: the customer, the case, the contact row."""

from __future__ import annotations

import datetime as dt

from contactpunt import fast_insert
from contactpunt.contacts.models import (
    Case,
    CaseStatus,
    Contact,
    ContactStatus,
    Direction,
    EventName,
    Identification,
)
from contactpunt.contacts.services.event_rules import CaseLifecycle, apply_case_event
from contactpunt.contacts.services.inbound.state import BatchState, Known
from contactpunt.contacts.services.inbound.threads import own_keys, reply_keys, token_case_ids
from contactpunt.contacts.services.inbound.validate import Prepared
from contactpunt.contacts.services.types import InboundContact
from contactpunt.customers.models import Account, Customer
from contactpunt.customers.services import create_account, new_customer, new_identity


class Decisions(BatchState):
    # -- decisions, in order, seeing what earlier contacts of the batch decided --

    def _decide(self, p: Prepared) -> None:
        contact = p.contact
        assert p.queue is not None
        customer, identification = self._identify(p)
        case, case_created, reopened = self._case_for(p, customer)
        new = fast_insert.build(
            Contact,
            case=case,
            customer=customer,
            channel=contact.channel or p.queue.channel,
            direction=Direction.INBOUND,
            queue=p.queue,
            status=ContactStatus.QUEUED if contact.offered else ContactStatus.IVR_ONLY,
            identification=identification,
            source=contact.source,
            external_id=contact.external_id,
            sender=sender_of(contact),
            is_public=contact.is_public,
            ivr_path=list(contact.ivr_path),
            occurred_at=contact.occurred_at,
            recorded_at=self.now,
            fallback_reason=p.fallback_reason,
            asked_queue=contact.queue[:255] if p.fallback_reason else "",
        )
        self.new_contacts.append((p, new, case, case_created, reopened))
        for key in own_keys(contact):
            if key not in self.thread_cases:
                self.thread_cases[key] = case
                self.new_thread_keys.append((key, case))

    def _identify(self, p: Prepared) -> tuple[Customer | None, Identification]:
        if not p.identities:
            return None, Identification.UNKNOWN
        known = [self.identities[k] for k in p.identities if k in self.identities]
        if any(k.is_shared for k in known):
            # A switchboard number or shared mailbox says nothing about who is calling.
            return None, Identification.AMBIGUOUS
        customers = {id(k.customer): k.customer for k in known if k.customer is not None}
        if len(customers) > 1:
            return None, Identification.AMBIGUOUS
        at = p.contact.occurred_at
        if customers:
            customer = next(iter(customers.values()))
            identification = Identification.KNOWN
        else:
            contact = p.contact
            account = self._account(contact.account_ref)
            customer = new_customer(name=contact.customer_name, language=contact.language, account=account, at=at)
            self.new_customers.append(customer)
            identification = Identification.NEW
        for key in p.identities:
            if key not in self.identities:
                self.identities[key] = Known(customer, False)
                self.new_identities.append(new_identity(key, customer=customer, at=at))
        return customer, identification

    def _account(self, ref: str) -> Account | None:
        if not ref:
            return None
        if ref not in self.accounts:
            self.accounts[ref] = create_account(name=ref, external_ref=ref)
        return self.accounts[ref]

    def _case_for(self, p: Prepared, customer: Customer | None) -> tuple[Case, bool, bool]:
        contact = p.contact
        assert p.queue is not None
        threaded = self._threaded_case(contact, customer)
        previous: Case | None = None
        if threaded is not None:
            if threaded.is_open:
                self._touch(threaded, contact.occurred_at)
                return threaded, False, False
            resolved_at = threaded.resolved_at or threaded.opened_at
            if threaded.status == CaseStatus.RESOLVED and contact.occurred_at - resolved_at <= self.reopen_window:
                # The same rule as reopen_case and record_case_events (event_rules.apply_case_event).
                lifecycle = CaseLifecycle(
                    threaded.pk, threaded.status, threaded.resolved_at, threaded.reopen_count, threaded.reason_id
                )
                reopened = apply_case_event(lifecycle, EventName.REOPENED, contact.occurred_at).case
                _pk, threaded.status, threaded.resolved_at, threaded.reopen_count, _reason = reopened
                self._touch(threaded, contact.occurred_at)
                return threaded, False, True
            previous = threaded
        previous_id: int | None = None
        if previous is None and customer is not None:
            previous = self.last_cases.get(id(customer))
            if previous is None and customer.pk is not None:
                previous_id = self.latest_case_ids.get(customer.pk)
        case = fast_insert.build(
            Case,
            customer=customer,
            subject=contact.subject[:300],
            status=CaseStatus.OPEN,
            queue=p.queue,
            channel=contact.channel or p.queue.channel,
            previous_case=previous if previous is not None and previous.pk is not None else None,
            opened_at=contact.occurred_at,
            last_inbound_at=contact.occurred_at,
            created_at=self.now,
        )
        self.new_cases.append(case)
        if previous is None and previous_id is not None:
            case.previous_case_id = previous_id
        elif previous is not None and previous.pk is None:
            self.pending_links.append((case, previous))
        if customer is not None:
            self.last_cases[id(customer)] = case
        return case, True, False

    def _threaded_case(self, contact: InboundContact, customer: Customer | None) -> Case | None:
        for key in reply_keys(contact):
            if key in self.thread_cases:
                return self.thread_cases[key]
        for case_id in token_case_ids(contact):
            case = self.thread_cases.get(f"token:{case_id}")
            # A token joins only when it cannot pull a message into another known customer's case.
            if case is not None and (customer is None or case.customer_id in (None, customer.pk)):
                return case
        return None

    def _touch(self, case: Case, occurred_at: dt.datetime) -> None:
        if case.last_inbound_at is None or occurred_at > case.last_inbound_at:
            case.last_inbound_at = occurred_at
        if case.pk is not None:
            self.changed_cases[case.pk] = case


def sender_of(contact: InboundContact) -> str:
    return contact.identities[0].value[:320] if contact.identities else ""
