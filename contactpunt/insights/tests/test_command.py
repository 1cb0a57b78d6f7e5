from __future__ import annotations

import csv
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from contactpunt.insights.encoder import UniversalSentenceEncoder
from contactpunt.insights.reasons import ReasonModel
from contactpunt.insights.sentiment import SentimentModel

from .conftest import write_reason_csv


def run(*args: str) -> str:
    out = StringIO()
    call_command("insights", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def reasons_csv(tmp_path: Path, encoder: UniversalSentenceEncoder) -> Path:
    return write_reason_csv(tmp_path / "reasons.csv")


def test_train_then_evaluate_with_json(reasons_csv: Path, tmp_path: Path) -> None:
    model = tmp_path / "model.npz"
    trained = json.loads(
        run(
            "train",
            "--csv",
            str(reasons_csv),
            "--text-column",
            "message",
            "--label-column",
            "reason",
            "--out",
            str(model),
            "--json",
        )
    )
    assert model.exists()
    assert {"accuracy", "macro_f1", "messages_per_second", "in_scope_accuracy", "oos_recall"} <= trained.keys()
    assert trained["training_rows"] == 24
    evaluated = json.loads(
        run(
            "evaluate",
            "--model",
            str(model),
            "--csv",
            str(reasons_csv),
            "--text-column",
            "message",
            "--label-column",
            "reason",
            "--json",
        )
    )
    assert evaluated["rows"] == 10
    assert evaluated["version"] == trained["version"]
    assert 0.0 <= evaluated["accuracy"] <= 1.0 and evaluated["messages_per_second"] > 0
    assert evaluated["oos_recall"] is not None


def test_plain_output_lists_the_figures(reasons_csv: Path, tmp_path: Path) -> None:
    output = run(
        "train",
        "--csv",
        str(reasons_csv),
        "--text-column",
        "message",
        "--label-column",
        "reason",
        "--out",
        str(tmp_path / "m.npz"),
        "--features",
        "tfidf",
    )
    assert "in_scope_accuracy: " in output
    assert "threshold: " in output


def test_sentiment_scores_a_labelled_file(tmp_path: Path, encoder: UniversalSentenceEncoder) -> None:
    path = tmp_path / "s.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["body", "polarity"])
        writer.writerow(["Fantastisch geholpen, dank jullie wel!", "positive"])
        writer.writerow(["Wat een waardeloze service, ik ben boos.", "negative"])
    result = json.loads(
        run("sentiment", "--csv", str(path), "--text-column", "body", "--label-column", "polarity", "--json")
    )
    assert result["accuracy"] == 1.0
    assert result["macro_f1"] == 1.0
    assert result["rows"] == 2
    rows = json.loads(run("sentiment", "--csv", str(path), "--text-column", "body", "--json"))
    assert [(r["language"], r["sentiment"]) for r in rows] == [("nl", "positive"), ("nl", "negative")]
    plain = run("sentiment", "--csv", str(path), "--text-column", "body")
    assert plain.splitlines()[0] == "text,language,sentiment,score"


def test_sentiment_two_class_labels_never_answer_neutral(tmp_path: Path, encoder: UniversalSentenceEncoder) -> None:
    path = tmp_path / "facts.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text"])
        for line in ["De bus vertrekt om drie uur.", "Het formulier heeft drie velden.", "The meeting is at ten."]:
            writer.writerow([line])
    three = json.loads(run("sentiment", "--csv", str(path), "--json"))
    assert "neutral" in {r["sentiment"] for r in three}
    two = json.loads(run("sentiment", "--csv", str(path), "--labels", "positive,negative", "--json"))
    assert {r["sentiment"] for r in two} <= {"positive", "negative"}
    with pytest.raises(CommandError, match="--labels"):
        run("sentiment", "--csv", str(path), "--labels", "positive,happy")


def test_errors_are_one_line_command_errors(reasons_csv: Path, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no column 'body'"):
        run("sentiment", "--csv", str(reasons_csv), "--text-column", "body", "--label-column", "reason")
    with pytest.raises(CommandError, match="not a readable"):
        run(
            "evaluate",
            "--model",
            str(tmp_path / "none.npz"),
            "--csv",
            str(reasons_csv),
            "--text-column",
            "message",
            "--label-column",
            "reason",
        )
    with pytest.raises(CommandError):
        run("train", "--csv", str(reasons_csv))  # missing --label-column and --out


def test_seed_makes_a_cold_start_model(tmp_path: Path, encoder: UniversalSentenceEncoder) -> None:
    seeds = tmp_path / "seeds.csv"
    with seeds.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["phrase", "reason"])
        writer.writerows([("where is my parcel", "delivery"), ("my order has not arrived", "delivery")])
        writer.writerows([("I want a refund", "refund"), ("give me my money back", "refund")])
    model_path = tmp_path / "seeded.npz"
    result = json.loads(
        run(
            "seed",
            "--csv",
            str(seeds),
            "--text-column",
            "phrase",
            "--label-column",
            "reason",
            "--out",
            str(model_path),
            "--json",
        )
    )
    assert (result["reasons"], result["seed_phrases"], result["threshold"]) == (2, 4, 0.4)
    model = ReasonModel.load(model_path, encoder=encoder)
    assert model.method == "prototype"
    assert [s.reason for s in model.suggest(["waar is mijn pakket", "who won the match yesterday"])] == [
        "delivery",
        None,
    ]


def test_train_sentiment_with_review_rows(tmp_path: Path, encoder: UniversalSentenceEncoder) -> None:
    base = tmp_path / "base.csv"
    lines = [("Thank you, great help!", "positive"), ("Super, heel blij mee.", "positive")]
    lines += [("Terrible, I am furious.", "negative"), ("Verschrikkelijk slecht.", "negative")]
    lines += [("The meeting is at ten.", "neutral"), ("Het formulier heeft drie velden.", "neutral")]
    with base.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label", "split"])
        writer.writerows([(text, label, "train") for text, label in lines])
    reviews = tmp_path / "reviews.csv"
    with reviews.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label", "split"])
        writer.writerows([("Works great.", "positive", "train"), ("Broke in a day.", "negative", "train")])
    out = tmp_path / "sentiment.npz"
    result = json.loads(
        run(
            "train-sentiment",
            "--csv",
            str(base),
            "--out",
            str(out),
            "--service-sentences",
            "0",
            "--reviews-csv",
            str(reviews),
            "--reviews-licence",
            "CC BY 4.0",
            "--json",
        )
    )
    assert result["training_rows"] == 6 and out.exists()
    manifest = SentimentModel.load(out, encoder=encoder).manifest
    assert (manifest["review_rows"], manifest["review_data"], manifest["review_data_licence"]) == (
        2,
        "reviews.csv",
        "CC BY 4.0",
    )
    with pytest.raises(CommandError, match="review rows need the labels"):
        run("train-sentiment", "--csv", str(base), "--out", str(out), "--reviews-csv", str(base))
