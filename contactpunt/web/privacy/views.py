"""The customer-data page for managers: find a customer, download everything stored about them, erase them (with
a confirmation and a required reason, audited). Everyone else is refused with the reason."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from contactpunt.access import Action, check
from contactpunt.contacts.services.privacy import erase_customer, export_customer
from contactpunt.customers.models import Customer
from contactpunt.people.models import User

MAX_RESULTS = 25


class ExportForm(forms.Form):
    prefix = "export"
    reason = forms.CharField(label=gettext_lazy("Reason (optional)"), max_length=500, required=False, strip=True)


class EraseForm(forms.Form):
    prefix = "erase"
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=500, strip=True, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirm = forms.BooleanField(label=gettext_lazy("I understand that this cannot be undone."))


def _manager(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    check(user, Action.MANAGE_CUSTOMER_DATA)
    return user


def _search(query: str) -> QuerySet[Customer]:
    customers = Customer.objects.filter(merged_into__isnull=True)
    condition = Q(display_name__icontains=query) | Q(identities__value__icontains=query)
    if query.isdigit():
        condition |= Q(pk=int(query))
    return customers.filter(condition).distinct().order_by("-pk")[:MAX_RESULTS]


@never_cache
@login_required
def search(request: HttpRequest) -> HttpResponse:
    """Find a customer by number, name, e-mail address or phone number."""
    _manager(request)
    query = request.GET.get("q", "").strip()[:200]
    results = list(_search(query).prefetch_related("identities")) if query else []
    return render(request, "privacy/search.html", {"query": query, "results": results})


@never_cache
@login_required
def customer(request: HttpRequest, customer_id: int) -> HttpResponse:
    """One customer: what is stored, the export and the erasure."""
    _manager(request)
    found = get_object_or_404(
        Customer.objects.annotate(case_count=Count("cases", distinct=True)).prefetch_related("identities"),
        pk=customer_id,
    )
    return render(
        request,
        "privacy/customer.html",
        {"customer": found, "export_form": ExportForm(), "erase_form": EraseForm()},
    )


@never_cache
@login_required
@require_POST
def export(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Everything stored about the customer as a JSON download (audited)."""
    user = _manager(request)
    found = get_object_or_404(Customer, pk=customer_id)
    form = ExportForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    data = export_customer(found, by=user, reason=reason)
    response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="customer-{found.pk}.json"'
    return response


@never_cache
@login_required
@require_POST
def erase(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Erase the customer's personal data, once confirmed with a reason (audited)."""
    user = _manager(request)
    found = get_object_or_404(
        Customer.objects.annotate(case_count=Count("cases", distinct=True)).prefetch_related("identities"),
        pk=customer_id,
    )
    form = EraseForm(request.POST)
    if not form.is_valid():
        context = {"customer": found, "export_form": ExportForm(), "erase_form": form}
        return render(request, "privacy/customer.html", context, status=400)
    erase_customer(customer=found, by=user, reason=form.cleaned_data["reason"])
    messages.success(request, _("Customer %(id)d has been erased.") % {"id": found.pk})
    return redirect("privacy:customer", customer_id=found.pk)
