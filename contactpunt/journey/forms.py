"""The segment rule form (score ranges from 1 to 5, low to high) and the consent an agent records."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from contactpunt.customers.models import ConsentChannel, ConsentPurpose
from contactpunt.journey.models import SegmentRule

RANGES = (("recency_min", "recency_max"), ("frequency_min", "frequency_max"), ("value_min", "value_max"))


class SegmentRuleForm(forms.ModelForm[SegmentRule]):
    class Meta:
        model = SegmentRule
        fields = ["name", "position", *(name for pair in RANGES for name in pair)]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for low, high in RANGES:
            for name in (low, high):
                field = self.fields[name]
                assert isinstance(field, forms.IntegerField)
                field.min_value, field.max_value = 1, 5
                field.validators.extend(forms.IntegerField(min_value=1, max_value=5).validators)
                field.widget.attrs.update({"min": 1, "max": 5})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for low, high in RANGES:
            if low in data and high in data and data[low] > data[high]:
                self.add_error(high, _("The range must run from low to high."))
        return data


class ConsentForm(forms.Form):
    """A customer's yes or no to a purpose on a channel (or every channel), as they told an agent."""

    purpose = forms.ChoiceField(label=_("purpose"), choices=ConsentPurpose.choices)
    channel = forms.ChoiceField(label=_("channel"), choices=ConsentChannel.choices, required=False)
    granted = forms.ChoiceField(label=_("agreed"), choices=(("yes", _("yes")), ("no", _("no"))))
    note = forms.CharField(label=_("note"), max_length=300, required=False)
