"""Poll a mailbox over IMAP (imap-tools) into the email intake.

Polling fetches the messages whose UID is above the last one taken (under the folder's UIDVALIDITY) in batches of
the intake's BATCH_SIZE, one FETCH per batch; hands each batch to `receive_mails`, which stores the exact bytes
first; only then marks the batch seen (one STORE) and moves the mailbox's high-water mark. When storing fails,
nothing of the batch is marked and the mark stays, so the next poll fetches it again. A crash half-way only means
the next poll fetches some messages again, and the intake's idempotency makes that a no-op.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field

from django.utils import timezone
from imap_tools import AND, BaseMailBox, MailBox, MailBoxUnencrypted, U

from contactpunt.channels.email.intake import BATCH_SIZE, MailResult, RawMail, receive_mails
from contactpunt.channels.models import Mailbox

logger = logging.getLogger(__name__)

IMAP_TIMEOUT_S = 60.0
#: One IDLE wait is at most this long (well under the 29 minutes after which RFC 2177 servers may drop it).
IDLE_WAIT_S = 25.0
_UID_RE = re.compile(rb"UID (\d+)")


@dataclass
class PollResult:
    """What one poll of one mailbox did; `error` is set (and nothing else changed) when the server failed."""

    mailbox: str
    fetched: int = 0
    results: list[MailResult] = field(default_factory=list)
    error: str = ""


def poll_mailbox(mailbox: Mailbox, *, limit: int = 200, idle_for: float = 0.0) -> PollResult:
    """Fetch up to `limit` new messages from the mailbox's folder into the intake; never raises for server errors
    (they are returned and kept on the mailbox as `last_poll_error`).

    With `idle_for` (seconds), the connection then stays open in IMAP IDLE for that long, and each message the
    server announces is taken in at once (within the same limit): a job run every minute with `idle_for` a little
    under a minute gets mail into the inbox seconds after it arrives, without polling more often."""
    result = PollResult(mailbox.name)
    try:
        with _connect(mailbox) as box:
            _poll(box, mailbox, result, limit)
            deadline = time.monotonic() + idle_for
            while result.fetched < limit and (left := deadline - time.monotonic()) > 0:
                if box.idle.wait(timeout=min(left, IDLE_WAIT_S)):
                    _poll(box, mailbox, result, limit - result.fetched)
        mailbox.last_poll_error = ""
    except Exception as error:  # a server down, a refused login, a protocol error: report, try next time
        logger.warning("polling mailbox %s failed: %s", mailbox.name, error)
        result.error = f"{type(error).__name__}: {error}"[:2000]
        mailbox.last_poll_error = result.error
    mailbox.last_polled_at = timezone.now()
    mailbox.save(update_fields=["last_polled_at", "last_poll_error", "imap_uidvalidity", "imap_last_uid"])
    return result


def poll_all_mailboxes(*, idle_for: float = 0.0) -> list[PollResult]:
    """Poll every active mailbox that has an IMAP host (each in IDLE for `idle_for` seconds, see poll_mailbox)."""
    mailboxes = Mailbox.objects.filter(is_active=True).exclude(imap_host="").select_related("queue")
    return [poll_mailbox(mailbox, idle_for=idle_for) for mailbox in mailboxes]


def _connect(mailbox: Mailbox) -> BaseMailBox:
    box: BaseMailBox
    if mailbox.imap_ssl:
        box = MailBox(mailbox.imap_host, port=mailbox.imap_port, timeout=IMAP_TIMEOUT_S)
    else:
        box = MailBoxUnencrypted(mailbox.imap_host, port=mailbox.imap_port, timeout=IMAP_TIMEOUT_S)
    return box.login(mailbox.imap_user, mailbox.imap_password, initial_folder=mailbox.imap_folder)


def _poll(box: BaseMailBox, mailbox: Mailbox, result: PollResult, limit: int) -> None:
    status = box.folder.status(mailbox.imap_folder, ["UIDVALIDITY"])
    validity = int(status["UIDVALIDITY"])
    if validity != mailbox.imap_uidvalidity:
        # The server renumbered the folder: read it all again; the intake skips what it already has.
        mailbox.imap_uidvalidity = validity
        mailbox.imap_last_uid = 0
    # "n:*" always matches the highest UID, even when it is below n: filter on our side as well.
    uids = [int(u) for u in box.uids(AND(uid=U(str(mailbox.imap_last_uid + 1), "*")))]
    uids = sorted(u for u in uids if u > mailbox.imap_last_uid)[:limit]
    for start in range(0, len(uids), BATCH_SIZE):
        chunk = uids[start : start + BATCH_SIZE]
        fetched = _fetch_raw(box, chunk)
        taken = [uid for uid in chunk if uid in fetched]  # a missing one was expunged between SEARCH and FETCH
        if not taken:
            continue
        mails = [RawMail(fetched[uid]) for uid in taken]
        result.results.extend(receive_mails(mails, queue=mailbox.queue, source=mailbox.source, mailbox=mailbox))
        result.fetched += len(taken)
        box.flag([str(uid) for uid in taken], "\\Seen", True)
        mailbox.imap_last_uid = taken[-1]


def _fetch_raw(box: BaseMailBox, uids: list[int]) -> dict[int, bytes]:
    """Return the exact bytes of the messages by UID, in one FETCH (BODY.PEEK[] leaves them unseen until the intake
    has kept them); a UID the server no longer has is left out."""
    status, data = box.client.uid("FETCH", ",".join(map(str, uids)), "(UID BODY.PEEK[])")
    if status != "OK":
        raise OSError(f"FETCH {uids[0]}..{uids[-1]} failed: {data!r}")
    found: dict[int, bytes] = {}
    for position, item in enumerate(data):
        if not (isinstance(item, tuple) and len(item) == 2):
            continue
        # The UID comes before the literal ("* 1 FETCH (UID 7 BODY[] {n}") or, from some servers, after it.
        after = data[position + 1] if position + 1 < len(data) else b""
        match = _UID_RE.search(item[0]) or (_UID_RE.search(after) if isinstance(after, bytes) else None)
        if match:
            found[int(match.group(1))] = bytes(item[1])
    return found
