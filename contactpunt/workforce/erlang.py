"""Queueing models for staffing: Erlang C (M/M/n) and Erlang A (M/M/n+M, Palm's queue with impatience).

Every quantity is computed in log space from series and regularised incomplete gamma functions, so
loads of thousands of Erlangs neither overflow nor lose their small probabilities. Times are in
seconds, rates per second, loads in Erlangs, fractions as 0..1.

Definitions follow DESIGN.md: service level is the share of arrivals answered within the threshold
T (Erlang A: the share of *all* arrivals, abandoned ones included, that are served within T); ASA is
the mean wait of answered contacts; occupancy is handling time over staffed time.

Erlang A formulas follow Mandelbaum & Zeltyn, "The Palm/Erlang-A queue, with applications to call
centers" (Technion, 2005), written with x = n*mu/theta and y = lambda/theta and the series
A(x, y) = sum_j y^j / ((x+1)(x+2)...(x+j)).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import digamma, gammaincc, gammaln, logsumexp

# Terms of a series smaller than exp(-_LOG_CUTOFF) times its largest term are dropped.
_LOG_CUTOFF = 50.0
# A series needing more terms than this is a model outside any call centre (patience of years).
_MAX_TERMS = 20_000_000
# Staffing searches give up past this many agents per Erlang of load (plus a fixed margin).
_MAX_AGENTS_PER_ERLANG = 20


@dataclass(frozen=True)
class QueueMetrics:
    """Steady-state performance of one queue with a given number of agents.

    `abandon_rate` is None under Erlang C (nobody abandons). `asa_s` is the mean wait of answered
    contacts and is infinite when the Erlang C queue is unstable (load >= agents).
    """

    agents: int
    offered_load: float
    probability_of_wait: float
    service_level: float
    asa_s: float
    occupancy: float
    abandon_rate: float | None = None
    mean_wait_s: float | None = None


@dataclass(frozen=True)
class StaffingResult:
    """The fewest agents meeting the targets, with the performance they give."""

    agents: int
    metrics: QueueMetrics
    model: str


@dataclass(frozen=True)
class WrittenStaffing:
    """Agents needed for a written channel (email, forms, social) under a response norm."""

    agents: int
    workload_agents: float
    arrival_workload_agents: float
    backlog_workload_agents: float


def _check_positive(name: str, value: float) -> None:
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")


def _check_fraction(name: str, value: float, *, allow_one: bool = False) -> None:
    upper_ok = value <= 1 if allow_one else value < 1
    if not (value > 0 and upper_ok):
        raise ValueError(f"{name} must lie in (0, 1{']' if allow_one else ')'}, got {value!r}")


def log_erlang_b(agents: int, load: float) -> float:
    """Return log of the Erlang B blocking probability for `agents` servers and `load` Erlangs.

    Works for any load, including agents far below the load (where Erlang A still needs it).
    """
    if agents < 0:
        raise ValueError("agents must be >= 0")
    if load <= 0:
        return 0.0 if agents == 0 else -math.inf
    if agents == 0:
        return 0.0
    if agents >= load:
        # B = Poisson pmf(n) / Poisson cdf(n); the cdf is at least about one half here.
        log_pmf = agents * math.log(load) - load - float(gammaln(agents + 1))
        return log_pmf - math.log(float(gammaincc(agents + 1, load)))
    # 1/B = sum_i n!/((n-i)! load^i): terms fall from 1, so the first few dominate.
    log_inverse = _log_series_sum(np.log(agents - np.arange(agents, dtype=float)) - math.log(load))
    return -log_inverse


def _log_series_sum(log_ratios: np.ndarray) -> float:
    """Return log(1 + r1 + r1*r2 + ...) for the given log ratios, truncated once terms vanish."""
    log_terms = np.concatenate(([0.0], np.cumsum(log_ratios)))
    return float(logsumexp(log_terms))


def _log_a_terms(x: float, y: float) -> tuple[np.ndarray, np.ndarray]:
    """Return (j, log a_j) for the significant terms of A(x, y) = sum_j y^j / prod_{k=1..j} (x+k).

    The terms rise while x + j < y and then fall faster than geometrically; only a window around the
    largest term matters, found by widening until both edges are negligible.
    """
    if y <= 0:
        return np.zeros(1), np.zeros(1)
    peak = max(0, math.floor(y - x))
    log_y = math.log(y)
    width = 64
    while True:
        low = max(0, peak - width)
        high = peak + width
        if high - low > _MAX_TERMS:
            raise ValueError("patience too long relative to handle time for Erlang A; use Erlang C")
        index = np.arange(low, high + 1, dtype=float)
        start = low * log_y - (float(gammaln(x + low + 1)) - float(gammaln(x + 1)))
        increments = log_y - np.log(x + index[1:])
        log_terms = np.concatenate(([start], start + np.cumsum(increments)))
        top = float(log_terms.max())
        left_done = low == 0 or log_terms[0] < top - _LOG_CUTOFF
        right_done = log_terms[-1] < top - _LOG_CUTOFF
        if left_done and right_done:
            return index, log_terms
        width *= 2


def _log_a(x: float, y: float) -> float:
    """Return log A(x, y) (see the module docstring)."""
    return float(logsumexp(_log_a_terms(x, y)[1]))


def erlang_c(*, arrival_rate: float, aht_s: float, agents: int, threshold_s: float) -> QueueMetrics:
    """Return Erlang C (M/M/n, nobody abandons) metrics for `agents` agents.

    With load >= agents the queue grows without bound: probability of wait 1, service level 0,
    ASA infinite, occupancy 1.
    """
    _check_positive("aht_s", aht_s)
    if arrival_rate < 0 or threshold_s < 0 or agents < 0:
        raise ValueError("arrival_rate, threshold_s and agents must be >= 0")
    load = arrival_rate * aht_s
    if load == 0:
        return QueueMetrics(agents, 0.0, 0.0, 1.0, 0.0, 0.0)
    if agents <= load:
        return QueueMetrics(agents, load, 1.0, 0.0, math.inf, 1.0)
    log_b = log_erlang_b(agents, load)
    # C = n B / (n - load + load B), in logs.
    log_c = math.log(agents) + log_b - math.log(agents - load + load * math.exp(log_b))
    wait = min(1.0, math.exp(log_c))
    decay = (agents - load) / aht_s
    service_level = -math.expm1(log_c - decay * threshold_s) if log_c - decay * threshold_s < 0 else 0.0
    return QueueMetrics(
        agents=agents,
        offered_load=load,
        probability_of_wait=wait,
        service_level=max(0.0, min(1.0, service_level)),
        asa_s=wait / decay,
        occupancy=load / agents,
    )


def erlang_a(*, arrival_rate: float, aht_s: float, agents: int, threshold_s: float, patience_s: float) -> QueueMetrics:
    """Return Erlang A (M/M/n+M) metrics: exponential patience with mean `patience_s`.

    Service level is the share of all arrivals served within `threshold_s`; `abandon_rate` the share
    that abandons; `asa_s` the mean wait of served contacts; `mean_wait_s` the mean wait of all
    arrivals (equal to abandon_rate * patience_s); occupancy is served load over agents.
    """
    _check_positive("aht_s", aht_s)
    _check_positive("patience_s", patience_s)
    if arrival_rate < 0 or threshold_s < 0 or agents < 0:
        raise ValueError("arrival_rate, threshold_s and agents must be >= 0")
    load = arrival_rate * aht_s
    if load == 0:
        return QueueMetrics(agents, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0)
    if agents == 0:
        return QueueMetrics(0, load, 1.0, 0.0, math.inf, 0.0, 1.0, patience_s)
    theta = 1.0 / patience_s
    x = agents * patience_s / aht_s
    y = arrival_rate * patience_s
    log_b = log_erlang_b(agents, load)
    index, log_terms = _log_a_terms(x, y)
    log_a = float(logsumexp(log_terms))
    log_a_next = _log_a(x + 1, y)
    # pi_n = B / (1 + (A - 1) B) with A - 1 = y/(x+1) * A(x+1, y).
    log_a_minus_1 = math.log(y) - math.log(x + 1) + log_a_next
    log_pi_n = log_b - float(np.logaddexp(0.0, log_a_minus_1 + log_b))
    # Sum of pi_k over k <= n is pi_n / B, so no wait = pi_n (1/B - 1): accurate also when it is tiny.
    no_wait = 0.0 if log_b == 0.0 else math.exp(log_pi_n - log_b + math.log(-math.expm1(log_b)))
    wait = max(0.0, min(1.0, math.exp(log_pi_n + log_a) if no_wait > 0.5 else 1.0 - no_wait))

    # P(Ab) = pi_n * sum_j a_j (j+1)/(x+j+1): a caller finding j waiting abandons w.p. (j+1)/(x+j+1).
    log_abandon = log_pi_n + float(logsumexp(log_terms + np.log(index + 1) - np.log(x + index + 1)))
    abandon = min(1.0, math.exp(log_abandon))
    served = 1.0 - abandon

    # E[W; served] * theta = pi_n * sum_j a_j x/(x+j+1) * sum_{k=0..j} 1/(x+k+1).
    harmonic_start = _harmonic(x, int(index[0]))
    harmonic = harmonic_start + np.cumsum(1.0 / (x + index + 1))
    log_served_wait = log_pi_n + float(logsumexp(log_terms + math.log(x) - np.log(x + index + 1) + np.log(harmonic)))
    asa = math.exp(log_served_wait) / theta / served if served > 0 else math.inf

    # Served within T after waiting: pi_n x/(x+1) [A(x+1, y) - e^{y(1-e^{-s}) - s(x+1)} A(x+1, y e^{-s})].
    s = theta * threshold_s
    if s > 0:
        log_late = -y * math.expm1(-s) - s * (x + 1) + _log_a(x + 1, y * math.exp(-s))
        gap = log_late - log_a_next
        if gap < 0:
            waited_within = math.exp(log_pi_n + math.log(x / (x + 1)) + log_a_next + math.log(-math.expm1(gap)))
        else:
            waited_within = 0.0
    else:
        waited_within = 0.0
    service_level = max(0.0, min(1.0, no_wait + waited_within))
    return QueueMetrics(
        agents=agents,
        offered_load=load,
        probability_of_wait=wait,
        service_level=service_level,
        asa_s=asa,
        occupancy=min(1.0, load * served / agents),
        abandon_rate=abandon,
        mean_wait_s=abandon * patience_s,
    )


def _harmonic(x: float, count: int) -> float:
    """Return sum_{k=0..count-1} 1/(x+k+1), via digamma for long sums."""
    if count == 0:
        return 0.0
    if count < 1000:
        return float(np.sum(1.0 / (x + np.arange(count, dtype=float) + 1)))
    return float(digamma(x + count + 1) - digamma(x + 1))


def queue_metrics(
    *, arrival_rate: float, aht_s: float, agents: int, threshold_s: float, patience_s: float | None = None
) -> QueueMetrics:
    """Return Erlang A metrics when a patience is given, Erlang C metrics otherwise."""
    if patience_s is None or math.isinf(patience_s):
        return erlang_c(arrival_rate=arrival_rate, aht_s=aht_s, agents=agents, threshold_s=threshold_s)
    return erlang_a(
        arrival_rate=arrival_rate, aht_s=aht_s, agents=agents, threshold_s=threshold_s, patience_s=patience_s
    )


def required_agents(
    *,
    volume: float,
    interval_s: float,
    aht_s: float,
    threshold_s: float,
    target_service_level: float | None = None,
    target_asa_s: float | None = None,
    max_occupancy: float | None = None,
    patience_s: float | None = None,
    max_abandon_rate: float | None = None,
) -> StaffingResult:
    """Return the fewest agents that meet every given target for `volume` contacts in one interval.

    Targets: service level within `threshold_s` at least `target_service_level`, ASA at most
    `target_asa_s`, occupancy at most `max_occupancy` and (Erlang A) abandon rate at most
    `max_abandon_rate`. Erlang A is used when `patience_s` is given. At least one of the service
    level or ASA targets is required. A volume of zero needs zero agents. Raises ValueError when no
    staffing up to a sane maximum meets the targets.
    """
    _check_positive("interval_s", interval_s)
    _check_positive("aht_s", aht_s)
    if volume < 0 or not math.isfinite(volume):
        raise ValueError("volume must be a finite number >= 0")
    if target_service_level is None and target_asa_s is None:
        raise ValueError("give a target service level or a target ASA")
    if target_service_level is not None:
        _check_fraction("target_service_level", target_service_level)
    if target_asa_s is not None and target_asa_s <= 0:
        raise ValueError("target_asa_s must be > 0")
    if max_occupancy is not None:
        _check_fraction("max_occupancy", max_occupancy, allow_one=True)
    if max_abandon_rate is not None:
        _check_fraction("max_abandon_rate", max_abandon_rate)
    model = "erlang_c" if patience_s is None or math.isinf(patience_s) else "erlang_a"
    arrival_rate = volume / interval_s
    load = arrival_rate * aht_s

    def evaluate(agents: int) -> QueueMetrics:
        return queue_metrics(
            arrival_rate=arrival_rate, aht_s=aht_s, agents=agents, threshold_s=threshold_s, patience_s=patience_s
        )

    def meets(metrics: QueueMetrics) -> bool:
        if target_service_level is not None and metrics.service_level < target_service_level:
            return False
        if target_asa_s is not None and metrics.asa_s > target_asa_s:
            return False
        if max_occupancy is not None and metrics.occupancy > max_occupancy:
            return False
        abandon_rate = metrics.abandon_rate
        return max_abandon_rate is None or abandon_rate is None or abandon_rate <= max_abandon_rate

    if load == 0:
        return StaffingResult(0, evaluate(0), model)
    low = max(1, math.floor(load) + 1 if model == "erlang_c" else 1)
    if max_occupancy is not None and model == "erlang_c":
        low = max(low, math.ceil(load / max_occupancy - 1e-9))
    limit = math.ceil(load * _MAX_AGENTS_PER_ERLANG) + 100
    start = low
    if model == "erlang_a":
        # Erlang C's answer is cheap and close (abandonment usually lowers the need a little).
        try:
            start = required_agents(
                volume=volume,
                interval_s=interval_s,
                aht_s=aht_s,
                threshold_s=threshold_s,
                target_service_level=target_service_level,
                target_asa_s=target_asa_s,
                max_occupancy=max_occupancy,
            ).agents
        except ValueError:
            start = low
    best, best_metrics = _smallest_meeting(evaluate, meets, start=start, low=low, limit=limit)
    return StaffingResult(best, best_metrics, model)


def _smallest_meeting(
    evaluate: Callable[[int], QueueMetrics], meets: Callable[[QueueMetrics], bool], *, start: int, low: int, limit: int
) -> tuple[int, QueueMetrics]:
    """Return the fewest agents in [low, limit] whose metrics meet the targets (monotone in the agents).

    Gallops from `start` (down when it already meets, up otherwise) with doubling steps, then bisects.
    """
    metrics = evaluate(start)
    step = 1
    if meets(metrics):
        best, best_metrics = start, metrics
        known_bad = low - 1
        while best > low:
            candidate = max(low, best - step)
            candidate_metrics = evaluate(candidate)
            if not meets(candidate_metrics):
                known_bad = candidate
                break
            best, best_metrics = candidate, candidate_metrics
            step *= 2
    else:
        known_bad = start
        while True:
            if known_bad >= limit:
                raise ValueError("no staffing meets these targets")
            candidate = min(limit, known_bad + step)
            candidate_metrics = evaluate(candidate)
            if meets(candidate_metrics):
                best, best_metrics = candidate, candidate_metrics
                break
            known_bad = candidate
            step *= 2
    while best - known_bad > 1:
        middle = (best + known_bad) // 2
        middle_metrics = evaluate(middle)
        if meets(middle_metrics):
            best, best_metrics = middle, middle_metrics
        else:
            known_bad = middle
    return best, best_metrics


def staff_intervals(
    volumes: Sequence[float],
    *,
    interval_s: float,
    aht_s: float | Sequence[float],
    threshold_s: float,
    target_service_level: float | None = None,
    target_asa_s: float | None = None,
    max_occupancy: float | None = None,
    patience_s: float | None = None,
) -> list[StaffingResult]:
    """Return the staffing for each interval of a day (or any run of intervals) in order.

    `aht_s` is one handle time for all intervals or one per interval.
    """
    handle_times = [float(aht_s)] * len(volumes) if isinstance(aht_s, int | float) else [float(a) for a in aht_s]
    if len(handle_times) != len(volumes):
        raise ValueError("give one handle time per interval")
    return [
        required_agents(
            volume=volume,
            interval_s=interval_s,
            aht_s=handle_time,
            threshold_s=threshold_s,
            target_service_level=target_service_level,
            target_asa_s=target_asa_s,
            max_occupancy=max_occupancy,
            patience_s=patience_s,
        )
        for volume, handle_time in zip(volumes, handle_times, strict=True)
    ]


def required_chat_agents(
    *,
    volume: float,
    interval_s: float,
    session_s: float,
    concurrency: float,
    threshold_s: float,
    target_service_level: float | None = None,
    target_asa_s: float | None = None,
    max_occupancy: float | None = None,
    patience_s: float | None = None,
) -> StaffingResult:
    """Return the chat agents needed when each agent handles `concurrency` sessions at once.

    `session_s` is the mean wall-clock length of a chat session. The queue is modelled with
    floor(agents * concurrency) session slots, each a server; the result's metrics are those of the
    slots (its `agents` field is the number of people). Concurrency 1 is plain voice-like staffing.
    """
    if not (concurrency >= 1 and math.isfinite(concurrency)):
        raise ValueError("concurrency must be >= 1")
    slots = required_agents(
        volume=volume,
        interval_s=interval_s,
        aht_s=session_s,
        threshold_s=threshold_s,
        target_service_level=target_service_level,
        target_asa_s=target_asa_s,
        max_occupancy=max_occupancy,
        patience_s=patience_s,
    )
    people = math.ceil(slots.agents / concurrency - 1e-9)
    # floor(people * concurrency) >= slots.agents, so the targets still hold with these people.
    return StaffingResult(people, slots.metrics, slots.model)


def required_written_agents(
    *,
    arrivals_per_hour: float,
    backlog: float,
    handle_s: float,
    norm_s: float,
    max_occupancy: float = 1.0,
) -> WrittenStaffing:
    """Return the agents needed to answer a written channel within its response norm.

    A fluid model: the agents must keep up with new arrivals (arrivals_per_hour * handle_s / 3600
    agents of work) and clear the current backlog within one norm period (backlog * handle_s /
    norm_s), working at most `max_occupancy` of their time. `norm_s` counts business time only.
    """
    _check_positive("handle_s", handle_s)
    _check_positive("norm_s", norm_s)
    _check_fraction("max_occupancy", max_occupancy, allow_one=True)
    if arrivals_per_hour < 0 or backlog < 0:
        raise ValueError("arrivals_per_hour and backlog must be >= 0")
    arrival_work = arrivals_per_hour * handle_s / 3600.0
    backlog_work = backlog * handle_s / norm_s
    workload = arrival_work + backlog_work
    return WrittenStaffing(
        agents=math.ceil(workload / max_occupancy - 1e-9),
        workload_agents=workload,
        arrival_workload_agents=arrival_work,
        backlog_workload_agents=backlog_work,
    )


def agents_to_fte(agents: float, *, shrinkage: float) -> float:
    """Return the scheduled people needed so that `agents` are on the queue after `shrinkage`.

    Shrinkage is the share of paid time not available for contacts (breaks, meetings, training,
    absence), 0 <= shrinkage < 1.
    """
    if not 0 <= shrinkage < 1:
        raise ValueError("shrinkage must lie in [0, 1)")
    if agents < 0:
        raise ValueError("agents must be >= 0")
    return agents / (1.0 - shrinkage)


def weekly_fte(interval_agents: Sequence[float], *, interval_s: float, shrinkage: float, hours_per_fte: float) -> float:
    """Return the full-time equivalents for a week of interval requirements.

    Sums agent hours over the intervals, grosses them up for shrinkage and divides by the contract
    hours of one FTE (for example 36 or 40).
    """
    _check_positive("interval_s", interval_s)
    _check_positive("hours_per_fte", hours_per_fte)
    agent_hours = sum(interval_agents) * interval_s / 3600.0
    return agents_to_fte(agent_hours, shrinkage=shrinkage) / hours_per_fte


def estimate_patience(*, total_wait_s: float, abandoned: int) -> float | None:
    """Return the mean patience in seconds: the queue wait of all calls over the abandonments.

    This is the maximum-likelihood estimate for exponential patience (Mandelbaum & Zeltyn): every
    caller's wait is time at risk of abandoning. Returns None without abandonments (no evidence of
    impatience; staff with Erlang C).
    """
    if total_wait_s < 0 or abandoned < 0:
        raise ValueError("total_wait_s and abandoned must be >= 0")
    if abandoned == 0:
        return None
    return total_wait_s / abandoned
