"""Arrivals and rosters, one local day at a time: hourly rates, incidents, shifts and their breaks."""

from __future__ import annotations

import datetime as dt
import math

import simpy

from contactpunt.simulation.engine.base import EngineBase
from contactpunt.simulation.engine.model import DAY, LOCAL, SimAgent
from contactpunt.simulation.scenario import REALTIME, Incident, peak_factors


class DayPlanner(EngineBase):
    def _days(self) -> simpy.events.ProcessGenerator:
        day = self.start.astimezone(LOCAL).date()
        while True:
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
        self._call_at(begin, lambda: self._shift_start(agent))
        self._call_at(end, lambda: self._shift_end(agent))
        length = end - begin
        if length >= 6 * 3600:
            self._call_at(begin + length / 2, lambda: self._break(agent, 1800))
        if length >= 8 * 3600:
            self._call_at(begin + 2 * 3600, lambda: self._break(agent, 900))
