"""Sending an approved WhatsApp template on a case: the only message allowed outside the 24-hour window."""

from __future__ import annotations

from django.db import transaction

from contactpunt.channels.meta.models import MetaAccount, Platform, WhatsAppTemplate, WhatsAppTemplateSend
from contactpunt.channels.models import OutboundMessage
from contactpunt.contacts.models import Case, Channel, Contact, Direction
from contactpunt.contacts.services.replies import Replied, ReplyError, reply
from contactpunt.people.models import User


def templates_for(case: Case) -> list[WhatsAppTemplate]:
    """The approved templates of the WhatsApp number the case's customer wrote to."""
    latest = (
        Contact.objects.filter(case=case, channel=Channel.WHATSAPP, direction=Direction.INBOUND)
        .order_by("-occurred_at")
        .only("source")
        .first()
    )
    if latest is None:
        return []
    _, _, account_id = latest.source.partition(":")
    account = MetaAccount.objects.filter(platform=Platform.WHATSAPP, account_id=account_id).first()
    if account is None:
        return []
    return list(WhatsAppTemplate.objects.filter(account=account, is_approved=True))


def send_template(*, case: Case, by: User, template: WhatsAppTemplate, values: list[str]) -> Replied:
    """Reply on the case with the template (its text with `values` filled in shows in the conversation); the
    sender sends it as a template message. Raise ReplyError when the template does not belong to the case's number
    or the number of values is wrong."""
    if template not in templates_for(case):
        raise ReplyError("that template is not an approved template of this WhatsApp number")
    if len(values) != len(template.variables):
        raise ReplyError(f"the template needs {len(template.variables)} values, not {len(values)}")
    with transaction.atomic():
        done = reply(case=case, by=by, body=template.render(values))
        WhatsAppTemplateSend.objects.create(
            outbound=OutboundMessage.objects.get(message_id=done.outbox_ref), template=template, values=values
        )
    return done
