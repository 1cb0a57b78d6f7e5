"""The peak calendar: public holidays of a country and peak days by rule, each with a window of days.

Effects are learned from the history (see effects.py): per holiday, and per peak type as the lift on its
peak day, ramping down linearly to the edges of its window; a peak type the history has not shown yet
uses its configured uplift. Keys: `holiday:<name>` for a public holiday, `<rule>:<offset>` for a day in a
peak window (offset in days from the peak day, e.g. `mothers_day:-1`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import holidays


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def valentines_day(year: int) -> dt.date:
    """14 February."""
    return dt.date(year, 2, 14)


def mothers_day_nl(year: int) -> dt.date:
    """Second Sunday of May (the Netherlands, also Belgium's Flemish, US, ...)."""
    return _nth_weekday(year, 5, 6, 2)


def fathers_day_nl(year: int) -> dt.date:
    """Third Sunday of June."""
    return _nth_weekday(year, 6, 6, 3)


def sinterklaas(year: int) -> dt.date:
    """Pakjesavond, 5 December."""
    return dt.date(year, 12, 5)


def black_friday(year: int) -> dt.date:
    """The day after the fourth Thursday of November."""
    return _nth_weekday(year, 11, 3, 4) + dt.timedelta(days=1)


def christmas(year: int) -> dt.date:
    """25 December."""
    return dt.date(year, 12, 25)


@dataclass(frozen=True)
class PeakRule:
    """A recurring peak: the day for a year, the window around it and an uplift to use without history.

    `uplift` is the volume multiplier on the peak day (the window's other days ramp from 1 at its edges
    to it) while the history has not shown the effect; None means no effect until one is learned.
    """

    name: str
    day_of_year: Callable[[int], dt.date]
    days_before: int = 0
    days_after: int = 0
    uplift: float | None = None


@dataclass(frozen=True)
class PeakDate:
    """A one-off peak (campaign, outage) with its window and uplift."""

    name: str
    date: dt.date
    days_before: int = 0
    days_after: int = 0
    uplift: float | None = None


# The uplifts are priors for a Dutch consumer-facing centre, used until the history shows the effect;
# the band around the forecast stays wide (from no effect to twice the uplift) while they are not learned.
DEFAULT_PEAK_RULES: tuple[PeakRule, ...] = (
    PeakRule("valentines_day", valentines_day, days_before=7, uplift=1.5),
    PeakRule("mothers_day", mothers_day_nl, days_before=7, uplift=1.5),
    PeakRule("fathers_day", fathers_day_nl, days_before=7, uplift=1.3),
    PeakRule("sinterklaas", sinterklaas, days_before=14, uplift=1.5),
    PeakRule("black_friday", black_friday, days_after=3, uplift=1.5),
    PeakRule("christmas", christmas, days_before=14, days_after=7, uplift=1.3),
)


def without_uplifts(rules: Sequence[PeakRule]) -> tuple[PeakRule, ...]:
    """Return the rules with no configured uplift: their effects come from the history alone."""
    return tuple(PeakRule(r.name, r.day_of_year, r.days_before, r.days_after, None) for r in rules)


@dataclass
class PeakCalendar:
    """Which special keys apply to each date, for a country's holidays plus peak rules and dates."""

    country: str | None = "NL"
    rules: Sequence[PeakRule] = DEFAULT_PEAK_RULES
    dates: Sequence[PeakDate] = ()
    _holiday_cache: dict[int, dict[dt.date, str]] = field(default_factory=dict, repr=False)

    def holidays_of(self, year: int) -> dict[dt.date, str]:
        """Return the public holidays of the configured country in `year` (empty without a country)."""
        if self.country is None:
            return {}
        if year not in self._holiday_cache:
            try:
                calendar = holidays.country_holidays(self.country, years=year)
            except NotImplementedError as error:
                raise ValueError(f"unknown holiday country: {self.country}") from error
            self._holiday_cache[year] = {day: str(name) for day, name in calendar.items()}
        return self._holiday_cache[year]

    def keys_by_date(self, days: Iterable[dt.date]) -> dict[dt.date, list[str]]:
        """Return the special keys of each given date that has any."""
        wanted = sorted(set(days))
        if not wanted:
            return {}
        result: dict[dt.date, list[str]] = {}
        years = range(wanted[0].year - 1, wanted[-1].year + 2)
        windows: list[tuple[str, dt.date, int, int]] = []
        for rule in self.rules:
            windows.extend((rule.name, rule.day_of_year(year), rule.days_before, rule.days_after) for year in years)
        windows.extend((peak.name, peak.date, peak.days_before, peak.days_after) for peak in self.dates)
        wanted_set = set(wanted)
        for year in years:
            for day, name in self.holidays_of(year).items():
                if day in wanted_set:
                    result.setdefault(day, []).append(f"holiday:{name}")
        for name, peak_day, before, after in windows:
            for offset in range(-before, after + 1):
                day = peak_day + dt.timedelta(days=offset)
                if day in wanted_set:
                    result.setdefault(day, []).append(f"{name}:{offset:+d}")
        return result

    def window(self, name: str) -> tuple[int, int] | None:
        """Return (days before, days after) of the peak rule or date called `name` (None if unknown)."""
        for rule in self.rules:
            if rule.name == name:
                return rule.days_before, rule.days_after
        for peak in self.dates:
            if peak.name == name:
                return peak.days_before, peak.days_after
        return None

    def ramp(self, key: str) -> float:
        """Return the weight of a peak key's day in its window: 1 on the peak day, falling linearly towards
        the window's edges (never to 0 inside it)."""
        name, _, offset_text = key.rpartition(":")
        window = self.window(name)
        if window is None:
            return 1.0
        offset = int(offset_text)
        width = (window[0] if offset < 0 else window[1]) + 1
        return max(0.0, 1.0 - abs(offset) / width)

    def configured_uplift(self, key: str) -> float | None:
        """Return the configured uplift of the rule or date a peak key belongs to (None for holidays)."""
        name = key.rsplit(":", 1)[0]
        for rule in self.rules:
            if rule.name == name:
                return rule.uplift
        for peak in self.dates:
            if peak.name == name:
                return peak.uplift
        return None
