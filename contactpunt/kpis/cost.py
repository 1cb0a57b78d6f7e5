"""Cost to serve: paid agent time times the department's cost rate, per account, product type and contact reason.

Paid time of an agent in the period is every state but offline (available, on contact, wrap-up, break, meeting,
training). Each handled leg carries its handling time (talk + hold + wrap-up; written channels: work sessions)
plus its share of the agent's idle time and shrinkage: handle_s x paid_s / handling_s of that agent in the
period. An agent without state events in the period is paid for their handling time alone. The rate is the
cost per hour of the department of the leg's queue (the agent's team rate when the queue has no department).
Cost per contact = cost / handled contacts; cost per order = cost / orders placed in the period (journey).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.utils import timezone

from contactpunt.contacts.models import AgentState, Case, ContactReason
from contactpunt.customers.models import Account, ProductType
from contactpunt.journey.models import Order
from contactpunt.kpis.facts import LEG, load_units, queue_rules
from contactpunt.kpis.metrics import ratio, state_seconds
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
    """The cost to serve of the legs that entered a queue in [start, end), with orders placed in the same days."""
    rules = queue_rules()
    legs = [u for u in load_units(start, end, level=LEG, rules=rules) if u.is_handled and u.agent_id is not None]
    handling: dict[int, float] = defaultdict(float)
    for leg in legs:
        assert leg.agent_id is not None
        handling[leg.agent_id] += leg.handle_s
    states = state_seconds(start, end, agent_ids=list(handling))
    factor = {}
    for agent, handled in handling.items():
        paid = sum(s for state, s in states.get(agent, {}).items() if state not in UNPAID)
        factor[agent] = max(paid / handled, 1.0) if handled > 0 and paid > 0 else 1.0
    department_rate, agent_rate = _rates()
    reasons = dict(
        Case.objects.filter(pk__in={leg.case_id for leg in legs}, reason__isnull=False).values_list("pk", "reason_id")
    )
    account_products = dict(Account.objects.filter(product_type__isnull=False).values_list("pk", "product_type_id"))
    names = {
        "account": dict(Account.objects.values_list("pk", "name")),
        "product_type": dict(ProductType.objects.values_list("pk", "name")),
        "reason": dict(ContactReason.objects.values_list("pk", "name")),
    }
    total = CostLine("all")
    groups: dict[str, dict[int, CostLine]] = {key: {} for key in names}
    seen: dict[str, set[tuple[int, int]]] = {key: set() for key in [*names, "all"]}
    for leg in legs:
        assert leg.agent_id is not None
        department = rules[leg.queue_id].department_id if leg.queue_id in rules else None
        if department is not None and department in department_rate:
            rate = department_rate[department]
        else:
            rate = agent_rate.get(leg.agent_id, 0.0)
        paid = leg.handle_s * factor[leg.agent_id]
        cost = paid / 3600 * rate
        keys = {
            "account": leg.account_id,
            # the case's product type, else the one the customer's account buys
            "product_type": leg.product_type_id or account_products.get(leg.account_id or 0),
            "reason": reasons.get(leg.case_id),
        }
        lines: list[tuple[str, int, CostLine]] = [("all", 0, total)]
        for kind, pk in keys.items():
            if pk is not None:
                line = groups[kind].setdefault(pk, CostLine(str(names[kind].get(pk, pk))))
                lines.append((kind, pk, line))
        for kind, pk, line in lines:
            line.paid_s += paid
            line.cost += cost
            if (pk, leg.contact_id) not in seen[kind]:
                seen[kind].add((pk, leg.contact_id))
                line.contacts += 1
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
