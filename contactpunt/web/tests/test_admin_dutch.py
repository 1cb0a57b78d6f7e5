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


#: Column names that are the same word in Dutch and English.
SAME_IN_DUTCH = {"id", "code", "status", "team", "app", "platform", "mailbox", "moment", "contact", "macro-f1"}


def test_every_admin_list_names_its_columns_and_filters_in_dutch() -> None:
    """A column or filter named by a field without a translated name shows the field's English name ("created at",
    "state"): every one must read differently in Dutch, or be a word both languages share."""
    from django.contrib import admin
    from django.contrib.admin.utils import label_for_field
    from django.utils import translation

    english = []
    for model, model_admin in admin.site._registry.items():
        filters = [f if isinstance(f, str) else f[0] for f in model_admin.list_filter if not isinstance(f, type)]
        for name in [*model_admin.list_display, *filters]:
            if not isinstance(name, str) or name == "__str__":
                continue
            with translation.override("nl"):
                dutch = str(label_for_field(name, model, model_admin))
            with translation.override("en"):
                same = dutch == str(label_for_field(name, model, model_admin))
            if same and dutch.lower() not in SAME_IN_DUTCH:
                english.append(f"{model._meta.label}.{name}: {dutch}")
    assert english == []


def test_an_audit_entry_names_every_field_in_dutch() -> None:
    """The audit entry's page in the admin said "Actor", "Changes" and an English help text beside Dutch labels."""
    from django.utils import translation

    from contactpunt.audit.models import AuditEntry

    english = []
    for field in AuditEntry._meta.get_fields():
        if field.name == "id" or not hasattr(field, "verbose_name"):
            continue
        for text in (field.verbose_name, field.help_text):
            with translation.override("nl"):
                dutch = str(text)
            with translation.override("en"):
                same = dutch == str(text)
            if text and same and dutch.lower() not in SAME_IN_DUTCH:
                english.append(f"{field.name}: {dutch}")
    assert english == []


#: Field names that are technical terms, the same in both languages.
TECHNICAL = {"smtp starttls"}


def test_every_field_of_an_admin_form_is_named_in_dutch() -> None:
    """A change page labels every field by its name: a field without a translated name shows its English attribute
    name ("previous case", "next attempt at") on a Dutch screen."""
    from django.contrib import admin
    from django.utils import translation

    english = []
    for model in admin.site._registry:
        if not model.__module__.startswith("contactpunt"):
            continue
        for field in model._meta.get_fields():
            if not getattr(field, "concrete", False) or field.auto_created:
                continue
            with translation.override("nl"):
                dutch = str(field.verbose_name)
            with translation.override("en"):
                same = dutch == str(field.verbose_name)
            if same and dutch.lower() not in SAME_IN_DUTCH | TECHNICAL:
                english.append(f"{model._meta.label}.{field.name}: {dutch}")
    assert english == []
