"""Random event streams give the same rows through the single and the batch path.

Both paths use event_rules.apply (contact events) and event_rules.apply_case_event (the case's own resolved and
reopened); this checks that what each reads and writes around them agrees, for any order of events (valid or
not), transfers, several legs, contacts sharing a merged case, cases resolved and reopened in between, and
repeated external ids, by comparing every row of the contacts, legs, cases and events.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contactpunt.contacts.models import Case, Contact, ContactEvent, ContactLeg, ContactReason, EventName, Queue
from contactpunt.contacts.services import bulk_events
from contactpunt.contacts.services.bulk_events import CaseEventInput, ContactEventInput
from contactpunt.contacts.services.cases import CaseStateError, merge_cases, reopen_case, resolve_case
from contactpunt.contacts.services.event_rules import CONTACT_EVENTS
from contactpunt.contacts.services.events import EventRejected, record_contact_event
from contactpunt.contacts.services.inbound import receive_contacts
from contactpunt.contacts.services.types import InboundContact
from contactpunt.people.models import User

pytestmark = pytest.mark.django_db

S = dt.timedelta(seconds=1)
# Channels and integrations may not report these, and "bogus" is no event at all: refused.
REFUSED = ["queued", "resolved", "bogus"]
# Transfers and answers weigh more: what follows a transfer is where the paths could part.
NAMES = [*sorted(CONTACT_EVENTS), *[EventName.TRANSFERRED] * 3, *[EventName.ANSWERED] * 2, *REFUSED]
MAX_EVENTS = 30

event_spec = st.fixed_dictionaries(
    {
        "contact": st.integers(0, 2),
        "name": st.sampled_from(NAMES),
        "second": st.integers(0, 1800),
        "agent": st.sampled_from([None, 0, 1]),
        # A transfer without a queue is refused; a queue on another event is only logged.
        "to_queue": st.sampled_from([None, "phone", "second"]),
        "reason": st.booleans(),
        "key": st.sampled_from([None, None, "k0", "k1", "k2"]),
        # Instead of the contact event, one of the case's own, through resolve_case/reopen_case and
        # record_case_events (refused when the case's state does not allow it: resolving a resolved case...).
        "case": st.sampled_from([None, "reopened", None, "resolved", None]),
    }
)
stream = st.fixed_dictionaries(
    {
        "channels": st.lists(st.sampled_from(["phone", "email"]), min_size=1, max_size=3),
        "merge": st.booleans(),
        "events": st.lists(event_spec, min_size=3, max_size=MAX_EVENTS),
        "cuts": st.lists(st.integers(0, MAX_EVENTS), max_size=2),
    }
)


@pytest.fixture
def queues(phone_queue: Queue, second_phone_queue: Queue, email_queue: Queue) -> dict[str, Queue]:
    return {"phone": phone_queue, "second": second_phone_queue, "email": email_queue}


@pytest.fixture
def people(agent: User, team_lead: User) -> list[User]:
    return [agent, team_lead]


def _world(name: str, t0: dt.datetime, channels: list[str], merge: bool) -> list[Contact]:
    queue = {"phone": "phone-general", "email": "email-general"}
    received = receive_contacts(
        [
            InboundContact(
                source=name,
                queue=queue[channel],
                occurred_at=t0 + n * 60 * S,
                external_id=f"{name}-{n}",
                text=f"vraag {n}",
            )
            for n, channel in enumerate(channels)
        ]
    )
    contacts = [Contact.objects.get(pk=r.contact_id) for r in received]
    if merge and len(contacts) > 1:
        # Two contacts share a case: its first response and reason are decided by either.
        merge_cases(source=contacts[1].case, target=contacts[0].case, by=None)
        contacts = [Contact.objects.get(pk=c.pk) for c in contacts]
    return contacts


def _rows(contacts: list[Contact], event_source: str) -> dict[str, Any]:
    """Every row of the world's contacts, legs, cases and events, keys replaced by positions."""
    contact_ids = [c.pk for c in contacts]
    contact_at = {pk: n for n, pk in enumerate(contact_ids)}
    current = {c.case_id for c in contacts}
    case_ids = sorted(current | set(Case.objects.filter(merged_into__in=current).values_list("pk", flat=True)))
    case_position = {pk: n for n, pk in enumerate(case_ids)}

    def case_at(pk: int | None) -> int | None:
        return None if pk is None else case_position[pk]

    def case_row(row: dict[str, Any]) -> dict[str, Any]:
        for name in ("id", "merged_into_id", "previous_case_id"):
            row[name] = case_at(row[name])
        row.pop("created_at")
        return row

    def contact_row(row: dict[str, Any]) -> dict[str, Any]:
        row["id"], row["case_id"] = contact_at[row["id"]], case_at(row["case_id"])
        for name in ("source", "external_id", "recorded_at"):
            row.pop(name)
        return row

    events = {e["id"]: e for e in ContactEvent.objects.filter(case__in=case_ids).values()}

    def event_row(row: dict[str, Any]) -> tuple[Any, ...]:
        data = dict(row["data"])
        if "transfer_event" in data:
            data["transfer_event"] = event_row(events[data["transfer_event"]])
        source = "pbx" if row["source"] == event_source else row["source"]
        return (
            row["name"],
            case_at(row["case_id"]),
            contact_at.get(row["contact_id"]),
            row["leg"],
            row["queue_id"],
            row["agent_id"],
            row["occurred_at"],
            source,
            row["external_id"],
            sorted(data.items()),
        )

    legs = ContactLeg.objects.filter(contact__in=contact_ids).order_by("contact_id", "sequence")
    leg_columns = [f.attname for f in ContactLeg._meta.concrete_fields if f.attname not in ("id", "contact_id")]
    return {
        "cases": [case_row(row) for row in Case.objects.filter(pk__in=case_ids).order_by("pk").values()],
        "contacts": [contact_row(row) for row in Contact.objects.filter(pk__in=contact_ids).order_by("pk").values()],
        "legs": [(contact_at[contact_id], *rest) for contact_id, *rest in legs.values_list("contact_id", *leg_columns)],
        "events": sorted((event_row(row) for row in events.values()), key=repr),
    }


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=stream)
def test_random_event_streams_write_the_same_rows_through_both_paths(
    spec: dict[str, Any], t0: dt.datetime, queues: dict[str, Queue], people: list[User]
) -> None:
    with transaction.atomic():
        reason = ContactReason.objects.create(code="levering", name="Levering")
        single = _world("single", t0, spec["channels"], spec["merge"])
        batch = _world("batch", t0, spec["channels"], spec["merge"])
        events = [{**e, "contact": e["contact"] % len(single)} for e in spec["events"]]

        created_single: list[bool] = []
        created_batch: list[bool] = []
        # What the batch path is given, in order; it runs up to a cut, and before a refused case event (whose
        # refusal depends on the rows, so the batch world must have caught up to check it).
        ops: list[ContactEventInput | CaseEventInput] = []
        done = 0
        cuts = {min(cut, MAX_EVENTS) for cut in spec["cuts"]}

        def catch_up() -> None:
            nonlocal done, created_batch
            pending = ops[done:]
            runs: list[list[ContactEventInput | CaseEventInput]] = []
            for n, op in enumerate(pending, start=done):
                if not runs or n in cuts or type(op) is not type(runs[-1][0]):
                    runs.append([])
                runs[-1].append(op)
            for run in runs:
                if isinstance(run[0], CaseEventInput):
                    bulk_events.record_case_events([op for op in run if isinstance(op, CaseEventInput)])
                else:
                    contact_run = [op for op in run if isinstance(op, ContactEventInput)]
                    created_batch += [r.created for r in bulk_events.record_contact_events(contact_run)]
            done = len(ops)

        for e in events:
            at = t0 + e["second"] * S
            person = people[e["agent"]] if e["agent"] is not None else None
            queue = queues[e["to_queue"]] if e["to_queue"] else None
            if e["case"] is not None:
                name = e["case"]
                reason_given = reason if e["reason"] and name == EventName.RESOLVED else None
                case = Case.objects.get(pk=single[e["contact"]].case_id)
                try:
                    if name == EventName.RESOLVED:
                        resolve_case(case=case, by=person, occurred_at=at, reason=reason_given)
                    else:
                        reopen_case(case=case, by=person, occurred_at=at)
                except CaseStateError:
                    case_refused = True
                else:
                    case_refused = False
                item = CaseEventInput(
                    batch[e["contact"]].case_id, name, at, person.pk if person else None,
                    reason_given.pk if reason_given else None,
                )  # fmt: skip
                if case_refused:
                    catch_up()
                    before = _rows(batch, "pbx-batch")
                    with pytest.raises(CaseStateError):
                        bulk_events.record_case_events([item])
                    assert _rows(batch, "pbx-batch") == before
                else:
                    ops.append(item)
                continue
            try:
                recorded = record_contact_event(
                    contact=single[e["contact"]],
                    name=e["name"],
                    occurred_at=at,
                    agent=person,
                    to_queue=queue,
                    reason=reason if e["reason"] else None,
                    source="pbx-single",
                    external_id=e["key"],
                    data={"n": e["second"]},
                )
            except EventRejected:
                refused = True
            else:
                refused = False
                created_single.append(recorded.created)
            given = ContactEventInput(
                contact_id=batch[e["contact"]].pk,
                name=e["name"],
                occurred_at=at,
                agent_id=person.pk if person else None,
                to_queue_id=queue.pk if queue else None,
                reason_id=reason.pk if e["reason"] else None,
                source="pbx-batch",
                external_id=e["key"],
                data={"n": e["second"]},
            )
            if refused:
                # One refused item refuses its whole batch and writes nothing.
                trailing: list[ContactEventInput] = []
                for op in reversed(ops[done:]):
                    if not isinstance(op, ContactEventInput):
                        break
                    trailing.insert(0, op)
                before = _rows(batch, "pbx-batch")
                with pytest.raises(EventRejected):
                    bulk_events.record_contact_events([*trailing, given])
                assert _rows(batch, "pbx-batch") == before
            else:
                ops.append(given)
        catch_up()

        assert created_batch == created_single
        assert _rows(batch, "pbx-batch") == _rows(single, "pbx-single")
        transaction.set_rollback(True)
