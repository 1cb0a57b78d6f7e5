"""Benchmark: Dutch search quality on the question set, the product beside an unstemmed BM25 baseline.

Run from the repository root: `python bench/knowledge_eval.py [--json] [--write-expected]`. It imports
contactpunt/knowledge/eval/articles.csv into a fresh SQLite database (or DATABASE_URL's), asks every question
of questions.csv and prints MRR@5, nDCG@10 and found-at-1 for both, overall and per kind of question.
`--write-expected` records the product's rankings that the tests hold both databases to.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup() -> None:
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/knowledge-eval.sqlite3"
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 40)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactpunt.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--write-expected", action="store_true")
    args = parser.parse_args()
    setup()
    from contactpunt.knowledge.evaluation import (
        ARTICLES,
        EVAL_DIR,
        baseline_ranker,
        read_csv,
        read_questions,
        score,
    )
    from contactpunt.knowledge.importing import import_rows
    from contactpunt.knowledge.models import Article
    from contactpunt.knowledge.search import Scope, search

    if not Article.objects.exists():
        import_rows(read_csv(ARTICLES))
    if Article.objects.count() != len(read_csv(ARTICLES)):
        raise SystemExit("the database holds other articles too: run on an empty database (the default)")
    questions = read_questions()
    baseline = baseline_ranker(read_csv(ARTICLES))

    def product(text: str) -> list[str]:
        return [hit.public_id for hit in search(text, scope=Scope(language="nl"), limit=10).hits]

    results: dict[str, object] = {}
    kinds = sorted({q.variant for q in questions})
    for kind in ["all", *kinds]:
        subset = [q for q in questions if kind in ("all", q.variant)]
        ours, theirs = score(subset, product), score(subset, baseline)
        results[kind] = {"product": ours.as_json(), "baseline_unstemmed_bm25": theirs.as_json()}
    if args.write_expected:
        rankings = {
            q.question_id: [[hit.public_id, hit.score] for hit in search(q.text, scope=Scope(), limit=10).hits]
            for q in questions
        }
        (EVAL_DIR / "expected_rankings.json").write_text(json.dumps(rankings, ensure_ascii=False, indent=0) + "\n")
    if args.json:
        print(json.dumps(results))
        return
    for kind, figures in results.items():
        assert isinstance(figures, dict)
        ours, theirs = figures["product"], figures["baseline_unstemmed_bm25"]
        print(
            f"{kind:<11} n={ours['questions']:>3}  MRR@5 {ours['mrr_at_5']:.3f} (baseline {theirs['mrr_at_5']:.3f})"
            f"  nDCG@10 {ours['ndcg_at_10']:.3f} (baseline {theirs['ndcg_at_10']:.3f})"
            f"  @1 {ours['found_at_1']:.3f} (baseline {theirs['found_at_1']:.3f})"
        )


if __name__ == "__main__":
    main()
