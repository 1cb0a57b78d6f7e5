"""Integrations made and their tokens rotated through `api.integrations`, in the admin too: the token is shown once
(in Dutch on a Dutch screen), works at once, the old one stops working, and each change is audited."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from contactpunt.api.integrations import create_integration, rotate_token
from contactpunt.api.models import Integration
from contactpunt.audit.models import AuditEntry
from contactpunt.people.models import Role, User

pytestmark = pytest.mark.django_db


def _status(token: str) -> int:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/cases").status_code


def test_a_new_token_works_and_a_rotated_one_stops_working():
    integration, token = create_integration(name="Webshop", source="shop", actor_label="setup")
    assert _status(token) == 200
    new = rotate_token(integration=integration, by=None)
    assert new != token and _status(new) == 200 and _status(token) == 401
    actions = list(AuditEntry.objects.filter(object_id=str(integration.pk)).values_list("action", flat=True))
    assert sorted(actions) == ["integration.created", "integration.token_rotated"]


def test_a_source_that_is_no_slug_is_refused_and_nothing_is_made():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        create_integration(name="Fout", source="geen slug!")
    assert not Integration.objects.exists()


def test_the_admin_shows_the_token_once_in_dutch_and_audits():
    admin = User.objects.create_superuser(username="beheer", password="pw-beheer", role=Role.ADMIN)
    client = Client(HTTP_ACCEPT_LANGUAGE="nl")
    client.force_login(admin)
    response = client.post(
        "/admin/api/integration/add/", {"name": "Centrale", "source": "pbx2", "is_active": "on"}, follow=True
    )
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    integration = Integration.objects.get(source="pbx2")
    token = next(word for message in shown for word in message.replace(".", " ").split() if word.startswith("cp_"))
    assert any("niet nog eens getoond" in message for message in shown), shown
    assert _status(token) == 200
    response = client.post(
        "/admin/api/integration/",
        {"action": "rotate_token", "_selected_action": [integration.pk]},
        follow=True,
    )
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(message.startswith("Nieuw token van Centrale") for message in shown), shown
    assert _status(token) == 401
    assert AuditEntry.objects.filter(actor=admin, action="integration.token_rotated").count() == 1
    assert AuditEntry.objects.filter(actor=admin, action="integration.created").count() == 1
