"""The agent workspace's pages and actions: thin views over the permission-checked getter and the services.

Pages are server-rendered; the inbox, the timeline and the presence line are partials that htmx reloads when
the websocket says something changed. Actions are plain POST forms that redirect back (303) with a toast.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from contactpunt.access import Action, can, check, get_case_for_user, visible_cases
from contactpunt.channels.meta import whatsapp
from contactpunt.contacts.inbox import Assignee, InboxFilters, SlaRisk, inbox
from contactpunt.contacts.models import AgentState, Case, CaseStatus, Channel, Mention, ResponseTemplate
from contactpunt.contacts.order_status import OrderQuery, OrderStatusUnavailable, configured_provider, lookup_within
from contactpunt.contacts.services import assignment, case_actions, cases, replies, work_sessions
from contactpunt.contacts.services.events import current_agent_state
from contactpunt.contacts.services.templates import render_template
from contactpunt.customers.models import Customer
from contactpunt.customers.services import add_note
from contactpunt.feedback.queries import my_open_follow_ups
from contactpunt.journey.queries import shown_details
from contactpunt.journey.services import record_guest_views
from contactpunt.knowledge.quotes import record_inserted_articles
from contactpunt.people.models import User
from contactpunt.quality.queries import open_reviews_of_case
from contactpunt.web.workspace import forms, panels

#: What a service raises for a refused action; shown to the agent as a toast.
ACTION_ERRORS = (
    case_actions.ActionError,
    cases.CaseStateError,
    replies.ReplyError,
    assignment.AssignmentError,
    assignment.NotAvailable,
)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran
    return user


def case_action(view: Callable[[HttpRequest, Case], str]) -> Callable[[HttpRequest, str], HttpResponse]:
    """Wrap a POST action on a case: the writing getter (404/403), the service's refusal as an error toast,
    then back to the case (303)."""

    def wrapper(request: HttpRequest, case_id: str) -> HttpResponse:
        case = get_case_for_user(_user(request), case_id, write=True)
        try:
            done = view(request, case)
        except ACTION_ERRORS as error:
            messages.error(request, _("Not done: %(error)s") % {"error": error})
            return HttpResponseRedirect(reverse("workspace:case", args=[case.pk]), status=303)
        if done:
            messages.success(request, done)
        target = request.POST.get("next") == "inbox" or not _still_visible(request, case)
        url = reverse("workspace:inbox") if target else reverse("workspace:case", args=[case.pk])
        return HttpResponseRedirect(url, status=303)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return login_required(require_POST(wrapper))


def _still_visible(request: HttpRequest, case: Case) -> bool:
    try:
        get_case_for_user(_user(request), case.pk)
    except Http404:  # the case left the agent's queues (a transfer)
        return False
    return True


def _form_error(form: Any) -> str:
    errors = [str(error) for field_errors in form.errors.values() for error in field_errors]
    raise case_actions.ActionError("form", "; ".join(errors))


FILTER_CHOICES = {
    "channel_choices": Channel.choices,
    "status_choices": [(CaseStatus.OPEN, CaseStatus.OPEN.label), (CaseStatus.PENDING, CaseStatus.PENDING.label)],
    "assignee_choices": [
        (Assignee.ME, gettext_lazy("me")),
        (Assignee.UNASSIGNED, gettext_lazy("unassigned")),
        (Assignee.OTHERS, gettext_lazy("colleagues")),
    ],
    "risk_choices": [
        (risk.value, risk.label)
        for risk in (SlaRisk.OVERDUE, SlaRisk.AT_RISK, SlaRisk.ON_TRACK, SlaRisk.ANSWERED, SlaRisk.NONE)
    ],
}


def _chrome(user: User) -> dict[str, Any]:
    """What every workspace page shows in its bar: the agent's state, the states they may choose, how
    many notes mention them unseen, and the calls and chats waiting for them while they are available."""
    state = current_agent_state(user)
    return {
        "state": state,
        "unseen_mentions": Mention.objects.filter(user=user, seen_at__isnull=True).count(),
        "state_choices": [(state.value, state.label) for state in assignment.CHOSEN_STATES],
        "waiting": _waiting(user, state),
    }


def _waiting(user: User, state: str) -> assignment.Waiting:
    """What the agent is alerted to: nothing unless they may work and are available."""
    if state != AgentState.AVAILABLE or not can(user, Action.WRITE):
        return assignment.Waiting(0, None)
    return assignment.realtime_waiting_for(user)


# -- the inbox and agent state ---------------------------------------------------------------------


@login_required
@require_GET
def inbox_page(request: HttpRequest) -> HttpResponse:
    """The unified inbox; with HX-Request only its table."""
    user = _user(request)
    filters = InboxFilters.parse(request.GET.dict())
    partial = bool(request.headers.get("HX-Request"))
    context = {**_chrome(user), **FILTER_CHOICES, "inbox": inbox(user, filters), "filters": filters, "partial": partial}
    if not partial:  # a team lead's follow-ups of unhappy customers wait beside the inbox (feedback's closed loop)
        context["follow_ups"], context["follow_ups_overdue"] = my_open_follow_ups(user, now=timezone.now())
    return render(request, "workspace/_inbox.html" if partial else "workspace/inbox.html", context)


@login_required
@require_POST
def set_state(request: HttpRequest) -> HttpResponse:
    """Set the agent's own state; with HX-Request the state control, else back to the inbox."""
    user = _user(request)
    check(user, Action.WRITE)
    form = forms.StateForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    assignment.set_agent_state(agent=user, state=form.cleaned_data["state"])
    if request.headers.get("HX-Request"):
        return render(request, "workspace/_state.html", {**_chrome(user), "oob": True})
    return redirect("workspace:inbox")


@login_required
@require_POST
def take_next(request: HttpRequest) -> HttpResponse:
    """Hand the agent the most urgent case they may take and open it."""
    user = _user(request)
    check(user, Action.WRITE)
    try:
        case = assignment.take_next(agent=user)
    except assignment.NotAvailable:
        messages.error(request, _("Set yourself to available to take the next case."))
        return HttpResponseRedirect(reverse("workspace:inbox"), status=303)
    if case is None:
        messages.info(request, _("Nothing is waiting for you. Well done!"))
        return HttpResponseRedirect(reverse("workspace:inbox"), status=303)
    return HttpResponseRedirect(reverse("workspace:case", args=[case.pk]), status=303)


@login_required
@require_GET
def waiting_alert(request: HttpRequest) -> HttpResponse:
    """The alert in the workspace's bar: a call or chat waits while the agent is available (reloaded on live
    news and every few seconds; the page sounds a tone when more are waiting than before)."""
    user = _user(request)
    return render(request, "workspace/_waiting_alert.html", {"waiting": _waiting(user, current_agent_state(user))})


@login_required
@require_GET
def mentions(request: HttpRequest) -> HttpResponse:
    """The notes that mention the user, newest first (only on cases they may see)."""
    user = _user(request)
    rows = (
        Mention.objects.filter(user=user, message__case__in=visible_cases(user))
        .select_related("message", "message__case", "message__case__customer", "message__author")
        .order_by("-created_at")[:50]
    )
    return render(request, "workspace/mentions.html", {**_chrome(user), "mentions": rows})


# -- the case view ---------------------------------------------------------------------------------


@login_required
@require_GET
def case_page(request: HttpRequest, case_id: str) -> HttpResponse:
    """The case: timeline across channels, customer 360, actions."""
    user = _user(request)
    case = get_case_for_user(user, case_id)
    context = panels.case_context(case, user)
    if case.customer_id is not None and (shown := shown_details(context["journey"])):
        record_guest_views(by=user, customer_id=case.customer_id, shown=shown)  # guests' details: who saw whose
    context.update(_chrome(user))
    context["quality_reviews"] = open_reviews_of_case(user, case.pk)
    return render(request, "workspace/case.html", context)


@login_required
@require_GET
def timeline(request: HttpRequest, case_id: str) -> HttpResponse:
    case = get_case_for_user(_user(request), case_id)
    return render(request, "workspace/_timeline.html", {"case": case, "timeline": panels.timeline(case)})


@login_required
@require_GET
def presence(request: HttpRequest, case_id: str) -> HttpResponse:
    user = _user(request)
    case = get_case_for_user(user, case_id)
    return render(request, "workspace/_presence.html", {"case": case, "others": panels.others_working(case, user)})


@login_required
@require_GET
def orders(request: HttpRequest, case_id: str) -> HttpResponse:
    """The customer's orders from the order-status provider (loaded after the page, so a slow shop waits alone)."""
    case = get_case_for_user(_user(request), case_id)
    provider = configured_provider()
    context: dict[str, Any] = {"configured": provider is not None, "orders": [], "error": "", "case": case}
    if provider is not None and case.customer is not None:
        customer = Customer.objects.prefetch_related("identities").select_related("account").get(pk=case.customer.pk)
        try:
            context["orders"] = lookup_within(provider, OrderQuery.for_customer(customer))
        except OrderStatusUnavailable:
            context["error"] = _("The order status cannot be fetched right now.")
    return render(request, "workspace/_orders.html", context)


@login_required
@require_GET
def filled_template(request: HttpRequest, case_id: str, template_id: int) -> HttpResponse:
    """A response template's text with the case's variables filled, as JSON."""
    user = _user(request)
    case = get_case_for_user(user, case_id, write=True)
    template = ResponseTemplate.objects.filter(pk=template_id, is_active=True).first()
    if template is None:
        return JsonResponse({"error": "no such template"}, status=404)
    return JsonResponse({"text": render_template(template, case=case, agent=user)})


@login_required
@require_POST
def open_case(request: HttpRequest, case_id: str) -> HttpResponse:
    """Start timing the agent's written work on an open case (the page posts this when it opens)."""
    user = _user(request)
    case = get_case_for_user(user, case_id, write=True)
    if case.is_open:
        work_sessions.start_work_session(agent=user, case=case)
    case_actions.mark_mentions_seen(user=user, case=case)
    return HttpResponse(status=204)


@login_required
@require_POST
def heartbeat(request: HttpRequest, case_id: str) -> HttpResponse:
    """The open case page beats (every 30 s): the agent is still on it, so colleagues keep seeing them there."""
    user = _user(request)
    case = get_case_for_user(user, case_id, write=True)
    work_sessions.keep_work_session(agent=user, case=case)
    return HttpResponse(status=204)


@login_required
@require_POST
def leave_case(request: HttpRequest, case_id: str) -> HttpResponse:
    """The agent left the case without finishing: their session ends (outcome `left`)."""
    user = _user(request)
    case = get_case_for_user(user, case_id, write=True)
    work_sessions.end_work_sessions(agent=user, case=case, outcome="left")
    return HttpResponse(status=204)


# -- actions ---------------------------------------------------------------------------------------


@case_action
def reply(request: HttpRequest, case: Case) -> str:
    form = forms.ReplyForm(request.POST)
    if not form.is_valid():
        _form_error(form)
    data = form.cleaned_data
    with transaction.atomic():
        replied = replies.reply(
            case=case, by=_user(request), body=data["body"], templates=form.used_templates(), resolve=data["resolve"]
        )
        # An article's answer inserted from the case's suggestions links the reply to that article version.
        record_inserted_articles(message=replied.message, articles=form.used_articles())
    return _("Reply queued for sending; case resolved.") if data["resolve"] else _("Reply queued for sending.")


@case_action
def continue_in_private(request: HttpRequest, case: Case) -> str:
    replies.continue_in_private(case=case, by=_user(request), body=request.POST.get("body", "")[: replies.MAX_REPLY])
    return _("Invited the customer to continue in private messages.")


@case_action
def no_response_needed(request: HttpRequest, case: Case) -> str:
    closed = case_actions.mark_no_response_needed(case=case, by=_user(request))
    return ngettext(
        "Closed %(count)d message without a response.", "Closed %(count)d messages without a response.", len(closed)
    ) % {"count": len(closed)}


@case_action
def whatsapp_template(request: HttpRequest, case: Case) -> str:
    template = next((t for t in whatsapp.templates_for(case) if str(t.pk) == request.POST.get("template")), None)
    if template is None:
        raise replies.ReplyError(_("choose an approved template"))
    values = [line.strip() for line in request.POST.get("values", "").splitlines() if line.strip()]
    whatsapp.send_template(case=case, by=_user(request), template=template, values=values)
    return _("Template queued for sending.")


@case_action
def note(request: HttpRequest, case: Case) -> str:
    form = forms.NoteForm(request.POST)
    if not form.is_valid():
        _form_error(form)
    noted = case_actions.add_internal_note(case=case, author=_user(request), text=form.cleaned_data["text"])
    return _("Note added.") + (
        " " + _("Mentioned: %(names)s.") % {"names": ", ".join(u.display_name for u in noted.mentioned)}
        if noted.mentioned
        else ""
    )


@case_action
def customer_note(request: HttpRequest, case: Case) -> str:
    form = forms.CustomerNoteForm(request.POST)
    if not form.is_valid():
        _form_error(form)
    if case.customer is None:
        raise case_actions.ActionError("customer", _("the case has no customer"))
    add_note(customer=case.customer, author=_user(request), text=form.cleaned_data["text"])
    return _("Customer note saved; it shows on every later case.")


@case_action
def assign(request: HttpRequest, case: Case) -> str:
    form = forms.AssignForm(request.POST)
    if not form.is_valid():
        _form_error(form)
    to_id = form.cleaned_data["assignee"]
    to = User.objects.filter(pk=int(to_id), is_active=True).first() if to_id else None
    if to_id and to is None:
        raise assignment.AssignmentError(_("no such colleague"))
    assignment.assign_case(case=case, to=to, by=_user(request))
    return _("Assigned to %(name)s.") % {"name": to.display_name} if to else _("Returned to the queue.")


@case_action
def transfer(request: HttpRequest, case: Case) -> str:
    form = forms.TransferForm(request.POST)
    if not form.is_valid():
        _form_error(form)
    data = form.cleaned_data
    case_actions.transfer_case(
        case=case, to_queue=data["queue"], by=_user(request), reason=data["reason"], note=data["note"]
    )
    return _("Transferred to %(queue)s.") % {"queue": data["queue"].name}


@case_action
def wrap_up(request: HttpRequest, case: Case) -> str:
    form = forms.WrapUpForm(request.POST)
    if not form.is_valid():
        _form_error(form)
    data = form.cleaned_data
    case_actions.wrap_up(case=case, by=_user(request), reason=data["reason"], resolve=data["resolve"])
    return _("Wrapped up; case resolved.") if data["resolve"] else _("Wrapped up.")


@case_action
def resolve(request: HttpRequest, case: Case) -> str:
    cases.resolve_case(case=case, by=_user(request))
    return _("Case resolved.")


@case_action
def reopen(request: HttpRequest, case: Case) -> str:
    cases.reopen_case(case=case, by=_user(request))
    return _("Case reopened.")


@case_action
def merge(request: HttpRequest, case: Case) -> str:
    form = forms.MergeForm(request.POST)
    if not form.is_valid():
        _form_error(form)
    target = get_case_for_user(_user(request), form.cleaned_data["target"], write=True)
    cases.merge_cases(source=case, target=target, by=_user(request))
    return _("Merged into %(token)s.") % {"token": target.token}
