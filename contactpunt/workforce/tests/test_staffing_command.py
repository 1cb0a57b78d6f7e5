"""The `staffing` command, run as planners run it."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def run(*args: str) -> str:
    out = StringIO()
    call_command("staffing", *args, stdout=out)
    return out.getvalue()


def test_staffing_json_under_erlang_c():
    figures = json.loads(
        run(
            "--volume",
            "360",
            "--interval",
            "30m",
            "--aht",
            "240",
            "--target-sl",
            "0.8",
            "--target-time",
            "20",
            "--json",
        )
    )
    assert figures["agents"] == 54
    assert figures["model"] == "erlang_c"
    assert figures["service_level"] == pytest.approx(0.8172, abs=1e-4)
    assert figures["occupancy"] == pytest.approx(48 / 54, abs=1e-6)
    assert figures["asa_s"] == pytest.approx(12.05, abs=0.01)
    assert "abandon_rate" not in figures


def test_staffing_with_patience_and_an_occupancy_cap_uses_erlang_a():
    figures = json.loads(
        run(
            "--volume",
            "360",
            "--interval",
            "30m",
            "--aht",
            "240",
            "--target-sl",
            "0.8",
            "--target-time",
            "20",
            "--patience",
            "120",
            "--max-occupancy",
            "0.85",
            "--json",
        )
    )
    assert figures["model"] == "erlang_a"
    assert figures["occupancy"] <= 0.85
    assert 0 < figures["abandon_rate"] < 0.05
    assert figures["service_level"] >= 0.8


def test_staffing_plain_text_and_a_15_minute_interval():
    text = run("--volume", "180", "--interval", "15m", "--aht", "240", "--target-sl", "0.8", "--target-time", "20")
    # 180 calls per quarter hour is the same 48 Erlangs as 360 per half hour.
    assert "agents         54" in text
    assert "service_level" in text


def test_staffing_rejects_a_bad_interval():
    with pytest.raises(CommandError, match="duration"):
        run("--volume", "10", "--interval", "half an hour", "--aht", "200")
