"""The workspace's services and reads: agent states, take next with skills, the inbox by due time,
replies through the outbox, notes with mentions, transfer, wrap-up, templates and work sessions."""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo

import pytest
from django.db import connection
from django.utils import timezone

from contactpunt.channels import senders
from contactpunt.channels.models import OutboundMessage, OutboundState
from contactpunt.contacts.business_hours import Schedule, due_at
from contactpunt.contacts.inbox import InboxFilters, NormClock, SlaRisk, inbox, norm_start_before
from contactpunt.contacts.models import (
    AgentState,
    AgentStateEvent,
    BusinessCalendar,
    Case,
    CaseStatus,
    Channel,
    Contact,
    ContactEvent,
    ContactStatus,
    Direction,
    EventName,
    Mention,
    Queue,
    ResponseTemplate,
    WorkSession,
)
from contactpunt.contacts.services.assignment import (
    AssignmentError,
    NotAvailable,
    assign_case,
    set_agent_state,
    take_next,
)
from contactpunt.contacts.services.case_actions import ActionError, add_internal_note, transfer_case, wrap_up
from contactpunt.contacts.services.events import EventRejected, current_agent_state
from contactpunt.contacts.services.inbound import receive_contact
from contactpunt.contacts.services.replies import ReplyError, continue_in_private, reply
from contactpunt.contacts.services.templates import render_template
from contactpunt.contacts.services.types import InboundContact
from contactpunt.contacts.services.work_sessions import end_work_sessions, start_work_session
from contactpunt.contacts.tests.workspace_data import call, mail, reason, skill, social_post
from contactpunt.people.models import Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def now() -> dt.datetime:
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def social_queue(department) -> Queue:
    return Queue.objects.create(
        code="social", name="Webcare", channel=Channel.SOCIAL, department=department, response_norm_s=3600
    )


# -- agent state -----------------------------------------------------------------------------------


def test_an_agent_chooses_a_state_and_repeating_it_records_nothing(agent, now):
    assert current_agent_state(agent) == AgentState.OFFLINE
    set_agent_state(agent=agent, state=AgentState.AVAILABLE, at=now)
    set_agent_state(agent=agent, state=AgentState.AVAILABLE, at=now + dt.timedelta(seconds=5))
    set_agent_state(agent=agent, state=AgentState.BREAK, at=now + dt.timedelta(seconds=9))
    assert list(AgentStateEvent.objects.filter(agent=agent).values_list("state", flat=True)) == ["available", "break"]


@pytest.mark.parametrize("state", [AgentState.ON_CONTACT, AgentState.WRAP_UP, "lunch"])
def test_on_contact_and_wrap_up_follow_from_work_and_are_not_chosen(agent, state):
    with pytest.raises(EventRejected):
        set_agent_state(agent=agent, state=state)
    assert not AgentStateEvent.objects.exists()


# -- take next -------------------------------------------------------------------------------------


def test_take_next_refuses_an_agent_who_is_not_available(agent, email_queue, now):
    mail(email_queue, now - dt.timedelta(minutes=5), "m1")
    set_agent_state(agent=agent, state=AgentState.BREAK, at=now)
    with pytest.raises(NotAvailable):
        take_next(agent=agent, at=now)
    assert not WorkSession.objects.exists()


def test_take_next_hands_the_case_due_first_and_starts_the_work(agent, email_queue, phone_queue, now):
    mail(email_queue, now - dt.timedelta(hours=2), "m-old")
    waiting_call = call(phone_queue, now - dt.timedelta(seconds=15), "c1")  # due in 5 s: before the email
    set_agent_state(agent=agent, state=AgentState.AVAILABLE, at=now - dt.timedelta(minutes=1))

    case = take_next(agent=agent, at=now)

    assert case.pk == waiting_call.pk and case.assignee == agent
    contact = Contact.objects.get(case=case)
    assert contact.status == ContactStatus.IN_PROGRESS and contact.answered_at == now
    assert list(ContactEvent.objects.filter(contact=contact).values_list("name", flat=True)) == [
        "queued",
        "presented",
        "answered",
    ]
    assert WorkSession.objects.get(agent=agent, case=case).started_at == now
    assert current_agent_state(agent) == AgentState.ON_CONTACT


def test_take_next_respects_skills(agent, email_queue, now):
    finance = Queue.objects.create(code="mail-finance", name="Financiën", channel=Channel.EMAIL, response_norm_s=3600)
    finance.skills.add(skill("finance"))
    mail(finance, now - dt.timedelta(hours=5), "m-finance")  # most urgent, but not the agent's
    mine = mail(email_queue, now - dt.timedelta(hours=1), "m-mine", sender="b@example.nl")
    set_agent_state(agent=agent, state=AgentState.AVAILABLE, at=now - dt.timedelta(minutes=1))

    assert take_next(agent=agent, at=now).pk == mine.pk
    set_agent_state(agent=agent, state=AgentState.AVAILABLE, at=now + dt.timedelta(seconds=1))
    assert take_next(agent=agent, at=now + dt.timedelta(seconds=2)) is None

    agent.skills.add(skill("finance"))
    assert take_next(agent=agent, at=now + dt.timedelta(seconds=3)).queue == finance


def test_two_agents_never_get_the_same_case(agent, email_queue, team, now):
    other = User.objects.create_user("bram", password="x", role=Role.AGENT, team=team)
    only = mail(email_queue, now - dt.timedelta(hours=1), "m1")
    for person in (agent, other):
        set_agent_state(agent=person, state=AgentState.AVAILABLE, at=now - dt.timedelta(minutes=1))
    assert take_next(agent=agent, at=now).pk == only.pk
    assert take_next(agent=other, at=now) is None


# -- assignment ------------------------------------------------------------------------------------


def test_assign_and_return_to_the_queue(agent, team_lead, email_queue, now):
    case = mail(email_queue, now, "m1")
    assert assign_case(case=case, to=agent, by=team_lead).assignee == agent
    assert assign_case(case=case, to=None, by=team_lead).assignee is None


def test_assigning_to_someone_without_the_skill_is_refused(agent, team_lead, email_queue, now):
    email_queue.skills.add(skill("english"))
    case = mail(email_queue, now, "m1")
    with pytest.raises(AssignmentError):
        assign_case(case=case, to=agent, by=team_lead)
    case.refresh_from_db()
    assert case.assignee is None


# -- the inbox -------------------------------------------------------------------------------------


def test_the_inbox_sorts_by_due_time_across_channels_and_counts_per_filter(  # noqa: PLR0917 (fixtures)
    agent, email_queue, phone_queue, social_queue, now, django_assert_max_num_queries
):
    old_mail = mail(email_queue, now - dt.timedelta(hours=9), "m1")  # 8 h norm: 1 h overdue
    new_mail = mail(email_queue, now - dt.timedelta(hours=1), "m2", sender="x@example.nl")  # due in 7 h
    post = social_post(social_queue, now - dt.timedelta(minutes=50), "s1")  # 1 h norm: at risk (due in 10 min)
    ringing = call(phone_queue, now - dt.timedelta(seconds=5), "c1")  # 20 s: due in 15 s, on track

    with django_assert_max_num_queries(5):
        box = inbox(agent, InboxFilters(), now=now)

    assert [row.case.pk for row in box.rows] == [old_mail.pk, ringing.pk, post.pk, new_mail.pk]
    assert [row.risk for row in box.rows] == [SlaRisk.OVERDUE, SlaRisk.ON_TRACK, SlaRisk.AT_RISK, SlaRisk.ON_TRACK]
    assert box.rows[0].due == now - dt.timedelta(hours=1)
    assert box.total == 4
    assert box.counts["risk"] == {"overdue": 1, "at_risk": 1, "on_track": 2}
    assert box.counts["channel"] == {"email": 2, "social": 1, "phone": 1}
    assert box.counts["assignee"] == {"unassigned": 4}

    emails = inbox(agent, InboxFilters(channel=Channel.EMAIL), now=now)
    assert [row.case.pk for row in emails.rows] == [old_mail.pk, new_mail.pk]
    # Counts of one dimension keep the other filters, not their own.
    assert emails.counts["channel"] == {"email": 2, "social": 1, "phone": 1}
    assert emails.counts["risk"] == {"overdue": 1, "on_track": 1}
    overdue = inbox(agent, InboxFilters(risk=SlaRisk.OVERDUE), now=now)
    assert [row.case.pk for row in overdue.rows] == [old_mail.pk]


def test_the_inbox_query_count_does_not_grow_with_cases_or_queues(agent, department, now, django_assert_num_queries):
    calendar = BusinessCalendar.objects.create(name="Altijd")
    for weekday in range(7):
        calendar.opening_hours.create(weekday=weekday, opens=dt.time(0), closes=dt.time(23, 59))
    queues = [
        Queue.objects.create(code=f"q{i}", name=f"Q{i}", channel=Channel.EMAIL, response_norm_s=3600, calendar=calendar)
        for i in range(4)
    ]
    for i in range(30):
        mail(queues[i % 4], now - dt.timedelta(minutes=i), f"m{i}", sender=f"k{i}@example.nl")
    # Queues, their opening hours, the open cases read once (the counts of every facet in a GROUP BY beside the
    # longest waiting of each queue), the rows.
    with django_assert_num_queries(4):
        box = inbox(agent, InboxFilters(), now=now, limit=10)
    assert len(box.rows) == 10 and box.total == 30
    dues = [row.due for row in box.rows if row.due is not None]
    assert len(dues) == 10 and dues == sorted(dues)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite does not tell how many rows a SELECT returned")
def test_the_inbox_reads_as_many_rows_at_36_open_cases_as_at_12(agent, department, now):
    """The database counts and ranks the open cases: the inbox reads the facet groups, the longest waiting of
    each queue and the rows it shows, never every open case (an integration can deliver faster than agents
    answer, and the inbox then grew by a row read and classified in Python per open case)."""
    calendar = BusinessCalendar.objects.create(name="Altijd")
    for weekday in range(7):
        calendar.opening_hours.create(weekday=weekday, opens=dt.time(0), closes=dt.time(23, 59))
    queues = [
        Queue.objects.create(code=f"q{i}", name=f"Q{i}", channel=Channel.EMAIL, response_norm_s=3600, calendar=calendar)
        for i in range(2)
    ]
    rows_read: list[int] = []

    def count_rows(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        rows_read.append(max(context["cursor"].rowcount, 0))
        return result

    def rows_for_inbox() -> int:
        rows_read.clear()
        with connection.execute_wrapper(count_rows):
            box = inbox(agent, InboxFilters(), now=now, limit=2)
        assert len(box.rows) == 2
        return sum(rows_read)

    for i in range(12):
        mail(queues[i % 2], now - dt.timedelta(minutes=i), f"a{i}", sender=f"a{i}@example.nl")
    at_12 = rows_for_inbox()
    for i in range(24):
        mail(queues[i % 2], now - dt.timedelta(minutes=20 + i), f"b{i}", sender=f"b{i}@example.nl")
    assert inbox(agent, InboxFilters(), now=now).total == 36
    assert rows_for_inbox() == at_12


def test_an_agent_sees_only_queues_with_their_skills_and_their_own_cases(agent, team_lead, email_queue, now):
    finance = Queue.objects.create(code="mail-finance", name="Financiën", channel=Channel.EMAIL, response_norm_s=3600)
    finance.skills.add(skill("finance"))
    theirs = mail(finance, now, "m1")
    assert inbox(agent, InboxFilters(), now=now).total == 0
    assert inbox(team_lead, InboxFilters(), now=now).total == 1
    assign_case(case=theirs, to=team_lead, by=team_lead)
    theirs.refresh_from_db()
    assert inbox(agent, InboxFilters(), now=now).total == 0


def test_the_inbox_shows_who_else_is_working_on_a_case(agent, team, email_queue, now):
    colleague = User.objects.create_user("bram", password="x", role=Role.AGENT, team=team)
    case = mail(email_queue, now - dt.timedelta(minutes=3), "m1")
    start_work_session(agent=colleague, case=case, at=now - dt.timedelta(minutes=1))
    assert inbox(agent, InboxFilters(), now=now).rows[0].working == "bram"  # no name: the username
    User.objects.filter(pk=colleague.pk).update(first_name="Bram", last_name="de Wit")
    assert inbox(agent, InboxFilters(), now=now).rows[0].working == "Bram de Wit"  # people are shown by name
    assert inbox(colleague, InboxFilters(), now=now).rows[0].working == ""  # not yourself
    end_work_sessions(agent=colleague, case=case, outcome="left", at=now)
    assert inbox(agent, InboxFilters(), now=now).rows[0].working == ""


def test_filters_parse_ignores_bad_values():
    parsed = InboxFilters.parse({"queue": "12x", "channel": "fax", "status": "merged", "assignee": "me", "risk": "x"})
    assert parsed == InboxFilters(assignee="me")


# -- norms in business hours -----------------------------------------------------------------------


def office_hours() -> Schedule:
    nine_to_five = ((dt.time(9), dt.time(17)),)
    holidays = {dt.date(2026, 4, 6)}  # Easter Monday
    return Schedule(
        dict.fromkeys(range(5), nine_to_five), zoneinfo.ZoneInfo("Europe/Amsterdam"), lambda day: day in holidays
    )


def test_norm_start_before_is_due_at_in_reverse():
    schedule = office_hours()
    rng = random.Random(4)
    start = dt.datetime(2026, 3, 20, tzinfo=dt.UTC)
    for _ in range(300):
        end = start + dt.timedelta(seconds=rng.randrange(0, 30 * 86400))
        norm = rng.choice([60, 3600, 8 * 3600, 3 * 86400])
        cutoff = norm_start_before(schedule, end, norm)
        assert due_at(schedule, cutoff, norm) <= end
        later = cutoff + dt.timedelta(seconds=1)
        assert due_at(schedule, later, norm) > end


def test_a_mail_received_on_friday_evening_is_due_on_monday(email_queue, agent):
    calendar = BusinessCalendar.objects.create(name="Kantoor")
    for weekday in range(5):
        calendar.opening_hours.create(weekday=weekday, opens=dt.time(9), closes=dt.time(17))
    email_queue.calendar = calendar
    email_queue.save()
    friday_evening = dt.datetime(2026, 3, 6, 19, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Amsterdam"))
    case = mail(email_queue, friday_evening, "m1")
    monday_noon = dt.datetime(2026, 3, 9, 12, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Amsterdam"))
    row = inbox(agent, InboxFilters(), now=monday_noon).rows[0]
    assert row.case.pk == case.pk
    assert row.due == dt.datetime(2026, 3, 9, 17, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Amsterdam"))
    assert row.risk == SlaRisk.ON_TRACK  # 5 h left of an 8 h norm
    clock = NormClock(monday_noon + dt.timedelta(hours=3))
    assert clock.risk(row.due, email_queue) == SlaRisk.AT_RISK


# -- replies ---------------------------------------------------------------------------------------


def test_a_reply_is_queued_in_the_outbox_with_the_case_change(
    agent, email_queue, now, django_capture_on_commit_callbacks, monkeypatch
):
    case = mail(email_queue, now - dt.timedelta(hours=1), "m1")
    start_work_session(agent=agent, case=case, at=now - dt.timedelta(minutes=4))
    set_agent_state(agent=agent, state=AgentState.AVAILABLE, at=now - dt.timedelta(minutes=5))

    done = reply(case=case, by=agent, body="Beste Sanne, je kaart is onderweg.", at=now)

    outbound = done.contact
    assert (outbound.direction, outbound.channel, outbound.status) == (Direction.OUTBOUND, Channel.EMAIL, "sent")
    queued = OutboundMessage.objects.get(message_id=outbound.external_id)
    assert (queued.to, queued.state, queued.body) == ("klant@example.nl", OutboundState.QUEUED, done.message.text)
    assert case.token in queued.subject
    inbound = Contact.objects.get(case=case, direction=Direction.INBOUND)
    assert inbound.status == ContactStatus.HANDLED
    # Queued is not yet a response: the `replied` event is written when the reply is sent.
    assert not ContactEvent.objects.filter(contact=inbound, name=EventName.REPLIED).exists()
    case.refresh_from_db()
    assert case.first_response_at is None
    session = WorkSession.objects.get(case=case)
    assert (session.ended_at, session.outcome) == (now, "replied")
    assert current_agent_state(agent) == AgentState.WRAP_UP

    delivered: list[str] = []
    monkeypatch.setitem(senders._SENDERS, Channel.EMAIL, lambda row: delivered.append(row.message_id))
    assert senders.send_due().sent == 1
    queued.refresh_from_db()
    assert (delivered, queued.state) == ([queued.message_id], OutboundState.SENT)
    event = ContactEvent.objects.get(contact=inbound, name=EventName.REPLIED)
    assert (event.data, event.occurred_at, event.agent_id) == ({"reply_contact": outbound.pk}, queued.sent_at, agent.pk)
    case.refresh_from_db()
    assert case.first_response_at == queued.sent_at


def test_a_phone_only_case_has_nothing_to_reply_to(agent, phone_queue, now):
    case = call(phone_queue, now, "c1")
    with pytest.raises(ReplyError):
        reply(case=case, by=agent, body="Hallo")
    assert not Contact.objects.filter(direction=Direction.OUTBOUND).exists()


def test_a_failing_outbox_writer_leaves_nothing_behind(agent, email_queue, now, monkeypatch):
    from contactpunt.contacts.services import replies

    case = mail(email_queue, now, "m1")

    def broken(draft):
        OutboundMessage.objects.create(case=draft.case, to="x", body="x", message_id="half-written")
        raise RuntimeError("disk full")

    monkeypatch.setitem(replies._writers, Channel.EMAIL, broken)
    with pytest.raises(RuntimeError):
        reply(case=case, by=agent, body="Hallo")
    assert not OutboundMessage.objects.exists()
    assert not Contact.objects.filter(direction=Direction.OUTBOUND).exists()


def test_continue_in_private_answers_in_public_once_then_privately(agent, social_queue, now):
    case = social_post(social_queue, now - dt.timedelta(minutes=5), "s1")
    invite = continue_in_private(case=case, by=agent, at=now)
    assert invite.contact.is_public
    assert OutboundMessage.objects.get(message_id=invite.outbox_ref).channel == Channel.SOCIAL
    private = reply(case=case, by=agent, body="Wat is je bestelnummer?", at=now + dt.timedelta(minutes=1))
    assert not private.contact.is_public
    with pytest.raises(ReplyError):
        continue_in_private(case=mail_case_for(agent, now), by=agent)


def mail_case_for(agent: User, now: dt.datetime) -> Case:
    queue = Queue.objects.get_or_create(code="email-x", defaults={"name": "x", "channel": Channel.EMAIL})[0]
    return mail(queue, now, "m-x", sender="y@example.nl")


# -- templates, notes, transfer, wrap-up -----------------------------------------------------------


def test_a_template_fills_its_variables(agent, email_queue, now):
    agent.first_name = "Anna"
    agent.save()
    case = mail(email_queue, now, "m1")
    template = ResponseTemplate.objects.create(
        name="Onderweg", text="Beste {first_name}, over {case_token}: {unknown}. Groet, {agent_first_name}"
    )
    assert render_template(template, case=case, agent=agent) == (
        f"Beste Sanne, over {case.token}: {{unknown}}. Groet, Anna"
    )


def test_a_note_mentions_colleagues_by_username(agent, team_lead, email_queue, now):
    case = mail(email_queue, now, "m1")
    noted = add_internal_note(case=case, author=agent, text="@lotte kun jij hiernaar kijken? (cc @niemand, mail@x.nl)")
    assert noted.message.is_internal
    assert [u.username for u in noted.mentioned] == ["lotte"]
    assert list(Mention.objects.values_list("user__username", flat=True)) == ["lotte"]


def test_a_transfer_with_a_reason_requeues_the_case(agent, email_queue, department, now):
    finance = Queue.objects.create(code="mail-finance", name="Financiën", channel=Channel.EMAIL, response_norm_s=3600)
    case = mail(email_queue, now - dt.timedelta(hours=1), "m1")
    set_agent_state(agent=agent, state=AgentState.AVAILABLE, at=now - dt.timedelta(minutes=5))
    take_next(agent=agent, at=now - dt.timedelta(minutes=2))

    transfer_case(case=case, to_queue=finance, by=agent, reason="other_department", note="Factuurvraag", at=now)

    case.refresh_from_db()
    assert (case.queue, case.assignee) == (finance, None)
    event = ContactEvent.objects.get(case=case, name=EventName.TRANSFERRED)
    assert event.data == {"transfer_reason": "other_department", "from_queue": email_queue.pk, "to_queue": finance.pk}
    assert ContactEvent.objects.filter(case=case, name=EventName.QUEUED, queue=finance).count() == 1
    assert WorkSession.objects.get(case=case).outcome == "transferred"
    assert current_agent_state(agent) == AgentState.WRAP_UP
    with pytest.raises(ActionError):
        transfer_case(case=case, to_queue=email_queue, by=agent, reason="because")


def test_wrap_up_needs_a_reason_and_may_resolve(agent, email_queue, now):
    case = mail(email_queue, now - dt.timedelta(hours=1), "m1")
    with pytest.raises(ActionError):
        wrap_up(case=case, by=agent, reason=None)
    set_agent_state(agent=agent, state=AgentState.AVAILABLE, at=now - dt.timedelta(minutes=9))
    take_next(agent=agent, at=now - dt.timedelta(minutes=8))
    delivery = reason()

    case = wrap_up(case=case, by=agent, reason=delivery, resolve=True, at=now)

    assert (case.status, case.reason, case.resolved_at) == (CaseStatus.RESOLVED, delivery, now)
    assert ContactEvent.objects.get(case=case, name=EventName.WRAPPED).data == {"reason": delivery.pk}
    assert WorkSession.objects.get(case=case).outcome == "wrapped"
    assert current_agent_state(agent) == AgentState.AVAILABLE


def test_work_sessions_are_one_per_agent_and_case_while_open(agent, email_queue, now):
    case = mail(email_queue, now, "m1")
    first = start_work_session(agent=agent, case=case, at=now)
    again = start_work_session(agent=agent, case=case, at=now + dt.timedelta(minutes=1))
    assert first.pk == again.pk
    assert end_work_sessions(agent=agent, case=case, outcome="left", at=now + dt.timedelta(minutes=2)) == 1
    assert end_work_sessions(agent=agent, case=case, outcome="left") == 0


def test_take_next_hands_a_waiting_chat_before_overdue_mail(agent, email_queue, department, now):
    chat_queue = Queue.objects.create(code="chat", name="Chat", channel=Channel.CHAT, department=department)
    for n in range(12):  # more overdue mail than one page of candidates
        mail(email_queue, now - dt.timedelta(days=30 + n), f"m-old-{n}", sender=f"m{n}@example.nl")
    received = receive_contact(
        InboundContact(
            source="widget",
            queue=chat_queue.code,
            occurred_at=now - dt.timedelta(seconds=40),
            external_id="chat-1",
            channel=Channel.CHAT,
            text="Ben je er?",
        )
    )
    set_agent_state(agent=agent, state=AgentState.AVAILABLE, at=now - dt.timedelta(minutes=1))
    assert take_next(agent=agent, at=now).pk == received.case_id
    set_agent_state(agent=agent, state=AgentState.AVAILABLE, at=now + dt.timedelta(seconds=1))
    assert take_next(agent=agent, at=now + dt.timedelta(seconds=2)).queue == email_queue  # then the oldest mail
