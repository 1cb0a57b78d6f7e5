"""The batch event services write exactly the rows the single services write, item by item."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from contactpunt.contacts.models import (
    AgentStateEvent,
    Case,
    Contact,
    ContactEvent,
    ContactLeg,
    ContactReason,
    Queue,
    WorkSession,
)
from contactpunt.contacts.services import bulk_events
from contactpunt.contacts.services.bulk_events import (
    AgentStateInput,
    CaseResolution,
    ContactEventInput,
    FinishedWorkSession,
)
from contactpunt.contacts.services.cases import CaseStateError, resolve_case
from contactpunt.contacts.services.events import EventRejected, record_agent_state, record_contact_event
from contactpunt.contacts.services.inbound import receive_contacts
from contactpunt.contacts.services.types import InboundContact
from contactpunt.contacts.services.work_sessions import end_work_sessions, start_work_session
from contactpunt.people.models import User

pytestmark = pytest.mark.django_db

S = dt.timedelta(seconds=1)

# Per contact, in order: (name, seconds after arrival, agent index or None, transfer target or None).
SCRIPTS: list[list[tuple[str, int, int | None, str | None]]] = [
    [
        ("presented", 5, 0, None),
        ("answered", 8, 0, None),
        ("hold_started", 50, 0, None),
        ("hold_ended", 80, 0, None),
        ("ended", 200, 0, None),
        ("wrapped", 230, 0, "reason"),
    ],
    [("answered", 3, 1, None), ("transferred", 60, 1, "second"), ("answered", 90, 0, None), ("ended", 300, 0, None)],
    [("abandoned", 45, None, None)],
    [("answered", 10, 0, None), ("transferred", 30, 0, "second"), ("abandoned", 50, None, None)],
    [("replied", 3600, 1, None), ("replied", 7200, 0, None)],
    [("answered", 10, 1, None), ("answered", 12, 0, None), ("ended", 100, 1, None)],
]


def _world(source: str, t0: dt.datetime, phone: Queue, email: Queue) -> list[Contact]:
    items = [
        InboundContact(
            source=source,
            queue=email.code if n == 4 else phone.code,
            occurred_at=t0 + n * 60 * S,
            external_id=f"{source}-{n}",
            text=f"vraag {n}",
        )
        for n in range(len(SCRIPTS))
    ]
    received = receive_contacts(items)
    return [Contact.objects.get(pk=r.contact_id) for r in received]


def _snapshot(contacts: list[Contact]) -> dict[str, Any]:
    """Every row the services touch, with keys replaced by positions so two worlds compare."""
    events_by_pk: dict[int, tuple[str, dt.datetime]] = {}
    result: dict[str, Any] = {"contacts": [], "legs": [], "events": [], "cases": []}
    for contact in contacts:
        contact.refresh_from_db()
        result["contacts"].append(
            (contact.status, contact.queue_id, contact.answered_at, contact.ended_at, contact.channel)
        )
        result["legs"].append(
            list(
                ContactLeg.objects.filter(contact=contact).values_list(
                    "sequence", "queue_id", "agent_id", "queued_at", "answered_at", "ended_at"
                )
            )
        )
        case = Case.objects.get(pk=contact.case_id)
        result["cases"].append((case.status, case.reason_id, case.resolved_at, case.first_response_at))
        events = list(ContactEvent.objects.filter(case=case).order_by("occurred_at", "name", "leg"))
        events_by_pk.update({e.pk: (e.name, e.occurred_at) for e in events})
        rows = []
        for event in events:
            data = dict(event.data)
            if "transfer_event" in data:
                data["transfer_event"] = events_by_pk[data["transfer_event"]]
            rows.append((event.name, event.leg, event.queue_id, event.agent_id, event.occurred_at, data))
        result["events"].append(rows)
    return result


@pytest.fixture
def people(agent: User, team_lead: User) -> list[User]:
    return [agent, team_lead]


def test_batch_services_write_the_same_rows_as_the_single_services(
    t0, phone_queue, second_phone_queue, email_queue, people
):
    reason = ContactReason.objects.create(code="levering", name="Levering")
    agents: list[User] = people
    agent = people[0]
    queues = {"second": second_phone_queue}
    single = _world("single", t0, phone_queue, email_queue)
    batch = _world("batch", t0, phone_queue, email_queue)

    inputs: list[ContactEventInput] = []
    for contact_a, contact_b, script in zip(single, batch, SCRIPTS, strict=True):
        for name, seconds, who, extra in script:
            at = contact_a.occurred_at + seconds * S
            person = agents[who] if who is not None else None
            record_contact_event(
                contact=contact_a,
                name=name,
                occurred_at=at,
                agent=person,
                to_queue=queues.get(extra or ""),
                reason=reason if extra == "reason" else None,
            )
            inputs.append(
                ContactEventInput(
                    contact_id=contact_b.pk,
                    name=name,
                    occurred_at=at,
                    agent_id=person.pk if person else None,
                    to_queue_id=queues[extra].pk if extra in queues else None,
                    reason_id=reason.pk if extra == "reason" else None,
                )
            )
    # Interleave contacts, as a simulator writing in time order does; per contact the order holds.
    inputs.sort(key=lambda item: item.occurred_at)
    bulk_events.record_contact_events(inputs)
    for contact_a in single[:2]:
        resolve_case(case=contact_a.case, by=agent, occurred_at=t0 + 3600 * S, reason=reason)
    resolve_case(case=single[4].case, by=None, occurred_at=t0 + 7200 * S)
    bulk_events.resolve_cases(
        [CaseResolution(c.case_id, t0 + 3600 * S, agent.pk, reason.pk) for c in batch[:2]]
        + [CaseResolution(batch[4].case_id, t0 + 7200 * S)]
    )

    assert _snapshot(single) == _snapshot(batch)
    # 6 arrivals queued, 19 scripted events, 2 legs queued by the transfers
    assert ContactEvent.objects.filter(contact__source="single").count() == 27


def test_agent_states_match_and_repeats_are_idempotent(t0, agent, team_lead):
    for n, state in enumerate(["available", "on_contact", "wrap_up", "break", "offline"]):
        record_agent_state(agent=agent, state=state, occurred_at=t0 + n * S, source="one", external_id=f"s{n}")
    inputs = [
        AgentStateInput(team_lead.pk, state, t0 + n * S, source="many", external_id=f"s{n}")
        for n, state in enumerate(["available", "on_contact", "wrap_up", "break", "offline"])
    ]

    first = bulk_events.record_agent_states(inputs)
    again = bulk_events.record_agent_states([*inputs[:2], inputs[0]])

    def rows(user: User) -> list[tuple[Any, ...]]:
        return list(AgentStateEvent.objects.filter(agent=user).values_list("state", "occurred_at", "external_id"))

    assert rows(agent) == rows(team_lead)
    assert all(r.created for r in first)
    assert [r.event_id for r in again] == [first[0].event_id, first[1].event_id, first[0].event_id]
    assert not any(r.created for r in again)


def test_a_repeated_event_key_is_recorded_once(t0, phone_queue, email_queue, agent):
    contact = _world("batch", t0, phone_queue, email_queue)[0]
    item = ContactEventInput(contact.pk, "answered", t0 + 5 * S, agent.pk, source="pbx", external_id="e1")

    results = bulk_events.record_contact_events([item, item])
    again = bulk_events.record_contact_events([item])

    assert [r.created for r in results + again] == [True, False, False]
    assert len({r.event_id for r in results + again}) == 1
    assert ContactEvent.objects.filter(source="pbx").count() == 1


def test_a_bad_item_rejects_the_whole_batch(t0, phone_queue, email_queue, agent):
    contact = _world("batch", t0, phone_queue, email_queue)[0]
    before = ContactEvent.objects.count()

    with pytest.raises(EventRejected):
        bulk_events.record_contact_events(
            [ContactEventInput(contact.pk, "answered", t0), ContactEventInput(contact.pk, "transferred", t0)]
        )
    with pytest.raises(CaseStateError):
        bulk_events.resolve_cases([CaseResolution(contact.case_id, t0), CaseResolution(contact.case_id, t0)])

    assert ContactEvent.objects.count() == before
    assert Case.objects.get(pk=contact.case_id).status == "open"


def test_work_sessions_match_start_and_end(t0, phone_queue, email_queue, agent, team_lead):
    single = _world("single", t0, phone_queue, email_queue)
    batch = _world("batch", t0, phone_queue, email_queue)
    # One session already open on each side (the agent opened the case live), then finished ones.
    start_work_session(agent=agent, case=single[0].case, at=t0)
    start_work_session(agent=agent, case=batch[0].case, at=t0)
    plan = [(agent, 0, 10, 70, "replied"), (team_lead, 1, 20, 80, "wrapped"), (agent, 1, 100, 160, "replied")]
    for who, n, begin, end, outcome in plan:
        start_work_session(agent=who, case=single[n].case, contact=single[n], at=t0 + begin * S)
        end_work_sessions(agent=who, case=single[n].case, outcome=outcome, at=t0 + end * S)

    ended = bulk_events.record_work_sessions(
        [
            FinishedWorkSession(who.pk, batch[n].case_id, t0 + begin * S, t0 + end * S, outcome, batch[n].pk)
            for who, n, begin, end, outcome in plan
        ]
    )

    def rows(contacts: list[Contact]) -> list[tuple[Any, ...]]:
        position = {c.case_id: n for n, c in enumerate(contacts)}
        sessions = WorkSession.objects.filter(case__in=[c.case_id for c in contacts]).order_by("pk")
        return [
            (s.agent_id, position[s.case_id], s.contact_id is not None, s.started_at, s.ended_at, s.outcome)
            for s in sessions
        ]

    assert ended == 3
    assert rows(single) == rows(batch)
    assert len(rows(batch)) == 3 and rows(batch)[0][3] == t0  # the open session kept its start
