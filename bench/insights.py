"""Benchmark: every insights model beside its simple baselines, on every development set and variant.

Run from the repository root: `python bench/insights.py [--data ../shared/data/text] [--quick]`.
Measured on the test splits (never trained or tuned on). Each line prints the model, its baselines and
the ratio model / baseline; a model that loses to a baseline on a set says LOSES on that line.

- contact reasons, trained as `contactpunt insights train` does (feature set and strength chosen on
  validation, the TF-IDF baseline always a candidate), against (a) the TF-IDF + linear baseline the
  training stores beside the model (same threshold rule) and (b) plain scikit-learn TF-IDF + logistic
  regression (default settings, best guess always). Sets: clinc150 (150 intents + out-of-scope, its
  splits); clinc150 without the valid split and without out-of-scope (an organisation with no
  "none" label: a tenth of train is held out); a seeded 10,000 of clinc150's labelled rows, no
  out-of-scope, no split (its training time is the "10,000 messages" figure); 40 seeded clinc150 intents
  without out-of-scope; 30 clinc150 intents with 20 examples each (a small organisation); bitext's 27
  intents, and with 20 examples each; bitext's 11 categories (coarser labels). Out-of-scope recall is
  printed where an out-of-scope label exists, and the share of test messages marked unsure.
- sentiment (shipped model, or `--sentiment-model PATH`; its English heads saw no Dutch; its Dutch reading
  (domain gate, review polarity head, review fusion) saw the XED Dutch train lines, code-made Dutch
  sentences and the four hand-written Dutch review sets marked "fitted", never the product reviews)
  against a TF-IDF + LR trained on the same English rows (XED English train and the train split of the UCI review
  sentences), the majority class of those rows and, on the two-class sets, the shipped lexicon alone
  (the sign of Pattern's polarity; a text without opinion words gets the majority class), read with
  the Dutch homograph rules and without them ("lexicon plain", Pattern's word reading): XED Dutch
  (two-class; also balanced variants, as many positive as negative lines, as review sets often are),
  the hand-written Dutch reviews (short sentences, and longer multi-sentence reviews of many domains
  with mixed opinions, negation, irony and spelling errors; two variants of the long ones, each row
  keeping its review's label: the last sentence alone, often the verdict, and the review without it,
  the story before the verdict; a third set of 80 reviews held out while version 4 was made and a fourth
  of 106 reviews of 34 fields held out while version 5 was made, both fitted since version 6; 100
  Dutch product reviews held out while version 6 was made; and 116 Dutch service reviews of energy,
  telecom, webshops, insurers, banks, public transport and municipalities, written as a test set only,
  before version 7, and never fitted on),
  the XED Dutch test lines in which the lexicon finds an opinion word
  (where the lexicon can speak at all), XED English (three-class and two-class),
  and the test split of the UCI English review sentences. The encoder's heads without the lexicon are
  printed beside the model.
- language: the share of the Dutch XED and English clinc150 test lines detected as Dutch and English;
- end to end: language + sentiment + reason per message in batches of 64, messages per second.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactpunt.config.settings_test")
os.environ["HF_HUB_OFFLINE"] = "1"

from contactpunt.insights.datasets import LabelledRows, read_labelled_csv  # noqa: E402
from contactpunt.insights.encoder import encode_in_batches, get_encoder  # noqa: E402
from contactpunt.insights.language import detect_languages  # noqa: E402
from contactpunt.insights.lexicon import get_lexicon, lexicon_features  # noqa: E402
from contactpunt.insights.linear import TfidfFeatures, fit_logistic  # noqa: E402
from contactpunt.insights.metrics import accuracy  # noqa: E402
from contactpunt.insights.pipeline import analyse_messages  # noqa: E402
from contactpunt.insights.reason_training import train_reason_model  # noqa: E402
from contactpunt.insights.reasons import ReasonModel, reason_scores  # noqa: E402
from contactpunt.insights.sentiment import (  # noqa: E402
    POLARITY_LABELS,
    SENTIMENT_LABELS,
    SentimentModel,
    score_sentiment,
)

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "text"
BATCH = 64
SEEDS_PER_REASON = 5


HAND_WRITTEN_DUTCH = ROOT / "contactpunt" / "insights" / "tests" / "data" / "dutch_reviews_handwritten.csv"
HAND_WRITTEN_DUTCH_LONG = ROOT / "contactpunt" / "insights" / "tests" / "data" / "dutch_reviews_long_handwritten.csv"
HAND_WRITTEN_DUTCH_HELD_OUT = (
    ROOT / "contactpunt" / "insights" / "tests" / "data" / "dutch_reviews_holdout_handwritten.csv"
)
HAND_WRITTEN_DUTCH_FRESH = ROOT / "contactpunt" / "insights" / "tests" / "data" / "dutch_reviews_fresh_handwritten.csv"
DUTCH_PRODUCTS_HELD_OUT = (
    ROOT / "contactpunt" / "insights" / "tests" / "data" / "dutch_product_reviews_heldout_handwritten.csv"
)
DUTCH_SERVICE_UNSEEN = (
    ROOT / "contactpunt" / "insights" / "tests" / "data" / "dutch_service_reviews_unseen_handwritten.csv"
)
ENGLISH_REVIEWS = ROOT / "contactpunt" / "insights" / "training_data" / "uci_review_sentences_en.csv"
SMALL_INTENTS = 30
SMALL_EXAMPLES = 20
SUBSET_INTENTS = 40
TIMED_ROWS = 10_000
QUICK_SET = f"clinc150, {SMALL_INTENTS} intents x {SMALL_EXAMPLES}"
SEED = 17


def fmt(value: float | None) -> str:
    return "   n/a" if value is None else f"{value:6.3f}"


def verdict(model: float, baselines: dict[str, float]) -> str:
    ratios = "  ".join(f"x{model / value:5.3f} vs {name}" for name, value in baselines.items() if value)
    losers = [name for name, value in baselines.items() if model < value]
    return ratios + (f"   LOSES to {', '.join(losers)}" if losers else "")


def rows_at(rows: LabelledRows, keep: list[int], *, splits: list[str] | None = None) -> LabelledRows:
    """The rows at ``keep`` (with ``splits`` in place of theirs when given)."""
    return LabelledRows(
        [rows.texts[i] for i in keep],
        [rows.labels[i] for i in keep],
        splits if splits is not None else [rows.splits[i] for i in keep],
    )


def few_per_label(rows: LabelledRows, labels: set[str], examples: int) -> list[int]:
    """The indices of the test rows of ``labels`` and the first ``examples`` train rows of each (no valid rows)."""
    kept: list[int] = []
    taken: dict[str, int] = {}
    for i, label in enumerate(rows.labels):
        if label not in labels or rows.splits[i] == "valid":
            continue
        if rows.splits[i] == "train":
            if taken.get(label, 0) >= examples:
                continue
            taken[label] = taken.get(label, 0) + 1
        kept.append(i)
    return kept


def reason_sets(data: Path) -> list[tuple[str, LabelledRows]]:
    """The reason sets: each public set and variants that look like other organisations' labels."""
    clinc = read_labelled_csv(data / "clinc150_en.csv", text_column="text", label_column="label")
    bitext = read_labelled_csv(data / "bitext_customer_support_en.csv", text_column="text", label_column="label")
    categories = read_labelled_csv(data / "bitext_customer_support_en.csv", text_column="text", label_column="category")
    rng = np.random.default_rng(SEED)
    intents = sorted({label for label in clinc.labels if label != "oos"})
    small = set(rng.choice(intents, size=SMALL_INTENTS, replace=False).tolist())
    subset = set(rng.choice(intents, size=SUBSET_INTENTS, replace=False).tolist())
    no_valid_no_oos = [i for i, label in enumerate(clinc.labels) if label != "oos" and clinc.splits[i] != "valid"]
    # An organisation with 10,000 labelled messages, no "none" label and no split of its own (a tenth is held out).
    labelled = [i for i, label in enumerate(clinc.labels) if label != "oos" and clinc.splits[i] != "test"]
    sample = sorted(rng.choice(labelled, size=TIMED_ROWS, replace=False).tolist())
    test = [i for i, label in enumerate(clinc.labels) if label != "oos" and clinc.splits[i] == "test"]
    in_subset = [i for i, label in enumerate(clinc.labels) if label in subset]
    bitext_intents = set(bitext.labels)
    return [
        ("clinc150, 150 intents + oos", clinc),
        ("clinc150, no valid, no oos", rows_at(clinc, no_valid_no_oos)),
        (
            f"clinc150, {TIMED_ROWS:,} rows, no oos, no split",
            rows_at(clinc, sample + test, splits=["train"] * len(sample) + ["test"] * len(test)),
        ),
        (f"clinc150, {SUBSET_INTENTS} intents, no oos", rows_at(clinc, in_subset)),
        (
            f"clinc150, {SMALL_INTENTS} intents x {SMALL_EXAMPLES}",
            rows_at(clinc, few_per_label(clinc, small, SMALL_EXAMPLES)),
        ),
        ("bitext, 27 intents", bitext),
        (
            f"bitext, 27 intents x {SMALL_EXAMPLES}",
            rows_at(bitext, few_per_label(bitext, bitext_intents, SMALL_EXAMPLES)),
        ),
        ("bitext, 11 categories", categories),
    ]


def plain_logistic_regression(rows: LabelledRows, test: LabelledRows) -> float:
    """scikit-learn's TF-IDF + LogisticRegression with default settings, trained on train (+valid), best guess."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    train = [i for i, split in enumerate(rows.splits) if split != "test" and rows.labels[i] != "oos"]
    vectoriser = TfidfVectorizer()
    features = vectoriser.fit_transform([rows.texts[i] for i in train])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = LogisticRegression(max_iter=300).fit(features, [rows.labels[i] for i in train])
    predicted = model.predict(vectoriser.transform(test.texts))
    return accuracy(test.labels, [str(label) for label in predicted])


def bench_reasons(data: Path, *, quick: bool) -> dict[str, ReasonModel]:
    encoder = get_encoder()
    encoder.encode(["warm up"])  # loading the weights is not training
    print("contact reasons (test splits): model = `insights train` (auto), baselines = TF-IDF + linear stored")
    print("beside it, and plain TF-IDF + logistic regression (scikit-learn defaults, always a best guess)")
    models: dict[str, ReasonModel] = {}
    losses = 0
    for name, rows in reason_sets(data):
        if quick and name != QUICK_SET:
            continue
        test = rows.evaluation_rows()
        cpu = time.process_time()
        model, report = train_reason_model(rows, encoder=encoder)
        cpu = time.process_time() - cpu
        suggestions = model.suggest(test.texts)
        scores = reason_scores(test.labels, [s.reason or "oos" for s in suggestions], "oos")
        unsure = sum(s.is_unsure for s in suggestions) / len(suggestions)
        stored = model.evaluate_baseline(test)
        assert stored is not None
        plain = plain_logistic_regression(rows, test) if not quick else None
        baselines = {"TF-IDF+linear": stored.accuracy}
        if plain is not None:
            baselines["TF-IDF+LR"] = plain
        losses += any(scores.accuracy < value for value in baselines.values())
        print(
            f"  {name}: {len(set(rows.labels) - {'oos'})} reasons, {report.training_rows} training rows,"
            f" {len(test)} test rows, {report.seconds:.0f} s training ({cpu:.0f} s CPU, load {os.getloadavg()[0]:.1f})"
        )
        print(
            f"    model {report.chosen.features:<12} C={report.chosen.regularisation:<4} acc {fmt(scores.accuracy)}"
            f"  OOS recall {fmt(scores.oos_recall)}  unsure {unsure:5.1%}  |  TF-IDF+linear {fmt(stored.accuracy)}"
            f" (OOS {fmt(stored.oos_recall)})  TF-IDF+LR {fmt(plain)}"
        )
        print(f"    {verdict(scores.accuracy, baselines)}")
        models.setdefault("first", model)
    print(f"  the model loses to a baseline on {losses} set(s)")
    return models


def bench_sentiment(data: Path, model_path: Path | None = None) -> None:
    english = read_labelled_csv(data / "xed_en_polarity.csv", text_column="text", label_column="label")
    dutch = read_labelled_csv(data / "xed_nl_polarity.csv", text_column="text", label_column="label")
    written = read_labelled_csv(HAND_WRITTEN_DUTCH, text_column="text", label_column="label")
    written_long = read_labelled_csv(HAND_WRITTEN_DUTCH_LONG, text_column="text", label_column="label")
    held_out = read_labelled_csv(HAND_WRITTEN_DUTCH_HELD_OUT, text_column="text", label_column="label")
    fresh = read_labelled_csv(HAND_WRITTEN_DUTCH_FRESH, text_column="text", label_column="label")
    products = read_labelled_csv(DUTCH_PRODUCTS_HELD_OUT, text_column="text", label_column="label")
    unseen = read_labelled_csv(DUTCH_SERVICE_UNSEEN, text_column="text", label_column="label")
    reviews = read_labelled_csv(ENGLISH_REVIEWS, text_column="text", label_column="label")
    shipped = SentimentModel.load(model_path) if model_path else SentimentModel.load()
    english_train, review_train = english.subset("train"), reviews.subset("train")
    train = LabelledRows(english_train.texts + review_train.texts, english_train.labels + review_train.labels, [])
    vocabulary = TfidfFeatures.fit(train.texts)
    baseline = fit_logistic(
        train.labels, embeddings=None, tfidf=vocabulary.transform(train.texts), regularisation=1.0, balanced=True
    ).head
    assert set(baseline.classes) == set(SENTIMENT_LABELS)
    polar_counts = {label: train.labels.count(label) for label in POLARITY_LABELS}
    english_test = english.evaluation_rows()
    polar = [i for i, label in enumerate(english_test.labels) if label != "neutral"]
    english_polar = LabelledRows(
        [english_test.texts[i] for i in polar], [english_test.labels[i] for i in polar], ["test"] * len(polar)
    )
    verdict_rows, story_rows = split_verdict(written_long)
    dutch_test = dutch.evaluation_rows()
    with_words = [i for i, words in enumerate(lexicon_words(dutch_test.texts)) if words]
    dutch_opinion = LabelledRows(
        [dutch_test.texts[i] for i in with_words], [dutch_test.labels[i] for i in with_words], []
    )
    print(f"sentiment model {shipped.manifest.get('version')} (test splits; the heads saw no Dutch; the Dutch")
    print("  reading saw XED Dutch train lines, code-made Dutch sentences and the sets marked 'fitted';")
    print("  two-class sets are answered without neutral)")
    print("  baselines: TF-IDF + LR on the same English rows; the majority class of those rows")
    sets = (
        ("XED Dutch test, pos/neg", dutch.evaluation_rows(), POLARITY_LABELS),
        ("XED Dutch test balanced", balanced(dutch.evaluation_rows()), POLARITY_LABELS),
        ("XED Dutch all (train fitted)", LabelledRows(dutch.texts, dutch.labels, []), POLARITY_LABELS),
        ("XED Dutch all balanced (idem)", balanced(LabelledRows(dutch.texts, dutch.labels, [])), POLARITY_LABELS),
        ("hand-written Dutch (fitted)", written, POLARITY_LABELS),
        ("hand-written Dutch, long (fitted)", written_long, POLARITY_LABELS),
        ("  long: last sentence only", verdict_rows, POLARITY_LABELS),
        ("  long: without last sentence", story_rows, POLARITY_LABELS),
        ("Dutch, held out v4 (fitted)", held_out, POLARITY_LABELS),
        ("Dutch, held out v5 (fitted)", fresh, POLARITY_LABELS),
        ("Dutch products, held out v6", products, POLARITY_LABELS),
        ("Dutch service, never fitted", unseen, POLARITY_LABELS),
        ("XED Dutch test, opinion words", dutch_opinion, POLARITY_LABELS),
        ("XED English test, 3 classes", english_test, SENTIMENT_LABELS),
        ("XED English test, pos/neg", english_polar, POLARITY_LABELS),
        ("UCI English reviews test", reviews.evaluation_rows(), POLARITY_LABELS),
    )
    for name, rows, labels in sets:
        scores = score_sentiment(shipped, rows, labels=labels)
        probabilities = baseline.probabilities(None, vocabulary.transform(rows.texts))
        columns = [baseline.classes.index(label) for label in labels]
        predicted = [labels[i] for i in probabilities[:, columns].argmax(axis=1)]
        counts = polar_counts if labels == POLARITY_LABELS else {la: train.labels.count(la) for la in labels}
        majority = max(counts, key=lambda label: counts[label])
        baselines = {
            "TF-IDF+LR": accuracy(rows.labels, predicted),
            "majority": accuracy(rows.labels, [majority] * len(rows)),
        }
        if labels == POLARITY_LABELS:
            for reading in ("lexicon", "lexicon v6", "lexicon plain"):
                baselines[reading] = accuracy(rows.labels, lexicon_labels(rows.texts, majority, reading=reading))
        alone = shipped.predict_embeddings(encode_in_batches(shipped.encoder, rows.texts), labels=labels)
        encoder_alone = accuracy(rows.labels, [result.label for result in alone])
        print(
            f"  {name:<30} {len(rows):>5} rows  model {fmt(scores.accuracy)} (macro-F1 {fmt(scores.macro_f1)}, "
            f"encoder alone {fmt(encoder_alone)})  "
            + "  ".join(f"{baseline} {fmt(value)}" for baseline, value in baselines.items())
        )
        print(f"    {verdict(scores.accuracy, baselines)}")


def balanced(rows: LabelledRows) -> LabelledRows:
    """As many positive as negative rows (the first of each, in file order)."""
    keep = min(rows.labels.count("positive"), rows.labels.count("negative"))
    chosen = [i for i, label in enumerate(rows.labels) if label == "positive"][:keep]
    chosen += [i for i, label in enumerate(rows.labels) if label == "negative"][:keep]
    chosen.sort()
    return LabelledRows([rows.texts[i] for i in chosen], [rows.labels[i] for i in chosen], [])


V7_NEGATIONS = frozenset({"zonder"})  # negations version 7 added to the Dutch reading
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def split_verdict(rows: LabelledRows) -> tuple[LabelledRows, LabelledRows]:
    """Two variants of multi-sentence reviews, each row keeping the review's label: its last sentence
    (often the verdict: "Wij komen zeker terug.") and the review without it (the story before it).

    A review of one sentence stays whole in both.
    """
    verdicts, stories = [], []
    for text in rows.texts:
        parts = [part for part in SENTENCE_END.split(text.strip()) if part.strip()] or [text]
        verdicts.append(parts[-1])
        stories.append(" ".join(parts[:-1]) if len(parts) > 1 else parts[0])
    return LabelledRows(verdicts, list(rows.labels), []), LabelledRows(stories, list(rows.labels), [])


def lexicon_words(texts: list[str]) -> list[int]:
    """How many opinion words each text's lexicon (its detected language's) finds."""
    languages = [result.language for result in detect_languages(texts)]
    return [
        lexicon.score(text).words if (lexicon := get_lexicon(language)) is not None else 0
        for text, language in zip(texts, languages, strict=True)
    ]


def lexicon_labels(texts: list[str], fallback: str, *, reading: str = "lexicon") -> list[str]:
    """The lexicon baseline: the sign of each text's lexicon polarity (its detected language's lexicon).

    ``reading``: "lexicon" is the shipped reading; "lexicon v6" the reading of version 6 (Pattern's words
    alone, without the service words, "zonder" and the negation's reach of version 7); "lexicon plain"
    Pattern's words read without the Dutch homograph and conjunction rules either, every form of the
    lexicon an opinion word wherever it stands, as Pattern reads it ("naar huis" is nasty); on the
    hand-written product reviews that reading was the stronger one in version 6 (0.79 against 0.75).
    """
    languages = [result.language for result in detect_languages(texts)]
    if reading == "lexicon":
        polarity = lexicon_features(texts, languages)[:, 0].tolist()
    else:
        polarity = []
        for text, language in zip(texts, languages, strict=True):
            lexicon = get_lexicon(language)
            if lexicon is not None:
                lexicon = replace(
                    lexicon,
                    words={form: entry for form, entry in lexicon.words.items() if form not in lexicon.supplement},
                    negations=lexicon.negations - V7_NEGATIONS,
                    negation_reach=0,
                    negation_breakers=frozenset(),
                )
            if lexicon is not None and reading == "lexicon plain":
                lexicon = replace(lexicon, homographs=frozenset(), degree_words=frozenset(), conjunctions=frozenset())
            polarity.append(0.0 if lexicon is None else lexicon.score(text).polarity)
    return ["positive" if value > 0 else "negative" if value < 0 else fallback for value in polarity]


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
    model = models["first"]
    texts = read_labelled_csv(data / "clinc150_en.csv", text_column="text", label_column=None).texts[:3200]
    texts += read_labelled_csv(data / "xed_nl_polarity.csv", text_column="text", label_column=None).texts[:640]
    sentiment = SentimentModel.load()
    analyse_messages(texts[:BATCH], sentiment_model=sentiment, reason_model=model)  # warm up
    started = time.perf_counter()
    for start in range(0, len(texts), BATCH):
        analyse_messages(texts[start : start + BATCH], sentiment_model=sentiment, reason_model=model)
    engine = len(texts) / (time.perf_counter() - started)
    print(
        f"end to end (language + sentiment + reason, model {model.features}), batches of {BATCH}, "
        f"{len(texts)} messages, {os.cpu_count()} cores: {engine:7.0f} messages/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--quick", action="store_true", help="only the small reason set, no plain LR baseline")
    parser.add_argument("--sentiment-model", type=Path, default=None, help="a sentiment artefact (the shipped one)")
    parser.add_argument("--reasons-only", action="store_true", help="only the contact reasons")
    args = parser.parse_args()
    started = time.perf_counter()
    models = bench_reasons(args.data, quick=args.quick)
    if args.reasons_only:
        print(f"total {time.perf_counter() - started:.0f} s")
        return
    bench_sentiment(args.data, args.sentiment_model)
    bench_language(args.data)
    bench_throughput(args.data, models)
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
