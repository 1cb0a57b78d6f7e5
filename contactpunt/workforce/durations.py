"""Durations as planners type them on the command line: 15m, 30m, 1h, 7d, 900s or plain seconds."""

from __future__ import annotations

import re

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")


def parse_duration(text: str) -> float:
    """Return the duration in seconds; a bare number is seconds. Raises ValueError on anything else."""
    match = _PATTERN.match(text.lower())
    if match is None:
        raise ValueError(f"not a duration: {text!r} (use e.g. 30m, 1h, 7d or seconds)")
    seconds = float(match.group(1)) * _UNITS[match.group(2) or "s"]
    if seconds <= 0:
        raise ValueError(f"duration must be positive: {text!r}")
    return seconds
