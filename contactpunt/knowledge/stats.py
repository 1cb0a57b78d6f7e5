"""Self-service figures from the usage events (DESIGN.md, "Self-service"): views, helpful rate, searches without
result or without a click, and deflection measured three ways. Computed when read, over a window, for every
portal together or per portal (the public one, each account group's view)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from contactpunt.knowledge.models import Article, GroupPortal, UsageEvent, UsageKind
from contactpunt.knowledge.usage import FOLLOW_UP

CLICK_WINDOW = dt.timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class ArticleUsage:
    article: Article
    views: int
    votes: int
    helpful: int

    @property
    def helpful_rate(self) -> float | None:
        return self.helpful / self.votes if self.votes else None


@dataclass(slots=True)
class Deflection:
    """A share and the counts it is made of; `rate` None when nothing was counted."""

    deflected: int = 0
    total: int = 0

    @property
    def rate(self) -> float | None:
        return self.deflected / self.total if self.total else None


@dataclass(slots=True)
class Usage:
    articles: list[ArticleUsage] = field(default_factory=list)
    searches: int = 0
    views: int = 0
    votes: int = 0
    helpful: int = 0
    searches_without_result: int = 0
    searches_without_click: int = 0
    without_result: list[tuple[str, int]] = field(default_factory=list)
    without_click: list[tuple[str, int]] = field(default_factory=list)
    missing: list[tuple[Article, str]] = field(default_factory=list)
    portal: Deflection = field(default_factory=Deflection)
    suggestions: Deflection = field(default_factory=Deflection)
    contact_rate_shown: Deflection = field(default_factory=Deflection)
    contact_rate_held_out: Deflection = field(default_factory=Deflection)

    @property
    def helpful_rate(self) -> float | None:
        return self.helpful / self.votes if self.votes else None

    @property
    def hold_out_difference(self) -> float | None:
        """The hold-out's contact rate minus that of visitors who saw suggestions (positive: suggestions help)."""
        shown, held = self.contact_rate_shown.rate, self.contact_rate_held_out.rate
        return None if shown is None or held is None else held - shown


#: The columns of a usage event the figures read, in this order.
_COLUMNS = (
    "visitor",
    "kind",
    "article_id",
    "query",
    "results",
    "helpful",
    "missing",
    "held_out",
    "at",
    "account_group",
)
Row = tuple[str, str, int | None, str, int, bool | None, str, bool, dt.datetime, str]


@dataclass(frozen=True, slots=True)
class PortalUsage:
    """The figures of one portal: the public one (`group` None) or an account group's view."""

    group: GroupPortal | None
    account_group: str
    usage: Usage


def _events(start: dt.datetime, end: dt.datetime) -> list[Row]:
    return list(
        UsageEvent.objects.filter(at__gte=start, at__lt=end + FOLLOW_UP)
        .exclude(visitor="")
        .order_by("at", "id")
        .values_list(*_COLUMNS)
    )


def usage(*, start: dt.datetime, end: dt.datetime, top: int = 20, account_group: str | None = None) -> Usage:
    """The figures for events in [start, end); contacts up to 72 hours after `end` still count as follow-ups.
    `account_group` narrows them to one portal ("" the public portal and the chat widget; None every portal); a
    contact from the same visitor counts as a follow-up wherever it was sent."""
    return _figures(_events(start, end), end=end, top=top, account_group=account_group)


def per_portal(*, start: dt.datetime, end: dt.datetime, top: int = 20) -> list[PortalUsage]:
    """The figures of the public portal, then of each account group's portal view (by name), from one read of the
    events."""
    events = _events(start, end)
    portals: list[tuple[GroupPortal | None, str]] = [(None, "")]
    portals += [(group, group.account_group) for group in GroupPortal.objects.order_by("name", "pk")]
    return [PortalUsage(group, name, _figures(events, end=end, top=top, account_group=name)) for group, name in portals]


def _figures(events: list[Row], *, end: dt.datetime, top: int, account_group: str | None) -> Usage:
    result = Usage()
    contacts: dict[str, list[dt.datetime]] = defaultdict(list)
    views: dict[str, list[dt.datetime]] = defaultdict(list)
    for visitor, kind, _a, _q, _r, _h, _m, _held, at, _g in events:
        if kind == UsageKind.CONTACT:
            contacts[visitor].append(at)
        elif kind == UsageKind.VIEW:
            views[visitor].append(at)

    def followed(times: list[dt.datetime], at: dt.datetime, within: dt.timedelta) -> bool:
        return any(at <= t <= at + within for t in times)

    view_count: Counter[int] = Counter()
    votes: Counter[int] = Counter()
    helpful: Counter[int] = Counter()
    no_result: Counter[str] = Counter()
    no_click: Counter[str] = Counter()
    first_seen: dict[str, dt.datetime] = {}
    shown: dict[str, tuple[bool, dt.datetime]] = {}
    missing: list[tuple[int, str]] = []
    for visitor, kind, article_id, query, results, was_helpful, missing_text, held_out, at, group in events:
        if at >= end or (account_group is not None and group != account_group):
            continue
        if kind in (UsageKind.VIEW, UsageKind.SEARCH):
            first_seen.setdefault(visitor, at)
        if kind == UsageKind.VIEW and article_id is not None:
            view_count[article_id] += 1
        elif kind == UsageKind.VOTE and article_id is not None:
            votes[article_id] += 1
            helpful[article_id] += bool(was_helpful)
            if missing_text:
                missing.append((article_id, missing_text))
        elif kind == UsageKind.SEARCH:
            result.searches += 1
            text = query.casefold().strip()
            if not results:
                no_result[text] += 1
            elif not followed(views[visitor], at, CLICK_WINDOW):
                no_click[text] += 1
        elif kind == UsageKind.SUGGESTED:
            shown.setdefault(visitor, (held_out, at))
            if not held_out and results:
                result.suggestions.total += 1
                result.suggestions.deflected += not followed(contacts[visitor], at, FOLLOW_UP)
    for visitor, at in first_seen.items():
        result.portal.total += 1
        result.portal.deflected += not followed(contacts[visitor], at, FOLLOW_UP)
    for visitor, (held_out, at) in shown.items():
        rate = result.contact_rate_held_out if held_out else result.contact_rate_shown
        rate.total += 1
        rate.deflected += followed(contacts[visitor], at, FOLLOW_UP)  # here: visitors who did contact
    result.views = sum(view_count.values())
    result.votes = sum(votes.values())
    result.helpful = sum(helpful.values())
    result.searches_without_result = sum(no_result.values())
    result.searches_without_click = sum(no_click.values())
    ids = set(view_count) | set(votes) | {a for a, _ in missing}
    articles = Article.objects.in_bulk(list(ids)) if ids and top else {}
    result.articles = sorted(
        (ArticleUsage(articles[pk], view_count[pk], votes[pk], helpful[pk]) for pk in ids if pk in articles),
        key=lambda row: (-row.views, row.article.title),
    )[:top]
    result.without_result = sorted(no_result.items(), key=lambda item: (-item[1], item[0]))[:top]
    result.without_click = sorted(no_click.items(), key=lambda item: (-item[1], item[0]))[:top]
    result.missing = [(articles[pk], text) for pk, text in missing[-top:] if pk in articles]
    return result
