"""Background tasks of the channels (mail polling and retries, the outbox of every channel), run by the worker as
periodic jobs (registered in apps.ready)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from contactpunt.channels.email.imap import poll_all_mailboxes
from contactpunt.channels.email.intake import retry_failed_mail
from contactpunt.channels.meta.intake import retry_failed_webhooks
from contactpunt.channels.senders import send_due
from contactpunt.ops.lanes import SHORT

POLL_EVERY = dt.timedelta(minutes=1)
RETRY_EVERY = dt.timedelta(minutes=1)
SEND_EVERY = dt.timedelta(seconds=30)


@task(queue_name=SHORT)
def poll_mailboxes() -> int:
    """Fetch new mail from every active IMAP mailbox; return how many messages were fetched."""
    return sum(result.fetched for result in poll_all_mailboxes())


@task(queue_name=SHORT)
def retry_mail() -> int:
    """Process again the failed messages whose retry time has come; return how many were tried."""
    return len(retry_failed_mail())


# Before a pile of message analyses in the same lane: an agent waits to see the reply go out.
@task(queue_name=SHORT, priority=10)
def send_outbox() -> int:
    """Send the queued replies of every channel whose time has come; return how many were sent."""
    return send_due().sent


@task(queue_name=SHORT)
def retry_meta_webhooks() -> int:
    """Process again the Meta webhooks that failed and whose retry time has come; return how many were tried."""
    return len(retry_failed_webhooks())
