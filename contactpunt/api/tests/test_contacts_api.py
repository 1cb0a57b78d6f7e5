"""The REST API: contacts in (single and bulk), events in, cases and customers out, bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from contactpunt.api import schemas
from contactpunt.contacts.models import Case, Contact, ContactEvent, ContactLeg, ContactReason, EventName, Queue
from contactpunt.customers.models import Customer

pytestmark = pytest.mark.django_db

T = "2026-03-02T10:00:00+01:00"


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(f"/api/v1{path}", data=json.dumps(body), content_type="application/json")


def contact(ext: str | None = "c1", **extra: Any) -> dict[str, Any]:
    body = {
        "external_id": ext,
        "queue": "phone-general",
        "occurred_at": T,
        "identities": [{"kind": "phone", "value": "0612345678"}],
        "customer_name": "Jan Jansen",
    }
    return {**body, **extra}


def test_without_a_valid_token_nothing_is_accepted(phone_queue):
    response = post(Client(), "/contacts", contact())
    assert response.status_code == 401
    response = post(Client(HTTP_AUTHORIZATION="Bearer cp_wrong"), "/contacts", contact())
    assert response.status_code == 401
    assert response.json()["errors"][0]["field"] == "authorization"
    assert not Contact.objects.exists()


def test_post_contact_creates_it_and_a_repeat_returns_the_same(api, phone_queue):
    first = post(api, "/contacts", contact())
    again = post(api, "/contacts", contact())

    assert first.status_code == 201
    body = first.json()
    assert body["status"] == "created" and body["case_created"] is True
    assert again.status_code == 200
    assert again.json()["status"] == "duplicate" and again.json()["id"] == body["id"]
    row = Contact.objects.get()
    assert (row.source, row.external_id, row.pk) == ("pbx", "c1", body["id"])
    assert json.loads(bytes(row.messages.get().raw))["queue"] == "phone-general"  # the original is kept
    assert Customer.objects.get().display_name == "Jan Jansen"


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"queue": "phone-general"}, "occurred_at", "missing"),
        (contact(occurred_at="yesterday"), "occurred_at", "datetime_from_date_parsing"),
        (contact(occurred_at="2026-03-02T10:00:00"), "occurred_at", "timezone_aware"),
        (contact(queue=12), "queue", "string_type"),
        (contact(identities="0612345678"), "identities", "list_type"),
        (contact(identities=[{"kind": "fax", "value": "1"}]), "identities.0.kind", "literal_error"),
        (contact(channel="pigeon"), "channel", "literal_error"),
        (contact(subject="x" * 501), "subject", "string_too_long"),
    ],
)
def test_bad_fields_get_422_naming_the_field(api, phone_queue, body, field, code):
    response = post(api, "/contacts", body)

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert (errors[0]["field"], errors[0]["code"]) == (field, code)
    assert not Contact.objects.exists()


def test_an_unknown_queue_is_a_clear_422(api, phone_queue):
    response = post(api, "/contacts", contact(queue="nope"))

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "queue",
            "code": "unknown_queue",
            "message": f"there is no active queue 'nope'; the active queues are {phone_queue.code!r}",
        }
    ]


def test_a_malformed_email_identity_is_named(api, phone_queue):
    response = post(api, "/contacts", contact(identities=[{"kind": "email", "value": "nobody"}]))

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "identities[0].value"


def test_not_json_is_a_400_naming_the_body(api, phone_queue):
    response = api.post("/api/v1/contacts", data="{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "field": "body",
        "code": "invalid_json",
        "message": "the request body is not valid JSON",
    }


def test_bulk_items_that_are_not_objects_are_rejected_one_by_one(api, phone_queue):
    response = post(api, "/contacts/bulk", {"items": [1, None, contact("ok")]})

    assert response.status_code == 200
    assert [r["status"] for r in response.json()["results"]] == ["rejected", "rejected", "created"]
    assert response.json()["results"][0]["errors"][0]["code"] == "not_an_object"


def test_a_huge_body_is_refused_with_413(api, phone_queue, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = post(api, "/contacts", contact(text="x" * 20_000))

    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "too_large"


def test_bulk_mixes_created_duplicate_and_rejected_items(api, phone_queue):
    post(api, "/contacts", contact("old"))
    items = [
        contact("a"),
        contact("old"),
        contact("b", queue="nope"),
        {"queue": 5},
        contact("a"),
        contact("c", identities=[{"kind": "email", "value": "X@Example.nl"}]),
    ]

    response = post(api, "/contacts/bulk", {"items": items})

    assert response.status_code == 200
    body = response.json()
    assert [r["status"] for r in body["results"]] == [
        "created",
        "duplicate",
        "rejected",
        "rejected",
        "duplicate",
        "created",
    ]
    assert (body["created"], body["duplicates"], body["rejected"]) == (2, 2, 2)
    assert body["results"][2]["errors"][0]["field"] == "queue"
    assert {e["field"] for e in body["results"][3]["errors"]} == {"queue", "occurred_at"}
    assert body["results"][4]["id"] == body["results"][0]["id"]
    assert Contact.objects.count() == 3


def test_bulk_results_have_the_documented_shape_field_for_field(api, phone_queue):
    single = post(api, "/contacts", contact("first")).json()

    body = post(api, "/contacts/bulk", {"items": [contact("first"), contact("new"), {"queue": 5}]}).json()

    # Exactly the fields of BulkResult and ContactResult, in their order, with their types: nothing more, nothing less.
    assert json.dumps(schemas.BulkResult.model_validate(body).model_dump()) == json.dumps(body)
    created = Contact.objects.get(external_id="new")
    assert body["results"][:2] == [
        {**single, "status": "duplicate", "case_created": False},
        {
            "status": "created",
            "id": created.pk,
            "case_id": created.case_id,
            "customer_id": created.customer_id,
            "case_created": True,  # no thread joins it to the first contact's case
            "errors": [],
        },
    ]
    assert body["results"][2]["status"] == "rejected"
    assert body["results"][2]["id"] is None
    assert {e["field"] for e in body["results"][2]["errors"]} == {"queue", "occurred_at"}


def test_bulk_refuses_more_than_1000_items(api, phone_queue):
    response = post(api, "/contacts/bulk", {"items": [contact(str(i)) for i in range(1001)]})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "items"
    assert not Contact.objects.exists()


def test_bulk_and_single_create_identical_rows(api, phone_queue):
    items = [
        contact("1"),
        contact("2", identities=[{"kind": "phone", "value": "+31 6 12345678"}]),
        contact("3", identities=[]),
    ]
    for item in items:
        post(api, "/contacts", item)

    def rows() -> list[tuple[Any, ...]]:
        return [
            (
                c.external_id,
                c.identification,
                c.status,
                c.case.previous_case_id is not None,
                c.customer.display_name if c.customer else None,
                c.events.count(),
                c.legs.count(),
            )
            for c in Contact.objects.order_by("external_id")
        ]

    single = rows()
    Contact.objects.all().delete()
    Case.objects.all().delete()
    Customer.objects.all().delete()
    post(api, "/contacts/bulk", {"items": items})

    assert rows() == single


def test_contact_events_follow_the_call_and_are_idempotent(api, phone_queue, second_phone_queue, agent):
    post(api, "/contacts", contact())
    ContactReason.objects.create(code="billing", name="Factuur")
    events = [
        {
            "contact_external_id": "c1",
            "name": "presented",
            "occurred_at": "2026-03-02T10:00:10+01:00",
            "external_id": "e1",
            "agent": "anna",
        },
        {
            "contact_external_id": "c1",
            "name": "answered",
            "occurred_at": "2026-03-02T10:00:15+01:00",
            "external_id": "e2",
            "agent": "anna",
        },
        {
            "contact_external_id": "c1",
            "name": "transferred",
            "occurred_at": "2026-03-02T10:03:00+01:00",
            "external_id": "e3",
            "agent": "anna",
            "to_queue": "phone-finance",
        },
        {"contact_external_id": "c1", "name": "ended", "occurred_at": "2026-03-02T10:09:00+01:00", "external_id": "e4"},
        {
            "contact_external_id": "c1",
            "name": "wrapped",
            "occurred_at": "2026-03-02T10:10:00+01:00",
            "external_id": "e5",
            "reason": "billing",
        },
    ]
    statuses = [post(api, "/contact-events", e).status_code for e in events]
    repeats = [post(api, "/contact-events", e).json()["status"] for e in events]

    assert statuses == [201] * 5 and repeats == ["duplicate"] * 5
    row = Contact.objects.get()
    assert row.status == "handled" and row.queue == second_phone_queue
    legs = list(ContactLeg.objects.order_by("sequence").values_list("queue__code", "agent__username"))
    assert legs == [("phone-general", "anna"), ("phone-finance", None)]
    queued = ContactEvent.objects.filter(name=EventName.QUEUED).order_by("leg")
    assert [(e.leg, e.queue.code) for e in queued] == [(1, "phone-general"), (2, "phone-finance")]
    assert row.case.reason.code == "billing"


@pytest.mark.parametrize(
    ("event", "status", "field"),
    [
        ({"contact_external_id": "nope", "name": "answered", "occurred_at": T}, 404, "contact_external_id"),
        ({"contact_external_id": "c1", "name": "exploded", "occurred_at": T}, 422, "name"),
        ({"contact_external_id": "c1", "name": "transferred", "occurred_at": T}, 422, "to_queue"),
        ({"contact_external_id": "c1", "name": "transferred", "occurred_at": T, "to_queue": "x"}, 422, "to_queue"),
        ({"contact_external_id": "c1", "name": "answered", "occurred_at": T, "agent": "ghost"}, 422, "agent"),
        ({"name": "answered", "occurred_at": T}, 422, "contact_external_id"),
    ],
)
def test_bad_events_are_refused_with_the_field_named(api, phone_queue, event, status, field):
    post(api, "/contacts", contact())

    response = post(api, "/contact-events", event)

    assert response.status_code == status
    assert response.json()["errors"][0]["field"] == field
    assert ContactEvent.objects.exclude(name=EventName.QUEUED).count() == 0


def test_a_transfer_to_an_unknown_or_closed_queue_names_the_queues_that_take_contacts(api, phone_queue):
    Queue.objects.create(code="old-line", name="Oude lijn", channel="phone", is_active=False)
    post(api, "/contacts", contact())
    for code in ("x", "old-line"):
        body = {"contact_external_id": "c1", "name": "transferred", "occurred_at": T, "to_queue": code}
        error = post(api, "/contact-events", body).json()["errors"][0]
        assert error["message"] == f"there is no active queue {code!r}; the active queues are {phone_queue.code!r}"


def test_agent_states_are_recorded_once(api, agent):
    body = {"agent": "anna", "state": "available", "occurred_at": T, "external_id": "s1"}
    assert post(api, "/agent-states", body).status_code == 201
    assert post(api, "/agent-states", body).json()["status"] == "duplicate"
    assert post(api, "/agent-states", {**body, "state": "asleep"}).status_code == 422
    assert agent.state_events.count() == 1


def test_cases_page_with_a_cursor_and_filters(api, phone_queue):
    post(api, "/contacts/bulk", {"items": [contact(str(i), identities=[]) for i in range(5)]})

    first = api.get("/api/v1/cases?limit=2").json()
    second = api.get(f"/api/v1/cases?limit=2&cursor={first['next_cursor']}").json()
    third = api.get(f"/api/v1/cases?limit=2&cursor={second['next_cursor']}").json()

    ids = [c["id"] for page in (first, second, third) for c in page["items"]]
    assert ids == sorted(Case.objects.values_list("id", flat=True), reverse=True)
    assert third["next_cursor"] is None
    assert api.get("/api/v1/cases?queue=phone-general&status=resolved").json()["items"] == []
    assert api.get("/api/v1/cases?cursor=%%%").status_code == 422
    assert api.get("/api/v1/cases?limit=0").status_code == 422


def test_case_detail_and_customer_lookup(api, phone_queue):
    created = post(api, "/contacts", contact()).json()

    case = api.get(f"/api/v1/cases/{created['case_id']}").json()
    found = api.get("/api/v1/customers?phone=06 1234 5678").json()["items"]

    assert case["contacts"][0]["external_id"] == "c1" and case["token"] == f"[CP-{created['case_id']}]"
    assert [c["id"] for c in found] == [created["customer_id"]]
    assert found[0]["identities"] == [{"kind": "phone", "namespace": "", "value": "+31612345678", "is_shared": False}]
    assert api.get("/api/v1/cases/999999").status_code == 404
    assert api.get("/api/v1/customers?email=not-an-email").status_code == 422
