"""Orders, bookings and stays: who bought or booked what, when, for how much, with whom, and where it stands.

The date of an order (`ordered_on`) is the date the source gave, never shifted by a time zone: the cohorts are
built on it. Every guest of a booking is a customer of their own, linked as booker or fellow traveller.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contactpunt.customers.models import Account, ConsentPurpose, Customer, ProductType


class OrderKind(models.TextChoices):
    ORDER = "order", _("order")
    BOOKING = "booking", _("booking")
    STAY = "stay", _("stay")


class Stage(models.TextChoices):
    ORDERED = "ordered", _("ordered")
    PAID = "paid", _("paid")
    SHIPPED = "shipped", _("shipped")
    DELIVERED = "delivered", _("delivered")
    RETURNED = "returned", _("returned")
    BOOKED = "booked", _("booked")
    BEFORE_ARRIVAL = "before_arrival", _("before arrival")
    DURING = "during", _("during the stay")
    AFTER = "after", _("after the stay")


#: The stages each kind passes through, in order; the first is where a new one starts.
STAGES: dict[str, tuple[str, ...]] = {
    OrderKind.ORDER: (Stage.ORDERED, Stage.PAID, Stage.SHIPPED, Stage.DELIVERED, Stage.RETURNED),
    OrderKind.BOOKING: (Stage.BOOKED, Stage.BEFORE_ARRIVAL, Stage.DURING, Stage.AFTER),
    OrderKind.STAY: (Stage.BOOKED, Stage.BEFORE_ARRIVAL, Stage.DURING, Stage.AFTER),
}


class Role(models.TextChoices):
    BOOKER = "booker", _("booker")
    FELLOW_TRAVELLER = "fellow_traveller", _("fellow traveller")


class Order(models.Model):
    """One order, booking or stay from a source (a web shop, a booking system, an import)."""

    kind = models.CharField(_("kind"), max_length=10, choices=OrderKind.choices, default=OrderKind.ORDER)
    source = models.CharField(_("source"), max_length=100)
    external_id = models.CharField(_("order number"), max_length=255)
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, null=True, blank=True, related_name="orders", verbose_name=_("customer")
    )
    account = models.ForeignKey(Account, on_delete=models.SET_NULL, null=True, blank=True, related_name="orders")
    product_type = models.ForeignKey(
        ProductType, on_delete=models.SET_NULL, null=True, blank=True, related_name="orders"
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=0)
    ordered_on = models.DateField(_("order date"), help_text=_("The date as the source gave it."))
    ordered_at = models.DateTimeField(null=True, blank=True)
    starts_on = models.DateField(_("arrival"), null=True, blank=True)
    ends_on = models.DateField(_("departure"), null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    stage_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-ordered_on", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], name="order_source_external_unique")]
        indexes = [models.Index(fields=["customer", "ordered_on"], name="order_customer_day")]

    def __str__(self) -> str:
        return self.external_id


class StageChange(models.Model):
    """The stage history of an order: one row per change, never rewritten."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="stage_changes")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["occurred_at", "id"]


class Participant(models.Model):
    """A person in an order or booking: the booker, or a fellow traveller who is a customer of their own."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="participants")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="participations")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["order", "customer"], name="participant_unique")]


class SegmentRule(models.Model):
    """A rule placing a customer in a segment by their recency, frequency and value scores (1 to 5, quintiles;
    5 is the most recent, most frequent, highest value). Rules are tried by `position`; the first that matches
    decides. A manager reads and changes them on the loyalty page."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    recency_min = models.PositiveSmallIntegerField(_("recency from"), default=1)
    recency_max = models.PositiveSmallIntegerField(_("recency to"), default=5)
    frequency_min = models.PositiveSmallIntegerField(_("frequency from"), default=1)
    frequency_max = models.PositiveSmallIntegerField(_("frequency to"), default=5)
    value_min = models.PositiveSmallIntegerField(_("value from"), default=1)
    value_max = models.PositiveSmallIntegerField(_("value to"), default=5)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("segment rule")
        verbose_name_plural = _("segment rules")

    def __str__(self) -> str:
        return self.name

    def matches(self, recency: int, frequency: int, value: int) -> bool:
        return (
            self.recency_min <= recency <= self.recency_max
            and self.frequency_min <= frequency <= self.frequency_max
            and self.value_min <= value <= self.value_max
        )


class ComplaintReason(models.Model):
    """A contact reason that counts as a complaint when service is set beside loyalty."""

    reason = models.OneToOneField(
        "contacts.ContactReason", on_delete=models.CASCADE, related_name="+", verbose_name=_("reason")
    )

    class Meta:
        verbose_name = _("complaint reason")
        verbose_name_plural = _("complaint reasons")


class MomentKind(models.TextChoices):
    AFTER_COMPLAINT = "after_complaint", _("a personal call after a stay that had a complaint")
    BEFORE_ARRIVAL = "before_arrival", _("a note some days before arrival")
    FAN_UPGRADE = "fan_upgrade", _("an upgrade offer to a fan before their next stay")
    AFTER_STAY = "after_stay", _("a thank-you some days after a stay")


#: What each moment approaches the customer for: about their own stay (service), or an offer or thanks (marketing).
MOMENT_PURPOSES = {
    MomentKind.AFTER_COMPLAINT: ConsentPurpose.SERVICE,
    MomentKind.BEFORE_ARRIVAL: ConsentPurpose.SERVICE,
    MomentKind.FAN_UPGRADE: ConsentPurpose.MARKETING,
    MomentKind.AFTER_STAY: ConsentPurpose.MARKETING,
}


#: The channels a moment's message can go on (a ConsentChannel each).
MOMENT_CHANNELS = ("email", "whatsapp", "sms")


def moment_channel_list(text: str) -> list[str]:
    """The channels of a rule's `channels` text, in order, each once."""
    found: list[str] = []
    for part in text.split(","):
        name = part.strip().lower()
        if name and name not in found:
            found.append(name)
    return found


def validate_moment_channels(text: str) -> None:
    unknown = [c for c in moment_channel_list(text) if c not in MOMENT_CHANNELS]
    if unknown or not moment_channel_list(text):
        raise ValidationError(_("Name one or more of: email, whatsapp, sms."))


class MomentRule(models.Model):
    """When to act at a moment in the journey: what kind of moment, how many days from it, and what to do."""

    kind = models.CharField(_("moment"), max_length=20, choices=MomentKind.choices, unique=True)
    days = models.PositiveSmallIntegerField(
        _("days"), default=3, help_text=_("Before arrival, or after departure, depending on the moment.")
    )
    instruction = models.CharField(_("what to do"), max_length=300)
    is_active = models.BooleanField(_("active"), default=True)
    sends_message = models.BooleanField(
        _("send a message"),
        default=False,
        help_text=_("Send the message below instead of giving an agent a task (only with consent)."),
    )
    channels = models.CharField(
        _("channels"),
        max_length=40,
        default="email",
        validators=[validate_moment_channels],
        help_text=_(
            "Where the message goes, in order of preference, comma-separated: email, whatsapp, sms. It goes on the "
            "first one for which the customer has an address or number and agreed to this purpose."
        ),
    )
    whatsapp_template = models.CharField(
        _("WhatsApp template"),
        max_length=512,
        blank=True,
        default="",
        help_text=_("The name of the approved WhatsApp template (outside a conversation only a template may go)."),
    )
    template_values = models.CharField(
        _("template values"),
        max_length=300,
        blank=True,
        default="",
        help_text=_("The template's variables in order, separated by |, e.g. {name}|{arrival}."),
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True, default="")
    message = models.TextField(
        _("message"), blank=True, default="", help_text=_("May use {name}, {order}, {arrival} and {departure}.")
    )

    class Meta:
        ordering = ["kind"]
        verbose_name = _("moment rule")
        verbose_name_plural = _("moment rules")

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def purpose(self) -> str:
        """What the moment approaches the customer for (the consent it needs)."""
        return MOMENT_PURPOSES[MomentKind(self.kind)]

    @property
    def channel_list(self) -> list[str]:
        """The channels the message may go on, in order of preference (unknown names left out)."""
        return [c for c in moment_channel_list(self.channels) if c in MOMENT_CHANNELS]


class MomentStatus(models.TextChoices):
    OPEN = "open", _("open")
    DONE = "done", _("done")
    SKIPPED = "skipped", _("skipped")
    SENT = "sent", _("message sent")


class MomentTask(models.Model):
    """One task or message for one customer at one moment (of one order): created once, however often the rules
    run. A message moment's row records whether the message went out (SENT, with its outbox row) or why not."""

    rule = models.ForeignKey(MomentRule, on_delete=models.CASCADE, related_name="tasks")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="moment_tasks")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="moment_tasks")
    due_on = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=10, choices=MomentStatus.choices, default=MomentStatus.OPEN)
    outcome = models.CharField(_("outcome"), max_length=500, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(_("sent on"), max_length=20, blank=True, default="")
    outbound_ref = models.CharField(max_length=255, blank=True, default="")  # the outbox row that carries it

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "customer", "order"], name="moment_task_once"),
        ]


class MomentOptOut(models.Model):
    """The customer asked not to be approached at journey moments (no calls, offers or notes)."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="moment_opt_out")
    created_at = models.DateTimeField(default=timezone.now)


class LoyaltySnapshot(models.Model):
    """The loyalty page's figures (cohorts, segments, movement, profiles, returning by first contact), computed in
    the background (contactpunt.journey.snapshot) so the page reads one row however long the history is.
    `fingerprint` says what they were computed from: the orders, the segment rules and the day."""

    computed_at = models.DateTimeField()
    fingerprint = models.CharField(max_length=200)
    data = models.JSONField(default=dict)
