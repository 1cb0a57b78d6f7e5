"""The variables of a response template's text, by their English and their Dutch names (no I/O)."""

from __future__ import annotations

import re

from django.utils.translation import get_language

#: A variable in a response template's text: {customer_name}.
TEMPLATE_VARIABLE = re.compile(r"\{(\w{1,40})\}")
#: The variables a response template may use (contacts.services.templates fills them).
TEMPLATE_VARIABLES = (
    "customer_name",
    "first_name",
    "account",
    "case_number",
    "case_token",
    "case_subject",
    "reason",
    "queue",
    "agent_name",
    "agent_first_name",
)
#: The same variables by their Dutch names, which a Dutch template may use instead.
TEMPLATE_VARIABLES_NL = {
    "klantnaam": "customer_name",
    "voornaam": "first_name",
    "klantaccount": "account",
    "zaaknummer": "case_number",
    "zaakkenmerk": "case_token",
    "onderwerp": "case_subject",
    "contactreden": "reason",
    "wachtrij": "queue",
    "medewerker": "agent_name",
    "medewerker_voornaam": "agent_first_name",
}


def variable_names() -> list[str]:
    """The template variables by the names of the active language (Dutch names on a Dutch screen)."""
    if get_language() == "nl":
        return list(TEMPLATE_VARIABLES_NL)
    return list(TEMPLATE_VARIABLES)
