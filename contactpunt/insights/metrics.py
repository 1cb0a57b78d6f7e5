"""Plain metric functions shared by the commands, the training code and the benchmark."""

from __future__ import annotations

from collections.abc import Sequence


def accuracy(expected: Sequence[str], predicted: Sequence[str]) -> float:
    """Return the share of positions where ``predicted`` equals ``expected``; 0.0 for no rows."""
    _check_lengths(expected, predicted)
    if not expected:
        return 0.0
    return sum(e == p for e, p in zip(expected, predicted, strict=True)) / len(expected)


def macro_f1(expected: Sequence[str], predicted: Sequence[str]) -> float:
    """Return the unweighted mean F1 over the labels that occur in ``expected``.

    A predicted label that never occurs in ``expected`` (a ``neutral`` on a positive/negative file, a
    "none of the known reasons" on a file without out-of-scope rows) adds no class of its own but
    counts as a miss for the true label, so it lowers recall.
    """
    _check_lengths(expected, predicted)
    labels = sorted(set(expected))
    if not labels:
        return 0.0
    scores = []
    for label in labels:
        true_positive = sum(e == label and p == label for e, p in zip(expected, predicted, strict=True))
        predicted_count = sum(p == label for p in predicted)
        expected_count = sum(e == label for e in expected)
        precision = true_positive / predicted_count if predicted_count else 0.0
        recall = true_positive / expected_count
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores)


def out_of_scope_scores(
    expected: Sequence[str], predicted: Sequence[str], *, oos_label: str
) -> tuple[float, float | None]:
    """Return (in-scope accuracy, out-of-scope recall).

    In-scope accuracy is the accuracy over rows whose expected label is not ``oos_label`` (a rejected
    in-scope row is wrong); out-of-scope recall is the share of ``oos_label`` rows predicted as
    ``oos_label``, or None when there are none.
    """
    _check_lengths(expected, predicted)
    in_scope = [(e, p) for e, p in zip(expected, predicted, strict=True) if e != oos_label]
    out_of_scope = [p for e, p in zip(expected, predicted, strict=True) if e == oos_label]
    in_scope_accuracy = sum(e == p for e, p in in_scope) / len(in_scope) if in_scope else 0.0
    recall = sum(p == oos_label for p in out_of_scope) / len(out_of_scope) if out_of_scope else None
    return in_scope_accuracy, recall


def _check_lengths(expected: Sequence[str], predicted: Sequence[str]) -> None:
    if len(expected) != len(predicted):
        raise ValueError(f"{len(expected)} expected labels but {len(predicted)} predictions")
