"""The telecom scenario tells the story of seed case 2 through the product's own figures: three sites whose
measured first-contact resolution rises month by month while their NPS does not, and the driver
analysis that shows what the score moves with instead (issue 18, Deliver 7)."""

from __future__ import annotations

import datetime as dt

import pytest

from contactpunt.kpis.survey_drivers import FcrGap, fcr_gap, site_drivers
from contactpunt.simulation.run import simulate
from contactpunt.simulation.scenarios import TELECOM

pytestmark = pytest.mark.django_db(transaction=False)
END = dt.datetime(2026, 5, 4, 22, 0, tzinfo=dt.UTC)  # a Monday night: the history is January to April


def test_fcr_rises_at_every_site_while_nps_stays_flat_and_the_drivers_say_why() -> None:
    result = simulate(TELECOM, days=120, seed=3, scale=0.2, end=END)
    assert len(result.tallies.surveys) > 3000
    start, end = dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    by_site: dict[str, list[FcrGap]] = {}
    for row in fcr_gap(start, end):
        by_site.setdefault(row.site, []).append(row)
    assert len(by_site) == 3
    for site, months in by_site.items():
        first, last = months[0], months[-1]
        assert len(months) == 4, site
        # FCR as measured: up by five points or more (the three sites together: intervals apart, below).
        assert last.measured_fcr.value - first.measured_fcr.value >= 0.05, site
        # NPS did not rise: the last month's score is not above the first month's interval.
        assert last.nps.value <= first.nps.high, site
    rise = [months[-1].measured_fcr.value - months[0].measured_fcr.value for months in by_site.values()]
    assert sum(rise) / len(rise) >= 0.07
    drivers = site_drivers(start, end, None)
    assert drivers.analysis is not None
    shares = {d.name: d for d in drivers.analysis.drivers}
    # What the customer says (solved, friendliness, effort) explains the score; waiting and transfers barely.
    assert shares["solved"].share == max(d.share for d in shares.values())
    assert shares["friendliness"].low > 0 and shares["friendliness"].share > shares["transfers"].share
