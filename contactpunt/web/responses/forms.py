"""The form for a response template (the model's own rules check its variables and its name per language)."""

from __future__ import annotations

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from contactpunt.contacts.models import Channel, ContactReason, ResponseTemplate
from contactpunt.contacts.services.templates import TemplateFields


class ResponseTemplateForm(forms.ModelForm[ResponseTemplate]):
    class Meta:
        model = ResponseTemplate
        fields = ["name", "language", "channel", "reason", "text"]
        widgets = {
            # The preview beside the form follows the text as it is typed.
            "text": forms.Textarea(
                attrs={
                    "rows": 8,
                    "maxlength": 20000,
                    "hx-post": reverse_lazy("responses:preview"),
                    "hx-trigger": "input changed delay:300ms",
                    "hx-target": "#preview",
                    "hx-swap": "outerHTML",
                }
            )
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        reason = self.fields["reason"]
        assert isinstance(reason, forms.ModelChoiceField)
        reason.queryset = ContactReason.objects.filter(is_active=True).order_by("name")
        reason.empty_label = str(_("any contact reason"))
        reason.help_text = ""
        channel = self.fields["channel"]
        assert isinstance(channel, forms.TypedChoiceField)
        channel.choices = [("", _("any channel")), *Channel.choices]
        channel.help_text = ""

    def template_fields(self) -> TemplateFields:
        """The cleaned values, for the template services."""
        data = self.cleaned_data
        return TemplateFields(
            name=data["name"],
            language=data["language"],
            text=data["text"],
            channel=data["channel"],
            reason=data["reason"],
        )
