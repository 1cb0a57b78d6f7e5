"""The demo organisation `contactpunt up` creates in an empty database.

The greeting-card and gift web shop of the simulator ("Kaartenhuis": customer service at two sites,
a flex pool and finance, five channels, contact reasons, people in every role) with `days` days of
history up to now, the customers' orders, the retailers' accounts and orders and the workshop bookings with
their guests (contactpunt.simulation.demo_journeys), simulated and written through the real services, so the demo
looks like live history. `start_live` keeps contacts arriving and agents working while `up` runs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from contactpunt.api.integrations import create_integration
from contactpunt.api.models import Integration
from contactpunt.contacts import announcements
from contactpunt.contacts.models import Queue
from contactpunt.knowledge.demo import load_demo_articles
from contactpunt.kpis import dirty_marks
from contactpunt.ops.demo_templates import create_demo_templates
from contactpunt.people.models import Role, Team, User
from contactpunt.people.organisation import NewUser, ensure_users
from contactpunt.quality.demo import create_people_demo
from contactpunt.simulation import run
from contactpunt.simulation.demo_journeys import write_demo_journeys
from contactpunt.simulation.follow_plan import PlanFollower
from contactpunt.simulation.names import staff_name
from contactpunt.simulation.scenarios import GREETING_CARDS, SIM_PASSWORD, sim_password_hash
from contactpunt.simulation.writer import Tallies
from contactpunt.workforce.demo import POOL_TEAM, plan_today

DEMO_PASSWORD = SIM_PASSWORD  # the demo's logins are printed on start; never used in production
DEMO_SOURCE = "demo"
AGENT_PREFIX = "agent"
#: agent1 up to this one are the agent logins the demo prints; the live simulation leaves their shifts to people.
DEMO_AGENT_LOGINS = 3
# The demo: at least 100,000 contacts over 90 days (`bench/simulate.py --demo` times it).
DEFAULT_CONTACTS = 100_000
#: The demo's shop: the greeting-card scenario as a Dutch team meets it, a few customers writing in English.
DEMO_SCENARIO = dataclasses.replace(GREETING_CARDS, english_share=0.03)
# The named logins take staff names after the scenario's own team leads and manager.
STAFF_NAMES = 50


@dataclass(frozen=True, slots=True)
class DemoLogins:
    users: list[tuple[str, str, str]]  # username, password, role
    api_token: str
    contacts: int = 0
    agents: int = 0
    simulation: run.SimulationResult | None = None


def is_empty() -> bool:
    """True when there is no organisation yet (no queues and no users)."""
    return not Queue.objects.exists() and not User.objects.exists()


def demo_scale(*, contacts: int, days: int) -> float:
    """Return the scale at which the greeting-card scenario expects `contacts` contacts in `days` days
    (first contacts on an average weekday mix, plus about 10% repeat contacts)."""
    weekday_mean = sum(GREETING_CARDS.weekday_factors) / 7
    expected = GREETING_CARDS.contacts_per_hour * 24 * weekday_mean * days * 1.1
    return contacts / expected


def create_demo_organisation(
    *, contacts: int = DEFAULT_CONTACTS, days: int = 90, seed: int = 7, progress: run.Progress | None = None
) -> DemoLogins:
    """Create the demo organisation with about `contacts` contacts over the last `days` days, in one
    transaction.

    The count is a Poisson draw around `contacts` (the exact number is in the result). Agents sign in
    as agent1, agent2, ...; the named roles as admin, manager, teamlead and auditor. `progress` is called after
    each simulated day with the share done and the tallies so far (`up` shows a progress line), and once more at
    1.0 when everything is committed: the days fill the bar up to HISTORY_SHARE, the rest is the organisation's
    other demo content, the check and the commit, so the line never says done while work remains.

    The announcements of the history are delivered batch by batch inside the one transaction
    (`announcements.delivered_at_once`): their subscribers' work (survey invitations, dirty marks, analysis jobs)
    is part of the bar instead of a silent minute after it.
    """
    written = _ProgressShare(progress)
    with _bulk_load() as checks_deferred, transaction.atomic(), announcements.delivered_at_once():
        logins = _create(contacts=contacts, days=days, seed=seed, progress=written)
        if checks_deferred:
            # Every foreign key at once, before the commit: a broken row rolls the whole demo back.
            connection.check_constraints()
    written.step(1.0)
    return logins


#: The share of the progress bar the simulated days fill, and the share done once the demo's other content (the
#: customer journeys, people, today's plan) is written: the rest is the check and the commit. Measured on the
#: demo: the days take about 82% of the preparation, the other content 15%.
HISTORY_SHARE = 0.85
CONTENT_SHARE = 0.97


@dataclass(slots=True)
class _ProgressShare:
    """A progress callback that maps the simulated history's share onto the first HISTORY_SHARE of the bar."""

    progress: run.Progress | None
    tallies: Tallies = dataclasses.field(default_factory=Tallies)

    def __call__(self, fraction: float, tallies: Tallies) -> None:
        self.tallies = tallies
        if self.progress is not None:
            self.progress(min(fraction, 1.0) * HISTORY_SHARE, tallies)

    def step(self, fraction: float) -> None:
        if self.progress is not None:
            self.progress(fraction, self.tallies)


@contextlib.contextmanager
def _bulk_load() -> Iterator[bool]:
    """SQLite settings for loading the demo into a fresh database, restored afterwards; yields
    whether foreign keys are left to one check at the end (as `loaddata` does).

    Only for this first-start load, in autocommit mode (the pragmas do nothing inside a
    transaction): a page cache that holds the new tables' indexes instead of spilling them, temporary
    b-trees in memory, and no foreign-key lookups per inserted row. Live traffic never runs so.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield False
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        cache_size = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA temp_store")
        temp_store = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA cache_size = -262144")  # KiB: 256 MiB
        cursor.execute("PRAGMA temp_store = MEMORY")
    checks_disabled = connection.disable_constraint_checking()
    try:
        yield checks_disabled
    finally:
        if checks_disabled:
            connection.enable_constraint_checking()
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {cache_size:d}")
            cursor.execute(f"PRAGMA temp_store = {temp_store:d}")


def _create(*, contacts: int, days: int, seed: int, progress: _ProgressShare) -> DemoLogins:
    scale = demo_scale(contacts=contacts, days=days)
    # Every contact of the history is marked for the figures once, when it is written (nothing reads the marks
    # before): not again and again batch by batch.
    with dirty_marks.held_to_the_end():
        result = run.simulate(
            DEMO_SCENARIO,
            days=days,
            seed=seed,
            scale=scale,
            source=DEMO_SOURCE,
            username_prefix=AGENT_PREFIX,
            agent_scale=max(1.0, scale),
            engine_process=True,  # simulating on the second core while this one writes
            progress=progress,
        )
    # Beside the consumers' orders the run wrote: retailers with their orders, workshop bookings with their guests.
    write_demo_journeys(today=timezone.localdate(result.end), seed=seed, source=DEMO_SOURCE)
    # The named staff belong to the team of agent1, the agent a newcomer signs in as (so the team lead sees that
    # agent's team), or the first team that is not the flexible pool, whose people serve every team.
    first_agent = User.objects.filter(username=f"{AGENT_PREFIX}1").select_related("team").first()
    team = first_agent.team if first_agent is not None else None
    if team is None or team.name == POOL_TEAM:
        team = Team.objects.exclude(name=POOL_TEAM).order_by("name").first()
    logins: list[tuple[str, str, str]] = []
    staff = [("admin", Role.ADMIN), ("manager", Role.MANAGER), ("teamlead", Role.TEAM_LEAD), ("auditor", Role.VIEWER)]
    people = []
    for number, (username, role) in enumerate(staff):
        first_name, last_name = staff_name(seed, STAFF_NAMES + number)
        people.append(
            NewUser(
                username=username,
                role=role,
                first_name=first_name,
                last_name=last_name,
                team=team,
                password_hash=sim_password_hash(),
                is_admin=role == Role.ADMIN,
            )
        )
        logins.append((username, DEMO_PASSWORD, role))
    ensure_users(people)
    create_demo_templates(by=User.objects.get(username="teamlead"))
    load_demo_articles()
    create_people_demo(seed=seed, now=timezone.now())
    # Today forecast and staffed from the first minute; the long lane's plan_demo_shifts replaces it.
    plan_today(now=result.end)
    progress.step(CONTENT_SHARE)
    logins += [(f"{AGENT_PREFIX}{n}", DEMO_PASSWORD, Role.AGENT) for n in range(1, DEMO_AGENT_LOGINS + 1)]
    _integration, token = create_integration(name="Demo-integratie", source=DEMO_SOURCE, actor_label="demo")
    return DemoLogins(logins, token, result.tallies.contacts, len(result.engine.agents), result)


def agent_count() -> int:
    """How many demo agents there are (they sign in as agent1 up to agent<count>)."""
    return User.objects.filter(role=Role.AGENT, username__regex=rf"^{AGENT_PREFIX}[0-9]+$").count()


def is_demo() -> bool:
    """True when the database holds the demo organisation (its integration exists)."""
    return Integration.objects.filter(source=DEMO_SOURCE).exists()


def start_live(stop: threading.Event, logins: DemoLogins | None = None, *, seed: int = 7) -> threading.Thread | None:
    """Keep the demo moving until `stop` is set: continue the run just loaded, or start a fresh one.

    Returns None (and simulates nothing) when the database is not the demo's: a real organisation
    never gets simulated contacts.
    """
    # agent1 to agent3 are the logins the demo gives out: a person signing in as one works that agent's shift.
    follower = PlanFollower(leave_to_people=[f"{AGENT_PREFIX}{n}" for n in range(1, DEMO_AGENT_LOGINS + 1)])
    if logins is not None and logins.simulation is not None:
        return run.continue_live(logins.simulation, stop, follower=follower)
    if not is_demo():
        return None
    scale = demo_scale(contacts=DEFAULT_CONTACTS, days=90)
    return run.start_live(
        DEMO_SCENARIO,
        stop,
        seed=seed,
        scale=scale,
        source=DEMO_SOURCE,
        username_prefix=AGENT_PREFIX,
        agent_scale=max(1.0, scale),  # the staff the demo was created with
        follower=follower,
    )
