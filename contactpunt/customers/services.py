"""Every write to the customers app's rows: notes that carry over, accounts met by the inbound service, the
customers' own part of a merge and an erasure (contacts moves and blanks its rows, then calls these), customers
recognised by their identities (set-based, for imports), the new customers and identities of an inbound batch
(built here, written in one go), and accounts and product types by name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.db import transaction

from contactpunt import fast_insert
from contactpunt.audit import services as audit
from contactpunt.customers.identities import IdentityKey
from contactpunt.customers.models import (
    Account,
    Consent,
    ConsentChannel,
    ConsentPurpose,
    ConsentSource,
    Customer,
    CustomerMerge,
    CustomerNote,
    Identity,
    ProductType,
)
from contactpunt.people.models import User


def new_customer(*, name: str, language: str, account: Account | None, at: dt.datetime) -> Customer:
    """A customer first met at `at`, not yet written (an inbound batch writes its new customers together with
    `insert_new`); cheap to build for many."""
    return fast_insert.build(Customer, display_name=name[:200], language=language[:8], account=account, created_at=at)


def new_identity(key: IdentityKey, *, customer: Customer, at: dt.datetime) -> Identity:
    """`key` as the identity of `customer` (maybe not written yet), first seen at `at`; not yet written."""
    return fast_insert.build(
        Identity, kind=key.kind, namespace=key.namespace, value=key.value, customer=customer, created_at=at
    )


def insert_new(customers: Sequence[Customer], identities: Sequence[Identity]) -> None:
    """Write the customers and identities built by `new_customer` and `new_identity`, in as few round trips as the
    database allows; inside the caller's transaction (a batch that fails writes none of them)."""
    fast_insert.save_new([customers, identities])


def add_note(*, customer: Customer, author: User | None, text: str) -> CustomerNote:
    """Add a note that every later case of this customer shows."""
    note = CustomerNote.objects.create(customer=customer, author=author, text=text)
    audit.record(actor=author, action="customer.note_added", obj=customer, changes={"note": note.pk})
    return note


def create_account(*, name: str, external_ref: str = "", product_type: ProductType | None = None) -> Account:
    """A new business account (the inbound service makes one for an account reference it has not met), buying
    `product_type` when given (cost to serve is then counted per product type for its contacts too)."""
    return Account.objects.create(name=name[:200], external_ref=external_ref[:100], product_type=product_type)


def link_to_account(*, account: Account, customer_ids: Collection[int]) -> int:
    """Make the customers people of `account` (a retailer's staff who contact us), set-based for imports and the
    demo; return how many changed. Erased and merged-away customers are left alone."""
    return (
        Customer.objects.filter(pk__in=list(customer_ids), erased_at__isnull=True, merged_into__isnull=True)
        .exclude(account=account)
        .update(account=account)
    )


def absorb_customer(*, source: Customer, target: Customer, by: User | None, moved: dict[str, int]) -> dict[str, int]:
    """The customers' part of merging `source` into `target` (both locked by the caller, inside its transaction):
    identities and notes move, the target keeps its name and account or takes the source's, the source points at
    the target, and a CustomerMerge row records everything moved (`moved`: what the caller moved, e.g. cases).
    Return `moved` with the identities and notes added."""
    moved = {
        **moved,
        "identities": Identity.objects.filter(customer=source).update(customer=target),
        "notes": CustomerNote.objects.filter(customer=source).update(customer=target),
        "consents": Consent.objects.filter(customer=source).update(customer=target),
    }
    if not target.display_name and source.display_name:
        target.display_name = source.display_name
    if target.account_id is None and source.account_id is not None:
        target.account_id = source.account_id
    target.save(update_fields=["display_name", "account"])
    source.merged_into = target
    source.save(update_fields=["merged_into"])
    CustomerMerge.objects.create(source_id=source.pk, target=target, merged_by=by, moved=moved)
    return moved


def erase_customer_rows(*, customer_ids: Collection[int], erased_at: dt.datetime) -> None:
    """The customers' part of an erasure (inside the caller's transaction): identities and notes go, the
    customers keep their id with no name and the time of erasure."""
    Identity.objects.filter(customer_id__in=customer_ids).delete()
    CustomerNote.objects.filter(customer_id__in=customer_ids).delete()
    Consent.objects.filter(customer_id__in=customer_ids).delete()
    Customer.objects.filter(pk__in=customer_ids).update(display_name="", erased_at=erased_at)


def _final_customer_ids(customer_ids: set[int]) -> dict[int, int]:
    """Map each customer id to the customer it was (finally) merged into, or to itself. Merges are few: their
    pointers are read at once (a set of many ids would exceed the database's limit of query parameters)."""
    pointers = dict(Customer.objects.filter(merged_into__isnull=False).values_list("pk", "merged_into_id"))
    final = {}
    for pk in customer_ids:
        target, hops = pk, 0
        while target in pointers and hops < 10:
            target, hops = pointers[target], hops + 1
        final[pk] = target
    return final


def customers_for_identities(keys: Sequence[IdentityKey | None], *, names: Sequence[str] = ()) -> list[int | None]:
    """Return the id of the customer each identity recognises, creating a customer (with that identity) for an
    identity seen for the first time; set-based, for imports of many rows.

    None for a key that is None (it identifies nobody) or a shared identity (a switchboard number, a shared
    mailbox: never linked automatically). A merged-away customer answers with the customer it went into. The
    same key twice in `keys` is the same customer. `names` (parallel to `keys`) name new customers.
    """
    wanted = {key for key in keys if key is not None}
    found: dict[IdentityKey, int | None] = {}
    by_group: dict[tuple[str, str], set[str]] = {}
    for key in wanted:
        by_group.setdefault((key.kind, key.namespace), set()).add(key.value)
    no_customer: list[IdentityKey] = []
    for (kind, namespace), values in by_group.items():
        ordered = sorted(values)
        for start in range(0, len(ordered), 900):
            rows = Identity.objects.filter(kind=kind, namespace=namespace, value__in=ordered[start : start + 900])
            for value, customer_id, is_shared in rows.values_list("value", "customer_id", "is_shared"):
                key = IdentityKey(kind, namespace, value)
                if is_shared:
                    found[key] = None
                elif customer_id is None:
                    no_customer.append(key)
                else:
                    found[key] = customer_id
    final = _final_customer_ids({pk for pk in found.values() if pk is not None})
    found = {key: (final[pk] if pk is not None else None) for key, pk in found.items()}
    name_of = {key: name for key, name in zip(keys, names, strict=False) if key is not None and name}
    unowned = set(no_customer)
    fresh = sorted((wanted - found.keys()) | unowned, key=lambda k: (k.kind, k.namespace, k.value))
    if fresh:
        with transaction.atomic():
            created = Customer.objects.bulk_create([Customer(display_name=name_of.get(k, "")[:200]) for k in fresh])
            for key, customer in zip(fresh, created, strict=True):
                found[key] = customer.pk
            for key in unowned:  # an identity stored without a customer (rare): it gets its customer now
                Identity.objects.filter(kind=key.kind, namespace=key.namespace, value=key.value).update(
                    customer_id=found[key]
                )
            Identity.objects.bulk_create(
                [
                    Identity(kind=k.kind, namespace=k.namespace, value=k.value, customer_id=found[k])
                    for k in fresh
                    if k not in unowned
                ],
                batch_size=900,
            )
    return [found.get(key) if key is not None else None for key in keys]


def create_customer(*, name: str = "", account: Account | None = None) -> Customer:
    """A new customer without an identity (a guest known only by name): never matched to anyone else."""
    return Customer.objects.create(display_name=name[:200], account=account)


def account_for_ref(ref: str) -> Account:
    """The account with this external reference, created (named after it) the first time it is seen."""
    account, _created = Account.objects.get_or_create(external_ref=ref[:100], defaults={"name": ref[:200]})
    return account


def product_type_named(name: str) -> ProductType:
    """The product type with this name, created the first time it is seen."""
    product_type, _created = ProductType.objects.get_or_create(name=name[:100])
    return product_type


def customer_for_identities(
    keys: Sequence[IdentityKey], *, name: str = "", account: Account | None = None
) -> int | None:
    """The id of the one person these identities (of one person) recognise: the customer of the first known one,
    who is given the unknown ones; a new customer with all of them when none is known; None when every key is a
    shared identity. Identities of other customers are left with them: nobody is merged automatically."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return None
    with transaction.atomic():
        known: dict[IdentityKey, Identity] = {}
        for key in wanted:
            row = Identity.objects.filter(kind=key.kind, namespace=key.namespace, value=key.value).first()
            if row is not None:
                known[key] = row
        owners = [
            row.customer_id for key in wanted if (row := known.get(key)) and not row.is_shared and row.customer_id
        ]
        if owners:
            customer_id = _final_customer_ids({owners[0]})[owners[0]]
        elif known and all(row.is_shared for row in known.values()) and len(known) == len(wanted):
            return None
        else:
            customer_id = create_customer(name=name, account=account).pk
        Identity.objects.bulk_create(
            [
                Identity(kind=k.kind, namespace=k.namespace, value=k.value, customer_id=customer_id)
                for k in wanted
                if k not in known
            ],
            ignore_conflicts=True,
        )
        Identity.objects.filter(
            pk__in=[r.pk for r in known.values() if r.customer_id is None and not r.is_shared]
        ).update(customer_id=customer_id)
    return customer_id


def create_customers(names: Sequence[str]) -> list[int]:
    """New customers without identities (guests known by name), in bulk; their ids in the order of `names`."""
    return [c.pk for c in Customer.objects.bulk_create([Customer(display_name=n[:200]) for n in names], batch_size=900)]


class ConsentRejected(ValueError):
    """The consent cannot be recorded as given; `field` names what is wrong."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


def _check_consent(purpose: str, channel: str, source: str) -> None:
    for name, value, choices in (
        ("purpose", purpose, ConsentPurpose.values),
        ("channel", channel, ConsentChannel.values),
        ("source", source, ConsentSource.values),
    ):
        if value not in choices:
            raise ConsentRejected(name, f"{name} {value!r} is not one of {', '.join(map(repr, choices))}")
    if purpose == ConsentPurpose.SHARING and channel:
        raise ConsentRejected("channel", "sharing within a booking is agreed for every channel at once")


def record_consent(
    *,
    customer: Customer,
    purpose: str,
    channel: str = ConsentChannel.ANY,
    is_granted: bool,
    source: str,
    by: User | None,
    at: dt.datetime,
    note: str = "",
    actor_label: str = "",
) -> Consent:
    """Record that `customer` said yes or no (`is_granted`) to being approached for `purpose` on `channel` ("" for
    every channel) at `at`, how it came in (`source`) and who recorded it (`by`, None for the customer themself or
    a system, then named by `actor_label` in the audit log); audited. A record never replaces another: the latest
    that applies decides (`customers.consent`). Raise ConsentRejected for an unknown purpose, channel or
    source, or an erased customer."""
    _check_consent(purpose, channel, source)
    if customer.erased_at is not None:
        raise ConsentRejected("customer", "the customer was erased")
    with transaction.atomic():
        consent = Consent.objects.create(
            customer=customer,
            purpose=purpose,
            channel=channel,
            is_granted=is_granted,
            given_at=at,
            source=source,
            recorded_by=by,
            note=note[:300],
        )
        audit.record(
            actor=by,
            actor_label=actor_label or ("" if by else source),
            action="customer.consent_recorded",
            obj=customer,
            changes={"purpose": purpose, "channel": channel, "granted": is_granted, "source": source},
        )
    return consent


@dataclass(frozen=True, slots=True)
class ConsentInput:
    """One yes or no of an import: the customer, the purpose, the channel ("" every channel), when it was given."""

    customer_id: int
    purpose: str
    is_granted: bool
    given_at: dt.datetime
    channel: str = ConsentChannel.ANY


def record_consents(*, items: Sequence[ConsentInput], source: str, by: User | None, note: str = "") -> int:
    """Record many yeses and noes at once (an import, a linked booking system), set-based, each audited on its
    customer; erased and unknown customers are left out. Return how many were recorded. Raise ConsentRejected for
    an unknown purpose, channel or source (nothing is written then)."""
    for item in items:
        _check_consent(item.purpose, item.channel, source)
    ids = sorted({item.customer_id for item in items})
    known: dict[int, Customer] = {}
    for start in range(0, len(ids), 900):
        known.update(
            (c.pk, c) for c in Customer.objects.filter(pk__in=ids[start : start + 900], erased_at__isnull=True)
        )
    kept = [item for item in items if item.customer_id in known]
    with transaction.atomic():
        Consent.objects.bulk_create(
            [
                Consent(
                    customer_id=item.customer_id,
                    purpose=item.purpose,
                    channel=item.channel,
                    is_granted=item.is_granted,
                    given_at=item.given_at,
                    source=source,
                    recorded_by=by,
                    note=note[:300],
                )
                for item in kept
            ],
            batch_size=500,
        )
        audit.record_many(
            actor=by,
            actor_label="" if by else source,
            action="customer.consent_recorded",
            changes=[
                (
                    known[item.customer_id],
                    {"purpose": item.purpose, "channel": item.channel, "granted": item.is_granted, "source": source},
                )
                for item in kept
            ],
        )
    return len(kept)
