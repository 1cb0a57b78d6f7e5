"""The first start's progress line: the bar, the share, the contacts and the time left, on a terminal and in a log."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import time_machine

from contactpunt.ops import demo
from contactpunt.simulation.progress import ProgressLine, describe, time_left_s
from contactpunt.simulation.writer import Tallies

REPO = Path(__file__).resolve().parents[3]


def test_the_time_left_goes_by_the_pace_so_far_and_waits_for_one() -> None:
    assert time_left_s(0.01, 3.0) is None  # no pace yet
    assert time_left_s(0.25, 10.0) == pytest.approx(30.0)
    assert time_left_s(1.0, 50.0) == 0.0


def test_the_line_shows_the_bar_the_share_the_contacts_and_the_time_left() -> None:
    assert (
        describe(0.5, 51234, 40.4) == "  [" + "#" * 15 + "." * 15 + "]  50%  51,234 contacts written, about 40 s left"
    )
    assert describe(0.2, 9000, 600.0).endswith("about 10 min left")
    assert describe(1.0, 100000, 0.0).endswith("100,000 contacts written, done")
    assert "left" not in describe(0.01, 10, None)


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_in_a_log_it_writes_a_line_at_each_tenth_and_at_the_end() -> None:
    out, clock = io.StringIO(), _Clock()
    line = ProgressLine(out, interactive=False, clock=clock)
    tallies = Tallies()
    for day in range(1, 91):
        clock.now = day * 1.0
        tallies.contacts = day * 1000
        line(day / 90, tallies)
    lines = out.getvalue().splitlines()
    assert len(lines) == 10
    assert lines[0].startswith("  [###") and "10%" in lines[0]
    assert lines[-1].endswith("90,000 contacts written, done")


def test_on_a_terminal_it_redraws_one_line() -> None:
    out = io.StringIO()
    line = ProgressLine(out, interactive=True, clock=_Clock())
    line(0.5, Tallies())
    line(1.0, Tallies())
    assert out.getvalue().count("\r") == 2
    assert out.getvalue().endswith("\n")


@pytest.mark.django_db
def test_the_demo_reports_its_progress_day_by_day_up_to_done() -> None:
    seen: list[tuple[float, int]] = []
    with time_machine.travel(dt.datetime(2026, 3, 11, 10, 0, tzinfo=dt.UTC), tick=True):
        logins = demo.create_demo_organisation(
            contacts=60, days=3, progress=lambda fraction, tallies: seen.append((fraction, tallies.contacts))
        )
    assert logins.simulation is not None
    logins.simulation.close()
    assert len(seen) >= 3
    assert [fraction for fraction, _c in seen] == sorted(fraction for fraction, _c in seen)
    assert seen[-1] == (1.0, logins.contacts)


@pytest.mark.django_db
def test_after_the_first_start_the_long_lane_takes_the_figures_the_loyalty_the_shift_plan_then_the_reason_model(
    settings: Any,
) -> None:
    from django_tasks_db.models import DBTaskResult

    from contactpunt.ops.tests.test_lanes import DATABASE_TASKS

    settings.TASKS = DATABASE_TASKS
    from contactpunt.contacts.announcements import Announcement, Message
    from contactpunt.insights.tasks import enqueue_analysis
    from contactpunt.ops.first_start import enqueue_first_start_jobs
    from contactpunt.ops.lanes import SHORT

    enqueue_analysis([Message(Announcement.CONTACT_RECEIVED, {"contact_id": i}) for i in range(1, 400)])
    enqueue_first_start_jobs()

    order = [r.task_path.rsplit(".", 1)[1] for r in DBTaskResult.objects.ready().exclude(queue_name=SHORT)]
    assert order == [
        "refresh_rollups_backfill",
        "refresh_loyalty",
        "plan_demo_shifts",
        "retrain_reason_model",
        "analyse_history",
    ]


@pytest.mark.django_db
def test_today_is_forecast_and_staffed_before_any_long_job_ran_and_the_chosen_forecast_replaces_it(
    settings: Any,
) -> None:
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from contactpunt.ops.first_start import enqueue_first_start_jobs
    from contactpunt.ops.lanes import SHORT
    from contactpunt.ops.tests.test_lanes import DATABASE_TASKS
    from contactpunt.workforce import queries
    from contactpunt.workforce.models import PlannedShift
    from contactpunt.workforce.tasks import plan_demo_shifts

    settings.TASKS = DATABASE_TASKS
    today = dt.date(2026, 3, 11)  # a Wednesday of an ordinary week
    with time_machine.travel(dt.datetime(2026, 3, 11, 6, 30, tzinfo=dt.UTC), tick=True):
        logins = demo.create_demo_organisation(contacts=500, days=21)
        assert logins.simulation is not None
        logins.simulation.close()
        enqueue_first_start_jobs()

        long_jobs = DBTaskResult.objects.exclude(queue_name=SHORT)
        assert long_jobs.exists()
        assert not long_jobs.exclude(status=TaskResultStatus.READY).exists()  # no long job ran
        quick = queries.plan_for(today)
        assert quick is not None and (quick.first_day, quick.days) == (today, 1)
        forecast = [row for row in quick.intervals if row["required"] > 0]
        assert sum(row["volume"] for row in quick.intervals) > 0
        assert forecast
        staffed = PlannedShift.objects.filter(day=today, plan=quick)
        assert staffed.count() >= 2
        assert staffed.values("agent").distinct().count() == staffed.count()  # one shift per agent

        assert plan_demo_shifts.call() > 0
    chosen = queries.plan_for(today)
    assert chosen is not None and chosen.pk != quick.pk and chosen.days == 7
    assert PlannedShift.objects.filter(day=today).exists()
    assert not PlannedShift.objects.filter(day=today, plan=quick).exists()  # its shifts gave way to the new plan


def test_the_steps_line_counts_up_to_done() -> None:
    from contactpunt.simulation.progress import StepsLine

    out, clock = io.StringIO(), _Clock()
    steps = StepsLine(ProgressLine(out, interactive=False, clock=clock), 20, "migrations")
    for n in range(20):
        clock.now = n + 1.0
        steps.step()
    lines = out.getvalue().splitlines()
    assert len(lines) == 10
    assert "2 of 20 migrations" in lines[0] and "left" in lines[0]
    assert lines[-1].endswith("20 of 20 migrations, done")


def test_the_steps_line_goes_by_the_weight_done() -> None:
    from contactpunt.simulation.progress import StepsLine

    out, clock = io.StringIO(), _Clock()
    steps = StepsLine(ProgressLine(out, interactive=True, clock=clock), 4, "migrations", total_weight=10.0)
    clock.now = 1.0
    steps.step(1.0)  # 1 of 10: 10%, 9 s left at this pace
    assert "10%  1 of 4 migrations, about 9 s left" in out.getvalue()
    clock.now = 6.0
    steps.step(7.0)  # 8 of 10
    assert "80%  2 of 4 migrations" in out.getvalue().rsplit("\r", 1)[1]
    steps.step(2.0)
    steps.step(0.0)
    assert out.getvalue().rsplit("\r", 1)[1].startswith("  [" + "#" * 30 + "] 100%  4 of 4 migrations, done")


@pytest.mark.parametrize("first", [True, False])
def test_the_first_start_counts_the_migrations_on_a_progress_line(tmp_path: Path, first: bool) -> None:
    """`up` on an empty database (the final schema at once, contactpunt.ops.fresh_schema) and on one that has only
    its content types (migrated one by one): a line per tenth of the migrations, up to done; the next start none."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "contactpunt.config.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'first.sqlite3'}",
        "CONTACTPUNT_DATA_DIR": str(tmp_path),
        "SECRET_KEY": "first-start-test-secret-key-long-enough-for-django",
        "PYTHONPATH": str(REPO),
    }
    code = "import django; django.setup(); from contactpunt.ops.management.commands import up; up.Command()._migrate()"
    command = [sys.executable, "-c", code]
    if not first:
        migrate = [sys.executable, "-m", "contactpunt.cli", "migrate", "contenttypes", "-v0"]
        subprocess.run(migrate, env=env, cwd=REPO, check=True, capture_output=True)  # noqa: S603
    started = subprocess.run(command, env=env, cwd=REPO, check=True, capture_output=True, text=True)  # noqa: S603
    lines = started.stdout.splitlines()
    assert lines[0] == ("Creating the database (first start only)..." if first else "Updating the database...")
    # A line at each tenth of the work (migrations weigh by their operations; a heavy one may cross two tenths).
    assert 6 <= len(lines) <= 11 and all(" migrations" in line for line in lines[1:])
    shares = [int(line.split("]")[1].split("%")[0]) for line in lines[1:]]
    assert shares == sorted(shares) and shares[-1] == 100
    total = int(lines[-1].split(" of ")[1].split()[0])
    assert total > 50 and lines[-1].endswith(f"{total} of {total} migrations, done")
    again = subprocess.run(command, env=env, cwd=REPO, check=True, capture_output=True, text=True)  # noqa: S603
    assert again.stdout == ""


def test_the_static_files_are_collected_in_a_child_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.management.base import CommandError

    from contactpunt.ops.first_start import StaticFiles

    monkeypatch.setenv("CONTACTPUNT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'static.sqlite3'}")
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    StaticFiles().finish()
    assert (tmp_path / "static" / "admin" / "css" / "base.css").exists()
    assert (tmp_path / "static" / "admin" / "css" / "base.css.gz").exists()  # compressed, as WhiteNoise serves it
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "no.such.settings")
    with pytest.raises(CommandError, match="collectstatic failed"):
        StaticFiles().finish()
