"""The other half of the closed loop: a team lead thanks a happy customer, or asks them to become an ambassador.

A promoter (NPS 9-10) or a CSAT 5 gets at most one such message, chosen by a team lead. It goes like the survey
invitation did: on the channel of the contact when that channel can carry it, else by e-mail, in the answer's
language, through the channels' outbox (`contacts.services.notices`). A customer whose data was erased gets
nothing; the reply is then recorded as undeliverable. Every reply is written to the audit log.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext

from contactpunt.audit.services import record
from contactpunt.contacts.services.notices import NoticeDraft, NoticeError, notice_channels, queue_notice
from contactpunt.customers.models import IdentityKind
from contactpunt.feedback.models import Answer, Gratitude, PromoterReply, Undeliverable, kind_words
from contactpunt.feedback.services.delivery import latest_identities, routes_for
from contactpunt.people.models import User


class NotHappy(ValueError):
    """Only a promoter (NPS 9-10) or a CSAT 5 is thanked or asked to be an ambassador."""


class AlreadyReplied(Exception):
    """The customer already got a thank-you or the ambassador question for this answer."""


def awaiting_reply(answers: QuerySet[Answer]) -> QuerySet[Answer]:
    """The happy answers among `answers` that no team lead has replied to yet."""
    return kind_words(answers).filter(promoter_reply__isnull=True, invitation__customer__erased_at__isnull=True)


def reply_to_promoter(*, answer: Answer, by: User, kind: str, now: dt.datetime) -> PromoterReply:
    """Send `kind` (thanks or the ambassador question) to the customer who gave `answer`, once.

    ValueError for an unknown kind, NotHappy for an answer that is not a promoter's or a CSAT 5's, AlreadyReplied
    when a reply was recorded before (also when two team leads click at once)."""
    chosen = Gratitude(kind)
    if not answer.is_happy:
        raise NotHappy(str(answer.pk))
    invitation = answer.invitation
    with transaction.atomic():
        locked = Answer.objects.select_for_update().filter(pk=answer.pk).first()
        if locked is None or PromoterReply.objects.filter(answer_id=answer.pk).exists():
            raise AlreadyReplied(str(answer.pk))
        reference, undeliverable = "", ""
        if invitation.customer.erased_at is not None:
            undeliverable = Undeliverable.ERASED
        else:
            reference = _queue(answer, chosen)
            undeliverable = "" if reference else Undeliverable.NO_ADDRESS
        reply = PromoterReply.objects.create(
            answer=answer, kind=chosen, by=by, at=now, outbound_ref=reference[:255], undeliverable=undeliverable
        )
        record(
            actor=by,
            action="promoter.replied",
            obj=reply,
            changes={"answer": answer.pk, "kind": chosen.value, "undeliverable": undeliverable},
        )
    return reply


def _queue(answer: Answer, kind: Gratitude) -> str:
    """Queue the message on the first route that takes it; the outbox reference, or "" when none did."""
    invitation = answer.invitation
    customer_ids = [invitation.customer_id]
    routes = routes_for(
        invitation,
        latest_identities(customer_ids, IdentityKind.EMAIL),
        latest_identities(customer_ids, IdentityKind.WHATSAPP),
        notice_channels(),
    )
    for channel, to in routes:
        subject, body = _message(answer, kind, short=channel != "email")
        try:
            with transaction.atomic():  # a writer that fails half-way leaves nothing
                return queue_notice(NoticeDraft(invitation.case, invitation.contact, channel, to, subject, body))
        except NoticeError:
            continue
    return ""


def _message(answer: Answer, kind: Gratitude, *, short: bool) -> tuple[str, str]:
    """Subject and text in the answer's language; `short` for chat, WhatsApp and private messages."""
    invitation = answer.invitation
    with translation.override(invitation.language):
        name = invitation.customer.display_name.strip()
        greeting = gettext("Hello %(name)s,") % {"name": name} if name else gettext("Hello,")
        if kind == Gratitude.AMBASSADOR:
            subject = gettext("Would you recommend us?")
            text = gettext(
                "Thank you for your kind words about our service. Customers like you help others choose us: would "
                "you like to be one of our ambassadors? Reply to this message and we will tell you more."
            )
        else:
            subject = gettext("Thank you for your kind words")
            text = gettext(
                "Thank you for taking the time to tell us how we helped you. We have passed your kind words on to "
                "the colleague who helped you."
            )
    if short:
        return subject, text
    return subject, f"{greeting}\n\n{text}\n"
