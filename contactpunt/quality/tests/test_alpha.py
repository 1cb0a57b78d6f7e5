"""Krippendorff's alpha against the worked examples of Krippendorff (2011), "Computing Krippendorff's
Alpha-Reliability" (Departmental Papers, Annenberg School for Communication, University of Pennsylvania)."""

from __future__ import annotations

import numpy as np
import pytest

from contactpunt.quality.alpha import Level, alpha

_: None = None
# Section C: four observers, twelve units, values 1..5, with missing values.
FOUR_OBSERVERS = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
    [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
]
# Section A: two observers, ten units, binary values.
TWO_OBSERVERS_BINARY = [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]


@pytest.mark.parametrize(
    ("level", "expected"),
    [(Level.NOMINAL, 0.743), (Level.ORDINAL, 0.815), (Level.INTERVAL, 0.849), (Level.RATIO, 0.797)],
)
def test_the_four_observer_example_with_missing_values(level: Level, expected: float) -> None:
    assert alpha(FOUR_OBSERVERS, level) == pytest.approx(expected, abs=0.0005)


def test_the_two_observer_binary_example() -> None:
    assert alpha(TWO_OBSERVERS_BINARY, Level.NOMINAL) == pytest.approx(0.095, abs=0.0005)


def test_perfect_agreement_is_one_and_undefined_cases_are_none() -> None:
    assert alpha([[1, 2, 3], [1, 2, 3]], Level.ORDINAL) == pytest.approx(1.0)
    assert alpha([[2, 2, 2], [2, 2, 2]]) is None  # no variation: nothing to expect
    assert alpha([[1, _, _], [_, 2, _]]) is None  # no unit scored twice
    assert alpha(np.array([[1.0, np.nan, 3.0], [1.0, 2.0, 3.0]]), "interval") == pytest.approx(1.0)
