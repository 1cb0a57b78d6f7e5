"""People by their display names, and the admin titled Contactpunt with Dutch section names."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from contactpunt.conftest import make_user
from contactpunt.contacts.services.assignment import assign_case
from contactpunt.contacts.tests.workspace_data import mail, skill
from contactpunt.people.models import Role, User
from contactpunt.web.tests.screens import visible_text

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def name(user: User, first: str, last: str) -> User:
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


def test_the_display_name_is_the_full_name_else_the_username(agent):
    assert agent.display_name == "anna" and str(agent) == "anna"
    name(agent, "Anna", "de Vries")
    assert agent.display_name == "Anna de Vries" and str(agent) == "Anna de Vries"


def test_the_header_inbox_and_case_show_names_not_usernames(email_queue, agent, team_lead, t0):
    email_queue.skills.add(skill("nl"))
    agent.skills.add(skill("nl"))
    name(agent, "Anna", "de Vries")
    name(team_lead, "Lotte", "Bakker")
    case = mail(email_queue, t0, "m1")
    assign_case(case=case, to=agent, by=team_lead)
    inbox = visible_text(client_for(team_lead).get(reverse("workspace:inbox")).content.decode())
    assert "Lotte Bakker · teamleider" in inbox
    assert "Anna de Vries" in inbox and "anna" not in inbox.split()
    page = visible_text(client_for(agent).get(reverse("workspace:case", args=[case.pk])).content.decode())
    assert "Anna de Vries · medewerker" in page
    assert "Toegewezen: Anna de Vries" in page
    assert "Lotte Bakker" in page  # among the colleagues to assign to
    assert not {"anna", "lotte"} & set(page.split())


def test_the_admin_is_contactpunt_with_dutch_sections(team):
    admin = make_user("beheer", Role.ADMIN, team)
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    page = client_for(admin).get(reverse("admin:index")).content.decode()
    text = visible_text(page)
    assert "<title>Beheer | Contactpunt-beheer</title>" in page
    for section in ("Kanalen", "Achtergrondtaken", "Personeelsplanning", "Medewerkers", "Contacten", "Auditlogboek"):
        assert section in text, section
    for english in ("Django", "channel_adapters", "Channel_Adapters", "Tasks Database", "Background jobs", "People"):
        assert english.casefold() not in text.casefold(), english
