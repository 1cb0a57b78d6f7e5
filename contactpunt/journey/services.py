"""Every write to orders, bookings and stays: record one (idempotent on its source's id), change its stage,
record many at once (imports)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from contactpunt.audit import services as audit
from contactpunt.customers.models import Customer
from contactpunt.fast_insert import insert_rows, reserve_ids
from contactpunt.journey.models import (
    STAGES,
    ComplaintReason,
    Order,
    OrderKind,
    Participant,
    Role,
    SegmentRule,
    StageChange,
)
from contactpunt.people.models import User


class OrderRejected(ValueError):
    """The order cannot be taken as sent; `field` names what is wrong."""

    def __init__(self, field_name: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.code = code


def check_stage(kind: str, stage: str) -> str:
    """Return `stage` when it is a stage of `kind`; raise OrderRejected naming the field `status`."""
    if stage not in STAGES[kind]:
        allowed = ", ".join(STAGES[kind])
        raise OrderRejected("status", "unknown_stage", f"a {kind} has the stages {allowed}, not {stage!r}")
    return stage


@dataclass(frozen=True, slots=True)
class OrderInput:
    """One order as a source sends it; `customer_id` is already recognised (None when nobody is)."""

    source: str
    external_id: str
    ordered_on: dt.date
    customer_id: int | None
    kind: str = OrderKind.ORDER
    amount: Decimal = Decimal(0)
    ordered_at: dt.datetime | None = None
    account_id: int | None = None
    product_type_id: int | None = None
    stage: str = ""
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    fellow_travellers: tuple[int, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Recorded:
    order: Order
    created: bool
    stage_changed: bool


def _new_order(item: OrderInput, now: dt.datetime) -> Order:
    stage = check_stage(item.kind, item.stage or STAGES[item.kind][0])
    return Order(
        kind=item.kind,
        source=item.source,
        external_id=item.external_id,
        customer_id=item.customer_id,
        account_id=item.account_id,
        product_type_id=item.product_type_id,
        amount=item.amount,
        ordered_on=item.ordered_on,
        ordered_at=item.ordered_at,
        starts_on=item.starts_on,
        ends_on=item.ends_on,
        stage=stage,
        stage_changed_at=item.ordered_at or dt.datetime.combine(item.ordered_on, dt.time(), tzinfo=dt.UTC),
        created_at=now,
    )


def _participants(order: Order, item: OrderInput) -> list[Participant]:
    rows = []
    if item.customer_id is not None:
        rows.append(Participant(order=order, customer_id=item.customer_id, role=Role.BOOKER))
    rows.extend(
        Participant(order=order, customer_id=pk, role=Role.FELLOW_TRAVELLER)
        for pk in dict.fromkeys(item.fellow_travellers)
        if pk != item.customer_id
    )
    return rows


def change_stage(*, order: Order, stage: str, occurred_at: dt.datetime | None = None) -> bool:
    """Move the order to `stage` (one of its kind's), recording the change; False when it is already there."""
    check_stage(order.kind, stage)
    when = occurred_at or timezone.now()
    with transaction.atomic():
        moved = Order.objects.filter(pk=order.pk).exclude(stage=stage).update(stage=stage, stage_changed_at=when)
        if not moved:
            return False
        StageChange.objects.create(order=order, stage=stage, occurred_at=when)
    order.stage, order.stage_changed_at = stage, when
    return True


def record_order(item: OrderInput, *, stage_at: dt.datetime | None = None) -> Recorded:
    """Store the order, or find it again by (source, external id): a repeat changes nothing but its stage,
    when the repeat brings another one (a status change). Raise OrderRejected for a stage its kind lacks."""
    now = timezone.now()
    existing = Order.objects.filter(source=item.source, external_id=item.external_id).first()
    if existing is None:
        order = _new_order(item, now)
        with transaction.atomic():
            if Order.objects.filter(source=item.source, external_id=item.external_id).exists():
                existing = Order.objects.get(source=item.source, external_id=item.external_id)
            else:
                order.save()
                StageChange.objects.create(order=order, stage=order.stage, occurred_at=order.stage_changed_at)
                Participant.objects.bulk_create(_participants(order, item))
                audit.record(actor=None, action="journey.order_recorded", obj=order, changes={"source": item.source})
                return Recorded(order, True, False)
    changed = False
    if item.stage and item.stage != existing.stage:
        changed = change_stage(order=existing, stage=item.stage, occurred_at=stage_at)
    return Recorded(existing, False, changed)


@dataclass(slots=True)
class BulkResult:
    created: int = 0
    duplicates: int = 0
    stage_changes: int = 0


def record_orders(items: Sequence[OrderInput], *, batch_size: int = 2000) -> BulkResult:
    """Store many orders set-based: new ones in bulk (with their first stage and their booker), repeats by
    (source, external id) left as they are unless they bring another stage. The first of two items with the
    same id in `items` counts; the second is a repeat."""
    result = BulkResult()
    now = timezone.now()
    for start in range(0, len(items), batch_size):
        batch = items[start : start + batch_size]
        by_source: dict[str, set[str]] = {}
        for item in batch:
            by_source.setdefault(item.source, set()).add(item.external_id)
        existing: dict[tuple[str, str], Order] = {}
        for source, ids in by_source.items():
            for order in Order.objects.filter(source=source, external_id__in=ids).only(
                "pk", "source", "external_id", "kind", "stage"
            ):
                existing[(order.source, order.external_id)] = order
        fresh: dict[tuple[str, str], OrderInput] = {}
        repeats: list[tuple[Order, str]] = []
        for item in batch:
            key = (item.source, item.external_id)
            if key in existing:
                result.duplicates += 1
                if item.stage and item.stage != existing[key].stage:
                    repeats.append((existing[key], item.stage))
            elif key in fresh:
                result.duplicates += 1
            else:
                check_stage(item.kind, item.stage or STAGES[item.kind][0])
                fresh[key] = item
        with transaction.atomic():
            created = _insert_new(list(fresh.values()), now)
            for order, stage in repeats:
                result.stage_changes += change_stage(order=order, stage=stage, occurred_at=now)
        result.created += created
    return result


def change_segment_rule(*, rule: SegmentRule, changes: dict[str, Any], by: object) -> SegmentRule:
    """Change a segment rule's name, position and ranges, audited with who did it."""
    fields = [name for name in changes if name in {f.name for f in SegmentRule._meta.get_fields()} and name != "id"]
    before = {name: getattr(rule, name) for name in fields}
    for name in fields:
        setattr(rule, name, changes[name])
    rule.save(update_fields=fields)
    actor = by if isinstance(by, User) else None
    audit.record(actor=actor, action="journey.segment_rule_changed", obj=rule, changes={"before": before})
    return rule


def mark_complaint_reasons(reason_ids: Sequence[int]) -> None:
    """Count these contact reasons as complaints when service is set beside loyalty (idempotent)."""
    ComplaintReason.objects.bulk_create([ComplaintReason(reason_id=pk) for pk in reason_ids], ignore_conflicts=True)


_ORDER_COLUMNS = (
    "id", "kind", "source", "external_id", "customer_id", "account_id", "product_type_id", "amount", "ordered_on",
    "ordered_at", "starts_on", "ends_on", "stage", "stage_changed_at", "created_at",
)  # fmt: skip


def _insert_new(items: list[OrderInput], now: dt.datetime) -> int:
    """Write new orders with their first stage and their people as plain rows: no model instances (their
    `__init__` costs more than the database's work at import sizes), no per-row SQL. Inside a transaction."""
    if not items:
        return 0
    ids = reserve_ids(Order, len(items))
    rows, changes, people = [], [], []
    for pk, item in zip(ids, items, strict=True):
        stage = item.stage or STAGES[item.kind][0]
        moment = item.ordered_at or dt.datetime.combine(item.ordered_on, dt.time(), tzinfo=dt.UTC)
        rows.append(
            (pk, item.kind, item.source, item.external_id, item.customer_id, item.account_id, item.product_type_id,
             item.amount, item.ordered_on, item.ordered_at, item.starts_on, item.ends_on, stage, moment, now)
        )  # fmt: skip
        changes.append((pk, stage, moment, now))
        if item.customer_id is not None:
            people.append((pk, item.customer_id, Role.BOOKER))
        people.extend(
            (pk, guest, Role.FELLOW_TRAVELLER)
            for guest in dict.fromkeys(item.fellow_travellers)
            if guest != item.customer_id
        )
    insert_rows(Order, _ORDER_COLUMNS, rows)
    change_ids = reserve_ids(StageChange, len(changes))
    insert_rows(
        StageChange,
        ("id", "order_id", "stage", "occurred_at", "recorded_at"),
        [(key, *row) for key, row in zip(change_ids, changes, strict=True)],
    )
    people_ids = reserve_ids(Participant, len(people))
    insert_rows(
        Participant,
        ("id", "order_id", "customer_id", "role"),
        [(key, *row) for key, row in zip(people_ids, people, strict=True)],
    )
    return len(rows)


@dataclass(frozen=True, slots=True)
class GuestView:
    """One person's details shown to a user beside another customer's booking."""

    guest_id: int
    order_id: int
    basis: str  # access.GuestBasis


def record_guest_views(*, by: User, customer_id: int, shown: Sequence[GuestView]) -> int:
    """Audit that `by` was shown these people's contact data, notes and contact history beside the bookings of the
    customer `customer_id` (one entry per person and booking, on the person); return how many."""
    return audit.record_many(
        actor=by,
        action="customer.guest_viewed",
        changes=[
            (Customer(pk=view.guest_id), {"order": view.order_id, "beside": customer_id, "basis": view.basis})
            for view in shown
        ],
    )
