"""The driver analysis: R² as a regression gives it, shares that add up, refusal on too few answers, and on
simulated answers with known population importances the right ranking through `contactpunt feedback drivers`."""

from __future__ import annotations

import csv
import json
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from scipy.stats import spearmanr

from contactpunt.feedback.drivers import NotEnoughAnswers, analyse, build_design
from contactpunt.feedback.tests.simulated_drivers import answers, truth

SEEDS = 100


def test_r2_is_the_regressions_and_the_shares_add_up_to_it() -> None:
    table = answers(300, seed=7)
    design = build_design(table, "nps")
    x = np.column_stack([np.ones(len(design.y)), design.x])
    fitted = x @ np.linalg.lstsq(x, design.y, rcond=None)[0]
    r2 = 1 - ((design.y - fitted) ** 2).sum() / ((design.y - design.y.mean()) ** 2).sum()
    result = analyse(table, "nps", bootstrap=0)
    assert result.r2 == pytest.approx(r2, abs=1e-9)
    assert sum(d.share for d in result.drivers) == pytest.approx(r2, abs=1e-9)
    assert len(design.groups[-1]) == 2  # channel: three levels, two dummies


def test_fewer_than_ten_answers_per_driver_is_refused() -> None:
    table = answers(69, seed=1)  # 7 drivers need 70
    with pytest.raises(NotEnoughAnswers):
        analyse(table, "nps")
    assert analyse(answers(70, seed=1), "nps", bootstrap=0).n == 70


def test_a_noise_driver_is_not_significant_and_waiting_lowers_the_score() -> None:
    table = answers(500, seed=3)
    table["noise"] = [float(v) for v in np.random.default_rng(99).normal(size=500)]
    result = {d.name: d for d in analyse(table, "nps", bootstrap=200, seed=1).drivers}
    assert not result["noise"].significant and result["noise"].low < 0.01
    assert result["wait"].significant and result["wait"].direction == -1
    assert result["wait"].low < result["wait"].share < result["wait"].high


def test_the_ranking_matches_the_population_at_500_answers() -> None:
    known = truth()
    order = np.argsort(known.shares)[-3:]
    matched = top_three = 0
    for seed in range(SEEDS):
        result = {d.name: d.share for d in analyse(answers(500, seed=1000 + seed), "nps", bootstrap=0).drivers}
        estimated = [result[name] for name in known.names]
        matched += spearmanr(estimated, known.shares).statistic >= 0.9
        top_three += set(np.argsort(estimated)[-3:]) == set(order)
    assert matched / SEEDS >= 0.95
    assert top_three / SEEDS >= 0.90


def _write(path: Path, table: dict[str, list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(table)
        writer.writerows(zip(*table.values(), strict=True))


def test_the_command_prints_the_json_the_issue_names(tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    table = answers(500, seed=5)
    table["nps"] = [min(10, max(0, round(float(str(v))))) for v in table["nps"]]
    _write(path, table)
    out = StringIO()
    call_command(
        "feedback", "drivers", "--csv", str(path), "--target", "nps", "--json", "--bootstrap", "50", stdout=out
    )
    printed = json.loads(out.getvalue())
    assert set(printed) == {"drivers", "r2", "n"} and printed["n"] == 500
    assert [d["name"] for d in printed["drivers"]][:2] == ["wait", "friendliness"]
    for d in printed["drivers"]:
        assert {"name", "share", "low", "high"} <= set(d) and 0 <= d["low"] <= d["high"] <= 1
    with pytest.raises(CommandError, match="--target"):
        call_command("feedback", "drivers", "--csv", str(path), "--target", "csat")
    (tmp_path / "few.csv").write_text("nps,wait\n9,30\n3,600\n", encoding="utf-8")
    with pytest.raises(CommandError, match="not enough answers"):
        call_command("feedback", "drivers", "--csv", str(tmp_path / "few.csv"))


def test_a_driver_of_clear_size_but_unsure_direction_says_so() -> None:
    from django.utils import translation

    from contactpunt.feedback.drivers import Driver, DriverAnalysis
    from contactpunt.feedback.plain import readings

    unsure = Driver("fcr", 0.04, 0.031, 0.057, significant=False, direction=1)
    noise = Driver("transfers", 0.002, 0.0, 0.01, significant=False, direction=-1)
    clear = Driver("waiting", 0.2, 0.15, 0.25, significant=True, direction=-1)
    with translation.override("nl"):
        lines = readings(DriverAnalysis([clear, unsure, noise], 0.3, 500))
    assert "toeval" not in lines[0]
    assert "De omvang is duidelijk, de richting niet" in lines[1]  # its size is clear, not its sign
    assert "Dit kan toeval zijn" in lines[2]
    barely = Driver("expertise", 0.05, 0.003, 0.11, significant=True, direction=1)
    with translation.override("nl"):
        (line,) = readings(DriverAnalysis([barely], 0.3, 500))
    assert "(0,3% tot 11%)" in line  # a clear lower bound never reads 0%


def test_every_interval_holds_its_estimate_a_categorical_driver_included() -> None:
    # A share of R² is never negative, so a driver of many columns resamples above its estimate: the plain
    # percentile interval of a reason started at or above the estimate itself ("11%, 11% to 33%").
    table = answers(200, seed=0)
    levels = np.random.default_rng(0).integers(0, 15, 200)  # fifteen reasons, a small effect
    table["reason"] = [f"r{v}" for v in levels]
    table["nps"] = [float(y) + 0.4 * (level % 3) for y, level in zip(table["nps"], levels, strict=True)]
    for driver in analyse(table, "nps", bootstrap=200, seed=2).drivers:
        assert driver.low <= driver.share <= driver.high, driver
