"""An agent's figures count for their current team (`facts.agent_teams`): when the team changes, every contact the
agent worked is marked dirty, after commit, so the periodic refresh moves those figures to the new team."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save, pre_save

from contactpunt.kpis import dirty_marks
from contactpunt.people.models import User

_BEFORE = "_kpis_team_before"


def _remember_team(sender: type[User], instance: User, **kwargs: Any) -> None:
    if instance.pk is None or kwargs.get("raw"):
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and "team" not in update_fields and "team_id" not in update_fields:
        return
    before = User.objects.filter(pk=instance.pk).values_list("team_id", flat=True).first()
    setattr(instance, _BEFORE, before)


def _mark_when_changed(sender: type[User], instance: User, created: bool, **kwargs: Any) -> None:
    if created or not hasattr(instance, _BEFORE):
        return
    before = getattr(instance, _BEFORE)
    delattr(instance, _BEFORE)
    if before != instance.team_id:
        user_id = instance.pk
        transaction.on_commit(lambda: dirty_marks.mark_agent_contacts(user_id))


def connect() -> None:
    """Watch saves of users (the admin, the people services) for a change of team."""
    pre_save.connect(_remember_team, sender=User, dispatch_uid="kpis-team-before")
    post_save.connect(_mark_when_changed, sender=User, dispatch_uid="kpis-team-changed")
