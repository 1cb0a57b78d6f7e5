"""Arrivals and rosters, one local day at a time: hourly rates, incidents, shifts and their breaks.

A day of a plan the engine was given (`follow`: the product's shift plan, sent by the live mode) is worked as
planned, with a team's small deviations (now and then a few minutes late, a break a bit long); a day without one
gets the engine's own roster (the history).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable

import simpy

from contactpunt.simulation.engine.base import EngineBase
from contactpunt.simulation.engine.model import DAY, LOCAL, PlanShift, SimAgent
from contactpunt.simulation.scenario import REALTIME, Incident, peak_factors

#: Deviations from a plan, as a team lead sees them (schedule adherence of 85-95 %): the share of shifts started
#: late and by how many minutes, of shifts left early and by how many, of breaks (not meetings or trainings) that
#: run over and by how many; and short unplanned breaks (coffee, the toilet, a colleague's question) during work,
#: on average one every PERSONAL_EVERY_S seconds, of PERSONAL_MINUTES.
LATE_SHARE, LATE_MINUTES = 0.25, (2.0, 15.0)
EARLY_SHARE, EARLY_MINUTES = 0.15, (3.0, 12.0)
LONG_BREAK_SHARE, LONG_BREAK_MINUTES = 0.35, (2.0, 12.0)
PERSONAL_EVERY_S, PERSONAL_MINUTES = 80 * 60.0, (3.0, 10.0)


class DayPlanner(EngineBase):
    def _days(self) -> simpy.events.ProcessGenerator:
        day = self.start.astimezone(LOCAL).date()
        while True:
            self._current_day = day
            self._plan_day(day)
            day += dt.timedelta(days=1)
            next_start = self._local_hour_start(day, 0)
            yield self.env.timeout(max(0.0, next_start - self.env.now))

    def hourly_rates(self, day: dt.date) -> list[list[float]]:
        """Expected first contacts per hour of the local `day`, per queue (without incidents)."""
        s = self.scenario
        years = (dt.datetime.combine(day, dt.time(12), tzinfo=LOCAL) - self.start).total_seconds() / (365 * DAY)
        factor = s.weekday_factors[day.weekday()] * (1 + s.trend_per_year) ** years
        factor *= peak_factors(s, [day]).get(day, 1.0) * self.scale
        daily = s.contacts_per_hour * 24 * factor
        rates: list[list[float]] = []
        for q in self.queues:
            total = sum(q.hourly) or 1.0
            rates.append([daily * q.share * w / total for w in q.hourly])
        return rates

    def _plan_day(self, day: dt.date) -> None:
        rates = self.hourly_rates(day)
        day_number = int((self._local_hour_start(day, 12)) // DAY)
        if day in self.plans:
            self._work_plans()
        else:
            self._roster(day, rates, day_number)
        incidents = [i for i in self.scenario.incidents if self._incident_active(i, day_number)]
        for qi, q in enumerate(self.queues):
            for hour in range(24):
                rate = rates[qi][hour]
                if rate <= 0:
                    continue
                extra = [(i, i.extra_per_hour * q.share * self.scale) for i in incidents]
                lam = rate + sum(e for _i, e in extra)
                count = int(self.np_rng.poisson(lam))
                begin = self._local_hour_start(day, hour)
                end = self._local_hour_start(day, hour + 1)
                for _ in range(count):
                    t = begin + self.rng.random() * (end - begin)
                    if t < self.env.now:
                        continue
                    reason = self._incident_reason(extra, lam)
                    self._schedule_arrival(t, qi, reason, None)

    def _incident_active(self, incident: Incident, day_number: int) -> bool:
        first = incident.day if incident.day >= 0 else self.horizon_days + incident.day
        if incident.hours is None:
            return day_number >= first
        return first <= day_number < first + max(1.0, incident.hours / 24)

    def _incident_reason(self, extra: list[tuple[Incident, float]], lam: float) -> int | None:
        roll = self.rng.random() * lam
        for incident, rate in extra:
            if roll < rate:
                return self.reason_index[incident.reason]
            roll -= rate
        return None

    def _roster(self, day: dt.date, rates: list[list[float]], day_number: int) -> None:
        """Plan the day's shifts per department: enough agents each open hour for the expected load
        at the scenario's occupancy target, at most five days a week each; the written work of closed
        hours is spread over the open ones."""
        s = self.scenario
        del day_number
        load_by_department: dict[str, list[float]] = {}
        open_by_department: dict[str, set[int]] = {}
        written_closed: dict[str, float] = {}
        for qi, q in enumerate(self.queues):
            load = load_by_department.setdefault(q.department, [0.0] * 24)
            opened = open_by_department.setdefault(q.department, set())
            per_contact = (q.median_handle_s * 1.15 + (q.wrap_median_s if q.channel in REALTIME else 0)) / 3600
            if q.channel in REALTIME:
                opened.update(h for h in range(24) if q.hourly[h] > 0)
            for hour in range(24):
                load[hour] += rates[qi][hour] * per_contact
        for department, load in load_by_department.items():
            opened = open_by_department[department] or set(range(8, 18))
            written_closed[department] = sum(load[h] for h in range(24) if h not in opened)
            for hour in range(24):
                load[hour] = load[hour] + written_closed[department] / len(opened) if hour in opened else 0.0
        week = day.isocalendar().week
        for department, load in load_by_department.items():
            need = [math.ceil(x / s.occupancy_target) + 1 if x > 0 else 0 for x in load]
            if not any(need):
                continue
            last_open = max(h for h in range(24) if need[h] > 0)
            staff = [a for a in self.agents if a.group.department == department]
            self.rng.shuffle(staff)
            staff.sort(key=lambda a: a.days_worked.get(week, 0))
            on = [0] * 24
            free = iter(staff)
            for hour in range(24):
                while on[hour] < need[hour]:
                    agent = next(free, None)
                    if agent is None or agent.days_worked.get(week, 0) >= 5:
                        break
                    begin = max(0, min(hour, last_open + 1 - 4))
                    length = min(8, last_open + 1 - begin)
                    for h in range(begin, begin + length):
                        on[h] += 1
                    agent.days_worked[week] = agent.days_worked.get(week, 0) + 1
                    self._shift(agent, self._local_hour_start(day, begin), self._local_hour_start(day, begin + length))

    def _shift(self, agent: SimAgent, begin: float, end: float) -> None:
        if end <= self.env.now:
            return
        self._roster_at(agent, begin, lambda: self._shift_start(agent))
        self._roster_at(agent, end, lambda: self._shift_end(agent))
        length = end - begin
        if length >= 6 * 3600:
            self._roster_at(agent, begin + length / 2, lambda: self._break(agent, 1800))
        if length >= 8 * 3600:
            self._roster_at(agent, begin + 2 * 3600, lambda: self._break(agent, 900))

    def _roster_at(self, agent: SimAgent, t: float, action: Callable[[], None]) -> None:
        """Schedule one step of the agent's roster; it is void once another roster replaced this one."""
        epoch = agent.roster_epoch

        def step() -> None:
            if agent.roster_epoch == epoch:
                action()

        self._call_at(t, step)

    # -- the plan the engine follows --

    def follow(self, plans: dict[dt.date, list[PlanShift]]) -> None:
        """Work these local days as planned: each day's shifts replace the ones it had (the engine's own roster
        or an earlier plan) from this moment on. An agent on a shift the plan does not have ends it, one the plan
        has now starts it. A day without a plan keeps the engine's own roster."""
        self.plans.update(plans)
        if self._current_day is not None and any(day <= self._current_day for day in plans):
            self._work_plans()

    def _work_plans(self) -> None:
        """Lay out every agent's planned shifts of the days begun so far, from now on (their earlier roster void)."""
        now = self.env.now
        current = self._current_day
        if current is None or current not in self.plans:
            return  # today is the engine's own roster (yesterday's plan, past midnight, goes on as laid out)
        by_agent: dict[int, list[PlanShift]] = {}
        for day in (current - dt.timedelta(days=1), current):  # yesterday's plan may run past midnight
            for shift in self.plans.get(day, []):
                if shift[2] > now and 0 <= shift[0] < len(self.agents):
                    by_agent.setdefault(shift[0], []).append(shift)
        for agent in self.agents:
            agent.roster_epoch += 1
            shifts = _joined(sorted(by_agent.get(agent.index, []), key=lambda s: s[1]))
            on_now = any(begin <= now < end for _a, begin, end, _acts in shifts)
            if agent.on_shift and not on_now:
                self._shift_end(agent)
            elif on_now and not agent.on_shift:
                self._shift_start(agent)
            for _agent, begin, end, activities in shifts:
                self._planned_shift(agent, begin, end, activities)

    def _planned_shift(
        self, agent: SimAgent, begin: float, end: float, activities: tuple[tuple[str, float, float], ...]
    ) -> None:
        now = self.env.now
        rng = self.plan_rng
        if begin > now:
            late = rng.uniform(*LATE_MINUTES) * 60 if rng.random() < LATE_SHARE else rng.uniform(0, 60)
            self._roster_at(agent, begin + late, lambda: self._shift_start(agent))
        early = rng.uniform(*EARLY_MINUTES) * 60 if rng.random() < EARLY_SHARE else 0.0
        self._roster_at(agent, max(now, end - early), lambda: self._shift_end(agent))
        for kind, planned_from, until in activities:
            if until <= now:
                continue
            since = max(planned_from, now)
            if kind == "work":
                moment = since + rng.expovariate(1 / PERSONAL_EVERY_S)
                while moment < until - 600:
                    length = rng.uniform(*PERSONAL_MINUTES) * 60
                    self._roster_at(agent, moment, functools.partial(self._break, agent, length, "break"))
                    moment += rng.expovariate(1 / PERSONAL_EVERY_S)
                continue
            if since == now and agent.on_break:
                continue  # laid out again (a new plan) while on a break: that one goes on
            length = until - since
            if kind == "break" and rng.random() < LONG_BREAK_SHARE:
                length += rng.uniform(*LONG_BREAK_MINUTES) * 60
            # A planned break, meeting or training comes after an unplanned break the agent is on.
            self._roster_at(agent, since, functools.partial(self._break, agent, length, kind, after=True))


def _joined(shifts: list[PlanShift]) -> list[PlanShift]:
    """Shifts (in order of their start) with the ones that touch or overlap joined into one."""
    joined: list[PlanShift] = []
    for shift in shifts:
        if joined and shift[1] <= joined[-1][2]:
            agent, begin, end, activities = joined[-1]
            joined[-1] = (agent, begin, max(end, shift[2]), activities + shift[3])
        else:
            joined.append(shift)
    return joined
