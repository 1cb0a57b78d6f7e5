"""Reads of the journey that check permission: a customer's orders and stays for the case page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.http import Http404

from contactpunt.access import (
    Action,
    GuestBasis,
    check,
    consents_for,
    guest_details,
    may_see_customer,
    visible_cases,
    visible_customers,
)
from contactpunt.contacts.models import Case
from contactpunt.customers import consent
from contactpunt.customers.models import Customer, CustomerNote, Identity
from contactpunt.journey.models import STAGES, MomentStatus, MomentTask, Order, Participant, Role
from contactpunt.journey.services import GuestView
from contactpunt.people.models import User

JOURNEY_ITEMS = 10


#: How many of a guest's notes and cases the panel shows beside a booking.
GUEST_ROWS = 3


@dataclass(frozen=True, slots=True)
class GuestDetails:
    """A guest's own data, shown beside another person's booking when `access.guest_details` allows it."""

    basis: str  # access.GuestBasis: role or consent
    identities: list[tuple[str, str]]  # (kind, value), oldest first
    notes: list[CustomerNote]  # the latest few
    cases: list[tuple[Case, bool]]  # the latest few, with whether the user may open the case
    case_count: int


@dataclass(frozen=True, slots=True)
class Guest:
    """Another person of a booking: always their name and role; their details only when allowed."""

    customer_id: int
    name: str
    role: str
    details: GuestDetails | None


@dataclass(frozen=True, slots=True)
class JourneyItem:
    """One order or stay as the customer panel shows it: where it stands, and who was in it."""

    order: Order
    role: str
    step: int  # the position of the current stage among its kind's stages, from 1
    steps: int
    people: list[Guest]  # the other people in it (the booker too, seen from a fellow traveller), erased ones left out
    hidden_guests: int  # erased people in it (only counted)

    @property
    def guests(self) -> list[str]:
        return [g.name for g in self.people]


def journey_for(user: User, customer: Customer | None) -> list[JourneyItem]:
    """The customer's latest orders, bookings and stays (their own and those they were a guest in), newest first;
    [] when the user may not see the customer. The other people in them are named with their role; their contact
    data, notes and contact history only as `access.guest_details` decides (`record_guest_views` audits it)."""
    if customer is None or not may_see_customer(user, customer):
        return []
    links = list(
        Participant.objects.filter(customer=customer)
        .select_related("order", "order__product_type", "order__account")
        .order_by("-order__ordered_on", "-order_id")[:JOURNEY_ITEMS]
    )
    own = {p.order_id for p in links}
    extra = list(
        Order.objects.filter(customer=customer)
        .exclude(pk__in=own)
        .select_related("product_type", "account")
        .order_by("-ordered_on", "-id")[:JOURNEY_ITEMS]
    )
    pairs = [(p.order, p.role) for p in links] + [(o, Role.BOOKER) for o in extra]
    pairs.sort(key=lambda pair: (pair[0].ordered_on, pair[0].pk), reverse=True)
    pairs = pairs[:JOURNEY_ITEMS]
    others = list(
        Participant.objects.filter(order_id__in=[o.pk for o, _r in pairs])
        .exclude(customer=customer)
        .select_related("customer")
        .order_by("order_id", "role", "pk")  # the booker first
    )
    present = [p for p in others if p.customer.erased_at is None]
    allowed = guest_details(user, customer.pk, {p.customer_id for p in present})
    details = _details(user, allowed)
    items = []
    for order, role in pairs:
        stages = STAGES[order.kind]
        mine = [p for p in others if p.order_id == order.pk]
        people = [
            Guest(p.customer_id, str(p.customer), p.role, details.get(p.customer_id))
            for p in mine
            if p.customer.erased_at is None
        ]
        items.append(
            JourneyItem(
                order=order,
                role=role,
                step=stages.index(order.stage) + 1 if order.stage in stages else 0,
                steps=len(stages),
                people=people,
                hidden_guests=len(mine) - len(people),
            )
        )
    return items


def shown_details(items: list[JourneyItem]) -> list[GuestView]:
    """The people whose details `items` show, per booking: what `record_guest_views` audits."""
    return [
        GuestView(guest.customer_id, item.order.pk, guest.details.basis)
        for item in items
        for guest in item.people
        if guest.details is not None
    ]


def _details(user: User, allowed: dict[int, GuestBasis]) -> dict[int, GuestDetails]:
    """The identities, latest notes and latest cases of the people in `allowed` (a few queries for all of them)."""
    if not allowed:
        return {}
    ids = sorted(allowed)
    identities: dict[int, list[tuple[str, str]]] = {pk: [] for pk in ids}
    for pk, kind, value in (
        Identity.objects.filter(customer_id__in=ids, is_shared=False)
        .order_by("customer_id", "created_at", "pk")
        .values_list("customer_id", "kind", "value")
    ):
        identities[pk].append((kind, value))
    notes: dict[int, list[CustomerNote]] = {pk: [] for pk in ids}
    for note in CustomerNote.objects.filter(customer_id__in=ids).order_by("customer_id", "-created_at", "-pk"):
        if len(notes[note.customer_id]) < GUEST_ROWS:
            notes[note.customer_id].append(note)
    counts = dict(
        Case.objects.filter(customer_id__in=ids)
        .values_list("customer_id")
        .annotate(n=Count("pk"))
        .values_list("customer_id", "n")
    )
    cases = {
        pk: list(Case.objects.filter(customer_id=pk).order_by("-opened_at", "-pk")[:GUEST_ROWS])
        for pk in ids
        if counts.get(pk)
    }
    shown = [c.pk for listed in cases.values() for c in listed]
    openable = set(visible_cases(user).filter(pk__in=shown).values_list("pk", flat=True))
    return {
        pk: GuestDetails(
            basis=str(allowed[pk]),
            identities=identities[pk],
            notes=notes[pk],
            cases=[(c, c.pk in openable) for c in cases.get(pk, [])],
            case_count=counts.get(pk, 0),
        )
        for pk in ids
    }


def moment_tasks_for(user: User, customer: Customer | None) -> list[MomentTask]:
    """The customer's open moment tasks (a call after a complaint, a note before arrival), soonest first; [] when
    the user may not see the customer."""
    if customer is None or not may_see_customer(user, customer):
        return []
    return list(
        MomentTask.objects.filter(customer=customer, status=MomentStatus.OPEN)
        .select_related("rule", "order")
        .order_by("due_on", "pk")[:JOURNEY_ITEMS]
    )


def get_moment_task_for_user(user: User, task_id: int) -> MomentTask:
    """The moment task when the user may see its customer (Http404 otherwise) and may write (PermissionDenied)."""
    task = (
        MomentTask.objects.filter(pk=task_id, customer__in=visible_customers(user))
        .select_related("rule", "order", "customer")
        .first()
    )
    if task is None:
        raise Http404("no such task")
    check(user, Action.WRITE)
    return task


def consent_for(user: User, customer: Customer | None) -> list[consent.PurposeState]:
    """What the customer agreed to, per purpose (with the channels that differ and the record that decided); []
    when the user may not see the customer."""
    if customer is None or not may_see_customer(user, customer):
        return []
    return consent.overview(consents_for(user, customer))


def moment_messages_for(user: User, customer: Customer | None) -> list[MomentTask]:
    """The customer's latest moment messages, sent or held back (and why), newest first; [] when the user may not
    see the customer."""
    if customer is None or not may_see_customer(user, customer):
        return []
    return list(
        MomentTask.objects.filter(customer=customer, rule__sends_message=True)
        .exclude(status=MomentStatus.OPEN)
        .select_related("rule", "order")
        .order_by("-closed_at", "-pk")[:JOURNEY_ITEMS]
    )
