"""The journey of a simulated organisation's customers, written through the journey's services in bulk: stays with
guests for the holiday parks (about 67% book again within two years, the chain's own figure; a returning booker
mostly brings the same fellow travellers, each a customer of their own, so the park knows every guest and not only
the booker), orders with product types for the web shop and the B2B supplier (per account). A stay's stage follows
from its dates on the last day: booked, before arrival (the last two weeks), during, after."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from contactpunt.contacts.models import ContactReason
from contactpunt.customers import services as customers
from contactpunt.customers.models import Account, Customer
from contactpunt.journey.models import Order, OrderKind, Stage
from contactpunt.journey.services import OrderInput, mark_complaint_reasons, record_orders
from contactpunt.simulation.names import FIRST_NAMES, LAST_NAMES

RETURN_WITHIN_TWO_YEARS = 0.67
#: The demo's first start stays fast: at most this many customers get a journey (an even sample of them).
MAX_CUSTOMERS = 20_000
HISTORY_DAYS = 3 * 365
PRODUCTS = {
    "greeting-cards": ("Wenskaarten", "Geboortekaartjes", "Cadeaus"),
    "b2b-supplier": ("Premium koffiemachines", "Bonen en capsules", "Onderhoudscontracten"),
    "telecom": ("Mobiel", "Internet en tv"),
    "holiday-parks": ("Bungalow 4 personen", "Bungalow 6 personen", "Lodge 8 personen"),
}
#: How many fellow travellers a first stay has (equally likely), and the chance each comes along again on a return.
PARTY_SIZES = (0, 1, 1, 2, 2, 3, 4)
SAME_PARTY = 0.8
COMPLAINTS = {"tijdens-storing", "na-borg", "levering-beschadigd", "product-drukfout", "order-levering"}


@dataclass(frozen=True, slots=True)
class Written:
    orders: int
    guests: int


def stage_on(kind: str, today: dt.date, starts: dt.date, ends: dt.date, ordered: dt.date) -> str:
    """Where an order (by its age) or a stay or booking (by its arrival and departure) stands on `today`."""
    if kind == OrderKind.ORDER:
        age = (today - ordered).days
        return Stage.ORDERED if age < 1 else Stage.SHIPPED if age < 3 else Stage.DELIVERED
    if today < starts - dt.timedelta(days=14):
        return Stage.BOOKED
    if today < starts:
        return Stage.BEFORE_ARRIVAL
    return Stage.DURING if today <= ends else Stage.AFTER


def _order_days(rng: random.Random, today: dt.date) -> list[dt.date]:
    """A customer's order days: a first one in the last three years and, for about 67%, another within two years
    (some a third); only days up to today (nobody books in the future)."""
    first = today - dt.timedelta(days=rng.randint(20, HISTORY_DAYS))
    days = [first]
    while rng.random() < (RETURN_WITHIN_TWO_YEARS if len(days) == 1 else 0.4):
        days.append(days[-1] + dt.timedelta(days=rng.randint(30, 730)))
    return [d for d in days if d <= today]


def _party(rng: random.Random, before: tuple[int, ...], planned: int) -> tuple[tuple[int, ...], int]:
    """The fellow travellers of a booker's next stay (numbers of planned guests) and the guests planned so far: on a
    first stay 0 to 4 new ones; on a return most of the same people come again (`SAME_PARTY`), sometimes with
    someone new. Every guest stays a customer of their own, recognised when they return."""
    if not before:
        size = rng.choice(PARTY_SIZES)
        return tuple(range(planned, planned + size)), planned + size
    kept = tuple(g for g in before if rng.random() < SAME_PARTY)
    extra = 1 if rng.random() < 0.25 and len(kept) < max(PARTY_SIZES) else 0
    return kept + tuple(range(planned, planned + extra)), planned + extra


def write_journeys(scenario: str, *, today: dt.date, seed: int, source: str) -> Written:
    """Give every customer of the simulated organisation their orders or stays (idempotent on the order ids)."""
    if Order.objects.filter(source=source, external_id__startswith=f"{scenario}-{seed}-").exists():
        return Written(0, 0)  # written before (a restart): the same customers would get their guests twice
    rng = random.Random(f"journeys-{scenario}-{seed}")  # noqa: S311 - simulated data, not secrets
    kind = OrderKind.STAY if scenario == "holiday-parks" else OrderKind.ORDER
    products = {name: customers.product_type_named(name).pk for name in PRODUCTS.get(scenario, ("Bestellingen",))}
    account_products = {
        pk: sorted(products.values())[pk % len(products)] for pk in Account.objects.values_list("pk", flat=True)
    }
    people = list(
        Customer.objects.filter(erased_at__isnull=True, merged_into__isnull=True, cases__isnull=False)
        .distinct()
        .values_list("pk", "account_id")
        .order_by("pk")
    )
    if len(people) > MAX_CUSTOMERS:
        people = people[:: -(-len(people) // MAX_CUSTOMERS)]
    plans: list[tuple[int, int | None, dt.date, tuple[int, ...]]] = []
    new_guests = 0  # guests are numbered as planned, then created in one go
    for person, account in people:
        party: tuple[int, ...] = ()
        for day in _order_days(rng, today):
            if kind == OrderKind.STAY:
                party, new_guests = _party(rng, party, new_guests)
            plans.append((person, account, day, party))
    guest_ids = customers.create_customers(
        [f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _n in range(new_guests)]
    )
    items = []
    for number, (customer_id, account_id, day, party) in enumerate(plans):
        starts = day + dt.timedelta(days=rng.randint(14, 150)) if kind == OrderKind.STAY else None
        ends = starts + dt.timedelta(days=rng.choice((3, 4, 7))) if starts else None
        product = account_products.get(account_id) if account_id else rng.choice(sorted(products.values()))
        items.append(
            OrderInput(
                source=source,
                external_id=f"{scenario}-{seed}-{number}",
                kind=kind,
                ordered_on=day,
                customer_id=customer_id,
                account_id=account_id,
                product_type_id=product,
                amount=Decimal(rng.randint(300, 1500) if kind == OrderKind.STAY else rng.randint(5, 400)),
                stage=stage_on(kind, today, starts or day, ends or day, day),
                starts_on=starts,
                ends_on=ends,
                fellow_travellers=tuple(guest_ids[n] for n in party),
            )
        )
    written = record_orders(items)
    mark_complaint_reasons(list(ContactReason.objects.filter(code__in=COMPLAINTS).values_list("pk", flat=True)))
    return Written(written.created, len(guest_ids))
