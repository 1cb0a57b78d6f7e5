"""Erlang C and Erlang A against published values, independent computations and limit properties."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import gammainc, gammaln

from contactpunt.workforce.erlang import (
    agents_to_fte,
    erlang_a,
    erlang_c,
    estimate_patience,
    log_erlang_b,
    required_agents,
    required_chat_agents,
    required_written_agents,
    staff_intervals,
    weekly_fte,
)


def exact_erlang_c(agents: int, load: int) -> float:
    """Erlang C for an integer load in exact integer arithmetic: the textbook sum, no floats until the end."""
    numerator = load**agents * agents
    denominator = (agents - load) * sum(load**k * math.factorial(agents) // math.factorial(k) for k in range(agents))
    return float(Fraction(numerator, denominator + numerator))


# --- Erlang C --------------------------------------------------------------------------------------


def test_erlang_c_two_agents_matches_the_closed_form_of_m_m_2():
    # M/M/2 at utilisation rho: P(wait) = 2 rho^2 / (1 + rho) (Kleinrock, Queueing Systems vol. 1, sec. 3.5).
    metrics = erlang_c(arrival_rate=1 / 60, aht_s=60, agents=2, threshold_s=30)
    assert metrics.probability_of_wait == pytest.approx(2 * 0.25 / 1.5, rel=1e-12)
    # Wait given waiting is exponential with rate (n - A)/AHT = 1/60 s: ASA = C * 60 s.
    assert metrics.asa_s == pytest.approx(20.0, rel=1e-12)
    assert metrics.service_level == pytest.approx(1 - (1 / 3) * math.exp(-0.5), rel=1e-12)
    assert metrics.occupancy == pytest.approx(0.5)


def test_erlang_c_published_package_example():
    # The README example of the CRAN package ErlangC 0.1.0 (https://stat.ethz.ch/CRAN/web/packages/ErlangC/
    # readme/README.html, also https://rdocumentation.org/packages/ErlangC/versions/0.1.0): 100 calls per
    # 30 minutes, AHT 180 s, target answer time 20 s, 14 agents. Published: traffic_intensity 10,
    # wait_probability 0.1741319, service_level 0.88835, average_speed_of_answer 7.83593701177724 s,
    # occupancy 0.7142857; and calculate_agents(..., require_service_level = 0.8, max_occupancy = 0.85) = 14.
    metrics = erlang_c(arrival_rate=100 / 1800, aht_s=180, agents=14, threshold_s=20)
    assert metrics.offered_load == pytest.approx(10.0)
    assert metrics.probability_of_wait == pytest.approx(0.1741319, abs=5e-8)
    assert metrics.service_level == pytest.approx(0.88835, abs=5e-6)
    assert metrics.asa_s == pytest.approx(7.83593701177724, rel=1e-12)
    assert metrics.occupancy == pytest.approx(0.7142857, abs=5e-8)
    staffing = required_agents(volume=100, interval_s=1800, aht_s=180, threshold_s=20, target_service_level=0.8,
                               max_occupancy=0.85)  # fmt: skip
    assert staffing.agents == 14


def test_erlang_c_worked_example_of_the_mitan_page():
    # The worked example of Mitan Ltd's page "The Erlang-C formula" (its text is kept in the Nemotron-CC-Math
    # web corpus, https://huggingface.co/datasets/nvidia/Nemotron-CC-Math-v1): 360 calls per half hour, 4 minutes
    # per call, 55 agents, service level at 15 s. The stored copies confirm that set-up but cut off before the
    # page's results, so the figures below are not the page's: they are this module's, checked to full
    # precision against exact integer arithmetic (48 Erlangs, occupancy 0.8727, P(wait) 0.2387, ASA 8.18 s,
    # SL 84.6%). Published values to check against: the ErlangC package example above.
    metrics = erlang_c(arrival_rate=360 / 1800, aht_s=240, agents=55, threshold_s=15)
    assert metrics.offered_load == pytest.approx(48.0)
    assert metrics.occupancy == pytest.approx(0.873, abs=5e-4)
    assert metrics.probability_of_wait == pytest.approx(0.2387, abs=5e-5)
    assert metrics.asa_s == pytest.approx(8.18, abs=5e-3)
    assert metrics.service_level == pytest.approx(0.846, abs=5e-4)
    # And to full precision against exact integer arithmetic.
    assert metrics.probability_of_wait == pytest.approx(exact_erlang_c(55, 48), rel=1e-12)


@pytest.mark.parametrize(("agents", "load"), [(11, 10), (14, 10), (1010, 1000), (1100, 1000), (2600, 2500)])
def test_erlang_c_matches_exact_integer_arithmetic_up_to_large_loads(agents, load):
    metrics = erlang_c(arrival_rate=load / 300, aht_s=300, agents=agents, threshold_s=20)
    assert metrics.probability_of_wait == pytest.approx(exact_erlang_c(agents, load), rel=1e-10)


def test_erlang_c_is_unstable_at_or_above_full_load():
    metrics = erlang_c(arrival_rate=10 / 300, aht_s=300, agents=10, threshold_s=20)
    assert (metrics.probability_of_wait, metrics.service_level, metrics.asa_s) == (1.0, 0.0, math.inf)


def test_erlang_b_far_below_the_load_stays_finite():
    # With agents << load, Erlang B tends to 1 - agents/load (every agent busy, the rest blocked).
    assert math.exp(log_erlang_b(100, 10_000.0)) == pytest.approx(1 - 100 / 10_000, rel=1e-3)
    assert math.exp(log_erlang_b(5000, 5000.0)) == pytest.approx(0.011, abs=5e-4)


# --- Erlang A: an independent solve of the birth-death chain -----------------------------------------


def chain_reference(
    arrival_rate: float, aht_s: float, agents: int, patience_s: float, threshold_s: float, *, extra_states: int = 400
) -> tuple[float, float, float, float]:
    """Erlang A by brute force: solve the truncated birth-death chain, then follow a tagged caller.

    Independent of the closed forms in erlang.py: stationary probabilities by direct products,
    abandonment from theta*E[Q]/lambda, and the tagged caller's progress through the queue as an
    absorbing Markov chain (matrix exponential for the service level, a linear solve for the wait).
    """
    mu, theta, lam = 1 / aht_s, 1 / patience_s, arrival_rate
    size = agents + extra_states
    log_p = np.zeros(size)
    for k in range(1, size):
        log_p[k] = log_p[k - 1] + math.log(lam / (min(k, agents) * mu + max(0, k - agents) * theta))
    p = np.exp(log_p - log_p.max())
    p /= p.sum()
    queued = np.maximum(np.arange(size) - agents, 0)
    wait = float(p[agents:].sum())
    abandon = theta * float((queued * p).sum()) / lam
    # Tagged caller with k callers ahead: moves on at n*mu + k*theta, abandons at theta.
    ahead = extra_states
    generator = np.zeros((ahead + 2, ahead + 2))
    served_state, abandoned_state = ahead, ahead + 1
    for k in range(ahead):
        forward = agents * mu + k * theta
        generator[k, k - 1 if k > 0 else served_state] += forward
        generator[k, abandoned_state] += theta
        generator[k, k] = -(forward + theta)
    transition = scipy.linalg.expm(generator * threshold_s)
    arrivals_ahead = p[agents : agents + ahead]
    service_level = (1 - wait) + float(arrivals_ahead @ transition[:ahead, served_state])
    # h_k = E[wait; served | k ahead]: h_k = P(served | k)/r_k + (forward_k / r_k) h_{k-1}.
    served_prob = np.zeros(ahead)
    served_wait = np.zeros(ahead)
    for k in range(ahead):
        forward = agents * mu + k * theta
        rate = forward + theta
        served_prob[k] = forward / rate * (served_prob[k - 1] if k > 0 else 1.0)
        served_wait[k] = served_prob[k] / rate + forward / rate * (served_wait[k - 1] if k > 0 else 0.0)
    asa = float(arrivals_ahead @ served_wait) / (1 - abandon)
    return wait, abandon, service_level, asa


@pytest.mark.parametrize(
    ("arrival_rate", "aht_s", "agents", "patience_s", "threshold_s"),
    [
        (360 / 1800, 240, 45, 120, 20),  # overloaded: load 48 on 45 agents
        (360 / 1800, 240, 50, 600, 20),
        (100 / 1800, 180, 8, 90, 20),
        (100 / 1800, 180, 12, 300, 30),
        (1 / 60, 300, 3, 60, 10),  # a tiny queue, far overloaded
    ],
)
def test_erlang_a_matches_the_birth_death_chain(arrival_rate, aht_s, agents, patience_s, threshold_s):
    wait, abandon, service_level, asa = chain_reference(arrival_rate, aht_s, agents, patience_s, threshold_s)
    metrics = erlang_a(
        arrival_rate=arrival_rate, aht_s=aht_s, agents=agents, patience_s=patience_s, threshold_s=threshold_s
    )
    assert metrics.probability_of_wait == pytest.approx(wait, rel=1e-9)
    assert metrics.abandon_rate == pytest.approx(abandon, rel=1e-9)
    assert metrics.service_level == pytest.approx(service_level, rel=1e-7)
    assert metrics.asa_s == pytest.approx(asa, rel=1e-7)
    assert metrics.mean_wait_s == pytest.approx(abandon * patience_s, rel=1e-12)


@pytest.mark.parametrize(
    ("calls_per_minute", "aht_min", "agents", "patience_min"),
    [(2.0, 3.0, 6, 2.0), (4.0, 2.0, 8, 1.0), (1.0, 4.0, 3, 5.0)],
)
def test_erlang_a_matches_the_mandelbaum_zeltyn_closed_forms(calls_per_minute, aht_min, agents, patience_min):
    # Mandelbaum & Zeltyn, "The Palm/Erlang-A queue, with applications to call centers" (2005), sec. 4.4-4.5:
    # P{W>0} = A(x,y) E / (1 + (A(x,y) - 1) E) and P{Ab} = (1/(rho A(x,y)) + 1 - 1/rho) P{W>0}, with
    # A(x,y) = x e^y / y^x * gamma(x, y) (lower incomplete gamma), x = n mu/theta, y = lambda/theta,
    # E the Erlang B formula. Evaluated here directly with scipy in plain floats (small systems only).
    lam, mu, theta = calls_per_minute / 60, 1 / (aht_min * 60), 1 / (patience_min * 60)
    x, y, rho = agents * mu / theta, lam / theta, lam / (agents * mu)
    a_xy = math.exp(math.log(x) + y - x * math.log(y) + gammaln(x)) * gammainc(x, y)
    load = lam / mu
    terms = [load**k / math.factorial(k) for k in range(agents + 1)]
    erlang_b_value = terms[-1] / sum(terms)
    delay = a_xy * erlang_b_value / (1 + (a_xy - 1) * erlang_b_value)
    abandon = (1 / (rho * a_xy) + 1 - 1 / rho) * delay
    metrics = erlang_a(arrival_rate=lam, aht_s=1 / mu, agents=agents, patience_s=1 / theta, threshold_s=20)
    assert metrics.probability_of_wait == pytest.approx(delay, rel=1e-9)
    assert metrics.abandon_rate == pytest.approx(abandon, rel=1e-8)


def test_erlang_a_is_stable_for_thousands_of_erlangs():
    metrics = erlang_a(arrival_rate=5000 / 300, aht_s=300, agents=4000, patience_s=120, threshold_s=20)
    # Heavily overloaded: almost everyone waits and about 1 - 4000/5000 of arrivals must abandon.
    assert metrics.probability_of_wait == pytest.approx(1.0, abs=1e-9)
    assert metrics.abandon_rate == pytest.approx(0.2, abs=1e-3)
    assert metrics.occupancy == pytest.approx(1.0, abs=1e-6)
    assert 0 <= metrics.service_level < 0.05
    underloaded = erlang_a(arrival_rate=5000 / 300, aht_s=300, agents=5100, patience_s=180, threshold_s=20)
    assert 0 < underloaded.abandon_rate < 0.01
    assert 0.99 < underloaded.service_level <= 1


# --- Properties --------------------------------------------------------------------------------------

loads = st.floats(min_value=0.5, max_value=1500.0)
handle_times = st.floats(min_value=30.0, max_value=900.0)
thresholds = st.floats(min_value=0.0, max_value=120.0)
patiences = st.floats(min_value=5.0, max_value=3600.0)


@settings(max_examples=60)
@given(load=loads, aht_s=handle_times, threshold_s=thresholds, extra=st.integers(min_value=1, max_value=40))
def test_erlang_c_improves_with_every_agent(load, aht_s, threshold_s, extra):
    agents = math.floor(load) + extra
    fewer = erlang_c(arrival_rate=load / aht_s, aht_s=aht_s, agents=agents, threshold_s=threshold_s)
    more = erlang_c(arrival_rate=load / aht_s, aht_s=aht_s, agents=agents + 1, threshold_s=threshold_s)
    assert more.probability_of_wait <= fewer.probability_of_wait + 1e-12
    assert more.asa_s <= fewer.asa_s * (1 + 1e-9)
    assert more.service_level >= fewer.service_level - 1e-12
    assert more.asa_s <= fewer.asa_s + 1e-9
    assert more.occupancy < fewer.occupancy


@settings(max_examples=60)
@given(load=loads, aht_s=handle_times, threshold_s=thresholds, growth=st.floats(min_value=1.001, max_value=1.2))
def test_erlang_c_worsens_with_load(load, aht_s, threshold_s, growth):
    agents = math.floor(load * growth) + 1
    lighter = erlang_c(arrival_rate=load / aht_s, aht_s=aht_s, agents=agents, threshold_s=threshold_s)
    heavier = erlang_c(arrival_rate=load * growth / aht_s, aht_s=aht_s, agents=agents, threshold_s=threshold_s)
    assert heavier.service_level <= lighter.service_level + 1e-12
    assert heavier.asa_s >= lighter.asa_s - 1e-9


@settings(max_examples=40)
@given(
    load=st.floats(min_value=0.5, max_value=400.0),
    aht_s=handle_times,
    threshold_s=thresholds,
    patience_s=patiences,
    ratio=st.floats(min_value=0.5, max_value=1.5),
)
def test_erlang_a_improves_with_every_agent(load, aht_s, threshold_s, patience_s, ratio):
    agents = max(1, round(load * ratio))
    kwargs = {"arrival_rate": load / aht_s, "aht_s": aht_s, "threshold_s": threshold_s, "patience_s": patience_s}
    fewer = erlang_a(agents=agents, **kwargs)
    more = erlang_a(agents=agents + 1, **kwargs)
    assert more.service_level >= fewer.service_level - 1e-9
    assert more.abandon_rate <= fewer.abandon_rate + 1e-12
    assert more.probability_of_wait <= fewer.probability_of_wait + 1e-12
    assert more.asa_s <= fewer.asa_s * (1 + 1e-9)
    for metrics in (fewer, more):
        assert 0 <= metrics.service_level <= 1
        assert 0 <= metrics.abandon_rate <= 1
        # Served within T plus abandoned never exceeds all arrivals.
        assert metrics.service_level + metrics.abandon_rate <= 1 + 1e-9


@settings(max_examples=40)
@given(load=st.floats(min_value=0.5, max_value=1000.0), aht_s=handle_times, threshold_s=thresholds)
def test_erlang_a_tends_to_erlang_c_as_patience_grows(load, aht_s, threshold_s):
    agents = math.floor(load * 1.1) + 1
    arrival_rate = load / aht_s
    classic = erlang_c(arrival_rate=arrival_rate, aht_s=aht_s, agents=agents, threshold_s=threshold_s)
    patient = erlang_a(
        arrival_rate=arrival_rate, aht_s=aht_s, agents=agents, threshold_s=threshold_s, patience_s=aht_s * 1e7
    )
    assert patient.probability_of_wait == pytest.approx(classic.probability_of_wait, rel=1e-4, abs=1e-9)
    assert patient.service_level == pytest.approx(classic.service_level, rel=1e-4, abs=1e-9)
    assert patient.asa_s == pytest.approx(classic.asa_s, rel=1e-3, abs=1e-6)
    assert patient.abandon_rate < 1e-4


@settings(max_examples=40)
@given(load=st.floats(min_value=0.5, max_value=500.0), aht_s=handle_times, ratio=st.floats(min_value=0.3, max_value=2))
def test_erlang_a_tends_to_erlang_b_as_patience_vanishes(load, aht_s, ratio):
    # Callers who hang up at once turn the queue into a loss system: abandonment = Erlang B blocking.
    agents = max(1, round(load * ratio))
    impatient = erlang_a(arrival_rate=load / aht_s, aht_s=aht_s, agents=agents, threshold_s=20, patience_s=1e-6)
    blocking = math.exp(log_erlang_b(agents, load))
    assert impatient.abandon_rate == pytest.approx(blocking, rel=1e-4, abs=1e-9)
    assert impatient.service_level == pytest.approx(1 - blocking, rel=1e-4, abs=1e-9)


# --- Staffing ----------------------------------------------------------------------------------------


@settings(max_examples=30)
@given(
    volume=st.floats(min_value=1.0, max_value=3000.0),
    aht_s=handle_times,
    target=st.floats(min_value=0.5, max_value=0.95),
    threshold_s=st.floats(min_value=5.0, max_value=60.0),
    patience_s=st.one_of(st.none(), patiences),
)
def test_required_agents_is_the_fewest_that_meet_the_target(volume, aht_s, target, threshold_s, patience_s):
    kwargs = {"volume": volume, "interval_s": 1800.0, "aht_s": aht_s, "threshold_s": threshold_s}
    result = required_agents(target_service_level=target, patience_s=patience_s, **kwargs)
    assert result.metrics.service_level >= target
    assert result.metrics.agents == result.agents
    if result.agents > 1:
        from contactpunt.workforce.erlang import queue_metrics

        one_less = queue_metrics(
            arrival_rate=volume / 1800.0,
            aht_s=aht_s,
            agents=result.agents - 1,
            threshold_s=threshold_s,
            patience_s=patience_s,
        )
        assert one_less.service_level < target


def test_required_agents_for_the_worked_example_and_its_caps():
    # 360 calls per half hour of 240 s: 54 agents give 81.7% within 20 s, 53 give less than 80%.
    base = {"volume": 360, "interval_s": 1800, "aht_s": 240, "threshold_s": 20}
    assert required_agents(target_service_level=0.8, **base).agents == 54
    assert required_agents(target_service_level=0.8, max_occupancy=0.85, **base).agents == 57  # ceil(48 / 0.85)
    by_asa = required_agents(target_asa_s=10.0, **base)
    assert by_asa.metrics.asa_s <= 10.0
    assert erlang_c(arrival_rate=0.2, aht_s=240, agents=by_asa.agents - 1, threshold_s=20).asa_s > 10.0
    # Patient callers abandon, so Erlang A needs fewer agents for the same service level.
    assert required_agents(target_service_level=0.8, patience_s=120, **base).agents < 54
    assert required_agents(target_service_level=0.8, volume=0, interval_s=1800, aht_s=240, threshold_s=20).agents == 0


def test_required_agents_rejects_impossible_input():
    with pytest.raises(ValueError, match="target"):
        required_agents(volume=10, interval_s=1800, aht_s=200, threshold_s=20)
    with pytest.raises(ValueError, match="target_service_level"):
        required_agents(volume=10, interval_s=1800, aht_s=200, threshold_s=20, target_service_level=1.0)


def test_staffing_a_day_of_intervals_at_large_load():
    volumes = [0.0, 50.0, 6000.0, 12000.0]
    results = staff_intervals(volumes, interval_s=1800, aht_s=300, threshold_s=20, target_service_level=0.8)
    assert [r.agents for r in results][:1] == [0]
    assert all(r.metrics.service_level >= 0.8 for r in results[1:])
    # 12000 calls of 300 s per half hour is 2000 Erlangs: a few more agents than the load.
    assert 2000 < results[3].agents < 2060


def test_chat_concurrency_divides_the_people_not_the_queue():
    single = required_chat_agents(
        volume=120, interval_s=1800, session_s=600, concurrency=1, threshold_s=30, target_service_level=0.8
    )
    double = required_chat_agents(
        volume=120, interval_s=1800, session_s=600, concurrency=2, threshold_s=30, target_service_level=0.8
    )
    assert double.agents == math.ceil(single.agents / 2)
    with pytest.raises(ValueError):
        required_chat_agents(
            volume=1, interval_s=1800, session_s=600, concurrency=0.5, threshold_s=30, target_service_level=0.8
        )


def test_written_channel_agents_cover_arrivals_and_the_backlog_within_the_norm():
    result = required_written_agents(arrivals_per_hour=30, backlog=120, handle_s=360, norm_s=8 * 3600)
    # 30/h * 6 min = 3 agents of work; 120 * 360 s over 8 h = 1.5 agents more.
    assert result.arrival_workload_agents == pytest.approx(3.0)
    assert result.backlog_workload_agents == pytest.approx(1.5)
    assert result.agents == 5
    assert (
        required_written_agents(arrivals_per_hour=30, backlog=0, handle_s=360, norm_s=3600, max_occupancy=0.75).agents
        == 4
    )


def test_shrinkage_and_weekly_fte():
    assert agents_to_fte(14, shrinkage=0.3) == pytest.approx(20.0)
    # 10 agents for 40 half hours = 200 agent hours; 30% shrinkage -> 285.7 h; 36 h contracts -> 7.94 FTE.
    assert weekly_fte([10] * 40, interval_s=1800, shrinkage=0.3, hours_per_fte=36) == pytest.approx(200 / 0.7 / 36)
    with pytest.raises(ValueError):
        agents_to_fte(1, shrinkage=1.0)


def test_patience_is_total_wait_over_abandonments():
    assert estimate_patience(total_wait_s=36_000, abandoned=120) == pytest.approx(300.0)
    assert estimate_patience(total_wait_s=500, abandoned=0) is None
    with pytest.raises(ValueError):
        estimate_patience(total_wait_s=-1, abandoned=3)
