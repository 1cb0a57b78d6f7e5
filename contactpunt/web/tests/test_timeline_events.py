"""The case timeline tells each action once: "wrap up and resolve" is one line, not "Afgerond" beside "Afgesloten"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from contactpunt.contacts.models import AgentState, Queue
from contactpunt.contacts.services.assignment import set_agent_state, take_next
from contactpunt.contacts.services.case_actions import wrap_up
from contactpunt.contacts.services.cases import reopen_case, resolve_case
from contactpunt.contacts.tests.workspace_data import mail, reason
from contactpunt.people.models import User
from contactpunt.web.workspace.panels import timeline

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def events(case) -> list[str]:
    with translation.override("nl"):
        return [item.text for item in timeline(case) if item.kind == "event"]


def test_wrap_up_and_resolve_is_one_line(agent: User, email_queue: Queue) -> None:
    case = mail(email_queue, NOW - dt.timedelta(hours=1), "m1")
    set_agent_state(agent=agent, state=AgentState.AVAILABLE, at=NOW - dt.timedelta(minutes=9))
    take_next(agent=agent, at=NOW - dt.timedelta(minutes=8))
    delivery = reason()

    wrap_up(case=case, by=agent, reason=delivery, resolve=True, at=NOW)

    assert events(case) == [f"Afgerond en afgesloten: {delivery.name}"]


def test_a_wrap_up_and_a_later_resolution_stay_two_lines(agent: User, email_queue: Queue) -> None:
    case = mail(email_queue, NOW - dt.timedelta(hours=1), "m1")
    set_agent_state(agent=agent, state=AgentState.AVAILABLE, at=NOW - dt.timedelta(minutes=9))
    take_next(agent=agent, at=NOW - dt.timedelta(minutes=8))
    delivery = reason()
    wrap_up(case=case, by=agent, reason=delivery, at=NOW - dt.timedelta(minutes=5))
    resolve_case(case=case, by=agent, occurred_at=NOW)
    reopen_case(case=case, by=agent, occurred_at=NOW + dt.timedelta(minutes=1))

    assert events(case) == [f"Afgerond: {delivery.name}", "Afgesloten", "Heropend"]
