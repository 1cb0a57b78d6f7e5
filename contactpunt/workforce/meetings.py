"""The short weekly team meeting: planned into the shift plan so that every agent of the team joins one each week
while the queues stay staffed, with actions (owner, due date) followed up the next week.

The planner works on the quarter-hour grid of the shift plan. A meeting of `length` minutes starting at a quarter
hour takes its attendees out of every interval whose start it covers; it may only start where each attendee has a
work activity for the whole meeting and where, in each of those intervals, the agents scheduled to work minus the
attendees (minus those already taken out by earlier meetings) still meet the plan's requirement. Among the slots
that fit, it takes one inside office hours (09:00-17:00 local) before any other, then the one with the most team
members free (up to an even share of the group size), then the largest remaining margin, then the earliest; it
repeats until everyone is placed or no slot is left (those are reported)."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count

from contactpunt.contacts.models import ContactLeg
from contactpunt.kpis.intervals import INTERVAL, day_bounds, interval_start, zone
from contactpunt.people.models import Role, Team, User
from contactpunt.workforce.models import Activity, MeetingAction, PlannedActivity, PlanStatus, ShiftPlan, TeamMeeting
from contactpunt.workforce.queries import plan_for, scheduled_per_interval
from contactpunt.workforce.requirement import needs_from_json

LENGTH = dt.timedelta(minutes=20)
GROUP_SIZE = 5
#: The least time between planning a meeting and its start: the attendees must hear of it.
NOTICE = dt.timedelta(hours=1)


@dataclass
class MeetingPlan:
    meetings: list[TeamMeeting] = field(default_factory=list)
    unplaced: list[User] = field(default_factory=list)


def _required(start: dt.datetime, end: dt.datetime) -> dict[dt.datetime, int]:
    required: dict[dt.datetime, int] = defaultdict(int)
    seen: set[int] = set()
    day = start.astimezone(zone()).date()
    last = (end - dt.timedelta(seconds=1)).astimezone(zone()).date()
    while day <= last:
        plan = plan_for(day)
        if plan is not None and plan.pk not in seen:
            seen.add(plan.pk)
            for need in needs_from_json(plan.intervals):
                if start <= need.start < end:
                    required[need.start] += need.required
        day += dt.timedelta(days=1)
    return required


#: A session inside these local hours is preferred: people meet during office hours where the plan allows it.
OFFICE_HOURS = (dt.time(9), dt.time(17))


def _daytime(begin: dt.datetime, length: dt.timedelta) -> bool:
    local = begin.astimezone(zone())
    return (
        OFFICE_HOURS[0] <= local.time()
        and (local + length).time() <= OFFICE_HOURS[1]
        and ((local + length).date() == local.date())
    )


def covered(begin: dt.datetime, length: dt.timedelta = LENGTH) -> list[dt.datetime]:
    """The interval starts a meeting from `begin` covers (the staffing count is taken at each interval's start)."""
    moments, moment = [], interval_start(begin)
    if moment < begin:
        moment += INTERVAL
    while moment < begin + length:
        moments.append(moment)
        moment += INTERVAL
    return moments


def plan_in_the_making(week: dt.date) -> ShiftPlan | None:
    """A shift plan of some of the week's days that is still queued or running: until it is done, the week's shifts
    are not the ones the meetings would be planned into (right after a first start only today has a quick plan)."""
    last = week + dt.timedelta(days=6)
    for plan in ShiftPlan.objects.filter(status__in=(PlanStatus.QUEUED, PlanStatus.RUNNING), first_day__lte=last):
        if plan.last_day >= week:
            return plan
    return None


def plan_team_meetings(
    *,
    team: Team,
    week: dt.date,
    now: dt.datetime | None,
    length: dt.timedelta = LENGTH,
    group_size: int = GROUP_SIZE,
) -> MeetingPlan:
    """Plan the team's meetings of the local week starting `week` (a Monday) into the agents' shifts.

    With `now`, no meeting starts within NOTICE of it, nor before it: a meeting in an hour already past is one
    nobody can attend (None plans a whole week of history, as the demo does for last week).
    Raise ValueError("week") when the team's meetings of that week are already planned."""
    if TeamMeeting.objects.filter(team=team, week=week).exists():
        raise ValueError("week")
    start, end = day_bounds(week, week + dt.timedelta(days=6), zone())
    earliest = start
    if now is not None:
        soon = interval_start(now + NOTICE)
        earliest = max(start, soon if soon >= now + NOTICE else soon + INTERVAL)
    agents = {u.pk: u for u in User.objects.filter(team=team, role=Role.AGENT, is_active=True)}
    work = list(
        PlannedActivity.objects.filter(kind=Activity.WORK, shift__agent_id__in=agents, start__lt=end, end__gt=start)
        .select_related("shift")
        .order_by("start")
    )
    margin = dict(scheduled_per_interval(start, end))
    required = _required(start, end)
    for moment in list(margin):
        margin[moment] -= required.get(moment, 0)
    candidates = sorted(
        {interval_start(a.start) + INTERVAL * k for a in work for k in range(int((a.end - a.start) / INTERVAL) + 1)}
    )
    result = MeetingPlan()
    waiting = set(agents)
    with transaction.atomic():
        while waiting:
            # Groups as even as the size allows (seven agents meet as four and three, not five and two).
            cap = math.ceil(len(waiting) / math.ceil(len(waiting) / group_size))
            best: tuple[bool, int, int, dt.datetime, list[PlannedActivity]] | None = None
            for begin in candidates:
                if begin < earliest or begin + length > end:
                    continue
                free = [a for a in work if a.shift.agent_id in waiting and a.start <= begin and begin + length <= a.end]
                by_agent = {a.shift.agent_id: a for a in free}
                moments = covered(begin, length)
                room = min((margin.get(m, 0) for m in moments), default=0)
                take = min(len(by_agent), cap, room)
                if take <= 0:
                    continue
                # Office hours first (a meeting at 21:30 only when no daytime slot fits anyone), then the most
                # members, then the largest margin left.
                key = (_daytime(begin, length), take, room - take)
                if best is None or key > best[:3]:
                    chosen = [by_agent[a] for a in sorted(by_agent)[:take]]
                    best = (*key, begin, chosen)
            if best is None:
                break
            _daytime_slot, _take, _left, begin, chosen = best
            meeting = TeamMeeting.objects.create(team=team, week=week, start=begin, end=begin + length)
            meeting.attendees.set([a.shift.agent_id for a in chosen])
            for activity in chosen:
                work.remove(activity)
                work += _cut(activity, begin, begin + length)
                waiting.discard(activity.shift.agent_id)
            for moment in covered(begin, length):
                margin[moment] = margin.get(moment, 0) - len(chosen)
            result.meetings.append(meeting)
    result.unplaced = sorted((agents[pk] for pk in waiting), key=lambda u: u.username)
    return result


def keep_meetings(start: dt.datetime, end: dt.datetime) -> list[tuple[TeamMeeting, User]]:
    """After a new shift plan for [start, end): cut the planned meetings of that time into the new shifts again (a
    re-plan replaces the shifts, and with them the meeting activities). An attendee whose new shift does not cover
    the meeting stays invited; the (meeting, attendee) pairs left without a place are returned, for the planner to
    see (the team lead may plan that person into another meeting)."""
    unplaced: list[tuple[TeamMeeting, User]] = []
    planned = TeamMeeting.objects.filter(start__lt=end, end__gt=start).prefetch_related("attendees")
    with transaction.atomic():
        for meeting in planned:
            for person in meeting.attendees.all():
                shift_activities = PlannedActivity.objects.filter(shift__agent=person, start__lt=meeting.end,
                                                                  end__gt=meeting.start)  # fmt: skip
                if shift_activities.filter(kind=Activity.MEETING).exists():
                    continue  # a hand-made shift kept its meeting
                work = shift_activities.filter(kind=Activity.WORK, start__lte=meeting.start, end__gte=meeting.end)
                activity = work.select_related("shift").first()
                if activity is None:
                    unplaced.append((meeting, person))
                    continue
                _cut(activity, meeting.start, meeting.end)
    return unplaced


def _cut(activity: PlannedActivity, begin: dt.datetime, until: dt.datetime) -> list[PlannedActivity]:
    """Cut a meeting out of a work activity: work before it (the same row), the meeting, work after it."""
    after_end = activity.end
    pieces = []
    if activity.start < begin:
        activity.end = begin
        activity.save(update_fields=["end"])
        pieces.append(activity)
    else:
        activity.delete()
    PlannedActivity.objects.create(shift=activity.shift, kind=Activity.MEETING, start=begin, end=until)
    if until < after_end:
        pieces.append(
            PlannedActivity.objects.create(shift=activity.shift, kind=Activity.WORK, start=until, end=after_end)
        )
    return pieces


def add_action(*, meeting: TeamMeeting, text: str, owner: User, due: dt.date, now: dt.datetime) -> MeetingAction:
    """Record an agreement of the meeting. Raise ValueError naming the field: an empty or over-long text, an
    owner from outside the team (its team lead may own one), a due date before the meeting."""
    text = text.strip()
    if not text or len(text) > 300:
        raise ValueError("text")
    if owner.team_id != meeting.team_id:
        raise ValueError("owner")
    if due < meeting.start.astimezone(zone()).date():
        raise ValueError("due")
    return MeetingAction.objects.create(meeting=meeting, text=text, owner=owner, due=due, created_at=now)


def finish_action(*, action: MeetingAction, now: dt.datetime) -> MeetingAction:
    """Mark an action done (again: nothing changes)."""
    MeetingAction.objects.filter(pk=action.pk, done_at__isnull=True).update(done_at=now)
    action.refresh_from_db()
    return action


def open_actions(team: Team, before: dt.datetime) -> list[MeetingAction]:
    """The team's actions from meetings before `before` that are not done: the follow-up of the next meeting."""
    return list(
        MeetingAction.objects.filter(meeting__team=team, meeting__start__lt=before, done_at__isnull=True)
        .select_related("owner", "meeting")
        .order_by("due", "pk")
    )


def top_reasons(team: Team, week: dt.date, count: int = 3) -> list[tuple[str, int]]:
    """The contact reasons most handled by the team's agents in the week (calls and chats they answered)."""
    start, end = day_bounds(week, week + dt.timedelta(days=6), zone())
    rows = (
        ContactLeg.objects.filter(
            agent__team=team, answered_at__gte=start, answered_at__lt=end, contact__case__reason__isnull=False
        )
        .values("contact__case__reason__name")
        .annotate(n=Count("contact_id", distinct=True))
        .order_by("-n", "contact__case__reason__name")[:count]
    )
    return [(r["contact__case__reason__name"], r["n"]) for r in rows]
