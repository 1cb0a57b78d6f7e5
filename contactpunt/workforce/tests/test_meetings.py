"""The short team meeting planned into the shift plan: every agent of the team placed in a meeting of about five,
no interval falls below the plan's requirement, actions followed up the next week."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from contactpunt.conftest import make_user
from contactpunt.contacts.models import Queue
from contactpunt.kpis.intervals import INTERVAL, day_bounds
from contactpunt.people.models import Department, Role, Team
from contactpunt.workforce import meetings
from contactpunt.workforce.models import Activity, PlannedActivity, PlanStatus, ShiftPlan, ShiftTemplate, TeamMeeting
from contactpunt.workforce.queries import scheduled_per_interval
from contactpunt.workforce.requirement import IntervalNeed, grid
from contactpunt.workforce.shifts.meeting_capacity import meeting_needs
from contactpunt.workforce.shifts.planning import plan_shifts, schedule_shift, shift_options
from contactpunt.workforce.shifts.solver import Demand, Worker, solve

pytestmark = pytest.mark.django_db

AMS = ZoneInfo("Europe/Amsterdam")
WEEK = dt.date(2026, 3, 2)
BEFORE = dt.datetime(2026, 2, 27, 16, 0, tzinfo=AMS)  # the Friday before: the week is planned ahead


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=AMS)


def requirement(required: dict[dt.datetime, int]) -> None:
    rows = [{"start": s.astimezone(dt.UTC).isoformat(), "queue": "phone-general", "volume": 10.0, "aht_s": 180.0,
             "required": n} for s, n in required.items()]  # fmt: skip
    ShiftPlan.objects.create(first_day=WEEK, days=7, status=PlanStatus.DONE, intervals=rows)


def test_every_agent_joins_a_meeting_and_no_interval_is_short(team: Team, department: Department) -> None:
    north = [make_user(f"noord{n}", Role.AGENT, team) for n in range(7)]
    south = Team.objects.create(name="Team Zuid", department=department)
    others = [make_user(f"zuid{n}", Role.AGENT, south) for n in range(2)]
    for agent in north + others:
        schedule_shift(
            agent=agent, start=at(2, 9), end=at(2, 12), activities=[(Activity.BREAK, at(2, 10, 30), at(2, 10, 45))]
        )
    # 9 at work: 4 needed all morning, 8 needed 09:00-09:30 (nobody can leave then), 6 needed at 10:00
    need = {at(2, 9) + INTERVAL * k: 4 for k in range(12)}
    need[at(2, 9)] = need[at(2, 9, 15)] = 8
    need[at(2, 10)] = 6
    need[at(2, 10, 30)] = 0  # everyone's break
    requirement(need)
    start, end = at(2, 9), at(2, 12)
    before = scheduled_per_interval(start, end)

    result = meetings.plan_team_meetings(team=team, week=WEEK, now=BEFORE)

    assert result.unplaced == []
    assert sorted(len(m.attendees.all()) for m in result.meetings) == [3, 4]  # even groups
    attendees = [a.pk for m in result.meetings for a in m.attendees.all()]
    assert sorted(attendees) == sorted(a.pk for a in north)  # each exactly once
    after = scheduled_per_interval(start, end)
    for moment, required in need.items():
        assert after.get(moment, 0) >= required, moment
    assert sum(before.values()) - sum(after.values()) == 7 * 2  # 20 minutes take two quarter hours each
    first = result.meetings[0]
    assert (first.start, first.end) == (at(2, 9, 30), at(2, 9, 50))
    assert PlannedActivity.objects.filter(kind=Activity.MEETING).count() == 7
    for agent in north:  # the shift is still whole: work, meeting, work, break, work
        spans = list(PlannedActivity.objects.filter(shift__agent=agent).order_by("start").values_list("start", "end"))
        assert spans[0][0] == at(2, 9) and spans[-1][1] == at(2, 12)
        assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))
    with pytest.raises(ValueError, match="week"):
        meetings.plan_team_meetings(team=team, week=WEEK, now=BEFORE)


def test_an_agent_who_cannot_leave_is_reported(team: Team) -> None:
    agents = [make_user(f"noord{n}", Role.AGENT, team) for n in range(2)]
    for agent in agents:
        schedule_shift(agent=agent, start=at(3, 9), end=at(3, 10))
    requirement({at(3, 9) + INTERVAL * k: 2 for k in range(4)})
    result = meetings.plan_team_meetings(team=team, week=WEEK, now=BEFORE)
    assert result.meetings == [] and [u.username for u in result.unplaced] == ["noord0", "noord1"]
    assert TeamMeeting.objects.count() == 0


def test_a_week_planned_midway_places_no_meeting_in_an_hour_past_or_within_the_notice(team: Team) -> None:
    early, late, gone = (make_user(f"noord{n}", Role.AGENT, team) for n in range(3))
    schedule_shift(agent=early, start=at(2, 9), end=at(2, 13))  # Monday: partly past at 10:50
    schedule_shift(agent=late, start=at(3, 9), end=at(3, 13))  # Tuesday
    schedule_shift(agent=gone, start=at(2, 8), end=at(2, 11))  # only hours already past (and its notice)
    result = meetings.plan_team_meetings(team=team, week=WEEK, now=at(2, 10, 50))
    starts = sorted(m.start for m in result.meetings)
    assert starts and starts[0] >= at(2, 12)  # 10:50 + an hour's notice, on the quarter-hour grid
    placed = {a.username for m in result.meetings for a in m.attendees.all()}
    assert placed == {"noord0", "noord1"} and [u.username for u in result.unplaced] == ["noord2"]


def test_actions_are_followed_up_the_next_week(team: Team) -> None:
    lead = make_user("lotte", Role.TEAM_LEAD, team)
    anna = make_user("anna", Role.AGENT, team)
    meeting = TeamMeeting.objects.create(team=team, week=WEEK, start=at(2, 9, 30), end=at(2, 9, 50))
    action = meetings.add_action(
        meeting=meeting, text="Retourlabel in de FAQ", owner=anna, due=dt.date(2026, 3, 6), now=at(2, 10)
    )
    with pytest.raises(ValueError, match="owner"):
        meetings.add_action(
            meeting=meeting,
            text="x",
            owner=make_user("ander", Role.AGENT, None),
            due=dt.date(2026, 3, 6),
            now=at(2, 10),
        )
    assert meetings.open_actions(team, before=at(9, 9)) == [action]
    assert action.is_overdue(dt.date(2026, 3, 9))
    meetings.finish_action(action=action, now=at(5, 12))
    assert meetings.open_actions(team, before=at(9, 9)) == []
    assert lead.team_id == team.pk


def test_the_meeting_pages_plan_show_the_agenda_and_take_actions(team: Team) -> None:
    from django.test import Client

    lead = make_user("lotte", Role.TEAM_LEAD, team)
    agents = [make_user(f"noord{n}", Role.AGENT, team) for n in range(3)]
    for agent in agents:
        schedule_shift(agent=agent, start=at(4, 9), end=at(4, 13))
    client = Client()
    client.force_login(lead)
    with time_machine.travel(BEFORE):
        response = client.post("/workforce/meetings/", {"team": str(team.pk), "week": "2026-03-02"})
    assert response.status_code == 302
    meeting = TeamMeeting.objects.get()
    assert meeting.attendees.count() == 3
    earlier = TeamMeeting.objects.create(team=team, week=dt.date(2026, 2, 23), start=at(2, 9) - dt.timedelta(weeks=1),
                                         end=at(2, 9, 20) - dt.timedelta(weeks=1))  # fmt: skip
    meetings.add_action(
        meeting=earlier, text="Belscript aanpassen", owner=agents[0], due=dt.date(2026, 3, 1), now=at(2, 9)
    )
    page = client.get(f"/workforce/meetings/{meeting.pk}/").content.decode()
    assert "Belscript aanpassen" in page  # followed up
    bad = client.post(f"/workforce/meetings/{meeting.pk}/", {"text": "x", "owner": "0", "due": "2026-03-10"})
    assert bad.status_code == 400
    done = client.post(
        f"/workforce/meetings/{meeting.pk}/",
        {"text": "FAQ retouren bijwerken", "owner": str(agents[1].pk), "due": "2026-03-10"},
    )
    assert done.status_code == 302
    assert list(meeting.actions.values_list("text", "owner__username")) == [("FAQ retouren bijwerken", "noord1")]
    agent_client = Client()
    agent_client.force_login(agents[0])
    assert agent_client.get(f"/workforce/meetings/{meeting.pk}/").status_code == 403


def test_a_week_plan_makes_room_for_every_agents_meeting_without_a_gap(
    team: Team, department: Department, phone_queue: Queue
) -> None:
    # Three agents needed all day on weekdays, seven in the team, eight-hour shifts without a break: the cheapest
    # plan has exactly three at work each day, and no one could leave for a meeting. The plan makes the room.
    north = [make_user(f"noord{n}", Role.AGENT, team) for n in range(7)]
    ShiftTemplate.objects.create(name="dag", start_time=dt.time(9), length_minutes=480, breaks=[])
    needs = [
        IntervalNeed(start, phone_queue.code, 10.0, 180.0, 3 if start.astimezone(AMS).weekday() < 5 and
                     9 <= start.astimezone(AMS).hour < 17 else 0)
        for start in grid(WEEK, 7, AMS)
    ]  # fmt: skip
    outcome = plan_shifts(first_day=WEEK, days=7, queue=phone_queue, needs=needs, time_limit_s=60)
    assert outcome.plan.under_coverage == 0
    assert sorted(len(ids) for _team, _start, ids in outcome.solution.meetings) == [3, 4]  # even groups

    result = meetings.plan_team_meetings(team=team, week=WEEK, now=BEFORE)

    assert result.unplaced == []
    attendees = sorted(a.pk for m in result.meetings for a in m.attendees.all())
    assert attendees == sorted(a.pk for a in north)
    assert all(len(m.attendees.all()) >= 3 for m in result.meetings)
    after = scheduled_per_interval(*day_bounds(WEEK, WEEK + dt.timedelta(days=6), AMS))
    for need in needs:  # nobody short while a meeting runs
        assert after.get(need.start, 0) >= need.required, need.start


def test_without_the_room_nobody_could_leave(team: Team, phone_queue: Queue) -> None:
    # The same week planned by the solver alone (no meeting need): the check above is not met by chance.
    people = [make_user(f"noord{n}", Role.AGENT, team) for n in range(7)]
    starts = grid(WEEK, 7, AMS)
    required = [3.0 if s.astimezone(AMS).weekday() < 5 and 9 <= s.astimezone(AMS).hour < 17 else 0.0 for s in starts]
    day_shift = ShiftTemplate(pk=1, name="dag", start_time=dt.time(9), length_minutes=480, breaks=[])
    options = [p.option for p in shift_options([day_shift], WEEK, 7, starts, AMS)]
    workers = [Worker(u.pk, u.username, cost_per_hour=35.0) for u in people]
    demand = [Demand(phone_queue.code, required)]
    alone = solve(demand, options, workers, time_limit_s=60)
    assert max(sum(1 for a in alone.assignments if a.option.day == day) for day in range(7)) == 3
    with_room = solve(demand, options, workers, time_limit_s=60,
                      meetings=meeting_needs(workers, demand, starts, WEEK, 7, AMS))  # fmt: skip
    assert with_room.under_total == 0 and sum(len(ids) for *_rest, ids in with_room.meetings) == 7


def test_a_meeting_takes_office_hours_before_a_roomier_evening(team: Team) -> None:
    agents = [make_user(f"noord{n}", Role.AGENT, team) for n in range(3)]
    for agent in agents:
        schedule_shift(agent=agent, start=at(3, 14), end=at(3, 23))
    # Room for one at a time in the afternoon, for all three in the evening.
    need = {at(3, 14) + INTERVAL * k: 2 for k in range(12)}
    need.update({at(3, 17) + INTERVAL * k: 0 for k in range(24)})
    requirement(need)
    result = meetings.plan_team_meetings(team=team, week=WEEK, now=BEFORE)
    assert result.unplaced == []
    assert all(at(3, 9) <= m.start and m.end <= at(3, 17) for m in result.meetings)  # three sessions of one


def test_the_agenda_lists_the_teams_new_suggestions_and_flags_one_waiting_over_14_days(
    team: Team, department: Department
) -> None:
    from django.test import Client

    from contactpunt.quality import suggestions
    from contactpunt.quality.models import SuggestionStatus

    lead = make_user("lotte", Role.TEAM_LEAD, team)
    anna = make_user("anna", Role.AGENT, team)
    other = make_user("zuid0", Role.AGENT, Team.objects.create(name="Team Zuid", department=department))
    meeting = TeamMeeting.objects.create(team=team, week=WEEK, start=at(4, 9, 30), end=at(4, 9, 50))
    old = suggestions.propose(author=anna, title="Terugbelverzoek in de wachtrij", now=at(4, 9) - dt.timedelta(days=15))
    fresh = suggestions.propose(author=anna, title="Sjabloon voor retouren", now=at(3, 9))
    decided = suggestions.propose(author=anna, title="Al besproken", now=at(2, 9))
    suggestions.decide(suggestion=decided, status=SuggestionStatus.DISCUSSED, by=lead, now=at(3, 10))
    suggestions.propose(author=other, title="Van een ander team", now=at(3, 9))
    suggestions.propose(author=anna, title="Na het overleg", now=at(4, 12))

    assert suggestions.to_discuss(team, meeting.end) == [old, fresh]
    client = Client()
    client.force_login(lead)
    page = client.get(f"/workforce/meetings/{meeting.pk}/").content.decode()
    agenda = page[page.index('id="agenda-suggestions"') :].split("</ul>")[0]
    assert "Terugbelverzoek in de wachtrij" in agenda and "Sjabloon voor retouren" in agenda
    assert "Al besproken" not in agenda and "Van een ander team" not in agenda and "Na het overleg" not in agenda
    assert agenda.count("badge-warn") == 1  # only the suggestion of 15 days ago


def test_while_the_weeks_shift_plan_is_made_the_team_lead_is_asked_to_wait(team: Team) -> None:
    # Right after a first start only today has a (quick) plan; the week plan is queued on the long lane.
    from django.test import Client

    lead = make_user("lotte", Role.TEAM_LEAD, team)
    agent = make_user("noord0", Role.AGENT, team)
    schedule_shift(agent=agent, start=at(4, 9), end=at(4, 13))
    making = ShiftPlan.objects.create(first_day=dt.date(2026, 2, 27), days=7, status=PlanStatus.RUNNING)
    client = Client()
    client.force_login(lead)
    with time_machine.travel(BEFORE):
        waiting = client.get("/workforce/meetings/?week=2026-03-02").text
        assert "Het rooster van deze week wordt nog gemaakt" in waiting and 'id="plan-meetings"' not in waiting
        refused = client.post("/workforce/meetings/", {"team": str(team.pk), "week": "2026-03-02"}, follow=True)
        assert "Het rooster van deze week wordt nog gemaakt" in refused.text and not TeamMeeting.objects.exists()
        # A plan of other days is no reason to wait; once the week's is done, the meetings are planned.
        assert "wordt nog gemaakt" not in client.get("/workforce/meetings/?week=2026-03-09").text
        making.status = PlanStatus.DONE
        making.save()
        client.post("/workforce/meetings/", {"team": str(team.pk), "week": "2026-03-02"})
    assert TeamMeeting.objects.get().attendees.get() == agent


def test_right_after_a_first_start_the_team_lead_waits_for_the_demos_week_plan(team: Team, settings: Any) -> None:
    # The first start leaves the week plan (and the week's meetings, which it plans itself) to the long lane.
    from django.test import Client

    from contactpunt.ops.lanes import LONG, SHORT
    from contactpunt.workforce.tasks import plan_demo_shifts

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": [SHORT, LONG, "default"]}}
    client = Client()
    client.force_login(make_user("lotte", Role.TEAM_LEAD, team))
    with time_machine.travel(at(4, 10)):
        assert "wordt nog gemaakt" not in client.get("/workforce/meetings/?week=2026-03-02").text
        plan_demo_shifts.enqueue()  # waits for the worker
        assert "Het rooster van deze week wordt nog gemaakt" in client.get("/workforce/meetings/?week=2026-03-02").text
        assert "wordt nog gemaakt" not in client.get("/workforce/meetings/?week=2026-02-16").text  # a past week
