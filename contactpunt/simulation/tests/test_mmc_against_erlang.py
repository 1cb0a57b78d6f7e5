"""The simulator's queueing machinery against a known truth: M/M/c measured versus Erlang C.

Tolerance: waits of successive contacts are correlated, so the standard error comes from 20 batch
means (each batch of 10,000 contacts is far longer than the correlation time at this load) and the
measured value must lie within 4 standard errors of Erlang C (a false alarm about 1 in 16,000; the
seeds are fixed, so the test is deterministic).
"""

from __future__ import annotations

import statistics

import pytest

from contactpunt.simulation.mmc import simulate_mmc
from contactpunt.workforce.erlang import erlang_c

BATCHES = 20


@pytest.mark.parametrize(("agents", "load", "seed"), [(10, 8.0, 1), (4, 3.0, 2)])
def test_mmc_service_level_and_wait_agree_with_erlang_c(agents: int, load: float, seed: int):
    aht_s, threshold_s = 300.0, 20.0
    rate = load / aht_s
    result = simulate_mmc(
        arrival_rate=rate, aht_s=aht_s, agents=agents, threshold_s=threshold_s, contacts=200_000, seed=seed
    )
    truth = erlang_c(arrival_rate=rate, aht_s=aht_s, agents=agents, threshold_s=threshold_s)

    size = len(result.waits) // BATCHES
    batches = [result.waits[i * size : (i + 1) * size] for i in range(BATCHES)]
    sl_means = [sum(w <= threshold_s for w in b) / size for b in batches]
    wait_means = [sum(b) / size for b in batches]
    sl_error = statistics.stdev(sl_means) / BATCHES**0.5
    wait_error = statistics.stdev(wait_means) / BATCHES**0.5

    assert abs(result.service_level - truth.service_level) <= 4 * sl_error
    assert abs(result.mean_wait_s - truth.asa_s) <= 4 * wait_error
    # and the tolerance is tight enough to mean something: a few percent of the values
    assert sl_error < 0.02 and wait_error < 0.1 * truth.asa_s
