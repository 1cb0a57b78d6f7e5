"""The answer a customer would give in an NPS survey after a contact.

Not stored yet (there is no feedback module): the model is kept ready and tested so the feedback
issue can store its answers. The score is a logistic-free linear model on a 0-10 scale, clipped
and rounded, with the drivers DESIGN.md names: waiting, first-contact resolution, transfers, and
the agent's friendliness and expertise.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# Points on the 0..10 scale each driver moves the expected score.
BASE = 6.4
SOLVED = 1.6
PER_MINUTE_WAIT = -0.12
MAX_WAIT_PENALTY = -2.5
TRANSFERRED = -0.9
FRIENDLINESS = 2.2  # times (friendliness - 0.5)
EXPERTISE = 1.2  # times (expertise - 0.5)
NOISE_SD = 1.3


@dataclass(frozen=True, slots=True)
class SurveyAnswer:
    """One customer's answers: NPS 0-10 and "was your question solved?"."""

    nps: int
    solved: bool


def expected_score(*, wait_s: float, solved: bool, transferred: bool, friendliness: float, expertise: float) -> float:
    """Return the expected NPS answer (0..10, before noise and rounding) for one contact."""
    score = BASE
    score += SOLVED if solved else 0.0
    score += max(MAX_WAIT_PENALTY, PER_MINUTE_WAIT * wait_s / 60)
    score += TRANSFERRED if transferred else 0.0
    score += FRIENDLINESS * (friendliness - 0.5) + EXPERTISE * (expertise - 0.5)
    return min(10.0, max(0.0, score))


def answer(
    rng: random.Random, *, wait_s: float, solved: bool, transferred: bool, friendliness: float, expertise: float
) -> SurveyAnswer:
    """Draw the customer's answers: the expected score plus normal noise, rounded and clipped to 0..10."""
    mean = expected_score(
        wait_s=wait_s, solved=solved, transferred=transferred, friendliness=friendliness, expertise=expertise
    )
    score = round(rng.gauss(mean, NOISE_SD))
    return SurveyAnswer(nps=min(10, max(0, score)), solved=solved)


def nps(scores: list[int]) -> float:
    """Return the Net Promoter Score in -100..100 of the answers (0 for none)."""
    if not scores:
        return 0.0
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return 100 * (promoters - detractors) / len(scores)
