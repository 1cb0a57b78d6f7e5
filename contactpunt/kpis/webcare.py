"""The written channels' figures of a period for the webcare page, its export and `contactpunt kpis webcare`:
response times and the norm per channel, the backlog, the public messages still waiting, and the contacts an agent
closed with "no response needed" (the webcare rule: a public message gets a response or that explicit close)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from contactpunt.contacts.models import Channel, Contact, ContactEvent, EventName
from contactpunt.kpis import rollups, written
from contactpunt.kpis.written import Backlog


@dataclass(frozen=True, slots=True)
class ClosedWithoutResponse:
    """A contact an agent closed with "no response needed"."""

    event_id: int
    case_id: int
    case_token: str
    channel: str
    channel_label: str
    is_public: bool
    occurred_at: dt.datetime
    agent_name: str


@dataclass(frozen=True, slots=True)
class WebcareFigures:
    rows: list[dict[str, Any]]  # the report per written channel
    backlog: Backlog  # at the end of the period (now, for a period not over yet)
    unanswered: list[Contact]  # the oldest waiting first, public ones before the rest, at most `limit`
    public_waiting: int
    closed_without_response: list[ClosedWithoutResponse]  # newest first, at most `limit`
    closed_without_response_count: int


def written_channels() -> set[str]:
    return {c for c in Channel.values if c not in Channel.realtime()}


def closed_without_response(start: dt.datetime, end: dt.datetime, *, limit: int = 100) -> list[ClosedWithoutResponse]:
    """The contacts closed with "no response needed" in `start`..`end`, newest first."""
    events = _closed(start, end).select_related("agent", "contact", "case").order_by("-occurred_at", "-id")[:limit]
    return [
        ClosedWithoutResponse(
            event.pk,
            event.case_id,
            event.case.token,
            event.contact.channel if event.contact else "",
            str(event.contact.get_channel_display()) if event.contact else "",
            bool(event.contact and event.contact.is_public),
            event.occurred_at,
            event.agent.display_name if event.agent else "",
        )
        for event in events
    ]


def _closed(start: dt.datetime, end: dt.datetime) -> Any:
    return ContactEvent.objects.filter(
        name=EventName.WRAPPED, data__no_response_needed=True, occurred_at__gte=start, occurred_at__lt=end
    )


def webcare_figures(
    start: dt.datetime, end: dt.datetime, *, now: dt.datetime, zone: ZoneInfo, limit: int = 200
) -> WebcareFigures:
    """Every webcare figure of `start`..`end` (the backlog as of `now` when the period is not over)."""
    channels = written_channels()
    rows = [r for r in rollups.report(start, end, by="channel", zone=zone) if r["group"] in channels]
    waiting = written.backlog_now(now=now) if end > now else written.backlog(at=end)
    unanswered = list(
        Contact.objects.filter(pk__in=waiting.contact_ids)
        .select_related("queue", "case")
        .order_by("-is_public", "occurred_at")[:limit]
    )
    public_waiting = Contact.objects.filter(pk__in=waiting.contact_ids, is_public=True).count()
    return WebcareFigures(
        rows=rows,
        backlog=waiting,
        unanswered=unanswered,
        public_waiting=public_waiting,
        closed_without_response=closed_without_response(start, end, limit=limit // 2),
        closed_without_response_count=_closed(start, end).count(),
    )
