"""Who is asked after a resolved case: exclusions, sampling, the throttle across channels, idempotence."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contactpunt.contacts.models import Case, Queue
from contactpunt.contacts.services.case_actions import TransferReason, transfer_case
from contactpunt.contacts.services.cases import resolve_case
from contactpunt.contacts.services.replies import reply
from contactpunt.contacts.tests.workspace_data import call, mail
from contactpunt.customers.models import Customer
from contactpunt.feedback.models import Invitation, Medium, QueueSurveyRule, SurveyOptOut
from contactpunt.feedback.services.config import current_settings, set_throttle_days
from contactpunt.feedback.services.invitations import ESCALATION, decide_invitations, sampled
from contactpunt.feedback.tests.data import resolved_mail
from contactpunt.people.models import User

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def test_a_handled_resolved_case_is_invited_with_its_dimensions(
    email_queue: Queue, agent: User, t0: dt.datetime
) -> None:
    case = resolved_mail(email_queue, agent, t0, "m1")
    [decision] = decide_invitations([case.pk])
    assert decision.reason == "invited"
    inv = Invitation.objects.get(pk=decision.invitation_id)
    assert (inv.case_id, inv.customer_id, inv.agent_id, inv.team_id, inv.queue_id) == (
        case.pk,
        case.customer_id,
        agent.pk,
        agent.team_id,
        email_queue.pk,
    )
    assert (inv.channel, inv.medium, inv.language, inv.survey.kind) == ("email", Medium.EMAIL, "nl", "nps")
    assert inv.decided_at == t0 + dt.timedelta(minutes=20)
    assert inv.send_at == inv.decided_at + dt.timedelta(minutes=60)
    assert inv.expires_at == inv.send_at + dt.timedelta(days=28)
    assert decide_invitations([case.pk]) == [decision.__class__(case.pk, "already_decided", inv.pk)]
    assert Invitation.objects.count() == 1


def test_exclusions(email_queue: Queue, phone_queue: Queue, agent: User, t0: dt.datetime) -> None:
    no_agent = resolved_mail(email_queue, None, t0, "a", sender="a@example.nl")
    opted = resolved_mail(email_queue, agent, t0, "b", sender="b@example.nl")
    SurveyOptOut.objects.create(customer_id=opted.customer_id)
    erased = resolved_mail(email_queue, agent, t0, "c", sender="c@example.nl")
    Customer.objects.filter(pk=erased.customer_id).update(erased_at=t0)
    User.objects.filter(pk=agent.pk).update(email="anna@contactpunt.example")
    staff = resolved_mail(email_queue, agent, t0, "d", sender="Anna@Contactpunt.example")
    open_case = mail(email_queue, t0, "e", sender="e@example.nl")
    unanswered_call = resolve_case(case=call(phone_queue, t0, "f"), by=agent, occurred_at=t0 + DAY)
    reasons = {
        d.case_id: d.reason
        for d in decide_invitations([no_agent.pk, opted.pk, erased.pk, staff.pk, open_case.pk, unanswered_call.pk])
    }
    assert reasons == {
        no_agent.pk: "no_agent_contact",
        opted.pk: "opted_out",
        erased.pk: "erased",
        staff.pk: "internal",
        open_case.pk: "not_resolved",
        unanswered_call.pk: "no_agent_contact",
    }
    assert not Invitation.objects.exists()


def test_an_escalated_complaint_is_not_surveyed(
    email_queue: Queue, phone_queue: Queue, agent: User, t0: dt.datetime
) -> None:
    escalated = mail(email_queue, t0, "esc", sender="boos@example.nl")
    transfer_case(case=escalated, to_queue=phone_queue, by=agent, reason=TransferReason.ESCALATION, at=t0)
    reply(case=escalated, by=agent, body="Excuses, we lossen het op.", at=t0 + DAY)
    resolve_case(case=escalated, by=agent, occurred_at=t0 + 2 * DAY)
    expertise = mail(email_queue, t0, "exp", sender="vraag@example.nl")
    transfer_case(case=expertise, to_queue=phone_queue, by=agent, reason=TransferReason.EXPERTISE, at=t0)
    reply(case=expertise, by=agent, body="Het is geregeld.", at=t0 + DAY)
    resolve_case(case=expertise, by=agent, occurred_at=t0 + 2 * DAY)
    reasons = {d.case_id: d.reason for d in decide_invitations([escalated.pk, expertise.pk])}
    # Only the escalation keeps the customer from a survey; any other transfer is an ordinary handled case.
    assert reasons == {escalated.pk: "escalated", expertise.pk: "invited"}
    assert ESCALATION == TransferReason.ESCALATION


def test_sampling_per_queue_is_stable_and_near_the_rate(email_queue: Queue) -> None:
    QueueSurveyRule.objects.create(queue=email_queue, rate=Decimal("0.25"))
    picks = [sampled(pk, Decimal("0.25")) for pk in range(1, 4001)]
    assert 0.23 < sum(picks) / len(picks) < 0.27
    assert picks == [sampled(pk, Decimal("0.25")) for pk in range(1, 4001)]
    assert not any(sampled(pk, 0) for pk in range(1, 500)) and all(sampled(pk, 1) for pk in range(1, 500))


def test_the_throttle_is_settable_between_7_and_365_days(db: None) -> None:
    assert current_settings().throttle_days == 30
    for wrong in (6, 366):
        with pytest.raises(ValueError):
            set_throttle_days(wrong)
    assert set_throttle_days(7).throttle_days == 7


def test_cases_resolved_are_decided_through_the_announcement(
    email_queue: Queue, agent: User, t0: dt.datetime, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        case = resolved_mail(email_queue, agent, t0, "ann")
    assert Invitation.objects.filter(case=case).count() == 1


resolutions = st.lists(
    st.tuples(st.integers(0, 2), st.integers(0, 120), st.sampled_from(["mail", "call"])), min_size=1, max_size=7
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=resolutions, throttle=st.sampled_from([7, 30, 45]), batches=st.integers(1, 3), reverse=st.booleans())
def test_property_nobody_is_asked_twice_within_the_throttle_across_channels(  # noqa: PLR0917 (fixtures)
    spec: list[tuple[int, int, str]],
    throttle: int,
    batches: int,
    reverse: bool,
    email_queue: Queue,
    phone_queue: Queue,
    agent: User,
    t0: dt.datetime,
) -> None:
    with transaction.atomic():
        set_throttle_days(throttle)
        cases: list[Case] = []
        for index, (person, day, channel) in enumerate(spec):
            at = t0 + day * DAY
            case = resolved_mail(email_queue, agent, at, f"p{index}", sender=f"klant{person}@example.nl")
            if channel == "call":
                # The same person on another channel: a call answered by the agent, on the same customer.
                phone = call(phone_queue, at, f"c{index}", number=f"06123456{person:02d}")
                Case.objects.filter(pk=phone.pk).update(customer_id=case.customer_id)
                cases.append(phone)
            cases.append(case)
        ids = [c.pk for c in cases]
        if reverse:
            ids.reverse()
        for part in range(batches):
            decide_invitations(ids[part::batches])
        decide_invitations(ids)
        rows = sorted(Invitation.objects.values_list("customer_id", "decided_at"))
        for (left_customer, left_at), (right_customer, right_at) in itertools.pairwise(rows):
            if left_customer == right_customer:
                assert right_at - left_at >= dt.timedelta(days=throttle)
        # Every person with a handled, resolved case is asked at least once.
        handled = Case.objects.filter(pk__in=ids, status="resolved").values_list("customer_id", flat=True)
        assert {c for c, _ in rows} == set(handled)
        transaction.set_rollback(True)
