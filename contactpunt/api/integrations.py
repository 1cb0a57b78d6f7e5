"""Integrations are made here and their tokens rotated here: by the admin, the demo and set-up commands. A token is
returned once and never stored (only its hash); each change is in the audit log."""

from __future__ import annotations

from django.db import transaction

from contactpunt.api.models import Integration
from contactpunt.audit import services as audit
from contactpunt.people.models import User


@transaction.atomic
def create_integration(
    *, name: str, source: str, by: User | None = None, actor_label: str = ""
) -> tuple[Integration, str]:
    """A new integration sending as `source`; returns it with its token (shown once)."""
    integration = Integration(name=name[:100], source=source[:100])
    token = integration.set_new_token()
    integration.full_clean()
    integration.save()
    audit.record(actor=by, actor_label=actor_label, action="integration.created", obj=integration)
    return integration, token


@transaction.atomic
def rotate_token(*, integration: Integration, by: User | None) -> str:
    """Give `integration` a new token (the old one stops working at once); returns the new token (shown once)."""
    token = integration.set_new_token()
    integration.save(update_fields=["token_hash", "token_prefix"])
    audit.record(actor=by, action="integration.token_rotated", obj=integration)
    return token
