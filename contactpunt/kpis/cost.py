"""Cost to serve: paid agent time times the department's cost rate, per account, product type and contact reason.

Paid time of an agent in the period is every state but offline (available, on contact, wrap-up, break, meeting,
training). Each handled leg carries its handling time (talk + hold + wrap-up; written channels: work sessions)
plus its share of the agent's idle time and shrinkage: handle_s x paid_s / handling_s of that agent in the
period. An agent without state events in the period is paid for their handling time alone. The rate is the
cost per hour of the department of the leg's queue (the agent's team rate when the queue has no department).
Cost per contact = cost / handled contacts (a contact counts once, in the period of its first handled leg);
cost per order = cost / orders placed in the period (journey).

The handled seconds and contacts come from additive day parts (`cost_parts`, kept with the day parts from the
dirty marks); the paid time, rates and names are read when asked, so a change of rate counts at once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import cast

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from contactpunt.contacts.models import AgentState, ContactEvent, ContactReason, EventName
from contactpunt.customers.models import Account, ProductType
from contactpunt.journey.models import Order
from contactpunt.kpis import cost_parts, rollups
from contactpunt.kpis.facts import queue_rules
from contactpunt.kpis.intervals import day_bounds, local_days
from contactpunt.kpis.intervals import zone as local_zone
from contactpunt.kpis.metrics import ratio, state_seconds
from contactpunt.kpis.models import CostPart, DirtyContact
from contactpunt.people.models import Department, Team, User

UNPAID = frozenset({AgentState.OFFLINE})


@dataclass(slots=True)
class CostLine:
    """The cost to serve of one group: its handled contacts, paid seconds, cost, and orders in the period."""

    name: str
    contacts: int = 0
    paid_s: float = 0.0
    cost: float = 0.0
    orders: int = 0

    @property
    def cost_per_contact(self) -> float | None:
        return ratio(self.cost, self.contacts)

    @property
    def cost_per_order(self) -> float | None:
        return ratio(self.cost, self.orders)

    def as_dict(self) -> dict[str, object]:
        return {
            "group": self.name,
            "contacts": self.contacts,
            "paid_s": round(self.paid_s, 1),
            "cost_to_serve": round(self.cost, 2),
            "cost_per_contact": None if self.cost_per_contact is None else round(self.cost_per_contact, 2),
            "orders": self.orders,
            "cost_per_order": None if self.cost_per_order is None else round(self.cost_per_order, 2),
        }


@dataclass(slots=True)
class CostReport:
    total: CostLine
    by_account: list[CostLine] = field(default_factory=list)
    by_product_type: list[CostLine] = field(default_factory=list)
    by_reason: list[CostLine] = field(default_factory=list)


def _rates() -> tuple[dict[int, float], dict[int, float]]:
    """Cost per hour per department, and per agent (their team's own rate, or its department's)."""
    departments = {pk: float(rate) for pk, rate in Department.objects.values_list("pk", "cost_per_hour")}
    teams = {
        pk: float(own if own is not None else dept)
        for pk, own, dept in Team.objects.values_list("pk", "cost_per_hour", "department__cost_per_hour")
        if own is not None or dept is not None
    }
    agents = {pk: teams[team] for pk, team in User.objects.values_list("pk", "team_id") if team in teams}
    return departments, agents


def cost_to_serve(start: dt.datetime, end: dt.datetime) -> CostReport:
    """The cost to serve of the legs that entered a queue in [start, end), with orders placed in the same days:
    from the cost parts for a period on local midnights (days a dirty contact touches folded from the events),
    else from the events."""
    sums = _from_parts(start, end)
    return definition(start, end) if sums is None else _report(sums, start, end)


def definition(start: dt.datetime, end: dt.datetime) -> CostReport:
    """Cost to serve computed from the event log alone."""
    return _report(cost_parts.fold(cost_parts.handled(start, end)), start, end)


def _from_parts(start: dt.datetime, end: dt.datetime) -> dict[cost_parts.Key, cost_parts.Sums] | None:
    zone = local_zone()
    first, last = local_days(start, end, zone)
    if (start, end) != day_bounds(first, last, zone):
        return None
    # While a backfill runs the parts are read as far as they are built (the page says so).
    dirty = [] if rollups.is_catching_up() else list(DirtyContact.objects.values_list("contact_id", flat=True))
    # A day's parts change only with the legs that entered a queue on it (a case's reason or product type, changed,
    # marks the case's contacts): the days a dirty contact entered a queue on are folded from the events now.
    stale = sorted(
        {
            at.astimezone(zone).date()
            for at in ContactEvent.objects.filter(contact_id__in=dirty, name=EventName.QUEUED).values_list(
                "occurred_at", flat=True
            )
        }
        & {first + dt.timedelta(days=n) for n in range((last - first).days + 1)}
    )
    rows = CostPart.objects.filter(day__gte=first, day__lte=last).exclude(day__in=stale).order_by()
    sums: dict[cost_parts.Key, cost_parts.Sums] = {}
    for *found, legs, contacts, handle_s in (
        rows.values("agent_id", "queue_id", "account_id", "product_type_id", "reason_id")
        .annotate(n=Sum("legs"), c=Sum("contacts"), s=Sum("handle_s"))
        .values_list("agent_id", "queue_id", "account_id", "product_type_id", "reason_id", "n", "c", "s")
    ):
        sums[cast(cost_parts.Key, tuple(found))] = cost_parts.Sums(legs, contacts, handle_s)
    for day in stale:
        for part in cost_parts.build(day, day, zone):
            key: cost_parts.Key = (part.agent_id, part.queue_id, part.account_id, part.product_type_id, part.reason_id)
            s = sums.setdefault(key, cost_parts.Sums())
            s.legs += part.legs
            s.contacts += part.contacts
            s.handle_s += part.handle_s
    return sums


def _report(sums: dict[cost_parts.Key, cost_parts.Sums], start: dt.datetime, end: dt.datetime) -> CostReport:
    rules = queue_rules()
    handling: dict[int, float] = defaultdict(float)
    for (agent, *_rest), s in sums.items():
        handling[agent] += s.handle_s
    states = state_seconds(start, end, agent_ids=list(handling))
    factor = {}
    for agent, handled in handling.items():
        paid = sum(s for state, s in states.get(agent, {}).items() if state not in UNPAID)
        factor[agent] = max(paid / handled, 1.0) if handled > 0 and paid > 0 else 1.0
    department_rate, agent_rate = _rates()
    account_products = dict(Account.objects.filter(product_type__isnull=False).values_list("pk", "product_type_id"))
    names = {
        "account": dict(Account.objects.values_list("pk", "name")),
        "product_type": dict(ProductType.objects.values_list("pk", "name")),
        "reason": dict(ContactReason.objects.values_list("pk", "name")),
    }
    total = CostLine("all")
    groups: dict[str, dict[int, CostLine]] = {key: {} for key in names}
    for (agent, queue, account, product_type, reason), s in sums.items():
        department = rules[queue].department_id if queue in rules else None
        if department is not None and department in department_rate:
            rate = department_rate[department]
        else:
            rate = agent_rate.get(agent, 0.0)
        paid = s.handle_s * factor[agent]
        cost = paid / 3600 * rate
        keys = {
            "account": account,
            # the case's product type, else the one the customer's account buys
            "product_type": product_type or account_products.get(account or 0),
            "reason": reason,
        }
        lines = [total]
        for kind, pk in keys.items():
            if pk is not None:
                lines.append(groups[kind].setdefault(pk, CostLine(str(names[kind].get(pk, pk)))))
        for line in lines:
            line.paid_s += paid
            line.cost += cost
            line.contacts += s.contacts
    orders = Order.objects.filter(ordered_on__gte=timezone.localdate(start), ordered_on__lt=timezone.localdate(end))
    total.orders = orders.count()
    for kind, column in (("account", "account_id"), ("product_type", "product_type_id")):
        for pk, count in _order_counts(orders, column).items():
            if pk in groups[kind]:
                groups[kind][pk].orders = count

    def ordered(kind: str) -> list[CostLine]:
        return sorted(groups[kind].values(), key=lambda line: (-line.cost, line.name))

    return CostReport(total, ordered("account"), ordered("product_type"), ordered("reason"))


def _order_counts(orders: QuerySet[Order], column: str) -> dict[int, int]:
    return dict(orders.exclude(**{column: None}).values(column).annotate(n=Count("id")).values_list(column, "n"))
