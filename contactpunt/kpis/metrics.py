"""Every metric of DESIGN.md, one function each, over the facts read from the event log (`facts`).

Fractions are 0..1 and durations seconds; a ratio with an empty denominator is None, never 0.
Queue figures count the units (contacts, or legs per queue/team/agent) that *entered the queue* in the
period. `report` computes them all for a period and a grouping; the CLI, the dashboards and the exports
call it, so every screen shows the same numbers.

Not yet here, because their data arrives with later issues: NPS, CSAT and CES (surveys), self-service
deflection and article usage (knowledge portal), cost to serve.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from contactpunt.contacts.models import (
    AgentState,
    AgentStateEvent,
    Channel,
    Contact,
    ContactEvent,
    Direction,
    EventName,
    Queue,
)
from contactpunt.customers.models import Account, ProductType
from contactpunt.kpis.facts import CONTACT, LEG, CaseFacts, Unit, load_cases, load_units, reason_roots
from contactpunt.kpis.intervals import INTERVAL, interval_start, local_midnight
from contactpunt.kpis.written import (
    backlog,
    backlog_now,
    first_response_times,
    first_response_within_norm,
    is_overdue,
    load_schedules,
    waiting_written,
)
from contactpunt.people.models import Department, Team, User

REPEAT_WINDOW = dt.timedelta(days=7)
FCR_WINDOW = dt.timedelta(days=7)
GROUPINGS = ("queue", "channel", "team", "agent", "day", "interval", "department", "site", "account", "product_type")
LEG_GROUPINGS = ("queue", "team", "agent", "department", "site")
MISSING = ("nps", "csat", "ces", "self_service_deflection")

# The formula of each metric, as the UI shows it one click away.
FORMULAS: dict[str, str] = {
    "offered": "contacts with a first `queued` event in the queue (at centre level counted once)",
    "answered": "offered contacts that an agent answered (written channels: that got a first public reply)",
    "abandoned": "offered contacts that hung up or left before an answer",
    "short_abandons": "abandoned with wait < the queue's short-abandon threshold, voice and chat only",
    "service_level": "phone and chat only: answered with wait <= T / (offered - short abandons); live, still "
    "waiting > T is missed",
    "asa_s": "mean wait of answered contacts (answered_at - queued_at)",
    "abandon_rate": "(abandoned - short abandons) / (offered - short abandons)",
    "reachability": "answered / offered",
    "aht_s": "(talk + hold + wrap-up) / handled; written channels: work-session time / handled",
    "transfer_rate": "handled contacts with at least one transfer / handled",
    "fcr": "resolved cases solved on their first inbound contact, never reopened, without an inbound contact "
    "of the customer on the same top-level reason in 7 days / resolved cases whose 7 days have passed",
    "repeat_rate": "inbound contacts of identified customers within 7 days of an earlier contact of theirs "
    "that was handled before it / inbound contacts of identified customers",
    "identified_share": "inbound contacts with an identified customer / inbound contacts",
    "csi_median_s": "median of resolved_at - first contact, over cases created in the period",
    "csi_p90_s": "90th percentile (nearest rank) of resolved_at - first contact, cases created in the period",
    "first_response_median_s": "median business-hours seconds from a written contact to the first public reply",
    "first_response_within_norm": "written channels: replied within the queue's norm (business hours) / (replied "
    "+ unreplied past the norm); live, every message still awaiting a reply past its norm is missed",
    "backlog": "written contacts still awaiting a first reply at the end of the period (now: the written "
    "contacts of open cases still waiting)",
    "oldest_backlog_age_s": "age of the oldest written contact still awaiting a first reply",
    "occupancy": "time on contact and in wrap-up / (that time + available time)",
    "schedule_adherence": "time in the scheduled activity (agent states mapped to activities; the first 5 minutes "
    "after each change of activity count as in it) / scheduled time",
}


def ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


# -- queue figures ----------------------------------------------------------------------------


def offered(units: Iterable[Unit]) -> int:
    """Offered = units that entered the queue (a contact's first `queued` event; per queue, per leg)."""
    return sum(1 for _ in units)


def answered(units: Iterable[Unit]) -> int:
    """Answered = offered units with an answer (written: a first public reply)."""
    return sum(1 for u in units if u.outcome == "answered")


def abandoned(units: Iterable[Unit]) -> int:
    """Abandoned = offered units that ended without an answer (short abandons included)."""
    return sum(1 for u in units if u.outcome == "abandoned")


def short_abandons(units: Iterable[Unit]) -> int:
    """Short abandons = abandoned with wait < the queue's short-abandon threshold, voice and chat only."""
    return sum(1 for u in units if u.is_short_abandon)


def service_level(
    units: Sequence[Unit], *, threshold_s: int | None = None, now: dt.datetime | None = None
) -> float | None:
    """Service level = answered with wait <= T / (offered - short abandons), on realtime channels (phone,
    chat) only: written channels have a response norm instead (`first_response_within_norm`).

    T is `threshold_s`, else each unit's queue threshold. Live (`now` given): a unit still waiting
    longer than T counts as missed, one waiting T or less is not counted yet.
    """
    within = 0
    counted = 0
    realtime = Channel.realtime()
    for u in units:
        limit = threshold_s if threshold_s is not None else u.sl_threshold_s
        if u.is_short_abandon or u.channel not in realtime:
            continue
        if u.outcome == "waiting" and now is not None and (now - u.queued_at).total_seconds() <= limit:
            continue
        counted += 1
        wait = u.wait_s
        if u.outcome == "answered" and wait is not None and wait <= limit:
            within += 1
    return ratio(within, counted)


def asa_s(units: Iterable[Unit]) -> float | None:
    """ASA = mean wait (answered_at - queued_at) of the answered units, in seconds."""
    waits = [u.wait_s for u in units if u.outcome == "answered" and u.wait_s is not None]
    return ratio(sum(waits), len(waits))


def abandon_rate(units: Sequence[Unit]) -> float | None:
    """Abandon rate = (abandoned - short abandons) / (offered - short abandons)."""
    short = short_abandons(units)
    return ratio(abandoned(units) - short, offered(units) - short)


def reachability(units: Sequence[Unit]) -> float | None:
    """Reachability = answered / offered."""
    return ratio(answered(units), offered(units))


def aht_s(units: Iterable[Unit]) -> float | None:
    """AHT = (talk + hold + wrap-up) / handled, in seconds: per leg at queue/team/agent level, per
    contact otherwise; written channels count work-session time."""
    handled = [u for u in units if u.is_handled]
    return ratio(sum(u.handle_s for u in handled), len(handled))


def transfer_rate(units: Iterable[Unit]) -> float | None:
    """Transfer rate = handled contacts with at least one transfer / handled contacts."""
    handled = [u for u in units if u.is_handled]
    return ratio(sum(1 for u in handled if u.is_transferred), len(handled))


# -- written channels: in `written` (response times, the norm, the backlog) -----------

# -- cases ------------------------------------------------------------------------------------


def _later_inbound(cases: Sequence[CaseFacts]) -> dict[int, list[tuple[dt.datetime, int | None, int]]]:
    """The inbound contacts of the cases' customers, with their case's top-level reason, by customer."""
    customers = {c.customer_id for c in cases if c.customer_id is not None and c.first_resolved_at is not None}
    if not customers:
        return {}
    start = min(c.first_resolved_at for c in cases if c.first_resolved_at is not None)
    end = max(c.first_resolved_at for c in cases if c.first_resolved_at is not None) + FCR_WINDOW
    roots = reason_roots()
    found: dict[int, list[tuple[dt.datetime, int | None, int]]] = defaultdict(list)
    for customer_id, at, reason_id, case_id in Contact.objects.filter(
        customer_id__in=customers, direction=Direction.INBOUND, occurred_at__gt=start, occurred_at__lte=end
    ).values_list("customer_id", "occurred_at", "case__reason_id", "case_id"):
        found[customer_id].append((at, roots.get(reason_id) if reason_id is not None else None, case_id))
    return found


def is_first_contact_resolution(case: CaseFacts, later: dict[int, list[tuple[dt.datetime, int | None, int]]]) -> bool:
    """True when the case was resolved on its first inbound contact, never reopened, and the customer
    had no inbound contact on the same top-level reason (unknown reasons match any) in the 7 days after."""
    if case.first_resolved_at is None or case.is_reopened or case.inbound_before_resolution != 1:
        return False
    if case.customer_id is None:
        return True
    limit = case.first_resolved_at + FCR_WINDOW
    for at, root, _case_id in later.get(case.customer_id, ()):
        if case.first_resolved_at < at <= limit and (
            root is None or case.reason_root_id is None or root == case.reason_root_id
        ):
            return False
    return True


def fcr(cases: Sequence[CaseFacts], *, now: dt.datetime) -> tuple[float | None, int]:
    """FCR = first-contact resolutions / resolved cases whose 7 days have passed by `now`; returns
    (rate, number of cases counted). `cases` are the cases first resolved in the period."""
    mature = [c for c in cases if c.first_resolved_at is not None and c.first_resolved_at + FCR_WINDOW <= now]
    later = _later_inbound(mature)
    solved = sum(1 for c in mature if is_first_contact_resolution(c, later))
    return ratio(solved, len(mature)), len(mature)


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least `share` of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def customer_speed_index(cases: Sequence[CaseFacts]) -> tuple[float | None, float | None, int]:
    """CSI = resolved_at - first contact of the case, over the cohort of cases created in the period;
    returns (median, nearest-rank p90, open cases of the cohort)."""
    times = [(c.resolved_at - c.opened_at).total_seconds() for c in cases if c.resolved_at is not None]
    open_cases = sum(1 for c in cases if c.resolved_at is None)
    return (statistics.median(times) if times else None), percentile(times, 0.9), open_cases


# -- repeat contacts --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InboundFacts:
    contact_id: int
    customer_id: int | None
    queue_id: int
    channel: str
    occurred_at: dt.datetime
    is_repeat: bool
    account_id: int | None = None
    product_type_id: int | None = None


def load_inbound(start: dt.datetime, end: dt.datetime) -> list[InboundFacts]:
    """Inbound contacts that arrived in [start, end), each marked whether it is a repeat contact: an
    earlier contact of the same identified customer arrived in the 7 days before it and had been handled
    (its `ended` or `replied` event) by the time it arrived."""
    rows = list(
        Contact.objects.filter(direction=Direction.INBOUND, occurred_at__gte=start, occurred_at__lt=end)
        .order_by()
        .values_list(
            "pk", "customer_id", "queue_id", "channel", "occurred_at", "customer__account_id", "case__product_type_id"
        )
    )
    # Per customer: (arrival, handled at) of every handled contact that could make a later one a repeat.
    handled_at: dict[int, dict[int, tuple[dt.datetime, dt.datetime]]] = defaultdict(dict)
    for contact_id, customer_id, arrived, at in (
        ContactEvent.objects.filter(
            name__in=[EventName.ENDED, EventName.REPLIED],
            contact__customer_id__isnull=False,
            contact__occurred_at__gte=start - REPEAT_WINDOW,
            contact__occurred_at__lt=end,
        )
        .order_by()
        .values_list("contact_id", "contact__customer_id", "contact__occurred_at", "occurred_at")
    ):
        known = handled_at[customer_id].get(contact_id)
        if known is None or at < known[1]:
            handled_at[customer_id][contact_id] = (arrived, at)
    facts = []
    for pk, customer_id, queue_id, channel, at, account_id, product_type_id in rows:
        earlier = handled_at[customer_id].values() if customer_id in handled_at else ()
        is_repeat = any(at - REPEAT_WINDOW <= arrived <= at and handled < at for arrived, handled in earlier)
        facts.append(InboundFacts(pk, customer_id, queue_id, channel, at, is_repeat, account_id, product_type_id))
    return facts


def repeat_rate(inbound: Iterable[InboundFacts]) -> float | None:
    """Repeat contact rate = inbound contacts of identified customers that arrived within 7 days of an
    earlier contact of theirs which had been handled (ended or replied) by then / inbound contacts of
    identified customers."""
    identified = [i for i in inbound if i.customer_id is not None]
    return ratio(sum(1 for i in identified if i.is_repeat), len(identified))


def identified_share(inbound: Sequence[InboundFacts]) -> float | None:
    """Identified share = inbound contacts with a customer / inbound contacts."""
    return ratio(sum(1 for i in inbound if i.customer_id is not None), len(inbound))


# -- agents -----------------------------------------------------------------------------------


Span = tuple[int, str, dt.datetime, dt.datetime]


def state_spans(start: dt.datetime, end: dt.datetime, *, agent_ids: Sequence[int] | None = None) -> list[Span]:
    """(agent, state, from, to) for every stretch of agent state within [start, end); a state lasts until
    the agent's next state event (the last one until `end`). Cut exactly at the period's edges."""
    events = AgentStateEvent.objects.all()
    if agent_ids is not None:
        events = events.filter(agent_id__in=agent_ids)
    latest = (
        AgentStateEvent.objects.filter(agent=OuterRef("pk"), occurred_at__lt=start)
        .order_by("-occurred_at", "-pk")
        .values("state")[:1]
    )
    agents = User.objects.all() if agent_ids is None else User.objects.filter(pk__in=agent_ids)
    current: dict[int, tuple[str, dt.datetime]] = {
        agent: (state, start)
        for agent, state in agents.annotate(state=Subquery(latest))
        .filter(state__isnull=False)
        .values_list("pk", "state")
    }
    spans: list[Span] = []
    for agent, state, at in (
        events.filter(occurred_at__gte=start, occurred_at__lt=end)
        .order_by("occurred_at", "pk")
        .values_list("agent_id", "state", "occurred_at")
    ):
        if agent in current:
            previous, since = current[agent]
            spans.append((agent, previous, since, at))
        current[agent] = (state, at)
    spans += [(agent, state, since, end) for agent, (state, since) in current.items()]
    return spans


def state_seconds(
    start: dt.datetime, end: dt.datetime, *, agent_ids: Sequence[int] | None = None
) -> dict[int, dict[str, float]]:
    """Seconds each agent spent in each state within [start, end) (see `state_spans`)."""
    totals: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for agent, state, since, until in state_spans(start, end, agent_ids=agent_ids):
        totals[agent][state] += (until - since).total_seconds()
    return {agent: dict(states) for agent, states in totals.items()}


def split_spans(spans: Iterable[Span], next_edge: Callable[[dt.datetime], dt.datetime]) -> list[Span]:
    """Cut every span at the edges `next_edge` gives (the next interval or local midnight after a moment):
    agent-state time belongs to the intervals in which it happened."""
    pieces: list[Span] = []
    for agent, state, begin, until in spans:
        moment = begin
        while moment < until:
            cut = min(next_edge(moment), until)
            pieces.append((agent, state, moment, cut))
            moment = cut
    return pieces


def occupancy(states: Iterable[dict[str, float]]) -> float | None:
    """Occupancy = (on contact + wrap-up) / (on contact + wrap-up + available), over agent state time."""
    busy = available = 0.0
    for seconds in states:
        busy += seconds.get(AgentState.ON_CONTACT, 0.0) + seconds.get(AgentState.WRAP_UP, 0.0)
        available += seconds.get(AgentState.AVAILABLE, 0.0)
    return ratio(busy, busy + available)


# Which agent states count as being in each scheduled activity (the workforce app's Activity values).
ACTIVITY_STATES: dict[str, frozenset[str]] = {
    "work": frozenset({AgentState.AVAILABLE, AgentState.ON_CONTACT, AgentState.WRAP_UP}),
    "break": frozenset({AgentState.BREAK}),
    "meeting": frozenset({AgentState.MEETING}),
    "training": frozenset({AgentState.TRAINING}),
}
ADHERENCE_GRACE = dt.timedelta(minutes=5)

Stretch = tuple[str, dt.datetime, dt.datetime]


def adherent_seconds(
    scheduled: Iterable[Stretch], states: Sequence[Stretch], *, grace: dt.timedelta = ADHERENCE_GRACE
) -> tuple[float, float]:
    """Return (seconds in the scheduled activity, scheduled seconds) for one agent.

    `scheduled` holds (activity, from, to) and `states` (agent state, from, to), both without overlaps. A
    scheduled second is adherent when the agent's state maps to the activity (`ACTIVITY_STATES`), or when it
    lies within `grace` after a change of activity (the start of a shift, the start or end of a break):
    moving between activities takes a moment.
    """
    adherent = total = 0.0
    previous: tuple[str, dt.datetime] | None = None
    for activity, begin, until in sorted(scheduled, key=lambda item: item[1]):
        total += (until - begin).total_seconds()
        changed = previous is None or previous[0] != activity or previous[1] != begin
        checked_from = min(begin + grace, until) if changed else begin
        adherent += (checked_from - begin).total_seconds()
        wanted = ACTIVITY_STATES.get(activity, frozenset())
        for state, since, to in states:
            if state in wanted:
                overlap = (min(until, to) - max(checked_from, since)).total_seconds()
                adherent += max(0.0, overlap)
        previous = (activity, until)
    return adherent, total


def schedule_adherence(parts: Iterable[tuple[float, float]]) -> float | None:
    """Schedule adherence = time in the scheduled activity / scheduled time, over (adherent, scheduled) parts."""
    adherent = scheduled = 0.0
    for inside, total in parts:
        adherent += inside
        scheduled += total
    return ratio(adherent, scheduled)


# -- the report -------------------------------------------------------------------------------

KeyOf = Callable[[Any], str | None]


@dataclass(frozen=True, slots=True)
class Names:
    queues: dict[int, str]
    departments: dict[int, str]
    sites: dict[int, str]
    accounts: dict[int, str]
    product_types: dict[int, str]
    teams: dict[int, str]
    agents: dict[int, str]
    agent_teams: dict[int, int | None]


def load_names() -> Names:
    department_names = dict(Department.objects.values_list("pk", "name"))
    return Names(
        dict(Queue.objects.values_list("pk", "code")),
        {pk: department_names[d] for pk, d in Queue.objects.values_list("pk", "department_id") if d is not None},
        {pk: site for pk, site in Team.objects.values_list("pk", "site__name") if site is not None},
        dict(Account.objects.values_list("pk", "name")),
        dict(ProductType.objects.values_list("pk", "name")),
        dict(Team.objects.values_list("pk", "name")),
        dict(User.objects.values_list("pk", "username")),
        dict(User.objects.values_list("pk", "team_id")),
    )


def group_key(
    by: str | None,
    names: Names,
    zone: ZoneInfo,
    *,
    queue_id: int | None,
    channel: str | None,
    team_id: int | None,
    agent_id: int | None,
    at: dt.datetime | None,
    account_id: int | None = None,
    product_type_id: int | None = None,
) -> str | None:
    """The label of the group a record falls in; None when the record has no value for the grouping."""
    if by is None:
        return "all"
    if by == "queue":
        return names.queues.get(queue_id) if queue_id is not None else None
    if by == "department":
        return names.departments.get(queue_id) if queue_id is not None else None
    if by == "site":
        return names.sites.get(team_id) if team_id is not None else None
    if by == "account":
        return names.accounts.get(account_id) if account_id is not None else None
    if by == "product_type":
        return names.product_types.get(product_type_id) if product_type_id is not None else None
    if by == "channel":
        return channel
    if by == "team":
        return names.teams.get(team_id) if team_id is not None else None
    if by == "agent":
        return names.agents.get(agent_id) if agent_id is not None else None
    if at is None:
        return None
    if by == "day":
        return at.astimezone(zone).date().isoformat()
    if by == "interval":
        return interval_start(at).astimezone(zone).isoformat()
    raise ValueError(f"unknown grouping {by!r}")


def queue_figures(
    units: Sequence[Unit], *, threshold_s: int | None = None, now: dt.datetime | None = None
) -> dict[str, Any]:
    """The queue figures of a set of units."""
    return {
        "offered": offered(units),
        "answered": answered(units),
        "abandoned": abandoned(units),
        "short_abandons": short_abandons(units),
        "service_level": service_level(units, threshold_s=threshold_s, now=now),
        "asa_s": asa_s(units),
        "aht_s": aht_s(units),
        "abandon_rate": abandon_rate(units),
        "transfer_rate": transfer_rate(units),
        "reachability": reachability(units),
        "handled": sum(1 for u in units if u.is_handled),
        "waiting": sum(1 for u in units if u.outcome == "waiting"),
    }


def _edges(by: str, zone: ZoneInfo) -> Callable[[dt.datetime], dt.datetime]:
    if by == "interval":
        return lambda moment: interval_start(moment) + INTERVAL
    return lambda moment: local_midnight(moment.astimezone(zone).date() + dt.timedelta(days=1), zone)


def report(
    start: dt.datetime,
    end: dt.datetime,
    *,
    by: str | None = None,
    zone: ZoneInfo | None = None,
    threshold_s: int | None = None,
    now: dt.datetime | None = None,
    units: Sequence[Unit] | None = None,
    cached: dict[str, dict[str, Any]] | None = None,
    parts: dict[str, dict[str, Any]] | None = None,
    names: Names | None = None,
) -> list[dict[str, Any]]:
    """Every metric for [start, end), one dict per group (one group "all" without `by`).

    Queue figures come from `units` when given, else from the event log; `cached` (the rollups' queue
    figures per group) replaces them, and `units` then only serve the written-channel response times.
    `parts` (`dayparts.figures`) replaces the figures over cases, customers and written response times.
    """
    if by is not None and by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}")
    zone = zone or ZoneInfo(timezone.get_default_timezone_name())
    now = now or timezone.now()
    names = names or load_names()
    level = LEG if by in LEG_GROUPINGS else CONTACT
    if units is None:
        units = load_units(start, end, level=level)
    live_now = now if now < end + dt.timedelta(hours=1) else None
    groups: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))

    def key(**fields: Any) -> str | None:
        return group_key(by, names, zone, **fields)

    for label in [*(cached or {}), *(parts or {})]:
        groups[label]["units"]

    for u in units:
        k = key(queue_id=u.queue_id, channel=u.channel, team_id=u.team_id, agent_id=u.agent_id, at=u.queued_at,
                account_id=u.account_id, product_type_id=u.product_type_id)  # fmt: skip
        if k is not None:
            groups[k]["units"].append(u)
    resolved = (
        load_cases(Q(events__name=EventName.RESOLVED, events__occurred_at__gte=start, events__occurred_at__lt=end))
        if parts is None
        else []
    )

    def case_key(c: Any, at: dt.datetime | None) -> str | None:
        """The group of a case, by its resolver and the moment `at`."""
        agent = c.resolved_by_id
        team_id = names.agent_teams.get(agent) if agent else None
        return key(queue_id=c.queue_id, channel=c.channel, team_id=team_id, agent_id=agent, at=at,
                   account_id=c.account_id, product_type_id=c.product_type_id)  # fmt: skip

    for c in resolved:
        k = case_key(c, c.first_resolved_at)
        if k is not None and c.first_resolved_at is not None and start <= c.first_resolved_at < end:
            groups[k]["resolved"].append(c)
    created = load_cases(Q(contacts__occurred_at__gte=start, contacts__occurred_at__lt=end)) if parts is None else []
    for c in {c.case_id: c for c in created}.values():
        if not start <= c.opened_at < end:
            continue
        k = case_key(c, c.opened_at)
        if k is not None:
            groups[k]["created"].append(c)
    for i in load_inbound(start, end) if parts is None else []:
        k = key(queue_id=i.queue_id, channel=i.channel, team_id=None, agent_id=None, at=i.occurred_at,
                account_id=i.account_id, product_type_id=i.product_type_id)  # fmt: skip
        if k is not None:
            groups[k]["inbound"].append(i)
    if by in (None, "team", "agent", "site"):
        for agent_id, seconds in state_seconds(start, end).items():
            k = key(queue_id=None, channel=None, team_id=names.agent_teams.get(agent_id), agent_id=agent_id, at=None)
            if k is not None:
                groups[k]["states"].append(seconds)
    elif by in ("day", "interval"):
        for _agent, state, since, until in split_spans(state_spans(start, end), _edges(by, zone)):
            k = key(queue_id=None, channel=None, team_id=None, agent_id=None, at=since)
            if k is not None:
                groups[k]["states"].append({state: (until - since).total_seconds()})
    if live_now is not None and by not in ("day", "interval"):
        # Live: messages from before the period still awaiting a reply count against the norm when overdue.
        for queue_id, channel, since, account_id, product_type_id in waiting_written(before=start):
            k = key(queue_id=queue_id, channel=channel, team_id=None, agent_id=None, at=since, account_id=account_id,
                    product_type_id=product_type_id)  # fmt: skip
            if k is not None:
                groups[k]["earlier"].append((queue_id, since))
    schedules = load_schedules()
    backlog_at = min(end, now)
    results = []
    for label in sorted(groups):
        group = groups[label]
        group_units = group["units"]
        row: dict[str, Any] = {"group": label, "by": by or "all"}
        if cached is not None:
            row.update(cached.get(label) or queue_figures([], threshold_s=threshold_s))
        else:
            row.update(queue_figures(group_units, threshold_s=threshold_s, now=live_now))
        if parts is not None:
            row.update(_from_parts(parts.get(label), group["earlier"], schedules, now))
        else:
            rate, counted = fcr(group["resolved"], now=now)
            median, p90, open_cases = customer_speed_index(group["created"])
            responses = first_response_times(group_units, schedules)
            row.update(
                {
                    "fcr": rate,
                    "fcr_cases": counted,
                    "repeat_rate": repeat_rate(group["inbound"]),
                    "identified_share": identified_share(group["inbound"]),
                    "csi_median_s": median,
                    "csi_p90_s": p90,
                    "csi_open_cases": open_cases,
                    "first_response_median_s": statistics.median(responses) if responses else None,
                    "first_response_within_norm": first_response_within_norm(
                        group_units, schedules, now=now, earlier=group["earlier"]
                    ),
                }
            )
        row["occupancy"] = occupancy(group["states"]) if group["states"] else None
        if by in (None, "queue", "channel"):
            queue_ids = [k for k, v in names.queues.items() if v == label] if by == "queue" else None
            of_channel = label if by == "channel" else None
            found = (
                backlog_now(now=now, queue_ids=queue_ids, channel=of_channel)
                if end > now
                else backlog(at=backlog_at, queue_ids=queue_ids, channel=of_channel)
            )
            row["backlog"], row["oldest_backlog_age_s"] = found.count, found.oldest_age_s
        results.append(row)
    return results


_NO_PARTS: dict[str, Any] = {"fcr": None, "fcr_cases": 0, "repeat_rate": None, "identified_share": None,
                             "csi_median_s": None, "csi_p90_s": None, "csi_open_cases": 0,
                             "first_response_median_s": None, "_norm": (0, 0)}  # fmt: skip


def _from_parts(
    found: dict[str, Any] | None, earlier: Sequence[Any], schedules: dict[int, Any], now: dt.datetime
) -> dict[str, Any]:
    """A group's figures over cases and customers from the day parts, with the live earlier overdue messages."""
    figures = dict(found or _NO_PARTS)
    within, counted = figures.pop("_norm")
    counted += sum(1 for queue_id, since in earlier if is_overdue(schedules, queue_id, since, now))
    figures["first_response_within_norm"] = ratio(within, counted)
    return figures
