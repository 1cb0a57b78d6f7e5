"""The REST API, version 1: contacts and events in, cases and customers out.

Every request carries an integration's token (`Authorization: Bearer cp_...`); the integration is
the source of what it sends, so external ids are unique per integration. Errors always have the
shape {"errors": [{"field", "code", "message"}]}.
"""

from __future__ import annotations

import base64
import binascii
import copy
import functools
import json
import logging
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Path, Query, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer
from pydantic import ValidationError

from contactpunt.api import group_commit, schemas
from contactpunt.api.limits import WINDOW, moment_window
from contactpunt.api.models import Integration, hash_token
from contactpunt.api.queries import CaseFilters, CustomerFilters, list_cases, list_customers
from contactpunt.api.serialize import case_detail_out, case_out, customer_out
from contactpunt.contacts.models import Case, Contact, ContactReason, Queue
from contactpunt.contacts.services.events import EventRejected, Recorded, record_agent_state, record_contact_event
from contactpunt.contacts.services.inbound import receive_contact, receive_contacts
from contactpunt.contacts.services.queues import unknown_queue_message
from contactpunt.contacts.services.types import (
    AttachmentInput,
    FieldError,
    IdentityInput,
    InboundContact,
    Outcome,
    Received,
    ThreadRef,
)
from contactpunt.customers.models import Customer
from contactpunt.gc_pause import collection_paused
from contactpunt.people.models import User

logger = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Integration | None:
        integration = Integration.objects.filter(token_hash=hash_token(token), is_active=True).first()
        if integration is not None:
            request.integration = integration  # type: ignore[attr-defined]
        return integration


class UnsupportedMediaType(Exception):
    """A request body that is not sent as JSON."""


class JsonParser(Parser):
    """Bodies are JSON, said so by the Content-Type: anything else is refused with a 415."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        if request.content_type != "application/json":
            raise UnsupportedMediaType(request.content_type)
        return super().parse_body(request)


class ContactpuntAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document is built once per process and root path: it describes the code, which does
    not change while the process runs, and building it costs about 90 ms (600 ms the first time) for each visit of
    the API's documentation page."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None) -> Any:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        kept = self._documents.get(path_prefix)
        if kept is None:
            kept = self._documents[path_prefix] = super().get_openapi_schema(path_prefix=path_prefix)
        return copy.deepcopy(kept)  # a caller may change its copy

    @functools.cached_property
    def _documents(self) -> dict[str, Any]:
        return {}


api = ContactpuntAPI(
    title="Contactpunt API",
    version="1",
    description=__doc__ or "",
    auth=TokenAuth(),
    urls_namespace="api-v1",
    parser=JsonParser(),
)


# Every operation can answer these besides its own statuses.
COMMON: dict[int, type[schemas.ErrorOut]] = {401: schemas.ErrorOut, 503: schemas.ErrorOut}
WITH_BODY: dict[int, type[schemas.ErrorOut]] = {
    **COMMON,
    400: schemas.ErrorOut,
    413: schemas.ErrorOut,
    415: schemas.ErrorOut,
    422: schemas.ErrorOut,
}


# -- errors: one shape everywhere --------------------------------------------------------------


def _errors(status: int, items: list[FieldError]) -> HttpResponse:
    body = {"errors": [{"field": e.field, "code": e.code, "message": e.message} for e in items]}
    return HttpResponse(json.dumps(body), status=status, content_type="application/json")


def _pydantic_errors(errors: list[Any], prefix: str = "") -> list[FieldError]:
    items = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload", "query", "path")]
        field = ".".join(location)
        items.append(
            FieldError(
                f"{prefix}{field}" if field else prefix.rstrip(".") or "body",
                str(error.get("type", "invalid")),
                str(error.get("msg", "invalid value")),
            )
        )
    return items


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return _errors(422, _pydantic_errors(list(exc.errors)))


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _errors(413, [FieldError("body", "too_large", "the request body is larger than this server accepts")])


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _errors(401, [FieldError("authorization", "invalid_token", "send a valid integration token as Bearer")])


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def on_database_unavailable(request: HttpRequest, exc: DatabaseError) -> HttpResponse:
    """The database is down or restarting: nothing was written; the caller should send it again."""
    response = _errors(
        503, [FieldError("database", "unavailable", "the database cannot be reached; nothing was stored, retry")]
    )
    response["Retry-After"] = "5"
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and isinstance(exc.__cause__, UnsupportedMediaType):
        return _errors(415, [FieldError("content-type", "unsupported_media_type", "send the body as application/json")])
    if exc.status_code == 400 and "parse request body" in str(exc):
        return _errors(400, [FieldError("body", "invalid_json", "the request body is not valid JSON")])
    return _errors(exc.status_code, [FieldError(getattr(exc, "field", "request"), "error", str(exc))])


def _integration(request: HttpRequest) -> Integration:
    integration: Integration = request.integration  # type: ignore[attr-defined]
    return integration


# -- contacts in -------------------------------------------------------------------------------


def _inbound(item: schemas.ContactIn, source: str) -> tuple[InboundContact | None, list[FieldError]]:
    attachments = []
    for position, attachment in enumerate(item.attachments):
        try:
            content = base64.b64decode(attachment.content_base64, validate=True)
        except (binascii.Error, ValueError):
            return None, [FieldError(f"attachments.{position}.content_base64", "invalid_base64", "not valid base64")]
        attachments.append(AttachmentInput(attachment.filename, attachment.content_type, content))
    raw = item.model_dump_json(exclude={"attachments"}).encode("utf-8")
    return InboundContact(
        source=source,
        queue=item.queue,
        occurred_at=item.occurred_at,
        external_id=item.external_id or None,
        channel=item.channel or "",
        identities=tuple(IdentityInput(i.kind, i.value, i.namespace) for i in item.identities),
        customer_name=item.customer_name,
        account_ref=item.account_ref,
        language=item.language,
        subject=item.subject,
        text=item.text,
        raw=raw,
        raw_content_type="application/json",
        thread=ThreadRef(
            item.thread.message_id, item.thread.in_reply_to, tuple(item.thread.references), item.thread.conversation_id
        ),
        attachments=tuple(attachments),
        is_public=item.is_public,
        ivr_path=tuple(item.ivr_path),
        offered=item.offered,
        strict_queue=True,  # the integration is told which queue is wrong (422); the channels fall back instead
    ), []


def _result(received: Received) -> schemas.ContactResult:
    return schemas.ContactResult.model_validate(_result_data(received))


@api.post(
    "/contacts",
    response={200: schemas.ContactResult, 201: schemas.ContactResult, **WITH_BODY},
    tags=["contacts"],
)
async def post_contact(request: HttpRequest, payload: schemas.ContactIn) -> Any:
    """Receive one inbound contact: 201 when created, 200 when it is a repeat of an earlier one,
    422 naming the field when it cannot be taken (nothing is written then).

    Concurrent calls are written together (group commit), each with its own result."""
    inbound, errors = _inbound(payload, _integration(request).source)
    if inbound is None:
        return _errors(422, errors)
    received = await group_commit.submit(inbound)
    if received.outcome == Outcome.REJECTED:
        return _errors(422, list(received.errors))
    return Status(201 if received.outcome == Outcome.CREATED else 200, _result(received))


@api.post("/contacts/bulk", response={200: schemas.BulkResult, **WITH_BODY}, tags=["contacts"])
def post_contacts_bulk(request: HttpRequest, payload: schemas.BulkIn) -> Any:
    """Receive up to 1,000 contacts in one call. Each item is checked on its own and gets a result:
    created, duplicate (with the existing id), or rejected (with the fields named). The good items
    are kept when others are rejected; the rows are exactly those the single call writes."""
    with collection_paused():  # a thousand items' short-lived objects are freed by reference counting
        final = _bulk_results(payload.items, _integration(request).source)
    statuses = [r["status"] for r in final]
    body = {
        "created": statuses.count("created"),
        "duplicates": statuses.count("duplicate"),
        "rejected": statuses.count("rejected"),
        "results": final,
    }
    # The BulkResult shape built as plain data and written at once: a thousand result models, validated again and
    # dumped by the framework, cost more than the rest of the response.
    return HttpResponse(json.dumps(body), content_type="application/json")


def _bulk_results(items: list[Any], source: str) -> list[dict[str, Any]]:
    """The result of each bulk item, in order: rejected with the fields named, or written (all together)."""
    results: list[dict[str, Any] | None] = [None] * len(items)
    accepted: list[tuple[int, InboundContact]] = []
    context = {WINDOW: moment_window()}  # one window for the call, not one per item
    for position, raw_item in enumerate(items):
        if not isinstance(raw_item, dict):
            error = FieldError("item", "not_an_object", "each item must be a JSON object")
            results[position] = _rejected([error])
            continue
        try:
            item = schemas.ContactIn.model_validate(raw_item, context=context)
        except ValidationError as exc:
            results[position] = _rejected(_pydantic_errors(list(exc.errors())))
            continue
        inbound, errors = _inbound(item, source)
        if inbound is None:
            results[position] = _rejected(errors)
            continue
        accepted.append((position, inbound))
    for (position, _inbound_item), received in zip(accepted, _receive_each(accepted), strict=True):
        results[position] = received
    return [r for r in results if r is not None]


def _result_data(received: Received) -> dict[str, Any]:
    """`_result` as plain data, in the field order of ContactResult."""
    return {
        "status": received.outcome.value,
        "id": received.contact_id,
        "case_id": received.case_id,
        "customer_id": received.customer_id,
        "case_created": received.case_created,
        "errors": [{"field": e.field, "code": e.code, "message": e.message} for e in received.errors],
    }


def _rejected(errors: Sequence[FieldError]) -> dict[str, Any]:
    return _result_data(Received(Outcome.REJECTED, errors=tuple(errors)))


def _receive_each(accepted: list[tuple[int, InboundContact]]) -> list[dict[str, Any]]:
    """Write the accepted items together; should the batch fail as a whole, write them one by one,
    so that an item the database refuses is rejected alone and the good items are kept. A database
    that cannot be reached fails the call (503: nothing of it was stored)."""
    contacts = [contact for _position, contact in accepted]
    try:
        return [_result_data(received) for received in receive_contacts(contacts)]
    except (OperationalError, InterfaceError):
        raise
    except Exception:
        logger.exception("a bulk batch of %d contacts failed; writing them one by one", len(contacts))
    results = []
    for contact in contacts:
        try:
            results.append(_result_data(receive_contact(contact)))
        except (OperationalError, InterfaceError):
            raise
        except Exception as exc:
            logger.exception("a bulk item could not be stored")
            error = FieldError("item", "not_stored", f"this item could not be stored: {exc}")
            results.append(_rejected([error]))
    return results


# -- events in ---------------------------------------------------------------------------------


def _field_error(field: str, code: str, message: str) -> HttpResponse:
    return _errors(422, [FieldError(field, code, message)])


@api.post(
    "/contact-events",
    response={200: schemas.EventResult, 201: schemas.EventResult, 404: schemas.ErrorOut, **WITH_BODY},
    tags=["events"],
)
def post_contact_event(request: HttpRequest, payload: schemas.ContactEventIn) -> Any:
    """Record what happened to a contact (answered, transferred, ended, abandoned, ...)."""
    source = _integration(request).source
    if payload.contact_id is not None:
        contact = Contact.objects.filter(pk=payload.contact_id).first()
    elif payload.contact_external_id:
        contact = Contact.objects.filter(source=source, external_id=payload.contact_external_id).first()
    else:
        return _field_error("contact_external_id", "required", "name the contact by contact_external_id or id")
    if contact is None:
        return _errors(
            404,
            [
                FieldError(
                    "contact_external_id" if payload.contact_id is None else "contact_id",
                    "unknown_contact",
                    "there is no such contact",
                )
            ],
        )
    agent = to_queue = reason = None
    if payload.agent:
        agent = User.objects.filter(username=payload.agent).first()
        if agent is None:
            return _field_error("agent", "unknown_agent", f"there is no user {payload.agent!r}")
    if payload.to_queue:
        to_queue = Queue.objects.filter(code=payload.to_queue, is_active=True).first()
        if to_queue is None:
            return _field_error("to_queue", "unknown_queue", unknown_queue_message(payload.to_queue))
    if payload.reason:
        reason = ContactReason.objects.filter(code=payload.reason).first()
        if reason is None:
            return _field_error("reason", "unknown_reason", f"there is no contact reason {payload.reason!r}")
    try:
        recorded = record_contact_event(
            contact=contact,
            name=payload.name,
            occurred_at=payload.occurred_at,
            source=source,
            external_id=payload.external_id,
            agent=agent,
            to_queue=to_queue,
            reason=reason,
        )
    except EventRejected as exc:
        return _field_error(exc.field, exc.code, str(exc))
    return _event_result(recorded)


@api.post(
    "/agent-states",
    response={200: schemas.EventResult, 201: schemas.EventResult, **WITH_BODY},
    tags=["events"],
)
def post_agent_state(request: HttpRequest, payload: schemas.AgentStateIn) -> Any:
    """Record that an agent entered a state (available, break, offline, ...)."""
    agent = User.objects.filter(username=payload.agent).first()
    if agent is None:
        return _field_error("agent", "unknown_agent", f"there is no user {payload.agent!r}")
    with transaction.atomic():
        recorded = record_agent_state(
            agent=agent,
            state=payload.state,
            occurred_at=payload.occurred_at,
            source=_integration(request).source,
            external_id=payload.external_id,
        )
    return _event_result(recorded)


def _event_result(recorded: Recorded) -> Status[dict[str, Any]]:
    body = {"status": "created" if recorded.created else "duplicate", "id": recorded.event_id}
    return Status(201 if recorded.created else 200, body)


# -- cases and customers out -------------------------------------------------------------------


@api.get("/cases", response={200: schemas.CasePage, 422: schemas.ErrorOut, **COMMON}, tags=["cases"])
def get_cases(request: HttpRequest, filters: Query[CaseFilters]) -> Any:
    """List cases, newest first, with cursor pagination (pass next_cursor back as cursor)."""
    page = list_cases(filters)
    return {"items": [case_out(c) for c in page.items], "next_cursor": page.next_cursor}


@api.get(
    "/cases/{case_id}",
    response={200: schemas.CaseDetailOut, 404: schemas.ErrorOut, 422: schemas.ErrorOut, **COMMON},
    tags=["cases"],
)
def get_case(request: HttpRequest, case_id: Path[schemas.Id]) -> Any:
    """One case with its contacts."""
    case = Case.objects.select_related("queue", "reason", "assignee").filter(pk=case_id).first()
    if case is None:
        return _errors(404, [FieldError("case_id", "not_found", "there is no such case")])
    return case_detail_out(case)


@api.get("/customers", response={200: schemas.CustomerPage, 422: schemas.ErrorOut, **COMMON}, tags=["customers"])
def get_customers(request: HttpRequest, filters: Query[CustomerFilters]) -> Any:
    """List customers, newest first, with cursor pagination; find one by email or phone."""
    page = list_customers(filters)
    return {"items": [customer_out(c) for c in page.items], "next_cursor": page.next_cursor}


@api.get(
    "/customers/{customer_id}",
    response={200: schemas.CustomerOut, 404: schemas.ErrorOut, 422: schemas.ErrorOut, **COMMON},
    tags=["customers"],
)
def get_customer(request: HttpRequest, customer_id: Path[schemas.Id]) -> Any:
    """One customer with their identities."""
    customer = Customer.objects.select_related("account").prefetch_related("identities").filter(pk=customer_id).first()
    if customer is None:
        return _errors(404, [FieldError("customer_id", "not_found", "there is no such customer")])
    return customer_out(customer)


# The privacy operations on a customer (export, erasure) live in their own module.
from contactpunt.api import customer_consent, customer_privacy, orders  # noqa: E402, F401
