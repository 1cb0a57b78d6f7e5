"""The task worker: django-tasks-db's worker, one per lane (contactpunt.ops.lanes), plus the periodic-job clock.

`up` runs the short lane in a thread of its own process (replies go out while the page is served) and the long
lane in a child process at a lower CPU priority, so model training or shift planning competes neither for the
short lane's turn nor for the web server's interpreter lock. SQLite lets one writer at a time: every connection
waits on busy_timeout (settings), and the jobs keep their write transactions short.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import OperationalError, close_old_connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import is_locked_database_exception

import contactpunt
from contactpunt.ops import progress
from contactpunt.ops.heartbeat import INTERRUPTED, start_heartbeat, unique_worker_id
from contactpunt.ops.lanes import LANES, LONG, SHORT
from contactpunt.ops.periodic import enqueue_due, schedules

logger = logging.getLogger(__name__)


def up_worker_ids() -> dict[str, str]:
    """The worker ids of one `up` process's lanes: unique to the process (`unique_worker_id`), so two `up`s on two
    hosts sharing a database never take each other's running jobs for their own (both were "up-short"). The long
    lane's child keeps its id when the supervisor starts it again, and fails the jobs its previous run left."""
    base = unique_worker_id("up")
    return {SHORT: f"{base}-{SHORT}", LONG: f"{base}-{LONG}"}


class LaneWorker(Worker):
    """django-tasks-db's worker that lets the job it runs report progress (contactpunt.ops.progress)."""

    def run_task(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        with progress.running(str(db_task_result.pk)):
            super().run_task(db_task_result)


def make_worker(*, lane: str, interval: float = 1.0, worker_id: str, batch: bool = False) -> LaneWorker:
    """A worker for one lane: the short lane runs the "short" queue only; the long lane every other queue."""
    return LaneWorker(
        queue_names=[SHORT] if lane == SHORT else ["*"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[] if lane == SHORT else [SHORT],
    )


def recover_interrupted(worker_id: str) -> int:
    """Fail the jobs that a worker with this id left running when it stopped (a restart, a crash), so they no
    longer count as running and their periodic job is enqueued again; return how many. Worker ids are unique
    per process (`unique_worker_id`) unless given, so no other live worker's job is touched."""
    stale = [
        row.pk
        for row in DBTaskResult.objects.running().only("id", "worker_ids")
        if row.worker_ids and row.worker_ids[-1] == worker_id
    ]
    if not stale:
        return 0
    return DBTaskResult.objects.filter(pk__in=stale, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path=INTERRUPTED,
        traceback=f"The worker {worker_id} stopped while this job ran; it was not finished.",
    )


def settle_waiting() -> tuple[int, int]:
    """Move each waiting job of a queue that is no lane (a database from before the lanes) to the lane its task
    names, and keep one waiting run of each periodic job (they take no arguments, so the others would do the same
    work again); return (moved, dropped). Run at start: a database from before the lanes, or from a worker that
    fell behind, holds such rows. A lane chosen when the job was enqueued (a backfill in the long lane) stays."""
    periodic_paths = {schedule.task.module_path for schedule in schedules()}
    moved = dropped = 0
    with transaction.atomic():
        waiting = list(DBTaskResult.objects.ready().order_by("enqueued_at").only("id", "task_path", "queue_name"))
        seen: set[str] = set()
        for row in waiting:
            if row.task_path in periodic_paths:
                if row.task_path in seen:
                    dropped += DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.READY).delete()[0]
                    continue
                seen.add(row.task_path)
            try:
                queue_name = import_string(row.task_path).queue_name
            except (ImportError, AttributeError):  # a task since removed: it fails when run, in any lane
                continue
            if row.queue_name not in LANES and queue_name != row.queue_name:  # a lane chosen at enqueue stays
                moved += DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.READY).update(
                    queue_name=queue_name
                )
    return moved, dropped


def run_clock(stop: threading.Event, *, every_seconds: float = 15.0) -> None:
    """Enqueue due periodic jobs until `stop` is set."""
    while not stop.is_set():
        try:
            enqueue_due()
        except Exception:
            logger.exception("the periodic-job clock failed; trying again")
        finally:
            close_old_connections()
        stop.wait(every_seconds)


def run_lane_forever(worker: LaneWorker, stop: threading.Event) -> None:
    """Run `worker` until `stop` is set, starting it again when it fails."""
    while not stop.is_set():
        try:
            worker.run()
        except OperationalError as error:
            if not is_locked_database_exception(error):
                logger.exception("the %s worker stopped; restarting", worker.worker_id)
            else:  # another writer held SQLite's lock past the busy timeout: wait and go on, nothing is lost
                logger.warning("the database is locked; the %s worker waits and goes on", worker.worker_id)
            stop.wait(1)
        except Exception:
            logger.exception("the %s worker stopped; restarting", worker.worker_id)
            stop.wait(1)
        finally:
            close_old_connections()


def start_lane_thread(lane: str, stop: threading.Event, *, worker_id: str) -> threading.Thread:
    """Run one lane's worker in a daemon thread, with its heartbeat (contactpunt.ops.heartbeat)."""
    recover_interrupted(worker_id)
    start_heartbeat([worker_id], stop)
    worker = make_worker(lane=lane, worker_id=worker_id)
    thread = threading.Thread(target=run_lane_forever, args=(worker, stop), name=f"worker-{lane}", daemon=True)
    thread.start()
    return thread


def long_lane_command(*, worker_id: str, nice: int) -> list[str]:
    """The command line of `up`'s long-lane worker process: no clock (the parent runs it), a lower CPU priority,
    and it ends when its parent does."""
    return [
        sys.executable,
        "-m",
        "contactpunt.cli",
        "worker",
        "--queues",
        LONG,
        "--no-clock",
        "--worker-id",
        worker_id,
        "--nice",
        str(nice),
        "--parent-pid",
        str(os.getpid()),
    ]


def long_lane_environment() -> dict[str, str]:
    """The child's environment: this process's, with its database and data folder and the folder its code was
    imported from pinned, so the child runs the same code on the same database whatever folder `up` was
    started from (`python -m` would otherwise import a `contactpunt` folder in the working directory)."""
    environment = dict(os.environ)
    source_root = str(Path(contactpunt.__file__).resolve().parent.parent)
    python_path = environment.get("PYTHONPATH", "")
    environment["PYTHONPATH"] = os.pathsep.join(part for part in (source_root, python_path) if part)
    environment["PYTHONSAFEPATH"] = "1"  # the working directory is not put before PYTHONPATH
    environment["CONTACTPUNT_DATA_DIR"] = str(settings.DATA_DIR)
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        environment["DATABASE_URL"] = f"sqlite:///{database['NAME']}"
    return environment


#: How long the supervisor waits before starting a child that ended again: doubling while it keeps ending within
#: a minute of its start, up to five minutes, so a child that cannot start does not fill the log every 5 s.
RESTART_WAIT_S = (5.0, 300.0)
STABLE_RUN_S = 60.0


class LongLaneProcess:
    """`up`'s long lane: a worker process, started again when it ends, and ended with `up`."""

    def __init__(self, stop: threading.Event, *, worker_id: str = "", nice: int = 10) -> None:
        self.stop_event = stop
        self.worker_id = worker_id or unique_worker_id(LONG)
        self.nice = nice
        self.process: subprocess.Popen[bytes] | None = None
        self.restart_wait_s = RESTART_WAIT_S[0]
        self.started_at = 0.0
        self._lock = threading.Lock()
        self.thread = threading.Thread(target=self._supervise, name="worker-long-supervisor", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _supervise(self) -> None:
        wait_s = RESTART_WAIT_S[0]
        while not self.stop_event.is_set():
            with self._lock:
                if self.stop_event.is_set():
                    return
                if self.process is None or self.process.poll() is not None:
                    wait_s = self._start_again()
            self.stop_event.wait(wait_s)

    def _start_again(self) -> float:
        """Start the child (again); return how long to wait before looking at it next."""
        if self.process is not None:
            ran_s = time.monotonic() - self.started_at
            self.restart_wait_s = (
                RESTART_WAIT_S[0] if ran_s >= STABLE_RUN_S else min(self.restart_wait_s * 2, RESTART_WAIT_S[1])
            )
            logger.warning(
                "the long-lane worker ended (exit %s after %.0f s); starting it again in %.0f s",
                self.process.returncode,
                ran_s,
                self.restart_wait_s,
            )
            self.process = None
            return self.restart_wait_s
        command = long_lane_command(worker_id=self.worker_id, nice=self.nice)
        # Its own session: a Ctrl+C in the terminal reaches `up` only, which then ends the child with one SIGTERM
        # (the terminal's SIGINT and ours made two signals, and the worker's second-signal exit printed a traceback).
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter
            command, env=long_lane_environment(), start_new_session=True
        )
        self.started_at = time.monotonic()
        return RESTART_WAIT_S[0]

    def stop(self, *, grace_s: float = 5.0) -> None:
        """End the process: a job it runs is cut short and failed at the next start (recover_interrupted); a
        long job is idempotent and runs again, where waiting minutes for it would keep `up` from stopping."""
        self.stop_event.set()
        with self._lock:
            process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_for_up(stop: threading.Event, *, long_lane: str = "process") -> LongLaneProcess | None:
    """Start the short lane and the clock in threads, and the long lane as `long_lane` says: "process" (a child
    process at a lower CPU priority; returned, for `up` to stop), "thread" (a thread of this process) or "off"
    (another worker runs it)."""
    worker_ids = up_worker_ids()
    start_lane_thread(SHORT, stop, worker_id=worker_ids[SHORT])
    threading.Thread(target=run_clock, args=(stop,), name="periodic-clock", daemon=True).start()
    if long_lane == "process":
        process = LongLaneProcess(stop, worker_id=worker_ids[LONG])
        process.start()
        return process
    if long_lane == "thread":
        start_lane_thread(LONG, stop, worker_id=worker_ids[LONG])
    return None


def exit_with_parent(parent_pid: int, *, every_s: float = 2.0) -> threading.Thread:
    """End this process at once when its parent is gone (`up` was killed): a job cut short is failed at the
    next start (recover_interrupted)."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(every_s)
        logger.warning("the parent process %s is gone; the worker stops", parent_pid)
        os._exit(0)

    thread = threading.Thread(target=watch, name="parent-watch", daemon=True)
    thread.start()
    return thread


def lower_priority(nice: int) -> None:
    """Lower this process's CPU priority by `nice` (where the platform allows it)."""
    if nice > 0 and hasattr(os, "nice"):
        os.nice(nice)
