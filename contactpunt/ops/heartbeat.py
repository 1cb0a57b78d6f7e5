"""Workers' signs of life, and the release of the jobs a dead worker held.

Every worker process beats for its worker ids every fifth of WORKER_CLAIM_TIMEOUT_S (a thread of its own, so a
job that computes for an hour still beats), and on each beat releases the jobs whose worker is dead: the job row
still says RUNNING, its worker has not beaten for WORKER_CLAIM_TIMEOUT_S, and it is not a process that is alive
on this host. A released job is failed as interrupted, like the jobs `recover_interrupted` fails at a restart; a
periodic job is made due at once, so the next round takes up its work (a reply the dead worker was sending is
taken up by the next send, its claim having gone stale the same way, contactpunt.channels.senders).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import socket
import threading
from collections.abc import Iterable

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from contactpunt.ops.models import PeriodicJob, WorkerHeartbeat

logger = logging.getLogger(__name__)

INTERRUPTED = "contactpunt.ops.worker.Interrupted"
HOST = socket.gethostname()


def unique_worker_id(label: str) -> str:
    """A worker id that no other worker process uses, on this host or another: the host name, the process id and
    a random part (two hosts can bear one name, and containers give their processes the same small ids), then
    `label` (the lanes). A stopped worker's jobs are released by the next beat of any worker once its own beats
    have stopped for WORKER_CLAIM_TIMEOUT_S (`release_dead_claims`); a worker id reused by two running workers
    would instead let each fail the other's running jobs at its start."""
    return f"{HOST}-{os.getpid()}-{secrets.token_hex(3)}-{label}"


def claim_timeout() -> dt.timedelta:
    """How long a worker may be silent before its claims are released (WORKER_CLAIM_TIMEOUT_S)."""
    return dt.timedelta(seconds=settings.WORKER_CLAIM_TIMEOUT_S)


def beat_every_s() -> float:
    return settings.WORKER_CLAIM_TIMEOUT_S / 5


def beat(worker_ids: Iterable[str], *, now: dt.datetime | None = None) -> None:
    """Record that the workers `worker_ids` of this process are alive."""
    now = now or timezone.now()
    for worker_id in worker_ids:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id, defaults={"host": HOST, "pid": os.getpid(), "beat_at": now}
        )


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def is_alive(heartbeat: WorkerHeartbeat | None, *, now: dt.datetime) -> bool:
    """True when the worker beat recently, or is a live process on this host (a beat can lag under load)."""
    if heartbeat is None:
        return False
    if heartbeat.beat_at >= now - claim_timeout():
        return True
    return heartbeat.host == HOST and _process_alive(heartbeat.pid)


def release_dead_claims(*, now: dt.datetime | None = None) -> list[int]:
    """Fail as interrupted the running jobs whose worker is dead (see the module's text) and make their periodic
    job due; return their ids. A job whose worker never beat (a worker from before the beats) counts as dead once
    it has run longer than the timeout."""
    now = now or timezone.now()
    running = list(DBTaskResult.objects.running().only("id", "worker_ids", "started_at", "task_path"))
    if not running:
        return []
    ids = {row.worker_ids[-1] for row in running if row.worker_ids}
    beats = {b.worker_id: b for b in WorkerHeartbeat.objects.filter(worker_id__in=ids)}
    dead = []
    for row in running:
        worker_id = row.worker_ids[-1] if row.worker_ids else ""
        heartbeat = beats.get(worker_id)
        if is_alive(heartbeat, now=now):
            continue
        if heartbeat is None and row.started_at is not None and row.started_at >= now - claim_timeout():
            continue
        dead.append(row)
    released = []
    for row in dead:
        worker_id = row.worker_ids[-1] if row.worker_ids else "?"
        if DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=INTERRUPTED,
            traceback=f"The worker {worker_id} stopped giving signs of life while this job ran; it was released.",
        ):
            released.append(row.pk)
            PeriodicJob.objects.filter(name=row.task_path, next_run_at__gt=now).update(next_run_at=now)
            logger.warning("released job %s (%s) of the dead worker %s", row.pk, row.task_path, worker_id)
    return released


def run_heartbeat(worker_ids: list[str], stop: threading.Event) -> None:
    """Beat and release dead workers' jobs until `stop` is set."""
    try:
        while not stop.is_set():
            try:
                beat(worker_ids)
                release_dead_claims()
            except Exception:
                logger.exception("the worker's heartbeat failed; trying again")
            finally:
                close_old_connections()
            stop.wait(beat_every_s())
    finally:
        connection.close()


def start_heartbeat(worker_ids: list[str], stop: threading.Event) -> threading.Thread:
    """Beat for `worker_ids` in a daemon thread (once at once, so a worker has beaten before it claims a job)."""
    beat(worker_ids)
    thread = threading.Thread(target=run_heartbeat, args=(worker_ids, stop), name="worker-heartbeat", daemon=True)
    thread.start()
    return thread
