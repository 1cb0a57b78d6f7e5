"""Channels, the queues contacts flow through, their business calendars and the contact reasons they are filed under."""

from __future__ import annotations

import datetime as dt
from functools import cached_property

import holidays as holidays_lib
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PHONE = "phone", _("phone")
    EMAIL = "email", _("email")
    CHAT = "chat", _("web chat")
    SOCIAL = "social", _("social")
    WHATSAPP = "whatsapp", _("WhatsApp")
    WEBFORM = "webform", _("web form")

    @classmethod
    def realtime(cls) -> frozenset[str]:
        """The channels where a customer waits on the line (short abandons apply)."""
        return frozenset({cls.PHONE, cls.CHAT})


def channel_label(code: object) -> str:
    """The channel's name in the user's language ("telefoon" for phone); an unknown code as it is."""
    text = "" if code is None else str(code)
    return str(Channel(text).label) if text in Channel.values else text


#: The first-response norm (business-hour seconds) of a written queue that sets none of its own: a working day for
#: e-mail and the web form, an hour on WhatsApp and social media, where customers expect a quick answer.
DEFAULT_RESPONSE_NORM_S: dict[str, int] = {
    Channel.EMAIL: 8 * 3600,
    Channel.WEBFORM: 8 * 3600,
    Channel.WHATSAPP: 3600,
    Channel.SOCIAL: 3600,
}


class ContactReason(models.Model):
    """A wrap-up code. Reasons form a tree; FCR and repeat contacts compare top-level reasons."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=150)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent reason"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("contact reason")
        verbose_name_plural = _("contact reasons")

    def __str__(self) -> str:
        return self.name


class BusinessCalendar(models.Model):
    """Opening hours per weekday, closed on the public holidays of a country."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    holiday_country = models.CharField(_("holiday country"), max_length=2, default="NL")
    holiday_subdivision = models.CharField(_("holiday subdivision"), max_length=10, blank=True, default="")
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Amsterdam")

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name

    @cached_property
    def _holidays(self) -> holidays_lib.HolidayBase:
        return holidays_lib.country_holidays(self.holiday_country, subdiv=self.holiday_subdivision or None)

    def is_holiday(self, day: dt.date) -> bool:
        """True when `day` is a public holiday of the calendar's country."""
        return day in self._holidays


class OpeningHours(models.Model):
    """One opening window on one weekday (0 = Monday); a day may have several windows."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=[(i, str(i)) for i in range(7)])
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=models.Q(opens__lt=models.F("closes")), name="opens_before_closes")
        ]


class Queue(models.Model):
    """Where contacts wait for an agent, with its channel, required skills and norms."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=150)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    department = models.ForeignKey(
        "people.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="queues",
        verbose_name=_("department"),
    )
    skills = models.ManyToManyField("people.Skill", blank=True, related_name="queues", verbose_name=_("skills"))
    sl_threshold_s = models.PositiveIntegerField(
        _("service-level threshold (s)"),
        default=20,
        help_text=_("Answered within this many seconds counts as within the service level."),
    )
    sl_target = models.DecimalField(_("service-level target"), max_digits=4, decimal_places=3, default=0.8)
    short_abandon_s = models.PositiveIntegerField(_("short-abandon threshold (s)"), default=5)
    response_norm_s = models.PositiveIntegerField(
        _("response norm (s)"),
        null=True,
        blank=True,
        help_text=_(
            "For written channels: first response within this many business-hour seconds. Empty: the channel's"
            " default (8 hours for e-mail and the web form, 1 hour for WhatsApp and social media)."
        ),
    )
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="queues",
        verbose_name=_("calendar"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_fallback = models.BooleanField(
        _("fallback queue"),
        default=False,
        db_default=False,
        help_text=_("Takes the contacts of its channel for which no queue fits, so none is refused."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("queue")
        verbose_name_plural = _("queues")
        constraints = [
            models.UniqueConstraint(
                fields=["channel"], condition=models.Q(is_fallback=True), name="queue_one_fallback_per_channel"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def effective_response_norm_s(self) -> int | None:
        """The first-response norm of a written queue: its own, else its channel's default
        (DEFAULT_RESPONSE_NORM_S); None on phone and chat, whose norm is the service-level threshold."""
        if self.channel in Channel.realtime():
            return None
        return self.response_norm_s or DEFAULT_RESPONSE_NORM_S.get(self.channel)
