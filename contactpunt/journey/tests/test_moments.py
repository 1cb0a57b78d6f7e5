"""Moments: exactly one task per customer and moment, however often the rules run; opt-outs and erased customers
get none; the agent records the outcome on the case page."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from contactpunt.conftest import make_user
from contactpunt.contacts.models import Case, Queue
from contactpunt.contacts.services.case_actions import wrap_up
from contactpunt.contacts.services.customers import erase_customer
from contactpunt.contacts.tests.workspace_data import mail, reason, skill
from contactpunt.journey.models import ComplaintReason, MomentStatus, MomentTask
from contactpunt.journey.moments import opt_out, run_moments
from contactpunt.journey.tasks import create_moment_tasks
from contactpunt.journey.tests.helpers import stay
from contactpunt.ops import periodic
from contactpunt.people.models import Role, User

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 7, 7)


@pytest.fixture
def case(email_queue: Queue) -> Case:
    email_queue.skills.add(skill("nl"))
    return mail(email_queue, dt.datetime(2026, 6, 12, 9, tzinfo=dt.UTC), "m1")


def test_one_task_per_customer_and_moment(case: Case, agent: User) -> None:
    assert case.customer_id is not None
    complaint = reason("klacht", "Klacht")
    ComplaintReason.objects.create(reason=complaint)
    wrap_up(case=case, by=agent, reason=complaint, resolve=True)
    stay(case.customer_id, "S-past", dt.date(2026, 6, 10), dt.date(2026, 6, 17), stage="after")  # complained during
    stay(case.customer_id, "S-soon", TODAY + dt.timedelta(days=2), TODAY + dt.timedelta(days=9))  # arrives in 2 days
    stay(case.customer_id, "S-later", TODAY + dt.timedelta(days=20), TODAY + dt.timedelta(days=27))  # too far
    assert run_moments(today=TODAY) == 2
    kinds = sorted(MomentTask.objects.values_list("rule__kind", "order__external_id"))
    assert kinds == [("after_complaint", "S-past"), ("before_arrival", "S-soon")]
    assert MomentTask.objects.get(rule__kind="after_complaint").due_on == dt.date(2026, 6, 18)
    assert run_moments(today=TODAY) == 0 and run_moments(today=TODAY + dt.timedelta(days=1)) == 0
    out = StringIO()
    call_command("journey", "moments", "--date", TODAY.isoformat(), "--json", stdout=out)
    assert out.getvalue().strip() == '{"created": 0}' and MomentTask.objects.count() == 2

    # the agent records the outcome on the case page
    agent.skills.add(skill("nl"))
    client = Client()
    client.force_login(agent)
    page = client.get(reverse("workspace:case", args=[case.pk])).content.decode()
    assert 'data-moment="after_complaint"' in page
    task = MomentTask.objects.get(rule__kind="after_complaint")
    url = reverse("journey:close_moment", args=[task.pk])
    back = reverse("workspace:case", args=[case.pk])
    response = client.post(url, {"status": "done", "outcome": "Excuses aangeboden", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    task.refresh_from_db()
    assert (task.status, task.outcome) == (MomentStatus.DONE, "Excuses aangeboden")
    viewer = Client()
    viewer.force_login(make_user("audrey", Role.VIEWER))
    assert viewer.post(url, {"status": "skipped"}).status_code == 403


def test_opted_out_and_erased_customers_get_nothing(case: Case) -> None:
    assert case.customer_id is not None and case.customer is not None
    stay(case.customer_id, "S-1", TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=8))
    opt_out(customer_ids=[case.customer_id])
    assert run_moments(today=TODAY) == 0
    erase_customer(customer=case.customer, by=make_user("mia", Role.MANAGER), reason="verzoek")
    assert run_moments(today=TODAY) == 0 and not MomentTask.objects.exists()


def test_the_task_runs_from_the_worker_schedule() -> None:
    assert any(s.task is create_moment_tasks for s in periodic.schedules())
