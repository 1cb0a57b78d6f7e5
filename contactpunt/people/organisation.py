"""The organisation's people and structure are made here: sites, departments, teams, skills and user accounts.

Set-up and import commands (the call-log import, the simulator, the demo) come through these functions instead of
writing the rows themselves, so a new account always gets what the product expects of one (a role, a password
that is either set or unusable, the skills of its group) and an import can report what it created.
Existing rows with the same name, code or username are reused and never changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction

from contactpunt.people.models import Department, Role, Site, Skill, SkillKind, Team, User


@dataclass(frozen=True, slots=True)
class NewUser:
    """An account to make when its username is not taken. `password_hash` is a hash made by Django's
    `make_password` (shared by many accounts when they share a password: hashing is slow on purpose); empty means
    no password that works (the person signs in once an admin sets one)."""

    username: str
    role: str = Role.AGENT
    first_name: str = ""
    last_name: str = ""
    team: Team | None = None
    skills: tuple[Skill, ...] = field(default_factory=tuple)
    password_hash: str = ""
    is_admin: bool = False


def ensure_site(name: str) -> Site:
    """The site with this name, made the first time it is asked for."""
    return Site.objects.get_or_create(name=name[:100])[0]


def ensure_department(name: str, *, cost_per_hour: Decimal | float | int = 40) -> Department:
    """The department with this name, made with `cost_per_hour` the first time it is asked for."""
    return Department.objects.get_or_create(name=name[:100], defaults={"cost_per_hour": cost_per_hour})[0]


def ensure_team(name: str, *, department: Department, site: Site | None = None) -> Team:
    """The team with this name, made in `department` at `site` the first time it is asked for."""
    return Team.objects.get_or_create(name=name[:100], defaults={"department": department, "site": site})[0]


#: Language skills by code, named as a Dutch team lead reads them on the skills matrix (not "Nl" and "En").
LANGUAGE_SKILLS = {"nl": "Nederlands", "en": "Engels", "de": "Duits", "fr": "Frans"}


def ensure_skill(code: str, *, name: str = "") -> Skill:
    """The skill with this code, made the first time it is asked for: named `name`, else a language skill by its
    language's name (and of kind language), else the code capitalised."""
    language = LANGUAGE_SKILLS.get(code)
    defaults = {"name": (name or language or code.capitalize())[:100]}
    if language:
        defaults["kind"] = SkillKind.LANGUAGE
    return Skill.objects.get_or_create(code=code[:50], defaults=defaults)[0]


@transaction.atomic
def ensure_users(people: Sequence[NewUser]) -> tuple[dict[str, int], list[str]]:
    """Make the accounts of `people` whose usernames are free, set-based (one insert for the accounts and one for
    their skills); return every asked username's id and the usernames made now, in the order asked.

    Accounts that exist keep their role, team, name and skills. Two entries with one username: the first counts.
    """
    wanted = list({person.username: person for person in reversed(people)}.values())[::-1]
    existing = dict(User.objects.filter(username__in=[p.username for p in wanted]).values_list("username", "pk"))
    fresh = [person for person in wanted if person.username not in existing]
    if fresh:
        unusable = make_password(None)
        User.objects.bulk_create(
            [
                User(
                    username=person.username,
                    role=person.role,
                    first_name=person.first_name[:150],
                    last_name=person.last_name[:150],
                    team=person.team,
                    password=person.password_hash or unusable,
                    is_staff=person.is_admin,
                    is_superuser=person.is_admin,
                )
                for person in fresh
            ],
            ignore_conflicts=True,  # a concurrent import made the same account: it is reused below
        )
        made = dict(User.objects.filter(username__in=[p.username for p in fresh]).values_list("username", "pk"))
        through = User.skills.through
        through.objects.bulk_create(
            [
                through(user_id=made[person.username], skill_id=skill.pk)
                for person in fresh
                for skill in dict.fromkeys(person.skills)
            ],
            ignore_conflicts=True,
        )
        existing.update(made)
    return {p.username: existing[p.username] for p in wanted}, [p.username for p in fresh]


def ensure_user(person: NewUser) -> User:
    """The account `person` describes, made when the username is free (an existing account is returned as it is)."""
    ids, _made = ensure_users([person])
    return User.objects.get(pk=ids[person.username])


def give_skills(user_ids: Iterable[int], skills: Iterable[Skill]) -> None:
    """Give every user in `user_ids` every skill in `skills` (skills they already have are left as they are)."""
    through = User.skills.through
    links = [through(user_id=u, skill_id=s.pk) for u in dict.fromkeys(user_ids) for s in dict.fromkeys(skills)]
    through.objects.bulk_create(links, ignore_conflicts=True)
