"""The format filters every screen uses: numbers, percentages, durations and days per language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation

from contactpunt import formats
from contactpunt.kpis.templatetags.kpis_tags import kpi

DAY = dt.date(2026, 12, 6)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", ["83.831", "1.234.567,9", "96,5%", "100%", "7 u 40 min", "2 min 5 s", "6 december", "6 december 2026",
                "zondag 6 december", "3 u 5 min", "—"]),
        ("en", ["83,831", "1,234,567.9", "96.5%", "100%", "7 h 40 min", "2 min 5 s", "6 December", "6 December 2026",
                "Sunday 6 December", "3 h 5 min", "—"]),
    ],
)  # fmt: skip
def test_each_filter_writes_the_language_s_way(language, expected):
    with translation.override(language):
        assert [
            formats.number(83831),
            formats.number(1234567.89, 1),
            formats.percent(0.965),
            formats.percent(1, 0),
            formats.duration(27630, "precise"),
            formats.duration(125.4, "precise"),
            formats.day(DAY),
            formats.day(DAY, "year"),
            formats.day("2026-12-06", "weekday"),
            formats.duration(3 * 3600 + 5 * 60),
            formats.percent(None),
        ] == expected


def test_the_templates_use_the_same_filters():
    template = Template("{% load formats %}{{ n|number }} · {{ f|percent }} · {{ d|day }}")
    context = Context({"n": 83831, "f": 0.0, "d": DAY})
    with translation.override("nl"):
        assert template.render(context) == "83.831 · 0,0% · 6 december"
    with translation.override("en"):
        assert template.render(context) == "83,831 · 0.0% · 6 December"


def test_kpi_values_go_through_them():
    with translation.override("nl"):
        assert (kpi(0.965, "service_level"), kpi(27630.2, "asa_s"), kpi(83831, "offered"), kpi(None, "fcr")) == (
            "96,5%",
            "7 u 40 min",
            "83.831",
            "—",
        )


def test_a_measured_duration_never_looks_like_a_time_of_day():
    with translation.override("nl"):
        assert [kpi(v, "aht_s") for v in (36.4, 456, 420, 40056, 3 * 86400 + 7200)] == [
            "36 s", "7 min 36 s", "7 min", "11 u 7 min", "3 d 2 u"
        ]  # fmt: skip
        assert ":" not in kpi(40056, "csi_p90_s")


def test_hours_and_abbreviated_days_in_dutch():
    with translation.override("nl"):
        assert [formats.hours(4 * 3600), formats.hours(27_000), formats.hours(0), formats.hours(None)] == [
            "4,0 u",
            "7,5 u",
            "0,0 u",
            "—",
        ]
        assert [formats.day(dt.date(2026, m, 26), "abbreviated") for m in (3, 10)] == ["26 mrt", "26 okt"]


def test_a_phone_number_reads_as_people_write_it():
    """The timeline and the customer panel showed "+31610050198" (the stored E.164 form)."""
    assert formats.phone("+31610050198") == "06 10050198"
    assert formats.phone("+31201234567") == "020 123 4567"
    assert formats.phone("+32470123456") == "+32 470 12 34 56"  # another country: international
    assert [formats.phone(v) for v in ("anna@example.nl", "@sanne", "+999", "", None)] == [
        "anna@example.nl",
        "@sanne",
        "+999",
        "",
        "",
    ]


def test_a_waiting_time_is_written_as_every_other_duration():
    now = dt.datetime(2026, 3, 2, 18, 0, tzinfo=dt.UTC)
    with translation.override("nl"):
        assert formats.since(now - dt.timedelta(hours=9, minutes=26, seconds=40), now) == "9 u 26 min"
        assert formats.since(now + dt.timedelta(minutes=1), now) == "0 s"  # a clock a little ahead: never negative
        assert formats.since(None, now) == formats.EMPTY
        page = Template("{% load formats %}{{ at|since:now }}").render(
            Context({"at": now - dt.timedelta(minutes=12), "now": now})
        )
    assert page == "12 min"


def test_no_template_writes_a_waiting_time_with_django_s_timesince():
    from pathlib import Path

    root = Path(formats.__file__).parent
    users = [str(path.relative_to(root)) for path in root.rglob("*.html") if "|timesince" in path.read_text()]
    assert users == []


def test_no_two_template_libraries_register_a_filter_under_one_name():
    """A template that loads both would get the last one's: formats' "age" once broke the worker's page. A filter
    two libraries share is one function registered in both."""
    from django.template.backends.django import get_installed_libraries
    from django.template.library import import_library

    seen: dict[str, tuple[str, object]] = {}
    clashes = []
    for name, path in get_installed_libraries().items():
        if not path.startswith("contactpunt."):
            continue
        for filter_name, function in import_library(path).filters.items():
            if filter_name in seen and seen[filter_name][1] is not function:
                clashes.append(f"{filter_name}: {seen[filter_name][0]} and {name}")
            seen[filter_name] = (name, function)
    assert clashes == []


def test_a_period_of_one_day_names_the_day_once():
    one_day = type("Days", (), {"first": DAY, "last": DAY})()
    month = type("Days", (), {"first": dt.date(2026, 12, 1), "last": dt.date(2026, 12, 31)})()
    with translation.override("nl"):
        assert formats.days(one_day) == "6 december 2026"
        assert formats.days(month) == "1 december 2026 \u2013 31 december 2026"
        assert Template("{% load formats %}{{ p|days }}").render(Context({"p": one_day})) == "6 december 2026"
