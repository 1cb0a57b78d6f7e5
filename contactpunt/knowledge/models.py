"""Knowledge articles (FAQ answers, how-tos, internal protocols and letters), their versions and the search index.

An article is written in one language; its translations share a `translation_of` original. Every change of
title, body or status writes an `ArticleVersion` (who, when, what), so a quoting template can be held to the
version it quoted. The search index (`IndexedTerm`) holds, per article, each analysed term and how often it
occurs: the ranking is computed in Python from it, so SQLite and PostgreSQL rank alike.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    REVIEW = "review", _("in review")
    PUBLISHED = "published", _("published")
    RETIRED = "retired", _("retired")


class Audience(models.TextChoices):
    PUBLIC = "public", _("public")
    INTERNAL = "internal", _("internal")
    ACCOUNT_GROUP = "account_group", _("account group")


class ArticleKind(models.TextChoices):
    FAQ = "faq", _("FAQ answer")
    HOWTO = "howto", _("how-to")
    PROTOCOL = "protocol", _("internal protocol")
    LETTER = "letter", _("letter")


class ArticleLanguage(models.TextChoices):
    DUTCH = "nl", _("Dutch")
    ENGLISH = "en", _("English")


#: The steps an article may take: draft -> review -> published -> retired (and back to draft to rework).
TRANSITIONS: dict[str, frozenset[str]] = {
    ArticleStatus.DRAFT: frozenset({ArticleStatus.REVIEW, ArticleStatus.RETIRED}),
    ArticleStatus.REVIEW: frozenset({ArticleStatus.DRAFT, ArticleStatus.PUBLISHED, ArticleStatus.RETIRED}),
    ArticleStatus.PUBLISHED: frozenset({ArticleStatus.DRAFT, ArticleStatus.RETIRED}),
    ArticleStatus.RETIRED: frozenset({ArticleStatus.DRAFT}),
}


class Category(models.Model):
    slug = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    external_id = models.CharField(_("external id"), max_length=120, null=True, blank=True, unique=True)
    language = models.CharField(
        _("language"), max_length=2, choices=ArticleLanguage.choices, default=ArticleLanguage.DUTCH
    )
    translation_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="translations",
        verbose_name=_("translation of"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ArticleKind.choices, default=ArticleKind.FAQ)
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="articles", verbose_name=_("category")
    )
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices, default=Audience.PUBLIC)
    account_group = models.CharField(
        _("account group"), max_length=80, blank=True, default="", help_text=_("Only for the audience account group.")
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    video_url = models.URLField(_("video link"), blank=True, default="")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    review_by = models.DateField(_("review by"), null=True, blank=True)
    #: The contact reasons this article answers: a growing reason with no published article for customers among
    #: these is flagged to the knowledge owners.
    reasons = models.ManyToManyField(
        "contacts.ContactReason", blank=True, related_name="+", verbose_name=_("contact reasons it answers")
    )
    status = models.CharField(_("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=1)
    #: The number of analysed terms (title terms counted with their weight): BM25's document length.
    indexed_length = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["status", "audience", "language"], name="knowledge_article_scope")]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self) -> str:
        return self.title

    @property
    def public_id(self) -> str:
        """The id shown to scripts: the external id, else the row's number."""
        return self.external_id or str(self.pk)

    def is_overdue(self, today: dt.date) -> bool:
        """True when a published article's review date has passed."""
        return self.status == ArticleStatus.PUBLISHED and self.review_by is not None and self.review_by < today


class ArticleVersion(models.Model):
    """The article as it was after one change: who made it, when, and the text (the diff is computed)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=ArticleStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["article", "number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="knowledge_version_unique")]


class IndexedTerm(models.Model):
    """One posting: the analysed `term` occurs `count` times (title occurrences weighted) in `article`."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    term = models.CharField(max_length=80)
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["term"], name="knowledge_term")]
        constraints = [models.UniqueConstraint(fields=["article", "term"], name="knowledge_posting_unique")]


class IndexState(models.Model):
    """One row: a token that changes with every change to the searchable set, so a process may keep the
    vocabulary it read until the token moves (a rolled-back change brings its old token back, rightly)."""

    token = models.CharField(max_length=32)


class UsageKind(models.TextChoices):
    SEARCH = "search", _("search")
    VIEW = "view", _("article read")
    VOTE = "vote", _("vote")
    SUGGESTED = "suggested", _("suggestions shown")
    CONTACT = "contact", _("contact sent")


class UsageEvent(models.Model):
    """What a portal visitor did: searched (with the number of results), read, voted (with "what was
    missing"), was shown suggestions, sent a contact; in the public portal or an account group's portal view.
    `visitor` is a random id kept in the visitor's session (or the chat widget's storage): no personal data."""

    visitor = models.CharField(max_length=32, db_index=True)
    kind = models.CharField(max_length=10, choices=UsageKind.choices)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    query = models.CharField(max_length=300, blank=True, default="")
    results = models.PositiveIntegerField(default=0)
    helpful = models.BooleanField(null=True, blank=True)
    missing = models.TextField(blank=True, default="")
    #: The visitor is in the hold-out that sees no suggestions (for the deflection comparison).
    held_out = models.BooleanField(default=False)
    #: The articles suggested (ids, best first), for SUGGESTED: attached to a contact of the visitor that follows.
    shown = models.JSONField(default=list, blank=True)
    #: In the portal view of this account group ("" the public portal and the chat widget): the figures per portal.
    account_group = models.CharField(max_length=80, blank=True, default="")
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "at"], name="knowledge_usage_kind_at")]


class GroupPortal(models.Model):
    """The portal view of one account group (a retailer's portal): the public articles plus the group's own,
    under the group's name, reached by a link with a secret key that the knowledge owners give out, renew
    (the old link stops working) and close. No customer login."""

    account_group = models.CharField(_("account group"), max_length=80, unique=True)
    name = models.CharField(_("name shown"), max_length=120)
    key = models.CharField(max_length=64, unique=True)
    is_active = models.BooleanField(_("open"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    key_renewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("portal view of an account group")
        verbose_name_plural = _("portal views of account groups")

    def __str__(self) -> str:
        return self.name


class PortalContact(models.Model):
    """A contact sent from the portal's form, with the articles the visitor read before (tied to a customer
    through the contact: part of their export, removed by their erasure)."""

    contact = models.OneToOneField("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    visitor = models.CharField(max_length=32, db_index=True)
    articles = models.ManyToManyField(Article, related_name="+", blank=True)
    held_out = models.BooleanField(default=False)
    #: Sent from the portal view of this account group ("" from the public portal).
    account_group = models.CharField(max_length=80, blank=True, default="")
    at = models.DateTimeField(default=timezone.now)


class TemplateQuote(models.Model):
    """A response template (or letter) that quotes an article at one version. When the article's text changes or
    it is retired, the quote is flagged and the template may not be sent until someone reviews it."""

    template = models.ForeignKey("contacts.ResponseTemplate", on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="quotes")
    version = models.PositiveIntegerField()
    flagged_at = models.DateTimeField(null=True, blank=True)
    quoted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["template", "article"], name="knowledge_quote_unique")]


class QuoteSent(models.Model):
    """That a reply sent to a customer quoted an article at one version (through a template): which answer, from
    which text, went to whom can be traced back when the article changes."""

    message = models.ForeignKey("contacts.Message", on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sent_quotes")
    version = models.PositiveIntegerField()
    template = models.ForeignKey("contacts.ResponseTemplate", on_delete=models.SET_NULL, null=True, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "article"], name="knowledge_quote_sent_unique")]
        indexes = [models.Index(fields=["article", "version"], name="knowledge_quote_sent_idx")]


class ChangesRead(models.Model):
    """That a person read "what changed in our service" of the week starting `week` (a Monday)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week = models.DateField()
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "week"], name="knowledge_changes_read_unique")]


class TaskKind(models.TextChoices):
    REVIEW = "review", _("review due")
    REASON = "reason", _("growing reason without an article")


class OwnerTask(models.Model):
    """A knowledge owner's to-do: their published article past its review date, or a growing contact reason that
    no article for customers answers. The periodic job flags them (`todo.refresh`); each is shown until handled
    (the article reviewed, an article naming the reason published) and then marked done."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=TaskKind.choices)
    #: For a review: the article. For a reason: the article search finds for it, which may answer it (or None).
    article = models.ForeignKey(Article, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    reason = models.ForeignKey(
        "contacts.ContactReason", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    #: For a reason: its contacts in the week it was last seen growing, and in the week before.
    count = models.PositiveIntegerField(default=0)
    previous = models.PositiveIntegerField(default=0)
    flagged_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "article"],
                condition=models.Q(kind="review", done_at__isnull=True),
                name="knowledge_open_review_task",
            ),
            models.UniqueConstraint(
                fields=["owner", "reason"],
                condition=models.Q(kind="reason", done_at__isnull=True),
                name="knowledge_open_reason_task",
            ),
        ]
        indexes = [models.Index(fields=["owner", "done_at"], name="knowledge_task_owner")]
