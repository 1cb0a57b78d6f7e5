"""The customers' voice on a team meeting's agenda: last week's NPS with its interval and number of answers, what
drives it over the last four weeks (in plain language, when there are enough answers), and the customers' own
kind words about the team."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from contactpunt.feedback import plain
from contactpunt.feedback.models import Answer, kind_words
from contactpunt.kpis.intervals import day_bounds, zone
from contactpunt.kpis.survey_drivers import site_drivers
from contactpunt.kpis.survey_metrics import Estimate, survey_figures
from contactpunt.people.models import Team

#: The drivers are read over this many weeks up to the meeting's last week: one week rarely has enough answers.
DRIVER_WEEKS = 4
COMPLIMENTS = 3


@dataclass(frozen=True, slots=True)
class CustomerVoice:
    nps: Estimate
    readings: list[str]
    compliments: list[str]


def customer_voice(team: Team, last_week: dt.date) -> CustomerVoice:
    """What the team's customers said: `last_week` is the Monday of the week the meeting looks back on."""
    start, end = day_bounds(last_week, last_week + dt.timedelta(days=6), zone())
    [figures] = survey_figures(start, end, team_id=team.pk)
    driver_start, _ = day_bounds(last_week - dt.timedelta(weeks=DRIVER_WEEKS - 1), last_week, zone())
    drivers = site_drivers(driver_start, end, None, team_id=team.pk)
    readings = plain.readings(drivers.analysis)[:3] if drivers.analysis else []
    comments = (
        kind_words(Answer.objects.filter(invitation__team=team, answered_at__gte=start, answered_at__lt=end))
        .order_by("-answered_at")
        .values_list("comment", flat=True)[:COMPLIMENTS]
    )
    return CustomerVoice(figures.nps, readings, list(comments))
