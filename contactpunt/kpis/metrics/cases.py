"""Case figures: first contact resolution and the Customer Speed Index (written channels: `kpis.written`)."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Sequence

from contactpunt.contacts.models import Contact, Direction
from contactpunt.kpis.facts import CaseFacts, reason_roots
from contactpunt.kpis.metrics.definitions import FCR_WINDOW, duration_bucket, ratio


def _later_inbound(cases: Sequence[CaseFacts]) -> dict[int, list[tuple[dt.datetime, int | None, int]]]:
    """The inbound contacts of the cases' customers, with their case's top-level reason, by customer."""
    customers = {c.customer_id for c in cases if c.customer_id is not None and c.first_resolved_at is not None}
    if not customers:
        return {}
    start = min(c.first_resolved_at for c in cases if c.first_resolved_at is not None)
    end = max(c.first_resolved_at for c in cases if c.first_resolved_at is not None) + FCR_WINDOW
    roots = reason_roots()
    found: dict[int, list[tuple[dt.datetime, int | None, int]]] = defaultdict(list)
    for customer_id, at, reason_id, case_id in Contact.objects.filter(
        customer_id__in=customers, direction=Direction.INBOUND, occurred_at__gt=start, occurred_at__lte=end
    ).values_list("customer_id", "occurred_at", "case__reason_id", "case_id"):
        found[customer_id].append((at, roots.get(reason_id) if reason_id is not None else None, case_id))
    return found


def is_first_contact_resolution(case: CaseFacts, later: dict[int, list[tuple[dt.datetime, int | None, int]]]) -> bool:
    """True when the case was resolved on its first inbound contact, never reopened, and the customer
    had no inbound contact on the same top-level reason (unknown reasons match any) in the 7 days after."""
    if case.first_resolved_at is None or case.is_reopened or case.inbound_before_resolution != 1:
        return False
    if case.customer_id is None:
        return True
    limit = case.first_resolved_at + FCR_WINDOW
    for at, root, _case_id in later.get(case.customer_id, ()):
        if case.first_resolved_at < at <= limit and (
            root is None or case.reason_root_id is None or root == case.reason_root_id
        ):
            return False
    return True


def fcr(cases: Sequence[CaseFacts], *, now: dt.datetime) -> tuple[float | None, int]:
    """FCR = first-contact resolutions / resolved cases whose 7 days have passed by `now`; returns
    (rate, number of cases counted). `cases` are the cases first resolved in the period."""
    mature = [c for c in cases if c.first_resolved_at is not None and c.first_resolved_at + FCR_WINDOW <= now]
    later = _later_inbound(mature)
    solved = sum(1 for c in mature if is_first_contact_resolution(c, later))
    return ratio(solved, len(mature)), len(mature)


def fcr_so_far(cases: Sequence[CaseFacts]) -> float | None:
    """FCR so far: first-contact resolutions up to now / every resolved case of `cases`, including those whose 7
    days are still running (a repeat contact may yet spoil them). Shown, marked provisional, only where `fcr` has
    no case yet: a period younger than 7 days (the current month's first week showed "—")."""
    resolved = [c for c in cases if c.first_resolved_at is not None]
    later = _later_inbound(resolved)
    return ratio(sum(1 for c in resolved if is_first_contact_resolution(c, later)), len(resolved))


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least `share` of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def customer_speed_index(cases: Sequence[CaseFacts]) -> tuple[float | None, float | None, int]:
    """CSI = resolved_at - first contact of the case, over the cohort of cases created in the period, each time on the
    duration grid (`definitions.duration_bucket`); returns (median, nearest-rank p90, open cases of the cohort)."""
    times = [duration_bucket((c.resolved_at - c.opened_at).total_seconds()) for c in cases if c.resolved_at is not None]
    open_cases = sum(1 for c in cases if c.resolved_at is None)
    return (statistics.median(times) if times else None), percentile(times, 0.9), open_cases
