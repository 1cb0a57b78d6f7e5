"""The Dutch two-class reading: a gate between reading a message as a review and as conversation.

The encoder's polarity head reads Dutch conversation (film subtitles) better than the Dutch lexicon,
and Dutch reviews worse: a Dutch review that tells its problem before its verdict ("Ik had een
probleem met ..., maar het werd dezelfde dag opgelost") comes out negative, where Pattern's Dutch
lexicon, made from Dutch reviews, reads the verdict's adjectives. One fusion for both kinds of text
trusts the lexicon too little on reviews or too much on conversation. So a Dutch message in the
two-class task in which the Dutch lexicon takes a side is read twice and the readings are mixed by how
review-like it is:

- the **domain gate** (a logistic head on the sentence embedding) gives the share ``r`` of review-
  like text; it learns from review and service lines (English review sentences, English and Dutch
  service sentences) against subtitle lines (English and Dutch), and through the multilingual encoder
  it tells a Dutch review from a Dutch film line;
- the **review reading** is a small logistic head on the polarity head's margin, the Dutch lexicon's
  polarity and evidence, whether the lexicon is silent and the margin where it is (``review_features``):
  fitted on every Dutch row of its sources, which the encoder's heads never saw (code-made Dutch service
  reviews and Dutch subtitle lines, each source weighing alike), it learns how far the lexicon is
  trusted; the rows without an opinion word have their own intercept and slope in the fit, and are not
  read by it (a Dutch message without an opinion word keeps the polarity fusion head's reading: the
  same accuracy on every development set, and a thank-you without one, "Mijn vraag werd binnen een uur
  beantwoord, dank jullie wel.", stays positive);
- the **subtitle reading** is the polarity fusion head, as for English.

P(positive) = r * review reading + (1 - r) * subtitle reading. A film line (r near 0) keeps the
subtitle reading; a review (r near 1) gets the review reading.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from contactpunt.insights.datasets import LabelledRows
from contactpunt.insights.encoder import FloatMatrix, SentenceEncoder, encode_in_batches
from contactpunt.insights.lexicon import lexicon_features
from contactpunt.insights.linear import LinearHead, fit_logistic

REVIEW, SUBTITLE = "review", "subtitle"
DOMAIN_LABELS = (REVIEW, SUBTITLE)
POLARITY = ("negative", "positive")
# Fixed, not searched: scikit-learn's default strength, as for every sentiment head.
REGULARISATION = 1.0


def review_features(margin: FloatMatrix, lexicon: FloatMatrix) -> FloatMatrix:
    """The review reading's inputs: margin, lexicon polarity and evidence, silent (0/1), margin if silent."""
    silent = (lexicon[:, :1] == 0).astype(np.float32)
    return np.asarray(np.hstack([margin, lexicon, silent, silent * margin]), dtype=np.float32)


def review_share(domain: LinearHead, embeddings: FloatMatrix) -> FloatMatrix:
    """P(review-like) per row, from the domain gate."""
    return np.asarray(domain.probabilities(embeddings, None)[:, domain.classes.index(REVIEW)], dtype=np.float32)


def dutch_probabilities(
    domain: LinearHead,
    review: LinearHead,
    *,
    margin: FloatMatrix,
    embeddings: FloatMatrix,
    lexicon: FloatMatrix,
    subtitle: FloatMatrix,
) -> FloatMatrix:
    """P(negative), P(positive) of Dutch rows: the review and subtitle readings mixed by the review share."""
    share = review_share(domain, embeddings)[:, None]
    read = review.probabilities(review_features(margin, lexicon), None)
    as_review = read[:, [review.classes.index(label) for label in POLARITY]]
    return np.asarray(share * as_review + (1.0 - share) * subtitle, dtype=np.float32)


def fit_domain_gate(review_like: FloatMatrix, subtitle_like: FloatMatrix) -> LinearHead:
    """The domain gate: review-like against subtitle-like embeddings, each class weighing alike."""
    labels = [REVIEW] * len(review_like) + [SUBTITLE] * len(subtitle_like)
    embeddings = np.vstack([review_like, subtitle_like])
    return fit_logistic(labels, embeddings=embeddings, tfidf=None, regularisation=REGULARISATION, balanced=True).head


def fit_dutch_review_head(
    margin_of: Callable[[FloatMatrix], FloatMatrix],
    encoder: SentenceEncoder,
    sources: Sequence[tuple[str, LabelledRows, str]],
) -> tuple[LinearHead, dict[str, FloatMatrix]]:
    """The review reading, fitted on every row of the Dutch ``sources`` (name, positive and negative rows,
    and their kind: ``review`` or ``subtitle``), each source weighing alike (mean row weight 1), with
    ``margin_of(embeddings)`` (the final polarity head's margin; the heads never saw these rows).

    Returns the head and the sources' embeddings by kind, for the domain gate.
    """
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
    lexicon = lexicon_features(texts, ["nl"] * len(texts))
    sizes = np.bincount(source_of, minlength=len(sources))
    weights = np.asarray([len(texts) / (len(sizes) * sizes[source]) for source in source_of], dtype=np.float64)
    margin = margin_of(embeddings)
    head = fit_logistic(
        labels,
        embeddings=review_features(margin, lexicon),
        tfidf=None,
        regularisation=REGULARISATION,
        balanced=False,
        sample_weight=weights,
    ).head
    rows_of = np.asarray(source_of)
    by_kind = {
        kind: embeddings[np.isin(rows_of, [n for n, k in enumerate(kinds) if k == kind])] for kind in DOMAIN_LABELS
    }
    return head, by_kind
