"""Sending the invitations: the link to the survey, on the channel of the contact, when its time has come.

An invitation is sent once, at or after its `send_at`, before it expires and while the customer may still be asked
(not erased, not opted out since the decision). It goes on the medium decided (an e-mail, a WhatsApp or private
message, a line at the end of the chat); where that channel cannot carry it (a phone contact: there is no SMS
outbox) it goes by e-mail when the customer has an address, else it is marked undeliverable and never sent. The
message is in the invitation's language and carries the signed single-use link; opening the link stores nothing
(a rating is stored only on submit). The channels' outbox sends it; when it went out is read back from there
(`delivered_at`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from contactpunt.contacts.models import Channel
from contactpunt.contacts.services.notices import NoticeDraft, NoticeError, notice_channels, queue_notice, sent_times
from contactpunt.customers.models import Identity, IdentityKind
from contactpunt.feedback.models import Invitation, Medium, Undeliverable
from contactpunt.feedback.services.opt_outs import CONSENT_CHANNEL, not_to_survey
from contactpunt.feedback.services.tokens import make_token

logger = logging.getLogger(__name__)

CHANNEL_OF_MEDIUM = {
    Medium.EMAIL: Channel.EMAIL,
    Medium.WHATSAPP: Channel.WHATSAPP,
    Medium.CHAT: Channel.CHAT,
    Medium.SOCIAL: Channel.SOCIAL,
}
MEDIUM_OF_NOTICE_CHANNEL: dict[str, str] = {channel: medium for medium, channel in CHANNEL_OF_MEDIUM.items()}
#: An invitation not sent within this long after its moment is not sent at all (a question about a contact of weeks
#: ago, after an outage or from an imported or simulated history, helps nobody).
SEND_WITHIN = dt.timedelta(days=2)
#: How long after sending the outbox is asked whether the message went out.
DELIVERY_WATCH = dt.timedelta(days=7)


@dataclass
class DeliveryReport:
    """What one round did: invitations sent (by medium), not sendable (by reason), and deliveries recorded."""

    sent: dict[str, int] = field(default_factory=dict)
    undeliverable: dict[str, int] = field(default_factory=dict)
    delivered: int = 0

    @property
    def total_sent(self) -> int:
        return sum(self.sent.values())


def survey_link(invitation: Invitation) -> str:
    """The public address of the invitation's survey (signed, single use, expiring)."""
    return settings.PUBLIC_URL + reverse("feedback:survey", args=[make_token(invitation)])


def send_due_invitations(now: dt.datetime, *, limit: int = 500) -> DeliveryReport:
    """Send the invitations due by `now` (at most `limit`), then record which sent ones went out."""
    report = DeliveryReport()
    due = list(
        Invitation.objects.filter(
            sent_at__isnull=True, undeliverable="", answered_at__isnull=True, send_at__lte=now, expires_at__gt=now
        )
        .select_related("case", "contact", "customer")
        .order_by("send_at", "pk")[:limit]
    )
    if due:
        customer_ids = {inv.customer_id for inv in due}
        opted_out = not_to_survey(customer_ids)
        refused = {channel: not_to_survey(customer_ids, channel) for channel in CONSENT_CHANNEL}
        emails = latest_identities(customer_ids, IdentityKind.EMAIL)
        whatsapps = latest_identities(customer_ids, IdentityKind.WHATSAPP)
        channels = notice_channels()
        for invitation in due:
            outcome = _send(
                invitation,
                now,
                opted_out=opted_out,
                emails=emails,
                whatsapps=whatsapps,
                channels=channels,
                refused=refused,
            )
            bucket = report.sent if outcome in Medium.values else report.undeliverable
            bucket[outcome] = bucket.get(outcome, 0) + 1
    report.delivered = record_deliveries(now)
    return report


def record_deliveries(now: dt.datetime) -> int:
    """Set `delivered_at` on the invitations whose message the outbox has sent since; return how many."""
    watched = dict(
        Invitation.objects.filter(delivered_at__isnull=True, sent_at__gte=now - DELIVERY_WATCH)
        .exclude(outbound_ref="")
        .values_list("outbound_ref", "pk")
    )
    if not watched:
        return 0
    went_out = sent_times(list(watched))
    for ref, at in went_out.items():
        Invitation.objects.filter(pk=watched[ref], delivered_at__isnull=True).update(delivered_at=at)
    return len(went_out)


def latest_identities(customer_ids: Iterable[int], kind: str) -> dict[int, str]:
    """Each customer's latest own (not shared) identity of `kind`: the address we write to."""
    rows = Identity.objects.filter(customer_id__in=list(customer_ids), kind=kind, is_shared=False)
    return dict(rows.order_by("customer_id", "created_at", "pk").values_list("customer_id", "value"))


def _send(
    invitation: Invitation,
    now: dt.datetime,
    *,
    opted_out: set[int],
    emails: dict[int, str],
    whatsapps: dict[int, str],
    channels: frozenset[str],
    refused: dict[str, set[int]],
) -> str:
    """Send one invitation in its own transaction; return the medium it went on, or why it was not sent. A channel
    the customer refused surveys on (`refused`: channel -> customers) is not tried."""
    if invitation.customer.erased_at is not None:
        return _mark_undeliverable(invitation, Undeliverable.ERASED)
    if now - invitation.send_at > SEND_WITHIN:
        return _mark_undeliverable(invitation, Undeliverable.TOO_LATE)
    if invitation.customer_id in opted_out:
        return _mark_undeliverable(invitation, Undeliverable.OPTED_OUT)
    routes = [
        (channel, to)
        for channel, to in routes_for(invitation, emails, whatsapps, channels)
        if invitation.customer_id not in refused.get(channel, ())
    ]
    if not routes:
        return _mark_undeliverable(invitation, Undeliverable.NO_ADDRESS)
    with transaction.atomic():
        # Claimed under a lock: two workers never send the same invitation.
        claimed = Invitation.objects.select_for_update().filter(pk=invitation.pk, sent_at__isnull=True).first()
        if claimed is None:
            return "already_sent"
        for channel, to in routes:
            subject, body = _message(invitation, short=channel != Channel.EMAIL)
            try:
                with transaction.atomic():  # a writer that fails half-way leaves nothing
                    ref = queue_notice(NoticeDraft(invitation.case, invitation.contact, channel, to, subject, body))
            except NoticeError as error:
                logger.debug("invitation %s not sent on %s: %s", invitation.pk, channel, error)
                continue
            medium = MEDIUM_OF_NOTICE_CHANNEL[channel]
            Invitation.objects.filter(pk=invitation.pk).update(sent_at=now, medium=medium, outbound_ref=ref[:255])
            return medium
        return _mark_undeliverable(invitation, Undeliverable.NO_ADDRESS)


def routes_for(
    invitation: Invitation, emails: dict[int, str], whatsapps: dict[int, str], channels: frozenset[str]
) -> list[tuple[str, str]]:
    """(channel, recipient) to try in turn: the decided medium's channel when it can carry the link, then e-mail."""
    contact = invitation.contact
    wanted = CHANNEL_OF_MEDIUM.get(Medium(invitation.medium))
    routes: list[tuple[str, str]] = []
    if wanted is not None and wanted in channels:
        to = ""
        if wanted == Channel.EMAIL:
            written = contact is not None and contact.channel in (Channel.EMAIL, Channel.WEBFORM)
            to = contact.sender if written and contact is not None and "@" in contact.sender else ""
            to = to or emails.get(invitation.customer_id, "")
        elif contact is not None and contact.channel == wanted:
            to = contact.sender
        elif wanted == Channel.WHATSAPP:
            to = whatsapps.get(invitation.customer_id, "")
        if to:
            routes.append((wanted, to))
    if Channel.EMAIL in channels and invitation.customer_id in emails and wanted != Channel.EMAIL:
        routes.append((Channel.EMAIL, emails[invitation.customer_id]))
    return routes


def _mark_undeliverable(invitation: Invitation, reason: str) -> str:
    Invitation.objects.filter(pk=invitation.pk, sent_at__isnull=True).update(undeliverable=reason)
    return reason


def _message(invitation: Invitation, *, short: bool) -> tuple[str, str]:
    """The subject and text of the invitation, in its language; `short` for chat, WhatsApp and private messages."""
    link = survey_link(invitation)
    case = invitation.case
    with translation.override(invitation.language):
        about = case.subject.strip() or case.token
        until = formats.date_format(timezone.localtime(invitation.expires_at).date(), "j F Y")
        name = invitation.customer.display_name.strip()
        if invitation.wave == 2:
            subject = gettext("Is your question still solved?")
            if short:
                return subject, gettext("Is your question about “%(about)s” still solved? Let us know: %(link)s") % {
                    "about": about,
                    "link": link,
                }
            text = gettext(
                "Some time ago we helped you with “%(about)s”. Is your question still solved? Let us know in a minute:"
            ) % {"about": about}
        else:
            subject = gettext("How did we help you?")
            if short:
                return subject, gettext(
                    "Thank you for contacting us. How did we help you? Let us know in a minute: %(link)s"
                ) % {"link": link}
            text = gettext(
                "You recently contacted us about “%(about)s”. Would you tell us in a minute how it went? "
                "Your answer helps us help you better."
            ) % {"about": about}
        greeting = gettext("Hello %(name)s,") % {"name": name} if name else gettext("Hello,")
        closing = gettext(
            "The link works until %(until)s. Rather not be asked again? Open the link and choose to receive no "
            "more surveys."
        ) % {"until": until}
    return subject, f"{greeting}\n\n{text}\n\n{link}\n\n{closing}\n"
