"""The portal views of account groups: opening one (with a fresh secret key for its link), renewing the key (the
old link stops working) and closing or reopening it. Team leads and up, the knowledge owners, manage them."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from contactpunt.access import Action, check
from contactpunt.audit import services as audit
from contactpunt.knowledge.models import GroupPortal
from contactpunt.people.models import User

MAX_KEY = 64


def new_key() -> str:
    """A key no one can guess (144 random bits), safe in a URL."""
    return secrets.token_urlsafe(18)


def open_group_portal(*, by: User, account_group: str, name: str, at: dt.datetime | None = None) -> GroupPortal:
    """Open the portal view of `account_group` under `name`, with a new key; ValidationError when the group has one."""
    check(by, Action.MANAGE_ARTICLES)
    group, shown = account_group.strip()[:80], name.strip()[:120]
    if not group or not shown:
        raise ValidationError("an account group's portal view needs the group and a name")
    with transaction.atomic():
        if GroupPortal.objects.filter(account_group=group).exists():
            raise ValidationError({"account_group": "this account group already has a portal view"})
        now = at or timezone.now()
        portal = GroupPortal.objects.create(
            account_group=group, name=shown, key=new_key(), created_by=by, created_at=now, key_renewed_at=now
        )
        audit.record(actor=by, action="group_portal.opened", obj=portal, changes={"account_group": group})
    return portal


def renew_key(*, by: User, portal: GroupPortal, at: dt.datetime | None = None) -> GroupPortal:
    """Give the portal view a new key: the link given out before stops working."""
    check(by, Action.MANAGE_ARTICLES)
    with transaction.atomic():
        portal.key = new_key()
        portal.key_renewed_at = at or timezone.now()
        portal.save(update_fields=["key", "key_renewed_at"])
        audit.record(actor=by, action="group_portal.key_renewed", obj=portal)
    return portal


def set_open(*, by: User, portal: GroupPortal, is_open: bool) -> GroupPortal:
    """Close the portal view (its link then finds nothing) or open it again with the same key."""
    check(by, Action.MANAGE_ARTICLES)
    with transaction.atomic():
        portal.is_active = is_open
        portal.save(update_fields=["is_active"])
        audit.record(actor=by, action="group_portal.opened" if is_open else "group_portal.closed", obj=portal)
    return portal


def portal_for_key(key: str) -> GroupPortal | None:
    """The open portal view with this key; None for an unknown, renewed or closed one."""
    if not key or len(key) > MAX_KEY:
        return None
    return GroupPortal.objects.filter(key=key, is_active=True).first()


def portal_reverse(name: str, group: GroupPortal | None, *args: object) -> str:
    """The URL of the portal page `name` in the public portal, or in `group`'s portal view."""
    if group is None:
        return reverse(f"knowledge:{name}", args=args)
    return reverse(f"knowledge:group-{name}", args=[group.key, *args])
