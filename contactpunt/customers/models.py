"""Customers, the B2B accounts they belong to, and the identities that recognise them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ProductType(models.Model):
    """What the customer bought or uses; cost to serve is reported per product type."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        # Moved here from contacts (customers may not depend on contacts); the table kept its name.
        db_table = "contacts_producttype"
        ordering = ["name"]
        verbose_name = _("product type")
        verbose_name_plural = _("product types")

    def __str__(self) -> str:
        return self.name


class Account(models.Model):
    """A business customer (a retailer) with people under it."""

    name = models.CharField(_("name"), max_length=200)
    external_ref = models.CharField(_("external reference"), max_length=100, blank=True, default="")
    product_type = models.ForeignKey(
        ProductType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accounts",
        verbose_name=_("product type"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["external_ref"], condition=~models.Q(external_ref=""), name="account_external_ref_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    """A person who contacts the organisation, known by one or more identities."""

    display_name = models.CharField(_("name"), max_length=200, blank=True, default="")
    account = models.ForeignKey(
        Account, on_delete=models.SET_NULL, null=True, blank=True, related_name="customers", verbose_name=_("account")
    )
    language = models.CharField(_("language"), max_length=8, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        verbose_name=_("merged into"),
    )
    erased_at = models.DateTimeField(null=True, blank=True, verbose_name=_("erased at"))

    class Meta:
        ordering = ["-id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.display_name or f"#{self.pk}"


class IdentityKind(models.TextChoices):
    EMAIL = "email", _("email")
    PHONE = "phone", _("phone")
    SOCIAL = "social", _("social handle")
    WHATSAPP = "whatsapp", _("WhatsApp")
    EXTERNAL = "external", _("external id")


class Identity(models.Model):
    """One way to recognise a customer: an email address, a phone number, a handle, an external id.

    `namespace` qualifies values that are only unique within a system (the social network of a
    handle, the source of an external id); it is empty for email and phone. A shared identity (a
    switchboard number, a shared mailbox) identifies nobody: it has no customer and never matches.
    """

    kind = models.CharField(max_length=10, choices=IdentityKind.choices, verbose_name=_("kind"))
    namespace = models.CharField(max_length=100, blank=True, default="", verbose_name=_("namespace"))
    value = models.CharField(max_length=320, verbose_name=_("value"))
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, null=True, blank=True, related_name="identities", verbose_name=_("customer")
    )
    is_shared = models.BooleanField(
        _("shared"),
        default=False,
        help_text=_("A switchboard number or shared mailbox: contacts from it are never linked automatically."),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")
        constraints = [models.UniqueConstraint(fields=["kind", "namespace", "value"], name="identity_unique")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class CustomerNote(models.Model):
    """A note about the customer that carries over to every later case."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]


class CustomerMerge(models.Model):
    """The record of one merge: which customer went into which, by whom, and what moved."""

    source_id = models.BigIntegerField(help_text=_("The customer that was merged away."))
    target = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="merges")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)
    moved = models.JSONField(default=dict, help_text=_("Counts of the rows moved, per kind."))

    class Meta:
        ordering = ["-merged_at"]


class ConsentPurpose(models.TextChoices):
    """What a customer may be approached for. Service messages (about their own order or stay) and surveys go to
    every customer who did not refuse them; marketing (offers, loyalty moments) only to those who agreed. Sharing
    is no approach: a guest's yes to their contact data, notes and contact history being shown to whoever serves
    another person of their booking (the booker); only after a yes, on every channel (`contactpunt.access`)."""

    SERVICE = "service", _("service messages")
    MARKETING = "marketing", _("offers and loyalty moments")
    SURVEYS = "surveys", _("surveys")
    SHARING = "sharing", _("details shared within the booking")


#: The purposes a customer is approached for unless they said no (the rest only after a yes).
WITHOUT_OPT_IN = frozenset({ConsentPurpose.SERVICE, ConsentPurpose.SURVEYS})


class ConsentChannel(models.TextChoices):
    ANY = "", _("every channel")
    EMAIL = "email", _("email")
    PHONE = "phone", _("phone")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")


class ConsentSource(models.TextChoices):
    AGENT = "agent", _("told an agent")
    CUSTOMER = "customer", _("the customer, by a link in a message")
    INTEGRATION = "integration", _("a linked system")
    IMPORT = "import", _("an import")


class Consent(models.Model):
    """One yes or no of a customer to being approached for a purpose on a channel (or on every channel), with when,
    how it came in and who recorded it. Never changed: a later record takes over (`customers.consent`)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=ConsentChannel.choices, blank=True, default="")
    is_granted = models.BooleanField(_("agreed"))
    given_at = models.DateTimeField(_("when"))
    source = models.CharField(_("source"), max_length=20, choices=ConsentSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True, default="")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-given_at", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["customer", "purpose", "given_at"], name="consent_customer_purpose")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.purpose}/{self.channel or '*'}: {'yes' if self.is_granted else 'no'}"
