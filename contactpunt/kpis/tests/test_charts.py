"""The dashboards' bar charts: their day labels."""

from __future__ import annotations

from django.utils import translation

from contactpunt.kpis.charts import bar_chart


def test_a_chart_of_one_day_names_it_once_and_of_more_days_the_first_and_the_last():
    with translation.override("nl"):
        one = bar_chart([("2026-12-07", 3.0)], label="Aangeboden")
        week = bar_chart([("2026-12-07", 3.0), ("2026-12-08", None), ("2026-12-09", 5.0)], label="Aangeboden")
    assert one.count("7 december") == 2  # the bar's title and one axis label
    assert week.count("7 december") == 2 and week.count("9 december") == 2 and "8 december" not in week
