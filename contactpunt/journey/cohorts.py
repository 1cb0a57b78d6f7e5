"""Returning customers by cohort: the one computation behind the cohort page and `contactpunt journey cohorts`.

A customer's cohort is the calendar month (or quarter) of their first order, dates as given. `bracket[k-1]` is the
share of the cohort with an order in exactly the k-th period after the cohort's, `on_or_after[k-1]` in that period
or any later one; `returning` is the share with another order on a later day at most `window_days` after the first
(several orders on the first day are not a return). Set-based: one query of distinct (customer, day) pairs, then
numpy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from contactpunt.journey.models import Order

PERIODS = ("month", "quarter")
_EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class Cohort:
    label: str
    size: int
    returning: float
    bracket: list[float]
    on_or_after: list[float]

    def as_dict(self) -> dict[str, object]:
        return {
            "cohort": self.label,
            "size": self.size,
            "returning_24m": self.returning,
            "bracket": self.bracket,
            "on_or_after": self.on_or_after,
        }


def order_days() -> list[tuple[int, dt.date]]:
    """The distinct (customer, order date) pairs of every order that has a customer."""
    rows = Order.objects.filter(customer__isnull=False).values_list("customer_id", "ordered_on").distinct()
    return [(pk, day) for pk, day in rows if pk is not None]


def _period_index(days: npt.NDArray[np.int64], by: str) -> npt.NDArray[np.int64]:
    """Months (or quarters) since 1970 of each day number (days since 1970-01-01)."""
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return months if by == "month" else months // 3


def _label(index: int, by: str) -> str:
    if by == "month":
        return f"{1970 + index // 12:04d}-{index % 12 + 1:02d}"
    return f"{1970 + index // 4:04d}-Q{index % 4 + 1}"


def compute(
    pairs: Iterable[tuple[int, dt.date]], *, by: str = "month", periods: int = 12, window_days: int = 730
) -> list[Cohort]:
    """The cohorts of the (customer, order date) pairs, oldest first."""
    if by not in PERIODS:
        raise ValueError(f"by must be one of {PERIODS}")
    data = list(pairs)
    if not data:
        return []
    customer = np.fromiter((pk for pk, _day in data), dtype=np.int64, count=len(data))
    day = np.fromiter(((d - _EPOCH).days for _pk, d in data), dtype=np.int64, count=len(data))
    _ids, code = np.unique(customer, return_inverse=True)
    code = code.ravel()
    n = int(code.max()) + 1
    first_day = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_day, code, day)
    period = _period_index(day, by)
    first_period = _period_index(first_day, by)
    offset = period - first_period[code]
    # returned within the window: another order on a later day, at most window_days after the first
    delta = day - first_day[code]
    returned = np.zeros(n, dtype=bool)
    returned[code[(delta > 0) & (delta <= window_days)]] = True
    # the latest period offset a customer ordered in: "in period k or later" is latest >= k
    latest = np.zeros(n, dtype=np.int64)
    np.maximum.at(latest, code, offset)
    # exactly period k: one mark per (customer, k)
    inside = (offset >= 1) & (offset <= periods)
    exact = np.zeros((n, periods + 1), dtype=bool)
    exact[code[inside], offset[inside]] = True
    cohorts, cohort_of = np.unique(first_period, return_inverse=True)
    cohort_of = cohort_of.ravel()
    sizes = np.bincount(cohort_of, minlength=len(cohorts))
    returned_n = np.bincount(cohort_of, weights=returned, minlength=len(cohorts))
    exact_n = np.zeros((len(cohorts), periods + 1))
    later_n = np.zeros((len(cohorts), periods + 1))
    for k in range(1, periods + 1):
        exact_n[:, k] = np.bincount(cohort_of, weights=exact[:, k], minlength=len(cohorts))
        later_n[:, k] = np.bincount(cohort_of, weights=latest >= k, minlength=len(cohorts))
    result = []
    for row, index in enumerate(cohorts):
        size = int(sizes[row])
        result.append(
            Cohort(
                label=_label(int(index), by),
                size=size,
                returning=float(returned_n[row] / size),
                bracket=[float(exact_n[row, k] / size) for k in range(1, periods + 1)],
                on_or_after=[float(later_n[row, k] / size) for k in range(1, periods + 1)],
            )
        )
    return result


def cohorts(*, by: str = "month", periods: int = 12, window_days: int = 730) -> list[Cohort]:
    """The cohorts of every stored order with a customer."""
    return compute(order_days(), by=by, periods=periods, window_days=window_days)
