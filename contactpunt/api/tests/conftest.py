"""A client that sends an integration's token (the `token` fixture of contactpunt/conftest.py)."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def api(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")
