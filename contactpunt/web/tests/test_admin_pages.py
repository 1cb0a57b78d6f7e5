"""Every admin page stays small when the big tables are big: no add or change form renders a
dropdown of every case, contact, message or customer (one did: 12.5 MB, 230,800 options, 174 s),
and no page's query count grows with the rows."""

from __future__ import annotations

import contextlib
import datetime as dt
import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from contactpunt.contacts.services.inbound import receive_contacts
from contactpunt.contacts.services.types import IdentityInput, InboundContact
from contactpunt.people.models import Role, User

# More options than any dropdown of a small table has: the permissions (four per model: 424 with the journey,
# feedback, knowledge and quality apps) are the largest, and grow with the code, not with the data.
ROWS = 600
T = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
SELECT = re.compile(r"<select\b[^>]*>(.*?)</select>", re.S)


def options_per_select(html: str) -> list[int]:
    return [block.count("<option") for block in SELECT.findall(html)]


def _fill(email_queue) -> None:
    receive_contacts(
        [
            InboundContact(
                source="api",
                queue=email_queue.code,
                occurred_at=T + dt.timedelta(minutes=position),
                external_id=f"m{position}",
                identities=(IdentityInput("email", f"klant{position}@example.nl"),),
                customer_name=f"Klant {position}",
                subject=f"Vraag {position}",
                text="Waar blijft mijn bestelling?",
            )
            for position in range(ROWS)
        ]
    )


@pytest.mark.django_db
def test_every_admin_add_and_change_page_stays_small_with_many_rows(email_queue):
    from django.contrib.auth.models import Permission

    assert Permission.objects.count() < ROWS - 50, "the permissions' dropdown nears ROWS: raise ROWS"
    _fill(email_queue)
    superuser = User.objects.create_superuser(username="beheer", password="x", role=Role.ADMIN)
    client = Client()
    client.force_login(superuser)
    too_big: list[str] = []
    for model, _model_admin in admin.site._registry.items():
        opts = model._meta
        pages = []
        with contextlib.suppress(NoReverseMatch):
            pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk]))
        pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        for page in pages:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(page)
            assert response.status_code in (200, 302, 403), (page, response.status_code)
            html = response.content.decode()
            biggest = max(options_per_select(html), default=0)
            if biggest >= ROWS or len(queries) > 40 or len(html) > 400_000:
                too_big.append(f"{page}: {biggest} options, {len(queries)} queries, {len(html)} bytes")
    assert not too_big, "\n".join(too_big)
