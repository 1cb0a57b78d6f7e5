from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from contactpunt.insights.artefacts import ArtefactError, load_artefact, save_artefact
from contactpunt.insights.datasets import DatasetError, LabelledRows, read_labelled_csv
from contactpunt.insights.encoder import UniversalSentenceEncoder
from contactpunt.insights.reason_training import (
    REGULARISATIONS,
    choose_threshold,
    choose_unsure_threshold,
    train_reason_model,
)
from contactpunt.insights.reasons import ReasonModel, reason_model_from_seeds

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
    # With out-of-scope validation rows the threshold is tuned to the model fitted without them: no refit.
    assert report.model_rows == model.manifest["model_rows"] == 24


def test_without_out_of_scope_rows_the_chosen_model_and_the_baseline_learn_the_validation_rows_too(
    rows: LabelledRows,
) -> None:
    in_scope = [i for i, label in enumerate(rows.labels) if label != "oos"]
    known = LabelledRows(
        [rows.texts[i] for i in in_scope], [rows.labels[i] for i in in_scope], [rows.splits[i] for i in in_scope]
    )
    model, report = train_reason_model(known, features="tfidf", encoder=None)
    assert (report.training_rows, report.model_rows) == (24, 24 + 6)
    assert model.tfidf is not None and model.baseline is not None
    # "transit" is in a validation row only
    assert "transit" in model.tfidf.terms
    assert model.baseline[0].tfidf_weights.shape[0] == len(model.tfidf.terms)
    with_out_of_scope, _ = train_reason_model(rows, features="tfidf", encoder=None)
    assert with_out_of_scope.tfidf is not None and "transit" not in with_out_of_scope.tfidf.terms


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
    assert loaded.unsure_threshold == hybrid.unsure_threshold >= hybrid.threshold
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


def test_without_out_of_scope_rows_nothing_is_rejected() -> None:
    # Low confidences, some of them wrong: still no reason to answer "none of the known reasons" when the
    # organisation never labels a message so.
    top = np.linspace(0.5, 1.0, 101, dtype=np.float32)
    confidences = np.stack([top, 1 - top], axis=1)
    expected = ["b"] * 10 + ["a"] * 91
    assert choose_threshold(confidences, ["a", "b"], expected, oos_label="oos") == 0.0
    assert choose_threshold(confidences[:0], ["a", "b"], [], oos_label="oos") == 0.0


def test_unsure_threshold_keeps_all_but_a_twentieth_of_the_correct_rows() -> None:
    top = np.linspace(0.5, 1.0, 101, dtype=np.float32)
    confidences = np.stack([top, 1 - top], axis=1)
    assert choose_unsure_threshold(confidences, ["a", "b"], ["a"] * 101) == pytest.approx(0.525, abs=1e-3)
    # Only the correctly classified rows count: the ten least confident rows are wrong here.
    expected = ["b"] * 10 + ["a"] * 91
    assert choose_unsure_threshold(confidences, ["a", "b"], expected) == pytest.approx(0.5725, abs=1e-3)
    assert choose_unsure_threshold(confidences[:0], ["a", "b"], []) == 0.0


def test_without_out_of_scope_labels_every_message_gets_a_reason_and_some_are_unsure(
    encoder: UniversalSentenceEncoder, tmp_path: Path
) -> None:
    # An organisation whose agents always pick a reason: the model always names one, with its
    # confidence; "unsure" marks the least confident without costing accuracy.
    train = [(t, reason) for reason, phrases in REASON_PHRASES.items() for t in phrases[:9]]
    valid = [(t, reason) for reason, phrases in REASON_PHRASES.items() for t in phrases[9:]]
    model, report = train_reason_model(_rows(train, valid), encoder=encoder)
    assert model.threshold == 0.0
    assert 0.0 < model.unsure_threshold < 1.0
    assert report.chosen.unsure_threshold == model.unsure_threshold
    texts = ["my parcel has not arrived", "what is the weather tomorrow", "tell me a joke", "refund please"]
    suggestions = model.suggest(texts)
    assert all(s.reason == s.best_guess for s in suggestions)
    assert [s.is_unsure for s in suggestions] == [s.confidence < model.unsure_threshold for s in suggestions]
    assert any(s.is_unsure for s in suggestions)
    check = LabelledRows([t for t, _ in valid], [label for _, label in valid], ["test"] * len(valid))
    best_guesses = [s.best_guess for s in model.suggest(check.texts)]
    assert model.evaluate(check).accuracy == sum(
        g == label for g, label in zip(best_guesses, check.labels, strict=True)
    ) / len(check)
    path = tmp_path / "reasons.npz"
    model.save(path)
    assert ReasonModel.load(path, encoder=encoder).unsure_threshold == model.unsure_threshold


def test_a_model_saved_with_one_threshold_is_unsure_where_it_rejects(hybrid: ReasonModel, tmp_path: Path) -> None:
    path = tmp_path / "reasons.npz"
    hybrid.save(path)
    artefact = load_artefact(path, kind="contact-reasons")
    manifest = {key: value for key, value in artefact.manifest.items() if key != "unsure_threshold"}
    save_artefact(path, manifest=manifest, arrays=artefact.arrays)
    old = ReasonModel.load(path)
    assert old.unsure_threshold == old.threshold == hybrid.threshold
    suggestions = old.suggest(["where is my order", "what is the capital of france"])
    assert [s.is_unsure for s in suggestions] == [s.reason is None for s in suggestions]


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
    # words decide, so the baseline answers right (being unsure of a few rows costs nothing)
    assert report.baseline_scores.accuracy == 1.0
    assert report.scores.accuracy >= report.baseline_scores.accuracy
    assert any(c.features != "tfidf" for c in report.candidates)  # the others were tried
    check = LabelledRows([t for t, _ in valid], [label for _, label in valid], ["test"] * len(valid))
    baseline = model.evaluate_baseline(check)
    assert baseline is not None and baseline.accuracy == 1.0


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
