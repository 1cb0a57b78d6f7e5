"""Response templates: canned replies with variables filled from the customer, the case and the agent."""

from __future__ import annotations

import re

from contactpunt.contacts.models import Case, ResponseTemplate
from contactpunt.people.models import User

_VARIABLE = re.compile(r"\{(\w{1,40})\}")


def template_variables(*, case: Case, agent: User) -> dict[str, str]:
    """The values a template may use, by name."""
    customer = case.customer
    name = customer.display_name if customer is not None else ""
    return {
        "customer_name": name,
        "first_name": name.split()[0] if name.split() else "",
        "account": customer.account.name if customer is not None and customer.account is not None else "",
        "case_token": case.token,
        "case_subject": case.subject,
        "queue": case.queue.name,
        "agent_name": agent.display_name,
        "agent_first_name": agent.first_name or agent.get_username(),
    }


def render_template(template: ResponseTemplate, *, case: Case, agent: User) -> str:
    """The template's text with every known {variable} filled; unknown ones stay as written, so the agent
    sees them before sending."""
    values = template_variables(case=case, agent=agent)
    return _VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), template.text)
