"""Reads of the journey that check permission: a customer's orders and stays for the case page."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from contactpunt.access import Action, check, consents_for, visible_customers
from contactpunt.customers import consent
from contactpunt.customers.models import Customer
from contactpunt.journey.models import STAGES, MomentStatus, MomentTask, Order, Participant, Role
from contactpunt.people.models import User

JOURNEY_ITEMS = 10


@dataclass(frozen=True, slots=True)
class JourneyItem:
    """One order or stay as the customer panel shows it: where it stands, and who was in it."""

    order: Order
    role: str
    step: int  # the position of the current stage among its kind's stages, from 1
    steps: int
    guests: list[str]  # the names of the fellow travellers the user may see
    hidden_guests: int  # fellow travellers the user may not see (only counted)


def journey_for(user: User, customer: Customer | None) -> list[JourneyItem]:
    """The customer's latest orders, bookings and stays (their own and those they were a guest in), newest first;
    [] when the user may not see the customer. Guests are named only when the user may see them as customers."""
    if customer is None or not visible_customers(user).filter(pk=customer.pk).exists():
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
        .order_by("order_id", "pk")
    )
    visible = set(visible_customers(user).filter(pk__in=[p.customer_id for p in others]).values_list("pk", flat=True))
    items = []
    for order, role in pairs:
        stages = STAGES[order.kind]
        mine = [p for p in others if p.order_id == order.pk]
        named = [str(p.customer) for p in mine if p.customer_id in visible and p.customer.erased_at is None]
        items.append(
            JourneyItem(
                order=order,
                role=role,
                step=stages.index(order.stage) + 1 if order.stage in stages else 0,
                steps=len(stages),
                guests=named,
                hidden_guests=len(mine) - len(named),
            )
        )
    return items


def moment_tasks_for(user: User, customer: Customer | None) -> list[MomentTask]:
    """The customer's open moment tasks (a call after a complaint, a note before arrival), soonest first; [] when
    the user may not see the customer."""
    if customer is None or not visible_customers(user).filter(pk=customer.pk).exists():
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
    if customer is None or not visible_customers(user).filter(pk=customer.pk).exists():
        return []
    return consent.overview(consents_for(user, customer))


def moment_messages_for(user: User, customer: Customer | None) -> list[MomentTask]:
    """The customer's latest moment messages, sent or held back (and why), newest first; [] when the user may not
    see the customer."""
    if customer is None or not visible_customers(user).filter(pk=customer.pk).exists():
        return []
    return list(
        MomentTask.objects.filter(customer=customer, rule__sends_message=True)
        .exclude(status=MomentStatus.OPEN)
        .select_related("rule", "order")
        .order_by("-closed_at", "-pk")[:JOURNEY_ITEMS]
    )
