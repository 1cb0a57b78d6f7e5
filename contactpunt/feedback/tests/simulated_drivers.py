"""Simulated survey answers with known population importances (LMG shares), for the driver-analysis tests and
the bench: correlated normal drivers, one categorical driver (channel) independent of them, and noise."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from contactpunt.feedback.drivers import lmg, subset_r2

NUMERIC = ("wait", "friendliness", "solved", "expertise", "transfers", "effort")
BETA = np.array([1.4, 0.95, 0.62, 0.4, 0.25, 0.12])
#: Waiting and transfers lower the score: their columns are the drivers' negatives (LMG shares do not change).
SIGNS = np.array([-1.0, 1.0, 1.0, 1.0, -1.0, 1.0])
CORRELATION = 0.2
CHANNELS = ("phone", "email", "chat")
CHANNEL_P = np.array([0.5, 0.3, 0.2])
CHANNEL_EFFECT = np.array([0.0, -0.35, 0.2])
NOISE_SD = 1.3


@dataclass(frozen=True, slots=True)
class Truth:
    names: list[str]
    shares: np.ndarray  # population LMG shares, in the order of names


def _population(beta: np.ndarray, drivers: int) -> tuple[np.ndarray, list[list[int]]]:
    """The population correlation matrix of [y, numeric drivers, channel dummies (phone the reference)]."""
    sigma = np.full((drivers, drivers), CORRELATION) + (1 - CORRELATION) * np.eye(drivers)
    p = CHANNEL_P
    dummies = np.diag(p[1:]) - np.outer(p[1:], p[1:])
    mean_effect = float(p @ CHANNEL_EFFECT)
    cov_y_dummies = p[1:] * (CHANNEL_EFFECT[1:] - mean_effect)
    var_channel = float(p @ (CHANNEL_EFFECT - mean_effect) ** 2)
    m = drivers + 2
    cov = np.zeros((m + 1, m + 1))
    cov[0, 0] = float(beta @ sigma @ beta) + var_channel + NOISE_SD**2
    cov[0, 1 : drivers + 1] = cov[1 : drivers + 1, 0] = sigma @ beta
    cov[0, drivers + 1 :] = cov[drivers + 1 :, 0] = cov_y_dummies
    cov[1 : drivers + 1, 1 : drivers + 1] = sigma
    cov[drivers + 1 :, drivers + 1 :] = dummies
    scale = np.sqrt(np.diag(cov))
    groups = [[i] for i in range(drivers)] + [[drivers, drivers + 1]]
    return cov / np.outer(scale, scale), groups


def truth(drivers: int = len(NUMERIC)) -> Truth:
    beta = BETA[:drivers] if drivers <= len(BETA) else np.linspace(1.0, 0.1, drivers)
    corr, groups = _population(beta, drivers)
    shares = lmg(subset_r2(corr, groups), len(groups))
    return Truth([*_names(drivers), "channel"], shares)


def _names(drivers: int) -> list[str]:
    return list(NUMERIC[:drivers]) if drivers <= len(NUMERIC) else [f"driver{i + 1}" for i in range(drivers)]


def answers(n: int, seed: int, drivers: int = len(NUMERIC)) -> dict[str, list[object]]:
    """`n` simulated answers: a table with an `nps` column and one column per driver."""
    rng = np.random.default_rng(seed)
    beta = BETA[:drivers] if drivers <= len(BETA) else np.linspace(1.0, 0.1, drivers)
    sigma = np.full((drivers, drivers), CORRELATION) + (1 - CORRELATION) * np.eye(drivers)
    x = rng.multivariate_normal(np.zeros(drivers), sigma, size=n)
    channel = rng.choice(len(CHANNELS), size=n, p=CHANNEL_P)
    y = 7.0 + x @ beta + CHANNEL_EFFECT[channel] + rng.normal(0, NOISE_SD, n)
    table: dict[str, list[object]] = {"nps": [float(v) for v in y]}
    for i, name in enumerate(_names(drivers)):
        sign = SIGNS[i] if i < len(SIGNS) else 1.0
        table[name] = [float(sign * v) for v in x[:, i]]
    table["channel"] = [CHANNELS[c] for c in channel]
    return table
