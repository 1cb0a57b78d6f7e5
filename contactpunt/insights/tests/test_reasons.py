from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from contactpunt.insights.artefacts import ArtefactError, load_artefact, save_artefact
from contactpunt.insights.datasets import DatasetError, LabelledRows, read_labelled_csv
from contactpunt.insights.encoder import UniversalSentenceEncoder
from contactpunt.insights.reasons import (
    REGULARISATIONS,
    ReasonModel,
    choose_threshold,
    reason_model_from_seeds,
    train_reason_model,
)

from .conftest import REASON_PHRASES, write_reason_csv


@pytest.fixture(scope="module")
def rows(tmp_path_factory: pytest.TempPathFactory) -> LabelledRows:
    path = write_reason_csv(tmp_path_factory.mktemp("reasons") / "reasons.csv")
    return read_labelled_csv(path, text_column="message", label_column="reason")


@pytest.fixture(scope="module")
def hybrid(rows: LabelledRows, encoder: UniversalSentenceEncoder) -> ReasonModel:
    model, _ = train_reason_model(rows, encoder=encoder)
    return model


def test_trains_on_train_rows_and_reports_validation(rows: LabelledRows, encoder: UniversalSentenceEncoder) -> None:
    model, report = train_reason_model(rows, encoder=encoder)
    assert report.training_rows == 24
    assert report.validation_rows == 6 + 4
    assert report.validation_source == "valid"
    assert model.reasons == ("delivery", "password", "refund")
    assert model.manifest["validation_scores"]["rows"] == 10
    assert 0.0 < model.threshold < 1.0


def test_suggests_reasons_for_unseen_messages_in_dutch_too(hybrid: ReasonModel, no_network: None) -> None:
    suggestions = hybrid.suggest(["my parcel has not arrived", "I need my money back", "ik kan niet inloggen"])
    assert [s.best_guess for s in suggestions] == ["delivery", "refund", "password"]


def test_held_out_test_rows(hybrid: ReasonModel, rows: LabelledRows) -> None:
    scores = hybrid.evaluate(rows.evaluation_rows())
    assert scores.rows == 6 + 4
    assert scores.in_scope_accuracy >= 5 / 6
    assert scores.oos_recall is not None


def test_save_and_load_give_identical_suggestions(
    hybrid: ReasonModel, encoder: UniversalSentenceEncoder, tmp_path: Path
) -> None:
    path = tmp_path / "reasons.npz"
    hybrid.save(path)
    loaded = ReasonModel.load(path, encoder=encoder)
    texts = ["where is my order", "weather in Amsterdam", "refund please"]
    assert loaded.version == hybrid.version
    assert loaded.threshold == hybrid.threshold
    np.testing.assert_allclose(loaded.confidences(texts), hybrid.confidences(texts), rtol=1e-5)


def test_tfidf_baseline_needs_no_encoder(rows: LabelledRows) -> None:
    model, _ = train_reason_model(rows, features="tfidf", encoder=None)
    assert not model.needs_embeddings
    assert model.suggest(["reset my password"])[0].best_guess == "password"


def test_without_valid_rows_a_share_of_train_is_held_out(tmp_path: Path, encoder: UniversalSentenceEncoder) -> None:
    path = write_reason_csv(tmp_path / "r.csv", with_valid=False)
    data = read_labelled_csv(path, text_column="message", label_column="reason")
    _model, report = train_reason_model(data, encoder=encoder, features="embedding")
    assert report.validation_source == "held-out share of train"
    assert report.training_rows == 27  # 10 train rows per reason, one held out of each
    assert report.validation_rows == 3


def test_one_reason_is_not_enough(encoder: UniversalSentenceEncoder) -> None:
    data = LabelledRows(["a b", "c d", "weather"], ["x", "x", "oos"], ["train", "train", "train"])
    with pytest.raises(DatasetError, match="two different reasons"):
        train_reason_model(data, encoder=encoder)


def test_threshold_maximises_accuracy_with_out_of_scope_as_a_class() -> None:
    classes = ["a", "b"]
    # Confidences of the top class: in-scope correct rows high, out-of-scope rows low, one wrong row in between.
    confidences = np.array(
        [[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.55, 0.45], [0.6, 0.4], [0.52, 0.48]], dtype=np.float32
    )
    expected = ["a", "a", "b", "oos", "b", "oos"]
    threshold = choose_threshold(confidences, classes, expected, oos_label="oos")
    # Rejecting the two out-of-scope rows (0.52, 0.55) gives 5/6 right; also rejecting the wrong 0.6 row
    # gains nothing (it stays wrong), so the lower threshold wins the tie.
    assert 0.55 < threshold <= 0.6


def test_threshold_is_zero_when_rejecting_never_helps() -> None:
    # The only out-of-scope row is the most confident one: rejecting it would reject everything.
    confidences = np.array([[0.6, 0.4], [0.3, 0.7], [0.95, 0.05]], dtype=np.float32)
    assert choose_threshold(confidences, ["a", "b"], ["a", "b", "oos"], oos_label="oos") == 0.0


def test_threshold_without_out_of_scope_rows_keeps_most_correct_rows() -> None:
    top = np.linspace(0.5, 1.0, 101, dtype=np.float32)
    confidences = np.stack([top, 1 - top], axis=1)
    threshold = choose_threshold(confidences, ["a", "b"], ["a"] * 101, oos_label="oos")
    assert threshold == pytest.approx(0.525, abs=1e-3)
    assert choose_threshold(confidences[:0], ["a", "b"], [], oos_label="oos") == 0.0


def test_cold_start_from_seed_phrases(encoder: UniversalSentenceEncoder) -> None:
    seeds = {reason: phrases[:3] for reason, phrases in REASON_PHRASES.items()}
    model = reason_model_from_seeds(seeds, encoder=encoder)
    suggestions = model.suggest(["my package did not arrive", "waar blijft mijn pakket", "the capital of peru"])
    assert [s.reason for s in suggestions] == ["delivery", "delivery", None]
    assert suggestions[2].best_guess in REASON_PHRASES


def test_seeds_need_a_phrase(encoder: UniversalSentenceEncoder) -> None:
    with pytest.raises(ValueError, match="at least one phrase"):
        reason_model_from_seeds({"delivery": ["  "], "": ["x"]}, encoder=encoder)


def test_a_model_for_another_encoder_is_refused(hybrid: ReasonModel, tmp_path: Path) -> None:
    path = tmp_path / "reasons.npz"
    hybrid.save(path)
    artefact = load_artefact(path, kind="contact-reasons")
    save_artefact(path, manifest={**artefact.manifest, "encoder": "other-encoder"}, arrays=artefact.arrays)
    with pytest.raises(ArtefactError, match="other-encoder"):
        ReasonModel.load(path)


def _rows(train: list[tuple[str, str]], valid: list[tuple[str, str]]) -> LabelledRows:
    texts = [t for t, _ in train] + [t for t, _ in valid]
    labels = [label for _, label in train] + [label for _, label in valid]
    return LabelledRows(texts, labels, ["train"] * len(train) + ["valid"] * len(valid))


def test_selection_keeps_tfidf_when_words_decide(encoder: UniversalSentenceEncoder) -> None:
    # The reason is an arbitrary code in the message; the sentences around it say nothing: only the
    # exact token tells, which word TF-IDF reads and a sentence embedding hardly does.
    rng = np.random.default_rng(7)
    fillers = ["please help me with this", "I have a question", "can you look at it", "thanks in advance"]
    codes = {"alpha": "zq41", "beta": "xv77", "gamma": "kw03"}

    def message(label: str) -> str:
        words = fillers[int(rng.integers(len(fillers)))].split()
        words.insert(int(rng.integers(len(words) + 1)), codes[label])
        return " ".join(words)

    train = [(message(label), label) for label in codes for _ in range(8)]
    valid = [(message(label), label) for label in codes for _ in range(4)]
    model, report = train_reason_model(_rows(train, valid), encoder=encoder)
    # words decide, so the baseline answers right; only the least sure 5% of validation rows are held back
    # as unsure (the rule new topics are found by), which costs at most one row of these twelve
    assert report.baseline_scores.accuracy >= 11 / 12
    assert report.scores.accuracy >= report.baseline_scores.accuracy
    assert any(c.features != "tfidf" for c in report.candidates)  # the others were tried
    check = LabelledRows([t for t, _ in valid], [label for _, label in valid], ["test"] * len(valid))
    baseline = model.evaluate_baseline(check)
    assert baseline is not None and baseline.accuracy >= 11 / 12


def test_selection_takes_embeddings_when_words_do_not_carry_over(encoder: UniversalSentenceEncoder) -> None:
    # Trained on English, validated on Dutch: no word is shared, so TF-IDF cannot generalise while
    # the multilingual embedding can; the selection must leave the baseline.
    train = [(t, reason) for reason, phrases in REASON_PHRASES.items() for t in phrases]
    valid = [
        ("waar is mijn pakket", "delivery"),
        ("mijn bestelling is nog steeds niet bezorgd", "delivery"),
        ("ik wil mijn geld terug", "refund"),
        ("kunt u het bedrag terugbetalen", "refund"),
        ("ik ben mijn wachtwoord vergeten", "password"),
        ("ik kan niet inloggen op mijn account", "password"),
    ]
    model, report = train_reason_model(_rows(train, valid), encoder=encoder)
    assert report.chosen.features in ("embedding", "hybrid", "hybrid-chars")
    # better by the selection's own order: accuracy, then macro-F1
    scores, baseline_scores = report.scores, report.baseline_scores
    assert (scores.accuracy, scores.macro_f1) > (baseline_scores.accuracy, baseline_scores.macro_f1)
    assert model.needs_embeddings
    assert model.manifest["baseline"]["accuracy"] == round(report.baseline_scores.accuracy, 4)


def test_number_of_fits_does_not_grow_with_the_data(rows: LabelledRows) -> None:
    # Training time is bounded by a fixed number of linear fits, each linear in the rows.
    _model, report = train_reason_model(rows, features="tfidf-chars", encoder=None)
    assert [c.features for c in report.candidates].count("tfidf") == len(REGULARISATIONS)
    assert len(report.candidates) <= 2 * len(REGULARISATIONS)
    assert report.chosen.scores.accuracy >= report.baseline_scores.accuracy
