"""Cases, contacts, messages, the append-only event log, and the queues they flow through.

A Case is one customer question, possibly over several channels. A Contact is one interaction
(a call with a leg per queue and agent it passed through, a chat session, one email, one social or
WhatsApp message, one outbound reply). The ContactEvent log is the single source of truth for
every metric; it holds ids and timestamps only, so erasing a customer leaves it intact.

The models live in one module per part (routing, cases, contacts, events, replies); they are all importable from
here.
"""

from contactpunt.contacts.models.cases import Case, CaseStatus, CaseThreadKey
from contactpunt.contacts.models.contacts import (
    Attachment,
    Contact,
    ContactLeg,
    ContactStatus,
    Direction,
    FallbackReason,
    Identification,
    Message,
    Withheld,
    attachment_path,
    waiting_condition,
)
from contactpunt.contacts.models.events import (
    AgentState,
    AgentStateEvent,
    ContactEvent,
    EventKey,
    EventName,
    WorkSession,
)
from contactpunt.contacts.models.replies import FailedDelivery, Mention, ResponseTemplate, TemplateLanguage
from contactpunt.contacts.models.routing import (
    DEFAULT_RESPONSE_NORM_S,
    BusinessCalendar,
    Channel,
    ContactReason,
    OpeningHours,
    Queue,
)

__all__ = [
    "DEFAULT_RESPONSE_NORM_S",
    "AgentState",
    "AgentStateEvent",
    "Attachment",
    "BusinessCalendar",
    "Case",
    "CaseStatus",
    "CaseThreadKey",
    "Channel",
    "Contact",
    "ContactEvent",
    "ContactLeg",
    "ContactReason",
    "ContactStatus",
    "Direction",
    "EventKey",
    "EventName",
    "FailedDelivery",
    "FallbackReason",
    "Identification",
    "Mention",
    "Message",
    "OpeningHours",
    "Queue",
    "ResponseTemplate",
    "TemplateLanguage",
    "Withheld",
    "WorkSession",
    "attachment_path",
    "waiting_condition",
]
