"""Shared fixtures: the sentence encoder is loaded once per test session (about 1.5 s)."""

from __future__ import annotations

import csv
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from contactpunt.insights.encoder import UniversalSentenceEncoder, get_encoder

# The models must never reach for a model hub; make any attempt fail loudly rather than hang.
os.environ["HF_HUB_OFFLINE"] = "1"

REASON_PHRASES: dict[str, list[str]] = {
    "delivery": [
        "where is my parcel",
        "my package has not arrived yet",
        "when will my order be delivered",
        "the delivery is late",
        "track my shipment please",
        "the courier never came",
        "my order is still not here",
        "has my parcel been shipped",
        "delivery status of my order",
        "the package is lost in transit",
        "I am still waiting for my delivery",
        "when does the parcel arrive",
    ],
    "refund": [
        "I want my money back",
        "please refund my purchase",
        "how do I get a refund",
        "refund the amount you charged",
        "I returned the item but got no refund",
        "when will I be reimbursed",
        "I would like a refund for this order",
        "give me my money back please",
        "the refund has not been paid",
        "request a refund",
        "can you pay me back for the broken item",
        "status of my refund",
    ],
    "password": [
        "I forgot my password",
        "reset my password please",
        "I cannot log in to my account",
        "my login does not work",
        "how do I change my password",
        "the password reset link is broken",
        "I am locked out of my account",
        "I can't sign in",
        "help me recover my account login",
        "my password is not accepted",
        "change the password of my account",
        "login fails every time",
    ],
}
OUT_OF_SCOPE = [
    "what is the weather tomorrow",
    "tell me a joke",
    "who won the football match",
    "play some music",
    "what is the capital of france",
    "how tall is mount everest",
    "recommend a good movie",
    "what time is it in tokyo",
]


@pytest.fixture(scope="session")
def encoder() -> UniversalSentenceEncoder:
    """The process-wide encoder, loaded once."""
    return get_encoder()


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make every outgoing connection raise, so a test proves its code runs offline."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield


def write_reason_csv(path: Path, *, with_valid: bool = True, oos_label: str = "oos") -> Path:
    """Write a small reasons CSV: per reason 8 train, 2 valid and 2 test rows; out-of-scope rows in valid and test."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["message", "reason", "split"])
        for reason, phrases in REASON_PHRASES.items():
            for i, phrase in enumerate(phrases):
                split = "train" if i < 8 else ("valid" if i < 10 else "test")
                if split == "valid" and not with_valid:
                    split = "train"
                writer.writerow([phrase, reason, split])
        for i, phrase in enumerate(OUT_OF_SCOPE):
            split = "valid" if i < 4 else "test"
            if split == "valid" and not with_valid:
                continue
            writer.writerow([phrase, oos_label, split])
    return path
