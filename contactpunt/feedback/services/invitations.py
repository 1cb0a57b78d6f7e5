"""Whom to ask, when and how: the invitation decision after a case is resolved.

A resolved case gets at most one first invitation. It is refused when the case has no customer, the customer is
erased, opted out or one of our own people, when no agent really handled it (no answered leg and no public reply by
an agent), when it was escalated as a complaint (transferred with the reason "escalation": the team lead follows it
up in person, a survey would only add to it), when the customer was asked about another case within the throttle
window (across every channel), or when the queue's sampling leaves it out. Sampling is a hash of the case id, so a
repeated decision gives the same answer. Decisions are set-based: one batch of resolved cases costs a fixed number of
queries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction

from contactpunt import fast_insert
from contactpunt.contacts import announcements
from contactpunt.contacts.models import (
    Case,
    CaseStatus,
    Channel,
    ContactEvent,
    ContactLeg,
    Direction,
    EventName,
    Message,
)
from contactpunt.customers.models import Customer, Identity, IdentityKind
from contactpunt.fast_rows import values_rows
from contactpunt.feedback.defaults import ensure_default_surveys
from contactpunt.feedback.models import Invitation, Medium, QueueSurveyRule, Survey
from contactpunt.feedback.services.config import current_settings
from contactpunt.feedback.services.opt_outs import not_to_survey
from contactpunt.id_filters import ids_in
from contactpunt.people.models import User

MEDIUM_OF_CHANNEL = {
    Channel.PHONE: Medium.SMS,
    Channel.EMAIL: Medium.EMAIL,
    Channel.WEBFORM: Medium.EMAIL,
    Channel.CHAT: Medium.CHAT,
    Channel.WHATSAPP: Medium.WHATSAPP,
    Channel.SOCIAL: Medium.SOCIAL,
}
LANGUAGES = ("nl", "en")
ESCALATION = "escalation"  # contacts.services.case_actions.TransferReason.ESCALATION


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether the case's customer is asked; `reason` names the rule that decided ("invited" when asked)."""

    case_id: int
    reason: str
    invitation_id: int | None = None

    @property
    def invited(self) -> bool:
        return self.invitation_id is not None


@dataclass(frozen=True, slots=True)
class _Handled:
    agent_id: int
    contact_id: int | None
    channel: str
    at: dt.datetime


def sampled(case_id: int, rate: Decimal | float) -> bool:
    """Whether the case falls inside a sampling rate of `rate` (0..1), the same answer every time."""
    digest = hashlib.sha256(f"feedback-sample:{case_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < float(rate)


def _last_agent_contacts(case_ids: list[int]) -> dict[int, _Handled]:
    """The last real agent contact of each case: an answered leg with an agent, or an agent's public reply."""
    found: dict[int, _Handled] = {}

    def keep(case_id: int, handled: _Handled) -> None:
        if case_id not in found or handled.at >= found[case_id].at:
            found[case_id] = handled

    legs = ContactLeg.objects.filter(
        ids_in("contact__case_id", case_ids), agent__isnull=False, answered_at__isnull=False
    ).values_list("contact__case_id", "agent_id", "contact_id", "contact__channel", "answered_at")
    for case_id, agent_id, contact_id, channel, at in values_rows(legs):
        assert at is not None
        keep(case_id, _Handled(agent_id, contact_id, channel, at))
    replies = Message.objects.filter(
        ids_in("case_id", case_ids), direction=Direction.OUTBOUND, author__isnull=False, is_internal=False
    ).values_list("case_id", "author_id", "contact_id", "contact__channel", "created_at")
    for case_id, agent_id, contact_id, channel, at in values_rows(replies):
        keep(case_id, _Handled(agent_id, contact_id, channel, at))
    return found


def _escalated_cases(case_ids: list[int]) -> set[int]:
    """Cases transferred with the reason "escalation" (the transfer reason of the workspace's transfer action)."""
    return set(
        ContactEvent.objects.filter(
            ids_in("case_id", case_ids), name=EventName.TRANSFERRED, data__transfer_reason=ESCALATION
        ).values_list("case_id", flat=True)
    )


def _internal_customers(customer_ids: set[int]) -> set[int]:
    """Customers whose e-mail address is that of one of our own people."""
    staff = {e.casefold() for e in User.objects.exclude(email="").values_list("email", flat=True)}
    if not staff:
        return set()
    emails = Identity.objects.filter(ids_in("customer_id", customer_ids), kind=IdentityKind.EMAIL).values_list(
        "customer_id", "value"
    )
    return {customer_id for customer_id, value in emails if value.casefold() in staff}


class _SurveyChooser:
    """The active survey version that fits a kind, channel, reason and language best."""

    def __init__(self) -> None:
        self.surveys = list(Survey.objects.filter(is_active=True).order_by("-version"))
        if not self.surveys:
            ensure_default_surveys()
            self.surveys = list(Survey.objects.filter(is_active=True).order_by("-version"))

    def choose(self, kind: str, channel: str, reason_id: int | None, language: str) -> Survey | None:
        best: tuple[int, Survey] | None = None
        for survey in self.surveys:
            if survey.kind != kind or survey.language != language:
                continue
            if survey.channel not in ("", channel) or survey.reason_id not in (None, reason_id):
                continue
            fit = (2 if survey.reason_id is not None else 0) + (1 if survey.channel else 0)
            if best is None or fit > best[0]:
                best = (fit, survey)
        return best[1] if best else None


@dataclass(frozen=True, slots=True)
class _CaseRow:
    pk: int
    status: str
    resolved_at: dt.datetime | None
    is_merged: bool
    queue_id: int
    reason_id: int | None
    customer_id: int | None
    customer_erased: bool
    customer_merged: bool
    language: str


_CASE_COLUMNS = (
    "pk",
    "status",
    "resolved_at",
    "merged_into_id",
    "queue_id",
    "reason_id",
    "customer_id",
    "customer__erased_at",
    "customer__merged_into_id",
    "customer__language",
)


def _cases(ids: list[int]) -> dict[int, _CaseRow]:
    rows = Case.objects.filter(ids_in("pk", ids)).values_list(*_CASE_COLUMNS)
    return {
        pk: _CaseRow(
            pk,
            status,
            resolved,
            merged is not None,
            queue,
            reason,
            customer,
            erased is not None,
            customer_merged is not None,
            language or "",
        )
        for pk, status, resolved, merged, queue, reason, customer, erased, customer_merged, language in values_rows(
            rows
        )
    }


def decide_invitations(case_ids: Sequence[int]) -> list[Decision]:
    """Decide, for each resolved case, whether its customer is asked; write the invitations (idempotent: a case
    already decided keeps its invitation). The decision moment is the case's resolution."""
    ids = sorted(set(case_ids))
    if not ids:
        return []
    with transaction.atomic():
        already = dict(Invitation.objects.filter(ids_in("case_id", ids), wave=1).values_list("case_id", "pk"))
        decisions = [Decision(case_id, "already_decided", pk) for case_id, pk in already.items()]
        todo = [pk for pk in ids if pk not in already]
        if todo:
            decisions += _decide(todo)
    decisions.sort(key=lambda d: d.case_id)
    return decisions


def _decide(ids: list[int]) -> list[Decision]:
    rules = current_settings()
    throttle = dt.timedelta(days=rules.throttle_days)
    cases = _cases(ids)
    customer_ids = {c.customer_id for c in cases.values() if c.customer_id is not None}
    if connection.vendor == "postgresql":
        # Two workers deciding for the same person at once must not both invite: lock the people first. (SQLite
        # writes one transaction at a time: ours holds the write lock already.)
        list(Customer.objects.select_for_update().filter(ids_in("pk", customer_ids)).values_list("pk", flat=True))
    opted_out = not_to_survey(customer_ids)
    internal = _internal_customers(customer_ids)
    handled = _last_agent_contacts(ids)
    escalated = _escalated_cases(ids)
    asked: dict[int, list[dt.datetime]] = defaultdict(list)
    for customer_id, at in values_rows(
        Invitation.objects.filter(ids_in("customer_id", customer_ids), wave=1).values_list("customer_id", "decided_at")
    ):
        asked[customer_id].append(at)
    queue_rules = {r.queue_id: r for r in QueueSurveyRule.objects.all()}
    chooser = _SurveyChooser()
    teams = {
        pk: (team, site)
        for pk, team, site in User.objects.filter(pk__in={h.agent_id for h in handled.values()}).values_list(
            "pk", "team_id", "team__site_id"
        )
    }
    decisions: list[Decision] = []
    new: list[Invitation] = []
    delay = dt.timedelta(minutes=rules.delay_minutes)
    valid_for = dt.timedelta(days=rules.token_days)
    for case_id in ids:
        case = cases.get(case_id)
        reason = _refusal(case, opted_out, internal, handled) or ("escalated" if case_id in escalated else None)
        if reason is not None or case is None or case.customer_id is None or case.resolved_at is None:
            decisions.append(Decision(case_id, reason or "no_case"))
            continue
        at = case.resolved_at
        if any(abs(at - other) < throttle for other in asked[case.customer_id]):
            decisions.append(Decision(case_id, "throttled"))
            continue
        rule = queue_rules.get(case.queue_id)
        if not sampled(case_id, rule.rate if rule else rules.default_rate):
            decisions.append(Decision(case_id, "not_sampled"))
            continue
        contact = handled[case_id]
        language = case.language if case.language in LANGUAGES else "nl"
        survey = chooser.choose(rule.kind if rule else rules.default_kind, contact.channel, case.reason_id, language)
        if survey is None:
            decisions.append(Decision(case_id, "no_survey"))
            continue
        team_id, site_id = teams.get(contact.agent_id, (None, None))
        medium = MEDIUM_OF_CHANNEL.get(Channel(contact.channel), Medium.EMAIL)
        send_at = at if medium == Medium.CHAT else at + delay
        new.append(
            fast_insert.build(
                Invitation,
                case_id=case_id,
                contact_id=contact.contact_id,
                customer_id=case.customer_id,
                agent_id=contact.agent_id,
                team_id=team_id,
                site_id=site_id,
                queue_id=case.queue_id,
                reason_id=case.reason_id,
                channel=contact.channel,
                medium=medium,
                survey_id=survey.pk,
                language=language,
                decided_at=at,
                send_at=send_at,
                expires_at=send_at + valid_for,
            )
        )
        asked[case.customer_id].append(at)
    fast_insert.save_new([new])
    decisions += [Decision(inv.case_id, "invited", inv.pk) for inv in new]
    return decisions


def _refusal(
    case: _CaseRow | None, opted_out: set[int], internal: set[int], handled: dict[int, _Handled]
) -> str | None:
    """The exclusion that applies to the case, or None when it may be asked."""
    if case is None:
        return "no_case"
    if case.status != CaseStatus.RESOLVED or case.resolved_at is None or case.is_merged:
        return "not_resolved"
    if case.customer_id is None or case.customer_merged:
        return "no_customer"
    if case.customer_erased:
        return "erased"
    if case.customer_id in opted_out:
        return "opted_out"
    if case.customer_id in internal:
        return "internal"
    if case.pk not in handled:
        return "no_agent_contact"
    return None


def on_cases_resolved(messages: Sequence[announcements.Message]) -> None:
    """Subscriber of CASE_RESOLVED: decide the invitations of the whole batch at once."""
    decide_invitations([m.ids["case_id"] for m in messages if "case_id" in m.ids])
