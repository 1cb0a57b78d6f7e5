"""The `staffing` command, run as planners run it."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from contactpunt.workforce.erlang import erlang_a


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


def _erlang_a(*extra: str) -> dict[str, float]:
    base = ("--volume", "360", "--interval", "30m", "--aht", "240", "--target-sl", "0.8", "--target-time", "20")
    result: dict[str, float] = json.loads(run(*base, "--patience", "120", *extra, "--json"))
    return result


def test_max_abandon_gives_the_fewest_agents_under_the_cap():
    plain = _erlang_a()
    capped = _erlang_a("--max-abandon", "0.02")
    assert plain["abandon_rate"] > 0.02  # the service level alone allows more abandonment
    assert capped["abandon_rate"] <= 0.02
    assert capped["service_level"] >= 0.8
    assert capped["agents"] > plain["agents"]
    # The smallest: one agent fewer breaks the cap.
    below = erlang_a(arrival_rate=360 / 1800, aht_s=240, agents=int(capped["agents"]) - 1, threshold_s=20,
                     patience_s=120)  # fmt: skip
    assert below.abandon_rate is not None and below.abandon_rate > 0.02


def test_max_abandon_needs_a_patience():
    with pytest.raises(CommandError, match="needs --patience"):
        run("--volume", "10", "--aht", "200", "--max-abandon", "0.05")
