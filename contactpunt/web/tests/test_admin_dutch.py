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


def test_the_menu_and_the_admin_call_the_configuration_by_one_name(db: None) -> None:
    """The person's menu said "Instellingen" for the place the admin itself calls "Beheer"."""
    admin = User.objects.create_superuser("beheer", "beheer@example.nl", "geheim-wachtwoord-123")
    client = Client()
    client.force_login(admin)
    home = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert f'<a href="{reverse("admin:index")}">Beheer</a>' in home
    assert "Instellingen" not in home
    index = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "<title>Beheer | Contactpunt-beheer</title>" in index
    assert "Instellingen" not in index
