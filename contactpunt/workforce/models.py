"""Workforce data: shift templates, contracts, the flexible pool, shift plans with their activities, peak days.

Times of day in templates and availability are local wall-clock times (settings.TIME_ZONE); planned
shifts and activities store aware UTC moments, so a night across a clock change lasts what it lasted.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ShiftTemplate(models.Model):
    """A shift the planner may give: its local start time, its length and its breaks.

    `breaks` is a list of [offset_minutes, minutes] from the shift start; breaks are paid and count
    towards hours but not towards coverage.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    start_time = models.TimeField(_("start time"))
    length_minutes = models.PositiveIntegerField(_("length (minutes)"))
    breaks = models.JSONField(_("breaks"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["start_time", "length_minutes", "name"]
        verbose_name = _("shift template")
        verbose_name_plural = _("shift templates")

    def __str__(self) -> str:
        return self.name

    def break_spans(self) -> list[tuple[int, int]]:
        """Return the breaks as (offset_minutes, minutes), inside the shift, in order."""
        spans = []
        for item in self.breaks or []:
            offset, minutes = int(item[0]), int(item[1])
            if offset < 0 or minutes <= 0 or offset + minutes > self.length_minutes:
                raise ValueError(f"break {item!r} lies outside shift {self.name}")
            spans.append((offset, minutes))
        return sorted(spans)


class Contract(models.Model):
    """How many hours a core agent may be planned per week, and whether the planner schedules them."""

    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contract", verbose_name=_("agent")
    )
    min_hours_week = models.DecimalField(
        _("minimum hours per week"), max_digits=5, decimal_places=2, default=Decimal(0)
    )
    max_hours_week = models.DecimalField(
        _("maximum hours per week"), max_digits=5, decimal_places=2, default=Decimal(40)
    )
    is_schedulable = models.BooleanField(_("schedulable"), default=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")


class PoolMember(models.Model):
    """Someone from another department who can help at peaks: their skills are the user's skills.

    Available on `weekdays` (digits 0=Monday .. 6=Sunday) between `available_from` and `available_until`
    (local time), at most `max_hours_week`, at `cost_per_hour`.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pool_membership", verbose_name=_("user")
    )
    weekdays = models.CharField(_("weekdays"), max_length=7, default="01234")
    available_from = models.TimeField(_("available from"), default=dt.time(9))
    available_until = models.TimeField(_("available until"), default=dt.time(17))
    max_hours_week = models.DecimalField(
        _("maximum hours per week"), max_digits=5, decimal_places=2, default=Decimal(8)
    )
    cost_per_hour = models.DecimalField(_("cost per hour"), max_digits=8, decimal_places=2, default=Decimal(0))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("flexible pool member")
        verbose_name_plural = _("flexible pool")

    def is_available_on(self, day: dt.date) -> bool:
        return str(day.weekday()) in self.weekdays


class PlanStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class ShiftPlan(models.Model):
    """One run of the planner over a range of local days: its inputs per interval and what the solver said.

    `intervals` holds one row per queue x interval: {"start", "queue", "volume", "aht_s", "required"}.
    """

    first_day = models.DateField()
    days = models.PositiveSmallIntegerField()
    queue = models.ForeignKey("contacts.Queue", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.QUEUED)
    time_limit_s = models.FloatField(default=30.0)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    solver_status = models.CharField(max_length=20, blank=True, default="")
    mip_gap = models.FloatField(null=True, blank=True)
    runtime_s = models.FloatField(null=True, blank=True)
    under_coverage = models.FloatField(null=True, blank=True)
    cost = models.FloatField(null=True, blank=True)
    pool_hours = models.FloatField(null=True, blank=True)
    message = models.TextField(blank=True, default="")
    intervals = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    @property
    def last_day(self) -> dt.date:
        return self.first_day + dt.timedelta(days=self.days - 1)


class PlannedShift(models.Model):
    """A shift of one agent on one local day, from `start` to `end` (UTC), for a queue."""

    plan = models.ForeignKey(ShiftPlan, on_delete=models.CASCADE, null=True, blank=True, related_name="shifts")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="planned_shifts")
    day = models.DateField()
    start = models.DateTimeField()
    end = models.DateTimeField()
    queue = models.ForeignKey("contacts.Queue", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    template = models.ForeignKey(ShiftTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    is_pool = models.BooleanField(default=False)

    class Meta:
        ordering = ["day", "start", "agent_id"]
        indexes = [models.Index(fields=["agent", "start"], name="planned_shift_agent_idx")]


class Activity(models.TextChoices):
    WORK = "work", _("work")
    BREAK = "break", _("break")
    TRAINING = "training", _("training/coaching")
    MEETING = "meeting", _("meeting")


class PlannedActivity(models.Model):
    """What the agent is scheduled to do from `start` to `end` inside a shift."""

    shift = models.ForeignKey(PlannedShift, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=10, choices=Activity.choices, default=Activity.WORK)
    start = models.DateTimeField()
    end = models.DateTimeField()

    class Meta:
        ordering = ["start"]


class PeakEntry(models.Model):
    """A peak in the calendar: a built-in rule (by its name) with its window and uplift, or a one-off date.

    For a rule, a row overrides the built-in window and uplift; `is_active` False switches the rule off.
    `uplift` multiplies the volume on the window's days when no earlier year shows the effect.
    """

    name = models.SlugField(_("name"), max_length=60, unique=True)
    date = models.DateField(_("date"), null=True, blank=True, help_text=_("Empty for a built-in rule."))
    days_before = models.PositiveSmallIntegerField(_("days before"), default=0)
    days_after = models.PositiveSmallIntegerField(_("days after"), default=0)
    uplift = models.FloatField(_("uplift"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["date", "name"]
        verbose_name = _("peak day")
        verbose_name_plural = _("peak days")


class TeamMeeting(models.Model):
    """A short team meeting ("Belachelijk Kort Werkoverleg"): about 20 minutes with about five agents of one team,
    planned into their shifts as a meeting activity so the queues stay staffed."""

    team = models.ForeignKey("people.Team", on_delete=models.CASCADE, related_name="+")
    week = models.DateField(_("week"))
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="team_meetings")
    notes = models.TextField(_("notes"), blank=True, default="", max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = _("team meeting")
        verbose_name_plural = _("team meetings")
        indexes = [models.Index(fields=["team", "week"], name="team_meeting_week_idx")]


class MeetingAction(models.Model):
    """An agreement made in a team meeting: what, who, by when; the next week's meeting follows it up."""

    meeting = models.ForeignKey(TeamMeeting, on_delete=models.CASCADE, related_name="actions")
    text = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    due = models.DateField(_("due"))
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["due", "pk"]
        verbose_name = _("meeting action")
        verbose_name_plural = _("meeting actions")

    def is_overdue(self, today: dt.date) -> bool:
        return self.done_at is None and self.due < today
