from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from contactpunt.insights.datasets import LabelledRows, read_labelled_csv
from contactpunt.insights.dutch_service_sentences import dutch_service_sentences
from contactpunt.insights.encoder import EMBEDDING_DIMENSION, UniversalSentenceEncoder
from contactpunt.insights.linear import LinearHead
from contactpunt.insights.sentiment import (
    SHIPPED_MODEL,
    SentimentModel,
    _equal_source_weights,
    score_sentiment,
    task_labels_of,
    train_sentiment,
)
from contactpunt.insights.sentiment_dutch import DutchReading
from contactpunt.insights.service_sentences import service_sentences

DUTCH_REVIEWS = Path(__file__).resolve().parent / "data" / "dutch_reviews_handwritten.csv"
DUTCH_LONG_REVIEWS = Path(__file__).resolve().parent / "data" / "dutch_reviews_long_handwritten.csv"
DUTCH_HELD_OUT_REVIEWS = Path(__file__).resolve().parent / "data" / "dutch_reviews_holdout_handwritten.csv"
DUTCH_FRESH_REVIEWS = Path(__file__).resolve().parent / "data" / "dutch_reviews_fresh_handwritten.csv"
DUTCH_PRODUCT_REVIEWS = Path(__file__).resolve().parent / "data" / "dutch_product_reviews_heldout_handwritten.csv"
DUTCH_SERVICE_REVIEWS = Path(__file__).resolve().parent / "data" / "dutch_service_reviews_unseen_handwritten.csv"

POSITIVE = [
    "Thank you so much, your help was excellent!",
    "Great service, I am very happy with the quick answer.",
    "Heel erg bedankt, jullie hulp was geweldig!",
    "Super service, ik ben er heel blij mee.",
]
NEGATIVE = [
    "This is terrible, I am furious about how you treated me.",
    "Worst service ever, I hate waiting this long.",
    "Dit is verschrikkelijk, ik ben woedend over hoe jullie mij behandelen.",
    "Slechtste service ooit, ik baal er enorm van.",
]


@pytest.fixture(scope="module")
def shipped(encoder: UniversalSentenceEncoder) -> SentimentModel:
    return SentimentModel.load(encoder=encoder)


def test_shipped_model_is_small_and_describes_itself(shipped: SentimentModel) -> None:
    assert SHIPPED_MODEL.stat().st_size < 100_000
    assert shipped.manifest["training_data_licence"].startswith("CC BY 4.0")
    assert shipped.manifest["training_rows"] > 10_000


def test_clear_dutch_and_english_remarks(shipped: SentimentModel, no_network: None) -> None:
    results = shipped.predict(POSITIVE + NEGATIVE)
    assert [r.label for r in results] == ["positive"] * 4 + ["negative"] * 4
    assert all(r.score > 0.3 for r in results[:4])
    assert all(r.score < -0.3 for r in results[4:])


def test_scores_are_bounded_and_empty_input_is_fine(shipped: SentimentModel) -> None:
    results = shipped.predict(["", "Mijn klantnummer is 12345.", "ok"])
    assert all(-1.0 <= r.score <= 1.0 for r in results)
    assert shipped.predict([]) == []


def _write(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label", "split"])
        writer.writerows(rows)
    return path


FACTUAL = ["De bus vertrekt om drie uur.", "The form has three fields.", "Het is dinsdag.", "I live in Utrecht."]


def test_two_class_task_never_answers_neutral(shipped: SentimentModel, tmp_path: Path) -> None:
    three = [r.label for r in shipped.predict(FACTUAL)]
    assert "neutral" in three  # the three-class task does call factual lines neutral
    two = shipped.predict(FACTUAL + POSITIVE + NEGATIVE, labels=("positive", "negative"))
    assert {r.label for r in two} <= {"positive", "negative"}
    # A file with only positive and negative labels is a two-class task by itself.
    rows = [(t, "positive", "test") for t in POSITIVE] + [(t, "negative", "test") for t in NEGATIVE]
    rows += [(t, "positive", "test") for t in FACTUAL]
    data = read_labelled_csv(_write(tmp_path / "s.csv", rows), text_column="text", label_column="label")
    assert task_labels_of(data) == ("negative", "positive")
    scores = score_sentiment(shipped, data)
    assert scores.rows == 12
    assert scores.accuracy >= 8 / 12  # the clear remarks right; the factual lines are a guess, not neutral


def test_task_labels_are_checked() -> None:
    rows = LabelledRows(["a"], ["positive"], [])
    assert task_labels_of(rows, ["positive", "neutral", "negative"]) == ("negative", "neutral", "positive")
    with pytest.raises(ValueError, match="positive and negative"):
        task_labels_of(rows, ["positive", "neutral"])


def test_hand_written_dutch_reviews(shipped: SentimentModel) -> None:
    # 67 short Dutch customer-review sentences written by hand for this project (in no data set). Since the
    # weights 02baba9e15c9 they teach the Dutch reading (a floor against breakage, not a measurement):
    # 1.000 (the lexicon alone 1.000; the same with 228c764b1118).
    data = read_labelled_csv(DUTCH_REVIEWS, text_column="text", label_column="label")
    assert len(data) == 67
    scores = score_sentiment(shipped, data)
    assert scores.accuracy >= 0.95


def test_long_hand_written_dutch_reviews(shipped: SentimentModel) -> None:
    # 64 longer Dutch reviews (hotels, webshops, energy, telecom, municipalities, ...) with mixed opinions,
    # negation, irony and spelling errors, written by hand; fitted since the weights 02baba9e15c9: 0.922,
    # 0.938 with 228c764b1118 (zero-shot with the weights 2d41a7ef45e3: 0.844; the lexicon alone 0.859).
    data = read_labelled_csv(DUTCH_LONG_REVIEWS, text_column="text", label_column="label")
    assert len(data) == 64 and data.labels.count("positive") == 32
    scores = score_sentiment(shipped, data)
    assert scores.accuracy >= 0.88


def test_earlier_held_out_dutch_reviews(shipped: SentimentModel) -> None:
    # The two earlier held-out sets (80 reviews of 15 fields, 106 of 34), each read once for its version
    # (0.825 with b6429bbec359; 0.698 with 2d41a7ef45e3, the lexicon alone 0.708) and fitted since the
    # weights 02baba9e15c9 (0.925 and 0.764; 0.912 and 0.802 with 228c764b1118): floors against breakage,
    # not measurements.
    for path, size, floor in ((DUTCH_HELD_OUT_REVIEWS, 80, 0.9), (DUTCH_FRESH_REVIEWS, 106, 0.74)):
        data = read_labelled_csv(path, text_column="text", label_column="label")
        assert len(data) == size and data.labels.count("positive") == size // 2
        predicted = shipped.predict(data.texts, labels=("positive", "negative"))
        assert {r.label for r in predicted} == {"positive", "negative"}
        assert score_sentiment(shipped, data).accuracy >= floor


def test_held_out_dutch_product_reviews(shipped: SentimentModel) -> None:
    # 100 Dutch product reviews of 26 kinds of product, written and committed before version 6 was made,
    # never trained on, and measured once at the end: 0.790 with the weights 02baba9e15c9, where the
    # lexicon alone reads 0.750 (0.790 without its homograph rules) and the earlier weights 0.810
    # (b6429bbec359) and 0.800 (2d41a7ef45e3): no gain on product reviews (the goal is 0.85). The weights
    # 228c764b1118 (version 7) read 0.790 too (the lexicon with its service words 0.780).
    data = read_labelled_csv(DUTCH_PRODUCT_REVIEWS, text_column="text", label_column="label")
    assert len(data) == 100 and data.labels.count("positive") == 50
    assert score_sentiment(shipped, data).accuracy >= 0.77


def test_unseen_dutch_service_reviews(shipped: SentimentModel) -> None:
    # 116 Dutch reviews of energy suppliers, telecom, webshops, insurers, banks, public transport and
    # municipalities (58 positive), written and committed before version 7 was made, never trained on:
    # 0.759 with the weights 02baba9e15c9, 0.784 with 228c764b1118 (the lexicon alone 0.750 and 0.776).
    # The floor keeps version 7's gain; the goal is 0.85.
    data = read_labelled_csv(DUTCH_SERVICE_REVIEWS, text_column="text", label_column="label")
    assert len(data) == 116 and data.labels.count("positive") == 58
    predicted = shipped.predict(data.texts, labels=("positive", "negative"))
    assert {r.label for r in predicted} == {"positive", "negative"}
    assert score_sentiment(shipped, data).accuracy >= 0.77


def test_unknown_labels_are_refused(shipped: SentimentModel, tmp_path: Path) -> None:
    data = read_labelled_csv(
        _write(tmp_path / "s.csv", [("fine", "happy", "test")]), text_column="text", label_column="label"
    )
    with pytest.raises(ValueError, match="found \\['happy'\\]"):
        score_sentiment(shipped, data)


def test_training_reproduces_a_working_model(encoder: UniversalSentenceEncoder, tmp_path: Path) -> None:
    neutral = ["The meeting is at ten.", "I live in Utrecht.", "The form has three fields.", "It is Tuesday."]
    rows = [(t, "positive", "train") for t in POSITIVE[:2]] + [(t, "negative", "train") for t in NEGATIVE[:2]]
    rows += [(t, "neutral", "train") for t in neutral[:3]]
    rows += [(POSITIVE[2], "positive", "test"), (NEGATIVE[2], "negative", "test"), (neutral[3], "neutral", "test")]
    data = read_labelled_csv(_write(tmp_path / "train.csv", rows), text_column="text", label_column="label")
    model, scores = train_sentiment(data, encoder=encoder, source="train.csv", licence="test data")
    assert scores is not None and scores.rows == 3
    assert model.manifest["training_rows"] == 7
    path = tmp_path / "sentiment.npz"
    model.save(path)
    again = SentimentModel.load(path, encoder=encoder)
    assert again.manifest["version"] == model.manifest["version"]
    assert again.predict(POSITIVE + NEGATIVE) == model.predict(POSITIVE + NEGATIVE)
    np.testing.assert_allclose(again.head.embedding_weights, model.head.embedding_weights)
    assert again.polarity is not None and model.polarity is not None
    np.testing.assert_allclose(again.polarity.embedding_weights, model.polarity.embedding_weights)
    # Two rows of each label are enough for two folds: the fusion heads are trained and kept.
    assert again.fusion is not None and model.fusion is not None and again.polarity_fusion is not None
    np.testing.assert_allclose(again.fusion.embedding_weights, model.fusion.embedding_weights)
    assert {r.label for r in again.predict(neutral, labels=("positive", "negative"))} <= {"positive", "negative"}


def test_training_needs_all_three_labels(encoder: UniversalSentenceEncoder, tmp_path: Path) -> None:
    rows = [(POSITIVE[0], "positive", "train"), (NEGATIVE[0], "negative", "train")]
    data = read_labelled_csv(_write(tmp_path / "t.csv", rows), text_column="text", label_column="label")
    with pytest.raises(ValueError, match="need exactly the labels"):
        train_sentiment(data, encoder=encoder, source="t.csv", licence="x")


def test_extra_rows_teach_the_heads_and_are_counted(encoder: UniversalSentenceEncoder, tmp_path: Path) -> None:
    neutral = ["The meeting is at ten.", "I live in Utrecht.", "The form has three fields."]
    rows = [(t, "positive", "train") for t in POSITIVE] + [(t, "negative", "train") for t in NEGATIVE]
    rows += [(t, "neutral", "train") for t in neutral]
    data = read_labelled_csv(_write(tmp_path / "train.csv", rows), text_column="text", label_column="label")
    model, _ = train_sentiment(data, encoder=encoder, source="train.csv", licence="x", extra=service_sentences(60))
    assert model.manifest["training_rows"] == 11
    assert model.manifest["extra_training_rows"] == 60
    assert model.polarity_fusion is not None
    with pytest.raises(ValueError, match="positive or negative"):
        train_sentiment(
            data, encoder=encoder, source="t", licence="x", extra=LabelledRows(["It is Tuesday."], ["neutral"], [])
        )


def test_review_rows_teach_the_heads_and_are_counted(encoder: UniversalSentenceEncoder, tmp_path: Path) -> None:
    neutral = ["The meeting is at ten.", "I live in Utrecht.", "The form has three fields."]
    rows = [(t, "positive", "train") for t in POSITIVE] + [(t, "negative", "train") for t in NEGATIVE]
    rows += [(t, "neutral", "train") for t in neutral]
    data = read_labelled_csv(_write(tmp_path / "train.csv", rows), text_column="text", label_column="label")
    review_rows = [("Works great, I love it.", "positive", "train"), ("Broke after a day.", "negative", "train")]
    review_rows += [("Fast delivery and a fine product.", "positive", "train"), ("Do not buy.", "negative", "test")]
    reviews = read_labelled_csv(_write(tmp_path / "reviews.csv", review_rows), text_column="text", label_column="label")
    model, _ = train_sentiment(
        data,
        encoder=encoder,
        source="train.csv",
        licence="x",
        reviews=reviews,
        reviews_source="r.csv",
        reviews_licence="y",
    )
    assert model.manifest["training_rows"] == 11
    assert model.manifest["review_rows"] == 3  # the test row is left out
    assert (model.manifest["review_data"], model.manifest["review_data_licence"]) == ("r.csv", "y")
    assert "each source weighs alike" in model.manifest["fusion"]
    alone, _ = train_sentiment(data, encoder=encoder, source="train.csv", licence="x")
    assert alone.manifest["review_rows"] == 0 and alone.manifest["version"] != model.manifest["version"]
    with pytest.raises(ValueError, match="review rows need the labels"):
        train_sentiment(
            data, encoder=encoder, source="t", licence="x", reviews=LabelledRows(["It is Tuesday."], ["neutral"], [])
        )


def test_two_sources_weigh_alike_in_the_fusion_head() -> None:
    weights = _equal_source_weights(np.array([False, False, False, True]))
    assert weights is not None
    np.testing.assert_allclose(weights, [2 / 3, 2 / 3, 2 / 3, 2.0])
    assert weights[:3].sum() == pytest.approx(weights[3:].sum())
    assert _equal_source_weights(np.array([False, False])) is None


SERVICE_PRAISE = [
    "De klantenservice was vriendelijk en heeft mijn probleem snel opgelost.",
    "Retourneren ging makkelijk en het geld stond snel terug op mijn rekening.",
    "Mijn vraag werd binnen een uur beantwoord, dank jullie wel.",
    "The agent solved my problem quickly, very nice.",
]
SERVICE_COMPLAINTS = [
    "Het pakket kwam beschadigd en veel te laat aan.",
    "De medewerker was onbeleefd en hielp me niet.",
    "Ik wacht al drie weken op mijn terugbetaling, belachelijk.",
    "Nooit meer bij jullie, wat een waardeloze service.",
]


def test_service_messages_are_read_by_their_opinion_not_their_topic(shipped: SentimentModel) -> None:
    # A solved problem or a quick refund is praise: the topic words (problem, refund) must not decide.
    results = shipped.predict(SERVICE_PRAISE + SERVICE_COMPLAINTS, labels=("positive", "negative"))
    assert [r.label for r in results] == ["positive"] * 4 + ["negative"] * 4


# Dutch service stories that end well or badly, written for this test (in no data set): the story's
# words (probleem, klacht, storing, retour) come before the verdict. The weights before the Dutch
# fusion head read the first story and the seventh (a "maar" clause) wrong.
DUTCH_STORIES_PRAISE = [
    "Ik had een probleem met mijn factuur, maar de medewerker heeft het dezelfde dag opgelost. Heel tevreden!",
    "Mijn pakket was zoekgeraakt. Binnen twee dagen kreeg ik een nieuw exemplaar, keurige service.",
    "Ik diende een klacht in over de bezorging en kreeg snel een vriendelijk antwoord.",
    "Na de storing kwam er meteen een monteur langs. Prima geholpen.",
]
DUTCH_STORIES_COMPLAINT = [
    "Ik heb drie keer gebeld over mijn storing en niemand helpt me. Slechte service.",
    "De terugbetaling van mijn retour laat al een maand op zich wachten. Heel teleurstellend.",
    "Het product werkte goed, maar de klantenservice was onvriendelijk en traag.",
    "Mijn klacht is nooit beantwoord. Waardeloos bedrijf.",
]


def test_dutch_service_stories_are_read_by_their_verdict(shipped: SentimentModel) -> None:
    assert shipped.dutch is not None
    results = shipped.predict(DUTCH_STORIES_PRAISE + DUTCH_STORIES_COMPLAINT, labels=("positive", "negative"))
    assert [r.label for r in results] == ["positive"] * 4 + ["negative"] * 4


def _constant_head(classes: tuple[str, ...], bias: list[float], inputs: int) -> LinearHead:
    return LinearHead(
        classes=classes,
        embedding_weights=np.zeros((inputs, len(classes)), dtype=np.float32),
        tfidf_weights=np.zeros((0, len(classes)), dtype=np.float32),
        bias=np.array(bias, dtype=np.float32),
    )


def test_dutch_rows_are_read_as_reviews_or_conversation_by_the_domain_gate(tmp_path: Path) -> None:
    two = ("negative", "positive")

    def model_with(review_bias: float) -> SentimentModel:
        return SentimentModel(
            _constant_head(("negative", "neutral", "positive"), [0.0, 1.0, 0.0], EMBEDDING_DIMENSION),
            {"kind": "sentiment", "encoder": "usem3"},
            polarity=_constant_head(two, [0.0, 0.0], EMBEDDING_DIMENSION),
            polarity_fusion=_constant_head(two, [1.0, 0.0], 3),  # the subtitle reading: negative
            dutch=DutchReading(
                _constant_head(("review", "subtitle"), [review_bias, 0.0], EMBEDDING_DIMENSION),
                _constant_head(two, [0.0, 0.0], EMBEDDING_DIMENSION),
                _constant_head(two, [0.0, 1.0], 5),  # the review reading: positive
            ),
        )

    texts = ["Het pakket is goed.", "Het pakket is er.", "The parcel is good.", "Il pacco è arrivato."]
    languages = ["nl", "nl", "en", "it"]
    embeddings = np.zeros((4, EMBEDDING_DIMENSION), dtype=np.float32)
    review_like, conversation = model_with(20.0), model_with(-20.0)
    read = review_like.predict_embeddings(embeddings, labels=two, texts=texts, languages=languages)
    # Every Dutch row gets the review reading, with or without an opinion word; other languages never do.
    assert [r.label for r in read] == ["positive", "positive", "negative", "negative"]
    read = conversation.predict_embeddings(embeddings, labels=two, texts=texts, languages=languages)
    assert [r.label for r in read] == ["negative"] * 4
    # Half review-like: the two readings are mixed half and half (here they cancel out).
    halfway = model_with(0.0).predict_embeddings(embeddings, labels=two, texts=texts, languages=languages)
    assert read[0].score == pytest.approx(-0.4621, abs=1e-3)
    assert halfway[0].score == pytest.approx(0.0, abs=1e-3)
    # The three-class task and a reading without texts do not use it.
    assert {r.label for r in review_like.predict_embeddings(embeddings, texts=texts, languages=languages)} == {
        "neutral"
    }
    assert [r.label for r in review_like.predict_embeddings(embeddings, labels=two)] == ["negative"] * 4
    review_like.save(tmp_path / "m.npz")
    again = SentimentModel.load(tmp_path / "m.npz")
    assert again.dutch is not None
    np.testing.assert_allclose(again.dutch.domain.bias, [20.0, 0.0])
    with pytest.raises(ValueError, match="needs one"):
        SentimentModel(review_like.head, {}, polarity=review_like.polarity, dutch=review_like.dutch)


def test_dutch_rows_fit_the_dutch_fusion_head(encoder: UniversalSentenceEncoder, tmp_path: Path) -> None:
    neutral = ["The meeting is at ten.", "I live in Utrecht.", "The form has three fields."]
    rows = [(t, "positive", "train") for t in POSITIVE] + [(t, "negative", "train") for t in NEGATIVE]
    rows += [(t, "neutral", "train") for t in neutral]
    data = read_labelled_csv(_write(tmp_path / "train.csv", rows), text_column="text", label_column="label")
    subtitles = LabelledRows(
        ["Wat heerlijk!", "Ik haat je.", "Prachtig.", "Wat erg."], ["positive", "negative"] * 2, []
    )
    dutch = [("made", dutch_service_sentences(40), "review"), ("subtitles", subtitles, "subtitle")]
    model, _ = train_sentiment(data, encoder=encoder, source="t", licence="x", extra=service_sentences(20), dutch=dutch)
    assert model.dutch is not None
    assert model.manifest["dutch_fusion"].startswith("a domain gate (review-like: the review and extra rows, made;")
    assert "fitted on made (40 rows) and subtitles (4 rows), each source weighs alike" in model.manifest["dutch_fusion"]
    model.save(tmp_path / "dutch.npz")
    again = SentimentModel.load(tmp_path / "dutch.npz")
    assert again.dutch is not None
    np.testing.assert_allclose(again.dutch.review.bias, model.dutch.review.bias)
    alone, _ = train_sentiment(data, encoder=encoder, source="t", licence="x", extra=service_sentences(20))
    assert alone.dutch is None and alone.manifest["dutch_fusion"] == "none"
    with pytest.raises(ValueError, match="Dutch fusion rows \\(odd\\) need the labels"):
        train_sentiment(
            data,
            encoder=encoder,
            source="t",
            licence="x",
            dutch=[("odd", LabelledRows(["Het is dinsdag."], ["neutral"], []), "review")],
        )
