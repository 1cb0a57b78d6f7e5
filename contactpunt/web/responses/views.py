"""The response-templates page: a list (team lead and up, and the read-only auditor), a form with a live
preview, retire and restore. Agents are refused with the reason: they pick templates in the reply box."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contactpunt.access import Action, check, get_case_for_user
from contactpunt.contacts.models import ResponseTemplate
from contactpunt.contacts.services import templates as services
from contactpunt.people.models import User
from contactpunt.web.responses.forms import ResponseTemplateForm


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _manager(request: HttpRequest) -> User:
    """The signed-in user when they may manage templates; otherwise PermissionDenied saying why."""
    user = _user(request)
    if not services.can_manage_templates(user):
        raise PermissionDenied(services.REFUSED)
    return user


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    """Every template, active ones first; the auditor may look, agents are refused."""
    user = _user(request)
    check(user, Action.VIEW_TEMPLATES)
    retired = request.GET.get("show") == "retired"
    templates = ResponseTemplate.objects.filter(is_active=not retired).select_related("reason")
    return render(
        request,
        "responses/list.html",
        {
            "templates": templates,
            "retired": retired,
            "retired_count": ResponseTemplate.objects.filter(is_active=False).count(),
            "can_edit": services.can_manage_templates(user),
        },
    )


def _form_page(
    request: HttpRequest, form: ResponseTemplateForm, template: ResponseTemplate | None, status: int = 200
) -> HttpResponse:
    versions = (
        ResponseTemplate.objects.filter(name=template.name).exclude(pk=template.pk) if template is not None else []
    )
    context = {
        "form": form,
        "template": template,
        "versions": versions,
        "variables": services.described_variables(),
        "preview": services.fill(form["text"].value() or "", services.example_variables(agent=_user(request))),
    }
    return render(request, "responses/edit.html", context, status=status)


@login_required
def template_new(request: HttpRequest) -> HttpResponse:
    """A new template; `?name=...&language=en&from=<id>` starts the other language's version of a template."""
    user = _manager(request)
    if request.method == "POST":
        form = ResponseTemplateForm(request.POST)
        if not form.is_valid():
            return _form_page(request, form, None, status=400)
        template = services.create_template(by=user, fields=form.template_fields())
        messages.success(request, _("Template “%(name)s” saved.") % {"name": template.name})
        return redirect("responses:list")
    initial: dict[str, object] = {"name": request.GET.get("name", "")[:150], "language": request.GET.get("language")}
    source_id = request.GET.get("from", "")
    source = (
        ResponseTemplate.objects.filter(pk=int(source_id)).first()
        if source_id.isdigit() and len(source_id) < 12
        else None
    )
    if source is not None:
        initial |= {"channel": source.channel, "reason": source.reason_id, "text": source.text}
    return _form_page(request, ResponseTemplateForm(initial=initial), None)


@login_required
def template_edit(request: HttpRequest, template_id: int) -> HttpResponse:
    """Edit a template (active or retired)."""
    user = _manager(request)
    template = get_object_or_404(ResponseTemplate, pk=template_id)
    if request.method == "POST":
        form = ResponseTemplateForm(request.POST, instance=template)
        if not form.is_valid():
            return _form_page(request, form, template, status=400)
        services.update_template(by=user, template=template, fields=form.template_fields())
        messages.success(request, _("Template “%(name)s” saved.") % {"name": form.cleaned_data["name"]})
        return redirect("responses:list")
    return _form_page(request, ResponseTemplateForm(instance=template), template)


@login_required
@require_POST
def retire(request: HttpRequest, template_id: int) -> HttpResponse:
    """Stop offering a template; it stays in the list of retired templates."""
    template = services.retire_template(
        by=_manager(request), template=get_object_or_404(ResponseTemplate, pk=template_id)
    )
    messages.success(request, _("Template “%(name)s” retired: agents no longer see it.") % {"name": template.name})
    return redirect("responses:list")


@login_required
@require_POST
def restore(request: HttpRequest, template_id: int) -> HttpResponse:
    """Offer a retired template again."""
    template = services.restore_template(
        by=_manager(request), template=get_object_or_404(ResponseTemplate, pk=template_id)
    )
    messages.success(request, _("Template “%(name)s” is offered again.") % {"name": template.name})
    return redirect("responses:list")


@login_required
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """The text as the customer would read it (htmx partial): filled for an example customer, or for the
    case whose number is given."""
    user = _manager(request)
    text = request.POST.get("text", "")[:20000]
    case_number = request.POST.get("preview_case", "").strip().lstrip("#")
    error = ""
    values = services.example_variables(agent=user)
    if case_number:
        try:
            case = get_case_for_user(user, case_number)
        except Http404:
            error = _("There is no case %(number)s you may see; the preview uses an example.") % {
                "number": case_number[:20]
            }
        else:
            values = services.template_variables(case=case, agent=user)
    return render(request, "responses/_preview.html", {"preview": services.fill(text, values), "error": error})
