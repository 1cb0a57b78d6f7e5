"""The one entry point for every inbound contact, on every channel.

`receive_contacts` takes a batch and `receive_contact` a single contact; the single call is the
batch of one, so both paths create identical rows. For each contact, in order, it:

0. routes it to the queue it asks for, or (when that queue does not exist, is not active or takes another
   channel) to the channel's fallback queue, flagged with the reason (`queues.route`): never refused for it;
1. skips it as a duplicate when (source, external_id) was seen before (idempotency);
2. identifies the customer from the normalised identities: one known customer links, none creates
   a new customer, several (or a shared identity alone) link nobody: the agent decides;
3. joins the case the thread points at (email ids, case token, chat or social conversation),
   reopening a resolved case inside the reopen window; otherwise opens a new case linked to the
   customer's previous one;
4. writes the contact, its first leg, its message and attachments, and the `queued` event,
   and announces `contact_received` after commit.

Writes are batched (a handful of INSERTs per batch, whatever its size). Two concurrent batches that
race on the same new identity or contact hit a unique constraint; the batch then runs again and
finds the other's rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, OperationalError, models, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from contactpunt.contacts.announcements import Announcement, announce_many
from contactpunt.contacts.models import (
    Attachment,
    Case,
    CaseStatus,
    CaseThreadKey,
    Contact,
    ContactEvent,
    ContactLeg,
    ContactStatus,
    Direction,
    EventName,
    Identification,
    Message,
    Queue,
)
from contactpunt.contacts.services import fast_insert
from contactpunt.contacts.services.merges import final_case_ids
from contactpunt.contacts.services.queues import Routing, route
from contactpunt.contacts.services.types import FieldError, InboundContact, Outcome, Received
from contactpunt.customers.identities import IdentityKey, InvalidIdentity, normalise
from contactpunt.customers.models import Account, Customer, Identity

CASE_TOKEN = re.compile(r"\[CP-(\d{1,18})\]")
MAX_TEXT = 1_000_000
_RETRIES = 3
# From this many new contacts on (and without attachments), a batch writes its legs, messages and
# events as plain tuples: at a hundred thousand contacts, building instances cost more than the
# writes. Smaller batches keep instances, so every INSERT shares one round trip on PostgreSQL.
ROWS_FROM = 100
_LEG_COLUMNS = ("id", "contact_id", "sequence", "queue_id", "queued_at")
_MESSAGE_COLUMNS = (
    "id",
    "contact_id",
    "case_id",
    "direction",
    "author_id",
    "is_internal",
    "subject",
    "text",
    "raw",
    "raw_content_type",
    "created_at",
)
_EVENT_COLUMNS = fast_insert.CONTACT_EVENT_COLUMNS


def receive_contact(contact: InboundContact) -> Received:
    """Receive one inbound contact; see the module docstring. Never raises on bad input: a
    contact that cannot be taken comes back REJECTED with the fields named."""
    return receive_contacts([contact])[0]


def receive_contacts(contacts: Sequence[InboundContact]) -> list[Received]:
    """Receive a batch of inbound contacts in order, in one transaction; one result per contact."""
    queues = _load_queues({c.queue for c in contacts})
    region = settings.PHONE_REGION
    routes: dict[tuple[str, str], Routing | None] = {}  # a batch asks once per queue code and channel
    prepared = [_validate(index, c, queues, region, routes) for index, c in enumerate(contacts)]
    for attempt in range(_RETRIES):
        try:
            with transaction.atomic():
                return _Batch(prepared).run()
        except (IntegrityError, OperationalError) as exc:
            # A concurrent batch created one of our new identities, thread keys or contacts
            # first (or, rarely, deadlocked with us). Run again: the lookups now find its rows.
            if attempt == _RETRIES - 1 or (isinstance(exc, OperationalError) and not _is_deadlock(exc)):
                raise
    raise AssertionError("unreachable")


# -- validation -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Prepared:
    index: int
    contact: InboundContact
    queue: Queue | None = None
    fallback_reason: str = ""
    identities: list[IdentityKey] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)


def _load_queues(codes: Iterable[str]) -> dict[str, Queue]:
    return {q.code: q for q in Queue.objects.filter(code__in=set(codes), is_active=True)}


def _validate(
    index: int,
    contact: InboundContact,
    queues: dict[str, Queue],
    region: str,
    routes: dict[tuple[str, str], Routing | None],
) -> _Prepared:
    prepared = _Prepared(index, contact)
    errors = prepared.errors
    queue = queues.get(contact.queue)
    if contact.strict_queue and queue is None:
        errors.append(FieldError("queue", "unknown_queue", f"there is no active queue {contact.queue!r}"))
    elif contact.strict_queue and queue is not None and contact.channel and contact.channel != queue.channel:
        errors.append(
            FieldError(
                "channel",
                "channel_mismatch",
                f"queue {queue.code!r} takes {queue.channel} contacts, not {contact.channel}",
            )
        )
    elif not contact.strict_queue:
        key = (contact.queue, contact.channel)
        if key not in routes:
            routes[key] = route(contact.queue, contact.channel, queues)
        routing = routes[key]
        if routing is None:
            errors.append(FieldError("queue", "unknown_queue", f"there is no active queue {contact.queue!r}"))
        else:
            queue = routing.queue
            prepared.fallback_reason = routing.fallback_reason
    prepared.queue = queue
    if not contact.source:
        errors.append(FieldError("source", "required", "a contact needs a source"))
    if contact.occurred_at.tzinfo is None:
        errors.append(FieldError("occurred_at", "naive_datetime", "occurred_at needs a time zone offset"))
    elif contact.occurred_at > timezone.now() + dt.timedelta(minutes=5):
        errors.append(FieldError("occurred_at", "in_future", "occurred_at lies in the future"))
    if len(contact.text) > MAX_TEXT:
        errors.append(FieldError("text", "too_long", f"text is longer than {MAX_TEXT} characters"))
    seen: set[IdentityKey] = set()
    for position, identity in enumerate(contact.identities):
        try:
            key = normalise(identity.kind, identity.value, namespace=identity.namespace, region=region)
        except InvalidIdentity as exc:
            errors.append(FieldError(f"identities[{position}].value", "invalid_identity", str(exc)))
            continue
        if key is not None and key not in seen:
            seen.add(key)
            prepared.identities.append(key)
    return prepared


# -- the batch --------------------------------------------------------------------------------


@dataclass(slots=True)
class _Known:
    """An identity as the batch knows it: from the database or created earlier in the batch."""

    customer: Customer | None
    is_shared: bool


class _Batch:
    def __init__(self, prepared: list[_Prepared]) -> None:
        self.prepared = prepared
        self.now = timezone.now()
        self.reopen_window = dt.timedelta(days=settings.REOPEN_WINDOW_DAYS)
        self.results: list[Received | None] = [None] * len(prepared)
        self.identities: dict[IdentityKey, _Known] = {}
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
        self.new_contacts: list[tuple[_Prepared, Contact, Case, bool, bool]] = []

    def run(self) -> list[Received]:
        valid = [p for p in self.prepared if not p.errors]
        for p in self.prepared:
            if p.errors:
                self.results[p.index] = Received(Outcome.REJECTED, errors=tuple(p.errors))
        duplicates = self._existing_contacts(valid)
        fresh: list[_Prepared] = []
        seen_in_batch: dict[tuple[str, str], int] = {}
        for p in valid:
            key = (p.contact.source, p.contact.external_id) if p.contact.external_id else None
            if key and key in duplicates:
                contact = duplicates[key]
                self.results[p.index] = Received(Outcome.DUPLICATE, contact.pk, contact.case_id, contact.customer_id)
            elif key and key in seen_in_batch:
                continue  # a repeat inside this batch: answered after the writes, below
            else:
                if key:
                    seen_in_batch[key] = p.index
                fresh.append(p)
        self._load_identities(fresh)
        self._load_thread_cases(fresh)
        self._load_accounts(fresh)
        for p in fresh:
            self._decide(p)
        self._write()
        created: dict[tuple[str, str], Received] = {}
        for p, contact, case, case_created, reopened in self.new_contacts:
            received = Received(Outcome.CREATED, contact.pk, case.pk, contact.customer_id, case_created, reopened)
            self.results[p.index] = received
            if p.contact.external_id:
                created[(p.contact.source, p.contact.external_id)] = received
        for p in valid:
            if self.results[p.index] is None:
                # A repeat of an external id earlier in this same batch.
                first = created[(p.contact.source, p.contact.external_id or "")]
                self.results[p.index] = Received(Outcome.DUPLICATE, first.contact_id, first.case_id, first.customer_id)
        return [r for r in self.results if r is not None]

    # -- lookups, one query each for the whole batch --

    def _existing_contacts(self, valid: list[_Prepared]) -> dict[tuple[str, str], Contact]:
        by_source: dict[str, set[str]] = {}
        for p in valid:
            if p.contact.external_id:
                by_source.setdefault(p.contact.source, set()).add(p.contact.external_id)
        found: dict[tuple[str, str], Contact] = {}
        for source, ids in by_source.items():
            rows = Contact.objects.filter(source=source, external_id__in=ids).only(
                "id", "case_id", "customer_id", "source", "external_id"
            )
            for row in rows:
                found[(row.source, row.external_id or "")] = row
        return found

    def _load_identities(self, fresh: list[_Prepared]) -> None:
        wanted = {key for p in fresh for key in p.identities}
        if not wanted:
            return
        # One condition per (kind, namespace), so the lookup runs on the unique index that starts
        # with those columns rather than scanning every identity.
        groups: dict[tuple[str, str], set[str]] = {}
        for key in wanted:
            groups.setdefault((key.kind, key.namespace), set()).add(key.value)
        condition = Q()
        for (kind, namespace), values in groups.items():
            condition |= Q(kind=kind, namespace=namespace, value__in=values)
        rows = Identity.objects.filter(condition).select_related("customer")
        for row in rows:
            key = IdentityKey(row.kind, row.namespace, row.value)
            if key in wanted:
                customer = _follow_merges(row.customer)
                self.identities[key] = _Known(customer, row.is_shared)
        known = {k.customer.pk for k in self.identities.values() if k.customer is not None}
        if known:
            latest = Case.objects.filter(customer=OuterRef("pk")).order_by("-opened_at", "-id").values("id")[:1]
            latest_rows = Customer.objects.filter(pk__in=known).annotate(latest=Subquery(latest))
            self.latest_case_ids = dict(latest_rows.values_list("pk", "latest"))

    def _load_thread_cases(self, fresh: list[_Prepared]) -> None:
        keys: set[str] = set()
        token_ids: set[int] = set()
        for p in fresh:
            keys.update(_reply_keys(p.contact))
            keys.update(_own_keys(p.contact))
            token_ids.update(_token_case_ids(p.contact))
        if keys:
            for thread_key in CaseThreadKey.objects.filter(key__in=keys).select_related("case"):
                self.thread_cases[thread_key.key] = thread_key.case
        if token_ids:
            for case in Case.objects.filter(pk__in=token_ids):
                self.thread_cases[f"token:{case.pk}"] = case
        merged = {c.merged_into_id for c in self.thread_cases.values() if c.merged_into_id}
        if merged:
            # Merged again, maybe: follow each chain to its end.
            final = final_case_ids(merged)
            targets = Case.objects.in_bulk(set(final.values()))
            for key, case in list(self.thread_cases.items()):
                if case.merged_into_id in final:
                    self.thread_cases[key] = targets[final[case.merged_into_id]]

    def _load_accounts(self, fresh: list[_Prepared]) -> None:
        refs = {p.contact.account_ref for p in fresh if p.contact.account_ref}
        if refs:
            self.accounts = {a.external_ref: a for a in Account.objects.filter(external_ref__in=refs)}

    # -- decisions, in order, seeing what earlier contacts of the batch decided --

    def _decide(self, p: _Prepared) -> None:
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
            sender=_sender(contact),
            is_public=contact.is_public,
            ivr_path=list(contact.ivr_path),
            occurred_at=contact.occurred_at,
            recorded_at=self.now,
            fallback_reason=p.fallback_reason,
            asked_queue=contact.queue[:255] if p.fallback_reason else "",
        )
        self.new_contacts.append((p, new, case, case_created, reopened))
        for key in _own_keys(contact):
            if key not in self.thread_cases:
                self.thread_cases[key] = case
                self.new_thread_keys.append((key, case))

    def _identify(self, p: _Prepared) -> tuple[Customer | None, Identification]:
        if not p.identities:
            return None, Identification.UNKNOWN
        known = [self.identities[k] for k in p.identities if k in self.identities]
        if any(k.is_shared for k in known):
            # A switchboard number or shared mailbox says nothing about who is calling.
            return None, Identification.AMBIGUOUS
        customers = {id(k.customer): k.customer for k in known if k.customer is not None}
        if len(customers) > 1:
            return None, Identification.AMBIGUOUS
        if customers:
            customer = next(iter(customers.values()))
            identification = Identification.KNOWN
        else:
            customer = fast_insert.build(
                Customer,
                display_name=p.contact.customer_name[:200],
                language=p.contact.language[:8],
                account=self._account(p.contact.account_ref),
                created_at=p.contact.occurred_at,
            )
            self.new_customers.append(customer)
            identification = Identification.NEW
        for key in p.identities:
            if key not in self.identities:
                self.identities[key] = _Known(customer, False)
                self.new_identities.append(
                    fast_insert.build(
                        Identity,
                        kind=key.kind,
                        namespace=key.namespace,
                        value=key.value,
                        customer=customer,
                        created_at=p.contact.occurred_at,
                    )
                )
        return customer, identification

    def _account(self, ref: str) -> Account | None:
        if not ref:
            return None
        if ref not in self.accounts:
            self.accounts[ref] = Account.objects.create(name=ref, external_ref=ref)
        return self.accounts[ref]

    def _case_for(self, p: _Prepared, customer: Customer | None) -> tuple[Case, bool, bool]:
        contact = p.contact
        assert p.queue is not None
        threaded = self._threaded_case(contact, customer)
        previous: Case | None = None
        if threaded is not None:
            if threaded.is_open:
                self._touch(threaded, contact.occurred_at)
                return threaded, False, False
            resolved_at = threaded.resolved_at or threaded.opened_at
            if contact.occurred_at - resolved_at <= self.reopen_window:
                threaded.status = CaseStatus.OPEN
                threaded.reopen_count += 1
                threaded.resolved_at = None
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
        for key in _reply_keys(contact):
            if key in self.thread_cases:
                return self.thread_cases[key]
        for case_id in _token_case_ids(contact):
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

    # -- writes, a few statements for the whole batch --

    def _write(self) -> None:
        contacts = [entry[1] for entry in self.new_contacts]
        for case, previous in self.pending_links:
            case.previous_case = previous
        thread_keys = [fast_insert.build(CaseThreadKey, key=key, case=case) for key, case in self.new_thread_keys]
        parents: list[Sequence[models.Model]] = [
            self.new_customers,
            self.new_identities,
            self.new_cases,
            thread_keys,
            contacts,
        ]
        if len(contacts) >= ROWS_FROM and not any(p.contact.attachments for p, *_rest in self.new_contacts):
            fast_insert.save_new(parents)
            self._write_rows()
        else:
            self._write_instances(parents)
        if self.changed_cases:
            Case.objects.bulk_update(
                sorted(self.changed_cases.values(), key=lambda c: c.pk),
                ["status", "reopen_count", "resolved_at", "last_inbound_at"],
            )
        announce_many(
            Announcement.CONTACT_RECEIVED,
            [{"contact_id": contact.pk, "case_id": case.pk} for _p, contact, case, _c, _r in self.new_contacts],
        )
        announce_many(
            Announcement.CASE_REOPENED,
            [{"case_id": case.pk} for _p, _contact, case, _c, reopened in self.new_contacts if reopened],
        )

    def _write_rows(self) -> None:
        """The legs, messages and events of the new contacts (written already), as tuples: the
        values `_write_instances` gives its instances."""
        legs: list[tuple[Any, ...]] = []
        messages: list[tuple[Any, ...]] = []
        events: list[tuple[Any, ...]] = []
        now = self.now
        for p, contact, case, _created, reopened in self.new_contacts:
            source = p.contact
            at = source.occurred_at
            if reopened:
                events.append((EventName.REOPENED, case.pk, contact.pk, 0, None, None, at, now, "", None, {}))
            if source.offered:
                legs.append((contact.pk, 1, contact.queue_id, at))
                events.append((EventName.QUEUED, case.pk, contact.pk, 1, contact.queue_id, None, at, now, "", None, {}))
            if source.text or source.raw is not None or source.subject:
                messages.append(
                    (
                        contact.pk,
                        case.pk,
                        Direction.INBOUND,
                        None,
                        False,
                        source.subject[:500],
                        source.text,
                        source.raw,
                        source.raw_content_type[:100],
                        at,
                    )
                )
        for model, columns, rows in (
            (ContactLeg, _LEG_COLUMNS, legs),
            (Message, _MESSAGE_COLUMNS, messages),
            (ContactEvent, _EVENT_COLUMNS, events),
        ):
            ids = fast_insert.reserve_ids(model, len(rows))
            fast_insert.insert_rows(model, columns, [(pk, *row) for pk, row in zip(ids, rows, strict=True)])

    def _write_instances(self, parents: list[Sequence[models.Model]]) -> None:
        legs: list[ContactLeg] = []
        messages: list[Message] = []
        events: list[ContactEvent] = []
        attachments: list[tuple[Message, InboundContact]] = []
        for p, contact, case, _created, reopened in self.new_contacts:
            source = p.contact
            if reopened:
                events.append(
                    fast_insert.build(
                        ContactEvent,
                        name=EventName.REOPENED,
                        case=case,
                        contact=contact,
                        occurred_at=source.occurred_at,
                        recorded_at=self.now,
                    )
                )
            if source.offered:
                legs.append(
                    fast_insert.build(
                        ContactLeg, contact=contact, sequence=1, queue=contact.queue, queued_at=source.occurred_at
                    )
                )
                events.append(
                    fast_insert.build(
                        ContactEvent,
                        name=EventName.QUEUED,
                        case=case,
                        contact=contact,
                        leg=1,
                        queue=contact.queue,
                        occurred_at=source.occurred_at,
                        recorded_at=self.now,
                    )
                )
            if source.text or source.raw is not None or source.subject or source.attachments:
                message = fast_insert.build(
                    Message,
                    contact=contact,
                    case=case,
                    direction=Direction.INBOUND,
                    subject=source.subject[:500],
                    text=source.text,
                    raw=source.raw,
                    raw_content_type=source.raw_content_type[:100],
                    created_at=source.occurred_at,
                )
                messages.append(message)
                if source.attachments:
                    attachments.append((message, source))
        # Every new row of every table, keys reserved up front, in a few round trips.
        fast_insert.save_new([*parents, legs, messages, events])
        for message, source in attachments:
            for item in source.attachments:
                attachment = Attachment(
                    message=message,
                    filename=item.filename[:255] or "attachment",
                    content_type=item.content_type[:100] or "application/octet-stream",
                    size=len(item.content),
                )
                attachment.file.save(attachment.filename, ContentFile(item.content), save=False)
                attachment.save()


def _is_deadlock(exc: OperationalError) -> bool:
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) == "40P01" or "deadlock" in str(exc).lower()


def _follow_merges(customer: Customer | None) -> Customer | None:
    seen = 0
    while customer is not None and customer.merged_into_id is not None and seen < 10:
        customer = customer.merged_into
        seen += 1
    return customer


def _reply_keys(contact: InboundContact) -> list[str]:
    """Keys of earlier messages this one answers, most specific first."""
    keys: list[str] = []
    thread = contact.thread
    if thread.in_reply_to:
        keys.append(message_thread_key(thread.in_reply_to))
    keys.extend(message_thread_key(ref) for ref in reversed(thread.references) if ref)
    if thread.conversation_id:
        keys.append(_conversation_key(contact))
    return keys


def _own_keys(contact: InboundContact) -> list[str]:
    """Keys a later message may carry to join the case this contact ends up in."""
    keys = []
    if contact.thread.message_id:
        keys.append(message_thread_key(contact.thread.message_id))
    if contact.thread.conversation_id:
        keys.append(_conversation_key(contact))
    return keys


def message_thread_key(message_id: str) -> str:
    """The thread key an email Message-ID is stored under."""
    return "msg:" + message_id.strip().strip("<>").strip()[:480]


def _conversation_key(contact: InboundContact) -> str:
    # The source (a WhatsApp number, a social page, a chat widget) scopes the conversation id.
    return f"conv:{contact.source}:{contact.thread.conversation_id}"[:500]


def _token_case_ids(contact: InboundContact) -> list[int]:
    return [int(match) for match in CASE_TOKEN.findall(contact.subject)]


def _sender(contact: InboundContact) -> str:
    return contact.identities[0].value[:320] if contact.identities else ""
