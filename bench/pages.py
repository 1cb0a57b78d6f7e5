"""Dashboard pages benchmark: the server time of every dashboard page as a team lead, beside the inbox page's.

    CONTACTPUNT_DATA_DIR=/tmp/demo .venv/bin/python bench/pages.py [--repeat R] [--user teamlead] [--only spoc,...]
        [--json]

Reads the database of an existing demo (build one with `contactpunt up` in that data folder and wait until the
long lane's first-start jobs are done; a running server may keep serving beside it). Each page is requested through
Django's test client in this process, logged in as `--user`: once cold (the first request of the page) and R more
times; it prints the CPU seconds (process time) and wall seconds of the median warm request and the cold one, and
the median's ratio to the inbox page's median CPU time (the anchor; the inbox is the agent's page, requested as
the agent `agent1`). The process first asks for the login page once per user, so that a page's cold request is its
own first one and not the process's (which loads templates and translations). The goal (issue 16): every dashboard
page at most 0.3 s server time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

#: (name, path, who asks): "lead" is --user, "agent" the demo's first agent.
PAGES: tuple[tuple[str, str, str], ...] = (
    ("inbox", "/workspace/", "agent"),
    ("today", "/kpis/today/", "lead"),
    ("weeks", "/kpis/manager/?period=week", "lead"),
    ("months", "/kpis/manager/?period=month", "lead"),
    ("spoc", "/kpis/spoc/", "lead"),
    ("spoc month", "/kpis/spoc/?period=month", "lead"),
    ("webcare", "/kpis/webcare/", "lead"),
    ("wallboard", "/kpis/wallboard/", "lead"),
    ("wallboard live", "/kpis/wallboard/live/", "lead"),
    ("forecast+staffing", "/workforce/", "lead"),
    ("shift plan", "/workforce/shifts/", "lead"),
    ("adherence", "/workforce/adherence/", "lead"),
    ("insights", "/insights/", "lead"),
    ("journey", "/journey/", "lead"),
    ("feedback", "/feedback/", "lead"),
    ("feedback week", "/feedback/?period=week", "lead"),
    ("feedback last month", "/feedback/?period=month&date={last_month}", "lead"),
    ("feedback per team", "/feedback/?period=month&by=team", "lead"),
    ("feedback per agent", "/feedback/?period=month&by=agent", "lead"),
    ("feedback per reason", "/feedback/?period=month&by=reason", "lead"),
    ("feedback site", "/feedback/?period=month&site={site}", "lead"),
    ("feedback site week", "/feedback/?period=week&site={site}", "lead"),
    ("feedback quarter", "/feedback/?from={quarter_from}&to={today}", "lead"),
    ("follow-ups", "/feedback/follow-ups/", "lead"),
    ("follow-ups mine", "/feedback/follow-ups/?mine=1", "lead"),
    ("follow-up", "/feedback/follow-ups/{follow_up}/", "lead"),
    ("pdca", "/feedback/pdca/?team={team}", "lead"),
    ("pdca last month", "/feedback/pdca/?team={team}&date={last_month}", "lead"),
    ("pdca pdf", "/feedback/pdca/pdf/?team={team}", "lead"),
    ("compliments", "/feedback/compliments/", "agent"),
    ("knowledge usage", "/knowledge/usage/", "lead"),
)
GOAL_S = 0.3


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactpunt.config.settings")
    if "CONTACTPUNT_DATA_DIR" not in os.environ and "DATABASE_URL" not in os.environ:
        sys.exit("Set CONTACTPUNT_DATA_DIR (or DATABASE_URL) to a demo's data folder.")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]


def _time(client: Any, path: str) -> tuple[float, float, int]:
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        status = client.get(path).status_code
    except Exception as error:  # a failing page is reported, the others still measured
        print(f"{path}: {type(error).__name__}: {error}", file=sys.stderr)
        status = 500
    return time.process_time() - cpu, time.perf_counter() - wall, status


def _places() -> dict[str, object]:
    """What the paths' {placeholders} stand for on this database: the first site and team, a follow-up, dates."""
    import datetime as dt

    from contactpunt.feedback.models import FollowUp
    from contactpunt.kpis.views_support import today
    from contactpunt.people.models import Site, Team

    day = today()
    return {
        "site": Site.objects.order_by("name").values_list("pk", flat=True).first() or 0,
        "team": Team.objects.order_by("name").values_list("pk", flat=True).first() or 0,
        "follow_up": FollowUp.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
        "today": day.isoformat(),
        "last_month": (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1).isoformat(),
        "quarter_from": (day - dt.timedelta(days=91)).isoformat(),
    }


def measure(*, repeat: int, user: str, only: set[str] | None) -> list[dict[str, Any]]:
    from django.test import Client

    from contactpunt.people.models import User

    clients = {}
    for who, username in (("lead", user), ("agent", "agent1")):
        client = Client()
        client.force_login(User.objects.get(username=username))
        clients[who] = client
    results = []
    places = _places()
    # The process's own first request loads templates, translations and the URL map, whatever the page: a server
    # that has answered anything since it started has paid it. Paid here on the login page, so that "cold" is the
    # page's own first request (its data not kept or cached yet) and not the process's.
    for client in clients.values():
        client.get("/login/")
    for name, template, who in PAGES:
        if only is not None and name not in only and name != "inbox":
            continue
        path = template.format(**places)
        cold_cpu, cold_wall, status = _time(clients[who], path)
        runs = [_time(clients[who], path) for _ in range(repeat)]
        results.append(
            {
                "page": name,
                "path": path,
                "status": status,
                "cold_cpu_s": round(cold_cpu, 3),
                "cold_wall_s": round(cold_wall, 3),
                "cpu_s": round(statistics.median(r[0] for r in runs), 3) if runs else round(cold_cpu, 3),
                "wall_s": round(statistics.median(r[1] for r in runs), 3) if runs else round(cold_wall, 3),
            }
        )
    anchor = next(r["cpu_s"] for r in results if r["page"] == "inbox") or 0.001
    for r in results:
        r["x_inbox"] = round(r["cpu_s"] / anchor, 1)
        r["ok"] = r["status"] == 200 and r["cpu_s"] <= GOAL_S and r["cold_cpu_s"] <= GOAL_S
    return results


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--user", default="teamlead")
    parser.add_argument("--only", default="", help="Comma-separated page names (the inbox is always measured).")
    parser.add_argument(
        "--prefix",
        default="",
        help="Also the pages whose name starts with one of these (comma-separated: feedback,follow,pdca).",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    _setup()
    only = {name.strip() for name in args.only.split(",") if name.strip()} or None
    if args.prefix:
        starts = tuple(p.strip() for p in args.prefix.split(",") if p.strip())
        only = (only or set()) | {name for name, _, _ in PAGES if name.startswith(starts)}
    results = measure(repeat=args.repeat, user=args.user, only=only)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"{'page':<18} {'status':>6} {'cpu s':>7} {'wall s':>7} {'cold cpu':>8} {'x inbox':>7}  goal 0.3 s")
        for r in results:
            print(f"{r['page']:<18} {r['status']:>6} {r['cpu_s']:>7.3f} {r['wall_s']:>7.3f} {r['cold_cpu_s']:>8.3f} "
                  f"{r['x_inbox']:>7.1f}  {'ok' if r['ok'] else 'OVER'}")  # fmt: skip
    return results


if __name__ == "__main__":
    main()
