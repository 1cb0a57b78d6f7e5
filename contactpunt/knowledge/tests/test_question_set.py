"""The Dutch question set: the product beats unstemmed BM25, and ranks exactly as recorded on every database."""

import json

import pytest
from django.db import connection

from contactpunt.knowledge.evaluation import ARTICLES, EVAL_DIR, baseline_ranker, read_csv, read_questions, score
from contactpunt.knowledge.importing import import_rows
from contactpunt.knowledge.search import Scope, search

EXPECTED = EVAL_DIR / "expected_rankings.json"


def product_rankings(questions) -> dict[str, list[list[object]]]:
    return {
        q.question_id: [[hit.public_id, hit.score] for hit in search(q.text, scope=Scope(language="nl"), limit=10).hits]
        for q in questions
    }


@pytest.fixture
def question_set(db):
    result = import_rows(read_csv(ARTICLES))
    assert (result.created, result.errors) == (300, [])
    return read_questions()


def test_the_set_is_large_enough_and_spans_six_domains(question_set):
    articles = read_csv(ARTICLES)
    assert len(articles) >= 300
    assert len(question_set) >= 200
    assert {row["category"] for row in articles} == {
        "Telecom",
        "Energie",
        "Webwinkel",
        "Gemeente",
        "Vakantiepark",
        "Bank",
    }
    assert {q.article_id for q in question_set} <= {row["article_id"] for row in articles}


def test_product_beats_unstemmed_bm25(question_set):
    product = score(question_set, lambda text: [hit.public_id for hit in search(text, scope=Scope(), limit=10).hits])
    baseline = score(question_set, baseline_ranker(read_csv(ARTICLES)))
    assert product.mrr_at_5 > baseline.mrr_at_5 + 0.05, (product, baseline)
    assert product.ndcg_at_10 > baseline.ndcg_at_10, (product, baseline)


def test_rankings_are_identical_to_the_recorded_ones(question_set):
    """Run on SQLite and on PostgreSQL (CI runs both): each must give the recorded ids, order and scores."""
    assert product_rankings(question_set) == json.loads(EXPECTED.read_text(encoding="utf-8"))


def test_postgresql_gives_the_recorded_rankings(question_set):
    if connection.vendor != "postgresql":
        pytest.skip(f"DATABASE_URL is {connection.vendor}, not PostgreSQL: the SQLite run compares the same file")
    assert product_rankings(question_set) == json.loads(EXPECTED.read_text(encoding="utf-8"))
