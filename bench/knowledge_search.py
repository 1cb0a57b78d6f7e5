"""Benchmark: search time over 5,000 articles (p50/p95/max per query), against the 150 ms anchor.

Run from the repository root: `python bench/knowledge_search.py [--articles 5000] [--json]`. It loads the 300
articles of the Dutch question set plus generated ones (sentences recombined from them, with their own ids) into
a fresh SQLite database (or DATABASE_URL's), then asks every question of the set (and each with a typo) three
times: the first round warms the vocabulary cache, the figures are from the other two.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ANCHOR_MS = 150.0


def setup() -> None:
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/knowledge-search.sqlite3"
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 40)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactpunt.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def generated(base: list[dict[str, str]], count: int, seed: int) -> list[dict[str, str]]:
    """`count` extra articles: titles and sentences of the base set recombined, so the vocabulary is realistic."""
    rng = random.Random(seed)
    sentences = [s.strip() + "." for row in base for s in row["body"].split(".") if len(s.strip()) > 20]
    rows = []
    for number in range(count):
        donor = rng.choice(base)
        body = " ".join(rng.sample(sentences, 4))
        rows.append(
            {
                "article_id": f"gen-{number:05d}",
                "title": f"{donor['title']} ({number})",
                "body": body,
                "language": "nl",
                "category": donor["category"],
                "audience": "public",
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    setup()
    from django.db import connection

    from contactpunt.knowledge.evaluation import ARTICLES, read_csv, read_questions
    from contactpunt.knowledge.importing import load_published
    from contactpunt.knowledge.search import Scope, search

    base = read_csv(ARTICLES)
    began = time.monotonic()
    load_published(base + generated(base, max(0, args.articles - len(base)), args.seed))
    load_s = time.monotonic() - began
    questions = [q.text for q in read_questions()]
    questions += [q[:-3] + q[-2] + q[-3] + q[-1] if len(q) > 6 else q for q in questions]  # a typo near the end
    timings: list[float] = []
    for round_ in range(3):
        for text in questions:
            start = time.perf_counter()
            search(text, scope=Scope(language="nl"), limit=10)
            if round_:
                timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p95 = timings[int(0.95 * (len(timings) - 1))]
    result = {
        "database": connection.vendor,
        "articles": args.articles,
        "queries": len(timings),
        "load_s": round(load_s, 1),
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(timings[-1], 1),
        "anchor_p95_ms": ANCHOR_MS,
    }
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"{connection.vendor}: {args.articles} articles (loaded in {result['load_s']} s), {len(timings)} searches: "
        f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms (anchor: p95 < {ANCHOR_MS:.0f} ms), "
        f"max {result['max_ms']} ms"
    )


if __name__ == "__main__":
    main()
