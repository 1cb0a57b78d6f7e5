"""The demo organisation, the periodic-job clock, and the web shell a new user sees first."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from contactpunt.contacts.models import Case, Channel, Contact, ContactEvent, Queue
from contactpunt.kpis.models import DirtyContact
from contactpunt.ops import demo, periodic
from contactpunt.ops.models import PeriodicJob
from contactpunt.people.models import Skill, User

pytestmark = pytest.mark.django_db
# An ordinary week, far from Sinterklaas, Black Friday and the holidays: the demo's volume is about what was asked.
QUIET_WEEK_END = dt.datetime(2026, 3, 11, 10, 0, tzinfo=dt.UTC)


def _stop_engine(logins: demo.DemoLogins) -> None:
    """The demo's engine process waits for the live mode, which these tests do not start."""
    assert logins.simulation is not None
    logins.simulation.close()


def test_the_demo_fills_an_empty_database_through_the_services():
    assert demo.is_empty()

    with time_machine.travel(QUIET_WEEK_END, tick=True):
        logins = demo.create_demo_organisation(contacts=120, days=7)
    _stop_engine(logins)

    assert not demo.is_empty()
    assert {role for _u, _p, role in logins.users} == {"agent", "team_lead", "manager", "admin", "viewer"}
    assert set(Queue.objects.values_list("channel", flat=True)) == set(Channel.values)  # with the web form's queue
    # the simulator draws the volume (Poisson around 120, sd about 11) and reports what it wrote
    assert Contact.objects.filter(source="demo").count() == logins.contacts
    assert 70 <= logins.contacts <= 170
    assert logins.agents >= 50
    # every offered contact has its queued event, and every transfer queues the next leg, as live history would
    offered = Contact.objects.exclude(status="ivr_only").count()
    transfers = ContactEvent.objects.filter(name="transferred").count()
    assert ContactEvent.objects.filter(name="queued").count() == offered + transfers
    assert Case.objects.filter(status="resolved").exists()
    # A case stays open only while one of its contacts waits or is in hand: nothing open with nothing waiting.
    assert not Case.objects.filter(status="open").exclude(contacts__status__in=["queued", "in_progress"]).exists()
    assert logins.api_token.startswith("cp_")
    # Every contact waits for the long lane's figures (the history's marks are held to the end of its load).
    marked = set(DirtyContact.objects.values_list("contact_id", flat=True))
    assert marked == set(Contact.objects.values_list("pk", flat=True))
    # Language skills read as a Dutch team lead reads them on the skills matrix, not "Nl" and "En".
    assert dict(Skill.objects.filter(code__in=["nl", "en"]).values_list("code", "name")) == {
        "nl": "Nederlands",
        "en": "Engels",
    }


def test_the_overview_needs_a_login_and_then_shows_the_open_work():
    _stop_engine(demo.create_demo_organisation(contacts=40, days=3))
    client = Client()

    assert client.get("/").status_code == 302
    assert client.login(username="agent1", password=demo.DEMO_PASSWORD)
    page = client.get("/")

    assert page.status_code == 200
    open_cases = Case.objects.filter(status="open").count()
    assert f'<p class="figure">{open_cases}</p>' in page.content.decode()


def test_the_interface_is_dutch_unless_the_user_chose_english():
    _stop_engine(demo.create_demo_organisation(contacts=10, days=1))
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US")
    client.login(username="agent1", password=demo.DEMO_PASSWORD)

    assert "Open zaken per wachtrij" in client.get("/").content.decode()
    User.objects.filter(username="agent1").update(language="en")
    assert "Open cases per queue" in client.get("/").content.decode()


class _FakeTask:
    module_path = "tests.fake_task"
    backend = "default"  # the immediate backend in tests: no stored runs to wait for

    def __init__(self) -> None:
        self.enqueued = 0

    def enqueue(self) -> None:
        self.enqueued += 1


def test_a_periodic_job_is_enqueued_once_per_interval(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(periodic, "_schedules", {})
    task = _FakeTask()
    periodic.register(task, every=dt.timedelta(minutes=5))
    now = timezone.now()

    assert periodic.enqueue_due(now) == ["tests.fake_task"]
    assert periodic.enqueue_due(now + dt.timedelta(minutes=1)) == []
    assert periodic.enqueue_due(now + dt.timedelta(minutes=5)) == ["tests.fake_task"]
    assert task.enqueued == 2
    assert PeriodicJob.objects.get().next_run_at == now + dt.timedelta(minutes=10)


def test_a_stale_claim_loses_the_race(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(periodic, "_schedules", {})
    task = _FakeTask()
    periodic.register(task, every=dt.timedelta(minutes=5))
    now = timezone.now()
    periodic.enqueue_due(now)
    job = PeriodicJob.objects.get()
    # another worker read the row before our claim and now tries with its stale value
    stale = PeriodicJob.objects.filter(pk=job.pk, next_run_at=now).update(next_run_at=now)

    assert stale == 0 and task.enqueued == 1


@pytest.mark.django_db(transaction=True)
def test_the_first_start_load_restores_the_sqlite_settings_and_checks_every_foreign_key():
    from django.db import connection

    def settings_now() -> list[int]:
        with connection.cursor() as cursor:
            return [
                cursor.execute(f"PRAGMA {name}").fetchone()[0] for name in ("foreign_keys", "cache_size", "temp_store")
            ]

    before = settings_now() if connection.vendor == "sqlite" else None

    logins = demo.create_demo_organisation(contacts=60, days=2)
    _stop_engine(logins)

    assert Contact.objects.filter(source="demo").count() == logins.contacts > 0
    assert demo.agent_count() == logins.agents >= 50
    if before is not None:
        assert before[0] == 1  # foreign keys are checked for live traffic
        assert settings_now() == before
        with connection.cursor() as cursor:
            assert cursor.execute("PRAGMA foreign_key_check").fetchall() == []


def test_the_demo_teaches_the_reason_model_that_up_trains_first():
    from contactpunt.insights import lifecycle
    from contactpunt.insights.models import ReasonModelVersion

    _stop_engine(demo.create_demo_organisation(contacts=600, days=7))

    result = lifecycle.retrain()

    assert result.activated and result.version is not None
    assert result.version.method == ReasonModelVersion.Method.TRAINED
    reasons = Case.objects.exclude(reason=None).values_list("reason_id", flat=True).distinct().count()
    assert reasons >= 8
    assert result.version.accuracy is not None and result.version.accuracy > 0.6  # chance is about 1 / reasons
