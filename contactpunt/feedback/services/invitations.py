"""Whom to ask, when and how: the invitation decision after a case is resolved.

A resolved case gets at most one first invitation. It is refused when the case has no customer, the customer is
erased, opted out or one of our own people, when no agent really handled it (no answered leg and no public reply by
an agent), when the customer was asked about another case within the throttle window (across every channel), or
when the queue's sampling leaves it out. Sampling is a hash of the case id, so a repeated decision gives the same
answer. Decisions are set-based: one batch of resolved cases costs a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from contactpunt.contacts import announcements
from contactpunt.contacts.models import Case, CaseStatus, Channel, ContactLeg, Direction, Message
from contactpunt.customers.models import Customer, Identity, IdentityKind
from contactpunt.feedback.models import Invitation, Medium, QueueSurveyRule, Survey, SurveyOptOut
from contactpunt.feedback.services.config import current_settings
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
        contact__case_id__in=case_ids, agent__isnull=False, answered_at__isnull=False
    ).values_list("contact__case_id", "agent_id", "contact_id", "contact__channel", "answered_at")
    for case_id, agent_id, contact_id, channel, at in legs:
        assert at is not None
        keep(case_id, _Handled(agent_id, contact_id, channel, at))
    replies = Message.objects.filter(
        case_id__in=case_ids, direction=Direction.OUTBOUND, author__isnull=False, is_internal=False
    ).values_list("case_id", "author_id", "contact_id", "contact__channel", "created_at")
    for case_id, agent_id, contact_id, channel, at in replies:
        keep(case_id, _Handled(agent_id, contact_id, channel, at))
    return found


def _internal_customers(customer_ids: set[int]) -> set[int]:
    """Customers whose e-mail address is that of one of our own people."""
    staff = {e.casefold() for e in User.objects.exclude(email="").values_list("email", flat=True)}
    if not staff:
        return set()
    emails = Identity.objects.filter(customer_id__in=customer_ids, kind=IdentityKind.EMAIL).values_list(
        "customer_id", "value"
    )
    return {customer_id for customer_id, value in emails if value.casefold() in staff}


class _SurveyChooser:
    """The active survey version that fits a kind, channel, reason and language best."""

    def __init__(self) -> None:
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


def decide_invitations(case_ids: Sequence[int]) -> list[Decision]:
    """Decide, for each resolved case, whether its customer is asked; write the invitations (idempotent: a case
    already decided keeps its invitation). The decision moment is the case's resolution."""
    ids = sorted(set(case_ids))
    if not ids:
        return []
    rules = current_settings()
    throttle = dt.timedelta(days=rules.throttle_days)
    with transaction.atomic():
        cases = {c.pk: c for c in Case.objects.filter(pk__in=ids).select_related("customer")}
        customer_ids = {c.customer_id for c in cases.values() if c.customer_id is not None}
        # Two workers deciding for the same person at once must not both invite: lock the people first.
        list(Customer.objects.select_for_update().filter(pk__in=customer_ids).values_list("pk", flat=True))
        already = dict(Invitation.objects.filter(case_id__in=ids, wave=1).values_list("case_id", "pk"))
        opted_out = set(SurveyOptOut.objects.filter(customer_id__in=customer_ids).values_list("customer_id", flat=True))
        internal = _internal_customers(customer_ids)
        handled = _last_agent_contacts(ids)
        asked: dict[int, list[dt.datetime]] = defaultdict(list)
        for customer_id, at in Invitation.objects.filter(customer_id__in=customer_ids, wave=1).values_list(
            "customer_id", "decided_at"
        ):
            asked[customer_id].append(at)
        queue_rules = {
            r.queue_id: r for r in QueueSurveyRule.objects.filter(queue_id__in={c.queue_id for c in cases.values()})
        }
        chooser = _SurveyChooser()
        agents = {
            u.pk: u for u in User.objects.filter(pk__in={h.agent_id for h in handled.values()}).select_related("team")
        }
        decisions: list[Decision] = []
        new: list[tuple[int, Invitation]] = []
        for case_id in ids:
            case = cases.get(case_id)
            reason = _refusal(case, already, opted_out, internal, handled)
            if reason is not None or case is None:
                decisions.append(Decision(case_id, reason or "no_case", already.get(case_id)))
                continue
            assert case.customer is not None and case.resolved_at is not None
            at = case.resolved_at
            if any(abs(at - other) < throttle for other in asked[case.customer.pk]):
                decisions.append(Decision(case_id, "throttled"))
                continue
            rule = queue_rules.get(case.queue_id)
            if not sampled(case_id, rule.rate if rule else rules.default_rate):
                decisions.append(Decision(case_id, "not_sampled"))
                continue
            contact = handled[case_id]
            language = case.customer.language if case.customer.language in LANGUAGES else "nl"
            kind = rule.kind if rule else rules.default_kind
            survey = chooser.choose(kind, contact.channel, case.reason_id, language)
            if survey is None:
                decisions.append(Decision(case_id, "no_survey"))
                continue
            agent = agents.get(contact.agent_id)
            team = agent.team if agent else None
            medium = MEDIUM_OF_CHANNEL.get(Channel(contact.channel), Medium.EMAIL)
            send_at = at if medium == Medium.CHAT else at + dt.timedelta(minutes=rules.delay_minutes)
            invitation = Invitation(
                case_id=case_id,
                contact_id=contact.contact_id,
                customer_id=case.customer.pk,
                agent_id=contact.agent_id,
                team=team,
                site_id=team.site_id if team else None,
                queue_id=case.queue_id,
                reason_id=case.reason_id,
                channel=contact.channel,
                medium=medium,
                survey=survey,
                language=language,
                decided_at=at,
                send_at=send_at,
                expires_at=send_at + dt.timedelta(days=rules.token_days),
            )
            asked[case.customer.pk].append(at)
            new.append((case_id, invitation))
        created = Invitation.objects.bulk_create([inv for _, inv in new])
        by_case = {inv.case_id: inv.pk for inv in created}
        if any(pk is None for pk in by_case.values()):  # SQLite before 3.35 returns no ids
            by_case = dict(Invitation.objects.filter(case_id__in=list(by_case), wave=1).values_list("case_id", "pk"))
        decisions += [Decision(case_id, "invited", by_case[case_id]) for case_id, _ in new]
    decisions.sort(key=lambda d: d.case_id)
    return decisions


def _refusal(
    case: Case | None,
    already: dict[int, int],
    opted_out: set[int],
    internal: set[int],
    handled: dict[int, _Handled],
) -> str | None:
    """The exclusion that applies to the case, or None when it may be asked."""
    if case is None:
        return "no_case"
    if case.pk in already:
        return "already_decided"
    if case.status != CaseStatus.RESOLVED or case.resolved_at is None or case.merged_into_id is not None:
        return "not_resolved"
    customer = case.customer
    if customer is None or customer.merged_into_id is not None:
        return "no_customer"
    if customer.erased_at is not None:
        return "erased"
    if customer.pk in opted_out:
        return "opted_out"
    if customer.pk in internal:
        return "internal"
    if case.pk not in handled:
        return "no_agent_contact"
    return None


def on_cases_resolved(messages: Sequence[announcements.Message]) -> None:
    """Subscriber of CASE_RESOLVED: decide the invitations of the whole batch at once."""
    decide_invitations([m.ids["case_id"] for m in messages if "case_id" in m.ids])
