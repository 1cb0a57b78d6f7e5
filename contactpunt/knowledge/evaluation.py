"""Measuring search on a question set: MRR@5 and nDCG@10 of the product beside an unstemmed BM25 baseline.

Each question has one right article, so nDCG@10 is 1 / log2(rank + 1) when it is in the top ten, else 0.
The baseline is plain BM25 over lower-cased words (no folding, stemming, stop words, compounds or typo
handling), with the same title weight, built in memory over the same articles.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from contactpunt.knowledge.ranking import TITLE_WEIGHT, MemoryIndex
from contactpunt.knowledge.text import plain_tokens

EVAL_DIR = Path(__file__).resolve().parent / "eval"
ARTICLES = EVAL_DIR / "articles.csv"
QUESTIONS = EVAL_DIR / "questions.csv"


@dataclass(frozen=True, slots=True)
class Question:
    question_id: str
    text: str
    article_id: str
    variant: str


@dataclass(frozen=True, slots=True)
class Scores:
    mrr_at_5: float
    ndcg_at_10: float
    found_at_1: float
    questions: int

    def as_json(self) -> dict[str, float | int]:
        return {
            "mrr_at_5": round(self.mrr_at_5, 4),
            "ndcg_at_10": round(self.ndcg_at_10, 4),
            "found_at_1": round(self.found_at_1, 4),
            "questions": self.questions,
        }


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_questions(path: Path = QUESTIONS) -> list[Question]:
    return [Question(r["question_id"], r["question"], r["article_id"], r.get("variant", "")) for r in read_csv(path)]


def score(questions: Sequence[Question], ranker: Callable[[str], list[str]]) -> Scores:
    """Score `ranker` (question text -> article ids, best first) on `questions`."""
    reciprocal = gain = first = 0.0
    for question in questions:
        ranked = ranker(question.text)[:10]
        if question.article_id not in ranked:
            continue
        rank = ranked.index(question.article_id) + 1
        reciprocal += 1.0 / rank if rank <= 5 else 0.0
        gain += 1.0 / math.log2(rank + 1)
        first += rank == 1
    count = len(questions) or 1
    return Scores(reciprocal / count, gain / count, first / count, len(questions))


def baseline_ranker(articles: Sequence[dict[str, str]]) -> Callable[[str], list[str]]:
    """Unstemmed BM25 over `articles` (rows with article_id, title, body)."""
    ids = [row["article_id"] for row in articles]
    index = MemoryIndex(
        {
            number: plain_tokens(row["body"]) + plain_tokens(row["title"]) * TITLE_WEIGHT
            for number, row in enumerate(articles)
        }
    )

    def rank(text: str) -> list[str]:
        return [ids[number] for number, _score in index.search(plain_tokens(text), limit=10)]

    return rank
