"""An integration and a client that sends its token, for the API tests."""

from __future__ import annotations

import pytest
from django.test import Client

from contactpunt.api.models import Integration


@pytest.fixture
def token(db: None) -> str:
    integration = Integration(name="Telefooncentrale", source="pbx")
    secret = integration.set_new_token()
    integration.save()
    return secret


@pytest.fixture
def api(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")
