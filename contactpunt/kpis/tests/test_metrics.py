"""Every metric on small hand-computed histories built through the real services."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contactpunt.contacts.models import BusinessCalendar, ContactReason, OpeningHours, Queue
from contactpunt.contacts.services.cases import reopen_case, resolve_case
from contactpunt.contacts.services.events import record_agent_state
from contactpunt.contacts.services.types import ThreadRef
from contactpunt.customers.models import Account, Identity, ProductType
from contactpunt.kpis import metrics, written
from contactpunt.kpis.facts import CONTACT, LEG, CaseFacts, load_legs_and_contacts, load_units
from contactpunt.kpis.intervals import day_intervals
from contactpunt.kpis.tests.helpers import arrive, call, event
from contactpunt.people.models import Site, User

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
S = dt.timedelta(seconds=1)


def one(rows: list[dict[str, object]]) -> dict[str, object]:
    assert len(rows) == 1
    return rows[0]


def test_queue_figures_with_short_abandons_and_the_threshold_edge(phone_queue, agent, t0):
    call(phone_queue, t0, wait=10, talk=100, wrap=20, agent=agent)
    call(phone_queue, t0 + 60 * S, wait=30, talk=200, agent=agent)
    call(phone_queue, t0 + 120 * S, wait=3)  # short abandon: under 5 s
    call(phone_queue, t0 + 180 * S, wait=40)
    call(phone_queue, t0 + 240 * S, wait=20, talk=60, agent=agent)  # exactly T: within

    row = one(metrics.report(t0, t0 + dt.timedelta(hours=1), now=NOW))

    assert row["offered"] == 5
    assert row["answered"] == 3
    assert row["abandoned"] == 2
    assert row["short_abandons"] == 1
    assert row["service_level"] == 2 / 4
    assert row["asa_s"] == 20.0
    assert row["abandon_rate"] == 1 / 4
    assert row["reachability"] == 3 / 5
    assert row["aht_s"] == pytest.approx((120 + 200 + 60) / 3)
    assert row["transfer_rate"] == 0.0
    # Another threshold: only the 10-second wait is within 15 s.
    assert one(metrics.report(t0, t0 + dt.timedelta(hours=1), threshold_s=15, now=NOW))["service_level"] == 1 / 4


def test_short_abandons_do_not_apply_to_written_channels(email_queue, t0):
    contact = arrive(email_queue, t0, caller="a@example.nl")
    event(contact, "abandoned", t0 + 2 * S)
    units = load_units(t0, t0 + dt.timedelta(hours=1), level=CONTACT)
    assert (metrics.abandoned(units), metrics.short_abandons(units)) == (1, 0)


def test_live_service_level_counts_only_waits_past_the_threshold(phone_queue, agent, t0):
    call(phone_queue, t0, wait=10, talk=60, agent=agent)
    arrive(phone_queue, t0 + 100 * S)  # waiting 30 s at `now`: past T, missed
    arrive(phone_queue, t0 + 115 * S)  # waiting 15 s: not counted yet
    units = load_units(t0, t0 + dt.timedelta(hours=1), level=CONTACT)
    assert metrics.service_level(units, now=t0 + 130 * S) == 1 / 2


def test_a_transfer_is_offered_once_at_centre_level_and_once_per_queue(
    phone_queue, second_phone_queue, agent, team_lead, t0
):
    contact = arrive(phone_queue, t0)
    event(contact, "answered", t0 + 10 * S, agent)
    event(contact, "transferred", t0 + 70 * S, agent, to_queue=second_phone_queue)
    event(contact, "answered", t0 + 100 * S, team_lead)
    event(contact, "ended", t0 + 160 * S, team_lead)
    end = t0 + dt.timedelta(hours=1)

    centre = one(metrics.report(t0, end, now=NOW))
    assert (centre["offered"], centre["answered"], centre["asa_s"], centre["aht_s"]) == (1, 1, 10.0, 120.0)
    assert centre["transfer_rate"] == 1.0

    by_queue = {r["group"]: r for r in metrics.report(t0, end, by="queue", now=NOW)}
    assert {q: (r["offered"], r["answered"], r["asa_s"], r["aht_s"]) for q, r in by_queue.items()} == {
        "phone-general": (1, 1, 10.0, 60.0),
        "phone-finance": (1, 1, 30.0, 60.0),
    }
    assert by_queue["phone-general"]["transfer_rate"] == 1.0
    assert by_queue["phone-finance"]["transfer_rate"] == 0.0


def test_the_legs_and_the_contacts_from_one_read_are_those_of_each_level(
    phone_queue, second_phone_queue, agent, team_lead, t0
):
    before = arrive(phone_queue, t0 - dt.timedelta(hours=2))  # entered before the window, transferred into it
    event(before, "answered", t0 - dt.timedelta(hours=2) + 10 * S, agent)
    event(before, "transferred", t0 + 30 * S, agent, to_queue=second_phone_queue)
    transferred = arrive(phone_queue, t0)
    event(transferred, "answered", t0 + 10 * S, agent)
    event(transferred, "transferred", t0 + 70 * S, agent, to_queue=second_phone_queue)
    event(transferred, "answered", t0 + 100 * S, team_lead)
    abandoned = call(phone_queue, t0 + 200 * S, wait=4)
    end = t0 + dt.timedelta(hours=1)

    legs, contacts = load_legs_and_contacts(t0, end)

    assert (legs, contacts) == (load_units(t0, end, level=LEG), load_units(t0, end, level=CONTACT))
    assert sorted((u.contact_id, u.queue_id) for u in legs) == [
        (before.pk, second_phone_queue.pk),
        (transferred.pk, phone_queue.pk),
        (transferred.pk, second_phone_queue.pk),
        (abandoned.pk, phone_queue.pk),
    ]
    assert len(contacts) == 2 and {u.level for u in contacts} == {CONTACT}


def test_hold_and_wrap_up_count_in_handle_time(phone_queue, agent, t0):
    contact = arrive(phone_queue, t0)
    event(contact, "answered", t0 + 5 * S, agent)
    event(contact, "hold_started", t0 + 20 * S, agent)
    event(contact, "hold_ended", t0 + 50 * S, agent)
    event(contact, "ended", t0 + 105 * S, agent)
    event(contact, "wrap_started", t0 + 105 * S, agent)
    event(contact, "wrapped", t0 + 135 * S, agent)
    (unit,) = load_units(t0, t0 + dt.timedelta(hours=1), level=LEG)
    assert (unit.talk_s, unit.hold_s, unit.wrap_s) == (70.0, 30.0, 30.0)


def test_a_late_event_and_a_correction_take_their_place_by_occurred_at(phone_queue, agent, t0):
    contact = arrive(phone_queue, t0)
    event(contact, "ended", t0 + 200 * S, agent)
    wrong = event(contact, "answered", t0 + 50 * S, agent)  # recorded after the end: late
    assert metrics.asa_s(load_units(t0, t0 + dt.timedelta(hours=1), level=CONTACT)) == 50.0
    event(contact, "answered", t0 + 15 * S, agent, data={"corrects": wrong})
    (unit,) = load_units(t0, t0 + dt.timedelta(hours=1), level=CONTACT)
    assert (unit.wait_s, unit.talk_s) == (15.0, 185.0)


def test_a_call_spanning_midnight_belongs_to_the_day_and_interval_it_entered(phone_queue, agent):
    queued = dt.datetime(2026, 3, 2, 23, 59, 50, tzinfo=AMS)
    call(phone_queue, queued, wait=40, talk=60, agent=agent)
    start, end = queued - dt.timedelta(hours=1), queued + dt.timedelta(hours=1)
    by_day = metrics.report(start, end, by="day", zone=AMS, now=NOW)
    assert [(r["group"], r["offered"], r["answered"]) for r in by_day] == [("2026-03-02", 1, 1)]
    by_interval = metrics.report(start, end, by="interval", zone=AMS, now=NOW)
    assert [r["group"] for r in by_interval] == ["2026-03-02T23:45:00+01:00"]


def test_local_days_have_92_96_and_100_quarter_hours():
    assert len(day_intervals(dt.date(2026, 3, 29), AMS)) == 92
    assert len(day_intervals(dt.date(2026, 3, 30), AMS)) == 96
    assert len(day_intervals(dt.date(2026, 10, 25), AMS)) == 100


def test_the_repeated_hour_of_the_autumn_dst_day_keeps_two_intervals(phone_queue, agent):
    first = dt.datetime(2026, 10, 25, 0, 50, tzinfo=dt.UTC)  # 02:50 CEST
    second = dt.datetime(2026, 10, 25, 1, 10, tzinfo=dt.UTC)  # 02:10 CET, an hour later in real time
    call(phone_queue, first, wait=5, talk=30, agent=agent)
    call(phone_queue, second, wait=25, talk=30, agent=agent)
    start, end = dt.datetime(2026, 10, 24, 22, tzinfo=dt.UTC), dt.datetime(2026, 10, 25, 23, tzinfo=dt.UTC)
    rows = metrics.report(start, end, by="interval", zone=AMS, now=NOW)
    assert [(r["group"], r["service_level"]) for r in rows] == [
        ("2026-10-25T02:00:00+01:00", 0.0),
        ("2026-10-25T02:45:00+02:00", 1.0),
    ]
    assert [(r["group"], r["offered"]) for r in metrics.report(start, end, by="day", zone=AMS, now=NOW)] == [
        ("2026-10-25", 2)
    ]


def test_spring_dst_day_counts_its_calls(phone_queue, agent):
    # 2026-03-29: 02:00-03:00 local does not exist; 00:30 and 01:30 UTC are 01:30 CET and 03:30 CEST.
    call(phone_queue, dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC), wait=5, talk=30, agent=agent)
    call(phone_queue, dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC), wait=5, talk=30, agent=agent)
    start, end = dt.datetime(2026, 3, 28, 23, tzinfo=dt.UTC), dt.datetime(2026, 3, 29, 22, tzinfo=dt.UTC)
    rows = metrics.report(start, end, by="interval", zone=AMS, now=NOW)
    assert [r["group"] for r in rows] == ["2026-03-29T01:30:00+01:00", "2026-03-29T03:30:00+02:00"]


@pytest.fixture
def reasons() -> dict[str, ContactReason]:
    billing = ContactReason.objects.create(code="billing", name="Factuur")
    return {
        "billing": billing,
        "billing-wrong": ContactReason.objects.create(code="billing-wrong", name="Foute factuur", parent=billing),
        "billing-copy": ContactReason.objects.create(code="billing-copy", name="Kopie", parent=billing),
        "delivery": ContactReason.objects.create(code="delivery", name="Levering"),
    }


def test_first_contact_resolution(phone_queue, agent, t0, reasons):
    day = dt.timedelta(days=1)
    solved = call(phone_queue, t0, wait=5, talk=60, agent=agent, caller="+31201111111")
    resolve_case(case=solved.case, by=agent, occurred_at=t0 + 300 * S, reason=reasons["billing-wrong"])

    reopened = call(phone_queue, t0 + 10 * S, wait=5, talk=60, agent=agent, caller="+31202222222")
    resolve_case(case=reopened.case, by=agent, occurred_at=t0 + 300 * S, reason=reasons["delivery"])
    reopen_case(case=reopened.case, by=agent, occurred_at=t0 + day)
    resolve_case(case=reopened.case, by=agent, occurred_at=t0 + 2 * day)

    came_back = call(phone_queue, t0 + 20 * S, wait=5, talk=60, agent=agent, caller="+31203333333")
    resolve_case(case=came_back.case, by=agent, occurred_at=t0 + 300 * S, reason=reasons["billing-wrong"])
    again = call(phone_queue, t0 + 3 * day, wait=5, talk=60, agent=agent, caller="+31203333333")
    assert again.case_id != came_back.case_id
    resolve_case(case=again.case, by=agent, occurred_at=t0 + 3 * day + 300 * S, reason=reasons["billing-copy"])

    other_reason = call(phone_queue, t0 + 30 * S, wait=5, talk=60, agent=agent, caller="+31204444444")
    resolve_case(case=other_reason.case, by=agent, occurred_at=t0 + 300 * S, reason=reasons["billing-wrong"])
    later = call(phone_queue, t0 + 2 * day, wait=5, talk=60, agent=agent, caller="+31204444444")
    resolve_case(case=later.case, by=agent, occurred_at=t0 + 2 * day + 60 * S, reason=reasons["delivery"])

    young = call(phone_queue, t0 + 40 * S, wait=5, talk=60, agent=agent, caller="+31205555555")

    # Resolved in the first hour: solved, reopened, came_back, other_reason. The young case is resolved
    # only 6 days before `now`: its 7 days have not passed.
    now = t0 + dt.timedelta(days=8)
    resolve_case(case=young.case, by=agent, occurred_at=now - 6 * day)
    rate, counted = metrics.fcr(
        list(_resolved_in(t0, t0 + dt.timedelta(hours=1))) + _resolved_in(now - 6 * day, now), now=now
    )
    assert (rate, counted) == (2 / 4, 4)


def _resolved_in(start: dt.datetime, end: dt.datetime) -> list[CaseFacts]:
    from django.db.models import Q

    from contactpunt.kpis.facts import load_cases

    return [
        c
        for c in load_cases(Q(events__name="resolved", events__occurred_at__gte=start, events__occurred_at__lt=end))
        if c.first_resolved_at is not None and start <= c.first_resolved_at < end
    ]


def test_a_case_with_two_inbound_contacts_before_resolution_is_no_fcr(phone_queue, agent, t0):
    thread = ThreadRef(conversation_id="chat-1")
    first = arrive(phone_queue, t0, thread=thread)
    contact = arrive(phone_queue, t0 + 600 * S, thread=thread)
    assert contact.case_id == first.case_id
    resolve_case(case=first.case, by=agent, occurred_at=t0 + 900 * S)
    assert metrics.fcr(_resolved_in(t0, t0 + dt.timedelta(hours=1)), now=NOW) == (0.0, 1)


def test_customer_speed_index_over_the_cohort_created_in_the_period(phone_queue, agent, t0):
    hour = dt.timedelta(hours=1)
    for delay in (1, 3):
        c = call(phone_queue, t0, wait=5, talk=60, agent=agent)
        resolve_case(case=c.case, by=agent, occurred_at=t0 + delay * hour)
    call(phone_queue, t0, wait=5, talk=60, agent=agent)
    row = one(metrics.report(t0, t0 + hour, now=NOW))
    # The times on the duration grid: 3,600 s counts as 3,616 s, 10,800 s as 10,752 s (within 0.8%).
    grid = metrics.duration_bucket
    assert (row["csi_median_s"], row["csi_p90_s"], row["csi_open_cases"]) == (
        (grid(3600) + grid(10800)) / 2,
        grid(10800),
        1,
    )


def test_repeat_contact_rate_and_identified_share(phone_queue, agent, t0):
    day = dt.timedelta(days=1)
    call(phone_queue, t0, wait=5, talk=60, agent=agent, caller="+31201111111")
    call(phone_queue, t0 + 2 * day, wait=5, talk=60, agent=agent, caller="+31201111111")
    call(phone_queue, t0 + 9 * day + 3600 * S, wait=5, talk=60, agent=agent, caller="+31201111111")  # 7 days later
    call(phone_queue, t0, wait=5, talk=60, agent=agent, caller="+31202222222")
    call(phone_queue, t0, wait=5, talk=60, agent=agent)
    row = one(metrics.report(t0, t0 + 10 * day, now=NOW))
    assert (row["repeat_rate"], row["identified_share"]) == (1 / 4, 4 / 5)


def test_occupancy_from_agent_states(agent, t0):
    minute = dt.timedelta(minutes=1)
    for state, at in [("available", 0), ("on_contact", 10), ("wrap_up", 20), ("available", 25), ("offline", 30)]:
        record_agent_state(agent=agent, state=state, occurred_at=t0 + at * minute)
    states = metrics.state_seconds(t0 + 5 * minute, t0 + dt.timedelta(hours=1))
    assert states[agent.pk] == {"available": 600.0, "on_contact": 600.0, "wrap_up": 300.0, "offline": 1800.0}
    assert metrics.occupancy(states.values()) == 900 / 1500


_STATES = ("available", "on_contact", "wrap_up", "break", "offline")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    changes=st.lists(
        st.tuples(st.integers(0, 2), st.sampled_from(_STATES), st.integers(-3_600_000_000, 7_200_000_000)),
        max_size=25,
    ),
    only_some=st.booleans(),
)
def test_state_seconds_are_the_sums_of_the_state_spans(agent, t0, changes, only_some):
    """Summed by the database, to the microsecond: each agent's state at the start (a change before it) lasts until
    their first change within the period, the last one until its end; changes at one moment in the order recorded."""
    with transaction.atomic():
        agents = [agent, *(User.objects.create_user(username=f"s{n}", password="x") for n in (1, 2))]
        for who, state, offset_us in changes:
            record_agent_state(agent=agents[who], state=state, occurred_at=t0 + dt.timedelta(microseconds=offset_us))
        start, end = t0, t0 + dt.timedelta(hours=1)
        ids = [agents[0].pk, agents[2].pk] if only_some else None
        expected: dict[int, dict[str, int]] = {}
        for who, state, since, until in metrics.state_spans(start, end, agent_ids=ids):
            states = expected.setdefault(who, {})
            states[state] = states.get(state, 0) + (until - since) // dt.timedelta(microseconds=1)
        assert metrics.state_seconds(start, end, agent_ids=ids) == {
            who: {state: us / 1_000_000 for state, us in states.items()} for who, states in expected.items()
        }
        assert metrics.state_seconds(start, end, agent_ids=[]) == {}
        transaction.set_rollback(True)


@pytest.fixture
def office_email(department) -> Queue:
    calendar = BusinessCalendar.objects.create(name="Kantoor", holiday_country="NL", time_zone="Europe/Amsterdam")
    for weekday in range(5):
        OpeningHours.objects.create(calendar=calendar, weekday=weekday, opens=dt.time(9), closes=dt.time(17))
    return Queue.objects.create(
        code="email-office", name="E-mail", channel="email", response_norm_s=8 * 3600, calendar=calendar
    )


def test_written_first_response_on_business_hours_and_the_backlog(office_email, agent):
    friday_16 = dt.datetime(2026, 3, 6, 16, tzinfo=AMS)
    friday_12 = dt.datetime(2026, 3, 6, 12, tzinfo=AMS)
    monday_9 = dt.datetime(2026, 3, 9, 9, tzinfo=AMS)
    quick = arrive(office_email, friday_16, caller="a@example.nl")
    slow = arrive(office_email, friday_12, caller="b@example.nl")
    arrive(office_email, monday_9, caller="c@example.nl")  # never answered
    event(quick, "replied", dt.datetime(2026, 3, 9, 10, tzinfo=AMS), agent)  # 1 h Friday + 1 h Monday
    event(slow, "replied", dt.datetime(2026, 3, 10, 10, tzinfo=AMS), agent)  # 5 h + 8 h + 1 h

    found = written.backlog(at=dt.datetime(2026, 3, 9, 9, 30, tzinfo=AMS))
    assert (found.count, found.oldest_age_s) == (3, (69 * 3600 + 1800))

    units = load_units(friday_12, dt.datetime(2026, 3, 10, tzinfo=AMS), level=CONTACT)
    schedules = written.load_schedules()
    assert sorted(written.first_response_times(units, schedules)) == [7200.0, 14 * 3600.0]
    assert written.first_response_within_norm(units, schedules, now=NOW) == 1 / 3
    row = one(metrics.report(friday_12, dt.datetime(2026, 3, 10, tzinfo=AMS), now=NOW))
    assert row["first_response_median_s"] == (metrics.duration_bucket(7200) + metrics.duration_bucket(14 * 3600)) / 2
    assert row["backlog"] == 2  # at the end of the period only the slow one and Monday's wait


def test_the_report_rejects_an_unknown_grouping(t0):
    with pytest.raises(ValueError, match="grouping"):
        metrics.report(t0, t0, by="planet")


def test_users_are_counted_by_their_team(phone_queue, agent, team_lead, t0):
    call(phone_queue, t0, wait=5, talk=60, agent=agent)
    outsider = User.objects.create_user(username="piet", password="x")
    call(phone_queue, t0, wait=5, talk=60, agent=outsider)
    rows = metrics.report(t0, t0 + dt.timedelta(hours=1), by="team", now=NOW)
    assert [(r["group"], r["offered"]) for r in rows] == [("Team Noord", 1)]
    rows = metrics.report(t0, t0 + dt.timedelta(hours=1), by="agent", now=NOW)
    assert [(r["group"], r["answered"]) for r in rows] == [("anna", 1), ("piet", 1)]


def test_an_answer_logged_before_the_queue_entry_counts_as_zero_wait(phone_queue, agent, t0):
    contact = arrive(phone_queue, t0)
    event(contact, "answered", t0 - 3 * S, agent)
    event(contact, "ended", t0 + 60 * S, agent)
    (unit,) = load_units(t0, t0 + dt.timedelta(hours=1), level=CONTACT)
    assert (unit.wait_s, unit.talk_s) == (0.0, 60.0)


def test_a_contact_while_the_earlier_one_is_still_unhandled_is_no_repeat(email_queue, agent, t0):
    first = arrive(email_queue, t0, caller="klant@example.nl")
    arrive(email_queue, t0 + 600 * S, caller="klant@example.nl")  # the first is not yet replied to
    event(first, "replied", t0 + 3600 * S, agent)
    arrive(email_queue, t0 + 7200 * S, caller="klant@example.nl")  # after the reply: a repeat
    inbound = sorted(metrics.load_inbound(t0, t0 + dt.timedelta(hours=3)), key=lambda i: i.occurred_at)
    assert [i.is_repeat for i in inbound] == [False, False, True]
    assert metrics.repeat_rate(inbound) == 1 / 3


def test_figures_per_site_account_and_product_type(phone_queue, agent, team, t0):
    team.site = Site.objects.create(name="Utrecht")
    team.save(update_fields=["site"])
    shop = call(phone_queue, t0, wait=5, talk=60, agent=agent, caller="+31201111111")
    call(phone_queue, t0 + 60 * S, wait=50, talk=60, agent=agent, caller="+31202222222")
    account = Account.objects.create(name="Bloemenwinkel", product_type=ProductType.objects.create(name="Kaarten"))
    assert Identity.objects.filter(customer_id=shop.customer_id).exists()
    shop.customer.account = account
    shop.customer.save(update_fields=["account"])
    shop.case.product_type = account.product_type
    shop.case.save(update_fields=["product_type"])
    end = t0 + dt.timedelta(hours=1)
    assert [(r["group"], r["offered"]) for r in metrics.report(t0, end, by="site", now=NOW)] == [("Utrecht", 2)]
    assert [(r["group"], r["offered"], r["service_level"]) for r in metrics.report(t0, end, by="account", now=NOW)] == [
        ("Bloemenwinkel", 1, 1.0)
    ]
    rows = metrics.report(t0, end, by="product_type", now=NOW)
    assert [(r["group"], r["offered"], r["identified_share"]) for r in rows] == [("Kaarten", 1, 1.0)]


def test_agent_state_time_is_split_over_the_days_and_intervals_it_happened_in(agent):
    late = dt.datetime(2026, 3, 2, 23, 50, tzinfo=AMS)
    record_agent_state(agent=agent, state="available", occurred_at=late)
    record_agent_state(agent=agent, state="on_contact", occurred_at=late + dt.timedelta(minutes=5))
    record_agent_state(agent=agent, state="offline", occurred_at=late + dt.timedelta(minutes=20))
    start, end = late - dt.timedelta(hours=1), late + dt.timedelta(hours=1)
    by_day = {r["group"]: r["occupancy"] for r in metrics.report(start, end, by="day", zone=AMS, now=NOW)}
    assert by_day == {"2026-03-02": 5 / 10, "2026-03-03": 1.0}
    by_interval = {r["group"]: r["occupancy"] for r in metrics.report(start, end, by="interval", zone=AMS, now=NOW)}
    assert by_interval["2026-03-02T23:45:00+01:00"] == 5 / 10
    assert by_interval["2026-03-03T00:00:00+01:00"] == 1.0
