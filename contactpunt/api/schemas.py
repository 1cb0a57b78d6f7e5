"""The shapes the REST API accepts and returns, with limits on every field."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from contactpunt.api.limits import check_moment, check_text, strip_control
from contactpunt.contacts.models import AgentState, Channel, EventName

# Every string field refuses control characters (NUL and friends): PostgreSQL cannot store NUL,
# and neither database should hold what no screen can show.
# Free text from a customer (a subject, a message, a name) loses them instead: nothing a customer
# wrote is refused for a stray control character.
NoControl = AfterValidator(check_text)
Stripped = AfterValidator(strip_control)


Moment = Annotated[AwareDatetime, AfterValidator(check_moment)]
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Short = Annotated[str, StringConstraints(max_length=255), NoControl]
ChannelName = Literal["phone", "email", "chat", "social", "whatsapp", "webform"]
assert set(ChannelName.__args__) == set(Channel.values)  # type: ignore[attr-defined]
IdentityKindName = Literal["email", "phone", "social", "whatsapp", "external"]
ContactEventName = Literal[
    "presented",
    "answered",
    "hold_started",
    "hold_ended",
    "transferred",
    "ended",
    "wrap_started",
    "wrapped",
    "abandoned",
    "replied",
]
assert set(ContactEventName.__args__) <= set(EventName.values)  # type: ignore[attr-defined]
AgentStateName = Literal["available", "on_contact", "wrap_up", "break", "meeting", "training", "offline"]
assert set(AgentStateName.__args__) == set(AgentState.values)  # type: ignore[attr-defined]


class In(BaseModel):
    """What a caller sends: a plain pydantic model. ninja's `Schema` wraps every validation in a root validator
    that reads Django objects, a fifth of a bulk call's time for a thousand items that are plain JSON."""


class Out(BaseModel):
    """A result the API builds by the thousand (one per bulk item): plain pydantic, for the same reason."""

    model_config = ConfigDict(from_attributes=True)


class IdentityIn(In):
    kind: IdentityKindName
    value: Annotated[str, StringConstraints(max_length=320), NoControl]
    namespace: Annotated[str, StringConstraints(max_length=100), NoControl] = ""


class ThreadIn(In):
    message_id: Annotated[str, StringConstraints(max_length=480), NoControl] = ""
    in_reply_to: Annotated[str, StringConstraints(max_length=480), NoControl] = ""
    references: list[Annotated[str, StringConstraints(max_length=480), NoControl]] = Field(
        default_factory=list, max_length=100
    )
    conversation_id: Annotated[str, StringConstraints(max_length=255), NoControl] = ""


class AttachmentIn(In):
    filename: Annotated[str, StringConstraints(min_length=1, max_length=255), NoControl]
    content_type: Annotated[str, StringConstraints(max_length=100), NoControl] = "application/octet-stream"
    content_base64: Annotated[str, StringConstraints(max_length=14_000_000), NoControl]


class ContactIn(In):
    """One inbound contact. `external_id` makes re-sending safe: a repeat returns the first."""

    external_id: Short | None = Field(None, description="Your id of this contact; unique per integration.")
    queue: Annotated[str, StringConstraints(min_length=1, max_length=80), NoControl]
    channel: ChannelName | None = Field(None, description="Defaults to the queue's channel.")
    occurred_at: Moment = Field(description="When the contact arrived, with a time zone offset.")
    identities: list[IdentityIn] = Field(default_factory=list, max_length=20)
    customer_name: Annotated[str, StringConstraints(max_length=200), Stripped] = ""
    account_ref: Annotated[str, StringConstraints(max_length=100), NoControl] = ""
    language: Annotated[str, StringConstraints(max_length=8), NoControl] = ""
    subject: Annotated[str, StringConstraints(max_length=500), Stripped] = ""
    text: Annotated[str, StringConstraints(max_length=1_000_000), Stripped] = ""
    thread: ThreadIn = Field(default_factory=ThreadIn)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=20)
    is_public: bool = False
    ivr_path: list[Annotated[str, StringConstraints(max_length=50), NoControl]] = Field(
        default_factory=list, max_length=50
    )
    offered: bool = Field(True, description="False for a call that ended in the voice menu.")


class BulkIn(Schema):
    items: list[Any] = Field(
        min_length=1,
        max_length=1000,
        description="Up to 1,000 contacts, each shaped as ContactIn; each is checked on its own.",
    )


class ErrorItem(Out):
    field: str
    code: str
    message: str


class ErrorOut(Out):
    errors: list[ErrorItem]


class ContactResult(Out):
    status: Literal["created", "duplicate", "rejected"]
    id: int | None = None
    case_id: int | None = None
    customer_id: int | None = None
    case_created: bool = False
    errors: list[ErrorItem] = Field(default_factory=list)


class BulkResult(Out):
    created: int
    duplicates: int
    rejected: int
    results: list[ContactResult]


class ContactEventIn(In):
    contact_external_id: Short | None = Field(None, description="Your external id of the contact.")
    contact_id: Id | None = Field(None, description="Or Contactpunt's id of the contact.")
    name: ContactEventName
    occurred_at: Moment
    external_id: Short | None = Field(None, description="Your id of this event; unique per integration.")
    agent: Annotated[str, StringConstraints(max_length=150), NoControl] | None = Field(
        None, description="The agent's username."
    )
    to_queue: Annotated[str, StringConstraints(max_length=80), NoControl] | None = Field(
        None, description="For transferred."
    )
    reason: Annotated[str, StringConstraints(max_length=80), NoControl] | None = Field(None, description="For wrapped.")


class AgentStateIn(In):
    agent: Annotated[str, StringConstraints(min_length=1, max_length=150), NoControl]
    state: AgentStateName
    occurred_at: Moment
    external_id: Short | None = None


class EventResult(Out):
    status: Literal["created", "duplicate"]
    id: int


class IdentityOut(Schema):
    kind: str
    namespace: str
    value: str
    is_shared: bool


class CustomerOut(Schema):
    id: int
    display_name: str
    account: str | None
    language: str
    created_at: dt.datetime
    merged_into: int | None
    identities: list[IdentityOut]


class ContactOut(Schema):
    id: int
    channel: str
    direction: str
    queue: str
    status: str
    identification: str
    source: str
    external_id: str | None
    occurred_at: dt.datetime
    answered_at: dt.datetime | None
    ended_at: dt.datetime | None


class CaseOut(Schema):
    id: int
    token: str
    subject: str
    status: str
    queue: str
    channel: str
    customer_id: int | None
    reason: str | None
    assignee: str | None
    previous_case_id: int | None
    opened_at: dt.datetime
    resolved_at: dt.datetime | None
    reopen_count: int


class CaseDetailOut(CaseOut):
    contacts: list[ContactOut]


class CasePage(Schema):
    items: list[CaseOut]
    next_cursor: str | None


class CustomerPage(Schema):
    items: list[CustomerOut]
    next_cursor: str | None
