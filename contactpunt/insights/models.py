"""What insights stores: the analysis of every inbound message, the reason-model versions, the seed
phrases of the cold start, and the structural problems found (reason spikes and new topics).

Every row here can be rebuilt from the messages and the event log (``contactpunt insights backfill``,
``retrain``, ``detect``): none of it is a source of truth.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contactpunt.insights.decisions import shown_decision


class Sentiment(models.TextChoices):
    POSITIVE = "positive", _("positive")
    NEUTRAL = "neutral", _("neutral")
    NEGATIVE = "negative", _("negative")


class Language(models.TextChoices):
    DUTCH = "nl", _("Dutch")
    ENGLISH = "en", _("English")
    OTHER = "other", _("other")


class ReasonModelVersion(models.Model):
    """One trained (or seeded) contact-reason model: its artefact, its measured scores, and whether it is active.

    Scores are measured on a held-out test split of the organisation's wrapped-up messages; the
    "none of the known reasons" threshold was chosen on a separate validation split.
    """

    class Method(models.TextChoices):
        TRAINED = "logistic", _("trained on wrapped-up contacts")
        SEEDED = "prototype", _("seed phrases (cold start)")

    version = models.CharField(max_length=40, verbose_name=_("version"))
    method = models.CharField(max_length=12, choices=Method.choices, verbose_name=_("method"))
    artefact = models.BinaryField(
        help_text=_("The model file (arrays and a JSON manifest, never a pickle)."), verbose_name=_("model file")
    )
    threshold = models.FloatField(verbose_name=_("threshold"))
    reasons = models.JSONField(
        default=list, help_text=_("The contact reason codes the model knows."), verbose_name=_("reasons")
    )
    training_rows = models.PositiveIntegerField(default=0, verbose_name=_("training rows"))
    test_rows = models.PositiveIntegerField(default=0, verbose_name=_("test rows"))
    accuracy = models.FloatField(null=True, blank=True, verbose_name=_("accuracy"))
    macro_f1 = models.FloatField(null=True, blank=True, verbose_name=_("macro-F1"))
    active_macro_f1 = models.FloatField(
        null=True,
        blank=True,
        help_text=_("The model active at training time, measured on the same test rows."),
        verbose_name=_("macro-F1 of the active model"),
    )
    training_seconds = models.FloatField(default=0.0, verbose_name=_("training seconds"))
    is_active = models.BooleanField(default=False, verbose_name=_("active"))
    decision = models.CharField(max_length=300, blank=True, default="", verbose_name=_("decision"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    activated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("activated at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reason model version")
        verbose_name_plural = _("reason model versions")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="one_active_reason_model"
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} ({self.get_method_display()})"

    @property
    def shown_decision(self) -> str:
        """The decision in the reader's language (it is stored in English, as the command prints it)."""
        return shown_decision(self.decision)


class SeedPhrase(models.Model):
    """An example phrase for a contact reason: the cold start before there are wrapped-up contacts."""

    reason = models.ForeignKey(
        "contacts.ContactReason",
        on_delete=models.CASCADE,
        related_name="seed_phrases",
        verbose_name=_("contact reason"),
    )
    text = models.CharField(_("phrase"), max_length=300)

    class Meta:
        ordering = ["reason", "id"]
        verbose_name = _("seed phrase")
        verbose_name_plural = _("seed phrases")
        constraints = [models.UniqueConstraint(fields=["reason", "text"], name="seed_phrase_unique")]

    def __str__(self) -> str:
        return self.text


class MessageInsight(models.Model):
    """Language, sentiment and suggested contact reason of one inbound message.

    ``suggested_reason`` is None either because the model said "none of the known reasons" (then
    ``reason_model_version`` is set) or because there was no reason model yet (then it is ""). The model
    is unsure of every "none" and of its least confident suggestions: new topics are looked for there.
    """

    message = models.OneToOneField("contacts.Message", on_delete=models.CASCADE, related_name="insight")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    occurred_at = models.DateTimeField(help_text=_("When the contact arrived (copied for period queries)."))
    language = models.CharField(max_length=5, choices=Language.choices)
    sentiment = models.CharField(max_length=8, choices=Sentiment.choices)
    sentiment_score = models.FloatField(help_text=_("P(positive) - P(negative), from -1 to 1."))
    suggested_reason = models.ForeignKey(
        "contacts.ContactReason", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason_confidence = models.FloatField(null=True, blank=True)
    reason_is_unsure = models.BooleanField(
        default=False,
        help_text=_("The reason model was unsure of its suggestion, or matched none of the known reasons."),
    )
    reason_model_version = models.CharField(max_length=40, blank=True, default="")
    sentiment_model_version = models.CharField(max_length=40)
    analysed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["occurred_at", "id"]
        # The contact's foreign key has its own index (an "insight_contact_idx" beside it was the same index twice).
        indexes = [models.Index(fields=["occurred_at", "sentiment"], name="insight_period_idx")]

    @property
    def is_outside_known_reasons(self) -> bool:
        """True when a reason model read the message and matched none of its reasons."""
        return bool(self.reason_model_version) and self.suggested_reason_id is None


class ReasonSpike(models.Model):
    """A local day on which a contact reason's volume rose above the upper bound of its expected level."""

    reason = models.ForeignKey("contacts.ContactReason", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    count = models.PositiveIntegerField()
    expected = models.FloatField(help_text=_("The baseline: the median of the same weekday in earlier weeks."))
    upper_bound = models.FloatField()
    detected_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-day", "reason"]
        constraints = [models.UniqueConstraint(fields=["reason", "day"], name="reason_spike_unique")]


class NewTopic(models.Model):
    """A cluster of recent messages that fit none of the known reasons, found on ``found_on``."""

    found_on = models.DateField()
    size = models.PositiveIntegerField()
    top_words = models.JSONField(default=list)
    example_message_ids = models.JSONField(
        default=list, help_text=_("A few of the cluster's messages, by id: erasing a message leaves no copy here.")
    )
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        ordering = ["-found_on", "-size"]
