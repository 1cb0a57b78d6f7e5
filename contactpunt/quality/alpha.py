"""Krippendorff's alpha: the agreement of several reviewers who scored the same units, corrected for chance.

Follows Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": the coincidence matrix of the
pairable values (units with at least two values; a missing value is NaN), the observed and the expected
disagreement under a difference function per level of measurement, and alpha = 1 - D_o / D_e. 1 is perfect
agreement, 0 agreement by chance; 0.667 is the lowest value from which tentative conclusions are drawn."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

import numpy as np
import numpy.typing as npt

#: Below this a criterion is not scored reliably and is flagged for rewriting (Krippendorff 2004, 241).
ACCEPTABLE = 0.667


class Level(StrEnum):
    NOMINAL = "nominal"
    ORDINAL = "ordinal"
    INTERVAL = "interval"
    RATIO = "ratio"


def _differences(
    values: npt.NDArray[np.float64], totals: npt.NDArray[np.float64], level: Level
) -> npt.NDArray[np.float64]:
    c = values[:, None]
    k = values[None, :]
    if level is Level.NOMINAL:
        unequal: npt.NDArray[np.float64] = (c != k).astype(np.float64)
        return unequal
    if level is Level.INTERVAL:
        squares: npt.NDArray[np.float64] = (c - k) ** 2
        return squares
    if level is Level.RATIO:
        sums = c + k
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio: npt.NDArray[np.float64] = np.where(sums == 0, 0.0, ((c - k) / sums) ** 2)
        return ratio
    # ordinal: the values' ranks weighted by how often each value occurs
    cumulative = np.cumsum(totals)
    index = np.arange(len(values))
    low = np.minimum(index[:, None], index[None, :])
    high = np.maximum(index[:, None], index[None, :])
    between = cumulative[high] - np.where(low > 0, cumulative[low - 1], 0.0)
    return (between - (totals[:, None] + totals[None, :]) / 2) ** 2


def alpha(
    data: Sequence[Sequence[float | None]] | npt.NDArray[np.float64], level: Level | str = Level.INTERVAL
) -> float | None:
    """Krippendorff's alpha of `data`, reviewers (rows) by units (columns), None or NaN for a missing value.

    Return None when it is undefined: fewer than two pairable values, or no variation at all (every value the
    same, so there is no disagreement to expect)."""
    if isinstance(data, np.ndarray):
        matrix = data.astype(np.float64)
    else:
        matrix = np.array([[np.nan if v is None else float(v) for v in row] for row in data], dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError("data must be reviewers by units")
    present = ~np.isnan(matrix)
    pairable = matrix[:, present.sum(axis=0) >= 2]
    if pairable.size == 0:
        return None
    values = np.unique(pairable[~np.isnan(pairable)])
    if len(values) < 2:
        return None
    # counts[u, v]: how many reviewers gave value v to unit u
    counts = np.stack([(pairable == value).sum(axis=0) for value in values], axis=1).astype(np.float64)
    per_unit = counts.sum(axis=1)
    coincidences = np.einsum("uc,uk->ck", counts / (per_unit - 1)[:, None], counts)
    coincidences -= np.diag((counts / (per_unit - 1)[:, None]).sum(axis=0))
    totals = coincidences.sum(axis=1)
    n = float(totals.sum())
    delta = _differences(values, totals, Level(level))
    observed = float((coincidences * delta).sum()) / n
    expected = float((np.outer(totals, totals) * delta).sum()) / (n * (n - 1))
    if expected == 0:
        return None
    return float(1.0 - observed / expected)
