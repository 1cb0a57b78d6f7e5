"""Quality: versioned scorecards with weighted criteria (one may fail a review on its own), reviews of contacts
(from the weekly sample or a calibration round) and their scores per criterion."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

#: Scores of an ordinary criterion: 0 (not at all) to 4 (fully); an auto-fail criterion is 0 (fail) or 1 (pass).
TOP_SCORE = 4


class Scorecard(models.Model):
    """One version of a scorecard; changing the criteria makes a new version and the reviews keep theirs."""

    name = models.CharField(_("name"), max_length=100)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name", "-version"]
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="scorecard_version_unique")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Criterion(models.Model):
    """What a reviewer scores, with its weight in the total; an auto-fail criterion (compliance) fails the whole
    review when it is not met and carries no weight."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(_("criterion"), max_length=120)
    description = models.TextField(_("description"), blank=True, default="")
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    is_auto_fail = models.BooleanField(_("auto-fail"), default=False)

    class Meta:
        ordering = ["scorecard", "position", "pk"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return self.label

    @property
    def top(self) -> int:
        return 1 if self.is_auto_fail else TOP_SCORE


class CalibrationRound(models.Model):
    """Several reviewers score the same contacts; their agreement per criterion shows which criteria are
    understood alike."""

    name = models.CharField(_("name"), max_length=100)
    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="+")
    contacts = models.ManyToManyField("contacts.Contact", related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("calibration round")
        verbose_name_plural = _("calibration rounds")

    def __str__(self) -> str:
        return self.name


class Review(models.Model):
    """A reviewer's scoring of one contact handled by one agent: assigned (from the weekly sample or a
    calibration round), then done with a score 0..100 (0 when an auto-fail criterion failed)."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="reviews")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="quality_reviews"
    )
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week = models.DateField(_("sample week"), null=True, blank=True)
    calibration = models.ForeignKey(
        CalibrationRound, on_delete=models.CASCADE, null=True, blank=True, related_name="reviews"
    )
    assigned_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    is_failed = models.BooleanField(default=False)
    comment = models.TextField(_("comment"), blank=True, default="")

    class Meta:
        ordering = ["-assigned_at", "pk"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["week", "agent", "contact"],
                condition=models.Q(calibration__isnull=True),
                name="review_sample_unique",
            ),
            models.UniqueConstraint(
                fields=["calibration", "contact", "reviewer"],
                condition=models.Q(calibration__isnull=False),
                name="review_calibration_unique",
            ),
        ]
        indexes = [models.Index(fields=["reviewer", "done_at"], name="review_reviewer_idx")]

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class Score(models.Model):
    """One criterion's score in a review; None is "not applicable"."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="score_unique")]


class CoachingNote(models.Model):
    """What a team lead or manager noted in a coaching conversation with an agent; the agent reads it too."""

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coaching_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField(_("note"), max_length=2000)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("coaching note")
        verbose_name_plural = _("coaching notes")


class GoalStatus(models.TextChoices):
    OPEN = "open", _("open")
    ACHIEVED = "achieved", _("achieved")
    DROPPED = "dropped", _("dropped")


class Goal(models.Model):
    """A coaching goal of an agent; with a target quality score its progress is measured from the reviews."""

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coaching_goals")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    title = models.CharField(_("goal"), max_length=200)
    target_score = models.FloatField(_("target quality score"), null=True, blank=True)
    due = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=GoalStatus.choices, default=GoalStatus.OPEN)
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "due", "pk"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")


class SuggestionStatus(models.TextChoices):
    NEW = "new", _("new")
    DISCUSSED = "discussed", _("discussed in the team")
    REJECTED = "rejected", _("not taken up")
    TRIAL = "trial", _("in trial")
    ADOPTED = "adopted", _("adopted")
    DROPPED = "dropped", _("dropped after trial")


class TrialMetric(models.TextChoices):
    SERVICE_LEVEL = "service_level", _("service level")
    FCR = "fcr", _("first contact resolution")
    AHT = "aht_s", _("average handling time")
    TRANSFER_RATE = "transfer_rate", _("transfer rate")
    REPEAT_RATE = "repeat_rate", _("repeat contact rate")


class Suggestion(models.Model):
    """An agent's improvement suggestion: discussed by the team, tried small first with one team for a period while
    a metric is watched against the other teams, then adopted or dropped with its reason."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    team = models.ForeignKey("people.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    title = models.CharField(_("suggestion"), max_length=200)
    text = models.TextField(_("explanation"), max_length=4000, blank=True, default="")
    status = models.CharField(
        _("status"), max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.NEW
    )
    created_at = models.DateTimeField()
    status_changed_at = models.DateTimeField(null=True, blank=True)
    trial_team = models.ForeignKey("people.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    trial_start = models.DateField(_("trial from"), null=True, blank=True)
    trial_end = models.DateField(_("trial until"), null=True, blank=True)
    metric = models.CharField(_("metric to watch"), max_length=20, choices=TrialMetric.choices, blank=True, default="")
    reason = models.TextField(_("reason"), max_length=2000, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")

    def is_waiting_too_long(self, now: dt.datetime) -> bool:
        """Still new 14 days after it was made: every suggestion gets a status within 14 days."""
        return self.status == SuggestionStatus.NEW and now - self.created_at > dt.timedelta(days=14)
