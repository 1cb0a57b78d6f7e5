"""`contactpunt kpis`: the report for scripts, and rebuilding the rollups."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from contactpunt.kpis.models import IntervalRollup
from contactpunt.kpis.tests.helpers import call

pytestmark = pytest.mark.django_db
REQUIRED = {
    *("offered", "answered", "abandoned", "short_abandons", "service_level", "asa_s", "aht_s", "abandon_rate"),
    *("transfer_rate", "fcr", "repeat_rate", "identified_share", "csi_median_s", "csi_p90_s", "reachability"),
}


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("kpis", *args, stdout=out)
    return out.getvalue()


def test_json_has_one_object_per_group_with_every_key(phone_queue, second_phone_queue, agent, t0):
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


def test_text_output_and_bad_input(phone_queue, agent, t0):
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
