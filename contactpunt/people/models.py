"""The people doing the work: users and their roles, teams, departments, sites and skills."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Site(models.Model):
    """A location agents work from (the telecom case has three)."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A department customers could reach (customer service, finance, logistics), with its cost rate."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    cost_per_hour = models.DecimalField(
        _("cost per hour"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        help_text=_("Paid cost of one agent hour, used for cost to serve."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A team of agents under a team lead, in one department and at one site."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="teams", verbose_name=_("department")
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="teams", null=True, blank=True, verbose_name=_("site")
    )
    cost_per_hour = models.DecimalField(
        _("cost per hour"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Overrides the department's cost rate when set."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name

    def effective_cost_per_hour(self) -> Decimal:
        """Return the team's own cost rate, or its department's when the team has none."""
        return self.cost_per_hour if self.cost_per_hour is not None else self.department.cost_per_hour


class SkillKind(models.TextChoices):
    CHANNEL = "channel", _("channel")
    LANGUAGE = "language", _("language")
    PRODUCT = "product", _("product")
    REASON = "reason", _("contact reason")
    OTHER = "other", _("other")


class Skill(models.Model):
    """What an agent can handle (a language, a product, a channel); queues ask for skills."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=SkillKind.choices, default=SkillKind.OTHER)

    class Meta:
        ordering = ["code"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    AGENT = "agent", _("agent")
    TEAM_LEAD = "team_lead", _("team lead")
    MANAGER = "manager", _("manager")
    ADMIN = "admin", _("administrator")
    VIEWER = "viewer", _("read-only viewer")


class User(AbstractUser):
    """A person who signs in. The role decides what they may see and change."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AGENT)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="members", verbose_name=_("team")
    )
    skills = models.ManyToManyField(Skill, blank=True, related_name="users", verbose_name=_("skills"))
    language = models.CharField(_("language"), max_length=8, blank=True, default="")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name people see: the full name, or the username when there is none."""
        return self.get_full_name() or self.get_username()

    @property
    def is_read_only(self) -> bool:
        """True for the auditor role, which may look but never change anything."""
        return self.role == Role.VIEWER

    @property
    def can_manage(self) -> bool:
        """True for roles that see team and centre figures (team lead and up)."""
        return self.role in (Role.TEAM_LEAD, Role.MANAGER, Role.ADMIN) or self.is_superuser


class Mood(models.TextChoices):
    GREEN = "green", _("green")
    YELLOW = "yellow", _("yellow")
    RED = "red", _("red")


class CheckIn(models.Model):
    """An agent's weekly check-in: a green, yellow or red mood and an optional note, one per ISO week.

    The note is wellbeing data: only the agent and their own team lead read it (see `contactpunt.access`)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="check_ins")
    week = models.DateField(_("week"), help_text=_("The Monday of the ISO week."))
    mood = models.CharField(_("mood"), max_length=6, choices=Mood.choices)
    note = models.TextField(_("note"), max_length=500, blank=True, default="")
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", help_text=_("The team that week.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-week"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [models.UniqueConstraint(fields=["user", "week"], name="one_check_in_per_week")]
        indexes = [models.Index(fields=["team", "week"], name="check_in_team_week_idx")]

    def __str__(self) -> str:
        return f"{self.user} {self.week.isoformat()} {self.mood}"

    @property
    def is_concern(self) -> bool:
        """Yellow or red."""
        return self.mood in (Mood.YELLOW, Mood.RED)


class SkillLevel(models.Model):
    """How well a person masters a skill: 1 learning, 2 qualified, 3 expert (can coach others). Kept in step with
    `User.skills` by `people.skills.set_level` (which routing and shift planning read): level 1 and up is a skill."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="skill_levels")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="levels")
    level = models.PositiveSmallIntegerField(_("level"), default=2)

    class Meta:
        verbose_name = _("skill level")
        verbose_name_plural = _("skill levels")
        constraints = [models.UniqueConstraint(fields=["user", "skill"], name="one_level_per_skill")]
