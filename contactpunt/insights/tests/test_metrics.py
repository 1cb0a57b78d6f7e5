from __future__ import annotations

import pytest

from contactpunt.insights.metrics import accuracy, macro_f1, out_of_scope_scores


def test_accuracy() -> None:
    assert accuracy(["a", "b", "c", "d"], ["a", "b", "x", "d"]) == 0.75
    assert accuracy([], []) == 0.0


def test_macro_f1_averages_over_expected_labels_only() -> None:
    expected = ["positive", "positive", "negative", "negative"]
    predicted = ["positive", "neutral", "negative", "positive"]
    # positive: precision 1/2, recall 1/2 -> 0.5; negative: precision 1, recall 1/2 -> 2/3.
    assert macro_f1(expected, predicted) == pytest.approx((0.5 + 2 / 3) / 2)


def test_macro_f1_perfect_and_empty() -> None:
    assert macro_f1(["a", "b"], ["a", "b"]) == 1.0
    assert macro_f1([], []) == 0.0


def test_out_of_scope_scores() -> None:
    expected = ["a", "a", "b", "oos", "oos", "oos", "oos"]
    predicted = ["a", "oos", "b", "oos", "oos", "a", "oos"]
    in_scope_accuracy, recall = out_of_scope_scores(expected, predicted, oos_label="oos")
    assert in_scope_accuracy == pytest.approx(2 / 3)
    assert recall == 0.75


def test_out_of_scope_recall_is_none_without_out_of_scope_rows() -> None:
    assert out_of_scope_scores(["a"], ["a"], oos_label="oos") == (1.0, None)


def test_length_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError, match="2 expected labels but 1 predictions"):
        accuracy(["a", "b"], ["a"])
