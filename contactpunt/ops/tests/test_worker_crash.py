"""A worker killed mid-task: `contactpunt worker` runs as a real subprocess on this test's own database (a SQLite file
migrated for it), is killed with SIGKILL while it sends a reply (the SMTP server accepted the connection and holds
it) while a second worker runs beside it. While the first is alive its job and its reply are never taken twice,
however long the send takes; once it is dead, the second worker releases its job within the claim timeout
(WORKER_CLAIM_TIMEOUT_S, contactpunt.ops.heartbeat), the outbox takes up the reply whose claim is no longer renewed,
and every reply reaches the SMTP server exactly once.

Loopback only. It takes about a minute (migrating the database is most of it)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from email import message_from_bytes
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from contactpunt.channels.tests.dovecot import free_port
from contactpunt.channels.tests.test_mail_servers import Collect
from contactpunt.ops.heartbeat import INTERRUPTED

REPO = Path(__file__).resolve().parents[3]
REPLIES = 4
CLAIM_TIMEOUT_S = 3
SEED = """
import django; django.setup()
from contactpunt.channels.email.outbox import queue_email_reply
from contactpunt.channels.models import Mailbox
from contactpunt.contacts.models import Case, Channel, Queue
from django.utils import timezone
queue = Queue.objects.create(code="email", name="E-mail", channel=Channel.EMAIL)
mailbox = Mailbox.objects.create(name="Support", address="support@shop.example", queue=queue,
                                 smtp_host="127.0.0.1", smtp_port={port}, smtp_starttls=False)
case = Case.objects.create(queue=queue, channel="email", opened_at=timezone.now(), subject="Factuur")
for n in range({replies}):
    queue_email_reply(case=case, body=f"Antwoord {{n}}", to="klant@example.nl", mailbox=mailbox)
"""


class Tarpit:
    """A server that accepts SMTP connections and never greets: a client waits in the middle of its send."""

    def __init__(self, port: int) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen()
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _address = self.sock.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def close(self) -> None:
        for connection in self.accepted:
            connection.close()
        # Shut down first: a close alone leaves the port bound while the accepting thread waits in accept().
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


@pytest.fixture
def database(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    path = tmp_path / "worker.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "contactpunt.config.settings",
        "DATABASE_URL": f"sqlite:///{path}",
        "CONTACTPUNT_DATA_DIR": str(tmp_path),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "SECRET_KEY": "worker-crash-test-secret-key-long-enough-for-django",
        "PYTHONPATH": str(REPO),
        "LOG_LEVEL": "WARNING",
        "WORKER_CLAIM_TIMEOUT_S": str(CLAIM_TIMEOUT_S),
    }
    subprocess.run([sys.executable, "-m", "contactpunt.cli", "migrate", "-v0"], env=env, cwd=REPO, check=True)
    yield path, env


def _rows(path: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(path, timeout=20) as db:
        return list(db.execute(sql, args))


def _wait(check: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.2)


def _worker(env: dict[str, str], tmp_path: Path, name: str) -> subprocess.Popen[bytes]:
    log = (tmp_path / f"{name}.log").open("wb")
    command = [sys.executable, "-m", "contactpunt.cli", "worker", "--queues", "short", "--worker-id", name]
    return subprocess.Popen(command, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603


def _stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.terminate()
        worker.wait(20)


def test_a_worker_killed_mid_send_is_taken_over_within_the_claim_timeout_and_every_reply_is_sent_once(
    database: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    path, env = database
    port = free_port()
    seed = SEED.format(port=port, replies=REPLIES)
    subprocess.run([sys.executable, "-c", seed], env=env, cwd=REPO, check=True)  # noqa: S603
    outbox = "SELECT state, attempts FROM channel_adapters_outboundmessage ORDER BY id"
    assert [state for state, _a in _rows(path, outbox)] == ["queued"] * REPLIES
    running = "SELECT worker_ids FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'"
    sending = "SELECT count(*) FROM channel_adapters_outboundmessage WHERE state = 'sending'"
    beats = "SELECT worker_id FROM ops_workerheartbeat ORDER BY worker_id"

    tarpit = Tarpit(port)
    first = _worker(env, tmp_path, "first")
    second = None
    try:
        _wait(lambda: bool(tarpit.accepted) and _rows(path, sending)[0][0] == 1, 60, "the first worker to be mid-send")
        # A second worker (another id) runs beside the first, which stays stuck in its send for three claim
        # timeouts: the first is alive (it beats, and renews its claim), so nothing it holds is taken twice.
        second = _worker(env, tmp_path, "second")
        _wait(lambda: [w for (w,) in _rows(path, beats)] == ["first", "second"], 60, "the second worker to beat")
        time.sleep(3 * CLAIM_TIMEOUT_S)
        assert _rows(path, running) == [('["first"]',)]
        assert _rows(path, sending)[0][0] == 1
        assert len(tarpit.accepted) == 1
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        killed_at = time.monotonic()
    finally:
        if first.poll() is None:
            first.kill()
        tarpit.close()

    handler = Collect()
    smtp = Controller(handler, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        # No restart under the first worker's id and no clock moved by hand: the second worker sees the first's
        # beats stop, releases its job, and the next send takes up the reply whose claim is no longer renewed.
        sent = "SELECT count(*) FROM channel_adapters_outboundmessage WHERE state = 'sent'"
        _wait(lambda: _rows(path, sent)[0][0] == REPLIES, 120, "every reply to be sent")
        taken_over_s = time.monotonic() - killed_at
        time.sleep(3)  # a further round of the job must not send anything again
    finally:
        if second is not None:
            _stop(second)
        smtp.stop()
    # The claim timeout, then at most one round of the periodic clock (15 s) and the send; far from 15 minutes.
    assert taken_over_s < CLAIM_TIMEOUT_S + 45
    ids = [message_from_bytes(content)["Message-ID"] for _from, _to, content in handler.messages]
    assert len(ids) == REPLIES and len(set(ids)) == REPLIES  # none lost, none doubled
    stored = {f"<{m}>" for (m,) in _rows(path, "SELECT message_id FROM channel_adapters_outboundmessage")}
    assert set(ids) == stored
    interrupted = _rows(
        path,
        "SELECT status, task_path FROM django_tasks_database_dbtaskresult WHERE exception_class_path = ?",
        INTERRUPTED,
    )
    assert interrupted == [("FAILED", "contactpunt.channels.tasks.send_outbox")]
    assert _rows(path, running) == []
    print(
        f"worker killed mid-send: {REPLIES} replies, {len(ids)} delivered, 0 lost, 0 doubled; 1 job released, "
        f"taken over {taken_over_s:.0f} s after the kill (claim timeout {CLAIM_TIMEOUT_S} s)"
    )
