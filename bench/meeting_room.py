"""The weekly team meetings in a demo-sized week plan: the plan without meetings, the meetings placed into it
(`meeting_room.make_room`), and the one larger model (`solve(meetings=...)`), each within the demo's time limit.

    python -m bench.meeting_room [--time-limit 20] [--seed 1]

Prints, per way, the agent-quarters short, the cost, the seats given of those asked and the seconds; no database.
"""

from __future__ import annotations

import argparse
import json
import random
import time

from contactpunt.workforce.shifts.meeting_room import make_room
from contactpunt.workforce.shifts.solver import Demand, MeetingNeed, ShiftOption, Worker, solve

DAY = 96
CANDIDATES = (38, 42, 46, 54, 58, 62)
#: The demo's templates: eight hours from 07:00 to 15:00 with half an hour's break after four, half days at 8-18.
TEMPLATES = [(h, 32, ((16, 2),)) for h in range(7, 16)] + [(h, 16, ()) for h in (8, 12, 16, 18)]
#: The greeting-card shop's teams: (name, agents, skills).
TEAMS = (("noord", 26, {"telefoon", "schrijven", "chat"}), ("zuid", 24, {"telefoon", "schrijven", "chat"}),
         ("financien", 6, {"betaling", "telefoon"}))  # fmt: skip
QUEUES = (("telefoon", 0.42, 8, 20), ("email", 0.26, 8, 22), ("chat", 0.16, 8, 22), ("webcare", 0.06, 8, 22),
          ("whatsapp", 0.10, 8, 22), ("financien", 0.03, 9, 17))  # fmt: skip
SKILL = {"telefoon": "telefoon", "email": "schrijven", "chat": "chat", "webcare": "schrijven",
         "whatsapp": "schrijven", "financien": "betaling"}  # fmt: skip


def instance(seed: int) -> tuple[list[Demand], list[ShiftOption], list[Worker], list[MeetingNeed]]:
    rng = random.Random(seed)
    demands = []
    for code, share, opening, closing in QUEUES:
        required = [0.0] * (7 * DAY)
        for day in range(7):
            busy = 1.0 if day < 5 else 0.5
            for q in range(opening * 4, closing * 4):
                hump = 1.6 if 36 <= q < 64 else 0.7
                required[day * DAY + q] = float(max(0, round(14 * share * busy * hump + rng.uniform(-1, 1))))
        demands.append(Demand(code, required, frozenset({SKILL[code]})))
    options = [ShiftOption(f"{h}-{length}", day, day * DAY + h * 4, length, length / 4, breaks)
               for day in range(7) for h, length, breaks in TEMPLATES]  # fmt: skip
    workers: list[Worker] = []
    needs: list[MeetingNeed] = []
    for team, size, skills in TEAMS:
        members = [Worker(len(workers) + n, f"{team}{n}", frozenset(skills), 16.0, 40.0, 35.0) for n in range(size)]
        workers += members
        starts = tuple((day, day * DAY + q) for day in range(7) for q in CANDIDATES)
        needs.append(MeetingNeed(team, frozenset(w.id for w in members), starts))
    workers += [Worker(100 + n, f"flex{n}", frozenset({"telefoon", "schrijven"}), 0.0, 16.0, 44.0, is_pool=True)
                for n in range(6)]  # fmt: skip
    return demands, options, workers, needs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    demands, options, workers, needs = instance(args.seed)
    asked = sum(len(n.workers) for n in needs)
    rows = {}
    plan = solve(demands, options, workers, time_limit_s=args.time_limit)
    rows["without"] = plan
    started = time.perf_counter()
    placed = make_room(demands, options, workers, needs, plan, time_limit_s=args.time_limit)
    second = time.perf_counter() - started
    rows["placed"] = placed
    rows["one_model"] = solve(demands, options, workers, time_limit_s=args.time_limit, meetings=needs)
    out = {
        name: {"short": round(s.under_total, 2), "cost": round(s.cost), "seats": sum(len(i) for *_r, i in s.meetings),
               "asked": asked, "seconds": round(s.runtime_s, 1), "status": s.status}
        for name, s in rows.items()
    }  # fmt: skip
    out["placed"]["second_problem_seconds"] = round(second, 1)
    out["placed"]["shifts_added"] = len(placed.assignments) - len(plan.assignments)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
