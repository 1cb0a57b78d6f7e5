"""Attachments kept with an inbound message: the intake limits (size, type) and the neutral storage.

Every channel passes its files through `store_attachments`, so the limits hold for e-mail, the web form, the
API and the messaging platforms alike. A file over a limit is withheld, never the message: its row keeps the
name, type, size and the reason, so the agent sees that something was sent and kept out.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile

from contactpunt.contacts.models import Attachment, Message, Withheld
from contactpunt.contacts.services.types import AttachmentInput

FALLBACK_NAME = "attachment"


def _extension(filename: str) -> str:
    return PurePosixPath(filename.replace("\\", "/")).suffix.lower().lstrip(".")


def withheld_reason(item: AttachmentInput) -> str:
    """Why `item` may not be stored under the configured limits (a `Withheld` value); "" when it may."""
    if len(item.content) > settings.ATTACHMENT_MAX_BYTES:
        return Withheld.TOO_LARGE
    content_type = item.content_type.split(";", 1)[0].strip().lower()
    if _extension(item.filename) in settings.ATTACHMENT_BLOCKED_EXTENSIONS:
        return Withheld.TYPE_NOT_ALLOWED
    if content_type in settings.ATTACHMENT_BLOCKED_TYPES:
        return Withheld.TYPE_NOT_ALLOWED
    return ""


def store_attachments(message: Message, items: Iterable[AttachmentInput]) -> list[Attachment]:
    """Keep the attachments of a new `message` (inside the caller's transaction): the allowed ones under a random
    name, the others as withheld rows without content. Return the rows, in the order given."""
    rows = []
    for item in items:
        attachment = Attachment(
            message=message,
            filename=item.filename[:255] or FALLBACK_NAME,
            content_type=item.content_type[:100] or "application/octet-stream",
            size=len(item.content),
            withheld=withheld_reason(item),
        )
        if not attachment.withheld:
            attachment.file.save(attachment.filename, ContentFile(item.content), save=False)
        attachment.save()
        rows.append(attachment)
    return rows
