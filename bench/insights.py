"""Benchmark: the insights models on the shared labelled text, each figure beside a TF-IDF + LR baseline.

Run from the repository root: `python bench/insights.py [--data ../shared/data/text]`. Measured on the
test splits (never trained or tuned on):

- contact reasons on clinc150 (150 intents + out-of-scope): in-scope accuracy and out-of-scope recall of
  the shipped engine (sentence embedding + TF-IDF, threshold from the valid split), of the sentence
  embedding alone, of the TF-IDF + LR baseline (same threshold rule), and of the cold start from 5 seed
  phrases per intent; training time on clinc150's 15,000 in-scope training messages;
- sentiment: the shipped model on the Dutch XED set (zero-shot: no Dutch training data) and on the
  English XED test split, beside a TF-IDF + LR baseline trained on the same English rows;
- language: the share of the Dutch XED and English clinc150 test lines detected as Dutch and English;
- end to end: language + sentiment + reason per message in batches of 64, messages per second.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactpunt.config.settings_test")
os.environ["HF_HUB_OFFLINE"] = "1"

from contactpunt.insights.datasets import read_labelled_csv  # noqa: E402
from contactpunt.insights.encoder import get_encoder  # noqa: E402
from contactpunt.insights.language import detect_languages  # noqa: E402
from contactpunt.insights.linear import FeatureSet, TfidfFeatures, fit_logistic  # noqa: E402
from contactpunt.insights.metrics import accuracy, macro_f1  # noqa: E402
from contactpunt.insights.pipeline import analyse_messages  # noqa: E402
from contactpunt.insights.reasons import ReasonModel, reason_model_from_seeds, train_reason_model  # noqa: E402
from contactpunt.insights.sentiment import SENTIMENT_LABELS, SentimentModel, score_sentiment  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "text"
BATCH = 64
SEEDS_PER_REASON = 5


def fmt(value: float | None) -> str:
    return "   n/a" if value is None else f"{value:6.3f}"


def bench_reasons(data: Path) -> dict[str, ReasonModel]:
    rows = read_labelled_csv(data / "clinc150_en.csv", text_column="text", label_column="label")
    test = rows.evaluation_rows()
    encoder = get_encoder()
    encoder.encode(["warm up"])  # loading the weights is not training
    print(f"clinc150: {len(rows.subset('train'))} train, {len(rows.subset('valid'))} valid, {len(test)} test rows")
    print(f"  {'model':<34} {'in-scope acc':>12} {'OOS recall':>10} {'accuracy':>8} {'macro-F1':>8} {'train s':>8}")
    models: dict[str, ReasonModel] = {}
    candidates: tuple[tuple[str, FeatureSet], ...] = (
        ("engine (embedding + TF-IDF)", "hybrid"),
        ("embedding only", "embedding"),
        ("baseline TF-IDF + LR", "tfidf"),
    )
    for name, features in candidates:
        model, report = train_reason_model(rows, features=features, encoder=encoder)
        scores = model.evaluate(test)
        models[features] = model
        print(
            f"  {name:<34} {fmt(scores.in_scope_accuracy):>12} {fmt(scores.oos_recall):>10} "
            f"{fmt(scores.accuracy):>8} {fmt(scores.macro_f1):>8} {report.seconds:8.1f}"
            f"   ({report.training_rows} messages)"
        )
    train = rows.subset("train")
    seeds: dict[str, list[str]] = {}
    for text, label in zip(train.texts, train.labels, strict=True):
        if label != "oos" and len(seeds.setdefault(label, [])) < SEEDS_PER_REASON:
            seeds[label].append(text)
    cold = reason_model_from_seeds(seeds, encoder=encoder)
    scores = cold.evaluate(test)
    print(
        f"  {'cold start, 5 seeds per intent':<34} {fmt(scores.in_scope_accuracy):>12} {fmt(scores.oos_recall):>10} "
        f"{fmt(scores.accuracy):>8} {fmt(scores.macro_f1):>8}"
    )
    return models


def bench_sentiment(data: Path) -> None:
    english = read_labelled_csv(data / "xed_en_polarity.csv", text_column="text", label_column="label")
    dutch = read_labelled_csv(data / "xed_nl_polarity.csv", text_column="text", label_column="label")
    shipped = SentimentModel.load()
    train = english.subset("train")
    vocabulary = TfidfFeatures.fit(train.texts)
    baseline = fit_logistic(
        train.labels, embeddings=None, tfidf=vocabulary.transform(train.texts), regularisation=1.0, balanced=True
    ).head
    print("sentiment (test splits; Dutch zero-shot, a neutral prediction on it counts as wrong)")
    print(f"  {'data':<30} {'rows':>5} {'shipped acc':>11} {'macro-F1':>8} {'TF-IDF acc':>10} {'macro-F1':>8}")
    sets = (("XED Dutch, pos/neg", dutch.evaluation_rows()), ("XED English, 3 classes", english.evaluation_rows()))
    for name, rows in sets:
        scores = score_sentiment(shipped, rows)
        probabilities = baseline.probabilities(None, vocabulary.transform(rows.texts))
        predicted = [baseline.classes[i] for i in probabilities.argmax(axis=1)]
        assert set(baseline.classes) == set(SENTIMENT_LABELS)
        print(
            f"  {name:<30} {len(rows):>5} {fmt(scores.accuracy):>11} {fmt(scores.macro_f1):>8} "
            f"{fmt(accuracy(rows.labels, predicted)):>10} {fmt(macro_f1(rows.labels, predicted)):>8}"
        )


def bench_language(data: Path) -> None:
    import importlib

    dutch = read_labelled_csv(data / "xed_nl_polarity.csv", text_column="text", label_column=None).evaluation_rows()
    english = read_labelled_csv(data / "clinc150_en.csv", text_column="text", label_column=None).evaluation_rows()
    langid = importlib.import_module("py3langid.langid")
    unrestricted = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)
    print("language (share detected correctly; baseline: py3langid over all its languages)")
    for name, rows, code in (("XED Dutch test", dutch, "nl"), ("clinc150 English test", english, "en")):
        ours = sum(result.language == code for result in detect_languages(rows.texts)) / len(rows)
        plain = sum(unrestricted.classify(text)[0] == code for text in rows.texts) / len(rows)
        print(f"  {name:<24} {len(rows):>5} rows   engine {ours:6.3f}   baseline {plain:6.3f}")


def bench_throughput(data: Path, models: dict[str, ReasonModel]) -> None:
    texts = read_labelled_csv(data / "clinc150_en.csv", text_column="text", label_column=None).texts[:3200]
    texts += read_labelled_csv(data / "xed_nl_polarity.csv", text_column="text", label_column=None).texts[:640]
    sentiment = SentimentModel.load()
    analyse_messages(texts[:BATCH], sentiment_model=sentiment, reason_model=models["hybrid"])  # warm up
    started = time.perf_counter()
    for start in range(0, len(texts), BATCH):
        analyse_messages(texts[start : start + BATCH], sentiment_model=sentiment, reason_model=models["hybrid"])
    engine = len(texts) / (time.perf_counter() - started)
    baseline = models["tfidf"]
    started = time.perf_counter()
    for start in range(0, len(texts), BATCH):
        batch = texts[start : start + BATCH]
        detect_languages(batch)
        baseline.suggest(batch)
    tfidf = len(texts) / (time.perf_counter() - started)
    print(
        f"end to end (language + sentiment + reason), batches of {BATCH}, {len(texts)} messages, "
        f"{os.cpu_count()} cores:"
    )
    print(f"  engine {engine:7.0f} messages/s    baseline TF-IDF (language + reason only) {tfidf:7.0f} messages/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    started = time.perf_counter()
    models = bench_reasons(args.data)
    bench_sentiment(args.data)
    bench_language(args.data)
    bench_throughput(args.data, models)
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
