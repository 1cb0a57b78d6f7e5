"""A dead worker's claim is released after WORKER_CLAIM_TIMEOUT_S without a beat; a live one's never is, even when
its beat lags (a live process on this host), and a reply being sent keeps its claim while the send lasts. Worker ids
are unique per process, so no worker takes another's running job for its own."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from contactpunt.ops.heartbeat import HOST, INTERRUPTED, beat, release_dead_claims, unique_worker_id
from contactpunt.ops.lanes import SHORT
from contactpunt.ops.models import PeriodicJob, WorkerHeartbeat
from contactpunt.ops.tests.test_lanes import DATABASE_TASKS, periodic_tick
from contactpunt.ops.worker import recover_interrupted, up_worker_ids

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def database_backend(settings: Any) -> None:
    settings.TASKS = DATABASE_TASKS
    settings.WORKER_CLAIM_TIMEOUT_S = 30


def _running(worker_id: str, *, started: dt.datetime = NOW) -> DBTaskResult[Any, Any]:
    result = periodic_tick.enqueue()
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim(worker_id)
    DBTaskResult.objects.filter(pk=row.pk).update(started_at=started)
    return row


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _status(row: DBTaskResult[Any, Any]) -> tuple[str, str]:
    row.refresh_from_db()
    return row.status, row.exception_class_path


def test_a_job_of_a_worker_that_beats_is_kept_and_one_of_a_dead_worker_is_released_after_the_timeout() -> None:
    alive = _running("alive")
    dead = _running("dead")
    beat(["alive"], now=NOW + dt.timedelta(seconds=50))
    WorkerHeartbeat.objects.create(worker_id="dead", host=HOST, pid=_dead_pid(), beat_at=NOW + dt.timedelta(seconds=20))
    PeriodicJob.objects.create(name=periodic_tick.module_path, next_run_at=NOW + dt.timedelta(minutes=10))

    assert release_dead_claims(now=NOW + dt.timedelta(seconds=49)) == []  # 29 s without a beat: within the timeout
    assert release_dead_claims(now=NOW + dt.timedelta(seconds=51)) == [dead.pk]

    assert _status(alive) == (TaskResultStatus.RUNNING, "")
    assert _status(dead) == (TaskResultStatus.FAILED, INTERRUPTED)
    # Its periodic job is due at once, so the next round of the clock takes up the work.
    assert PeriodicJob.objects.get().next_run_at == NOW + dt.timedelta(seconds=51)


def test_a_live_process_on_this_host_keeps_its_job_however_late_its_beat() -> None:
    busy = _running("busy")
    WorkerHeartbeat.objects.create(worker_id="busy", host=HOST, pid=os.getpid(), beat_at=NOW)
    elsewhere = _running("elsewhere")
    WorkerHeartbeat.objects.create(worker_id="elsewhere", host="other-host", pid=os.getpid(), beat_at=NOW)

    assert release_dead_claims(now=NOW + dt.timedelta(hours=2)) == [elsewhere.pk]
    assert _status(busy) == (TaskResultStatus.RUNNING, "")


def test_a_job_whose_worker_never_beat_is_released_once_it_ran_longer_than_the_timeout() -> None:
    old = _running("before-the-beats", started=NOW)
    assert release_dead_claims(now=NOW + dt.timedelta(seconds=29)) == []
    assert release_dead_claims(now=NOW + dt.timedelta(seconds=31)) == [old.pk]


def test_a_worker_beats_with_its_host_and_process() -> None:
    beat(["w1", "w2"], now=NOW)
    beat(["w1"], now=NOW + dt.timedelta(seconds=6))
    rows = {b.worker_id: (b.host, b.pid, b.beat_at) for b in WorkerHeartbeat.objects.all()}
    assert rows == {
        "w1": (HOST, os.getpid(), NOW + dt.timedelta(seconds=6)),
        "w2": (HOST, os.getpid(), NOW),
    }
    assert timezone.is_aware(rows["w1"][2])


def test_worker_ids_are_unique_per_process_even_on_hosts_of_one_name() -> None:
    first, second = unique_worker_id("short"), unique_worker_id("short")
    assert first != second  # two hosts (or containers) of one name, with the same process id, still differ
    assert first.startswith(f"{HOST}-{os.getpid()}-") and first.endswith("-short")


def test_two_ups_sharing_a_database_never_fail_each_others_running_jobs() -> None:
    """`up` named its lanes "up-short" and "up-long" on every host: a second `up` on another host against the same
    database failed the first one's running jobs at its start (recover_interrupted) as if they were its own."""
    first, second = up_worker_ids(), up_worker_ids()
    assert set(first.values()).isdisjoint(second.values())
    row = _running(first[SHORT], started=timezone.now())

    assert recover_interrupted(second[SHORT]) == 0
    assert _status(row) == (TaskResultStatus.RUNNING, "")
    assert recover_interrupted(first[SHORT]) == 1  # its own restart under its id still fails what it left


def test_the_worker_command_takes_a_unique_id_unless_given_one(monkeypatch: pytest.MonkeyPatch) -> None:
    from contactpunt.ops.management.commands import worker as command

    class Started(Exception):
        pass

    ids: list[str] = []

    def capture(*, lane: str, interval: float, worker_id: str) -> None:
        ids.append(worker_id)
        raise Started

    monkeypatch.setattr(command, "make_worker", capture)
    for _ in range(2):
        with pytest.raises(Started):
            call_command("worker", "--queues", "short", "--no-clock")
    with pytest.raises(Started):
        call_command("worker", "--queues", "short", "--no-clock", "--worker-id", "mail-1")
    assert ids[0] != ids[1] and ids[0].startswith(f"{HOST}-{os.getpid()}-") and ids[0].endswith("-short")
    assert ids[2] == "mail-1"
