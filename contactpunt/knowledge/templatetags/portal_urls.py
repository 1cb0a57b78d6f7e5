"""`{% portal_url "article" hit.article_id %}`: a portal page's URL in the portal the visitor is in (the public
one, or the account group's portal view that is the template's `group`); `{% portal_name %}`: the organisation's
name shown on the help pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from contactpunt.knowledge.group_portals import portal_reverse
from contactpunt.knowledge.models import GroupPortal

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_url(context: template.Context, name: str, *args: Any) -> str:
    group = context.get("group")
    return portal_reverse(name, group if isinstance(group, GroupPortal) else None, *args)


@register.simple_tag
def portal_name() -> str:
    """The organisation's name on its help pages (settings.PORTAL_NAME), else the product's."""
    return str(getattr(settings, "PORTAL_NAME", "") or "Contactpunt")
