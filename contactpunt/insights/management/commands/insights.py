"""`contactpunt insights`: train and measure the insights models on labelled CSV files, without the web UI.

Subcommands (each with ``--json`` for machine-readable output):

- ``train --csv FILE --text-column C --label-column L --out MODEL [--features auto|FEATURE_SET]
  [--oos-label oos]``: train a contact-reason model on the rows whose ``split`` is ``train`` (all rows
  without a split column); choose the feature set, strength and "none of the known reasons" threshold
  on the ``valid`` rows (a held-out tenth of train without them; the threshold is 0 when no row is
  labelled out of scope), the TF-IDF + linear baseline always among the candidates; write MODEL. JSON
  keys: the validation scores ``accuracy``, ``macro_f1``, ``in_scope_accuracy``, ``oos_recall``;
  ``features``, ``regularisation``, ``baseline_validation``, ``validation_ratio_to_baseline``,
  ``candidates``; ``messages_per_second`` (training rows per second of training); ``training_rows`` (the
  candidates') and ``model_rows`` (without out-of-scope rows the chosen one is fitted again on the
  validation rows too); ``training_seconds``, ``threshold``, ``unsure_threshold`` (below it a
  suggestion is marked unsure), ``version``.
- ``evaluate --model MODEL --csv FILE --text-column C --label-column L [--oos-label oos]``: measure
  MODEL on the ``test`` rows (all rows without a split column). JSON keys ``accuracy``, ``macro_f1``,
  ``messages_per_second`` (prediction, encoding included), ``in_scope_accuracy``, ``oos_recall``, and
  ``baseline`` (the same scores of the TF-IDF + linear baseline trained beside it), ``ratio_to_baseline``
  (accuracy ratio) and ``loses_to_baseline``.
- ``sentiment --csv FILE [--text-column C --label-column L] [--model MODEL] [--labels positive,negative]``:
  score the shipped sentiment model (or MODEL) on the ``test`` rows (all rows without a split column).
  Labels are positive/neutral/negative, or positive/negative: a two-class task (``--labels`` or the
  labels found in the file) is answered with the polarity head and never gets a neutral answer.
  Without a label column it prints each row's language, sentiment and score.
- ``train-sentiment --csv FILE --out MODEL [--text-column C --label-column L --licence TEXT]
  [--service-sentences N] [--reviews-csv FILE --reviews-licence TEXT] [--dutch-csv FILE --dutch-licence TEXT
  --dutch-kind subtitle|review --dutch-service-sentences N --dutch-reviews-csv FILE ... --dutch-reviews-licence
  TEXT]``: train a sentiment model (how
  the shipped one was made; see weights/PROVENANCE.md), with N lexicon-labelled service sentences
  beside the file's rows (1,000), with ``--reviews-csv`` the train rows of a positive/negative
  review file (columns text, label, split) and, with ``--dutch-csv``, the Dutch review reading and its
  domain gate, fitted on that file's positive and negative train rows (subtitle-like lines unless
  ``--dutch-kind review``), N code-made Dutch service reviews (1,000) and the positive and negative rows
  of each ``--dutch-reviews-csv`` (Dutch reviews, columns text and label; their train rows when split).
- ``backfill``: analyse every stored inbound message that has no insight yet (language, sentiment,
  suggested reason), in batches of 64; running it again analyses nothing twice. JSON keys
  ``analysed``, ``already_analysed``, ``seconds``, ``messages_per_second``.
- ``retrain``: train a contact-reason model version on the wrapped-up contacts (or the seed phrases)
  and activate it if it is not worse than the active one (what the nightly task does).
- ``detect``: flag the reason spikes of the last 7 days and store today's new topics (what the
  six-hourly task does). JSON keys ``spikes``, ``topics``.
- ``seed --csv FILE --text-column C --label-column L --out MODEL [--threshold T]``: the cold start, a
  contact-reason model from a few example phrases per reason (every row of FILE is a seed phrase).
"""

from __future__ import annotations

import csv
import json
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from contactpunt.insights import structural
from contactpunt.insights.analysis import analyse_messages_of, inbound_messages
from contactpunt.insights.artefacts import ArtefactError
from contactpunt.insights.datasets import DatasetError, LabelledRows, read_labelled_csv
from contactpunt.insights.dutch_service_sentences import DUTCH_SERVICE_SENTENCES, dutch_service_sentences
from contactpunt.insights.encoder import get_encoder
from contactpunt.insights.language import detect_languages
from contactpunt.insights.lifecycle import retrain
from contactpunt.insights.linear import FEATURE_SETS
from contactpunt.insights.reason_training import train_reason_model
from contactpunt.insights.reasons import DEFAULT_OOS_LABEL, DEFAULT_SEED_THRESHOLD, ReasonModel, reason_model_from_seeds
from contactpunt.insights.sentiment import (
    SENTIMENT_LABELS,
    SHIPPED_MODEL,
    Sentiment,
    SentimentModel,
    score_sentiment,
    task_labels_of,
    train_sentiment,
)
from contactpunt.insights.service_sentences import SERVICE_SENTENCES, service_sentences


class Command(BaseCommand):
    help = "Train and measure the insights models (contact reasons, sentiment) on labelled CSV files."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: ArgumentParser) -> None:
        """Declare the subcommands and their options."""
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")

        train = subcommands.add_parser("train", help="train a contact-reason model")
        _add_csv_options(train, label_required=True)
        train.add_argument("--out", required=True, type=Path, help="where to write the model file")
        train.add_argument(
            "--features",
            choices=("auto", *FEATURE_SETS),
            default="auto",
            help="auto: choose the feature set and strength on validation (the TF-IDF baseline among them)",
        )
        train.add_argument("--oos-label", default=DEFAULT_OOS_LABEL, help="label meaning none of the known reasons")

        evaluate = subcommands.add_parser("evaluate", help="measure a contact-reason model on the test rows")
        evaluate.add_argument("--model", required=True, type=Path)
        _add_csv_options(evaluate, label_required=True)
        evaluate.add_argument("--oos-label", default=DEFAULT_OOS_LABEL)

        sentiment = subcommands.add_parser("sentiment", help="score the sentiment model on a file")
        _add_csv_options(sentiment, label_required=False)
        sentiment.add_argument("--model", type=Path, default=SHIPPED_MODEL)
        sentiment.add_argument(
            "--labels",
            default=None,
            help="the task's labels: positive,negative (never neutral) or positive,neutral,negative; "
            "default: the labels found in the file (all three without a label column)",
        )

        seed = subcommands.add_parser("seed", help="make a cold-start reason model from example phrases")
        _add_csv_options(seed, label_required=True)
        seed.add_argument("--out", required=True, type=Path)
        seed.add_argument("--threshold", type=float, default=DEFAULT_SEED_THRESHOLD, help="minimum cosine similarity")

        backfill = subcommands.add_parser("backfill", help="analyse the stored inbound messages that have no insight")
        backfill.add_argument("--json", action="store_true")

        retrain = subcommands.add_parser("retrain", help="train a reason-model version on the wrapped-up contacts")
        retrain.add_argument("--json", action="store_true")

        detect = subcommands.add_parser("detect", help="flag reason spikes and find new topics up to now")
        detect.add_argument("--json", action="store_true")

        train_sentiment_parser = subcommands.add_parser("train-sentiment", help="train a sentiment model")
        _add_csv_options(train_sentiment_parser, label_required=False)
        train_sentiment_parser.set_defaults(label_column="label")
        train_sentiment_parser.add_argument("--out", required=True, type=Path)
        train_sentiment_parser.add_argument("--licence", default="unknown", help="the training data's licence")
        train_sentiment_parser.add_argument(
            "--service-sentences",
            type=int,
            default=SERVICE_SENTENCES,
            help=f"lexicon-labelled English service sentences added to the heads' training rows ({SERVICE_SENTENCES})",
        )
        train_sentiment_parser.add_argument(
            "--reviews-csv",
            type=Path,
            default=None,
            help="positive/negative review rows (columns text, label, split) beside the --csv rows",
        )
        train_sentiment_parser.add_argument("--reviews-licence", default="unknown", help="the review rows' licence")
        train_sentiment_parser.add_argument(
            "--dutch-csv",
            type=Path,
            default=None,
            help="Dutch rows (columns text, label, split; their positive and negative train rows), Dutch reading",
        )
        train_sentiment_parser.add_argument("--dutch-licence", default="unknown", help="the Dutch rows' licence")
        train_sentiment_parser.add_argument(
            "--dutch-reviews-csv",
            type=Path,
            action="append",
            default=[],
            help="Dutch review rows (columns text, label) for the Dutch reading, with --dutch-csv; may be repeated",
        )
        train_sentiment_parser.add_argument(
            "--dutch-reviews-licence", default="unknown", help="the licence of the --dutch-reviews-csv rows"
        )
        train_sentiment_parser.add_argument(
            "--dutch-kind",
            choices=("subtitle", "review"),
            default="subtitle",
            help="what the --dutch-csv rows are like, for the domain gate (subtitle: conversation, film lines)",
        )
        train_sentiment_parser.add_argument(
            "--dutch-service-sentences",
            type=int,
            default=DUTCH_SERVICE_SENTENCES,
            help=f"code-made Dutch service reviews for the Dutch fusion, with --dutch-csv ({DUTCH_SERVICE_SENTENCES})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the chosen subcommand; bad input becomes a CommandError with a one-line message."""
        handlers = {
            "train": self._train,
            "evaluate": self._evaluate,
            "sentiment": self._sentiment,
            "train-sentiment": self._train_sentiment,
            "seed": self._seed,
            "backfill": self._backfill,
            "retrain": self._retrain,
            "detect": self._detect,
        }
        try:
            result = handlers[options["subcommand"]](options)
        except (DatasetError, ArtefactError, FileNotFoundError, ValueError) as error:
            raise CommandError(str(error)) from error
        if result is None:
            return
        if options["json"]:
            self.stdout.write(json.dumps(result, sort_keys=True))
        else:
            for key, value in result.items():
                self.stdout.write(f"{key}: {value}")

    def _backfill(self, options: dict[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        result = analyse_messages_of(inbound_messages())
        seconds = time.perf_counter() - started
        return {
            "analysed": result.analysed,
            "already_analysed": result.skipped,
            "seconds": round(seconds, 2),
            "messages_per_second": round(result.analysed / seconds, 1) if result.analysed and seconds else None,
        }

    def _retrain(self, options: dict[str, Any]) -> dict[str, Any]:
        result = retrain()
        version = result.version
        return {
            "version": version.version if version else None,
            "method": version.method if version else None,
            "accuracy": version.accuracy if version else None,
            "macro_f1": version.macro_f1 if version else None,
            "threshold": version.threshold if version else None,
            "activated": result.activated,
            "decision": result.decision,
        }

    def _detect(self, options: dict[str, Any]) -> dict[str, Any]:
        result = structural.detect()
        return {"spikes": result.spikes, "topics": result.topics}

    def _read(self, options: dict[str, Any]) -> LabelledRows:
        return read_labelled_csv(
            options["csv"], text_column=options["text_column"], label_column=options["label_column"]
        )

    def _train(self, options: dict[str, Any]) -> dict[str, Any]:
        rows = self._read(options)
        model, report = train_reason_model(rows, oos_label=options["oos_label"], features=options["features"])
        model.save(options["out"])
        return {
            **report.scores.as_dict(),
            "features": report.chosen.features,
            "regularisation": report.chosen.regularisation,
            "baseline_validation": report.baseline_scores.as_dict(),
            "validation_ratio_to_baseline": _ratio(report.scores.accuracy, report.baseline_scores.accuracy),
            "candidates": [candidate.as_dict() for candidate in report.candidates],
            "messages_per_second": round(report.training_rows / report.seconds, 1) if report.seconds else None,
            "training_rows": report.training_rows,
            "model_rows": report.model_rows,
            "training_seconds": round(report.seconds, 2),
            "validation_rows": report.validation_rows,
            "validation_source": report.validation_source,
            "threshold": round(model.threshold, 4),
            "unsure_threshold": round(model.unsure_threshold, 4),
            "version": model.version,
            "model": str(options["out"]),
        }

    def _evaluate(self, options: dict[str, Any]) -> dict[str, Any]:
        model = ReasonModel.load(options["model"])
        rows = self._read(options).evaluation_rows()
        started = time.perf_counter()
        scores = model.evaluate(rows, oos_label=options["oos_label"])
        seconds = time.perf_counter() - started
        baseline = model.evaluate_baseline(rows, oos_label=options["oos_label"])
        return {
            **scores.as_dict(),
            "features": model.features,
            "baseline": None if baseline is None else baseline.as_dict(),
            "ratio_to_baseline": None if baseline is None else _ratio(scores.accuracy, baseline.accuracy),
            "loses_to_baseline": None if baseline is None else scores.accuracy < baseline.accuracy,
            "messages_per_second": round(len(rows) / seconds, 1) if seconds else None,
            "version": model.version,
        }

    def _sentiment(self, options: dict[str, Any]) -> dict[str, Any] | None:
        model = SentimentModel.load(options["model"])
        rows = self._read(options)
        labels = None
        if options["labels"] is not None:
            try:
                labels = task_labels_of(rows, [part.strip() for part in options["labels"].split(",") if part.strip()])
            except ValueError as error:
                raise CommandError(f"--labels: {error}") from error
        if options["label_column"] is None:
            self._print_predictions(model, rows, as_json=options["json"], labels=labels or SENTIMENT_LABELS)
            return None
        rows = rows.evaluation_rows()
        started = time.perf_counter()
        try:
            scores = score_sentiment(model, rows, labels=labels)
        except ValueError as error:
            raise CommandError(f"--label-column: {error}") from error
        seconds = time.perf_counter() - started
        return {
            "accuracy": round(scores.accuracy, 4),
            "macro_f1": round(scores.macro_f1, 4),
            "messages_per_second": round(scores.rows / seconds, 1) if seconds else None,
            "rows": scores.rows,
            "version": model.manifest.get("version"),
        }

    def _print_predictions(
        self, model: SentimentModel, rows: LabelledRows, *, as_json: bool, labels: tuple[Sentiment, ...]
    ) -> None:
        languages = detect_languages(rows.texts)
        sentiments = model.predict(rows.texts, labels=labels)
        records = [
            {"text": text, "language": language.language, "sentiment": sentiment.label, "score": sentiment.score}
            for text, language, sentiment in zip(rows.texts, languages, sentiments, strict=True)
        ]
        if as_json:
            self.stdout.write(json.dumps(records, ensure_ascii=False))
            return
        writer = csv.DictWriter(self.stdout, fieldnames=["text", "language", "sentiment", "score"])
        writer.writeheader()
        writer.writerows(records)

    def _seed(self, options: dict[str, Any]) -> dict[str, Any]:
        rows = self._read(options)
        seeds: dict[str, list[str]] = {}
        for text, label in zip(rows.texts, rows.labels, strict=True):
            seeds.setdefault(label, []).append(text)
        model = reason_model_from_seeds(seeds, threshold=options["threshold"])
        model.save(options["out"])
        return {
            "reasons": len(model.reasons),
            "seed_phrases": len(rows),
            "threshold": model.threshold,
            "version": model.version,
            "model": str(options["out"]),
        }

    def _train_sentiment(self, options: dict[str, Any]) -> dict[str, Any]:
        rows = self._read(options)
        started = time.perf_counter()
        if options["service_sentences"] < 0:
            raise CommandError("--service-sentences is a count: 0 or more")
        reviews_path = options["reviews_csv"]
        reviews = read_labelled_csv(reviews_path, text_column="text", label_column="label") if reviews_path else None
        dutch: list[tuple[str, LabelledRows, str]] = []
        if options["dutch_csv"]:
            if options["dutch_service_sentences"] < 0:
                raise CommandError("--dutch-service-sentences is a count: 0 or more")
            if options["dutch_service_sentences"]:
                dutch.append(
                    (
                        "code-made Dutch service reviews",
                        dutch_service_sentences(options["dutch_service_sentences"]),
                        "review",
                    )
                )
            found = read_labelled_csv(options["dutch_csv"], text_column="text", label_column="label")
            found = found.subset("train") if found.has_splits else found
            polar = [row for row, label in enumerate(found.labels) if label in ("positive", "negative")]
            name = f"{options['dutch_csv'].name} ({options['dutch_licence']})"
            kept = LabelledRows([found.texts[r] for r in polar], [found.labels[r] for r in polar], [])
            dutch.append((name, kept, options["dutch_kind"]))
            for path in options["dutch_reviews_csv"]:
                written = read_labelled_csv(path, text_column="text", label_column="label")
                written = written.subset("train") if written.has_splits else written
                dutch.append((f"{path.name} ({options['dutch_reviews_licence']})", written, "review"))
        model, scores = train_sentiment(
            rows,
            encoder=get_encoder(),
            source=Path(options["csv"]).name,
            licence=options["licence"],
            extra=service_sentences(options["service_sentences"]) if options["service_sentences"] else None,
            reviews=reviews,
            reviews_source=reviews_path.name if reviews_path else "",
            reviews_licence=options["reviews_licence"],
            dutch=dutch,
        )
        seconds = time.perf_counter() - started
        model.save(options["out"])
        return {
            "accuracy": None if scores is None else round(scores.accuracy, 4),
            "macro_f1": None if scores is None else round(scores.macro_f1, 4),
            "messages_per_second": round(model.manifest["training_rows"] / seconds, 1),
            "training_rows": model.manifest["training_rows"],
            "version": model.manifest["version"],
            "model": str(options["out"]),
        }


def _ratio(value: float, baseline: float) -> float | None:
    return round(value / baseline, 4) if baseline else None


def _add_csv_options(parser: ArgumentParser, *, label_required: bool) -> None:
    parser.add_argument("--csv", required=True, type=Path, help="UTF-8 CSV with a header row (and a split column)")
    parser.add_argument("--text-column", default="text")
    parser.add_argument("--label-column", required=label_required, default=None)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
