"""The workspace's forms: they parse and validate; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from contactpunt.contacts.models import ContactReason, Queue, ResponseTemplate
from contactpunt.contacts.services.assignment import CHOSEN_STATES
from contactpunt.contacts.services.case_actions import MAX_NOTE, TransferReason
from contactpunt.contacts.services.replies import MAX_REPLY


class StateForm(forms.Form):
    state = forms.ChoiceField(label=_("Status"), choices=[(s.value, s.label) for s in CHOSEN_STATES])


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Reply"), max_length=MAX_REPLY, widget=forms.Textarea(attrs={"rows": 5}))
    templates = forms.RegexField(
        label=_("Response templates used"), regex=r"^\d{1,18}(,\d{1,18}){0,19}$", required=False
    )
    #: The knowledge articles whose answer the agent inserted, as "id:version" (the case page's suggestions).
    articles = forms.RegexField(
        label=_("Knowledge articles used"), regex=r"^\d{1,18}:\d{1,9}(,\d{1,18}:\d{1,9}){0,19}$", required=False
    )
    #: Only the "send and resolve" button sends it: a plain reply leaves the case open.
    resolve = forms.BooleanField(label=_("Resolve the case"), required=False)

    def used_articles(self) -> list[tuple[int, int]]:
        """(article id, version) of each article the agent inserted into the reply."""
        pairs = [item.split(":") for item in (self.cleaned_data.get("articles") or "").split(",") if item]
        return [(int(article), int(version)) for article, version in pairs]

    def used_templates(self) -> list[ResponseTemplate]:
        """The response templates the agent inserted into the reply (unknown ids are ignored)."""
        ids = {int(pk) for pk in (self.cleaned_data.get("templates") or "").split(",") if pk}
        return list(ResponseTemplate.objects.filter(pk__in=ids).order_by("pk"))


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Internal note"), max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 2}))


class CustomerNoteForm(forms.Form):
    text = forms.CharField(label=_("Customer note"), max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 2}))


class TransferForm(forms.Form):
    queue = forms.ModelChoiceField(label=_("To queue"), queryset=Queue.objects.filter(is_active=True))
    reason = forms.ChoiceField(label=_("Reason"), choices=TransferReason.choices)
    note = forms.CharField(label=_("Note for the colleague"), max_length=MAX_NOTE, required=False)


class WrapUpForm(forms.Form):
    reason = forms.ModelChoiceField(
        label=_("Contact reason"),
        queryset=ContactReason.objects.filter(is_active=True),
        error_messages={"required": _("Choose a contact reason.")},
    )
    #: Only the "wrap up and resolve" button sends it: a plain wrap-up leaves the case open.
    resolve = forms.BooleanField(label=_("Resolve the case"), required=False)


class MergeForm(forms.Form):
    target = forms.IntegerField(label=_("Merge into case number"), min_value=1, max_value=2**63 - 1)


class AssignForm(forms.Form):
    assignee = forms.IntegerField(label=_("Assign to"), required=False, min_value=1, max_value=2**63 - 1)
