"""The Dutch two-class reading: a gate between reading a message as a review and as conversation.

The encoder's polarity head, taught on English, reads Dutch conversation (film subtitles) better than
the Dutch lexicon, and Dutch reviews worse: a Dutch review that tells its problem before its verdict
("Ik had een probleem met ..., maar het werd dezelfde dag opgelost") comes out negative, where
Pattern's Dutch lexicon, made from Dutch reviews, reads the verdict's adjectives. One fusion for both
kinds of text trusts the lexicon too little on reviews or too much on conversation. So a Dutch message
in the two-class task is read twice and the readings are mixed by how review-like it is:

- the **domain gate** (a logistic head on the sentence embedding) gives the share ``r`` of review-like
  text; it learns from review and service lines (English review sentences, English service sentences,
  Dutch reviews) against subtitle lines (English and Dutch);
- the **review reading**: a *review polarity head* on the embedding, taught by the English review
  sentences, the English service sentences and the Dutch reviews (each source weighing alike), gives a
  margin that knows Dutch review language ("kwam niet opdagen", "binnen een dag opgelost"); a small
  logistic head combines that margin with the Dutch lexicon's polarity and evidence, whether the
  lexicon is silent and the margin where it is (``review_features``). It is fitted on every Dutch row
  (each source alike) with margins the review polarity head did not learn from (5 folds over the Dutch
  reviews; the subtitle lines it never saw), so it learns how far each signal is trusted on text the
  head has not seen;
- the **subtitle reading** is the polarity fusion head, as for English.

P(positive) = r * review reading + (1 - r) * subtitle reading: a film line (r near 0) keeps the
subtitle reading, a review (r near 1) gets the review reading.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from contactpunt.insights.datasets import LabelledRows
from contactpunt.insights.encoder import FloatMatrix, SentenceEncoder, encode_in_batches
from contactpunt.insights.lexicon import lexicon_features
from contactpunt.insights.linear import LinearHead, fit_logistic

REVIEW, SUBTITLE = "review", "subtitle"
DOMAIN_LABELS = (REVIEW, SUBTITLE)
POLARITY = ("negative", "positive")
# Fixed, not searched: scikit-learn's default strength, as for every sentiment head; five folds, a fixed shuffle.
REGULARISATION = 1.0
FOLDS, SEED = 5, 0
PREFIXES = {"domain": "domain_", "polarity": "review_polarity_nl_", "review": "review_fusion_nl_"}


@dataclass(frozen=True)
class DutchReading:
    """The three heads of the Dutch reading: domain gate, review polarity head, review fusion head."""

    domain: LinearHead
    polarity: LinearHead
    review: LinearHead

    def __post_init__(self) -> None:
        if set(self.domain.classes) != set(DOMAIN_LABELS):
            raise ValueError(f"a domain gate has classes {DOMAIN_LABELS}")
        if set(self.polarity.classes) != set(POLARITY) or set(self.review.classes) != set(POLARITY):
            raise ValueError(f"the Dutch review heads have classes {POLARITY}")

    def to_arrays(self) -> dict[str, npt.NDArray[np.generic]]:
        """The heads as named arrays."""
        arrays: dict[str, npt.NDArray[np.generic]] = {}
        for name, prefix in PREFIXES.items():
            arrays.update(getattr(self, name).to_arrays(prefix))
        return arrays

    @classmethod
    def from_arrays(cls, arrays: dict[str, npt.NDArray[np.generic]]) -> DutchReading | None:
        """The reading stored in ``arrays``, None when the artefact has none."""
        if not all(f"{prefix}classes" in arrays for prefix in PREFIXES.values()):
            return None
        heads = {name: LinearHead.from_arrays(arrays, prefix) for name, prefix in PREFIXES.items()}
        return cls(**heads)

    def probabilities(self, embeddings: FloatMatrix, lexicon: FloatMatrix, subtitle: FloatMatrix) -> FloatMatrix:
        """P(negative), P(positive) of Dutch rows: the review and ``subtitle`` readings mixed by the review share."""
        share = self.domain.probabilities(embeddings, None)[:, [self.domain.classes.index(REVIEW)]]
        read = self.review.probabilities(review_features(polarity_margin(self.polarity, embeddings), lexicon), None)
        as_review = read[:, [self.review.classes.index(label) for label in POLARITY]]
        return np.asarray(share * as_review + (1.0 - share) * subtitle, dtype=np.float32)


def polarity_margin(head: LinearHead, embeddings: FloatMatrix) -> FloatMatrix:
    """A two-class head's logit of positive over negative, one column."""
    logits = head.logits(embeddings, None)
    margin = logits[:, head.classes.index("positive")] - logits[:, head.classes.index("negative")]
    return np.asarray(margin[:, None], dtype=np.float32)


def review_features(margin: FloatMatrix, lexicon: FloatMatrix) -> FloatMatrix:
    """The review fusion's inputs: margin, lexicon polarity and evidence, silent (0/1), margin if silent."""
    silent = (lexicon[:, :1] == 0).astype(np.float32)
    return np.asarray(np.hstack([margin, lexicon, silent, silent * margin]), dtype=np.float32)


def fit_dutch_reading(
    encoder: SentenceEncoder,
    sources: Sequence[tuple[str, LabelledRows, str]],
    *,
    english_reviews: Sequence[tuple[FloatMatrix, list[str]]],
    english_subtitles: FloatMatrix,
) -> DutchReading:
    """Fit the Dutch reading on the Dutch ``sources`` (name, positive and negative rows, kind: ``review``
    or ``subtitle``) beside the English review-like sources (embeddings and labels: review sentences,
    service sentences) and the English subtitle-like embeddings (the gate's other side)."""
    texts: list[str] = []
    labels: list[str] = []
    source_of: list[int] = []
    kinds: list[str] = []
    for number, (name, rows, kind) in enumerate(sources):
        if not set(rows.labels) <= set(POLARITY) or len(set(rows.labels)) != len(POLARITY):
            raise ValueError(f"Dutch fusion rows ({name}) need the labels {POLARITY}")
        if kind not in DOMAIN_LABELS:
            raise ValueError(f"a Dutch source is a {REVIEW} or a {SUBTITLE} source, not {kind!r}")
        texts += rows.texts
        labels += rows.labels
        source_of += [number] * len(rows)
        kinds.append(kind)
    embeddings = encode_in_batches(encoder, texts)
    sources_of = np.asarray(source_of)
    is_review = np.asarray([kinds[source] == REVIEW for source in source_of], dtype=bool)
    english = [(np.asarray(vectors), list(marks)) for vectors, marks in english_reviews if len(marks)]

    def polarity_head(rows: npt.NDArray[np.intp]) -> LinearHead:
        """The review polarity head on the English review sources and the given Dutch review rows."""
        parts = english + [
            (embeddings[rows[sources_of[rows] == source]], [labels[i] for i in rows if sources_of[i] == source])
            for source in sorted(set(sources_of[rows].tolist()))
        ]
        weights = _source_weights(np.concatenate([np.full(len(marks), n) for n, (_, marks) in enumerate(parts)]))
        return fit_logistic(
            [mark for _, marks in parts for mark in marks],
            embeddings=np.vstack([vectors for vectors, _ in parts]),
            tfidf=None,
            regularisation=REGULARISATION,
            balanced=False,
            sample_weight=weights,
        ).head

    reviews = np.flatnonzero(is_review)
    polarity = polarity_head(reviews)
    margin = polarity_margin(polarity, embeddings)  # the subtitle rows: never seen by the head
    review_labels = [labels[i] for i in reviews]
    if min((review_labels.count(label) for label in POLARITY), default=0) >= FOLDS:
        from sklearn.model_selection import StratifiedKFold

        splitter = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
        for kept, left_out in splitter.split(np.zeros(len(reviews)), review_labels):
            margin[reviews[left_out]] = polarity_margin(polarity_head(reviews[kept]), embeddings[reviews[left_out]])
    lexicon = lexicon_features(texts, ["nl"] * len(texts))
    review = fit_logistic(
        labels,
        embeddings=review_features(margin, lexicon),
        tfidf=None,
        regularisation=REGULARISATION,
        balanced=False,
        sample_weight=_source_weights(sources_of),
    ).head
    review_like = np.vstack([vectors for vectors, _ in english] + [embeddings[is_review]])
    subtitle_like = np.vstack([english_subtitles, embeddings[~is_review]])
    domain = fit_logistic(
        [REVIEW] * len(review_like) + [SUBTITLE] * len(subtitle_like),
        embeddings=np.vstack([review_like, subtitle_like]),
        tfidf=None,
        regularisation=REGULARISATION,
        balanced=True,
    ).head
    return DutchReading(domain, polarity, review)


def _source_weights(source_of: npt.NDArray[np.integer]) -> npt.NDArray[np.float64]:
    """Row weights under which every source weighs alike in total (mean weight 1)."""
    numbers, sizes = np.unique(source_of, return_counts=True)
    size_of = dict(zip(numbers.tolist(), sizes.tolist(), strict=True))
    return np.asarray([len(source_of) / (len(numbers) * size_of[int(s)]) for s in source_of], dtype=np.float64)
