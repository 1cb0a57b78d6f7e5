"""Journey benchmark: import an order file and compute the cohorts, on a fresh database.

    DATABASE_URL=sqlite:////tmp/journey-bench.sqlite3 .venv/bin/python bench/journey.py [--orders N] [--json]

Writes N generated orders (customers drawn so that about a third order again; dates over three years) as a CSV
in a temporary folder, migrates the database named by DATABASE_URL, then measures `import_orders` (rows per
second, first import and a re-import that creates nothing) and `cohorts.cohorts()` by month and by quarter
(seconds; the query of distinct (customer, day) pairs and the numpy part separately), and the loyalty page's
figures: computed in the background (`snapshot.refresh`, seconds) against what a page request reads.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def write_orders(path: Path, count: int, seed: int = 21) -> None:
    rng = random.Random(seed)
    customers = max(1, count // 3)
    start = dt.date(2009, 12, 1)
    with path.open("w", encoding="utf-8") as handle:
        handle.write("order_id,customer_id,ordered_at,amount\n")
        for n in range(count):
            day = start + dt.timedelta(days=rng.randint(0, 3 * 365))
            handle.write(
                f"O{n},C{rng.randint(1, customers)},{day.isoformat()} 12:00:00,{rng.randint(100, 99999) / 100}\n"
            )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactpunt.config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    from contactpunt.journey import cohorts
    from contactpunt.journey.importer import import_orders

    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "orders.csv"
        write_orders(file, args.orders)
        began = time.perf_counter()
        first = import_orders(file, source="bench")
        imported = time.perf_counter() - began
        print(f"import: {imported:.1f} s for {args.orders} rows", flush=True)
        began = time.perf_counter()
        again = import_orders(file, source="bench")
        reimported = time.perf_counter() - began
    began = time.perf_counter()
    pairs = cohorts.order_days()
    queried = time.perf_counter() - began
    began = time.perf_counter()
    months = cohorts.compute(pairs, by="month")
    by_month = time.perf_counter() - began
    began = time.perf_counter()
    cohorts.compute(pairs, by="quarter")
    by_quarter = time.perf_counter() - began
    # The loyalty page: its figures computed in the background (what the page computed per request before),
    # then what a page request reads.
    from contactpunt.journey import snapshot

    began = time.perf_counter()
    snapshot.refresh()
    refreshed = time.perf_counter() - began
    began = time.perf_counter()
    snapshot.read()
    read = time.perf_counter() - began
    result = {
        "orders": args.orders,
        "created": first.created,
        "import_s": round(imported, 2),
        "import_rows_per_s": round(args.orders / imported),
        "reimport_created": again.created,
        "reimport_s": round(reimported, 2),
        "pairs": len(pairs),
        "query_s": round(queried, 2),
        "cohorts_month_s": round(by_month, 3),
        "cohorts_quarter_s": round(by_quarter, 3),
        "cohorts": len(months),
        "loyalty_refresh_s": round(refreshed, 2),
        "loyalty_page_read_s": round(read, 4),
    }
    print(json.dumps(result) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))
    return result


if __name__ == "__main__":
    main()
