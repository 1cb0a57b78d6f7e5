"""`ids_in` and `texts_in` select exactly what `__in` selects, on keys, foreign keys, paths through a relation and
text columns."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contactpunt.contacts.models import Case, Contact, ContactLeg
from contactpunt.contacts.services.inbound import receive_contacts
from contactpunt.contacts.services.types import IdentityInput, InboundContact
from contactpunt.id_filters import ids_in, texts_in

pytestmark = pytest.mark.django_db


def test_ids_in_selects_what_in_selects(email_queue, t0):
    receive_contacts(
        [
            InboundContact(
                source="api",
                queue="email-general",
                occurred_at=t0 + dt.timedelta(seconds=i),
                external_id=f"x{i}",
                identities=(IdentityInput("email", f"p{i}@example.nl"),),
                subject="s",
                text="t",
            )
            for i in range(4)
        ]
    )
    contacts = list(Contact.objects.order_by("pk").values_list("pk", "case_id"))
    some = [contacts[2][0], contacts[0][0], contacts[2][0], -1]
    assert set(Contact.objects.filter(ids_in("pk", some)).values_list("pk", flat=True)) == set(
        Contact.objects.filter(pk__in=some).values_list("pk", flat=True)
    )
    cases = {contacts[1][1], contacts[3][1]}
    assert set(Contact.objects.filter(ids_in("case_id", cases)).values_list("case_id", flat=True)) == cases
    legs = ContactLeg.objects.filter(ids_in("contact__case_id", cases), queue__code="email-general")
    assert sorted(legs.values_list("contact_id", flat=True)) == [contacts[1][0], contacts[3][0]]
    assert list(Case.objects.filter(ids_in("pk", []))) == []
    assert Case.objects.exclude(ids_in("pk", [])).count() == 4
    by_external_id = Contact.objects.filter(texts_in("external_id", ["x3", "x1", "x3", "y"]))
    assert sorted(by_external_id.values_list("pk", flat=True)) == [contacts[1][0], contacts[3][0]]


def test_a_long_list_of_ids_is_one_array_parameter_on_postgresql(email_queue, t0):
    receive_contacts(
        [InboundContact(source="api", queue="email-general", occurred_at=t0, external_id=f"x{i}") for i in range(3)]
    )
    ids = list(Contact.objects.values_list("pk", flat=True))
    wanted = [*ids, *range(10**9, 10**9 + 5000)]

    with CaptureQueriesContext(connection) as queries:
        found = set(Contact.objects.filter(ids_in("pk", wanted)).values_list("pk", flat=True))
        by_text = set(Contact.objects.filter(texts_in("external_id", ["x0", "x2", *map(str, range(5000))])))

    assert found == set(ids)
    assert {c.external_id for c in by_text} == {"x0", "x2"}
    if connection.vendor == "postgresql":
        assert all("= ANY(" in q["sql"] and " IN (" not in q["sql"] for q in queries.captured_queries)
