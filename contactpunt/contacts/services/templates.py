"""Response templates: canned replies with variables filled from the customer, the case and the agent.

Team leads, managers and administrators create, edit and retire them (audited); agents are offered the
active ones that fit the case's reply channel, best matches of contact reason and language first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from contactpunt.access import Action, can
from contactpunt.audit import services as audit
from contactpunt.contacts.models import Case, ContactReason, ResponseTemplate
from contactpunt.contacts.template_variables import TEMPLATE_VARIABLE, TEMPLATE_VARIABLES_NL, variable_names
from contactpunt.people.models import User

#: Every variable a template may use (TEMPLATE_VARIABLES), with what it is filled with (shown on the page).
VARIABLES: dict[str, Promise] = {
    "customer_name": _("the customer's full name"),
    "first_name": _("the customer's first name"),
    "account": _("the customer's business account"),
    "case_number": _("the case number"),
    "case_token": _("the case token for an e-mail subject, e.g. [CP-1234]"),
    "case_subject": _("the case's subject"),
    "reason": _("the case's contact reason"),
    "queue": _("the queue's name"),
    "agent_name": _("your full name"),
    "agent_first_name": _("your first name"),
}

#: How many templates the reply box offers at once.
OFFERED = 8

REFUSED = _("Only team leads, managers and administrators manage response templates.")


def can_manage_templates(user: User) -> bool:
    """Whether `user` may create, edit and retire response templates (team lead and up)."""
    return can(user, Action.MANAGE_TEMPLATES)


def _require_manager(user: User) -> None:
    if not can_manage_templates(user):
        raise PermissionDenied(REFUSED)


def described_variables() -> list[tuple[str, Promise]]:
    """Each variable by its name in the active language, with what it is filled with (for the page)."""
    return [(name, VARIABLES[TEMPLATE_VARIABLES_NL.get(name, name)]) for name in variable_names()]


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with every known {variable} (by its English or Dutch name) filled; unknown ones stay as written,
    so the agent sees them before sending."""
    values = values | {dutch: values[name] for dutch, name in TEMPLATE_VARIABLES_NL.items() if name in values}
    return TEMPLATE_VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def template_variables(*, case: Case, agent: User) -> dict[str, str]:
    """The values a template may use, by name."""
    customer = case.customer
    name = customer.display_name if customer is not None else ""
    return {
        "customer_name": name,
        "first_name": name.split()[0] if name.split() else "",
        "account": customer.account.name if customer is not None and customer.account is not None else "",
        "case_number": str(case.pk),
        "case_token": case.token,
        "case_subject": case.subject,
        "reason": case.reason.name if case.reason is not None else "",
        "queue": case.queue.name,
        "agent_name": agent.display_name,
        "agent_first_name": agent.first_name or agent.get_username(),
    }


def example_variables(*, agent: User) -> dict[str, str]:
    """Values for a preview without a case: an example customer and case, and the agent's own name."""
    return {
        "customer_name": "Sanne de Vries",
        "first_name": "Sanne",
        "account": "Boekhandel De Vries",
        "case_number": "1234",
        "case_token": "[CP-1234]",
        "case_subject": str(_("Where is my order?")),
        "reason": str(_("Where is my order")),
        "queue": str(_("Customer service")),
        "agent_name": agent.get_full_name() or agent.get_username(),
        "agent_first_name": agent.first_name or agent.get_username(),
    }


def render_template(template: ResponseTemplate, *, case: Case, agent: User) -> str:
    """The template's text with the case's variables filled (see `fill`)."""
    return fill(template.text, template_variables(case=case, agent=agent))


# -- blocks: a template that must be reviewed before it is sent -------------------------------------------

#: Asked before a template is sent: the reason it may not be sent now (shown to the agent), or None. Apps above
#: contacts register one (knowledge: a template quoting an article that changed or was retired).
TemplateGuard = Callable[[ResponseTemplate], str | None]
_guards: list[TemplateGuard] = []


def register_template_guard(guard: TemplateGuard) -> None:
    """Ask `guard` before any template is sent (registering twice asks once)."""
    if guard not in _guards:
        _guards.append(guard)


def unregister_template_guard(guard: TemplateGuard) -> None:
    if guard in _guards:
        _guards.remove(guard)


def blocked_because(template: ResponseTemplate) -> str | None:
    """Why `template` may not be sent now (the first guard that says so), or None."""
    for guard in _guards:
        reason = guard(template)
        if reason:
            return reason
    return None


# -- writes ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TemplateFields:
    """What a team lead writes for a template; `channel` "" and `reason` None mean any."""

    name: str
    language: str
    text: str
    channel: str = ""
    reason: ContactReason | None = None

    def as_changes(self) -> dict[str, object]:
        return {
            "name": self.name,
            "language": self.language,
            "text": self.text,
            "channel": self.channel,
            "reason": self.reason.pk if self.reason is not None else None,
        }


def _stored(template: ResponseTemplate) -> dict[str, object]:
    return {
        "name": template.name,
        "language": template.language,
        "text": template.text,
        "channel": template.channel,
        "reason": template.reason_id,
    }


def create_template(*, by: User, fields: TemplateFields) -> ResponseTemplate:
    """Create an active template, audited. Raise PermissionDenied (with the reason) below team lead and
    ValidationError (by field) for an unknown variable or a name already used in that language."""
    _require_manager(by)
    now = timezone.now()
    with transaction.atomic():
        template = ResponseTemplate(
            name=fields.name,
            language=fields.language,
            text=fields.text,
            channel=fields.channel,
            reason=fields.reason,
            created_by=by,
            created_at=now,
            updated_at=now,
        )
        template.full_clean()
        template.save()
        audit.record(actor=by, action="response_template.created", obj=template, changes=fields.as_changes())
    return template


def update_template(*, by: User, template: ResponseTemplate, fields: TemplateFields) -> ResponseTemplate:
    """Change a template's name, language, text, channel and reason; the audit entry holds what changed
    (old and new). Raise PermissionDenied (with the reason) below team lead."""
    _require_manager(by)
    with transaction.atomic():
        # The stored row, not the caller's object (a form may already have changed its attributes).
        template = ResponseTemplate.objects.select_for_update().get(pk=template.pk)
        before = _stored(template)
        after = fields.as_changes()
        changed = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
        if not changed:
            return template
        template.name = fields.name
        template.language = fields.language
        template.text = fields.text
        template.channel = fields.channel
        template.reason = fields.reason
        template.updated_at = timezone.now()
        template.full_clean()
        template.save(update_fields=["name", "language", "text", "channel", "reason", "updated_at"])
        audit.record(actor=by, action="response_template.updated", obj=template, changes=changed)
    return template


def retire_template(*, by: User, template: ResponseTemplate) -> ResponseTemplate:
    """Stop offering the template; it is kept for the history. Retiring twice changes nothing."""
    return _set_active(by=by, template=template, active=False)


def restore_template(*, by: User, template: ResponseTemplate) -> ResponseTemplate:
    """Offer a retired template again."""
    return _set_active(by=by, template=template, active=True)


def _set_active(*, by: User, template: ResponseTemplate, active: bool) -> ResponseTemplate:
    _require_manager(by)
    with transaction.atomic():
        template = ResponseTemplate.objects.select_for_update().get(pk=template.pk)
        if template.is_active == active:
            return template
        now = timezone.now()
        template.is_active = active
        template.retired_at = None if active else now
        template.updated_at = now
        template.save(update_fields=["is_active", "retired_at", "updated_at"])
        audit.record(
            actor=by, action="response_template.restored" if active else "response_template.retired", obj=template
        )
    return template


# -- reads -------------------------------------------------------------------------------------------


def offered_templates(
    *, channel: str, reason_id: int | None, language: str, query: str = "", limit: int = OFFERED
) -> list[ResponseTemplate]:
    """The active templates for a reply on `channel` whose name, text or contact reason holds every word of `query`: the
    case's contact reason before templates for any reason before other reasons, then `language` first,
    then by name."""
    templates = ResponseTemplate.objects.filter(is_active=True).filter(Q(channel="") | Q(channel=channel))
    for word in query.split()[:8]:
        templates = templates.filter(
            Q(name__icontains=word) | Q(text__icontains=word) | Q(reason__name__icontains=word)
        )

    def rank(template: ResponseTemplate) -> tuple[int, int, int, str]:
        fits = {reason_id: 0, None: 1}
        return (
            fits.get(template.reason_id, 2),
            template.language != language,
            template.channel == "",
            template.name.casefold(),
        )

    return sorted(templates.select_related("reason")[:500], key=rank)[:limit]
