"""The skills matrix: each person's level per skill, kept in step with `User.skills` (what routing and shift
planning read). Level 0 removes the skill; 1 is learning, 2 qualified, 3 expert."""

from __future__ import annotations

from django.db import transaction

from contactpunt.people.models import Skill, SkillLevel, User

LEVELS = (0, 1, 2, 3)
#: From this level a person counts as qualified (for the bus factor).
QUALIFIED = 2


def level_of(user: User, skill: Skill) -> int:
    """The user's level of the skill: the recorded level, 2 for a skill given without one, else 0."""
    row = SkillLevel.objects.filter(user=user, skill=skill).values_list("level", flat=True).first()
    if row is not None:
        return row
    return QUALIFIED if user.skills.filter(pk=skill.pk).exists() else 0


def levels(user_ids: list[int], skill_ids: list[int]) -> dict[tuple[int, int], int]:
    """(user, skill) -> level for the given people and skills (a skill without a recorded level counts as 2)."""
    given = User.skills.through.objects.filter(user_id__in=user_ids, skill_id__in=skill_ids)
    result: dict[tuple[int, int], int] = dict.fromkeys(given.values_list("user_id", "skill_id"), QUALIFIED)
    for u, s, level in SkillLevel.objects.filter(user_id__in=user_ids, skill_id__in=skill_ids).values_list(
        "user_id", "skill_id", "level"
    ):
        if (u, s) in result or level == 0:
            result[(u, s)] = level
    return {k: v for k, v in result.items() if v > 0}


def set_level(*, user: User, skill: Skill, level: int) -> None:
    """Record the user's level of the skill; from level 1 the skill is theirs (routing sees it), at 0 it is not.
    Raise ValueError("level") outside 0..3."""
    if level not in LEVELS:
        raise ValueError("level")
    with transaction.atomic():
        if level == 0:
            SkillLevel.objects.filter(user=user, skill=skill).delete()
            user.skills.remove(skill)
        else:
            SkillLevel.objects.update_or_create(user=user, skill=skill, defaults={"level": level})
            user.skills.add(skill)
