"""Writing to the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import models

from contactpunt.audit.models import AuditEntry
from contactpunt.people.models import User


def record(
    *, actor: User | None, action: str, obj: models.Model, changes: dict[str, Any] | None = None, actor_label: str = ""
) -> AuditEntry:
    """Record that `actor` (or `actor_label` when no user acted) did `action` to `obj`."""
    return AuditEntry.objects.create(
        actor=actor,
        actor_label=actor_label or (actor.get_username() if actor else ""),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        changes=changes or {},
    )


def record_many(
    *, actor: User | None, action: str, changes: Sequence[tuple[models.Model, dict[str, Any]]], actor_label: str = ""
) -> int:
    """Record that `actor` did `action` to each object of `changes` (object, its changes), in one insert (imports
    write many rows at once); return how many."""
    label = actor_label or (actor.get_username() if actor else "")
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=actor,
                actor_label=label,
                action=action,
                object_type=obj._meta.label_lower,
                object_id=str(obj.pk),
                changes=change,
            )
            for obj, change in changes
        ],
        batch_size=500,
    )
    return len(changes)


#: Entries that record ids, counts and a reason only: an erasure keeps them (they are its own record).
KEPT_ON_FORGET = ("customer.exported", "customer.erased", "customer.merged")


def forget(*, objects: dict[str, list[int]]) -> int:
    """Blank what the audit log and the admin's history say about these objects (object type -> ids), for an
    erasure: the entries stay (who did what when), their recorded values and descriptions go. Return how many."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    forgotten = 0
    for label, ids in objects.items():
        if not ids:
            continue
        keys = [str(pk) for pk in ids]
        entries = AuditEntry.objects.filter(object_type=label, object_id__in=keys).exclude(action__in=KEPT_ON_FORGET)
        forgotten += entries.exclude(changes={}).update(changes={})
        app_label, model = label.split(".")
        content_type = ContentType.objects.filter(app_label=app_label, model=model).first()
        if content_type is not None:
            forgotten += LogEntry.objects.filter(content_type=content_type, object_id__in=keys).update(
                object_repr="", change_message=""
            )
    return forgotten


def record_named(
    *,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    changes: dict[str, Any],
    actor: User | None = None,
) -> AuditEntry:
    """Record an action on something that is no model row (a table of the database, an export of figures), named by
    its type and id; `actor_label` says who or what acted (a command, a job; a user's name beside `actor`)."""
    return AuditEntry.objects.create(
        actor=actor,
        actor_label=actor_label[:150],
        action=action,
        object_type=object_type[:60],
        object_id=object_id[:64],
        changes=changes,
    )


def record_login_locked_out(*, username: str, address: str, since: dt.datetime) -> AuditEntry | None:
    """Record that logins for `username`, or from `address`, were locked after too many failures;
    once per lockout: nothing when the same lockout was recorded after `since`."""
    already = AuditEntry.objects.filter(
        action="login_locked_out", object_id=username[:64], changes__address=address, at__gte=since
    )
    if already.exists():
        return None
    return AuditEntry.objects.create(
        actor=None,
        actor_label=f"login from {address}"[:150],
        action="login_locked_out",
        object_type="people.user",
        object_id=username[:64],
        changes={"username": username[:150], "address": address},
    )
