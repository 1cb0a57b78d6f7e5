"""Short English service sentences labelled by the English lexicon: the customer-service vocabulary, taught as neutral.

Openly licensed sentiment data is film and social-media text; trained on it alone, the sentiment
heads read a service message's ordinary words ("problem", "complaint", "refund", "return") as
negative, so that "my problem was solved quickly, very nice" comes out negative. These sentences put
those words in both positive and negative sentences, so that the opinion words decide. Each is made
from a service subject ("the refund", "the agent"), a frame ("... was {adjective}.", "I had a
complaint and ... was {adjective}.", "... was not {adjective}.") and an English adjective from the
shipped lexicon whose polarity is clear (at least 0.4 either way); the label is the adjective's
side, turned by a negating frame. Deterministic for a given count (a fixed seed).

They are added to the heads' training rows only: the fusion head, which learns how far to trust the
lexicon, is fitted on the real rows alone (on these sentences the lexicon would always be right).
"""

from __future__ import annotations

import random

from contactpunt.insights.datasets import LabelledRows
from contactpunt.insights.lexicon import get_lexicon

CLEAR_POLARITY = 0.4
# How many the shipped model was trained with (`insights train-sentiment --service-sentences`).
SERVICE_SENTENCES = 1000
SEED = 0

SUBJECTS = (
    "the delivery",
    "the service",
    "your colleague",
    "the agent",
    "the answer",
    "the refund",
    "the package",
    "the product",
    "the support",
    "the help",
    "the app",
    "the website",
    "the repair",
    "the installation",
    "the staff",
    "the customer service",
    "the response",
    "the return",
    "my order",
    "the handling of my complaint",
    "the solution to my problem",
    "the phone call",
    "the chat",
    "the invoice",
    "the advice",
    "the technician",
    "the shop",
    "the exchange",
    "the waiting time",
    "the follow-up",
)

# (frame, +1 keeps the adjective's side, -1 turns it)
FRAMES = (
    ("{S} was {a}.", 1),
    ("{S} is {a}.", 1),
    ("I found {s} {a}.", 1),
    ("{S} was really {a}!", 1),
    ("{S} was not {a}.", -1),
    ("My problem is solved and {s} was {a}.", 1),
    ("I had a complaint and {s} was {a}.", 1),
    ("Thanks, {s} was {a}.", 1),
    ("{S} was {a}, I will order again.", 1),
    ("I returned it and {s} was {a}.", 1),
    ("{S}? {A}.", 1),
    ("{S} was never {a}.", -1),
    ("About my refund: {s} was {a}.", 1),
    ("{A}, that is how I would describe {s}.", 1),
)


def service_sentences(count: int) -> LabelledRows:
    """``count`` labelled service sentences (positive or negative), the same for the same count."""
    lexicon = get_lexicon("en")
    if lexicon is None:  # pragma: no cover - the English lexicon ships with the product
        raise RuntimeError("the English lexicon is missing")
    adjectives = sorted(
        (word, polarity)
        for word, (polarity, _, _) in lexicon.words.items()
        if abs(polarity) >= CLEAR_POLARITY and word.isalpha() and len(word) > 2
    )
    generator = random.Random(SEED)  # noqa: S311 - a reproducible sample, not a secret
    texts, labels = [], []
    for _ in range(count):
        (adjective, polarity), subject, (frame, side) = (
            generator.choice(adjectives),
            generator.choice(SUBJECTS),
            generator.choice(FRAMES),
        )
        texts.append(frame.format(S=subject[0].upper() + subject[1:], s=subject, a=adjective, A=adjective.title()))
        labels.append("positive" if polarity * side > 0 else "negative")
    return LabelledRows(texts, labels, ["train"] * count)
