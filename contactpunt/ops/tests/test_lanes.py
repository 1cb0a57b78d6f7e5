"""The worker's lanes on the database backend: a long job running never delays a short one, a periodic job is
not enqueued again while one of its kind waits or runs, and a restart takes up what was left behind.

Proved with claims and the order jobs ran in, never with wall-clock timing: the long job, while it runs (its row
claimed and RUNNING), lets the short lane drain, as the short lane's own worker does beside it in `up`.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import normalize_uuid

import contactpunt
from contactpunt.ops import periodic, worker
from contactpunt.ops.lanes import LONG, SHORT
from contactpunt.ops.worker import make_worker, recover_interrupted, settle_waiting

pytestmark = pytest.mark.django_db(transaction=True)  # the worker manages its own transactions

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": [SHORT, LONG, "default"]}}

ran: list[str] = []


@pytest.fixture(autouse=True)
def database_backend(settings: Any) -> Iterator[None]:
    settings.TASKS = DATABASE_TASKS
    ran.clear()
    yield
    ran.clear()


@task(queue_name=SHORT)
def short_job(name: str) -> str:
    ran.append(name)
    return name


@task(queue_name=LONG, priority=50)
def long_job() -> None:
    """A long job that, while it holds its claim, lets the short lane drain, and records what it saw."""
    [me] = DBTaskResult.objects.filter(task_path=f"{__name__}.long_job")
    ran.append(f"long started ({me.status})")
    make_worker(lane=SHORT, worker_id="short-1", batch=True).run()
    ran.append("long finished")


@task(queue_name=SHORT)
def periodic_tick() -> list[str]:
    """A periodic job that, while it runs, asks the clock to enqueue its next run."""
    return periodic.enqueue_due(timezone.now() + dt.timedelta(hours=1))


def _status(result: Any) -> str:
    return str(DBTaskResult.objects.get(pk=normalize_uuid(result.id)).status)


def test_the_short_lane_never_takes_a_long_job_however_high_its_priority() -> None:
    long_result = long_job.enqueue()
    short_results = [short_job.enqueue(f"short {n}") for n in range(3)]

    make_worker(lane=SHORT, worker_id="short-1", batch=True).run()

    assert ran == ["short 0", "short 1", "short 2"]
    assert [_status(r) for r in short_results] == [TaskResultStatus.SUCCESSFUL] * 3
    assert _status(long_result) == TaskResultStatus.READY


def test_short_jobs_run_while_a_long_job_is_running() -> None:
    long_result = long_job.enqueue()
    short_results = [short_job.enqueue(f"short {n}") for n in range(3)]

    make_worker(lane=LONG, worker_id="long-1", batch=True).run()

    # The short jobs, enqueued after the long one, ran and finished while the long one was still running.
    assert ran == ["long started (RUNNING)", "short 0", "short 1", "short 2", "long finished"]
    assert _status(long_result) == TaskResultStatus.SUCCESSFUL
    for result in short_results:
        row = DBTaskResult.objects.get(pk=normalize_uuid(result.id))
        assert (row.status, row.worker_ids) == (TaskResultStatus.SUCCESSFUL, ["short-1"])  # never the long lane's


def test_the_long_lane_takes_every_queue_but_the_short_one() -> None:
    unclassified = short_job.using(queue_name="default").enqueue("unclassified")
    short_job.enqueue("short")

    make_worker(lane=LONG, worker_id="long-1", batch=True).run()

    assert ran == ["unclassified"]
    assert _status(unclassified) == TaskResultStatus.SUCCESSFUL


def test_every_job_of_the_product_names_its_lane() -> None:
    from contactpunt.channels import tasks as channel_tasks
    from contactpunt.feedback import tasks as feedback_tasks
    from contactpunt.insights import tasks as insight_tasks
    from contactpunt.kpis import tasks as kpi_tasks
    from contactpunt.workforce import tasks as workforce_tasks

    jobs: list[Task[Any, Any]] = [
        channel_tasks.poll_mailboxes,
        channel_tasks.retry_mail,
        channel_tasks.send_outbox,
        channel_tasks.retry_meta_webhooks,
        kpi_tasks.refresh_rollups,
        kpi_tasks.refresh_rollups_backfill,
        kpi_tasks.refresh_survey_snapshots,
        insight_tasks.analyse_contacts,
        insight_tasks.retrain_reason_model,
        insight_tasks.detect_structural_problems,
        workforce_tasks.run_shift_plan,
        workforce_tasks.plan_demo_shifts,
        feedback_tasks.decide_second_invitations,
    ]
    lanes = {job.name: job.queue_name for job in jobs}
    assert lanes == {
        "poll_mailboxes": SHORT,
        "retry_mail": SHORT,
        "send_outbox": SHORT,
        "retry_meta_webhooks": SHORT,
        "refresh_rollups": SHORT,
        "refresh_rollups_backfill": LONG,
        "refresh_survey_snapshots": LONG,  # seconds of numpy per scope: never before a reply
        "analyse_contacts": SHORT,
        "retrain_reason_model": LONG,
        "detect_structural_problems": LONG,
        "run_shift_plan": LONG,
        "plan_demo_shifts": LONG,
        "decide_second_invitations": SHORT,
    }
    assert {s.task.queue_name for s in periodic.schedules()} <= {SHORT, LONG}


@pytest.fixture
def only_tick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(periodic, "_schedules", {})
    periodic.register(periodic_tick, every=dt.timedelta(minutes=1))


def _ticks(status: str | None = None) -> int:
    rows = DBTaskResult.objects.filter(task_path=periodic_tick.module_path)
    return rows.filter(status=status).count() if status else rows.count()


def test_a_periodic_job_is_not_enqueued_again_while_one_waits(only_tick: None) -> None:
    now = timezone.now()

    assert periodic.enqueue_due(now) == [periodic_tick.module_path]
    # Ten rounds later the first run still waits (a busy lane): no second one joins it.
    assert [periodic.enqueue_due(now + dt.timedelta(minutes=m)) for m in range(1, 11)] == [[]] * 10
    assert _ticks() == 1

    make_worker(lane=SHORT, worker_id="short-1", batch=True).run()
    [tick] = DBTaskResult.objects.filter(task_path=periodic_tick.module_path)
    # While it ran, the clock (called from inside it) enqueued nothing.
    assert (tick.status, tick.return_value) == (TaskResultStatus.SUCCESSFUL, [])
    # Done: the job was due all along, so the next round enqueues it at once.
    assert periodic.enqueue_due(now + dt.timedelta(minutes=11)) == [periodic_tick.module_path]
    assert (_ticks(TaskResultStatus.READY), _ticks()) == (1, 2)


def test_a_job_left_running_by_a_stopped_worker_is_failed_at_its_restart(only_tick: None) -> None:
    now = timezone.now()
    periodic.enqueue_due(now)
    row = DBTaskResult.objects.get(task_path=periodic_tick.module_path)
    row.claim("up-short")  # the worker stopped here (Ctrl+C, a crash)
    assert periodic.enqueue_due(now + dt.timedelta(minutes=5)) == []

    assert recover_interrupted("up-long") == 0  # another lane's id: not its job
    assert recover_interrupted("up-short") == 1

    row.refresh_from_db()
    assert (row.status, row.exception_class_path) == (TaskResultStatus.FAILED, "contactpunt.ops.worker.Interrupted")
    assert periodic.enqueue_due(now + dt.timedelta(minutes=6)) == [periodic_tick.module_path]


def test_a_running_job_older_than_the_stale_limit_no_longer_holds_back_its_next_run(only_tick: None) -> None:
    now = timezone.now()
    periodic.enqueue_due(now)
    row = DBTaskResult.objects.get(task_path=periodic_tick.module_path)
    row.claim("a-worker-that-never-came-back")
    later = row.started_at + periodic.STALE_RUNNING

    assert periodic.enqueue_due(later - dt.timedelta(seconds=1)) == []
    assert periodic.enqueue_due(later + dt.timedelta(seconds=1)) == [periodic_tick.module_path]


def test_settling_moves_waiting_jobs_to_their_lane_and_keeps_one_run_of_each_periodic_job(only_tick: None) -> None:
    # A database from before the lanes: three runs of the periodic job piled up in the old queue.
    piled = [periodic_tick.using(queue_name="default").enqueue() for _ in range(3)]
    other = short_job.using(queue_name="default").enqueue("analyse")
    chosen = short_job.using(queue_name=LONG).enqueue("a backfill, put in the long lane on purpose")

    assert settle_waiting() == (2, 2)
    assert DBTaskResult.objects.get(pk=normalize_uuid(chosen.id)).queue_name == LONG
    DBTaskResult.objects.filter(pk=normalize_uuid(chosen.id)).delete()

    rows = DBTaskResult.objects.order_by("enqueued_at")
    assert [(r.task_path.rsplit(".", 1)[1], r.queue_name) for r in rows] == [
        ("periodic_tick", SHORT),
        ("short_job", SHORT),
    ]
    assert str(rows[0].pk) == normalize_uuid(piled[0].id) and str(rows[1].pk) == normalize_uuid(other.id)


def test_live_arrivals_are_analysed_in_the_short_lane_and_a_backfill_by_one_history_job_after_training() -> None:
    from contactpunt.contacts.announcements import Announcement, Message
    from contactpunt.insights.tasks import BACKFILL_PRIORITY, enqueue_analysis, retrain_reason_model

    def arrived(ids: range) -> list[Message]:
        return [Message(Announcement.CONTACT_RECEIVED, {"contact_id": i}) for i in ids]

    enqueue_analysis(arrived(range(1, 4)))
    enqueue_analysis(arrived(range(100, 700)))  # the demo's history, announced at once
    enqueue_analysis(arrived(range(700, 1300)))  # a mailbox imported beside it: the waiting job takes it too
    retrain_reason_model.enqueue()

    rows = DBTaskResult.objects.filter(task_path__contains="insights.tasks.analyse_").order_by("enqueued_at")
    assert [(r.task_path.rsplit(".", 1)[1], r.queue_name, r.priority, r.args_kwargs["args"]) for r in rows] == [
        ("analyse_contacts", SHORT, 0, [[1, 2, 3]]),
        ("analyse_history", LONG, BACKFILL_PRIORITY, []),
    ]
    # The long lane takes the training first, though it was enqueued after the backfill.
    long_lane_order = DBTaskResult.objects.ready().exclude(queue_name=SHORT)
    first = long_lane_order.first()
    assert first is not None and first.task_path.endswith("retrain_reason_model")


def test_a_refresh_of_a_loaded_history_is_handed_to_the_long_lane_once() -> None:
    from contactpunt.kpis.models import DirtyContact
    from contactpunt.kpis.tasks import LIVE_DIRTY, refresh_rollups, refresh_rollups_backfill

    DirtyContact.objects.bulk_create([DirtyContact(contact_id=i) for i in range(1, LIVE_DIRTY + 2)])
    refresh_rollups.enqueue()
    refresh_rollups.enqueue()

    make_worker(lane=SHORT, worker_id="short-1", batch=True).run()

    backfills = DBTaskResult.objects.filter(task_path=refresh_rollups_backfill.module_path)
    assert [(b.queue_name, b.status) for b in backfills] == [(LONG, TaskResultStatus.READY)]
    assert DirtyContact.objects.count() == LIVE_DIRTY + 1  # the short lane left them to it

    make_worker(lane=LONG, worker_id="long-1", batch=True).run()

    assert DirtyContact.objects.count() == 0
    assert backfills.get().status == TaskResultStatus.SUCCESSFUL


def test_the_long_lane_child_runs_this_code_on_this_database_from_any_working_directory(tmp_path: Path) -> None:
    """`up` started from another checkout's folder: the child must not import that folder's code (and so read
    another data folder's empty database); it gets this process's code, database and data folder."""
    decoy = tmp_path / "contactpunt"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("raise SystemExit('the decoy package was imported')\n")
    probe = (
        "import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'contactpunt.config.settings');"
        "django.setup(); import contactpunt; from django.conf import settings;"
        "print(contactpunt.__file__); print(settings.DATABASES['default']['NAME']); print(settings.DATA_DIR)"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env=worker.long_lane_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    module_file, database_name, data_dir = done.stdout.split("\n")[:3]
    assert Path(module_file).resolve() == Path(contactpunt.__file__).resolve()
    assert data_dir == str(settings.DATA_DIR)  # the embedded default database lives in this folder
    assert str(tmp_path) not in database_name


def test_a_long_lane_child_that_keeps_ending_is_started_again_ever_later() -> None:
    supervisor = worker.LongLaneProcess(threading.Event())
    waits = []
    for _ in range(8):
        supervisor.process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
        supervisor.process.wait()
        supervisor.started_at = time.monotonic()
        waits.append(supervisor._start_again())
    assert waits == [10.0, 20.0, 40.0, 80.0, 160.0, 300.0, 300.0, 300.0]
    supervisor.process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    supervisor.process.wait()
    supervisor.started_at = time.monotonic() - worker.STABLE_RUN_S
    assert supervisor._start_again() == worker.RESTART_WAIT_S[0]


def test_a_lane_waits_out_a_locked_database_and_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    from django.db import OperationalError

    from contactpunt.ops.worker import run_lane_forever

    stop = threading.Event()

    class Lane:  # the worker's run: the first claim meets a locked database, the second one ends the test
        worker_id = "up-short"
        runs = 0

        def run(self) -> None:
            self.runs += 1
            if self.runs == 1:
                raise OperationalError("database is locked")
            stop.set()

    lane = Lane()
    caplog.set_level("WARNING", logger="contactpunt.ops.worker")
    run_lane_forever(lane, stop)

    assert lane.runs == 2
    assert "the database is locked; the up-short worker waits and goes on" in caplog.text
    assert not [r for r in caplog.records if r.exc_info]  # a wait, not a crash with its traceback
