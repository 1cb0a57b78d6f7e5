"""The portal's contact form: what a visitor fills in, checked field by field."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from contactpunt.channels.webchat.text import TextRejected, clean_text
from contactpunt.channels.webform.services import MAX_ATTACHMENT_BYTES, WrittenContact
from contactpunt.contacts.services.types import AttachmentInput

ATTACHMENT_SUFFIXES = frozenset(
    {".pdf", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".heic", ".txt", ".csv", ".doc", ".docx", ".xls", ".xlsx"}
)
_KEY_SALT = "contactpunt.webform.key"
#: Names the field, and says the text is kept (the file is all that is lost).
TOO_LARGE = _(
    "The attachment is larger than 10 MB and was not sent. Your text is kept: choose a smaller file or send "
    "without an attachment."
)
#: A form older than this is refused (a bot replaying an old page); the visitor loads it again.
KEY_MAX_AGE_S = 24 * 3600


def new_key() -> str:
    """A signed, single-use key for one rendering of the form: sending that form twice stores it once."""
    return signing.dumps(uuid.uuid4().hex, salt=_KEY_SALT)


class WebForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("Email address"), max_length=254)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    message = forms.CharField(label=_("Message"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 6}))
    order_number = forms.CharField(label=_("Order number (optional)"), max_length=50, required=False)
    attachment = forms.FileField(
        label=_("Attachment (optional)"),
        required=False,
        help_text=_("PDF, image, text, Word or Excel; at most 10 MB."),
    )
    # A field people do not see; bots fill in every field they find.
    website = forms.CharField(label=_("Leave this field empty"), required=False)
    key = forms.CharField(widget=forms.HiddenInput)
    queue = forms.SlugField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.fields["name"].widget.attrs.update({"autocomplete": "name"})
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})

    def _clean_text_field(self, name: str, *, single_line: bool) -> str:
        field = self.fields[name]
        assert isinstance(field, forms.CharField)
        try:
            return clean_text(self.cleaned_data[name], max_length=field.max_length or 10_000, single_line=single_line)
        except TextRejected:
            raise forms.ValidationError(_("Fill in this field."), code="required") from None

    def clean_name(self) -> str:
        return self._clean_text_field("name", single_line=True)

    def clean_subject(self) -> str:
        return self._clean_text_field("subject", single_line=True)

    def clean_message(self) -> str:
        return self._clean_text_field("message", single_line=False)

    def clean_order_number(self) -> str:
        value = " ".join(str(self.cleaned_data["order_number"]).split())
        if value and not all(ch.isalnum() or ch in "-_/." for ch in value):
            raise forms.ValidationError(_("Use only letters, digits and - _ / ."), code="invalid")
        return value

    def clean_attachment(self) -> Any:
        upload = self.cleaned_data.get("attachment")
        if upload is None:
            return None
        if upload.size > MAX_ATTACHMENT_BYTES:
            raise forms.ValidationError(TOO_LARGE, code="too_large")
        if PurePosixPath(upload.name or "").suffix.lower() not in ATTACHMENT_SUFFIXES:
            raise forms.ValidationError(_("This kind of file is not accepted."), code="file_type")
        return upload

    def clean_key(self) -> str:
        try:
            return str(signing.loads(self.cleaned_data["key"], salt=_KEY_SALT, max_age=KEY_MAX_AGE_S))
        except signing.BadSignature:
            raise forms.ValidationError(
                _("This form has expired. Your text is kept: send it again."), code="expired"
            ) from None

    @property
    def is_spam(self) -> bool:
        """True when the hidden field was filled in (only a bot does that)."""
        return bool(self.cleaned_data.get("website"))

    def written(self, *, language: str) -> WrittenContact:
        data = self.cleaned_data
        upload = data.get("attachment")
        attachment = (
            AttachmentInput(upload.name or "attachment", upload.content_type or "", upload.read()) if upload else None
        )
        return WrittenContact(
            key=data["key"],
            name=data["name"],
            email=data["email"],
            subject=data["subject"],
            text=data["message"],
            order_number=data["order_number"],
            language=language,
            attachment=attachment,
        )
