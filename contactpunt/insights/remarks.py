"""Positive and negative remarks per agent, team and contact reason over a period.

A remark is an analysed inbound message whose sentiment is positive or negative. It belongs to:

- the agent who handled its contact, as kpis attributes it: the agent who answered (calls, chats)
  or first replied (written channels); failing both, the agent who wrapped it up;
- that agent's current team (as in kpis, an agent's figures count for their current team);
- the case's contact reason as the agent chose it at wrap-up, else the model's suggestion.

**Negative share** = negative messages / analysed messages of the group.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from contactpunt.contacts.models import ContactEvent, ContactReason, EventName, Message
from contactpunt.insights.models import MessageInsight, Sentiment
from contactpunt.kpis.facts import agent_teams
from contactpunt.people.models import Team, User

EXAMPLES_PER_GROUP = 3
_HANDLING = (EventName.ANSWERED, EventName.REPLIED)


@dataclass(slots=True)
class RemarkGroup:
    """The remarks of one agent, team or reason."""

    key: int | None
    name: str
    messages: int = 0
    positive: int = 0
    negative: int = 0
    negative_examples: list[tuple[int, str]] = field(default_factory=list)

    @property
    def negative_share(self) -> float | None:
        """Negative messages / analysed messages; None without messages."""
        return self.negative / self.messages if self.messages else None


@dataclass(frozen=True, slots=True)
class RemarkReport:
    """Remarks per agent, team and contact reason, each sorted by negative count (most first)."""

    by_agent: list[RemarkGroup]
    by_team: list[RemarkGroup]
    by_reason: list[RemarkGroup]
    messages: int


def handling_agents(contact_ids: Iterable[int] | QuerySet[Any, Any]) -> dict[int, int]:
    """The agent who handled each contact: first to answer or reply, else the one who wrapped it up. `contact_ids`
    is a list of ids or a query of them (one query with the query as a subquery, no list of ids sent back)."""
    handled: dict[int, int] = {}
    wrapped: dict[int, int] = {}
    if isinstance(contact_ids, QuerySet):
        chunks: list[Any] = [contact_ids]
    else:
        ids = sorted(set(contact_ids))
        chunks = [ids[start : start + 5000] for start in range(0, len(ids), 5000)]
    for chunk in chunks:
        rows = (
            ContactEvent.objects.filter(
                contact_id__in=chunk,
                name__in=[*_HANDLING, EventName.WRAPPED],
                agent__isnull=False,
            )
            .order_by("occurred_at", "id")
            # The two flags rather than each event's whole data (decoding it cost more than the query).
            .values_list("contact_id", "name", "agent_id", "data__internal", "data__automatic")
        )
        for contact_id, name, agent_id, internal, automatic in rows:
            if name == EventName.WRAPPED:
                wrapped.setdefault(contact_id, agent_id)
            elif not (internal or automatic):
                handled.setdefault(contact_id, agent_id)
    return {**wrapped, **handled}


def remarks(start: dt.datetime, end: dt.datetime, *, agent: User | None = None) -> RemarkReport:
    """The remarks of messages that arrived in [start, end); with ``agent``, only that agent's contacts."""
    rows = list(
        MessageInsight.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
        .order_by("-occurred_at", "-id")
        .values_list("message_id", "contact_id", "sentiment", "message__case__reason_id", "suggested_reason_id")
    )
    agents = handling_agents(row[1] for row in rows)
    if agent is not None:
        rows = [row for row in rows if agents.get(row[1]) == agent.pk]
    teams = agent_teams()
    names = _names(agents.values(), teams.values())
    groups: dict[str, dict[int | None, RemarkGroup]] = {"agent": {}, "team": {}, "reason": {}}
    examples: list[tuple[RemarkGroup, int]] = []
    for message_id, contact_id, sentiment, chosen_reason, suggested_reason in rows:
        agent_id = agents.get(contact_id)
        keys = {
            "agent": agent_id,
            "team": teams.get(agent_id) if agent_id is not None else None,
            "reason": chosen_reason or suggested_reason,
        }
        for kind, key in keys.items():
            group = groups[kind].get(key)
            if group is None:
                group = groups[kind][key] = RemarkGroup(key, names[kind].get(key, ""))
            group.messages += 1
            if sentiment == Sentiment.POSITIVE:
                group.positive += 1
            elif sentiment == Sentiment.NEGATIVE:
                group.negative += 1
                if len(group.negative_examples) < EXAMPLES_PER_GROUP:
                    group.negative_examples.append((message_id, ""))
                    examples.append((group, message_id))
    _fill_texts(examples)
    ordered = {kind: sorted(found.values(), key=lambda g: (-g.negative, g.name)) for kind, found in groups.items()}
    return RemarkReport(ordered["agent"], ordered["team"], ordered["reason"], len(rows))


def _names(agent_ids: Iterable[int], team_ids: Iterable[int | None]) -> dict[str, dict[int | None, str]]:
    users = User.objects.filter(pk__in=set(agent_ids)).values_list("pk", "first_name", "last_name", "username")
    return {
        "agent": {pk: f"{first} {last}".strip() or username for pk, first, last, username in users},
        "team": dict(Team.objects.filter(pk__in={t for t in team_ids if t}).values_list("pk", "name")),
        "reason": dict(ContactReason.objects.values_list("pk", "name")),
    }


def _fill_texts(examples: list[tuple[RemarkGroup, int]]) -> None:
    texts = dict(Message.objects.filter(pk__in={pk for _group, pk in examples}).values_list("pk", "text"))
    for group, _pk in examples:
        group.negative_examples = [(pk, texts.get(pk, "")) for pk, _text in group.negative_examples]
