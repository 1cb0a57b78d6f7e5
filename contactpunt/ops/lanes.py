"""The worker's lanes: short jobs (outbox, rollups, message analysis, mail polling) and long jobs (model training,
shift planning) are separate django-tasks queues, run by separate workers, so a long job never delays a short one.

A task names its lane with `@task(queue_name=SHORT)` or `@task(queue_name=LONG)`. The long lane also takes every
other queue name (a task that names none lands on "default"), so an unclassified job can only ever wait behind
long work, never hold up a reply.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise

SHORT = "short"
LONG = "long"
LANES = (SHORT, LONG)
LABELS: dict[str, StrPromise] = {SHORT: _("short jobs"), LONG: _("long jobs")}


def parse_lanes(value: str) -> list[str]:
    """Parse a comma-separated list of lanes ("short", "long", "short,long"); raise ValueError naming a bad one."""
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in LANES]
    if unknown or not names:
        raise ValueError(f"--queues takes short, long or short,long, not {value!r}")
    return sorted(set(names), key=LANES.index)


def queue_filter(lane: str) -> Q:
    """The DBTaskResult rows of `lane`: its own queue, and for the long lane every queue that is not short."""
    return Q(queue_name=SHORT) if lane == SHORT else ~Q(queue_name=SHORT)


def lane_of(queue_name: str) -> str:
    """The lane that runs a task of `queue_name`."""
    return SHORT if queue_name == SHORT else LONG
