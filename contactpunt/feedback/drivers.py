"""Driver analysis: how much of the variation in a score (NPS 0-10) each driver explains.

The method is LMG (Lindeman, Merenda and Gold; the Shapley value of R²): a driver's share is its gain in R²
averaged over every order in which the drivers could enter the regression. Its shares add up to the full
model's R². A categorical driver (channel, reason) is one driver made of its dummy columns.

R² of every subset of drivers comes from one correlation matrix of the target and the columns (no refitting):
R²(S) = r_S' R_SS⁻¹ r_S, found by one Schur-complement step per driver over
all subsets at once (see `subset_r2`); 12 drivers are 4,096 subsets. Intervals are bootstrap percentiles of
the resampled shares moved by their bias (a share is never negative, so resampling inflates it). A one-column
driver is not significant when the bootstrap interval of its signed share (the share with the sign of its
coefficient in the full model) contains zero; a categorical one when the partial F-test of its columns in the
full model has p >= 0.05. Fewer than MIN_PER_DRIVER answers per driver is refused.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
from scipy import special
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]  # (scikit-learn's dependency)

Array = npt.NDArray[np.float64]
MIN_PER_DRIVER = 10
BOOTSTRAP = 200
MAX_DRIVERS = 14


class NotEnoughAnswers(ValueError):
    """Too few answers for the number of drivers."""


@dataclass(frozen=True, slots=True)
class Driver:
    name: str
    share: float  # of the variance of the target it explains (the LMG part of R²), 0..1
    low: float
    high: float
    significant: bool
    direction: int  # +1 raises the score, -1 lowers it, 0 for a categorical driver


@dataclass(frozen=True, slots=True)
class DriverAnalysis:
    drivers: list[Driver]  # largest share first
    r2: float
    n: int

    def as_dict(self) -> dict[str, object]:
        """The command's JSON: fractions 0..1."""
        return {
            "drivers": [
                {
                    "name": d.name,
                    "share": round(d.share, 4),
                    "low": round(d.low, 4),
                    "high": round(d.high, 4),
                    "significant": d.significant,
                    "direction": d.direction,
                }
                for d in self.drivers
            ],
            "r2": round(self.r2, 4),
            "n": self.n,
        }


@dataclass(frozen=True, slots=True)
class Design:
    """The numeric target and the columns of each driver (a categorical one has a dummy per level but one)."""

    y: Array
    x: Array
    names: list[str]
    groups: list[list[int]]


def _as_number(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return None if math.isnan(float(value)) else float(value)
    text = str(value).strip().replace(",", ".")
    if text == "":
        return None
    try:
        return float(text)
    except ValueError:
        return math.nan  # not a number: the column is categorical


def build_design(table: Mapping[str, Sequence[object]], target: str) -> Design:
    """The design of `table` (column name -> values, one per answer): rows with an empty target or driver are left
    out; a column with any non-numeric value is categorical (dummies, the most common level as reference)."""
    if target not in table:
        raise KeyError(target)
    names = [name for name in table if name != target]
    rows = len(table[target])
    parsed = {name: [_as_number(v) for v in table[name]] for name in [target, *names]}
    categorical = {name for name in names if any(v is not None and math.isnan(v) for v in parsed[name])}
    target_values = parsed[target]
    if any(v is not None and math.isnan(v) for v in target_values):
        raise ValueError(f"the target column {target!r} must be numeric")

    def present(i: int) -> bool:
        if target_values[i] is None:
            return False
        for name in names:
            raw = table[name][i]
            if (name in categorical and (raw is None or str(raw).strip() == "")) or (
                name not in categorical and parsed[name][i] is None
            ):
                return False
        return True

    keep = [i for i in range(rows) if present(i)]
    columns: list[Array] = []
    groups: list[list[int]] = []
    for name in names:
        if name in categorical:
            labels = [str(table[name][i]).strip() for i in keep]
            levels = sorted(set(labels), key=lambda level: (-labels.count(level), level))
            start = len(columns)
            for level in levels[1:]:
                columns.append(np.array([1.0 if label == level else 0.0 for label in labels]))
            groups.append(list(range(start, len(columns))))
        else:
            groups.append([len(columns)])
            columns.append(np.array([parsed[name][i] for i in keep], dtype=float))
    y = np.array([target_values[i] for i in keep], dtype=float)
    x = np.column_stack(columns) if columns else np.zeros((len(keep), 0))
    return Design(y, x, names, groups)


def correlation(y: Array, x: Array) -> Array:
    """The correlation matrix of [y, x]; a constant column is uncorrelated with everything (explains nothing)."""
    data = np.column_stack([y, x])
    centred = data - data.mean(axis=0)
    scale = np.sqrt((centred**2).sum(axis=0))
    safe = np.where(scale > 1e-12, scale, 1.0)
    standard = centred / safe
    matrix = standard.T @ standard
    constant = scale <= 1e-12
    matrix[constant, :] = 0.0
    matrix[:, constant] = 0.0
    np.fill_diagonal(matrix, 1.0)
    return np.asarray(matrix, dtype=np.float64)


def subset_r2(corr: Array, groups: list[list[int]]) -> Array:
    """R² of every subset of drivers (indexed by bit mask) from the correlation matrix of [y, columns].

    The matrices of the subsets with highest driver j are those of the subsets below 2^j with j's columns swept
    out (a Schur complement per column): p vectorised steps over all subsets at once. Each step keeps only y and
    the columns of the drivers still to come, so the matrices shrink as the number of subsets grows. The
    residual variance of y is the top-left entry: R² = 1 - it. A column that is constant or a combination of
    columns already in (pivot near zero) adds nothing."""
    p = len(groups)
    r2 = np.zeros(2**p)
    order = [0, *(c + 1 for g in groups for c in g)]
    current = corr[np.ix_(order, order)][None, :, :]
    for j, group in enumerate(groups):
        width = len(group)
        block = current.copy()
        for k in range(1, width + 1):
            pivot = block[:, k, k]
            usable = pivot > 1e-10
            factor = np.where(usable, 1.0 / np.where(usable, pivot, 1.0), 0.0)
            row = block[:, k, :].copy()
            block -= (block[:, :, k] * factor[:, None])[:, :, None] * row[:, None, :]
        r2[2**j : 2 ** (j + 1)] = 1.0 - block[:, 0, 0]
        keep = [0, *range(width + 1, current.shape[1])]
        current = np.concatenate([current, block])[:, keep][:, :, keep]
    return np.clip(r2, 0.0, 1.0)


@cache
def _weights(p: int) -> tuple[npt.NDArray[np.int64], ...]:
    """Per driver j: the masks without j, and the Shapley weight of each (|S|! (p-|S|-1)! / p!)."""
    masks = np.arange(2**p)
    sizes = np.array([bin(m).count("1") for m in masks])
    weight = np.array([math.factorial(s) * math.factorial(max(p - s - 1, 0)) / math.factorial(p) for s in range(p + 1)])
    out = []
    for j in range(p):
        without = masks[(masks >> j & 1) == 0]
        out.extend([without, weight[sizes[without]]])
    return tuple(out)


def lmg(r2: Array, p: int) -> Array:
    """Each driver's LMG share of R² from the R² of every subset."""
    weights = _weights(p)
    return np.array(
        [float((weights[2 * j + 1] * (r2[weights[2 * j] | 1 << j] - r2[weights[2 * j]])).sum()) for j in range(p)]
    )


def weighted_correlation(data: Array, weights: Array) -> Array:
    """The correlation matrix of the rows of `data` counted `weights` times (a bootstrap resample without
    copying rows); a constant column is uncorrelated with everything."""
    total = weights.sum()
    mean = weights @ data / total
    centred = data - mean
    matrix = (centred * weights[:, None]).T @ centred
    scale = np.sqrt(np.diag(matrix))
    constant = scale <= 1e-12
    safe = np.where(constant, 1.0, scale)
    matrix = matrix / np.outer(safe, safe)
    matrix[constant, :] = 0.0
    matrix[:, constant] = 0.0
    np.fill_diagonal(matrix, 1.0)
    return np.asarray(matrix, dtype=np.float64)


def shares_from(corr: Array, groups: list[list[int]]) -> tuple[Array, float, Array]:
    """LMG shares, the full R² and the full model's standardised coefficients, from the correlation matrix."""
    r2 = subset_r2(corr, groups)
    columns = corr.shape[0] - 1
    beta = np.linalg.lstsq(corr[1:, 1:], corr[0, 1:], rcond=None)[0] if columns else np.zeros(0)
    return lmg(r2, len(groups)), float(r2[-1]), np.asarray(beta, dtype=np.float64)


def shares_of(y: Array, x: Array, groups: list[list[int]]) -> tuple[Array, float, Array]:
    """LMG shares, the full R² and the full model's standardised coefficients of the answers."""
    return shares_from(correlation(y, x), groups)


def analyse(
    table: Mapping[str, Sequence[object]], target: str, *, bootstrap: int = BOOTSTRAP, seed: int = 0
) -> DriverAnalysis:
    """The LMG analysis of `target` on every other column of `table`; NotEnoughAnswers under MIN_PER_DRIVER
    answers per driver, ValueError for more than MAX_DRIVERS drivers.

    On one BLAS thread: the matrices are a few dozen columns wide, and OpenBLAS's threads only wait for each other
    (on two busy cores a month of answers took five times the CPU, and more wall time, with them)."""
    with threadpool_limits(limits=1, user_api="blas"):
        return _analyse(table, target, bootstrap=bootstrap, seed=seed)


def _analyse(table: Mapping[str, Sequence[object]], target: str, *, bootstrap: int, seed: int) -> DriverAnalysis:
    design = build_design(table, target)
    p, n = len(design.groups), len(design.y)
    if p == 0:
        raise ValueError("no driver columns")
    if p > MAX_DRIVERS:
        raise ValueError(f"at most {MAX_DRIVERS} drivers")
    if n < MIN_PER_DRIVER * p:
        raise NotEnoughAnswers(f"{n} answers for {p} drivers; at least {MIN_PER_DRIVER * p} needed")
    shares, r2, beta = shares_of(design.y, design.x, design.groups)
    signs = np.array([float(np.sign(beta[g[0]])) if len(g) == 1 else 0.0 for g in design.groups])
    samples = np.empty((bootstrap, p))
    rng = np.random.default_rng(seed)
    data = np.column_stack([design.y, design.x])
    for b in range(bootstrap):
        weights = np.bincount(rng.integers(0, n, n), minlength=n).astype(float)
        sample, _, sample_beta = shares_from(weighted_correlation(data, weights), design.groups)
        sample_signs = np.array([np.sign(sample_beta[g[0]]) if len(g) == 1 else 1.0 for g in design.groups])
        samples[b] = sample * sample_signs
    drivers = []
    for j, name in enumerate(design.names):
        group = design.groups[j]
        if bootstrap:
            low, high = _bias_corrected(np.abs(samples[:, j]), abs(float(shares[j])))
            if len(group) == 1:
                signed_low, signed_high = np.percentile(samples[:, j], [2.5, 97.5])
                significant = bool(signed_low > 0 or signed_high < 0)
            else:
                significant = _partial_f(design, j, r2) < 0.05
        else:
            low = high = float(shares[j])
            significant = _partial_f(design, j, r2) < 0.05
        drivers.append(Driver(name, float(shares[j]), low, high, significant, int(signs[j])))
    drivers.sort(key=lambda d: -d.share)
    return DriverAnalysis(drivers, r2, n)


def _bias_corrected(samples: Array, estimate: float) -> tuple[float, float]:
    """The 95% bootstrap interval of a share, centred on the estimate: the resampled shares moved by their bias
    (their median less the estimate), then their percentiles, never below zero. A share of R² is never negative,
    so resampling inflates it, most for a driver of many columns (a reason of fifteen levels resampled wholly above
    its estimate); the plain percentiles then gave an interval that started at, or above, the estimate itself."""
    shifted = samples - (float(np.median(samples)) - estimate)
    low, high = (float(v) for v in np.percentile(shifted, [2.5, 97.5]))
    return max(low, 0.0), max(high, 0.0)


def _partial_f(design: Design, j: int, r2_full: float) -> float:
    """The p-value of the partial F-test of driver j's columns in the full model."""
    others = [g for i, g in enumerate(design.groups) if i != j]
    columns = [c for g in others for c in g]
    corr = correlation(design.y, design.x[:, columns]) if columns else np.ones((1, 1))
    reduced = float(subset_r2(corr, _renumber(others))[-1]) if columns else 0.0
    k = len(design.groups[j])
    df = len(design.y) - design.x.shape[1] - 1
    if df <= 0 or r2_full >= 1:
        return 0.0
    f = ((r2_full - reduced) / k) / ((1 - r2_full) / df)
    # The F distribution's survival function (what scipy.stats.f.sf computes), from scipy.special: importing
    # scipy.stats was a third of the CPU every command and worker spent starting (2.0 -> 1.4 s for --version).
    return float(special.fdtrc(k, df, f))


def _renumber(groups: list[list[int]]) -> list[list[int]]:
    out, start = [], 0
    for g in groups:
        out.append(list(range(start, start + len(g))))
        start += len(g)
    return out
