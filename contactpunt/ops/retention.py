"""The periodic retention job: each app drops what is older than its retention period (settings RETENTION_*_DAYS,
from the environment; 0 keeps it for ever)."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from contactpunt.channels import retention as channel_retention
from contactpunt.contacts.services.privacy import forget_originals
from contactpunt.ops.lanes import LONG

logger = logging.getLogger(__name__)

RETENTION_EVERY = dt.timedelta(hours=6)


def apply_retention(now: dt.datetime | None = None) -> dict[str, int]:
    """Apply every retention period at `now`; return how many rows were blanked or deleted, per kind."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    now = now or timezone.now()
    done = channel_retention.apply_retention(now)
    if settings.RETENTION_RAW_MAIL_DAYS > 0:
        done["message_originals"] = forget_originals(before=now - dt.timedelta(days=settings.RETENTION_RAW_MAIL_DAYS))
    if settings.RETENTION_LOGIN_ATTEMPT_DAYS > 0:
        before = now - dt.timedelta(days=settings.RETENTION_LOGIN_ATTEMPT_DAYS)
        done["login_attempts"] = sum(
            model.objects.filter(attempt_time__lt=before).delete()[0]
            for model in (AccessAttempt, AccessFailureLog, AccessLog)
        )
    if any(done.values()):
        logger.info("retention applied: %s", done)
    return done


@task(queue_name=LONG)  # a sweep over old rows: never in the way of a reply
def retention() -> dict[str, int]:
    """The periodic job: apply every retention period now."""
    return apply_retention()
