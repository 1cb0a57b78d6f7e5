"""An agent's week beside their check-in: hours worked, contacts handled, planned breaks missed."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from contactpunt.conftest import make_user
from contactpunt.contacts.models import AgentState
from contactpunt.contacts.services.events import record_agent_state
from contactpunt.contacts.services.work_sessions import start_work_session
from contactpunt.insights.models import MessageInsight
from contactpunt.kpis.tests.helpers import arrive, call
from contactpunt.people.models import Role
from contactpunt.workforce.models import Activity
from contactpunt.workforce.shifts.planning import schedule_shift
from contactpunt.workforce.workload import Workload, week_workload

pytestmark = pytest.mark.django_db

AMS = ZoneInfo("Europe/Amsterdam")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=AMS)


def test_hours_contacts_angry_customers_and_missed_breaks(team, phone_queue, email_queue) -> None:
    anna = make_user("anna", Role.AGENT, team)
    bart = make_user("bart", Role.AGENT, team)
    # Monday: a break taken; Tuesday: the break skipped; Friday's break is still to come at `now`
    for day, (state_at, break_taken) in {2: (at(2, 9), True), 3: (at(3, 9), False)}.items():
        schedule_shift(
            agent=anna, start=at(day, 9), end=at(day, 13), activities=[(Activity.BREAK, at(day, 11), at(day, 11, 15))]
        )
        record_agent_state(agent=anna, state=AgentState.AVAILABLE, occurred_at=state_at)
        if break_taken:
            record_agent_state(agent=anna, state=AgentState.BREAK, occurred_at=at(day, 11, 5))
            record_agent_state(agent=anna, state=AgentState.AVAILABLE, occurred_at=at(day, 11, 20))
        record_agent_state(agent=anna, state=AgentState.OFFLINE, occurred_at=at(day, 13))
    schedule_shift(agent=anna, start=at(6, 9), end=at(6, 13), activities=[(Activity.BREAK, at(6, 11), at(6, 11, 15))])
    for minute in (0, 10, 20):
        call(phone_queue, at(2, 10, minute), wait=5, talk=60, agent=anna)
    call(phone_queue, at(9, 10), wait=5, talk=60, agent=anna)  # the next week
    for n, sentiment in enumerate(["negative", "positive"]):  # two mails, one from an angry customer
        mail = arrive(email_queue, at(4, 9, n), caller=f"klant{n}@example.nl", subject="Bestelling")
        start_work_session(agent=anna, case=mail.case, contact=mail, at=at(4, 10, n))
        message = mail.messages.get()
        MessageInsight.objects.create(
            message=message,
            contact=mail,
            occurred_at=mail.occurred_at,
            language="nl",
            sentiment=sentiment,
            sentiment_score=0.0,
            sentiment_model_version="test",
        )
    result = week_workload(dt.date(2026, 3, 2), [anna.pk, bart.pk], now=at(5, 12))
    assert result == {
        anna.pk: Workload(hours_worked=8.0, contacts_handled=5, breaks_planned=2, breaks_missed=1, angry_share=0.5),
        bart.pk: Workload(hours_worked=0.0, contacts_handled=0, breaks_planned=0, breaks_missed=0),
    }
