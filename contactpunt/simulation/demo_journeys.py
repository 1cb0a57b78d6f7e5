"""The demo shop's business customers and workshop bookings, beside the consumer orders every simulation writes
(`contactpunt.simulation.journeys`): a separate step of the demo's first start, written set-based through the
customers' and the journey's services.

- **Business customers**: retailers that sell the shop's cards (bookshops, office-supply and gift shops), each an
  account buying one product type, with a few of the demo's customers as their staff (their contacts then count
  for the account on the SPOC page), ordering every few weeks for three years up to today (paid, shipped,
  delivered; a rare return).
- **Workshops**: a share of the consumers booked a card-making or hand-lettering workshop for themselves and up to
  three friends or relatives, each a customer of their own (a fellow participant, never merged into the booker),
  over the last two years and the coming weeks: the journey panel shows bookings before, on and after their day,
  and the moments (a note before arrival, a thank-you after) have something to act on. On the booking form about
  half of the bookers agreed to offers by e-mail and a few said no to surveys (their consent, from the booking
  system).

Written once: a second start finds the orders by their ids and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from contactpunt.customers import services as customers
from contactpunt.customers.models import ConsentChannel, ConsentPurpose, ConsentSource, Customer
from contactpunt.customers.services import ConsentInput
from contactpunt.journey.models import Order, OrderKind, Stage
from contactpunt.journey.services import OrderInput, record_orders
from contactpunt.simulation.engine import LOCAL
from contactpunt.simulation.journeys import stage_on
from contactpunt.simulation.names import FIRST_NAMES, LAST_NAMES

RETAILERS = (
    ("Boekhandel Venstra", "Utrecht"), ("Bruna Stationsplein", "Amersfoort"), ("Primera De Hoven", "Zwolle"),
    ("Kantoorvakhandel Jansen", "Breda"), ("Cadeauwinkel Het Pakhuis", "Haarlem"), ("The Read Shop Centrum", "Delft"),
    ("Boekhandel Dominicus", "Maastricht"), ("Papierwinkel De Krul", "Groningen"), ("Tuincentrum Oosteind", "Tilburg"),
    ("Boekhandel Broekhuis", "Enschede"), ("Kunstzaak Van Gogh", "Eindhoven"), ("Hotel De Wereld", "Wageningen"),
)  # fmt: skip
#: What the business customers buy (an account buys one: cost to serve is counted per product type through it).
BUSINESS_PRODUCTS = ("Zakelijke kaarten", "Wenskaarten voor de winkel", "Relatiegeschenken")
WORKSHOPS = ("Workshop kaarten maken", "Workshop handlettering")
STAFF_PER_ACCOUNT = (3, 9)
#: The share of the demo's customers (with a case) who booked a workshop.
WORKSHOP_SHARE = 0.04
HISTORY_DAYS = 3 * 365
#: The share of workshop bookers who agreed to offers by e-mail, and who said no to surveys, on the booking form.
MARKETING_YES = 0.55
SURVEYS_NO = 0.04


@dataclass(frozen=True, slots=True)
class DemoJourneys:
    accounts: int
    account_orders: int
    bookings: int
    participants: int


def _already_written(source: str, seed: int) -> bool:
    return Order.objects.filter(source=source, external_id__startswith=f"demo-{seed}-").exists()


def write_demo_journeys(*, today: dt.date, seed: int, source: str) -> DemoJourneys:
    """Write the business customers with their orders and the workshop bookings (see the module); once."""
    if _already_written(source, seed):
        return DemoJourneys(0, 0, 0, 0)
    rng = random.Random(f"demo-journeys-{seed}")  # noqa: S311 - demo data, not secrets
    people = list(
        Customer.objects.filter(erased_at__isnull=True, merged_into__isnull=True, account__isnull=True)
        .filter(cases__isnull=False)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    rng.shuffle(people)
    with transaction.atomic():
        staff, orders = _business(rng, people, today=today, seed=seed, source=source)
        bookings, guests = _workshops(rng, people[staff:], today=today, seed=seed, source=source)
        record_orders(orders + bookings)
    return DemoJourneys(len(RETAILERS), len(orders), len(bookings), guests)


def _business(
    rng: random.Random, people: list[int], *, today: dt.date, seed: int, source: str
) -> tuple[int, list[OrderInput]]:
    """Create the retailers with their staff; return how many of `people` became staff, and their orders."""
    products = [customers.product_type_named(name) for name in BUSINESS_PRODUCTS]
    taken, items = 0, []
    for number, (name, city) in enumerate(RETAILERS):
        product = products[number % len(products)]
        account = customers.create_account(
            name=f"{name} {city}", external_ref=f"demo-retailer-{number + 1}", product_type=product
        )
        size = rng.randint(*STAFF_PER_ACCOUNT)
        staff = people[taken : taken + size]
        taken += len(staff)
        if not staff:
            continue
        customers.link_to_account(account=account, customer_ids=staff)
        day = today - dt.timedelta(days=rng.randint(HISTORY_DAYS - 60, HISTORY_DAYS))
        while day <= today:
            stage = _order_stage((today - day).days, returned=rng.random() < 0.03)
            items.append(
                OrderInput(
                    source=source,
                    external_id=f"demo-{seed}-b2b-{number + 1}-{day.isoformat()}",
                    kind=OrderKind.ORDER,
                    ordered_on=day,
                    customer_id=rng.choice(staff),
                    account_id=account.pk,
                    product_type_id=product.pk,
                    amount=Decimal(rng.randint(250, 4000)),
                    stage=stage,
                )
            )
            day += dt.timedelta(days=rng.randint(5, 20))
    return taken, items


def _order_stage(age: int, *, returned: bool) -> str:
    """Where a retailer's order of `age` days stands: ordered, paid, shipped, then delivered (or returned)."""
    if age < 4:
        return (Stage.ORDERED, Stage.PAID, Stage.SHIPPED, Stage.SHIPPED)[age]
    return Stage.RETURNED if returned else Stage.DELIVERED


def _workshops(
    rng: random.Random, people: list[int], *, today: dt.date, seed: int, source: str
) -> tuple[list[OrderInput], int]:
    """The workshop bookings of a share of `people`, with their fellow participants (new customers, by name)."""
    products = [customers.product_type_named(name).pk for name in WORKSHOPS]
    bookers = people[: round(len(people) * WORKSHOP_SHARE)]
    plans, said = [], []
    for booker in bookers:
        booked = today - dt.timedelta(days=rng.randint(0, 2 * 365))
        day = booked + dt.timedelta(days=rng.randint(5, 60))  # some still to come
        plans.append((booker, booked, day, rng.choice((0, 1, 1, 2, 3))))
        at = dt.datetime.combine(booked, dt.time(10), tzinfo=LOCAL)
        if rng.random() < MARKETING_YES:
            said.append(ConsentInput(booker, ConsentPurpose.MARKETING, True, at, ConsentChannel.EMAIL))
        if rng.random() < SURVEYS_NO:
            said.append(ConsentInput(booker, ConsentPurpose.SURVEYS, False, at))
    customers.record_consents(items=said, source=ConsentSource.INTEGRATION, by=None, note="booking form")
    names = [f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for *_plan, n in plans for _guest in range(n)]
    guests = customers.create_customers(names)
    items, position = [], 0
    for number, (booker, booked, day, n) in enumerate(plans):
        items.append(
            OrderInput(
                source=source,
                external_id=f"demo-{seed}-workshop-{number + 1}",
                kind=OrderKind.BOOKING,
                ordered_on=booked,
                customer_id=booker,
                product_type_id=rng.choice(products),
                amount=Decimal(45 * (n + 1)),
                stage=stage_on(OrderKind.BOOKING, today, day, day, booked),
                starts_on=day,
                ends_on=day,
                fellow_travellers=tuple(guests[position : position + n]),
            )
        )
        position += n
    return items, len(guests)
