"""The admin's page of the worker: per lane the jobs waiting, running (with progress) and failed, and the age of
the oldest waiting job, rendered with exact values from task rows the database backend stored."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import normalize_uuid

from contactpunt.channels.tasks import retry_mail, send_outbox
from contactpunt.conftest import make_user
from contactpunt.insights.tasks import analyse_contacts, retrain_reason_model
from contactpunt.kpis.tasks import refresh_rollups
from contactpunt.ops import progress
from contactpunt.ops.lanes import LONG, SHORT
from contactpunt.ops.queue_status import lane_status
from contactpunt.people.models import Role
from contactpunt.workforce.tasks import plan_demo_shifts

pytestmark = pytest.mark.django_db

URL = "/admin/ops/backgroundwork/"


@pytest.fixture(autouse=True)
def database_backend(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": [SHORT, LONG, "default"]}}


def _row(result: Any) -> DBTaskResult[Any, Any]:
    return DBTaskResult.objects.get(pk=normalize_uuid(result.id))


def _age(result: Any, delta: dt.timedelta) -> None:
    DBTaskResult.objects.filter(pk=normalize_uuid(result.id)).update(enqueued_at=timezone.now() - delta)


@pytest.fixture
def busy_worker() -> None:
    """Short lane: 3 waiting (the oldest 7 minutes), 1 running, 1 failed today and 1 two days ago.
    Long lane: 1 waiting for 2 hours 5 minutes, and the model training running for 20 minutes at step 1 of 3."""
    _age(analyse_contacts.enqueue([1]), dt.timedelta(minutes=7, seconds=10))
    analyse_contacts.enqueue([2])
    send_outbox.enqueue()
    _row(refresh_rollups.enqueue()).claim("up-short")
    failed_today, failed_before = _row(retry_mail.enqueue()), _row(retry_mail.enqueue())
    failed_today.set_failed(RuntimeError("the mail server was down"))
    failed_before.set_failed(RuntimeError("an old failure"))
    DBTaskResult.objects.filter(pk=failed_before.pk).update(finished_at=timezone.now() - dt.timedelta(days=2))

    _age(plan_demo_shifts.enqueue(), dt.timedelta(hours=2, minutes=5, seconds=10))
    training = _row(retrain_reason_model.enqueue())
    training.claim("up-long")
    DBTaskResult.objects.filter(pk=training.pk).update(started_at=timezone.now() - dt.timedelta(minutes=20, seconds=5))
    with progress.running(str(training.pk)):
        progress.report("training the reason model", done=1, total=3)


def _cells(page: str, lane: str) -> dict[str, str]:
    row = re.search(rf'<tr id="lane-{lane}">(.*?)</tr>', page, re.S)
    assert row is not None
    return dict(re.findall(r'<td class="(\w+)">([^<]*)</td>', row.group(1)))


def test_the_admin_sees_each_lane_s_depth_and_the_progress_of_a_long_job(busy_worker: None) -> None:
    admin = make_user("beheer", Role.ADMIN)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)

    page = client.get(URL).content.decode()

    assert _cells(page, SHORT) == {"waiting": "3", "running": "1", "failed": "1", "oldest": "7 min"}
    assert _cells(page, LONG) == {"waiting": "1", "running": "1", "failed": "0", "oldest": "2 u 5 min"}
    assert "Korte taken" in page and "Lange taken" in page
    running = re.search(r'<ul class="running-jobs" id="running-long">(.*?)</ul>', page, re.S)
    assert running is not None
    text = " ".join(running.group(1).split())
    # The job's name once: its step, when it only repeats that name, is left out.
    assert text.startswith("<li>Model voor contactredenen trainen · al 20 min bezig <progress")
    assert text.lower().count("model voor contactredenen trainen") == 1
    assert '<progress value="1" max="3"></progress> stap 1 van 3' in text
    waiting = re.search(r'<ul class="waiting-jobs" id="waiting-short">(.*?)</ul>', page, re.S)
    assert waiting is not None
    assert re.findall(r"<li>([^<]*)</li>", waiting.group(1)) == ["Berichten analyseren: 2", "Antwoorden versturen: 1"]


def test_the_page_is_the_admin_s_only(busy_worker: None) -> None:
    agent = make_user("anna", Role.AGENT)
    client = Client()
    client.force_login(agent)
    assert client.get(URL).status_code == 302  # to the admin's login
    staff = make_user("stefan", Role.TEAM_LEAD)
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    assert client.get(URL).status_code == 403  # staff without the permission to view the task rows


def test_the_depth_counts_one_query_set_per_lane(busy_worker: None, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(6):  # counts, running rows with their progress, waiting per job: per lane
        lanes = lane_status(now=timezone.now())
    assert [(s.lane, s.waiting, s.running, s.failed) for s in lanes] == [(SHORT, 3, 1, 1), (LONG, 1, 1, 0)]


def test_a_step_that_says_more_than_the_job_s_name_is_shown() -> None:
    from django.utils import translation

    from contactpunt.ops.models import JobProgress
    from contactpunt.ops.queue_status import RunningJob

    with translation.override("nl"):
        reading = RunningJob(
            "Model voor contactredenen trainen", dt.timedelta(0), JobProgress(stage="reading the wrapped-up contacts")
        )
        assert reading.stage not in ("", "reading the wrapped-up contacts")  # in Dutch, beside the job's name
        assert RunningJob("Model voor contactredenen trainen", dt.timedelta(0), None).stage == ""


def test_every_background_job_of_the_product_has_a_name_for_people() -> None:
    import ast
    from pathlib import Path

    from contactpunt.ops.queue_status import JOB_LABELS

    root = Path(__file__).resolve().parents[2]
    jobs = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(
                (isinstance(d, ast.Call) and getattr(d.func, "id", "") == "task") or getattr(d, "id", "") == "task"
                for d in node.decorator_list
            ):
                jobs.add(node.name)
    assert len(jobs) > 15
    assert sorted(jobs - JOB_LABELS.keys()) == []  # the admin's page would show a function name


def test_the_task_rows_name_each_job_and_lane_in_dutch(busy_worker: None) -> None:
    admin = make_user("beheer", Role.ADMIN)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    rows = client.get("/admin/django_tasks_database/dbtaskresult/").content.decode()
    assert "Model voor contactredenen trainen" in rows and "Berichten analyseren" in rows
    assert "retrain_reason_model" not in rows and ">short<" not in rows
    long_only = client.get("/admin/django_tasks_database/dbtaskresult/?lane=long").content.decode()
    assert "Model voor contactredenen trainen" in long_only and "Berichten analyseren" not in long_only
