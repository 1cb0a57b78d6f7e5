"""Integrations: each one has its own API token, and the token is the source of what it sends."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def hash_token(token: str) -> str:
    """Return the stored form of a token: its SHA-256, so a database leak reveals no token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Integration(models.Model):
    """A system that sends contacts and events: a telephone platform, a web shop, a chat widget."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    source = models.SlugField(
        _("source"),
        max_length=100,
        unique=True,
        help_text=_("Names this integration as the source of its contacts; external ids are unique per source."),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False, verbose_name=_("token hash"))
    token_prefix = models.CharField(
        max_length=8,
        editable=False,
        help_text=_("The first characters, to tell tokens apart."),
        verbose_name=_("token prefix"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("integration")
        verbose_name_plural = _("integrations")

    def __str__(self) -> str:
        return self.name

    def set_new_token(self) -> str:
        """Give the integration a new random token; return it (it is shown once, never stored)."""
        token = "cp_" + secrets.token_urlsafe(32)
        self.token_hash = hash_token(token)
        self.token_prefix = token[:8]
        return token
