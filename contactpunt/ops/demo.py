"""The demo organisation `contactpunt up` creates in an empty database.

A greeting-card and gift web shop ("Kaartenhuis") with a customer-service department, finance and
logistics, queues on every channel, contact reasons, people in every role, and two weeks of
contacts written through the real services, so the demo looks like live history.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from contactpunt.api.models import Integration
from contactpunt.contacts.models import BusinessCalendar, Channel, ContactReason, OpeningHours, ProductType, Queue
from contactpunt.contacts.services.cases import resolve_case
from contactpunt.contacts.services.events import record_agent_state, record_contact_event
from contactpunt.contacts.services.inbound import receive_contacts
from contactpunt.contacts.services.types import IdentityInput, InboundContact, ThreadRef
from contactpunt.people.models import Department, Role, Site, Skill, Team, User

DEMO_PASSWORD = "demo"  # noqa: S105 (the demo's logins are printed on start; never used in production)


@dataclass(frozen=True, slots=True)
class DemoLogins:
    users: list[tuple[str, str, str]]  # username, password, role
    api_token: str


REASONS = {
    "bestelling": ("Bestelling", ["status", "wijzigen", "annuleren"]),
    "levering": ("Levering", ["vertraagd", "beschadigd", "verkeerd-adres"]),
    "betaling": ("Betaling", ["factuur", "terugbetaling", "mislukt"]),
    "product": ("Product", ["ontwerp", "drukfout"]),
    "account": ("Account", ["inloggen", "gegevens"]),
}
FIRST_NAMES = [
    "Anna",
    "Bram",
    "Chantal",
    "Daan",
    "Eva",
    "Fatima",
    "Gijs",
    "Hanna",
    "Ivo",
    "Julia",
    "Kees",
    "Lotte",
    "Mohamed",
    "Noor",
    "Omar",
    "Pien",
    "Ruben",
    "Sanne",
    "Tim",
    "Yara",
]
LAST_NAMES = [
    "de Vries",
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "El Amrani",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Dijk",
    "Yılmaz",  # noqa: RUF001 (a real Turkish-Dutch name)
]
SUBJECTS = [
    "Waar blijft mijn bestelling?",
    "Kaart met drukfout ontvangen",
    "Factuur klopt niet",
    "Adres wijzigen",
    "Kan ik mijn bestelling nog annuleren?",
    "Where is my order?",
    "Pakket beschadigd",
    "Terugbetaling",
    "Inloggen lukt niet",
    "Valentijnskaart op tijd?",
]


def is_empty() -> bool:
    """True when there is no organisation yet (no queues and no users)."""
    return not Queue.objects.exists() and not User.objects.exists()


@transaction.atomic
def create_demo_organisation(*, contacts: int = 600, days: int = 14, seed: int = 7) -> DemoLogins:
    """Create the demo organisation with `contacts` contacts over the last `days` days."""
    rng = random.Random(seed)  # noqa: S311 (demo data, not security)
    site_a, site_b = Site.objects.create(name="Amsterdam"), Site.objects.create(name="Eindhoven")
    service = Department.objects.create(name="Klantenservice", cost_per_hour=38)
    finance = Department.objects.create(name="Financiën", cost_per_hour=52)
    logistics = Department.objects.create(name="Logistiek", cost_per_hour=45)
    teams = [
        Team.objects.create(name="Team Noord", department=service, site=site_a),
        Team.objects.create(name="Team Zuid", department=service, site=site_b),
    ]
    skills = {
        code: Skill.objects.create(code=code, name=name)
        for code, name in [("nl", "Nederlands"), ("en", "Engels"), ("betaling", "Betalingen")]
    }
    calendar = BusinessCalendar.objects.create(name="Kantoortijden", holiday_country="NL")
    for weekday in range(6):
        OpeningHours.objects.create(
            calendar=calendar, weekday=weekday, opens=dt.time(8), closes=dt.time(20 if weekday < 5 else 17)
        )
    queues = {
        Channel.PHONE: Queue.objects.create(
            code="telefoon", name="Telefoon", channel=Channel.PHONE, department=service, calendar=calendar
        ),
        Channel.EMAIL: Queue.objects.create(
            code="email",
            name="E-mail",
            channel=Channel.EMAIL,
            department=service,
            calendar=calendar,
            response_norm_s=8 * 3600,
        ),
        Channel.CHAT: Queue.objects.create(
            code="chat", name="Webchat", channel=Channel.CHAT, department=service, calendar=calendar, sl_threshold_s=30
        ),
        Channel.SOCIAL: Queue.objects.create(
            code="webcare",
            name="Webcare",
            channel=Channel.SOCIAL,
            department=service,
            calendar=calendar,
            response_norm_s=3600,
        ),
        Channel.WHATSAPP: Queue.objects.create(
            code="whatsapp",
            name="WhatsApp",
            channel=Channel.WHATSAPP,
            department=service,
            calendar=calendar,
            response_norm_s=3600,
        ),
    }
    finance_queue = Queue.objects.create(
        code="financien", name="Financiën (telefoon)", channel=Channel.PHONE, department=finance, calendar=calendar
    )
    finance_queue.skills.add(skills["betaling"])
    Queue.objects.create(
        code="logistiek", name="Logistiek (telefoon)", channel=Channel.PHONE, department=logistics, calendar=calendar
    )
    ProductType.objects.bulk_create([ProductType(name=n) for n in ("Wenskaarten", "Cadeaus", "Zakelijk")])
    leaves: list[ContactReason] = []
    for code, (name, children) in REASONS.items():
        parent = ContactReason.objects.create(code=code, name=name)
        for child in children:
            leaves.append(
                ContactReason.objects.create(
                    code=f"{code}-{child}", name=child.replace("-", " ").capitalize(), parent=parent
                )
            )

    logins: list[tuple[str, str, str]] = []
    agents: list[User] = []
    people = [
        ("admin", Role.ADMIN),
        ("manager", Role.MANAGER),
        ("teamlead", Role.TEAM_LEAD),
        ("auditor", Role.VIEWER),
    ] + [(f"agent{i}", Role.AGENT) for i in range(1, 9)]
    for index, (username, role) in enumerate(people):
        first = FIRST_NAMES[index % len(FIRST_NAMES)]
        user = User.objects.create_user(
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            first_name=first,
            team=teams[index % 2],
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
        )
        user.skills.add(skills["nl"])
        if index % 3 == 0:
            user.skills.add(skills["en"])
        logins.append((username, DEMO_PASSWORD, role))
        if role == Role.AGENT:
            agents.append(user)

    integration = Integration(name="Demo-integratie", source="demo")
    token = integration.set_new_token()
    integration.save()

    _demo_history(rng, queues, leaves, agents, contacts=contacts, days=days)
    return DemoLogins(logins, token)


def _demo_history(
    rng: random.Random,
    queues: dict[Channel, Queue],
    reasons: list[ContactReason],
    agents: list[User],
    *,
    contacts: int,
    days: int,
) -> None:
    now = timezone.now()
    start = now - dt.timedelta(days=days)
    customers = [(f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}", n) for n in range(contacts // 3)]
    for agent in agents:
        record_agent_state(agent=agent, state="available", occurred_at=now - dt.timedelta(hours=2))
    channel_mix = [Channel.PHONE] * 5 + [Channel.EMAIL] * 3 + [Channel.CHAT] * 2 + [Channel.SOCIAL, Channel.WHATSAPP]
    items: list[InboundContact] = []
    for n in range(contacts):
        # Office hours, more on Mondays, a few per hour at night.
        day = start + dt.timedelta(days=rng.random() * days)
        at = day.replace(hour=rng.choice([8, 9, 9, 10, 10, 11, 13, 14, 15, 16, 19]), minute=rng.randrange(60))
        at = min(at, now - dt.timedelta(minutes=1))
        name, number = rng.choice(customers)
        channel = rng.choice(channel_mix)
        identity = (
            IdentityInput("phone", f"06{10000000 + number:08d}")
            if channel in (Channel.PHONE, Channel.WHATSAPP)
            else IdentityInput("email", f"klant{number}@example.nl")
            if channel != Channel.SOCIAL
            else IdentityInput("social", f"@klant{number}", namespace="twitter")
        )
        items.append(
            InboundContact(
                source="demo",
                queue=queues[channel].code,
                occurred_at=at,
                external_id=f"demo-{n}",
                identities=(identity,),
                customer_name=name,
                subject=rng.choice(SUBJECTS),
                text=rng.choice(SUBJECTS) + " Groet, " + name.split()[0],
                is_public=channel == Channel.SOCIAL,
                thread=ThreadRef(conversation_id=f"chat-{n}" if channel == Channel.CHAT else ""),
            )
        )
    items.sort(key=lambda item: item.occurred_at)
    received = receive_contacts(items)
    from contactpunt.contacts.models import Case, Contact

    contacts_by_id = Contact.objects.in_bulk([r.contact_id for r in received if r.contact_id])
    waiting_from = len(items) - max(12, contacts // 40)
    for position, (item, result) in enumerate(zip(items, received, strict=True)):
        if result.contact_id is None or position >= waiting_from or item.occurred_at > now - dt.timedelta(hours=3):
            continue  # the newest contacts stay waiting in the inbox
        contact = contacts_by_id[result.contact_id]
        agent = rng.choice(agents)
        if contact.channel in Channel.realtime():
            wait = dt.timedelta(seconds=rng.expovariate(1 / 40))
            if rng.random() < 0.06:
                record_contact_event(contact=contact, name="abandoned", occurred_at=item.occurred_at + wait)
                continue
            answered = item.occurred_at + wait
            record_contact_event(contact=contact, name="answered", occurred_at=answered, agent=agent)
            record_contact_event(
                contact=contact,
                name="ended",
                agent=agent,
                occurred_at=answered + dt.timedelta(seconds=rng.lognormvariate(5.3, 0.5)),
            )
        else:
            replied = item.occurred_at + dt.timedelta(minutes=rng.expovariate(1 / 90))
            record_contact_event(contact=contact, name="replied", occurred_at=replied, agent=agent)
        case = Case.objects.get(pk=result.case_id or 0)
        if case.is_open and rng.random() < 0.85:
            resolve_case(
                case=case, by=agent, reason=rng.choice(reasons), occurred_at=item.occurred_at + dt.timedelta(minutes=30)
            )
