"""The customers in the admin: find one, and export or erase their data (an action with a confirmation page and a
required reason, audited). Lives in `contacts` because the export and erasure touch cases and contacts."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from contactpunt.contacts.services.privacy import erase_customer, export_customer
from contactpunt.customers.models import Customer
from contactpunt.people.models import User


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, strip=True, widget=forms.Textarea(attrs={"rows": 3}))


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin[Customer]):
    list_display = ["id", "display_name", "account", "created_at", "erased_at"]
    search_fields = ["display_name", "identities__value"]
    raw_id_fields = ["account", "merged_into"]
    readonly_fields = ["erased_at"]
    show_full_result_count = False
    actions = ["export_data", "erase_data"]

    @admin.action(description=_("Export the data of the selected customers (JSON)"))
    def export_data(self, request: HttpRequest, queryset: QuerySet[Customer]) -> HttpResponse | None:
        form = ReasonForm(request.POST if "confirm" in request.POST else None)
        if "confirm" in request.POST and form.is_valid():
            by = _user(request)
            data = [export_customer(c, by=by, reason=form.cleaned_data["reason"]) for c in queryset.order_by("pk")]
            response = HttpResponse(
                json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json; charset=utf-8"
            )
            response["Content-Disposition"] = 'attachment; filename="customers-export.json"'
            response["Cache-Control"] = "no-store"
            return response
        return self._confirm(request, queryset, form, _("Export customer data"), "export_data")

    @admin.action(description=_("Erase the personal data of the selected customers"))
    def erase_data(self, request: HttpRequest, queryset: QuerySet[Customer]) -> HttpResponse | None:
        form = ReasonForm(request.POST if "confirm" in request.POST else None)
        if "confirm" in request.POST and form.is_valid():
            by = _user(request)
            count = 0
            for customer in queryset.order_by("pk"):
                erase_customer(customer=customer, by=by, reason=form.cleaned_data["reason"])
                count += 1
            self.message_user(
                request,
                ngettext("%(n)d customer erased.", "%(n)d customers erased.", count) % {"n": count},
                messages.SUCCESS,
            )
            return None
        return self._confirm(request, queryset, form, _("Erase customer data"), "erase_data")

    def _confirm(
        self, request: HttpRequest, queryset: QuerySet[Customer], form: ReasonForm, title: Any, action: str
    ) -> TemplateResponse:
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "customers": queryset,
            "form": form,
            "action": action,
            "erase": action == "erase_data",
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "contacts/admin/customer_privacy_confirm.html", context)
