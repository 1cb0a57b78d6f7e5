"""Input the API must refuse with a 4xx naming the field, on SQLite and PostgreSQL alike: moments
outside the window, ids past 64 bits, control characters, bodies that are not JSON. A bulk call
keeps a result per item whatever one item holds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from contactpunt.api.tests.test_contacts_api import contact, post
from contactpunt.contacts.models import Case, Contact, ContactEvent
from contactpunt.people.models import Role, User

pytestmark = pytest.mark.django_db

BAD_MOMENTS = ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "1969-12-31T23:00:00Z"]


def fields(response: Any) -> list[tuple[str, str]]:
    return [(error["field"], error["code"]) for error in response.json()["errors"]]


@pytest.mark.parametrize("moment", BAD_MOMENTS)
def test_a_moment_outside_the_window_is_refused_on_every_write(api, phone_queue, moment):
    User.objects.create_user(username="anna", password="x", role=Role.AGENT)
    post(api, "/contacts", contact("c0"))

    single = post(api, "/contacts", contact("c1", occurred_at=moment))
    bulk = post(api, "/contacts/bulk", {"items": [contact("c2", occurred_at=moment), contact("c3")]})
    event = post(api, "/contact-events", {"contact_external_id": "c0", "name": "answered", "occurred_at": moment})
    state = post(api, "/agent-states", {"agent": "anna", "state": "available", "occurred_at": moment})

    assert single.status_code == 422 and fields(single) == [("occurred_at", "date_out_of_range")]
    assert "2000-01-01" in single.json()["errors"][0]["message"]
    assert bulk.status_code == 200
    assert [r["status"] for r in bulk.json()["results"]] == ["rejected", "created"]
    assert bulk.json()["results"][0]["errors"][0]["field"] == "occurred_at"
    assert event.status_code == 422 and fields(event) == [("occurred_at", "date_out_of_range")]
    assert state.status_code == 422 and fields(state) == [("occurred_at", "date_out_of_range")]
    assert sorted(str(e) for e in Contact.objects.values_list("external_id", flat=True)) == ["c0", "c3"]
    assert not ContactEvent.objects.filter(name="answered").exists()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("opened_after=0001-01-01T00:00:00%2B01:00", "opened_after"),
        ("opened_before=9999-12-31T23:59:59-01:00", "opened_before"),
        (f"customer={2**64}", "customer"),
        ("customer=0", "customer"),
        ("queue=a%00b", "queue"),
        ("status=%00", "status"),
    ],
)
def test_case_filters_out_of_range_are_refused(api, query, field):
    response = api.get(f"/api/v1/cases?{query}")
    assert response.status_code == 422
    assert [f for f, _code in fields(response)] == [field]


@pytest.mark.parametrize("path", [f"/cases/{2**64}", f"/customers/{2**64}", "/cases/0", "/customers/-1"])
def test_ids_past_64_bits_are_refused(api, path):
    response = api.get(f"/api/v1{path}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] in ("case_id", "customer_id")


def test_a_contact_id_past_64_bits_is_refused(api):
    response = post(
        api, "/contact-events", {"contact_id": 2**64, "name": "answered", "occurred_at": contact()["occurred_at"]}
    )
    assert response.status_code == 422 and fields(response)[0][0] == "contact_id"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"external_id": "c\x001"}, "external_id"),
        ({"queue": "phone-general\x00"}, "queue"),
        ({"identities": [{"kind": "phone", "value": "06\x0012345678"}]}, "identities.0.value"),
        ({"thread": {"conversation_id": "x\x00"}}, "thread.conversation_id"),
        ({"language": "n\x1bl"}, "language"),
    ],
)
def test_control_characters_in_identifiers_are_refused(api, phone_queue, change, field):
    response = post(api, "/contacts", contact("c1", **change))
    assert response.status_code == 422
    assert fields(response) == [(field, "control_character")]
    assert not Contact.objects.exists()


def test_control_characters_in_free_text_are_dropped_and_the_contact_kept(api, phone_queue):
    body = contact("c1", subject="Be\x00stelling", text="regel 1\r\n\tregel\x07 2", customer_name="Jan\x00 Jansen")
    response = post(api, "/contacts", body)
    assert response.status_code == 201
    message = Contact.objects.get().messages.get()
    assert message.text == "regel 1\r\n\tregel 2"
    assert Case.objects.get().subject == "Bestelling"


def test_a_bulk_call_keeps_a_result_per_item_whatever_one_item_holds(api, phone_queue):
    items = [
        contact("good-1"),
        contact("bad\x00id"),
        "not an object",
        contact("good-2", occurred_at="0001-01-01T00:00:00+01:00"),
        contact("good-3", identities=[{"kind": "phone", "value": "\x00"}]),
        contact("good-4"),
    ]
    response = post(api, "/contacts/bulk", {"items": items})

    assert response.status_code == 200
    body = response.json()
    assert [r["status"] for r in body["results"]] == [
        "created",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "created",
    ]
    assert (body["created"], body["rejected"]) == (2, 4)
    assert sorted(str(e) for e in Contact.objects.values_list("external_id", flat=True)) == ["good-1", "good-4"]


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]
)
def test_a_body_that_is_not_sent_as_json_is_refused(api, phone_queue, content_type):
    response = api.post("/api/v1/contacts", data=json.dumps(contact()), content_type=content_type)
    assert response.status_code == 415
    assert fields(response) == [("content-type", "unsupported_media_type")]
    assert not Contact.objects.exists()


def test_the_document_lists_every_status_an_operation_can_answer():
    from contactpunt.api.api import api as ninja_api

    document = ninja_api.get_openapi_schema()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            statuses = {str(status) for status in operation["responses"]}
            assert {"401", "503"} <= statuses, (method, path)
            if method == "post":
                assert {"400", "413", "415", "422"} <= statuses, (method, path)
            if "{" in path:
                assert {"404", "422"} <= statuses, (method, path)


def test_the_document_is_built_once_and_each_reader_gets_its_own_copy(client):
    from contactpunt.api.api import api as ninja_api

    first = ninja_api.get_openapi_schema()
    first["paths"].clear()  # a reader that changes its copy changes nobody else's
    served = client.get("/api/v1/openapi.json").json()
    assert served == json.loads(json.dumps(ninja_api.get_openapi_schema())) and served["paths"]
    committed = json.loads((Path(__file__).parents[1] / "openapi.json").read_text())
    assert served["paths"].keys() == committed["paths"].keys()


def test_the_documentation_page_lays_itself_out_on_a_phone(client):
    page = client.get("/api/v1/docs").content.decode()
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page and "swagger-ui" in page
