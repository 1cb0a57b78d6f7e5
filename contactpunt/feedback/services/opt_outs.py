"""Who may not be surveyed: the customers who opted out by a survey link (`SurveyOptOut`), and those whose consent
says no to surveys (`contactpunt.customers.consent`), on every channel or on the one a survey would go on."""

from __future__ import annotations

from collections.abc import Iterable

from contactpunt.contacts.models import Channel
from contactpunt.customers import consent
from contactpunt.customers.models import ConsentChannel, ConsentPurpose
from contactpunt.feedback.models import SurveyOptOut
from contactpunt.id_filters import ids_in

#: The consent channel a survey on a contact channel is asked on (chat and social messages have none of their own:
#: only the consent for every channel counts there).
CONSENT_CHANNEL: dict[str, str] = {Channel.EMAIL: ConsentChannel.EMAIL, Channel.WHATSAPP: ConsentChannel.WHATSAPP}


def not_to_survey(customer_ids: Iterable[int], channel: str = "") -> set[int]:
    """The customers among `customer_ids` who may not be surveyed (on the contact channel `channel`, or at all)."""
    wanted = set(customer_ids)
    opted_out = set(SurveyOptOut.objects.filter(ids_in("customer_id", wanted)).values_list("customer_id", flat=True))
    return opted_out | consent.refusing(wanted, ConsentPurpose.SURVEYS, CONSENT_CHANNEL.get(channel, ""))
