"""The Dutch admin has no English model names, also not those of the login throttling (django-axes has no Dutch)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from contactpunt.people.models import User


def test_the_login_throttling_is_named_in_dutch_in_the_admin(db: None) -> None:
    admin = User.objects.create_superuser("beheer", "beheer@example.nl", "geheim-wachtwoord-123")
    client = Client()
    client.force_login(admin)
    page = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Inlogpogingen" in page and "Mislukte inlogpogingen" in page and "Inloglogboeken" in page
    assert "Inlogbeveiliging</a>" in page and "Axes</a>" not in page  # the section, not the library's name
    assert "Access attempts" not in page and "Access failures" not in page and "Access logs" not in page
