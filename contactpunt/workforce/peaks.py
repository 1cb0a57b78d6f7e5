"""The peak calendar as configured: the built-in rules, overridden or switched off by PeakEntry rows, plus
one-off peaks (a campaign, an outage) entered by managers."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from contactpunt.workforce.forecasting.calendar import DEFAULT_PEAK_RULES, PeakCalendar, PeakDate, PeakRule
from contactpunt.workforce.models import PeakEntry

RULE_NAMES = tuple(rule.name for rule in DEFAULT_PEAK_RULES)

#: How the built-in rules are called on the pages; other peaks show the name a manager gave them.
RULE_LABELS = {
    "valentines_day": _("Valentine's Day"),
    "mothers_day": _("Mother's Day"),
    "fathers_day": _("Father's Day"),
    "sinterklaas": _("Sinterklaas"),
    "black_friday": _("Black Friday"),
    "christmas": _("Christmas"),
}


def peak_label(name: str) -> str:
    """The name of a peak (or holiday) as the pages show it."""
    return str(RULE_LABELS.get(name, name))


def holiday_country() -> str | None:
    """The country whose public holidays shape the forecast (settings.HOLIDAY_COUNTRY)."""
    return getattr(settings, "HOLIDAY_COUNTRY", "NL") or None


def peak_calendar() -> PeakCalendar:
    """Return the calendar the forecast uses: built-in rules with their overrides, and the one-off peaks."""
    entries = {entry.name: entry for entry in PeakEntry.objects.all()}
    rules: list[PeakRule] = []
    for rule in DEFAULT_PEAK_RULES:
        entry = entries.get(rule.name)
        if entry is None:
            rules.append(rule)
        elif entry.is_active:
            rules.append(dataclasses.replace(rule, days_before=entry.days_before, days_after=entry.days_after,
                                             uplift=entry.uplift))  # fmt: skip
    dates = [
        PeakDate(e.name, e.date, e.days_before, e.days_after, e.uplift)
        for e in entries.values()
        if e.date is not None and e.is_active and e.name not in RULE_NAMES
    ]
    return PeakCalendar(country=holiday_country(), rules=rules, dates=dates)


@dataclass(frozen=True)
class PeakRow:
    """One line of the peak calendar page."""

    name: str
    is_rule: bool
    next_day: dt.date | None
    days_before: int
    days_after: int
    uplift: float | None
    is_active: bool

    @property
    def label(self) -> str:
        return peak_label(self.name)


def peak_rows(today: dt.date) -> list[PeakRow]:
    """Return the rules (with their next occurrence from `today`) and the one-off peaks, for display."""
    entries = {entry.name: entry for entry in PeakEntry.objects.all()}
    rows = []
    for rule in DEFAULT_PEAK_RULES:
        entry = entries.get(rule.name)
        day = rule.day_of_year(today.year)
        if day < today:
            day = rule.day_of_year(today.year + 1)
        if entry is None:
            rows.append(PeakRow(rule.name, True, day, rule.days_before, rule.days_after, rule.uplift, True))
        else:
            rows.append(PeakRow(rule.name, True, day, entry.days_before, entry.days_after, entry.uplift,
                                entry.is_active))  # fmt: skip
    for entry in entries.values():
        if entry.name not in RULE_NAMES:
            rows.append(PeakRow(entry.name, False, entry.date, entry.days_before, entry.days_after, entry.uplift,
                                entry.is_active))  # fmt: skip
    return rows


def save_peak(
    *,
    name: str,
    date: dt.date | None,
    days_before: int,
    days_after: int,
    uplift: float | None,
    is_active: bool = True,
) -> PeakEntry:
    """Create or update a peak: a built-in rule's override (no date) or a one-off peak (with a date)."""
    if name not in RULE_NAMES and date is None:
        raise ValueError("a one-off peak needs a date")
    if name in RULE_NAMES:
        date = None
    if uplift is not None and uplift <= 0:
        raise ValueError("the uplift must be positive")
    with transaction.atomic():
        entry, _ = PeakEntry.objects.update_or_create(
            name=name,
            defaults={"date": date, "days_before": days_before, "days_after": days_after, "uplift": uplift,
                      "is_active": is_active},
        )  # fmt: skip
    return entry


def peak_days(first: dt.date, last: dt.date) -> dict[dt.date, list[str]]:
    """Return the peak and holiday keys of every day in [first, last] that has any."""
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    return peak_calendar().keys_by_date(days)
