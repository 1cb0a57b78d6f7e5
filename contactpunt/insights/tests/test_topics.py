"""New topics: clusters of unmatched messages, at least MIN_CLUSTER_SIZE big, with their typical words."""

from __future__ import annotations

import datetime as dt

from contactpunt.insights.topics import MIN_CLUSTER_SIZE, find_topics

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
SOLAR = [
    "Mijn zonnepanelen leveren sinds de update niets meer op",
    "De app van de zonnepanelen toont geen opbrengst",
    "Waarom staan mijn zonnepanelen op nul kWh?",
    "Zonnepanelen geven een foutcode na de update",
    "My solar panels stopped producing after the update",
    "The solar panel app shows zero output",
    "Zonnepanelen omvormer knippert rood",
    "Geen opbrengst van de zonnepanelen vandaag",
    "Solar panels show an error since yesterday",
    "De omvormer van mijn zonnepanelen doet het niet",
]
ODD = [
    "Wat is het weer morgen in Utrecht?",
    "Can you recommend a good restaurant?",
    "Wie heeft de wedstrijd gewonnen?",
    "Tell me a joke about cats",
    "Hoe laat gaat de supermarkt dicht?",
]


def messages(texts: list[str]) -> list[tuple[int, dt.datetime, str]]:
    return [(n, T0 + dt.timedelta(hours=n), text) for n, text in enumerate(texts, start=1)]


def test_a_coherent_group_of_unmatched_messages_is_a_topic_and_scattered_ones_are_not(encoder):
    found = find_topics(messages(SOLAR + ODD))
    assert len(found) == 1
    (topic,) = found
    assert set(topic.message_ids) >= set(range(1, 9))
    assert not set(topic.message_ids) & set(range(11, 16))
    assert "zonnepanelen" in topic.top_words
    assert topic.first_seen == T0 + dt.timedelta(hours=min(topic.message_ids))


def test_too_few_messages_make_no_topic(encoder):
    assert find_topics(messages(SOLAR[: MIN_CLUSTER_SIZE - 1])) == []
    assert find_topics(messages(ODD)) == []
