"""People and structure made through `people.organisation`: reused by name, set-based, reported."""

from __future__ import annotations

import pytest

from contactpunt.people.models import Role, User
from contactpunt.people.organisation import (
    NewUser,
    ensure_department,
    ensure_site,
    ensure_skill,
    ensure_team,
    ensure_user,
    ensure_users,
    give_skills,
)

pytestmark = pytest.mark.django_db


def test_structure_is_made_once_and_then_reused_unchanged():
    department = ensure_department("Service", cost_per_hour=52)
    assert ensure_department("Service", cost_per_hour=99) == department
    department.refresh_from_db()
    assert department.cost_per_hour == 52
    site = ensure_site("Utrecht")
    team = ensure_team("Team Noord", department=department, site=site)
    assert ensure_team("Team Noord", department=ensure_department("Anders")) == team
    assert (team.department, team.site) == (department, site)
    skill = ensure_skill("telefoon")
    assert skill.name == "Telefoon" and ensure_skill("telefoon", name="Anders").name == "Telefoon"


def test_new_accounts_get_their_role_team_skills_and_no_working_password_unless_given():
    team = ensure_team("Team Zuid", department=ensure_department("Service"))
    phone, nl = ensure_skill("telefoon"), ensure_skill("nl")
    ids, made = ensure_users(
        [
            NewUser(username="anna", first_name="Anna", last_name="de Vries", team=team, skills=(phone, nl, phone)),
            NewUser(username="lead", role=Role.TEAM_LEAD, team=team),
        ]
    )
    assert made == ["anna", "lead"] and set(ids) == {"anna", "lead"}
    anna = User.objects.get(pk=ids["anna"])
    assert (anna.display_name, anna.role, anna.team) == ("Anna de Vries", Role.AGENT, team)
    assert set(anna.skills.values_list("code", flat=True)) == {"telefoon", "nl"}
    assert not anna.has_usable_password() and not anna.check_password("")
    assert User.objects.get(pk=ids["lead"]).role == Role.TEAM_LEAD


def test_existing_accounts_are_kept_as_they_are_and_not_reported_as_made():
    existing = User.objects.create_user(username="bram", password="geheim-123", role=Role.MANAGER)
    ids, made = ensure_users([NewUser(username="bram"), NewUser(username="carla"), NewUser(username="carla")])
    assert made == ["carla"] and ids["bram"] == existing.pk
    existing.refresh_from_db()
    assert existing.role == Role.MANAGER and existing.check_password("geheim-123")
    assert User.objects.filter(username="carla").count() == 1


def test_a_given_password_hash_works_and_admins_get_the_admin():
    from django.contrib.auth.hashers import make_password

    admin = ensure_user(
        NewUser(username="beheer", role=Role.ADMIN, password_hash=make_password("s3cret!"), is_admin=True)
    )
    assert admin.check_password("s3cret!") and admin.is_staff and admin.is_superuser


def test_skills_are_given_without_doubling():
    user = ensure_user(NewUser(username="dirk"))
    skill = ensure_skill("chat")
    give_skills([user.pk, user.pk], [skill])
    give_skills([user.pk], [skill])
    assert list(user.skills.values_list("code", flat=True)) == ["chat"]
