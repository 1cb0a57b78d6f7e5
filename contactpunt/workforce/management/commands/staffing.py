"""`contactpunt staffing`: agents needed for one interval under Erlang C, or Erlang A with a patience
(optionally with an abandon-rate cap)."""

from __future__ import annotations

import json
import math
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from contactpunt.contacts.models import Queue
from contactpunt.workforce.durations import parse_duration
from contactpunt.workforce.erlang import required_agents


def _norms(code: str | None) -> tuple[float, float]:
    """The service-level target and threshold of queue `code`; without one, the norms a new queue gets."""
    if code is None:
        field = Queue._meta.get_field("sl_target")
        threshold = Queue._meta.get_field("sl_threshold_s")
        return float(field.get_default()), float(threshold.get_default())
    queue = Queue.objects.filter(code=code).first()
    if queue is None:
        raise ValueError(f"there is no queue {code!r}")
    return float(queue.sl_target), float(queue.sl_threshold_s)


class Command(BaseCommand):
    help = (
        "Fewest agents meeting a service level (and optional ASA, occupancy cap) for a volume per interval. "
        "With --patience, Erlang A (callers abandon); otherwise Erlang C."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--volume", type=float, required=True, help="contacts offered in the interval")
        parser.add_argument("--interval", default="30m", help="interval length, e.g. 15m or 30m (default 30m)")
        parser.add_argument("--aht", type=float, required=True, help="average handle time in seconds")
        parser.add_argument("--queue", default=None, help="take the targets from this queue's norms (by code)")
        parser.add_argument("--target-sl", type=float, default=None, help="service level target, 0..1")
        parser.add_argument("--target-time", type=float, default=None, help="service level threshold in seconds")
        parser.add_argument("--target-asa", type=float, default=None, help="ASA target in seconds")
        parser.add_argument("--patience", type=float, default=None, help="mean caller patience in seconds (Erlang A)")
        parser.add_argument("--max-occupancy", type=float, default=None, help="occupancy cap, 0..1")
        parser.add_argument(
            "--max-abandon",
            type=float,
            default=None,
            help="abandon rate cap, 0..1 (Erlang A: needs --patience); met alongside the service level",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            interval_s = parse_duration(options["interval"])
            if options["max_abandon"] is not None and options["patience"] is None:
                raise ValueError("--max-abandon needs --patience (Erlang A): under Erlang C nobody abandons")
            norm_sl, norm_time = _norms(options["queue"])
            target_sl = options["target_sl"]
            if target_sl is None and options["target_asa"] is None:
                target_sl = norm_sl
            target_time = norm_time if options["target_time"] is None else options["target_time"]
            result = required_agents(
                volume=options["volume"],
                interval_s=interval_s,
                aht_s=options["aht"],
                threshold_s=target_time,
                target_service_level=target_sl,
                target_asa_s=options["target_asa"],
                max_occupancy=options["max_occupancy"],
                patience_s=options["patience"],
                max_abandon_rate=options["max_abandon"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        metrics = result.metrics
        figures: dict[str, Any] = {
            "agents": result.agents,
            "service_level": round(metrics.service_level, 6),
            "asa_s": round(metrics.asa_s, 3) if math.isfinite(metrics.asa_s) else None,
            "occupancy": round(metrics.occupancy, 6),
        }
        if metrics.abandon_rate is not None:
            figures["abandon_rate"] = round(metrics.abandon_rate, 6)
        figures["model"] = result.model
        figures["offered_load"] = round(metrics.offered_load, 6)
        if options["json"]:
            self.stdout.write(json.dumps(figures))
            return
        for key, value in figures.items():
            self.stdout.write(f"{key:<14} {value}")
