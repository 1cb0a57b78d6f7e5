"""Writing to the audit log."""

from __future__ import annotations

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
