"""The template picker in the reply box: search as you type, the case's fits first, the text filled in."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from contactpunt.access import get_case_for_user
from contactpunt.contacts.models import Case, Contact, Direction, TemplateLanguage
from contactpunt.contacts.services import templates
from contactpunt.insights.queries import latest_insight
from contactpunt.people.models import User


def _reply_channel(case: Case) -> str:
    """The channel a reply goes out on: that of the customer's latest inbound contact."""
    latest = Contact.objects.filter(case=case, direction=Direction.INBOUND).order_by("-occurred_at").first()
    return latest.channel if latest is not None else case.channel


def case_fit(case: Case) -> tuple[int | None, str]:
    """The contact reason (set, or else suggested) and the language (the customer's, else the one their
    latest message was written in, else the site's) that rank the templates for `case`."""
    insight = latest_insight(case)
    reason_id = case.reason_id or (insight.suggested_reason_id if insight is not None else None)
    languages = set(TemplateLanguage.values)
    customer_language = case.customer.language if case.customer is not None else ""
    if customer_language in languages:
        return reason_id, customer_language
    if insight is not None and insight.language in languages:
        return reason_id, insight.language
    return reason_id, settings.LANGUAGE_CODE


@login_required
@require_GET
def search(request: HttpRequest, case_id: str) -> HttpResponse:
    """The templates whose name or text holds every word typed (htmx partial), each with its text filled
    in for this case and this agent."""
    user = request.user
    assert isinstance(user, User)
    case = get_case_for_user(user, case_id, write=True)
    reason_id, language = case_fit(case)
    found = templates.offered_templates(
        channel=_reply_channel(case), reason_id=reason_id, language=language, query=request.GET.get("q", "")[:200]
    )
    values = templates.template_variables(case=case, agent=user)
    # A template quoting an article that changed or was retired is shown with why it must be reviewed first.
    results = [(t, templates.fill(t.text, values), templates.blocked_because(t)) for t in found]
    return render(request, "workspace/_template_results.html", {"results": results, "language": language})
