"""The answer a customer would give in an NPS survey after a contact.

The writer stores the answers through the feedback app's services (`feedback.services.bulk_answers`).
The score is a logistic-free linear model on a 0-10 scale, clipped and rounded, with the drivers
DESIGN.md names: waiting, first-contact resolution, transfers, and the agent's friendliness and
expertise.
"""

from __future__ import annotations

import datetime as dt
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

# The invitation of a customer who does not answer: how often it bounces, and how often it is opened all the same.
BOUNCED = 0.03
OPENED_UNANSWERED = 0.4
MEDIAN_OPEN_HOURS = 2.0


@dataclass(frozen=True, slots=True)
class SurveyAnswer:
    """One customer's answers: NPS 0-10, "was your question solved?", and the driver questions (expertise and
    friendliness 1-5, customer effort 1-7, higher is less effort)."""

    nps: int
    solved: bool
    expertise: int | None = None
    friendliness: int | None = None
    effort: int | None = None


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
    score = min(10, max(0, round(rng.gauss(mean, NOISE_SD))))
    # The driver questions draw from their own generator (seeded by the contact's values), so adding them left
    # the simulation's main random stream, and every figure drawn from it, as it was.
    own = random.Random(f"{score}:{wait_s:.3f}:{solved}:{transferred}:{friendliness:.6f}:{expertise:.6f}")  # noqa: S311
    effort = 6.2 - 1.8 * (not solved) - 0.9 * transferred - min(2.0, wait_s / 300)
    return SurveyAnswer(
        nps=score,
        solved=solved,
        expertise=_scale(own.gauss(1 + 4 * expertise, 0.7), 1, 5),
        friendliness=_scale(own.gauss(1 + 4 * friendliness, 0.7), 1, 5),
        effort=_scale(own.gauss(effort, 0.8), 1, 7),
    )


def _scale(value: float, low: int, high: int) -> int:
    return min(high, max(low, round(value)))


def nps(scores: list[int]) -> float:
    """Return the Net Promoter Score in -100..100 of the answers (0 for none)."""
    if not scores:
        return 0.0
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return 100 * (promoters - detractors) / len(scores)


def went_out(case_id: int) -> tuple[bool, dt.timedelta | None]:
    """How the invitation of a case whose customer does not answer went out: delivered (or bounced) and, when it
    was opened, how long after sending (a log-normal delay around two hours). Drawn from the case's own generator,
    so the simulation's main random stream is left as it was. (The engine's process has no Django: plain values.)"""
    own = random.Random(f"went-out:{case_id}")  # noqa: S311 - a simulated behaviour, not a secret
    delivered = own.random() >= BOUNCED
    opened = delivered and own.random() < OPENED_UNANSWERED
    hours = own.lognormvariate(0.0, 1.2) * MEDIAN_OPEN_HOURS
    return delivered, dt.timedelta(hours=hours) if opened else None
