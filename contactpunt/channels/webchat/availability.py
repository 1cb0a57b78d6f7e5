"""Whether a chat queue can be answered now: inside its business hours, with a working agent who has its skills."""

from __future__ import annotations

import datetime as dt

from django.db.models import OuterRef, Subquery

from contactpunt.contacts.business_hours import schedule_for
from contactpunt.contacts.models import AgentState, AgentStateEvent, Queue
from contactpunt.people.models import User

#: The states in which an agent is signed in and working, so can take a chat beside what they do.
WORKING_STATES = (AgentState.AVAILABLE, AgentState.ON_CONTACT, AgentState.WRAP_UP)


def is_open(queue: Queue, now: dt.datetime) -> bool:
    """True when `now` lies inside an opening window of the queue's calendar (no calendar: always open)."""
    schedule = schedule_for(queue.calendar)
    local_day = now.astimezone(schedule.time_zone).date()
    for day in (local_day - dt.timedelta(days=1), local_day):
        if any(opens <= now < closes for opens, closes in schedule.open_intervals(day)):
            return True
    return False


def working_agents(queue: Queue) -> list[User]:
    """The agents whose latest state is a working one and who have every skill the queue asks for."""
    latest = AgentStateEvent.objects.filter(agent=OuterRef("pk")).order_by("-occurred_at", "-id").values("state")[:1]
    required = list(queue.skills.values_list("pk", flat=True))
    agents = User.objects.filter(is_active=True).annotate(state=Subquery(latest)).filter(state__in=WORKING_STATES)
    for skill_id in required:
        agents = agents.filter(skills__pk=skill_id)
    return list(agents.distinct())


def is_staffed(queue: Queue, now: dt.datetime) -> bool:
    """True when a visitor on this queue can be answered live now."""
    return is_open(queue, now) and bool(working_agents(queue))
