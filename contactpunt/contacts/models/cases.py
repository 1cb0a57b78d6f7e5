"""Cases (one customer question, possibly over several channels) and the thread keys that find them."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contactpunt import formats
from contactpunt.contacts.models.routing import Channel, ContactReason, Queue
from contactpunt.customers.models import Customer, Identity, IdentityKind


class CaseStatus(models.TextChoices):
    OPEN = "open", _("open")
    PENDING = "pending", _("waiting for customer")
    RESOLVED = "resolved", _("resolved")
    MERGED = "merged", _("merged")


class Case(models.Model):
    """One customer question, possibly over several channels and contacts."""

    customer = models.ForeignKey(  # indexed by case_customer_idx, which starts with it
        "customers.Customer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        db_index=False,
        verbose_name=_("customer"),
    )
    subject = models.CharField(_("subject"), max_length=300, blank=True, default="")
    status = models.CharField(_("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="cases", verbose_name=_("queue"))
    channel = models.CharField(_("first channel"), max_length=10, choices=Channel.choices)
    reason = models.ForeignKey(
        ContactReason,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("contact reason"),
    )
    product_type = models.ForeignKey(
        "customers.ProductType",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("product type"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("assignee"),
    )
    previous_case = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_cases",
        verbose_name=_("previous case"),
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_cases",
        verbose_name=_("merged into"),
    )
    opened_at = models.DateTimeField(_("opened at"), help_text=_("When the first contact of the case happened."))
    last_inbound_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last inbound at"))
    first_response_at = models.DateTimeField(null=True, blank=True, verbose_name=_("first response at"))
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("resolved at"))
    reopen_count = models.PositiveIntegerField(default=0, verbose_name=_("reopen count"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    # What the inbox sorts, counts and filters on, kept by `contacts.services.waiting.refresh_waiting` wherever a
    # contact arrives, changes status or moves: since when, and how many of its contacts wait for an agent
    # (`contacts.models.waiting_condition`). The database then ranks and counts the open cases from one partial
    # index instead of joining their contacts on every inbox request.
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True, editable=False)
    waiting_count = models.PositiveIntegerField(_("contacts waiting"), default=0, db_default=0, editable=False)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["status", "queue", "opened_at"], name="case_inbox_idx"),
            models.Index(fields=["customer", "-opened_at"], name="case_customer_idx"),
            models.Index(
                fields=["queue", "waiting_since"],
                include=["id", "status", "assignee", "waiting_count"],
                condition=models.Q(status__in=["open", "pending"]),
                name="case_open_waiting_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.token} {self.subject}".strip()

    @property
    def token(self) -> str:
        """The token that threads an email reply into this case when it is in the subject."""
        return f"[CP-{self.pk}]"

    @property
    def is_open(self) -> bool:
        return self.status in (CaseStatus.OPEN, CaseStatus.PENDING)

    @property
    def title(self) -> str:
        """What the case is called in lists and on its page: its subject; a case without one (a call, a chat, a
        WhatsApp or social message: channels without subjects) is named by its channel and customer ("Chat met
        Anna de Vries"), so the customer's first words are not repeated as a title. Reads the customer: load it
        with the case (select_related) in lists."""
        if self.subject:
            return self.subject
        phrase = _TITLES.get(self.channel) or _TITLES[Channel.EMAIL]
        return str(phrase) % {"name": _customer_label(self.customer) or gettext("an unknown customer")}


def label_customers(cases: Iterable[Case]) -> None:
    """Read, in one query, the phone numbers that name the customers without a name in the titles of `cases` (a
    list would otherwise ask once per row: an inbox of calls from unknown numbers, 50 queries)."""
    customers = [case.customer for case in cases if not case.subject and case.customer is not None]
    _read_phone_labels([c for c in customers if not c.display_name and not hasattr(c, "_phone_label")])


def _read_phone_labels(customers: list[Customer]) -> None:
    """Give each customer its number as a title writes it (`_phone_label`): its first phone, else WhatsApp,
    identity; one query for them all."""
    if not customers:
        return
    numbers: dict[int, str] = {}
    for customer_id, value in (
        Identity.objects.filter(
            customer_id__in={c.pk for c in customers}, kind__in=(IdentityKind.PHONE, IdentityKind.WHATSAPP)
        )
        .order_by("customer_id", "-kind", "-pk")  # the last of a customer's rows wins: the first by (kind, pk)
        .values_list("customer_id", "value")
    ):
        numbers[customer_id] = value
    for customer in customers:
        customer._phone_label = formats.phone(numbers.get(customer.pk))  # type: ignore[attr-defined]


def _customer_label(customer: Customer | None) -> str:
    """The customer as a title names them: their name; a number stored as a name ("+31610050198", as some caller
    ids give it) as people write it ("06 10050198"); a customer without a name by their phone number, so written
    (one query, only for them, unless a list read them all: `label_customers`); else "" (unknown). Derived when
    shown, so cases stored earlier read the same."""
    if customer is None:
        return ""
    if customer.display_name:
        return formats.phone(customer.display_name)
    if not hasattr(customer, "_phone_label"):
        _read_phone_labels([customer])  # once per customer object
    return str(customer._phone_label)  # type: ignore[attr-defined]


_TITLES: dict[str, Promise] = {
    Channel.PHONE: _("Call with %(name)s"),
    Channel.CHAT: _("Chat with %(name)s"),
    Channel.WHATSAPP: _("WhatsApp message from %(name)s"),
    Channel.SOCIAL: _("Social media message from %(name)s"),
    Channel.EMAIL: _("E-mail from %(name)s"),
    Channel.WEBFORM: _("Web form from %(name)s"),
}


class CaseThreadKey(models.Model):
    """A key a later message may carry to join this case: an email Message-ID, a chat session,
    a social conversation id. Keys are namespaced by kind so that values from two systems never
    collide."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="thread_keys")
    key = models.CharField(max_length=500)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key"], name="thread_key_unique")]
