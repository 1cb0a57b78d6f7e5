"""New topics: clusters of recent messages that fit none of the known contact reasons well.

The messages the reason model was unsure of (or answered "none of the known reasons" for), in the last
``WINDOW_DAYS`` days (at most ``MAX_MESSAGES``, the newest), are encoded with the sentence encoder
and clustered by average-linkage agglomerative clustering on cosine distance, cut at
``DISTANCE_THRESHOLD`` (messages in one cluster are on average at least 1 - threshold similar).
Clusters of at least ``MIN_CLUSTER_SIZE`` messages are new topics, described by their most typical
words (frequent in the cluster, rare in the other unmatched messages) and the messages nearest to
the cluster's centre.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
from django.db import transaction

from contactpunt.insights.analysis import message_text
from contactpunt.insights.encoder import encode_in_batches, get_encoder
from contactpunt.insights.models import MessageInsight, NewTopic

WINDOW_DAYS = 7
MAX_MESSAGES = 2000
MIN_CLUSTER_SIZE = 8
DISTANCE_THRESHOLD = 0.55
TOP_WORDS = 6
EXAMPLES = 5
_WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)
# Greetings, sign-offs and filler in Dutch and English say nothing about a topic.
STOPWORDS = frozenset(
    [
        "hallo",
        "beste",
        "goedemorgen",
        "goedemiddag",
        "goedenavond",
        "groet",
        "groeten",
        "vriendelijke",
        "alvast",
        "bedankt",
        "dank",
        "dankjewel",
        "graag",
        "even",
        "nog",
        "niet",
        "maar",
        "want",
        "voor",
        "naar",
        "mijn",
        "jullie",
        "jouw",
        "zijn",
        "haar",
        "heeft",
        "hebben",
        "kunnen",
        "wordt",
        "worden",
        "deze",
        "dit",
        "dat",
        "wat",
        "waar",
        "wanneer",
        "hoe",
        "ook",
        "toch",
        "echt",
        "heel",
        "snel",
        "alstublieft",
        "aub",
        "svp",
        "meer",
        "over",
        "sinds",
        "hello",
        "dear",
        "thanks",
        "thank",
        "regards",
        "kind",
        "best",
        "please",
        "could",
        "would",
        "should",
        "have",
        "your",
        "with",
        "this",
        "that",
        "what",
        "when",
        "where",
        "there",
        "been",
        "from",
        "they",
        "them",
        "just",
        "still",
        "very",
        "really",
        "about",
        "since",
    ]
)


@dataclass(frozen=True, slots=True)
class FoundTopic:
    """A cluster: its message ids (nearest to the centre first), the top words, first and last arrival."""

    message_ids: list[int]
    top_words: list[str]
    first_seen: dt.datetime
    last_seen: dt.datetime


def unsure_messages(since: dt.datetime, until: dt.datetime) -> list[tuple[int, dt.datetime, str]]:
    """(message id, arrival, text) of the messages in [since, until) a reason model was unsure of (or matched none)."""
    rows = (
        MessageInsight.objects.filter(occurred_at__gte=since, occurred_at__lt=until, reason_is_unsure=True)
        .order_by("-occurred_at", "-id")
        .values_list("message_id", "occurred_at", "message__subject", "message__text")[:MAX_MESSAGES]
    )
    return [(pk, at, message_text(subject, text)) for pk, at, subject, text in rows]


def find_topics(messages: list[tuple[int, dt.datetime, str]]) -> list[FoundTopic]:
    """Cluster the messages; return the clusters of at least MIN_CLUSTER_SIZE, largest first."""
    if len(messages) < MIN_CLUSTER_SIZE:
        return []
    texts = [text for _pk, _at, text in messages]
    embeddings = encode_in_batches(get_encoder(), texts)
    from sklearn.cluster import AgglomerativeClustering  # a second of imports every process start would pay

    labels = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=DISTANCE_THRESHOLD
    ).fit_predict(embeddings)
    words = [set(_WORD.findall(text.lower())) - STOPWORDS for text in texts]
    document_frequency: Counter[str] = Counter(word for found in words for word in found)
    topics = []
    for label, size in Counter(labels.tolist()).most_common():
        if size < MIN_CLUSTER_SIZE:
            break
        members = np.flatnonzero(labels == label)
        centre = embeddings[members].mean(axis=0)
        nearest = members[np.argsort(-(embeddings[members] @ centre))]
        in_cluster: Counter[str] = Counter(word for index in members for word in words[index])
        score = {
            word: count / size * math.log(len(texts) / document_frequency[word])
            for word, count in in_cluster.items()
            if count >= 2
        }
        arrivals = [messages[index][1] for index in members]
        topics.append(
            FoundTopic(
                [messages[index][0] for index in nearest],
                [word for word, _score in sorted(score.items(), key=lambda item: (-item[1], item[0]))[:TOP_WORDS]],
                min(arrivals),
                max(arrivals),
            )
        )
    return topics


def store_topics(found_on: dt.date, until: dt.datetime) -> list[NewTopic]:
    """Find the new topics of the WINDOW_DAYS before ``until`` and store them as found on ``found_on``
    (the topics found earlier that day are replaced, so running it again duplicates nothing)."""
    topics = find_topics(unsure_messages(until - dt.timedelta(days=WINDOW_DAYS), until))
    with transaction.atomic():
        NewTopic.objects.filter(found_on=found_on).delete()
        return [
            NewTopic.objects.create(
                found_on=found_on,
                size=len(topic.message_ids),
                top_words=topic.top_words,
                example_message_ids=topic.message_ids[:EXAMPLES],
                first_seen=topic.first_seen,
                last_seen=topic.last_seen,
            )
            for topic in topics
        ]
