"""`contactpunt kpis`: the report for scripts, and rebuilding the rollups."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from contactpunt.kpis import metrics, rollups
from contactpunt.kpis.intervals import day_bounds
from contactpunt.kpis.models import IntervalRollup
from contactpunt.kpis.tests.helpers import arrive, call

pytestmark = pytest.mark.django_db
REQUIRED = {
    *("offered", "answered", "abandoned", "short_abandons", "service_level", "asa_s", "aht_s", "abandon_rate"),
    *("transfer_rate", "fcr", "repeat_rate", "identified_share", "csi_median_s", "csi_p90_s", "reachability"),
}


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("kpis", *args, stdout=out)
    return out.getvalue()


def test_json_has_one_object_per_group_with_every_key(
    phone_queue, second_phone_queue, agent, t0, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the contacts' marks: read from the events until refreshed
        call(phone_queue, t0, wait=10, talk=100, agent=agent)
        call(second_phone_queue, t0, wait=30, talk=50, agent=agent)
        call(second_phone_queue, t0, wait=2)
    rows = json.loads(run("--from", "2026-03-02", "--to", "2026-03-02", "--by", "queue", "--json"))
    assert [r["group"] for r in rows] == ["phone-finance", "phone-general"]
    assert all(set(r) >= REQUIRED for r in rows)
    finance = rows[0]
    assert (finance["offered"], finance["short_abandons"], finance["service_level"], finance["aht_s"]) == (
        2,
        1,
        0.0,
        50.0,
    )
    assert finance["from"] == "2026-03-02T00:00:00+01:00"
    overall = json.loads(run("--from", "2026-03-02", "--to", "2026-03-02", "--sl-threshold", "30", "--json"))
    assert [(r["group"], r["offered"], r["service_level"]) for r in overall] == [("all", 3, 1.0)]


def test_the_command_reads_the_rollups_and_equals_the_definitions(  # noqa: PLR0917 - pytest fixtures
    phone_queue, second_phone_queue, email_queue, agent, t0, django_capture_on_commit_callbacks, monkeypatch
):
    """The same path as the screens (`rollups.report`: the rollups and day parts, with what dirty contacts touch
    folded from the events), every figure equal to its definition over the events, on a refreshed and a dirty day."""
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            at = t0 + dt.timedelta(days=n)
            call(phone_queue, at, wait=10 + n, talk=100, agent=agent, caller="+31201111111")
            call(second_phone_queue, at + dt.timedelta(hours=1), wait=40, talk=50, agent=agent, caller="+31201111111")
            arrive(email_queue, at + dt.timedelta(hours=2), caller="a@example.nl")
    rollups.refresh()
    with django_capture_on_commit_callbacks(execute=True):  # one more day, not refreshed yet
        call(phone_queue, t0 + dt.timedelta(days=1, hours=3), wait=3, talk=20, agent=agent, caller="+31201111111")
    cached: list[bool] = []
    original = metrics.report

    def spy(*args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        cached.append(kwargs.get("cached") is not None and kwargs.get("parts") is not None)
        return original(*args, **kwargs)

    monkeypatch.setattr(metrics, "report", spy)
    zone = ZoneInfo("Europe/Amsterdam")
    start, end = day_bounds(dt.date(2026, 3, 2), dt.date(2026, 3, 4), zone)
    for by in (None, "queue", "channel", "team"):
        args = ["--from", "2026-03-02", "--to", "2026-03-04", "--json"] + (["--by", by] if by else [])
        rows = json.loads(run(*args))
        raw = json.loads(json.dumps(original(start, end, by=by, zone=zone), default=str))
        strip = {"from", "to", "sl_threshold_s", "cost_to_serve", "cost_per_contact"}
        assert [{k: v for k, v in r.items() if k not in strip} for r in rows] == [
            {k: pytest.approx(v) if isinstance(v, float) else v for k, v in r.items()} for r in raw
        ], by
    assert cached == [True] * 4  # every run read the rollups and the day parts


def test_text_output_and_bad_input(phone_queue, agent, t0, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call(phone_queue, t0, wait=10, talk=100, agent=agent)
    text = run("--from", "2026-03-02", "--to", "2026-03-02", "--timezone", "Europe/Amsterdam")
    assert "all" in text and "not yet measured" in text
    with pytest.raises(CommandError, match="required"):
        run("--from", "2026-03-02")
    with pytest.raises(CommandError, match="time zone"):
        run("--from", "2026-03-02", "--to", "2026-03-02", "--timezone", "Mars/Olympus")
    with pytest.raises(CommandError, match="before"):
        run("--from", "2026-03-02", "--to", "2026-03-01")


def test_rebuild_rollups(phone_queue, agent, t0):
    call(phone_queue, t0, wait=10, talk=100, agent=agent)
    assert run("rebuild-rollups").startswith("2 rollup rows written")
    assert IntervalRollup.objects.filter(offered=1).count() == 2
