"""The web chat's guards: which sites may embed the widget, and how fast a visitor may send.

Settings (read with defaults, so none is required):
- WEBCHAT_ALLOWED_ORIGINS: the sites allowed to open the chat, like ["https://shop.example"]; "*" allows any. The
  product's own hosts (ALLOWED_HOSTS) are always allowed.
- WEBCHAT_RATE_PER_CONNECTION: (frames, seconds) one open widget may send, default (5, 10).
- WEBCHAT_RATE_PER_IP: (frames, seconds) all widgets of one address together may send, default (30, 60).
"""

from __future__ import annotations

import time
from collections import deque
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.http.request import validate_host


def allowed_origins() -> list[str]:
    return [origin.rstrip("/").lower() for origin in getattr(settings, "WEBCHAT_ALLOWED_ORIGINS", [])]


def is_allowed_origin(origin: str) -> bool:
    """True when a page of `origin` (scheme://host[:port]) may open the chat."""
    if not origin or origin == "null":
        return False
    origin = origin.rstrip("/").lower()
    allowed = allowed_origins()
    if "*" in allowed or origin in allowed:
        return True
    host = urlsplit(origin).hostname or ""
    return bool(host) and validate_host(host, list(settings.ALLOWED_HOSTS))


def _rate(name: str, default: tuple[int, int]) -> tuple[int, float]:
    count, seconds = getattr(settings, name, default)
    return int(count), float(seconds)


class SlidingWindow:
    """At most `count` events in any `seconds`; for one connection, kept in memory."""

    def __init__(self, count: int, seconds: float) -> None:
        self.count = count
        self.seconds = seconds
        self.times: deque[float] = deque()

    @classmethod
    def per_connection(cls) -> SlidingWindow:
        return cls(*_rate("WEBCHAT_RATE_PER_CONNECTION", (5, 10)))

    def take(self, now: float | None = None) -> float:
        """Count one event; return 0 when allowed, else the seconds to wait (the event is not counted)."""
        now = time.monotonic() if now is None else now
        while self.times and self.times[0] <= now - self.seconds:
            self.times.popleft()
        if len(self.times) >= self.count:
            return max(0.1, self.times[0] + self.seconds - now)
        self.times.append(now)
        return 0.0


def take_for_address(
    address: str,
    now: float | None = None,
    *,
    setting: str = "WEBCHAT_RATE_PER_IP",
    default: tuple[int, int] = (30, 60),
) -> float:
    """Count one event from `address` in the shared cache (fixed windows of the rate in `setting`); return 0 when
    allowed, else the seconds to wait."""
    count, seconds = _rate(setting, default)
    now = time.time() if now is None else now
    window = int(now // seconds)
    key = f"rate:{setting}:{address}:{window}"
    cache.add(key, 0, timeout=int(seconds) + 1)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=int(seconds) + 1)
        used = 1
    if used > count:
        return max(0.1, (window + 1) * seconds - now)
    return 0.0
