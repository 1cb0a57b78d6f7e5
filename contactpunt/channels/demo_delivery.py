"""The demo's delivery channel: replies on e-mail, web-form, social and WhatsApp are recorded, never sent.

The demo's customers are simulated: their addresses lead nowhere and the demo has no SMTP server or Meta account,
so the real senders would fail every reply. `up` installs this sender instead in a demo organisation. A reply then
takes the real path of the outbox: queued, sent by the worker's drain (which writes the `replied` event), and
delivered, reported the way a platform reports it (a DeliveryStatus), so the workspace shows what a team would
see. The outbox row itself is the record of what would have been sent (recipient, subject, text). Web chat keeps
its real sender: the demo's visitors are real browsers.
"""

from __future__ import annotations

import logging

from django.utils import timezone

from contactpunt.channels.meta.models import DeliveryStatus, DeliveryStatusName
from contactpunt.channels.models import OutboundMessage
from contactpunt.channels.senders import register_sender
from contactpunt.contacts.models import Channel, Contact
from contactpunt.contacts.services.replies import OUTBOX_SOURCE, PRIVATE_INVITE_SOURCE

logger = logging.getLogger(__name__)

DEMO_CHANNELS = (Channel.EMAIL, Channel.WEBFORM, Channel.SOCIAL, Channel.WHATSAPP)
#: The prefix of the "platform id" under which the demo reports a reply delivered.
PLATFORM_PREFIX = "demo:"


def send_demo(outbound: OutboundMessage) -> None:
    """Record the reply as delivered instead of sending it (idempotent: a repeated send reports nothing new)."""
    reply_contact = Contact.objects.filter(
        source__in=[OUTBOX_SOURCE, PRIVATE_INVITE_SOURCE], external_id=outbound.message_id
    ).first()
    DeliveryStatus.objects.get_or_create(
        platform_message_id=f"{PLATFORM_PREFIX}{outbound.message_id}"[:255],
        status=DeliveryStatusName.DELIVERED,
        defaults={"occurred_at": timezone.now(), "contact": reply_contact},
    )
    # The id only: the text and the address are personal data, and the outbox row keeps them.
    logger.debug("demo delivery: %s reply %s recorded as delivered, not sent", outbound.channel, outbound.pk)


def install() -> None:
    """Deliver the replies of the demo's written channels with `send_demo` (in the process that runs the outbox)."""
    for channel in DEMO_CHANNELS:
        register_sender(channel, send_demo)
