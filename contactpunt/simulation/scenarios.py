"""The four scenarios of DESIGN.md, and the configuration rows each needs in the database.

Configuration (sites, departments, teams, skills, reasons, agents) is written with the ORM, queues through
contacts.services.queues:
it is set-up, not history. History goes through the services (writer.py).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from contactpunt.contacts.models import BusinessCalendar, Channel
from contactpunt.contacts.services.queues import WRITTEN_RESPONSE_NORM_S, ensure_queue
from contactpunt.contacts.services.reference import ensure_calendar, ensure_reason
from contactpunt.customers.services import product_type_named
from contactpunt.people.models import Department, Role, Skill, Team
from contactpunt.people.organisation import (
    NewUser,
    ensure_department,
    ensure_site,
    ensure_skill,
    ensure_team,
    ensure_users,
)
from contactpunt.simulation.names import agent_name, staff_name
from contactpunt.simulation.scenario import (
    ROUND_THE_CLOCK,
    AgentGroup,
    Incident,
    PeakSpec,
    QueueSpec,
    ReasonSpec,
    Scenario,
)

CHAT_HOURS = (0, 0, 0, 0, 0, 0, 0, 0, 5, 8, 9, 9, 8, 8, 9, 8, 7, 6, 6, 6, 5, 4, 0, 0)
SIM_PASSWORD = "demo"  # noqa: S105 (simulated people sign in to the demo with it)


@functools.cache
def sim_password_hash() -> str:
    """The hash of SIM_PASSWORD, made once: hashing is slow on purpose, and every simulated login
    shares the one demo password anyway."""
    return make_password(SIM_PASSWORD)


def _service_queues(prefix: str, department: str, share: float = 1.0) -> tuple[QueueSpec, ...]:
    return (
        QueueSpec(f"{prefix}telefoon", "Telefoon", "phone", department, "telefoon", 0.42 * share, 300, patience_s=150),
        QueueSpec(
            f"{prefix}email",
            "E-mail",
            "email",
            department,
            "schrijven",
            0.26 * share,
            360,
            priority=4,
            response_norm_s=8 * 3600,
            hourly=ROUND_THE_CLOCK,
        ),
        QueueSpec(
            f"{prefix}chat",
            "Webchat",
            "chat",
            department,
            "chat",
            0.16 * share,
            420,
            patience_s=90,
            sl_threshold_s=30,
            priority=2,
            hourly=CHAT_HOURS,
        ),
        QueueSpec(
            f"{prefix}webcare",
            "Webcare",
            "social",
            department,
            "schrijven",
            0.06 * share,
            240,
            priority=3,
            response_norm_s=3600,
            hourly=ROUND_THE_CLOCK,
        ),
        QueueSpec(
            f"{prefix}whatsapp",
            "WhatsApp",
            "whatsapp",
            department,
            "schrijven",
            0.10 * share,
            300,
            priority=3,
            response_norm_s=3600,
            hourly=ROUND_THE_CLOCK,
        ),
    )


def _reasons(*rows: tuple[str, str, float, str, float]) -> tuple[ReasonSpec, ...]:
    return tuple(ReasonSpec(code, name, weight, topic, solve_chance=solve) for code, name, weight, topic, solve in rows)


ALL_SKILLS = ("telefoon", "schrijven", "chat")

GREETING_CARDS = Scenario(
    name="greeting-cards",
    title="Kaartenhuis: wenskaarten en cadeaus online, met een Valentijnspiek",
    chat_concurrency=3,
    queues=(
        *_service_queues("", "Klantenservice", 0.97),
        QueueSpec("financien", "Financiën (telefoon)", "phone", "Financiën", "betaling", 0.03, 420, patience_s=180),
    ),
    reasons=(
        *_reasons(
            ("bestelling-status", "Waar is mijn bestelling", 22, "order_status", 0.9),
            ("bestelling-annuleren", "Bestelling annuleren", 6, "cancel", 0.92),
            ("levering-vertraagd", "Levering vertraagd", 14, "delivery_late", 0.75),
            ("levering-beschadigd", "Levering beschadigd", 5, "delivery_damaged", 0.8),
            ("levering-adres", "Verkeerd adres", 4, "wrong_address", 0.85),
            ("product-ontwerp", "Hulp bij ontwerp", 9, "design", 0.88),
            ("product-drukfout", "Drukfout", 5, "print_error", 0.7),
            ("account-inloggen", "Inloggen", 5, "login", 0.9),
            ("account-gegevens", "Gegevens wijzigen", 3, "account_details", 0.95),
        ),
        ReasonSpec(
            "betaling-factuur", "Factuur", 6, "invoice", solve_chance=0.7, transfer_to="financien", transfer_chance=0.35
        ),
        ReasonSpec(
            "betaling-terugbetaling",
            "Terugbetaling",
            7,
            "refund",
            solve_chance=0.65,
            transfer_to="financien",
            transfer_chance=0.3,
        ),
        ReasonSpec("betaling-mislukt", "Betaling mislukt", 4, "payment_failed", 0.8),
        ReasonSpec("betaling-storing", "Storing betaalpagina", 0, "payment_failed", solve_chance=0.5),
    ),
    agents=(
        AgentGroup("Team Noord", "Amsterdam", "Klantenservice", 26, ALL_SKILLS),
        AgentGroup("Team Zuid", "Eindhoven", "Klantenservice", 24, ("telefoon", "chat", "schrijven"), expertise=0.55),
        AgentGroup("Flexpool", "Amsterdam", "Klantenservice", 6, ("telefoon", "schrijven"), expertise=0.4),
        AgentGroup("Team Financiën", "Amsterdam", "Financiën", 6, ("betaling", "telefoon"), expertise=0.8),
    ),
    contacts_per_hour=46,
    peaks=(
        PeakSpec("valentines_day", 3.5),
        PeakSpec("mothers_day", 2.2),
        PeakSpec("fathers_day", 1.6),
        PeakSpec("sinterklaas", 1.8),
        PeakSpec("black_friday", 1.5),
        PeakSpec("christmas", 2.0),
    ),
    incidents=(Incident("outage", "betaling-storing", -12, extra_per_hour=25, hours=6),),
    customers=40_000,
    product_types=("Wenskaarten", "Cadeaus", "Zakelijk"),
    departments={"Klantenservice": 38, "Financiën": 52},
)

_TELECOM_QUEUES = (
    QueueSpec("tel-telefoon", "Telefoon", "phone", "Klantenservice", "telefoon", 0.55, 420, patience_s=200),
    QueueSpec(
        "tel-email", "E-mail", "email", "Klantenservice", "schrijven", 0.15, 420, priority=4, hourly=ROUND_THE_CLOCK
    ),
    QueueSpec(
        "tel-chat",
        "Webchat",
        "chat",
        "Klantenservice",
        "chat",
        0.15,
        480,
        patience_s=120,
        priority=2,
        hourly=CHAT_HOURS,
    ),
    QueueSpec(
        "tel-webcare", "Webcare", "social", "Klantenservice", "schrijven", 0.07, 300, priority=3, hourly=ROUND_THE_CLOCK
    ),
    QueueSpec(
        "tel-whatsapp",
        "WhatsApp",
        "whatsapp",
        "Klantenservice",
        "schrijven",
        0.05,
        360,
        priority=3,
        hourly=ROUND_THE_CLOCK,
    ),
    QueueSpec("tel-techniek", "Techniek (telefoon)", "phone", "Techniek", "techniek", 0.03, 600, patience_s=240),
)

TELECOM = Scenario(
    name="telecom",
    title="Telecom met drie vestigingen: FCR stijgt, NPS niet",
    queues=_TELECOM_QUEUES,
    reasons=(
        ReasonSpec(
            "storing-internet",
            "Storing internet",
            14,
            "outage",
            solve_chance=0.6,
            transfer_to="tel-techniek",
            transfer_chance=0.3,
        ),
        ReasonSpec(
            "techniek-modem",
            "Modem en wifi",
            16,
            "technical",
            1.3,
            solve_chance=0.65,
            transfer_to="tel-techniek",
            transfer_chance=0.4,
        ),
        ReasonSpec("abonnement-wijzigen", "Abonnement wijzigen", 20, "subscription", solve_chance=0.9),
        ReasonSpec("abonnement-opzeggen", "Opzeggen", 8, "subscription", solve_chance=0.85),
        ReasonSpec("factuur-vraag", "Factuurvraag", 18, "invoice", solve_chance=0.8),
        ReasonSpec("factuur-terugbetaling", "Terugbetaling", 6, "refund", solve_chance=0.75),
        ReasonSpec("account-inloggen", "Inloggen Mijn omgeving", 8, "login", solve_chance=0.9),
        ReasonSpec("algemeen-overig", "Overig", 10, "general", solve_chance=0.85),
        ReasonSpec("techniek-glasvezel", "Nieuwe glasvezeldienst", 0, "technical", 1.4, solve_chance=0.5),
    ),
    agents=(
        # Agents solve more as the quarter goes on, but are rushed and less friendly: FCR up, NPS flat.
        AgentGroup(
            "Team Groningen",
            "Groningen",
            "Klantenservice",
            22,
            ALL_SKILLS,
            0.5,
            0.72,
            expertise_trend=0.25,
            friendliness_trend=-0.3,
        ),
        AgentGroup(
            "Team Utrecht",
            "Utrecht",
            "Klantenservice",
            22,
            ALL_SKILLS,
            0.55,
            0.7,
            expertise_trend=0.25,
            friendliness_trend=-0.3,
        ),
        AgentGroup(
            "Team Rotterdam",
            "Rotterdam",
            "Klantenservice",
            18,
            ("telefoon", "chat"),
            0.5,
            0.68,
            expertise_trend=0.2,
            friendliness_trend=-0.25,
        ),
        AgentGroup("Team Techniek", "Utrecht", "Techniek", 10, ("techniek", "telefoon"), expertise=0.85),
    ),
    contacts_per_hour=60,
    weekday_factors=(1.2, 1.1, 1.05, 1.0, 1.0, 0.7, 0.5),
    peaks=(PeakSpec("black_friday", 1.3), PeakSpec("christmas", 0.8)),
    incidents=(
        Incident("outage", "storing-internet", -20, extra_per_hour=60, hours=8),
        Incident("new_topic", "techniek-glasvezel", -40, extra_per_hour=4),
    ),
    customers=80_000,
    returning_share=0.45,
    departments={"Klantenservice": 34, "Techniek": 48},
    product_types=("Internet", "Mobiel", "Televisie"),
)

HOLIDAY_PARKS = Scenario(
    name="holiday-parks",
    title="Vakantieparken: voor, tijdens en na het verblijf, met terugkerende gasten",
    queues=(
        QueueSpec(
            "park-reserveren", "Reserveren (telefoon)", "phone", "Gastenservice", "telefoon", 0.38, 360, patience_s=180
        ),
        QueueSpec(
            "park-email", "E-mail", "email", "Gastenservice", "schrijven", 0.25, 300, priority=4, hourly=ROUND_THE_CLOCK
        ),
        QueueSpec(
            "park-chat",
            "Webchat",
            "chat",
            "Gastenservice",
            "chat",
            0.17,
            360,
            patience_s=100,
            priority=2,
            hourly=CHAT_HOURS,
        ),
        QueueSpec(
            "park-social",
            "Social",
            "social",
            "Gastenservice",
            "schrijven",
            0.05,
            240,
            priority=3,
            hourly=ROUND_THE_CLOCK,
        ),
        QueueSpec(
            "park-whatsapp",
            "WhatsApp tijdens verblijf",
            "whatsapp",
            "Gastenservice",
            "schrijven",
            0.15,
            240,
            priority=3,
            hourly=ROUND_THE_CLOCK,
        ),
    ),
    reasons=(
        ReasonSpec("voor-boeken", "Boeken", 28, "booking", 1.3, solve_chance=0.92),
        ReasonSpec("voor-wijzigen", "Boeking wijzigen", 14, "booking", solve_chance=0.85),
        ReasonSpec("tijdens-storing", "Probleem in het huisje", 16, "stay", solve_chance=0.7),
        ReasonSpec("tijdens-faciliteiten", "Faciliteiten", 8, "stay", solve_chance=0.9),
        ReasonSpec("na-borg", "Borg en kosten", 10, "after_stay", solve_chance=0.75),
        ReasonSpec("na-gevonden", "Gevonden voorwerpen", 4, "after_stay", solve_chance=0.8),
        ReasonSpec("loyaliteit-punten", "Spaarpunten", 6, "after_stay", solve_chance=0.8),
    ),
    agents=(
        AgentGroup("Team Veluwe", "Apeldoorn", "Gastenservice", 28, ALL_SKILLS, 0.65, 0.8),
        AgentGroup("Team Kust", "Zeeland", "Gastenservice", 22, ALL_SKILLS, 0.6, 0.82),
    ),
    contacts_per_hour=40,
    weekday_factors=(1.3, 1.1, 1.0, 1.0, 1.15, 0.8, 0.6),
    peaks=(PeakSpec("christmas", 1.5),),
    customers=25_000,
    # Two thirds of guests come back within two years; in one quarter many of them contact us again.
    returning_share=0.6,
    product_types=("Bungalow", "Chalet", "Groepsaccommodatie"),
    departments={"Gastenservice": 36},
)

RETAILERS = tuple(
    f"Winkel {name}"
    for name in (
        "Amsterdam",
        "Utrecht",
        "Den Haag",
        "Groningen",
        "Breda",
        "Zwolle",
        "Arnhem",
        "Leiden",
        "Haarlem",
        "Maastricht",
        "Delft",
        "Enschede",
    )
)

B2B_SUPPLIER = Scenario(
    name="b2b-supplier",
    title="Premium B2B-leverancier: één loket (Accounts) in plaats van Financiën en Logistiek direct bellen",
    chat_concurrency=1,  # premium: one chat at a time
    queues=(
        QueueSpec("spoc-telefoon", "Accounts (telefoon)", "phone", "Accounts", "accounts", 0.45, 420, patience_s=240),
        QueueSpec(
            "spoc-email",
            "Accounts (e-mail)",
            "email",
            "Accounts",
            "schrijven",
            0.30,
            480,
            priority=4,
            hourly=ROUND_THE_CLOCK,
        ),
        QueueSpec(
            "spoc-chat",
            "Accounts (chat)",
            "chat",
            "Accounts",
            "chat",
            0.06,
            420,
            patience_s=120,
            priority=2,
            hourly=CHAT_HOURS,
        ),
        QueueSpec(
            "spoc-social", "Social", "social", "Accounts", "schrijven", 0.02, 240, priority=3, hourly=ROUND_THE_CLOCK
        ),
        QueueSpec(
            "spoc-whatsapp",
            "WhatsApp",
            "whatsapp",
            "Accounts",
            "schrijven",
            0.07,
            300,
            priority=3,
            hourly=ROUND_THE_CLOCK,
        ),
        # What retailers still dial directly, as they used to.
        QueueSpec(
            "financien-direct", "Financiën (direct)", "phone", "Financiën", "financien", 0.05, 480, patience_s=200
        ),
        QueueSpec(
            "logistiek-direct", "Logistiek (direct)", "phone", "Logistiek", "logistiek", 0.05, 420, patience_s=200
        ),
    ),
    reasons=(
        ReasonSpec(
            "order-levering",
            "Levering onvolledig",
            26,
            "b2b_order",
            solve_chance=0.7,
            transfer_to="logistiek-direct",
            transfer_chance=0.3,
        ),
        ReasonSpec("order-spoed", "Spoedorder", 12, "b2b_order", solve_chance=0.85),
        ReasonSpec(
            "factuur-creditnota",
            "Creditnota",
            14,
            "b2b_invoice",
            solve_chance=0.65,
            transfer_to="financien-direct",
            transfer_chance=0.35,
        ),
        ReasonSpec(
            "factuur-betaaltermijn",
            "Betaaltermijn",
            8,
            "b2b_invoice",
            solve_chance=0.75,
            transfer_to="financien-direct",
            transfer_chance=0.3,
        ),
        ReasonSpec("product-info", "Productinformatie", 14, "general", solve_chance=0.9),
        ReasonSpec("retour-aanvraag", "Retour", 10, "refund", solve_chance=0.8),
    ),
    agents=(
        AgentGroup("Team Accounts", "Nieuwegein", "Accounts", 40, (*ALL_SKILLS, "accounts"), 0.7, 0.8),
        AgentGroup("Team Financiën", "Nieuwegein", "Financiën", 6, ("financien", "telefoon"), 0.85, 0.65),
        AgentGroup("Team Logistiek", "Tilburg", "Logistiek", 6, ("logistiek", "telefoon"), 0.85, 0.6),
    ),
    contacts_per_hour=30,
    weekday_factors=(1.3, 1.1, 1.0, 1.0, 0.9, 0.05, 0.02),
    peaks=(PeakSpec("black_friday", 1.2), PeakSpec("sinterklaas", 1.3), PeakSpec("christmas", 1.4)),
    customers=3_000,
    returning_share=0.85,
    account_share=0.8,
    accounts=RETAILERS,
    product_types=("Meubels", "Verlichting", "Textiel"),
    departments={"Accounts": 42, "Financiën": 55, "Logistiek": 46},
)

SCENARIOS: dict[str, Scenario] = {s.name: s for s in (GREETING_CARDS, TELECOM, HOLIDAY_PARKS, B2B_SUPPLIER)}


@dataclass(frozen=True, slots=True)
class Organisation:
    """The database keys of a scenario's configuration: queues and reasons by code, agents by username."""

    queue_ids: dict[str, int]
    reason_ids: dict[str, int]
    agent_ids: dict[str, int]


def _reason_name(code: str) -> str:
    return code.split("-", 1)[0].capitalize()


def _ensure_webform_queue(
    scenario: Scenario, departments: dict[str, Department], skills: dict[str, Skill], calendar: BusinessCalendar
) -> None:
    """The web form's queue beside the scenario's e-mail queue (same department, skill and norm; code
    `<prefix>webformulier`), so the portal's form and the chat's "leave a message" have a queue of their own. It is
    not simulated: only real visitors write there."""
    email = next((q for q in scenario.queues if q.channel == Channel.EMAIL), None)
    if email is None:
        return
    ensure_queue(
        code=f"{email.code.removesuffix('email')}webformulier",
        name="Webformulier",
        channel=Channel.WEBFORM,
        department=departments[email.department],
        calendar=calendar,
        skills=[skills[email.skill]],
        response_norm_s=email.response_norm_s or WRITTEN_RESPONSE_NORM_S,
    )


@transaction.atomic
def build_organisation(scenario: Scenario, usernames: list[tuple[str, AgentGroup]], *, seed: int = 0) -> Organisation:
    """Create the scenario's sites, departments, teams, skills, queues, reasons and agents.

    Existing rows with the same names or codes are reused, so two scenarios can share a database.
    People get Dutch first and last names drawn from `seed`.
    """
    calendar = ensure_calendar(
        "Kantoortijden",
        holiday_country="NL",
        windows=[(d, dt.time(8), dt.time(21 if d < 5 else 17)) for d in range(7)],
    )
    departments = {
        name: ensure_department(name, cost_per_hour=scenario.departments.get(name, 40))
        for name in {q.department for q in scenario.queues} | {g.department for g in scenario.agents}
    }
    skill_codes = {q.skill for q in scenario.queues} | {s for g in scenario.agents for s in g.skills} | {"nl", "en"}
    skills = {code: ensure_skill(code) for code in skill_codes}
    queue_ids: dict[str, int] = {}
    for spec in scenario.queues:
        queue, _created = ensure_queue(
            code=spec.code,
            name=spec.name,
            channel=spec.channel,
            department=departments[spec.department],
            sl_threshold_s=spec.sl_threshold_s,
            response_norm_s=spec.response_norm_s,
            calendar=calendar,
            skills=[skills[spec.skill]],
        )
        queue_ids[spec.code] = queue.pk
    _ensure_webform_queue(scenario, departments, skills, calendar)
    reason_ids: dict[str, int] = {}
    for reason_spec in scenario.reasons:
        parent = ensure_reason(reason_spec.parent, name=_reason_name(reason_spec.code))
        reason_ids[reason_spec.code] = ensure_reason(reason_spec.code, name=reason_spec.name, parent=parent).pk
    for name in scenario.product_types:
        product_type_named(name)
    teams: dict[str, Team] = {}
    for group in scenario.agents:
        teams[group.team] = ensure_team(
            group.team, department=departments[group.department], site=ensure_site(group.site)
        )
    agents = []
    for index, (username, group) in enumerate(usernames):
        first_name, last_name = agent_name(seed, index)
        skill_list = tuple(skills[code] for code in (*group.skills, "nl"))
        agents.append(
            NewUser(username, Role.AGENT, first_name, last_name, teams[group.team], skill_list, sim_password_hash())
        )
    agent_ids, _made = ensure_users(agents)
    staff = [NewUser(f"{scenario.name}-manager", Role.MANAGER, *staff_name(seed, 0))]
    for number, team in enumerate(teams.values(), start=1):
        staff.append(NewUser(f"{scenario.name}-lead{number}", Role.TEAM_LEAD, *staff_name(seed, number), team=team))
    ensure_users(staff)
    return Organisation(queue_ids, reason_ids, agent_ids)
